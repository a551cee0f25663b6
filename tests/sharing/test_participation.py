"""Participation of young people (domain-rules §7): the cohort by academic age (age on 31 August before
the academic year), 16–17 or up to 24 with an EHC plan, by residence; the current activity, which
counts as "not known" (810) when never confirmed or past its review date; follow-up tasks due before
then; contact attempts and September Guarantee offers; the caseworker's pages."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from cases.factories import FamilyAddressFactory, FamilyFactory, MembershipFactory, PersonFactory
from sharing.models import ActivityCode, FollowUpTask
from sharing.returns import selectors, services
from sharing.returns.factories import ActivityRecordFactory

# The fixtures these tests share with the other returns and statistics tests.
pytest_plugins = ["tests.sharing.test_returns_fixtures"]

pytestmark = pytest.mark.django_db

D = datetime.date


# --- academic age ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "year"),
    [
        (D(2025, 8, 31), 2024),
        (D(2025, 9, 1), 2025),
        (D(2026, 1, 1), 2025),
        (D(2024, 2, 29), 2023),
    ],
)
def test_the_academic_year_starts_on_1_september(on, year):
    assert selectors.academic_year_start(on) == year


@pytest.mark.parametrize(
    ("born", "academic_year", "age"),
    [
        # 31 August is the census day: born on it, the birthday has been reached.
        (D(2009, 8, 31), 2025, 16),
        # Born a day later, they are still 15 on 31 August: a year younger academically.
        (D(2009, 9, 1), 2025, 15),
        (D(2009, 9, 1), 2026, 16),
        (D(2008, 9, 1), 2025, 16),
        (D(2008, 8, 31), 2025, 17),
        # 29 February: the birthday has always passed by 31 August, in leap and common years.
        (D(2008, 2, 29), 2024, 16),
        (D(2008, 2, 29), 2025, 17),
        (D(2008, 2, 29), 2026, 18),
        (D(2008, 3, 1), 2024, 16),
        (D(2008, 2, 28), 2024, 16),
    ],
)
def test_academic_age_is_the_age_on_31_august_before_the_year_starts(born, academic_year, age):
    assert selectors.academic_age(born, academic_year) == age


@pytest.mark.parametrize(
    ("born", "on", "ehc", "tracked"),
    [
        (D(2009, 8, 31), D(2025, 9, 1), False, True),  # academic age 16
        (D(2009, 9, 1), D(2025, 9, 1), False, False),  # 15: not yet
        (D(2009, 9, 1), D(2026, 8, 31), False, False),  # turned 16 in the year, still academic age 15
        (D(2009, 9, 1), D(2026, 9, 1), False, True),  # the next academic year
        (D(2008, 9, 1), D(2026, 8, 31), False, True),  # 17 all year, though 18 before it ends
        (D(2007, 9, 1), D(2025, 9, 1), False, True),  # 18 from today, but academic age 17 all year
        (D(2007, 8, 31), D(2025, 9, 1), False, False),  # academic age 18: participation duty over
        (D(2007, 8, 31), D(2025, 9, 1), True, True),  # 18 with an EHC plan
        (D(2001, 9, 1), D(2025, 9, 1), True, True),  # 23 with an EHC plan
        (D(2000, 9, 1), D(2025, 9, 1), True, True),  # 24: the year in which they turn 25
        (D(2000, 8, 31), D(2025, 9, 1), True, False),  # 25: the plan has ended
        (D(2008, 2, 29), D(2024, 2, 29), False, False),  # academic age 15 on a leap day
        (D(2008, 2, 29), D(2024, 9, 1), False, True),  # 16 from the next September
        (D(2008, 2, 29), D(2026, 8, 31), False, True),  # 17 until the academic year ends
        (D(2008, 2, 29), D(2026, 9, 1), False, False),
        (None, D(2025, 9, 1), True, False),
    ],
)
def test_who_is_in_the_participation_cohort(born, on, ehc, tracked):
    assert selectors.tracked(date_of_birth=born, has_ehc_plan=ehc, on=on) is tracked


# --- the cohort, by residence ---------------------------------------------------------------------------


JOINED = D(2019, 1, 1)


def _young_person(family, born, *, ehc=False, start=JOINED, **fields):
    person = PersonFactory(date_of_birth=born, has_ehc_plan=ehc, has_send=ehc, **fields)
    MembershipFactory(person=person, family=family, role="young_person", start_date=start)
    return person


def test_the_cohort_is_the_young_people_of_families_held_with_an_address(north_team):
    on = D(2025, 10, 1)
    held = FamilyFactory(team=north_team)
    FamilyAddressFactory(family=held, start_date=D(2019, 1, 1))
    moved = FamilyFactory(team=north_team)
    FamilyAddressFactory(family=moved, start_date=D(2019, 1, 1), end_date=D(2025, 6, 1))
    sixteen = _young_person(held, D(2009, 8, 31))
    fifteen = _young_person(held, D(2009, 9, 1))
    eighteen = _young_person(held, D(2007, 1, 1))
    twenty_with_plan = _young_person(held, D(2005, 1, 1), ehc=True)
    elsewhere = _young_person(moved, D(2009, 1, 1))
    died = _young_person(held, D(2009, 1, 1), date_of_death=D(2025, 5, 1))
    joined_later = _young_person(held, D(2009, 1, 1), start=D(2025, 11, 1))

    cohort = {m.person for m in selectors.tracked_cohort(on=on)}

    assert cohort == {sixteen, twenty_with_plan}
    assert not {fifteen, eighteen, elsewhere, died, joined_later} & cohort


def test_someone_in_two_families_is_in_the_cohort_once(north_team, south_team):
    on = D(2025, 10, 1)
    first, second = FamilyFactory(team=north_team), FamilyFactory(team=south_team)
    for family in (first, second):
        FamilyAddressFactory(family=family, start_date=D(2019, 1, 1))
    person = _young_person(first, D(2009, 1, 1), start=D(2019, 1, 1))
    MembershipFactory(person=person, family=second, role="young_person", start_date=D(2020, 1, 1))

    [member] = selectors.tracked_cohort(on=on)

    assert (member.person, member.family, member.academic_age) == (person, first, 16)


def test_a_users_cohort_is_limited_to_the_families_they_see(north_team, south_team, caseworker):
    from cases.access import families_visible_to

    on = D(2025, 10, 1)
    ours, theirs = FamilyFactory(team=north_team), FamilyFactory(team=south_team)
    for family in (ours, theirs):
        FamilyAddressFactory(family=family, start_date=D(2019, 1, 1))
    mine = _young_person(ours, D(2009, 1, 1))
    _young_person(theirs, D(2009, 1, 1))

    cohort = selectors.tracked_cohort(on=on, families=families_visible_to(caseworker))

    assert [m.person for m in cohort] == [mine]


# --- the activity that counts -------------------------------------------------------------------------


@pytest.fixture
def young(family, home, today):
    return _young_person(family, D(selectors.academic_year_start(today) - 17, 3, 1), given_name="Amir")


def _counts(person, on):
    return selectors.current_activities(
        [selectors.CohortMember(person, person.memberships.get().family)], on
    )[0]


def test_an_activity_counts_until_its_review_date_then_not_known(young, today):
    record = ActivityRecordFactory(
        person=young, activity="310", confirmed_on=today - relativedelta(months=5), review_on=today
    )

    on_the_day = _counts(young, today)
    after = _counts(young, today + relativedelta(days=1))

    assert (on_the_day.code.code, on_the_day.lapsed, on_the_day.confirmed_on) == (
        "310",
        False,
        record.confirmed_on,
    )
    assert (after.code.code, after.lapsed, after.confirmed_on) == ("810", True, None)
    assert after.status.startswith("Not known: past its review date")
    assert after.record == record  # the confirmed record is kept as it was


def test_someone_never_confirmed_is_not_known(young, today):
    activity = _counts(young, today)
    assert (activity.code.code, activity.never_confirmed, activity.status) == (
        "810",
        True,
        "Not known: never confirmed",
    )


def test_the_latest_confirmed_activity_counts(young, today):
    ActivityRecordFactory(person=young, activity="619", confirmed_on=today - relativedelta(months=2))
    ActivityRecordFactory(person=young, activity="230", confirmed_on=today - relativedelta(days=3))
    assert _counts(young, today).code.code == "230"
    assert _counts(young, today - relativedelta(days=4)).code.code == "619"


def test_activity_codes_are_versioned_data_with_every_code_and_group():
    codes = {c.code: c.group for c in ActivityCode.objects.all()}
    expected = {
        "below_leaving_age": ["110", "120", "130", "140", "150"],
        "education": ["210", "220", "230", "240", "250", "260", "270", "280", "290"],
        "employment": ["310", "320", "330", "340", "350", "360", "380", "381"],
        "training": ["410", "430", "440", "450", "460"],
        "re_engagement": ["530"],
        "neet": ["540", "550", "610", "615", "616", "619", "620", "630", "640", "650", "660", "670", "680"],
        "other": ["710", "720"],
        "not_known": ["810", "820", "830"],
    }
    assert codes == {code: group for group, members in expected.items() for code in members}
    assert all(c.effective_from and c.specification for c in ActivityCode.objects.all())


def test_a_code_replaced_in_a_new_specification_counts_from_its_own_date(young, today):
    old = ActivityCode.objects.get(code="450")
    ActivityCode.objects.filter(pk=old.pk).update(effective_to=today - relativedelta(days=1))
    ActivityCode.objects.create(
        code="450",
        label="Foundation apprenticeship",
        group="training",
        specification="Next",
        effective_from=today,
    )
    assert selectors.activity_code("450", today).label == "Foundation apprenticeship"
    assert selectors.activity_code("450", today - relativedelta(days=1)) == old


# --- recording ------------------------------------------------------------------------------------------


def test_recording_an_activity_uses_the_codes_review_period_and_closes_follow_ups(
    young, family, caseworker, today
):
    FollowUpTask.objects.create(person=young, due_on=today)

    record = services.record_activity(
        person=young, family=family, code="310", confirmed_on=today, source="young_person", by=caseworker
    )

    assert record.review_on == today + relativedelta(months=6)
    assert not FollowUpTask.objects.filter(person=young, done_on__isnull=True).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "810"}, "code"),  # derived, never recorded
        ({"code": "999"}, "code"),
        ({"confirmed_on": "tomorrow"}, "confirmed_on"),
        ({"review_on": "same day"}, "review_on"),
        ({"source": "gossip"}, "source"),
    ],
)
def test_recording_an_activity_refuses_bad_input(young, family, caseworker, today, changes, field):
    values = {"code": "230", "confirmed_on": today, "source": "young_person", "review_on": None}
    values |= changes
    if values["confirmed_on"] == "tomorrow":
        values["confirmed_on"] = today + relativedelta(days=1)
    if values["review_on"] == "same day":
        values["review_on"] = values["confirmed_on"]
    with pytest.raises(ValidationError) as refused:
        services.record_activity(person=young, family=family, by=caseworker, **values)
    assert field in refused.value.error_dict


def test_a_contact_attempt_is_recorded(young, family, caseworker, today):
    attempt = services.record_contact_attempt(
        person=young, family=family, on=today, method="phone", result="no_reply", by=caseworker
    )
    assert str(attempt).endswith("no reply")


def test_the_september_guarantee_works_out_the_year_left(family, home, caseworker, today):
    year = selectors.academic_year_start(today)
    left_year_11 = _young_person(family, D(year - 16, 1, 1))
    left_year_12 = _young_person(family, D(year - 17, 1, 1))
    too_old = _young_person(family, D(year - 19, 1, 1))

    first = services.record_september_offer(
        person=left_year_11,
        family=family,
        academic_year=year,
        offer="apprenticeship",
        recorded_on=today,
        by=caseworker,
    )
    second = services.record_september_offer(
        person=left_year_12,
        family=family,
        academic_year=year,
        offer="no_offer",
        recorded_on=today,
        by=caseworker,
    )

    assert (first.year_group, first.is_offer, second.year_group, second.is_offer) == (11, True, 12, False)
    with pytest.raises(ValidationError) as refused:
        services.record_september_offer(
            person=too_old,
            family=family,
            academic_year=year,
            offer="no_offer",
            recorded_on=today,
            by=caseworker,
        )
    assert "academic_year" in refused.value.error_dict


# --- follow-up before expiry ------------------------------------------------------------------------------


def test_follow_up_tasks_fall_due_before_the_review_date_and_making_them_twice_adds_nothing(
    family, home, today
):
    year = selectors.academic_year_start(today)
    soon = _young_person(family, D(year - 16, 1, 1))
    later = _young_person(family, D(year - 16, 2, 1))
    never = _young_person(family, D(year - 17, 1, 1))
    record = ActivityRecordFactory(person=soon, review_on=today + relativedelta(days=10))
    ActivityRecordFactory(person=later, review_on=today + relativedelta(days=90))

    assert services.create_follow_up_tasks(on=today) == 2
    assert services.create_follow_up_tasks(on=today) == 0

    tasks = {task.person: task for task in FollowUpTask.objects.all()}
    assert set(tasks) == {soon, never}
    assert tasks[soon].due_on == record.review_on - relativedelta(days=1)
    assert tasks[soon].activity == record
    assert tasks[never].due_on == today
    assert tasks[never].assigned_to == family.lead_worker


def test_the_follow_up_task_runs_through_celery(family, home, today):
    from sharing.returns.tasks import participation_follow_ups

    _young_person(family, D(selectors.academic_year_start(today) - 16, 1, 1))
    assert participation_follow_ups.delay().get() == 1
    assert participation_follow_ups.delay().get() == 0


# --- pages --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("caseworker", 200), ("manager", 200), ("dpo", 200), ("analyst", 403), ("sysadmin", 403)],
    indirect=["persona"],
)
def test_the_participation_list_per_role(client, persona, status):
    client.force_login(persona)
    assert client.get(reverse("sharing:participation")).status_code == status


def test_the_list_shows_the_young_people_of_the_users_families_and_logs_the_read(
    client, caseworker, other_caseworker, young, today
):
    from fss.core.models import AccessLogEntry

    client.force_login(caseworker)
    html = client.get(reverse("sharing:participation")).content.decode()
    assert escape(str(young)) in html
    assert "Not known: never confirmed" in html
    assert AccessLogEntry.objects.filter(view_name="sharing:participation", person_id=young.pk).exists()
    client.force_login(other_caseworker)
    assert escape(str(young)) not in client.get(reverse("sharing:participation")).content.decode()


def test_the_young_persons_page_and_its_forms(client, caseworker, family, young, today):
    client.force_login(caseworker)
    page = reverse("sharing:participation_person", args=[family.pk, young.pk])
    assert client.get(page).status_code == 200
    form = reverse("sharing:activity_new", args=[family.pk, young.pk])
    response = client.post(
        form,
        {
            "code": "230",
            "confirmed_on_0": today.day,
            "confirmed_on_1": today.month,
            "confirmed_on_2": today.year,
            "source": "school_or_college",
        },
    )
    assert response.status_code == 302
    assert "230 Further education" in client.get(page).content.decode()


def test_another_teams_young_person_is_404(client, other_caseworker, family, young):
    client.force_login(other_caseworker)
    assert client.get(reverse("sharing:participation_person", args=[family.pk, young.pk])).status_code == 404
    assert client.get(reverse("sharing:activity_new", args=[family.pk, young.pk])).status_code == 404


def test_the_list_runs_a_constant_number_of_queries(
    client, caseworker, family, home, today, django_assert_num_queries
):
    year = selectors.academic_year_start(today)
    client.force_login(caseworker)
    _young_person(family, D(year - 16, 1, 1))
    client.get(reverse("sharing:participation"))  # warm the session and permission caches
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("sharing:participation"))
    for month in range(2, 8):
        person = _young_person(family, D(year - 17, month, 1))
        ActivityRecordFactory(person=person)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(reverse("sharing:participation"))
