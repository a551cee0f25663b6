"""A management command for every scheduled job of the sharing app, with --dry-run where it changes
data and progress output (SPEC §10); return files expire by the retention policy ``return_file``
(domain-rules §8)."""

import datetime
from io import StringIO

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command, get_commands

from cases.factories import MembershipFactory, PersonFactory
from fss.celery import app
from fss.core.models import JobHeartbeat
from retention.models import RetentionPolicy
from sharing.models import FollowUpTask
from sharing.returns import selectors
from sharing.returns.models import ReturnKind

pytest_plugins = ["tests.sharing.test_returns_fixtures"]

pytestmark = pytest.mark.django_db

# The Celery task each sharing beat entry runs, and the command that does the same work by hand.
COMMAND_FOR_TASK = {
    "sharing.tasks.sharing_reminders": "sharing_reminders",
    "sharing.returns.tasks.participation_follow_ups": "participation_follow_ups",
    "sharing.returns.tasks.purge_expired_return_files": "purge_expired_return_files",
}


def test_every_scheduled_sharing_job_has_a_command_with_a_dry_run():
    scheduled = {e["task"] for e in app.conf.beat_schedule.values() if e["task"].startswith("sharing.")}
    assert scheduled == set(COMMAND_FOR_TASK)
    commands = get_commands()
    for name in COMMAND_FOR_TASK.values():
        assert commands.get(name) == "sharing", name
        out = StringIO()
        call_command(name, "--dry-run", stdout=out)
        assert "would" in out.getvalue()


def _young_person(family, today):
    born = datetime.date(selectors.academic_year_start(today) - 16, 1, 1)
    person = PersonFactory(date_of_birth=born)
    MembershipFactory(person=person, family=family, role="young_person", start_date=datetime.date(2019, 1, 1))
    return person


def test_participation_follow_ups_by_hand(family, home, today):
    person = _young_person(family, today)
    out = StringIO()
    call_command("participation_follow_ups", "--dry-run", stdout=out)
    assert f"would make a follow-up task for person {person.pk}" in out.getvalue()
    assert "1 follow-up task would be made." in out.getvalue()
    assert not FollowUpTask.objects.exists()

    out = StringIO()
    call_command("participation_follow_ups", stdout=out)
    assert "1 follow-up task made." in out.getvalue()
    assert person.given_name not in out.getvalue()  # record numbers only
    assert FollowUpTask.objects.get().person == person
    assert JobHeartbeat.objects.get(job="participation_follow_ups").outcome == JobHeartbeat.Outcome.SUCCEEDED

    out = StringIO()
    call_command("participation_follow_ups", stdout=out)
    assert "0 follow-up tasks made." in out.getvalue()


def test_return_files_expire_by_the_retention_policy_and_the_command_purges_them(
    run, dfe, programme_agreement, on_programme, quarter, media, today
):
    RetentionPolicy.objects.create(
        record_kind=RetentionPolicy.RecordKind.RETURN_FILE,
        version=2,
        effective_from=today,
        trigger=RetentionPolicy.Trigger.RECORD_CREATED,
        period_days=7,
    )
    made = run(ReturnKind.PROGRAMME_RETURN, *quarter, dfe)
    assert made.file_expires_on == today + relativedelta(days=7)
    after = (made.file_expires_on + relativedelta(days=1)).isoformat()

    out = StringIO()
    call_command("purge_expired_return_files", "--on", made.file_expires_on.isoformat(), stdout=out)
    assert "0 return files destroyed." in out.getvalue()

    out = StringIO()
    call_command("purge_expired_return_files", "--dry-run", "--on", after, stdout=out)
    assert f"would destroy the file of run {made.pk}" in out.getvalue()
    made.refresh_from_db()
    assert made.file_available

    out = StringIO()
    call_command("purge_expired_return_files", "--on", after, stdout=out)
    assert "1 return file destroyed." in out.getvalue()
    made.refresh_from_db()
    assert not made.file_available
    assert made.file_sha256
    assert made.row_count == 4
    assert (
        JobHeartbeat.objects.get(job="purge_expired_return_files").outcome == JobHeartbeat.Outcome.SUCCEEDED
    )


def test_the_default_return_file_policy_is_thirty_days_after_the_run(today):
    from retention.selectors import current_policy

    policy = current_policy(RetentionPolicy.RecordKind.RETURN_FILE, on=today)
    assert policy.due_date(today) == today + relativedelta(days=30)
