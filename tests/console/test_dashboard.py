"""The DPO dashboard (issue 9): every figure matches the data, overdue first, constant queries."""

import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.factories import FamilyFactory
from cases.models import BreakGlassAccess
from consent.factories import ConsentRecordFactory
from console import selectors
from fss.core.models import AccessLogEntry
from retention.models import DestructionSuspension, SweepRun
from sar import reminders as sar_reminders
from sar import selectors as sar_selectors
from sar.factories import (
    ComplaintFactory,
    FOIRequestFactory,
    RightsRequestFactory,
    SubjectAccessRequestFactory,
)
from sar.models import Rag, SubjectAccessRequest
from sharing import reminders as sharing_reminders
from sharing.factories import DataSharingAgreementFactory, DisclosureFactory, DpoReviewFactory
from sharing.returns.factories import TransferRecordFactory
from tests.console.conftest import (
    days,
    destruction_record,
    family_due_on,
    legal_hold,
    paper_task,
    sweep_run,
)

pytestmark = pytest.mark.django_db


def figure(html: str, name: str) -> str:
    """The text of the dashboard figure marked data-figure="name", tags stripped."""
    match = re.search(rf'data-figure="{re.escape(name)}"[^>]*>(.*?)</(?:div|td)>', html, re.S)
    assert match, f"no figure {name}"
    text = re.sub(r"<[^>]+>", " ", match.group(1))
    return " ".join(text.split())


def number(html: str, name: str) -> int:
    return int(re.findall(r"\d+", figure(html, name).replace("Families due now or within", ""))[-1])


def register_row(html: str, register: str) -> str:
    match = re.search(rf'<tr class="govuk-table__row" data-register="{register}">(.*?)</tr>', html, re.S)
    assert match, register
    return match.group(1)


def register_figure(html: str, register: str, name: str) -> int:
    return int(figure(register_row(html, register), name))


# --- Builders: a known number of each thing the dashboard counts ---


def build_requests(today, dpo):
    sar_red = SubjectAccessRequestFactory(received_on=today - days(40))
    SubjectAccessRequestFactory(received_on=today - days(25), status=SubjectAccessRequest.Status.IN_PROGRESS)
    SubjectAccessRequestFactory(received_on=today)
    SubjectAccessRequestFactory(
        received_on=today,
        identity_requested_on=today,
        status=SubjectAccessRequest.Status.AWAITING_IDENTITY,
    )
    SubjectAccessRequestFactory(
        received_on=today - days(60), status=SubjectAccessRequest.Status.COMPLETED, closed_on=today - days(40)
    )
    rights_red = RightsRequestFactory(received_on=today - days(40))
    RightsRequestFactory(received_on=today - days(10), decision="granted", decided_on=today)
    FOIRequestFactory(received_on=today)
    foi_red = FOIRequestFactory(received_on=today - days(45))
    FOIRequestFactory(received_on=today - days(10), answered_on=today)
    complaint_red = ComplaintFactory(received_on=today - days(35))
    ComplaintFactory(received_on=today)
    ComplaintFactory(received_on=today - days(5), acknowledged_on=today)
    ComplaintFactory(received_on=today - days(50), acknowledged_on=today - days(45), outcome_on=today)
    return [sar_red, rights_red, foi_red, complaint_red]


