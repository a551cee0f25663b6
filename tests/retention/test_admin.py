"""The DPO console's retention pages (SPEC §1, §7): the review queue with its CSV and bulk hold,
holds and the stop switch through the services, runs with their certificate, and the read-only
destruction register searchable by family reference."""

import io

import pypdf
import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse

from fss.core.models import AccessLogEntry
from retention import services
from retention.models import DestructionRecord, DestructionSuspension, LegalHold, SweepRun
from tests.retention.conftest import closed_family, list_for_destruction

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(today):
    due = closed_family(closed_on=today - relativedelta(years=8))
    soon = closed_family(closed_on=today - relativedelta(years=7) + relativedelta(days=12))
    list_for_destruction(today)
    return due, soon


def test_the_review_queue_lists_due_and_coming_due_families_with_blockers(client, dpo, queue, today):
    due, soon = queue
    services.place_hold(
        by=dpo, family=soon, reason=LegalHold.Reason.FOI, review_on=today + relativedelta(days=20)
    )
    client.force_login(dpo)
    response = client.get(reverse("admin:retention_destructionnotice_changelist"))

    assert response.status_code == 200
    page = response.content.decode()
    assert due.reference in page
    assert soon.reference in page
    assert "Legal hold on the family (freedom of information request)" in page


def test_the_review_queue_sorts_and_exports_csv(client, dpo, queue):
    client.force_login(dpo)
    response = client.get(reverse("admin:retention_destructionnotice_changelist") + "?o=reference&format=csv")

    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("Family reference,Involvement ended,Due")
    assert [line.split(",")[0] for line in lines[1:]] == sorted(f.reference for f in queue)


def test_bulk_hold_from_the_queue_holds_the_chosen_families(client, dpo, queue, today):
    client.force_login(dpo)
    response = client.post(
        reverse("admin:retention_review_queue_hold"),
        {
            "families": [f.pk for f in queue],
            "reason": LegalHold.Reason.LITIGATION,
            "review_on": (today + relativedelta(months=1)).isoformat(),
            "details": "Claim 2026/123",
        },
    )
    assert response.status_code == 302
    assert LegalHold.objects.active().filter(family__in=queue).count() == 2


def test_the_dpo_places_and_releases_a_hold_in_the_console(client, dpo, queue, today):
    due, _ = queue
    client.force_login(dpo)
    response = client.post(
        reverse("admin:retention_legalhold_add"),
        {
            "family_reference": due.reference.lower(),
            "reason": LegalHold.Reason.INQUIRY,
            "review_on": (today + relativedelta(days=30)).isoformat(),
            "details": "Inquiry into the service",
        },
    )
    assert response.status_code == 302, response.content.decode()
    hold = LegalHold.objects.get(family=due)
    assert hold.placed_by == dpo

    change = reverse("admin:retention_legalhold_change", args=[hold.pk])
    refused = client.post(
        change, {"review_on": hold.review_on.isoformat(), "release": "on", "release_note": ""}
    )
    assert refused.status_code == 200
    assert "Say why the hold is released" in refused.content.decode()
    client.post(
        change, {"review_on": hold.review_on.isoformat(), "release": "on", "release_note": "Report out"}
    )
    hold.refresh_from_db()
    assert (hold.is_active, hold.release_note, hold.released_by) == (False, "Report out", dpo)
    assert client.get(reverse("admin:retention_legalhold_delete", args=[hold.pk])).status_code == 403


def test_the_dpo_turns_the_stop_switch_on_and_off_in_the_console(client, dpo):
    client.force_login(dpo)
    client.post(reverse("admin:retention_destructionsuspension_add"), {"reason": "Inquiry moratorium"})
    suspension = DestructionSuspension.objects.get()
    assert suspension.suspended_by == dpo
    client.post(
        reverse("admin:retention_destructionsuspension_change", args=[suspension.pk]),
        {"lift": "on", "lift_note": "Lifted by the inquiry"},
    )
    suspension.refresh_from_db()
    assert not suspension.is_active


