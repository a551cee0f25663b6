"""The DPO console's sharing registers: agreements with their status today, organisations, the
registries, and read-only, access-logged disclosures (SPEC §6.1, §9)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fss.core.models import AccessLogEntry
from sharing.factories import DataSharingAgreementFactory, DisclosureFactory
from sharing.models import DataCategory

pytestmark = pytest.mark.django_db


def test_the_agreement_register_shows_each_status_today(client, dpo, police, school, today):
    DataSharingAgreementFactory(organisation=police, title="Police early help")
    DataSharingAgreementFactory(organisation=school, title="School plans", signed=False)
    client.force_login(dpo)
    html = client.get(reverse("admin:sharing_datasharingagreement_changelist")).content.decode()
    assert "Police early help" in html
    assert "In force" in html
    assert "Draft: not signed by every party" in html
    in_force = client.get(reverse("admin:sharing_datasharingagreement_changelist") + "?status=in_force")
    assert "School plans" not in in_force.content.decode()


def test_the_register_query_count_does_not_grow(client, dpo, police):
    client.force_login(dpo)
    url = reverse("admin:sharing_datasharingagreement_changelist")
    DataSharingAgreementFactory(organisation=police)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(4):
        DataSharingAgreementFactory(organisation=police)
    with CaptureQueriesContext(connection) as five:
        client.get(url)
    assert len(five) == len(one)


def test_the_dpo_opens_an_agreement_and_a_caseworker_cannot(client, dpo, caseworker, agreement):
    url = reverse("admin:sharing_datasharingagreement_change", args=[agreement.pk])
    client.force_login(dpo)
    assert client.get(url).status_code == 200
    client.force_login(caseworker)
    assert client.get(url, follow=True).status_code == 403  # the console refuses, never a login loop


def test_disclosures_are_read_only_and_opening_one_is_logged(client, dpo):
    disclosure = DisclosureFactory()
    client.force_login(dpo)
    response = client.get(reverse("admin:sharing_disclosure_change", args=[disclosure.pk]))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    entry = AccessLogEntry.objects.get(record_type="sharing.disclosure")
    assert (entry.user, entry.person_id, entry.family_id) == (dpo, disclosure.person_id, disclosure.family_id)
    assert client.post(reverse("admin:sharing_disclosure_delete", args=[disclosure.pk])).status_code == 403


def test_registry_codes_are_fixed_and_rows_never_deleted(client, dpo):
    category = DataCategory.objects.get(code="health_send")
    client.force_login(dpo)
    html = client.get(reverse("admin:sharing_datacategory_change", args=[category.pk])).content.decode()
    assert 'name="code"' not in html
    assert client.post(reverse("admin:sharing_datacategory_delete", args=[category.pk])).status_code == 403