def build_everything_else(today, dpo, caseworker):
    # Agreements: review overdue, review due soon, ending soon, expired.
    DataSharingAgreementFactory(review_date=today - days(1))
    DataSharingAgreementFactory(review_date=today + days(10))
    DataSharingAgreementFactory(end_date=today + days(20))
    DataSharingAgreementFactory(end_date=today - days(5))
    DataSharingAgreementFactory()  # nothing due
    # Holds: review overdue, due soon, later, released.
    legal_hold(by=dpo, review_on=today - days(3))
    legal_hold(by=dpo, review_on=today + days(10))
    legal_hold(by=dpo, review_on=today + days(100))
    legal_hold(by=dpo, review_on=today - days(3), released=True)
    # Retention pipeline: due 5 days ago, in 10, 60 and 200 days; one of them held; one far off.
    family_due_on(today - days(5))
    held = family_due_on(today + days(10))
    legal_hold(by=dpo, review_on=today + days(200), family=held)
    family_due_on(today + days(60))
    family_due_on(today + days(200))
    family_due_on(today + days(500))
    # Destroyed this month (a replay is not a destruction), last year; paper outstanding and done.
    run = sweep_run(by=dpo)
    this_month = destruction_record(run=run)
    destruction_record(run=run, replay_of=this_month)
    last_year = destruction_record(run=run, destroyed_at=timezone.now() - days(400))
    paper_task(record=this_month)
    paper_task(record=last_year)
    paper_task(record=last_year, done_by=dpo)
    # ONS confirmations: overdue, not yet due, confirmed.
    TransferRecordFactory(
        sent_on=today - days(60), sent_by=dpo, destruction_confirmation_due_on=today - days(1)
    )
    TransferRecordFactory(
        sent_on=today - days(60), sent_by=dpo, destruction_confirmation_due_on=today + days(1)
    )
    TransferRecordFactory(
        sent_on=today - days(60),
        sent_by=dpo,
        destruction_confirmation_due_on=today - days(10),
        destruction_confirmed_on=today - days(20),
        destruction_confirmed_by=dpo,
    )
    # Safeguarding: one decision about two people, another decision, and one already reviewed.
    decision = uuid.uuid4()
    family = FamilyFactory()
    DisclosureFactory(decision_id=decision, family=family, dpo_review_required=True)
    DisclosureFactory(decision_id=decision, family=family, dpo_review_required=True)
    DisclosureFactory(dpo_review_required=True)
    DpoReviewFactory(reviewed_by=dpo)
    # Break-glass: two to review, one reviewed.
    for reviewed in (False, False, True):
        BreakGlassAccess.objects.create(
            family=FamilyFactory(),
            user=caseworker,
            reason="Police at the door",
            expires_at=timezone.now() + days(1),
            reviewed_by=dpo if reviewed else None,
            reviewed_at=timezone.now() if reviewed else None,
        )


def build_consent(today, north_team, south_team):
    for team, overdue in ((north_team, 2), (south_team, 1)):
        for _ in range(overdue):
            ConsentRecordFactory(
                family=FamilyFactory(team=team), decided_on=today - days(300), review_on=today - days(1)
            )
    ConsentRecordFactory(family=FamilyFactory(team=north_team), decided_on=today, review_on=today + days(5))


# --- The figures ---


def test_requests_by_status_with_rag_against_their_deadlines(today, dpo):
    build_requests(today, dpo)
    data = selectors.dashboard(today=today)
    registers = {s.register: s for s in data.registers}

    sar = registers["sar"]
    assert (sar.total, sar.red, sar.amber, sar.green, sar.clock_stopped) == (4, 1, 1, 1, 1)
    assert dict(sar.by_status) == {"Received": 2, "In progress": 1, "Awaiting identity evidence": 1}
    assert (registers["rights"].total, registers["rights"].red) == (1, 1)
    foi = registers["foi"]
    assert (foi.total, foi.red, foi.green) == (2, 1, 1)
    complaints = registers["complaint"]
    assert (complaints.total, complaints.red, complaints.green, complaints.clock_stopped) == (3, 1, 1, 1)
    assert dict(complaints.by_status) == {"Awaiting acknowledgement": 2, "Acknowledged, being looked into": 1}
    # Overdue first within each register.
    assert [row.rag for row in sar.rows] == [Rag.RED, Rag.AMBER, Rag.GREEN, None]
    # The counts are sar.selectors.rag_counts', one rule for the dashboard and the registers.
    counts = sar_selectors.rag_counts(today)
    for register, summary in registers.items():
        assert counts[register] == {
            "red": summary.red,
            "amber": summary.amber,
            "green": summary.green,
            "none": summary.clock_stopped,
        }
    assert [row.rag for row in data.overdue] == [Rag.RED] * 4


def test_dashboard_page_shows_the_request_figures_overdue_first(client, today, dpo):
    overdue = build_requests(today, dpo)
    client.force_login(dpo)
    html = client.get("/console/").content.decode()

    assert register_figure(html, "sar", "red") == 1
    assert register_figure(html, "sar", "amber") == 1
    assert register_figure(html, "sar", "open") == 4
    assert register_figure(html, "rights", "red") == 1
    assert register_figure(html, "foi", "open") == 2
    assert register_figure(html, "complaint", "stopped") == 1
    assert "4 overdue" in html
    # The open-items list starts with the four overdue items, before anything on track.
    references = re.findall(r">((?:SAR|RTS|FOI|DPC)-[0-9A-Z]{4}-[0-9A-Z]{4})</a>", html)
    assert set(references[:4]) == {item.reference for item in overdue}
    # Each register links to where the DPO acts on it.
    assert 'href="/subject-access/"' in register_row(html, "sar")
    assert 'href="/admin/sar/rightsrequest/?state=open"' in register_row(html, "rights")