def test_runs_have_a_certificate_and_the_register_is_read_only_and_searchable(client, dpo, queue, today):
    due, soon = queue
    run = services.run_sweep(on=today)
    record = DestructionRecord.objects.get()
    client.force_login(dpo)

    assert client.get(reverse("admin:retention_sweeprun_change", args=[run.pk])).status_code == 200
    certificate = client.get(reverse("admin:retention_sweeprun_certificate", args=[run.pk])).content.decode()
    assert str(record.surrogate_id) in certificate
    assert due.reference not in certificate

    register = reverse("admin:retention_destructionrecord_changelist")
    assert str(record.surrogate_id) in client.get(register, {"q": due.reference}).content.decode()
    assert str(record.surrogate_id) not in client.get(register, {"q": soon.reference}).content.decode()
    assert client.get(reverse("admin:retention_destructionrecord_add")).status_code == 403
    change = client.post(
        reverse("admin:retention_destructionrecord_change", args=[record.pk]), {"due_on": "2000-01-01"}
    )
    assert change.status_code == 403
    assert SweepRun.objects.count() == 1


def test_the_dpo_downloads_the_certificate_as_a_pdf_without_personal_data_and_it_is_logged(
    client, dpo, records_officer, queue, today
):
    due, soon = queue
    names = [m.person.family_name for m in due.memberships.select_related("person")]
    run = services.run_sweep(on=today)
    record = DestructionRecord.objects.get()
    url = reverse("admin:retention_sweeprun_certificate_pdf", args=[run.pk])
    client.force_login(dpo)
    page = client.get(reverse("admin:retention_sweeprun_change", args=[run.pk])).content.decode()
    assert url in page  # reachable from the run's page

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages
    ).replace("\n", " ")
    assert "Certificate of destruction" in text
    assert f"sweep run {run.pk}" in text
    assert "Families destroyed 1" in text
    assert f"version {record.policy_version}" in text
    assert record.reference_hash[:16] in text
    assert str(record.surrogate_id)[:8] in text
    assert "Signed off by" in text
    assert "Data Protection Officer" in text
    assert names
    assert not any(name in text for name in names)
    assert due.reference not in text
    assert AccessLogEntry.objects.filter(
        user=dpo, record_type="retention.sweeprun", record_id=str(run.pk), action=AccessLogEntry.Action.EXPORT
    ).exists()

    client.force_login(records_officer)
    assert client.get(url).status_code in (302, 403)
    assert not AccessLogEntry.objects.filter(user=records_officer, record_type="retention.sweeprun").exists()


def test_the_records_officer_may_read_the_register_but_not_the_rest(records_officer, dpo):
    assert records_officer.has_perm("retention.view_destructionrecord")
    assert not records_officer.has_perm("retention.add_legalhold")
    assert dpo.has_perms(
        ["retention.add_legalhold", "retention.change_legalhold", "retention.add_destructionsuspension"]
    )
    assert not dpo.has_perm("retention.delete_legalhold")
    assert not dpo.has_perm("retention.change_destructionrecord")


def test_caseworkers_cannot_open_the_retention_console(client, caseworker):
    client.force_login(caseworker)
    response = client.get(reverse("admin:retention_destructionnotice_changelist"))
    assert response.status_code in (302, 403)


def test_the_review_queue_query_count_does_not_grow_with_the_families_listed(client, dpo, today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.factories import PersonFactory

    client.force_login(dpo)
    url = reverse("admin:retention_destructionnotice_changelist")

    def queries_for(count: int) -> int:
        for _ in range(count):
            person = PersonFactory()
            family = closed_family(closed_on=today - relativedelta(years=8), people=[person])
            services.place_hold(
                by=dpo, person=person, reason=LegalHold.Reason.SAR, review_on=today + relativedelta(days=9)
            )
            services.place_hold(
                by=dpo, family=family, reason=LegalHold.Reason.FOI, review_on=today + relativedelta(days=9)
            )
        list_for_destruction(today)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    assert queries_for(2) == queries_for(4)
