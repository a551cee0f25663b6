"""Deadline reminders (SPEC §8.1, §10: once per threshold, a command with --dry-run and progress output)
and the selectors the DPO dashboard reads (overdue first; received and answered in time per month)."""

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from fss.core.factories import UserFactory
from fss.core.models import JobHeartbeat
from sar import selectors
from sar.factories import (
    ComplaintFactory,
    FOIRequestFactory,
    RequestPauseFactory,
    RightsRequestFactory,
    SubjectAccessRequestFactory,
)
from sar.models import Complaint, DeadlineReminder, FOIRequest, Rag, RightsRequest, SubjectAccessRequest
from sar.reminders import deadlines_on, make_reminders, open_reminders
from sar.tasks import deadline_reminders

pytestmark = pytest.mark.django_db

Threshold = DeadlineReminder.Threshold
Status = SubjectAccessRequest.Status
WED_3_SEP_2025 = date(2025, 9, 3)  # due Fri 3 Oct 2025 (domain-rules §2)


def _thresholds(on):
    return sorted((d.register, d.threshold, d.due_on) for d in deadlines_on(on))


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2025, 9, 18), []),  # 15 days before the first month ends: nothing yet
        (date(2025, 9, 19), [("sar", Threshold.EXTENSION_WINDOW, date(2025, 10, 3))]),
        (
            date(2025, 9, 26),  # 7 days before: due soon too
            [
                ("sar", Threshold.DUE_SOON, date(2025, 10, 3)),
                ("sar", Threshold.EXTENSION_WINDOW, date(2025, 10, 3)),
            ],
        ),
        (date(2025, 10, 6), [("sar", Threshold.OVERDUE, date(2025, 10, 3))]),
    ],
)
def test_a_sar_is_reminded_in_the_extension_window_before_and_after_its_deadline(on, expected):
    SubjectAccessRequestFactory(received_on=WED_3_SEP_2025)
    assert _thresholds(on) == expected


def test_an_extended_sar_is_reminded_against_its_extended_date_only():
    SubjectAccessRequestFactory(
        received_on=WED_3_SEP_2025,
        extended=True,
        extension_reason="Numerous records.",
        extension_notified_on=date(2025, 9, 20),
    )
    assert _thresholds(date(2025, 9, 26)) == []
    assert _thresholds(date(2025, 12, 1)) == [("sar", Threshold.DUE_SOON, date(2025, 12, 3))]


def test_no_reminder_while_the_clock_is_stopped():
    SubjectAccessRequestFactory(
        received_on=WED_3_SEP_2025, identity_requested_on=WED_3_SEP_2025, status=Status.AWAITING_IDENTITY
    )
    RequestPauseFactory(
        request=SubjectAccessRequestFactory(received_on=WED_3_SEP_2025),
        started_on=date(2025, 9, 20),
        ended_on=None,
    )
    SubjectAccessRequestFactory(
        received_on=WED_3_SEP_2025, status=Status.COMPLETED, closed_on=date(2025, 9, 30)
    )
    assert _thresholds(date(2025, 10, 6)) == []


def test_rights_foi_and_complaint_deadlines_are_reminded():
    RightsRequestFactory(received_on=WED_3_SEP_2025)
    RightsRequestFactory(
        received_on=WED_3_SEP_2025,
        decision=RightsRequest.Decision.GRANTED,
        decided_on=date(2025, 9, 10),
    )
    FOIRequestFactory(received_on=date(2025, 9, 1))  # 20 working days: Mon 29 Sep 2025
    FOIRequestFactory(
        received_on=date(2025, 9, 1), outcome=FOIRequest.Outcome.FULL, answered_on=date(2025, 9, 5)
    )
    ComplaintFactory(received_on=date(2025, 9, 1))  # acknowledge by Wed 1 Oct 2025
    ComplaintFactory(received_on=date(2025, 9, 1), acknowledged_on=date(2025, 9, 2))
    assert _thresholds(date(2025, 9, 30)) == [
        ("complaint", Threshold.DUE_SOON, date(2025, 10, 1)),
        ("foi", Threshold.OVERDUE, date(2025, 9, 29)),
        ("rights", Threshold.DUE_SOON, date(2025, 10, 3)),
        ("rights", Threshold.EXTENSION_WINDOW, date(2025, 10, 3)),
    ]


