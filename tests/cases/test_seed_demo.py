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
    assert Family.objects.count() == 12


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