def test_every_other_figure_matches_the_data(client, today, dpo, caseworker, north_team, south_team):
    build_everything_else(today, dpo, caseworker)
    build_consent(today, north_team, south_team)

    data = selectors.dashboard(today=today)
    assert data.agreements == selectors.AgreementFigures(
        review_overdue=1, review_due_soon=1, ending_soon=1, expired=1
    )
    assert data.holds == selectors.HoldFigures(active=4, review_overdue=1, review_due_soon=1)
    assert data.pipeline.due_within == {30: 2, 90: 3, 365: 4}
    assert data.pipeline.overdue == 1
    assert data.pipeline.held == 1
    assert data.pipeline.destroyed_this_month == 1
    assert data.pipeline.paper_outstanding == 2
    assert data.reviews.ons_confirmations_overdue == 1
    assert data.reviews.safeguarding_awaiting_review == 2
    assert data.reviews.break_glass_awaiting_review == 2
    assert data.reviews.consent_reviews_overdue == [("North team", 2), ("South team", 1)]

    client.force_login(dpo)
    html = client.get("/console/").content.decode()
    expected = {
        "agreements-review-overdue": 1,
        "agreements-review-soon": 1,
        "agreements-ending": 1,
        "agreements-expired": 1,
        "holds-review-overdue": 1,
        "holds-review-soon": 1,
        "holds-active": 4,
        "due-30": 2,
        "due-90": 3,
        "due-365": 4,
        "held": 1,
        "destroyed-month": 1,
        "paper": 2,
        "ons-overdue": 1,
        "safeguarding": 2,
        "break-glass": 2,
    }
    assert {name: number(html, name) for name in expected} == expected
    consent = figure(html, "consent-overdue")
    assert "all teams 3" in consent
    assert "North team: 2" in consent
    assert "South team: 1" in consent
    # Each figure links to where the DPO acts on it.
    assert 'href="/sharing/dpo-review/"' in html
    assert 'href="/paper-destruction/"' in html
    assert 'href="/console/break-glass/"' in html
    assert 'href="/admin/retention/destructionnotice/"' in html


def test_sweep_result_and_the_48_hour_warning(client, today, dpo):
    client.force_login(dpo)
    html = client.get("/console/").content.decode()
    assert "has not succeeded in the last 48 hours" in html
    assert "Never run" in figure(html, "sweep")

    sweep_run(finished_at=timezone.now() - days(3))
    failed = sweep_run(outcome=SweepRun.Outcome.FAILED)
    html = client.get("/console/").content.decode()
    assert "has not succeeded in the last 48 hours" in html
    assert "Failed" in figure(html, "sweep")
    assert f"/admin/retention/sweeprun/{failed.pk}/" in html

    sweep_run()
    html = client.get("/console/").content.decode()
    assert "has not succeeded in the last 48 hours" not in html
    assert "Ran in the last 48 hours" in figure(html, "sweep")


def test_the_stop_switch_is_shown(client, dpo):
    DestructionSuspension.objects.create(reason="Inquiry moratorium", suspended_by=dpo)
    client.force_login(dpo)
    assert "All destruction is suspended" in client.get("/console/").content.decode()


def test_viewing_the_dashboard_is_access_logged(client, dpo):
    client.force_login(dpo)
    client.get("/console/")
    entry = AccessLogEntry.objects.get(user=dpo)
    assert (entry.record_type, entry.record_id, entry.action) == ("console.page", "dashboard", "view")
    assert entry.view_name == "console:dashboard"


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get("/console/")
    assert response.status_code == 200
    return len(context.captured_queries)


def test_dashboard_makes_the_same_number_of_queries_whatever_the_data(
    client, today, dpo, caseworker, north_team, south_team
):
    client.force_login(dpo)
    client.get("/console/")  # warm caches (content types, session)
    build_requests(today, dpo)
    build_everything_else(today, dpo, caseworker)
    build_consent(today, north_team, south_team)
    sar_reminders.make_reminders(on=today)
    sharing_reminders.make_reminders(on=today)
    small = _queries(client)
    build_requests(today, dpo)
    build_everything_else(today, dpo, caseworker)
    build_consent(today, north_team, south_team)
    for _ in range(3):
        SubjectAccessRequestFactory(received_on=today - days(40))
    sar_reminders.make_reminders(on=today)
    sharing_reminders.make_reminders(on=today)
    assert _queries(client) == small
    assert small <= 36
    print(f"\nDPO dashboard: {small} queries, the same with twice the data")
