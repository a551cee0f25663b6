"""seed_demo: demo staff for every role, synthetic families covering every retention case (SPEC §12)."""

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import CommandError, call_command
from django.db.models import Max
from django.test import override_settings
from django.utils import timezone

from cases.models import Case, CaseEvent, Family, Membership, Person
from fss.core import roles
from fss.core.demo import DEMO_ACCOUNTS
from fss.core.models import User

pytestmark = pytest.mark.django_db


def _seed(families=14):
    with override_settings(DEBUG=True, DEMO_PASSWORD="demo-pass-for-tests"):
        call_command("seed_demo", families=families, stdout=open("/dev/null", "w"))  # noqa: SIM115


def _counts():
    return (
        User.objects.count(),
        Family.objects.count(),
        Person.objects.count(),
        Case.objects.count(),
        Membership.objects.count(),
    )


def test_seed_demo_is_idempotent_and_grows_to_the_number_asked():
    _seed(10)
    first = _counts()
    _seed(10)
    assert _counts() == first
    _seed(12)
    numbered = Family.objects.filter(reference__startswith="DEMO-").exclude(reference__startswith="DEMO-9")
    assert numbered.count() == 12
    assert Family.objects.filter(reference__startswith="DEMO-9").count() == 12  # the outcome cohort


def test_every_role_has_a_demo_account_in_two_teams_that_can_sign_in(client):
    _seed(0)
    assert {account.role for account in DEMO_ACCOUNTS} == set(roles.ALL_ROLES)
    teams = set(User.objects.filter(groups__name=roles.CASEWORKER).values_list("teams__name", flat=True))
    assert teams == {"North team", "South team"}
    for account in DEMO_ACCOUNTS:
        assert client.login(username=account.username, password="demo-pass-for-tests")
        assert User.objects.get(username=account.username).has_role(account.role)


def test_demo_families_cover_ages_send_and_every_retention_situation():
    _seed(14)
    today = timezone.localdate()
    seven_years_ago = today - relativedelta(years=7)
    ages = {p.age_on(today) for p in Person.objects.exclude(date_of_birth=None)}
    assert min(ages) <= 2  # babies
    assert any(16 <= age <= 19 for age in ages)  # young people
    assert max(ages) > 19
    assert Person.objects.filter(has_send=True, date_of_birth__lt=today - relativedelta(years=20)).exists()
    assert Person.objects.filter(expected_date_of_birth__isnull=False).exists()

    assert Family.objects.filter(cases__status=Case.Status.OPEN).exists()
    closed_families = Family.objects.exclude(cases__status=Case.Status.OPEN).annotate(
        last_closed=Max("cases__closed_on")
    )
    last_closures = [f.last_closed for f in closed_families]
    # Last involvement ended more than 7 years ago: due for destruction.
    assert any(d < seven_years_ago for d in last_closures)
    # Falls due within the next 30 days: in the notice window.
    assert any(today < d + relativedelta(years=7) <= today + relativedelta(days=30) for d in last_closures)
    # Closed recently: kept.
    assert any(d + relativedelta(years=7) > today + relativedelta(days=30) for d in last_closures)
    # Reopened: closed more than 7 years ago, then reopened, so the clock stopped.
    assert CaseEvent.objects.filter(
        case__status=Case.Status.OPEN, kind=CaseEvent.Kind.CLOSED, on__lt=seven_years_ago
    ).exists()


def test_demo_data_is_the_same_on_every_run():
    _seed(3)
    names = sorted(Person.objects.values_list("given_name", "family_name", "date_of_birth"))
    Family.objects.all().delete()
    Person.objects.all().delete()
    _seed(3)
    assert sorted(Person.objects.values_list("given_name", "family_name", "date_of_birth")) == names


def test_seed_demo_refuses_a_live_system():
    with (
        override_settings(DEBUG=False),
        pytest.raises(CommandError, match="looks like a live system"),
    ):
        call_command("seed_demo")
    assert not Family.objects.exists()


# --- every feature has something in it (seed_demo for newcomers) ---


def _all_counts():
    from django.apps import apps

    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_seeded_demo_shows_something_in_every_feature_and_a_second_run_adds_nothing():
    """One seed for every check (seeding is the slow part); each check is its own function below."""
    _seed(14)
    today = timezone.localdate()
    before = _all_counts()
    _check_the_dpo_dashboard_shows_every_register_with_rag_rows(today)
    _check_managers_and_workers_find_work_waiting(today)
    _check_statistics_and_the_programme_return_show_figures_some_suppressed(today)
    _check_no_demo_record_holds_a_real_looking_nhs_number()
    _check_the_daily_reminders_have_run()
    _seed(14)
    after = _all_counts()
    assert {label: (n, after[label]) for label, n in before.items() if after[label] != n} == {}
    # ...and the second run left everything working (the managers still see their teams' families).
    _check_the_dpo_dashboard_shows_every_register_with_rag_rows(today)
    _check_managers_and_workers_find_work_waiting(today)