def test_each_threshold_is_reminded_once_and_goes_to_the_officer():
    officer = UserFactory()
    sar = SubjectAccessRequestFactory(received_on=WED_3_SEP_2025, handled_by=officer)
    first = make_reminders(on=date(2025, 9, 26))
    assert len(first.made) == 2
    again = make_reminders(on=date(2025, 9, 27))  # every day of the window: nothing new
    assert again.made == []
    assert DeadlineReminder.objects.count() == 2
    reminder = DeadlineReminder.objects.get(threshold=Threshold.DUE_SOON)
    assert reminder.assigned_to == officer
    assert reminder.message == f"Subject access request {sar.reference} is due on 3 October 2025."
    assert sar.requester_name not in reminder.message  # no personal data in reminders
    # Past the deadline: one overdue reminder; the earlier ones close.
    later = make_reminders(on=date(2025, 10, 6))
    assert [d.threshold for d in later.made] == [Threshold.OVERDUE]
    assert later.closed == 2
    assert [r.threshold for r in open_reminders(user=officer)] == [Threshold.OVERDUE]
    assert list(open_reminders(user=UserFactory())) == []  # someone else's
    # Answered: its reminder closes and nothing new comes.
    sar.status = Status.COMPLETED
    sar.closed_on = date(2025, 10, 7)
    sar.save()
    assert make_reminders(on=date(2025, 10, 8)).made == []
    assert not open_reminders().exists()


def test_an_unassigned_request_reminds_the_dpo_team():
    SubjectAccessRequestFactory(received_on=WED_3_SEP_2025)
    make_reminders(on=date(2025, 10, 6))
    anyone = UserFactory()
    assert [r.threshold for r in open_reminders(user=anyone)] == [Threshold.OVERDUE]


def test_an_extension_is_a_new_deadline_and_reminded_again():
    sar = SubjectAccessRequestFactory(received_on=WED_3_SEP_2025)
    make_reminders(on=date(2025, 9, 26))
    sar.extended = True
    sar.extension_reason = "Complex."
    sar.extension_notified_on = date(2025, 9, 26)
    sar.save()
    run = make_reminders(on=date(2025, 12, 1))
    assert [(d.threshold, d.due_on) for d in run.made] == [(Threshold.DUE_SOON, date(2025, 12, 3))]


def test_the_command_dry_run_changes_nothing_and_prints_references_only(capsys):
    sar = SubjectAccessRequestFactory(received_on=WED_3_SEP_2025, requester_name="Zed Quigley")
    call_command("sar_reminders", "--dry-run", "--on", "2025-10-06")
    out = capsys.readouterr().out
    assert "Checking the deadlines" in out
    assert f"would remind the DPO's team: Subject access request {sar.reference} is overdue" in out
    assert "1 reminder would be made" in out
    assert "Zed" not in out
    assert DeadlineReminder.objects.count() == 0
    call_command("sar_reminders", "--on", "2025-10-06")
    assert "1 reminder made" in capsys.readouterr().out
    assert DeadlineReminder.objects.count() == 1
    assert JobHeartbeat.objects.get(job="sar_reminders").summary == "made 1 reminders, closed 0"


def test_the_beat_task_runs_the_reminders():
    from fss.celery import app

    assert app.conf.beat_schedule["sar-deadline-reminders"]["task"] == "sar.tasks.deadline_reminders"
    SubjectAccessRequestFactory(received_on=date(2020, 1, 6))  # long overdue today
    assert deadline_reminders.delay().get() == 1
    assert deadline_reminders.delay().get() == 0


def test_the_request_list_shows_the_users_reminders(client, dpo):
    sar = SubjectAccessRequestFactory(received_on=date(2020, 1, 6))
    make_reminders()
    client.force_login(dpo)
    page = client.get(reverse("sar:request_list")).content.decode()
    assert f"Subject access request {sar.reference} is overdue" in page


# --- The dashboard's selectors ---


