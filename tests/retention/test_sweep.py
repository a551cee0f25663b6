"""The nightly sweep (SPEC §7): the notice period, holds that win, a person in two families, dry
runs, re-runs, a crash mid-run, the safety limit, the stop switch, and the record of each run."""

import datetime
import io

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import CommandError, call_command

from cases.factories import CaseFactory, MembershipFactory, PersonFactory
from cases.models import Family, Membership, Person
from fss.core.models import JobHeartbeat
from retention import destruction, selectors, services
from retention.models import DestructionNotice, DestructionRecord, LegalHold, SweepRun
from retention.tasks import retention_sweep
from sar.factories import ComplaintFactory, RightsRequestFactory, SubjectAccessRequestFactory
from tests.retention.conftest import closed_family, everything_counted, list_for_destruction

pytestmark = pytest.mark.django_db

Outcome = SweepRun.Outcome


@pytest.fixture
def due(today):
    """Three families whose last case closed 8 years ago, listed on the notice list 31 days ago."""
    families = [closed_family(closed_on=today - relativedelta(years=8, days=n)) for n in range(3)]
    list_for_destruction(today)
    return families


def _exists(family) -> bool:
    return Family.objects.filter(pk=family.pk).exists()


def test_sweep_destroys_due_listed_families_and_records_the_run(due, today):
    run = services.run_sweep(on=today)

    assert not any(_exists(f) for f in due)
    assert run.outcome == Outcome.COMPLETED
    assert (run.families_due, run.families_destroyed, run.finished_at is not None) == (3, 3, True)
    assert DestructionRecord.objects.filter(run=run).count() == 3
    beat = JobHeartbeat.objects.get(job="retention_sweep")
    assert beat.outcome == JobHeartbeat.Outcome.SUCCEEDED
    assert beat.summary.startswith("destroyed 3 families")


def test_a_family_not_listed_for_the_whole_notice_period_is_listed_and_kept(today):
    family = closed_family(closed_on=today - relativedelta(years=8))
    run = services.run_sweep(on=today)

    assert _exists(family)
    assert run.families_listed == 1
    notice = DestructionNotice.objects.get(family=family)
    assert notice.first_listed_on == today
    assert notice.due_on == today - relativedelta(years=1)
    # Listed 29 days ago: still kept; 30 days ago: destroyed.
    services.run_sweep(on=today + datetime.timedelta(days=29))
    assert _exists(family)
    services.run_sweep(on=today + datetime.timedelta(days=30))
    assert not _exists(family)


def test_a_family_due_within_the_window_is_listed_before_it_falls_due(today):
    soon = closed_family(closed_on=today - relativedelta(years=7) + relativedelta(days=10))
    later = closed_family(closed_on=today - relativedelta(years=7) + relativedelta(days=45))
    services.run_sweep(on=today)

    assert DestructionNotice.objects.filter(family=soon, first_listed_on=today).exists()
    assert not DestructionNotice.objects.filter(family=later).exists()
    # Due in 10 days, listed today: it goes once 30 days have passed, not on its due date.
    services.run_sweep(on=today + datetime.timedelta(days=10))
    assert _exists(soon)
    services.run_sweep(on=today + datetime.timedelta(days=30))
    assert not _exists(soon)


def test_a_hold_placed_inside_the_notice_period_keeps_the_family_until_it_is_released(today, dpo):
    family = closed_family(closed_on=today - relativedelta(years=7) + relativedelta(days=10))
    services.run_sweep(on=today)  # listed
    hold = services.place_hold(
        by=dpo, family=family, reason=LegalHold.Reason.LITIGATION, review_on=today + relativedelta(months=3)
    )

    run = services.run_sweep(on=today + datetime.timedelta(days=40))
    assert _exists(family)
    assert run.families_blocked == 1
    services.release_hold(hold=hold, by=dpo, note="Claim settled")
    services.run_sweep(on=today + datetime.timedelta(days=41))
    assert not _exists(family)
    hold_check = DestructionRecord.objects.get().hold_check
    assert "no legal hold" in hold_check


def test_a_hold_on_a_person_holds_every_family_they_belong_to(today, dpo):
    person = PersonFactory()
    first = closed_family(closed_on=today - relativedelta(years=8), people=[person, PersonFactory()])
    second = closed_family(closed_on=today - relativedelta(years=9), people=[person])
    list_for_destruction(today)
    services.place_hold(
        by=dpo, person=person, reason=LegalHold.Reason.INQUIRY, review_on=today + relativedelta(days=1)
    )

    services.run_sweep(on=today)
    assert _exists(first)
    assert _exists(second)


