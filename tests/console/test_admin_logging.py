"""The console logs every DPO action and exports every register to CSV (issue 9, SPEC §9)."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from fss.core.admin_site import EXPORT_ACTION
from fss.core.factories import AccessLogEntryFactory
from fss.core.models import AccessLogEntry
from sar.factories import SubjectAccessRequestFactory
from sharing.factories import DataSharingAgreementFactory, OrganisationFactory
from tests.console.conftest import days, legal_hold

pytestmark = pytest.mark.django_db

VIEW = AccessLogEntry.Action.VIEW
CHANGE = AccessLogEntry.Action.CHANGE
EXPORT = AccessLogEntry.Action.EXPORT


def _rows(user, record_type):
    return list(
        AccessLogEntry.objects.filter(user=user, record_type=record_type)
        .order_by("pk")
        .values_list("action", "record_id", "family_id", "person_id")
    )


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def _changelist_headers(client, url_name) -> list[str]:
    """The column headings the changelist itself shows (as its template draws them)."""
    from django.contrib.admin.templatetags.admin_list import result_headers
    from django.utils.text import capfirst

    cl = client.get(reverse(url_name)).context["cl"]
    return [
        capfirst(str(h["text"]))
        for h in result_headers(cl)
        if h.get("class_attrib") != ' class="action-checkbox-column"'
    ]


def _export(client, url_name, *pks):
    return client.post(
        reverse(url_name), {"action": EXPORT_ACTION, "_selected_action": [str(pk) for pk in pks]}
    )


# --- Every page is logged, in one place -------------------------------------------------------


def test_opening_a_sar_list_and_record_is_logged_once_each_with_its_subject(client, dpo):
    request = SubjectAccessRequestFactory()
    client.force_login(dpo)
    assert client.get(reverse("admin:sar_subjectaccessrequest_changelist")).status_code == 200
    assert client.get(reverse("admin:sar_subjectaccessrequest_change", args=[request.pk])).status_code == 200
    assert client.get(reverse("admin:sar_subjectaccessrequest_history", args=[request.pk])).status_code == 200
    assert _rows(dpo, "sar.subjectaccessrequest") == [
        (VIEW, "", None, None),
        (VIEW, str(request.pk), None, request.subject_id),  # once: the SAR admin no longer logs itself
        (VIEW, str(request.pk), None, request.subject_id),
    ]
    entry = AccessLogEntry.objects.filter(user=dpo).order_by("pk").last()
    assert entry.view_name == "admin:sar_subjectaccessrequest_history"


def test_opening_a_legal_hold_and_an_agreement_is_logged(client, dpo):
    hold = legal_hold(by=dpo, review_on=timezone.localdate() + days(30))
    agreement = DataSharingAgreementFactory()
    client.force_login(dpo)
    assert client.get(reverse("admin:retention_legalhold_changelist")).status_code == 200
    assert client.get(reverse("admin:retention_legalhold_change", args=[hold.pk])).status_code == 200
    assert (
        client.get(reverse("admin:sharing_datasharingagreement_change", args=[agreement.pk])).status_code
        == 200
    )
    assert _rows(dpo, "retention.legalhold") == [(VIEW, "", None, None), (VIEW, str(hold.pk), None, None)]
    assert _rows(dpo, "sharing.datasharingagreement") == [(VIEW, str(agreement.pk), None, None)]


def test_a_saved_change_and_a_deletion_are_logged_as_changes(client, dpo):
    organisation = OrganisationFactory(name="Old name")
    client.force_login(dpo)
    url = reverse("admin:sharing_organisation_change", args=[organisation.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(name="New name", category=organisation.category_id)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    organisation.refresh_from_db()
    assert organisation.name == "New name"
    assert _rows(dpo, "sharing.organisation") == [
        (VIEW, str(organisation.pk), None, None),
        (CHANGE, str(organisation.pk), None, None),
    ]


def test_family_and_person_are_named_for_registers_that_give_them(client, dpo):
    from sharing.factories import DisclosureFactory

    disclosure = DisclosureFactory()
    client.force_login(dpo)
    assert client.get(reverse("admin:sharing_disclosure_change", args=[disclosure.pk])).status_code == 200
    assert _rows(dpo, "sharing.disclosure") == [
        (VIEW, str(disclosure.pk), disclosure.family_id, disclosure.person_id)
    ]


def test_a_refused_page_is_not_logged_as_an_access(client, sysadmin):
    request = SubjectAccessRequestFactory()
    client.force_login(sysadmin)  # in the console, but with no right to the SAR register
    assert client.get(reverse("admin:sar_subjectaccessrequest_changelist")).status_code == 403
    assert client.get(reverse("admin:sar_subjectaccessrequest_change", args=[request.pk])).status_code == 403
    assert not AccessLogEntry.objects.filter(user=sysadmin).exists()


# --- CSV export of every register ------------------------------------------------------------


def test_sar_register_exports_the_changelist_columns_and_logs_one_export(client, dpo):
    first, second = SubjectAccessRequestFactory(), SubjectAccessRequestFactory()
    SubjectAccessRequestFactory()  # not selected: not exported
    client.force_login(dpo)
    rows = _csv(_export(client, "admin:sar_subjectaccessrequest_changelist", first.pk, second.pk))
    assert rows[0][0] == "Reference"
    assert rows[0][-2:] == ["Due", "RAG"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert sorted(row[0] for row in rows[1:]) == sorted([first.reference, second.reference])
    assert {row[2] for row in rows[1:]} == {"Received"}  # the label, as the changelist shows it
    assert not any("<" in cell for row in rows for cell in row)  # plain text, no HTML
    # Only the changelist's columns: nothing the list does not show (the requester's contact details).
    assert first.requester_contact not in "".join(",".join(row) for row in rows)
    entry = AccessLogEntry.objects.get(user=dpo, action=EXPORT)
    assert (entry.record_type, entry.record_id) == ("sar.subjectaccessrequest", "export")
    assert entry.reason == "CSV export of 2 row(s) from the console"
    assert first.requester_name not in entry.reason
    assert AccessLogEntry.objects.filter(user=dpo).count() == 1  # the export, not also a "view"
    assert rows[0] == _changelist_headers(client, "admin:sar_subjectaccessrequest_changelist")


def test_legal_hold_register_exports_its_columns(client, dpo):
    hold = legal_hold(by=dpo, review_on=timezone.localdate() + days(30))
    client.force_login(dpo)
    rows = _csv(_export(client, "admin:retention_legalhold_changelist", hold.pk))
    assert rows[0] == _changelist_headers(client, "admin:retention_legalhold_changelist")
    assert rows[0][0] == "Legal hold"
    assert len(rows[0]) == 6
    assert len(rows) == 2
    assert rows[1][0] == str(hold)
    assert rows[1][3] == str(dpo)  # a related record by its name, as listed
    assert rows[1][5] == "-"  # the changelist's empty marker
    assert AccessLogEntry.objects.get(user=dpo, action=EXPORT).record_type == "retention.legalhold"
    assert AccessLogEntry.objects.filter(user=dpo, action=EXPORT).count() == 1


def test_agreement_register_exports_its_columns_including_computed_ones(client, dpo):
    agreements = [DataSharingAgreementFactory(), DataSharingAgreementFactory()]
    client.force_login(dpo)
    rows = _csv(_export(client, "admin:sharing_datasharingagreement_changelist", *[a.pk for a in agreements]))
    header = rows[0]
    assert header == _changelist_headers(client, "admin:sharing_datasharingagreement_changelist")
    assert header[:2] == ["Reference", "Title"]
    assert len(header) == 8
    assert {row[1] for row in rows[1:]} == {a.title for a in agreements}
    status = header.index("Status today")
    assert {row[status] for row in rows[1:]} == {a.status_on(timezone.localdate()).label for a in agreements}
    entry = AccessLogEntry.objects.get(user=dpo, action=EXPORT)
    assert (entry.record_type, entry.reason) == (
        "sharing.datasharingagreement",
        "CSV export of 2 row(s) from the console",
    )


def test_boolean_columns_are_words_not_icons(client, dpo):
    organisation = OrganisationFactory(is_active=True)
    client.force_login(dpo)
    rows = _csv(_export(client, "admin:sharing_organisation_changelist", organisation.pk))
    assert rows[0][-1] == "Is active"
    assert rows[1][-1] == "yes"


def test_a_cell_a_spreadsheet_would_run_is_neutralised(client, dpo):
    organisation = OrganisationFactory(name='=HYPERLINK("http://x")')
    client.force_login(dpo)
    rows = _csv(_export(client, "admin:sharing_organisation_changelist", organisation.pk))
    assert rows[1][0] == '\'=HYPERLINK("http://x")'


def test_someone_without_view_permission_cannot_export(client, sysadmin, caseworker):
    request = SubjectAccessRequestFactory()
    client.force_login(sysadmin)
    response = _export(client, "admin:sar_subjectaccessrequest_changelist", request.pk)
    assert response.status_code == 403
    client.force_login(caseworker)
    response = _export(client, "admin:sar_subjectaccessrequest_changelist", request.pk)
    assert response.status_code in (302, 403)
    assert not response.get("Content-Type", "").startswith("text/csv")
    assert not AccessLogEntry.objects.filter(action=EXPORT).exists()


def test_the_export_is_offered_only_with_view_permission(rf, dpo, sysadmin):
    from django.contrib import admin

    from sar.models import SubjectAccessRequest

    model_admin = admin.site.get_model_admin(SubjectAccessRequest)
    for user, offered in ((dpo, True), (sysadmin, False)):
        request = rf.get("/admin/")
        request.user = user
        assert (EXPORT_ACTION in model_admin.get_actions(request)) is offered


def test_the_access_log_keeps_its_own_export_only_and_stays_read_only(client, dpo, caseworker):
    entry = AccessLogEntryFactory(user=caseworker, record_id="7", family_id=7)
    client.force_login(dpo)
    page = client.get(reverse("admin:core_accesslogentry_changelist")).content.decode()
    assert 'value="export_csv"' in page
    assert f'value="{EXPORT_ACTION}"' not in page
    assert 'value="delete_selected"' not in page
    assert client.post(reverse("admin:core_accesslogentry_change", args=[entry.pk]), {}).status_code == 403
    assert (
        client.post(reverse("admin:core_accesslogentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    response = client.post(
        reverse("admin:core_accesslogentry_changelist"),
        {"action": EXPORT_ACTION, "_selected_action": [entry.pk]},
    )
    assert not response.get("Content-Type", "").startswith("text/csv")
    response = client.post(
        reverse("admin:core_accesslogentry_changelist"),
        {"action": "export_csv", "_selected_action": [entry.pk]},
    )
    assert _csv(response)[1][1] == caseworker.get_username()
    # One EXPORT row for its own export, no extra "view" rows for reading it.
    assert list(AccessLogEntry.objects.filter(user=dpo).values_list("action", "record_type")) == [
        (EXPORT, "core.accesslogentry")
    ]
    assert AccessLogEntry.objects.filter(pk=entry.pk, reason="").exists()