def test_requests_by_status_with_rag_lists_every_register_overdue_first():
    today = date(2025, 10, 6)
    overdue_sar = SubjectAccessRequestFactory(received_on=WED_3_SEP_2025)  # due 3 Oct: red
    green_rights = RightsRequestFactory(received_on=date(2025, 10, 1))  # due 3 Nov: green
    amber_foi = FOIRequestFactory(received_on=date(2025, 9, 10))  # due 8 Oct: amber
    waiting = SubjectAccessRequestFactory(
        received_on=date(2025, 10, 1),
        identity_requested_on=date(2025, 10, 1),
        status=Status.AWAITING_IDENTITY,
    )
    complaint = ComplaintFactory(received_on=date(2025, 9, 1))  # acknowledge by 1 Oct: red
    ComplaintFactory(
        received_on=date(2025, 9, 1), outcome=Complaint.Outcome.WITHDRAWN, outcome_on=date(2025, 9, 2)
    )
    SubjectAccessRequestFactory(
        received_on=WED_3_SEP_2025, status=Status.COMPLETED, closed_on=date(2025, 9, 30)
    )

    rows = selectors.requests_by_status_with_rag(today)
    assert [(r.register, r.pk, r.rag) for r in rows] == [
        ("complaint", complaint.pk, Rag.RED),  # due 1 Oct
        ("sar", overdue_sar.pk, Rag.RED),  # due 3 Oct
        ("foi", amber_foi.pk, Rag.AMBER),
        ("rights", green_rights.pk, Rag.GREEN),
        ("sar", waiting.pk, None),  # clock not running
    ]
    assert rows[1].due_on == date(2025, 10, 3)
    assert rows[1].url == reverse("sar:request_detail", args=[overdue_sar.pk])
    assert rows[0].status == "Awaiting acknowledgement"
    assert rows[0].due_label == "Acknowledge by"
    assert rows[4].status == "Awaiting identity evidence"
    assert selectors.rag_counts(today)["sar"] == {"red": 1, "amber": 0, "green": 0, "none": 1}


def test_the_dashboard_list_does_not_query_per_row(django_assert_max_num_queries):
    for _ in range(3):
        RequestPauseFactory()
        RightsRequestFactory()
        FOIRequestFactory()
        ComplaintFactory()
    with django_assert_max_num_queries(5):
        rows = selectors.requests_by_status_with_rag(date(2025, 10, 6))
    assert len(rows) == 12


def test_received_and_answered_in_time_by_month():
    # September: two SARs received; one answered in time (30 Sep), one late (6 Oct, due 3 Oct).
    SubjectAccessRequestFactory(
        received_on=WED_3_SEP_2025, status=Status.COMPLETED, closed_on=date(2025, 9, 30)
    )
    SubjectAccessRequestFactory(
        received_on=WED_3_SEP_2025, status=Status.REFUSED, refusal_reason="x", closed_on=date(2025, 10, 6)
    )
    SubjectAccessRequestFactory(
        received_on=date(2025, 9, 5), status=Status.WITHDRAWN, closed_on=date(2025, 9, 6)
    )
    FOIRequestFactory(
        received_on=date(2025, 9, 1), outcome=FOIRequest.Outcome.FULL, answered_on=date(2025, 9, 29)
    )
    RightsRequestFactory(received_on=date(2025, 10, 2))  # open
    ComplaintFactory(
        received_on=date(2025, 9, 1),
        acknowledged_on=date(2025, 9, 3),
        outcome=Complaint.Outcome.NOT_UPHELD,
        outcome_on=date(2025, 10, 10),
    )
    SubjectAccessRequestFactory(received_on=date(2025, 8, 1))  # outside the period

    september, october = selectors.requests_received_and_answered_in_time_by_month(
        date(2025, 9, 1), date(2025, 10, 31)
    )
    assert september["month"] == date(2025, 9, 1)
    assert september["label"] == "September 2025"
    assert september["received"] == {"sar": 3, "rights": 0, "foi": 1, "complaint": 1}
    assert september["answered"] == {"sar": 1, "rights": 0, "foi": 1, "complaint": 0}
    assert september["in_time"] == {"sar": 1, "rights": 0, "foi": 1, "complaint": 0}
    assert october["received"] == {"sar": 0, "rights": 1, "foi": 0, "complaint": 0}
    assert october["answered"] == {"sar": 1, "rights": 0, "foi": 0, "complaint": 1}
    assert october["in_time"] == {"sar": 0, "rights": 0, "foi": 0, "complaint": 1}
    with pytest.raises(ValueError, match="cannot come before its start"):
        selectors.requests_received_and_answered_in_time_by_month(date(2025, 10, 1), date(2025, 9, 1))