def test_small_demo_runs_skip_what_their_families_would_hold():
    _seed(3)  # family 13 (the closure), 8 (the import) and 6 (a safeguarding share) are not there
    from cases.models import ClosureRequest, ExternalDataImport

    assert not ClosureRequest.objects.exists()
    assert not ExternalDataImport.objects.exists()
    assert Family.objects.filter(reference__startswith="DEMO-9").count() == 3


def _check_the_dpo_dashboard_shows_every_register_with_rag_rows(seeded):
    from console.selectors import dashboard
    from sar.models import Complaint, SubjectAccessRequest

    board = dashboard(today=seeded)
    registers = {summary.register: summary for summary in board.registers}
    sars = registers["sar"]
    assert (sars.red, sars.amber, sars.green, sars.clock_stopped) == (1, 1, 2, 1)
    assert any(row.status == "Awaiting identity evidence" for row in sars.rows)
    assert SubjectAccessRequest.objects.filter(status=SubjectAccessRequest.Status.COMPLETED).count() == 1
    assert registers["rights"].total == registers["foi"].total == registers["complaint"].total == 1
    assert registers["complaint"].rows[0].due_on is not None  # the acknowledgement is still due
    assert Complaint.objects.get().acknowledged_on is None
    assert board.holds.active == 1
    assert board.holds.review_due_soon == 1
    assert board.agreements.review_due_soon >= 1
    assert board.reviews.break_glass_awaiting_review == 1
    assert board.reviews.safeguarding_awaiting_review == 2


def _check_managers_and_workers_find_work_waiting(seeded):
    from cases.models import ExternalDataImport, ExternalDataRecord, PlanAction
    from cases.selectors import closures_to_approve
    from consent.selectors import reviews_due
    from sharing.selectors import approval_queue

    manager = User.objects.get(username="manager")
    assert len(closures_to_approve(manager)) == 1
    assert closures_to_approve(User.objects.get(username="manager.south")) == []
    assert len(approval_queue(user=manager)) == 1  # the safeguarding share that is not urgent
    assert approval_queue(user=User.objects.get(username="manager.south")) == []  # approved already
    imported = ExternalDataImport.objects.get(status=ExternalDataImport.Status.COMMITTED)
    assert set(ExternalDataRecord.objects.filter(import_batch=imported).values_list("kind", flat=True)) == {
        "attendance",
        "offending",
    }
    assert PlanAction.objects.filter(due_on__lt=seeded, plan__case__status=Case.Status.OPEN).exists()
    assert reviews_due(on=seeded).exists()


def _check_statistics_and_the_programme_return_show_figures_some_suppressed(seeded):
    from sharing.returns.selectors import programme_families
    from sharing.statistics.selectors import Period, financial_year_of, outcome_statistics

    period = Period(financial_year_of(seeded) - 1)  # the statistics page's default year
    stats = outcome_statistics(period=period, as_at=seeded)
    assert stats.families.shown
    assert stats.families.value >= 10
    crime = next(rate for rate in stats.rates if rate.code == "crime")
    assert crime.families.shown
    assert crime.families.value >= 10
    assert crime.rate.shown
    assert crime.rate.value > 0
    every_need = next(rate for rate in stats.rates if rate.code == "all")
    assert not every_need.rate.shown  # some families did not sustain every need: a small complement
    assert any(not rate.families.shown for rate in stats.rates)  # small counts suppressed
    start, end = period.bounds
    families = programme_families(start=start, end=end, as_at=seeded)
    assert sum(1 for family in families if family.claim) > 0
    assert sum(1 for family in families if not family.claim) > 0


def _check_no_demo_record_holds_a_real_looking_nhs_number():
    import re

    from cases.identifiers import nhs_number_check_digit
    from sar.models import Complaint, FOIRequest, RightsRequest, SubjectAccessRequest

    def real_looking(number: str) -> bool:
        check = nhs_number_check_digit(number[:9])
        return check is not None and check == int(number[9]) and not number.startswith("999")

    numbers = list(Person.objects.exclude(nhs_number="").values_list("nhs_number", flat=True))
    texts = [
        *SubjectAccessRequest.objects.values_list("requester_contact", flat=True),
        *RightsRequest.objects.values_list("details", flat=True),
        *FOIRequest.objects.values_list("request_text", flat=True),
        *Complaint.objects.values_list("summary", flat=True),
    ]
    for text in texts:
        numbers += [re.sub(r"\D", "", m) for m in re.findall(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b", text)]
    assert [n for n in numbers if real_looking(n)] == []


def _check_the_daily_reminders_have_run():
    # The demo has an overdue request and an agreement due for review: the jobs beat would run
    # daily have reminded them once, so the dashboard's Reminders section is not empty.
    from sar.models import DeadlineReminder
    from sharing.models import SharingReminder

    assert DeadlineReminder.objects.filter(closed_on__isnull=True).exists()
    assert SharingReminder.objects.exists()