@pytest.mark.parametrize(
    "request_factory",
    [
        lambda person: SubjectAccessRequestFactory(subject=person),
        lambda person: RightsRequestFactory(subject=person),
        lambda person: ComplaintFactory(subject=person),
    ],
    ids=["subject access request", "rights request", "complaint"],
)
def test_an_open_request_about_a_member_holds_the_family_automatically(today, request_factory):
    person = PersonFactory()
    family = closed_family(closed_on=today - relativedelta(years=8), people=[person])
    list_for_destruction(today)
    request_factory(person)

    [row] = selectors.due_families(on=today)
    assert [b.code for b in row.blockers] == [selectors.BlockerCode.AUTOMATIC_HOLD]
    services.run_sweep(on=today)
    assert _exists(family)


def test_a_hold_placed_while_the_sweep_runs_wins(due, today, dpo, monkeypatch):
    """Eligibility is checked again inside each family's transaction (SPEC §7)."""
    listed = selectors.due_families
    calls = []

    def hold_after_listing(**kwargs):
        rows = listed(**kwargs)
        calls.append(kwargs)
        # The sweep reads the due list once, at the start of the run: the hold lands just after that
        # read, before the family's batch is destroyed (the next call is the re-check inside it).
        if len(calls) == 1:
            services.place_hold(
                by=dpo,
                family=due[1],
                reason=LegalHold.Reason.INQUIRY,
                review_on=today + relativedelta(days=9),
            )
        return rows

    monkeypatch.setattr(services, "due_families", hold_after_listing)
    run = services.run_sweep(on=today)

    assert _exists(due[1])
    assert not _exists(due[0])
    assert not _exists(due[2])
    assert (run.families_destroyed, run.families_skipped) == (2, 1)


def test_a_person_in_two_families_survives_until_both_are_due(today):
    shared = PersonFactory(given_name="Twofold")
    old = closed_family(closed_on=today - relativedelta(years=8), people=[shared, PersonFactory()])
    recent = closed_family(closed_on=today - relativedelta(years=3), people=[shared])
    list_for_destruction(today)

    services.run_sweep(on=today)
    assert not _exists(old)
    assert Person.objects.filter(pk=shared.pk).exists()
    assert list(Membership.objects.filter(person=shared).values_list("family_id", flat=True)) == [recent.pk]
    record = DestructionRecord.objects.get()
    assert (record.people_destroyed, record.people_kept) == (1, 1)

    # Four years on, the second family falls due: now the person goes too.
    later = today + relativedelta(years=4, days=31)
    services.record_notices(on=later - datetime.timedelta(days=31))
    services.run_sweep(on=later)
    assert not Person.objects.filter(pk=shared.pk).exists()


def test_dry_run_changes_no_records_and_says_what_would_go(due, today):
    before = everything_counted()
    out = io.StringIO()
    call_command("retention_sweep", "--dry-run", stdout=out)

    after = everything_counted()
    after["retention.SweepRun"] -= 1  # the dry run itself is recorded
    assert after == before
    for family in due:
        assert f"would destroy {family.reference}" in out.getvalue()
    assert "Dry run" in out.getvalue()
    assert not JobHeartbeat.objects.filter(job="retention_sweep").exists()
    assert selectors.last_successful_sweep() is None


def test_re_running_a_finished_sweep_does_nothing(due, today):
    services.run_sweep(on=today)
    before = everything_counted()

    run = services.run_sweep(on=today)
    after = everything_counted()
    after["retention.SweepRun"] -= 1
    assert after == before
    assert (run.outcome, run.families_destroyed) == (Outcome.COMPLETED, 0)


