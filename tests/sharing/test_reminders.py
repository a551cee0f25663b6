"""Reminders (SPEC §6.1 "reminders before review/expiry", §6.2 "remind when a partner has not answered";
§10 a command for every scheduled job): once per agreement or referral and date, closed when no longer
due, through Celery and by hand with --dry-run."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from fss.celery import app
from fss.core.models import JobHeartbeat
from sharing.factories import (
    DataSharingAgreementFactory,
    OrganisationFactory,
    PartnerReferralEventFactory,
    PartnerReferralFactory,
)
from sharing.models import PartnerReferralEvent, SharingReminder
from sharing.reminders import AGREEMENT_LEAD_DAYS, make_reminders, open_reminders

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
Kind = SharingReminder.Kind


@pytest.fixture
def agreements(police, today):
    return {
        "review_soon": DataSharingAgreementFactory(organisation=police, review_date=today + 10 * DAY),
        "overdue": DataSharingAgreementFactory(organisation=police, review_date=today - 5 * DAY),
        "ending": DataSharingAgreementFactory(
            organisation=police, review_date=today + 400 * DAY, end_date=today + 20 * DAY
        ),
        "later": DataSharingAgreementFactory(
            organisation=police, review_date=today + (AGREEMENT_LEAD_DAYS + 5) * DAY
        ),
        "revoked": DataSharingAgreementFactory(
            organisation=police,
            review_date=today + 5 * DAY,
            revoked_on=today - DAY,
            revocation_reason="Replaced",
        ),
    }


@pytest.fixture
def unanswered(today, caseworker):
    quick = OrganisationFactory(name="Quick partner", referral_response_days=5)
    return PartnerReferralFactory(organisation=quick, sent_on=today - 6 * DAY, sent_by=caseworker)


def test_agreements_are_reminded_before_review_and_end_for_the_dpos_team(agreements, today):
    run = make_reminders(on=today)
    made = {(r.agreement, r.kind) for r in SharingReminder.objects.all()}
    assert made == {
        (agreements["review_soon"], Kind.AGREEMENT_REVIEW),
        (agreements["overdue"], Kind.AGREEMENT_REVIEW),
        (agreements["ending"], Kind.AGREEMENT_END),
    }
    assert len(run.made) == 3
    assert set(SharingReminder.objects.values_list("assigned_to", flat=True)) == {None}
    overdue = SharingReminder.objects.get(agreement=agreements["overdue"])
    assert agreements["overdue"].reference in overdue.message
    assert "review it now" in overdue.message


def test_a_reminder_is_made_once_per_date_and_again_for_a_new_date(agreements, today):
    make_reminders(on=today)
    assert make_reminders(on=today).made == []
    assert make_reminders(on=today + DAY).made == []  # every day of the window: still the same dates
    assert SharingReminder.objects.count() == 3

    soon = agreements["review_soon"]
    soon.review_date = today + 30 * DAY  # reviewed: the next review is a new date
    soon.save()
    run = make_reminders(on=today + DAY)
    assert [(d.agreement_id, d.due_on) for d in run.made] == [(soon.pk, today + 30 * DAY)]
    assert run.closed == 1  # the reminder of the old date is closed
    assert (
        SharingReminder.objects.filter(agreement=soon, closed_on__isnull=True).get().due_on
        == soon.review_date
    )


def test_a_revoked_agreement_closes_its_reminder(agreements, today):
    make_reminders(on=today)
    ending = agreements["ending"]
    ending.revoked_on = today
    ending.revocation_reason = "Partner withdrew"
    ending.save()
    assert make_reminders(on=today).closed == 1
    assert not open_reminders().filter(agreement=ending).exists()


def test_an_unanswered_referral_reminds_the_worker_who_sent_it_until_answered(unanswered, caseworker, today):
    make_reminders(on=today)
    reminder = SharingReminder.objects.get(referral=unanswered)
    assert reminder.kind == Kind.REFERRAL_NO_RESPONSE
    assert reminder.assigned_to == caseworker
    assert reminder.due_on == unanswered.sent_on + 5 * DAY
    assert unanswered.family.reference in reminder.message
    assert list(open_reminders(user=caseworker)) == [reminder]
    assert make_reminders(on=today).made == []

    PartnerReferralEventFactory(referral=unanswered, status=PartnerReferralEvent.Status.ACCEPTED, on=today)
    assert make_reminders(on=today).closed == 1
    assert not open_reminders(user=caseworker).exists()


def test_dry_run_writes_nothing(agreements, unanswered, today):
    run = make_reminders(on=today, dry_run=True)
    assert len(run.made) == 4
    assert not SharingReminder.objects.exists()


def test_the_command_has_a_dry_run_and_progress_output(agreements, unanswered, today):
    out = StringIO()
    call_command("sharing_reminders", "--dry-run", stdout=out)
    assert "4 reminders would be made" in out.getvalue()
    assert not SharingReminder.objects.exists()

    out = StringIO()
    call_command("sharing_reminders", stdout=out)
    text = out.getvalue()
    assert text.startswith("Checking agreements")
    assert agreements["overdue"].reference in text
    assert "4 reminders made" in text
    # Record numbers and references only: no person's name in the output.
    assert str(unanswered.family.reference) in text
    assert SharingReminder.objects.count() == 4
    assert JobHeartbeat.objects.get(job="sharing_reminders").outcome == JobHeartbeat.Outcome.SUCCEEDED

    out = StringIO()
    call_command("sharing_reminders", stdout=out)
    assert "0 reminders made" in out.getvalue()


def test_the_task_runs_through_celery_and_beat_schedules_it(agreements, today):
    from sharing.tasks import sharing_reminders

    assert sharing_reminders.delay().get() == 3
    assert sharing_reminders.delay().get() == 0
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "sharing.tasks.sharing_reminders" in tasks