def test_a_crash_mid_family_loses_nothing_and_the_next_run_finishes_the_job(due, today, monkeypatch):
    carry_out = destruction.carry_out
    second = selectors.due_families(on=today)[1].family
    calls = []

    def crash_on_the_second(plan):
        calls.append(list(plan.family_ids))
        result = carry_out(plan)  # the second family's rows are deleted, then the crash rolls them back
        if second.pk in plan.family_ids:
            raise RuntimeError("disk full")
        return result

    monkeypatch.setattr(services, "carry_out", crash_on_the_second)
    with pytest.raises(services.SweepIncompleteError) as failed:
        services.run_sweep(on=today)

    run = failed.value.run
    assert (run.outcome, run.families_destroyed, run.families_failed) == (Outcome.FAILED, 2, 1)
    assert _exists(second)
    assert second.memberships.count() == 2
    assert second.cases.count() == 1
    assert DestructionRecord.objects.count() == 2
    assert JobHeartbeat.objects.get(job="retention_sweep").outcome == JobHeartbeat.Outcome.FAILED
    # The batch of three rolled back whole, then each family was tried in its own transaction.
    assert len(calls[0]) == 3
    assert sorted(len(c) for c in calls[1:]) == [1, 1, 1]

    monkeypatch.setattr(services, "carry_out", carry_out)
    again = services.run_sweep(on=today)
    assert (again.outcome, again.families_destroyed) == (Outcome.COMPLETED, 1)
    assert not _exists(second)


def test_a_run_that_would_destroy_more_than_the_safety_limit_aborts_and_says_why(due, today, settings):
    settings.RETENTION_MAX_FAMILIES_PER_RUN = 2
    with pytest.raises(services.SweepAbortedError) as aborted:
        services.run_sweep(on=today)

    run = aborted.value.run
    assert run.outcome == Outcome.ABORTED
    assert "3 families are due, more than the safety limit of 2" in run.detail
    assert all(_exists(f) for f in due)
    assert JobHeartbeat.objects.get(job="retention_sweep").outcome == JobHeartbeat.Outcome.FAILED
    with pytest.raises(CommandError, match="safety limit"):
        call_command("retention_sweep", stdout=io.StringIO())
    call_command("retention_sweep", "--max-families", "3", stdout=io.StringIO())
    assert not any(_exists(f) for f in due)


def test_a_batch_gives_each_family_the_register_entry_it_would_have_had_alone(today, settings):
    """Families are destroyed in batches (one set of DELETEs), each with its own counts."""
    shared = PersonFactory()
    families = [
        closed_family(closed_on=today - relativedelta(years=8, days=n), members=n + 1) for n in range(4)
    ]
    MembershipFactory(family=families[0], person=shared, start_date=today - relativedelta(years=9))
    kept = closed_family(closed_on=today - relativedelta(years=2), people=[shared])
    list_for_destruction(today)
    alone = {f.pk: destruction.plan_family(f.pk).planned_counts() for f in families}

    settings.RETENTION_BATCH_SIZE = 3
    run = services.run_sweep(on=today)

    assert (run.outcome, run.families_destroyed) == (Outcome.COMPLETED, 4)
    records = [selectors.destruction_records_for_reference(f.reference).get(run=run) for f in families]
    assert [r.people_destroyed for r in records] == [1, 2, 3, 4]
    assert [r.people_kept for r in records] == [1, 0, 0, 0]  # the shared person stays with `kept`
    for family, record in zip(families, records, strict=True):
        for model, count in alone[family.pk].items():
            assert record.row_counts[model] == count, model
        assert record.row_counts["cases.HistoricalFamily"] >= 1
    assert Person.objects.filter(pk=shared.pk).exists()
    assert _exists(kept)


def test_a_person_in_two_families_of_one_batch_goes_with_the_batch(today):
    shared = PersonFactory()
    first = closed_family(closed_on=today - relativedelta(years=8), people=[shared, PersonFactory()])
    second = closed_family(closed_on=today - relativedelta(years=9), people=[shared])
    list_for_destruction(today)

    run = services.run_sweep(on=today)

    assert run.families_destroyed == 2
    assert not _exists(first)
    assert not _exists(second)
    assert not Person.objects.filter(pk=shared.pk).exists()
    assert sum(r.people_destroyed for r in DestructionRecord.objects.all()) == 2  # counted once


def test_limit_destroys_a_batch_and_the_next_run_the_rest(due, today):
    first = services.run_sweep(on=today, limit=2)
    assert first.families_destroyed == 2
    second = services.run_sweep(on=today, limit=2)
    assert second.families_destroyed == 1


def test_the_stop_switch_suspends_all_destruction_and_the_sweep_records_that_it_skipped(due, today, dpo):
    suspension = services.suspend_destruction(by=dpo, reason="Inquiry moratorium, letter of 1 November")
    run = services.run_sweep(on=today)

    assert run.outcome == Outcome.SUSPENDED
    assert "Inquiry moratorium" in run.detail
    assert all(_exists(f) for f in due)
    assert all(
        selectors.BlockerCode.STOP_SWITCH in [b.code for b in row.blockers]
        for row in selectors.due_families(on=today)
    )
    # A suspended run is still a run: the health check does not call the sweep missing.
    assert selectors.last_successful_sweep() == run

    services.lift_suspension(suspension=suspension, by=dpo, note="Moratorium lifted")
    services.run_sweep(on=today)
    assert not any(_exists(f) for f in due)


def test_twenty_ninth_of_february_closures_fall_due_on_twenty_eighth_of_february():
    family = closed_family(closed_on=datetime.date(2020, 2, 29))
    services.record_notices(on=datetime.date(2027, 1, 29))  # 30 days before it falls due

    assert selectors.due_families(on=datetime.date(2027, 2, 27), within_days=0) == []
    [row] = selectors.due_families(on=datetime.date(2027, 2, 28), within_days=0)
    assert row.due_on == datetime.date(2027, 2, 28)
    services.run_sweep(on=datetime.date(2027, 2, 27))
    assert _exists(family)
    services.run_sweep(on=datetime.date(2027, 2, 28))
    assert not _exists(family)


def test_the_due_date_is_seven_calendar_years_not_seven_times_365_days():
    family = closed_family(closed_on=datetime.date(2019, 3, 1))
    [row] = selectors.due_families(on=datetime.date(2026, 3, 1), within_days=0, family_ids=[family.pk])
    assert row.due_on == datetime.date(2026, 3, 1)  # 7 × 365 days would be 27 February 2026


def test_reopening_a_listed_family_blocks_it_with_its_open_case(today):
    family = closed_family(closed_on=today - relativedelta(years=8))
    list_for_destruction(today)
    CaseFactory(family=family, opened_on=today)

    [row] = selectors.due_families(on=today)
    assert [b.code for b in row.blockers] == [selectors.BlockerCode.OPEN_CASE]
    services.run_sweep(on=today)
    assert _exists(family)


def test_a_family_whose_referral_was_not_accepted_falls_due_from_the_decision(today, caseworker):
    from cases import services as case_services
    from cases.models import Referral

    referral = case_services.record_referral(
        team=caseworker.teams.first(),
        received_on=today - relativedelta(years=8),
        source=Referral.Source.SELF,
        reason="Help with housing",
        by=caseworker,
    )
    MembershipFactory(family=referral.family)
    case_services.decide_referral(
        referral=referral,
        decision=Referral.Decision.SIGNPOST,
        decided_on=today - relativedelta(years=8),
        by=caseworker,
        reason="Housing team",
    )
    [row] = selectors.due_families(on=today)
    assert row.due_on == today - relativedelta(years=1)


def test_a_policy_change_recalculates_due_dates(today):
    from retention.models import RetentionPolicy

    family = closed_family(closed_on=today - relativedelta(years=8))
    RetentionPolicy.objects.create(
        record_kind=RetentionPolicy.RecordKind.FAMILY_CASE_FILE,
        version=2,
        effective_from=today,
        trigger=RetentionPolicy.Trigger.LATEST_CASE_CLOSURE,
        period_years=10,
    )
    assert selectors.due_families(on=today) == []
    list_for_destruction(today)
    services.run_sweep(on=today)
    assert _exists(family)


def test_a_second_sweep_while_one_is_recorded_running_is_skipped_without_postgresql(due, today):
    from django.db import connection

    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL uses the advisory lock: see test_concurrency.py")
    running = SweepRun.objects.create()
    run = services.run_sweep(on=today)
    assert run.outcome == Outcome.LOCKED
    assert all(_exists(f) for f in due)
    running.started_at = running.started_at - services.STALE_RUN_AFTER - datetime.timedelta(minutes=1)
    SweepRun.objects.filter(pk=running.pk).update(started_at=running.started_at)
    services.run_sweep(on=today)
    running.refresh_from_db()
    assert running.outcome == Outcome.INTERRUPTED


def test_the_celery_task_runs_the_sweep_and_is_safe_to_run_twice(due):
    first = retention_sweep.delay().get()
    second = retention_sweep.delay().get()
    assert (first["outcome"], first["destroyed"]) == ("completed", 3)
    assert (second["outcome"], second["destroyed"]) == ("completed", 0)


def test_the_command_prints_what_it_destroyed_and_a_summary(due):
    out = io.StringIO()
    call_command("retention_sweep", stdout=out)
    text = out.getvalue()
    for family in due:
        assert f"destroyed {family.reference}" in text
    assert "Completed" in text
    assert "3 due and eligible" in text
