"""Group-level statistics (SPEC §6.4): outcome rates per headline outcome, period and team, every figure
through disclosure control; charts as accessible SVG beside a table; the performance analyst sees these
and nothing else — no page they can open names anyone."""

import re

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.factories import FamilyFactory, MembershipFactory, PersonFactory
from cases.models import Family, Person
from cases.programme.selectors import meets_criteria, successful_family_outcome
from sharing.statistics import selectors
from sharing.statistics.models import DisclosureControlPolicy
from sharing.statistics.services import publish_disclosure_policy
from tests.sharing.test_returns_fixtures import programme_case

# The fixtures these tests share with the other returns and statistics tests.
pytest_plugins = ["tests.sharing.test_returns_fixtures"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def last_year(today):
    return selectors.financial_year_of(today) - 1


@pytest.fixture
def ended_families(north_team, south_team, last_year, caseworker):
    """30 families whose support ended in Q2 of last financial year, all with crime identified: 13 sustained
    it 7 months past closure, 2 sustained it too briefly, 15 did not; the North team held 20, the South 10."""
    start, _ = selectors.financial_quarter(last_year, 2)
    closed = start + relativedelta(days=10)
    cases = []
    for number in range(30):
        team = north_team if number < 20 else south_team
        family = FamilyFactory(team=team, lead_worker=caseworker)
        letter = chr(ord("A") + number)
        adult = PersonFactory(given_name=f"Ysolde{letter}", family_name=f"Brackenridge{letter}", age=35)
        child = PersonFactory(given_name=f"Peregrin{letter}", family_name=f"Brackenridge{letter}", age=12)
        MembershipFactory(family=family, person=adult, role="parent_carer")
        MembershipFactory(family=family, person=child, role="child")
        if number < 13:
            achieved, until = ("crime", "education", "housing"), closed + relativedelta(months=7)
        elif number < 15:
            achieved, until = ("crime",), closed + relativedelta(months=2)
        else:
            achieved, until = ("education",), closed + relativedelta(months=7)
        cases.append(
            programme_case(
                family,
                opened=closed - relativedelta(months=6),
                closed=closed,
                achieved=achieved,
                sustained_until=until,
                lead_worker=caseworker,
            )
        )
    return cases


def test_outcome_rates_count_families_whose_need_stayed_improved_for_six_months(ended_families, last_year):
    figures = selectors.outcome_statistics(period=selectors.Period(last_year))

    crime = next(rate for rate in figures.rates if rate.code == "crime")
    assert (str(crime.families), str(crime.sustained), str(crime.rate)) == ("30", "15", "43%")
    education = next(rate for rate in figures.rates if rate.code == "education")
    assert (str(education.families), str(education.sustained), str(education.rate)) == ("30", "30", "c")
    housing = next(rate for rate in figures.rates if rate.code == "housing")
    assert str(housing.rate) == "43%"
    everything = figures.rates[-1]
    assert (everything.label, str(everything.rate)) == ("Every identified need", "43%")
    safety = next(rate for rate in figures.rates if rate.code == "child_safety")
    assert (str(safety.families), str(safety.rate)) == ("0", "z")
    assert figures.sentence.startswith(
        "43% of families whose support for “Crime prevention and tackling crime”"
    )


def test_the_figures_agree_with_the_programme_rules_for_each_case(ended_families, last_year, today):
    start, end = selectors.Period(last_year).bounds
    framework = ended_families[0].assessments.first().framework
    judged = {
        f.family_id: f
        for f in selectors.judged_families(framework=framework, start=start, end=end, as_at=today)
    }
    assert len(judged) == 30
    for case in ended_families:
        family = judged[case.family_id]
        assert family.identified == {o.pk for o in meets_criteria(case, today).identified}
        claim = successful_family_outcome(case, today)
        all_sustained = not claim.unmet_codes & {"positive_outcomes", "outcomes_sustained"}
        assert (family.identified <= family.sustained) is all_sustained


def test_families_are_counted_by_team_and_quarter_with_secondary_suppression(
    ended_families, last_year, north_team, south_team
):
    figures = selectors.outcome_statistics(period=selectors.Period(last_year))
    table = figures.by_team_and_quarter

    assert str(table.cell(north_team.pk, 2)) == "20"
    assert str(table.cell(south_team.pk, 2)) == "10"
    assert str(table.cell(north_team.pk, 1)) == "0"
    assert str(table.grand_total) == "30"
    rates = {row["label"]: [str(c) for c in row["cells"]] for row in figures.rate_by_team_and_quarter}
    assert rates["North team"][1] == "c"  # 20 families, 13 sustained: 7 did not, too few to show
    assert rates["South team"][1] == "0%"  # 10 families, none sustained it
    assert rates["North team"][0] == "z"


def test_a_team_and_a_quarter_narrow_the_figures(ended_families, last_year, south_team):
    figures = selectors.outcome_statistics(period=selectors.Period(last_year, 2), team=south_team)
    crime = next(rate for rate in figures.rates if rate.code == "crime")
    assert (str(crime.families), str(crime.sustained), str(crime.rate)) == ("10", "0", "0%")
    assert figures.by_team_and_quarter.columns == [2]
    assert selectors.outcome_statistics(period=selectors.Period(last_year, 1)).rates[0].families.value == 0


def test_a_family_still_inside_its_sustain_period_is_not_counted(north_team, today, caseworker):
    family = FamilyFactory(team=north_team, lead_worker=caseworker)
    MembershipFactory(family=family, person=PersonFactory(age=12), role="child")
    closed = today - relativedelta(months=2)
    programme_case(family, opened=closed - relativedelta(months=6), closed=closed)
    period = selectors.Period(selectors.financial_year_of(closed))
    assert (
        selectors.judged_families(
            framework=family.cases.get().assessments.get().framework,
            start=period.bounds[0],
            end=period.bounds[1],
            as_at=today,
        )
        == []
    )


def test_small_counts_are_suppressed_in_every_figure(north_team, last_year, caseworker):
    start, _ = selectors.financial_quarter(last_year, 2)
    for _ in range(3):
        family = FamilyFactory(team=north_team, lead_worker=caseworker)
        programme_case(family, opened=start - relativedelta(months=6), closed=start, achieved=("crime",))
    figures = selectors.outcome_statistics(period=selectors.Period(last_year))
    crime = next(rate for rate in figures.rates if rate.code == "crime")
    assert (str(crime.families), str(crime.sustained), str(crime.rate)) == ("c", "0", "c")
    assert "cannot be shown" in figures.sentence


# --- the pages --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("analyst", 200),
        ("dpo", 200),
        ("caseworker", 403),
        ("manager", 403),
        ("sysadmin", 403),
        ("records_officer", 403),
    ],
    indirect=["persona"],
)
def test_statistics_are_for_the_analyst_and_the_dpo(client, persona, status):
    client.force_login(persona)
    assert client.get(reverse("sharing:statistics")).status_code == status


def test_the_page_draws_an_accessible_chart_beside_a_table(client, analyst, ended_families, last_year):
    client.force_login(analyst)
    html = client.get(reverse("sharing:statistics"), {"year": last_year, "focus": "crime"}).content.decode()

    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg
    assert 'aria-labelledby="outcome-rates-title outcome-rates-desc"' in svg
    assert '<title id="outcome-rates-title">' in svg
    desc = re.search(r'<desc id="outcome-rates-desc">(.*?)</desc>', svg, re.S).group(1)
    assert "Crime prevention and tackling crime: 43%" in desc
    assert "Getting a good education: c (not shown)" in desc
    assert "<table" in html
    assert ">43%<" in html
    assert "The same figures are in the table below." in html


def test_the_analyst_sees_no_name_on_any_page_they_can_open(client, analyst, ended_families, last_year):
    client.force_login(analyst)
    pages = [
        client.get(reverse("sharing:statistics"), {"year": last_year, "quarter": quarter, "focus": "crime"})
        for quarter in ("", "1", "2")
    ]
    pages.append(client.get("/", follow=True))
    identifying = {p.given_name for p in Person.objects.all()} | {p.family_name for p in Person.objects.all()}
    identifying |= set(Family.objects.values_list("reference", flat=True))
    for response in pages:
        assert response.status_code == 200
        text = re.sub(r"<[^>]+>", " ", response.content.decode())
        words = set(re.findall(r"[\w'-]+", text))
        assert not identifying & words


@pytest.mark.parametrize(
    "url",
    [
        "cases:family_search",
        "cases:my_work",
        "sharing:participation",
        "sharing:returns",
        "sharing:approval_queue",
        "sharing:dpo_review_queue",
        "sharing:disclosure_policy",
    ],
)
def test_the_analyst_can_open_nothing_else(client, analyst, url):
    client.force_login(analyst)
    assert client.get(reverse(url)).status_code in (403, 404)


def test_the_analyst_cannot_open_a_family_or_a_return(client, analyst, ended_families):
    from sharing.returns.factories import ReturnRunFactory

    client.force_login(analyst)
    family = ended_families[0].family
    assert client.get(reverse("cases:family_detail", args=[family.pk])).status_code in (403, 404)
    run = ReturnRunFactory()
    assert client.get(reverse("sharing:return_detail", args=[run.pk])).status_code == 403
    assert client.get(reverse("sharing:return_download", args=[run.pk])).status_code == 403
    assert client.get("/admin/").status_code in (302, 403)


def test_the_analyst_has_only_the_statistics_permission(analyst):
    assert analyst.get_all_permissions() == {"sharing.view_statistics"}


def test_navigation_shows_statistics_to_the_analyst_and_the_dpo(client, analyst, dpo, caseworker):
    for user, sees in ((analyst, True), (dpo, True), (caseworker, False)):
        client.force_login(user)
        labels = [item["label"] for item in client.get("/", follow=True).context["navigation"]]
        assert ("Statistics" in labels) is sees


def test_the_statistics_page_runs_a_constant_number_of_queries(
    client, analyst, ended_families, last_year, django_assert_max_num_queries
):
    client.force_login(analyst)
    with django_assert_max_num_queries(25):
        client.get(reverse("sharing:statistics"), {"year": last_year, "focus": "crime"})


# --- the policy, editable by the DPO ------------------------------------------------------------------------


def test_the_dpo_adds_a_version_of_the_policy(client, dpo, today):
    client.force_login(dpo)
    response = client.post(
        reverse("sharing:disclosure_policy"),
        {
            "effective_from_0": today.day,
            "effective_from_1": today.month,
            "effective_from_2": today.year,
            "suppress_from": 1,
            "suppress_to": 10,
            "round_to": 5,
            "min_denominator": 20,
            "secondary_suppression": "on",
            "reason_for_change": "Aligned with the department's guidance.",
        },
    )
    assert response.status_code == 302
    policy = DisclosureControlPolicy.objects.in_force(today)
    assert (policy.version, policy.suppress_to, policy.min_denominator, policy.created_by) == (2, 10, 20, dpo)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"effective_from": "yesterday"}, "effective_from"),
        ({"reason_for_change": " "}, "reason_for_change"),
        ({"suppress_to": 0}, "suppress_to"),
    ],
)
def test_a_policy_version_refuses_bad_input(dpo, today, changes, field):
    values = {
        "effective_from": today,
        "suppress_from": 1,
        "suppress_to": 9,
        "round_to": 5,
        "min_denominator": 10,
        "secondary_suppression": True,
        "reason_for_change": "Review.",
    } | changes
    if values["effective_from"] == "yesterday":
        values["effective_from"] = today - relativedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        publish_disclosure_policy(by=dpo, **values)
    assert field in refused.value.error_dict


def test_only_the_dpo_changes_the_policy(analyst, today):
    with pytest.raises(ValidationError):
        publish_disclosure_policy(
            by=analyst,
            effective_from=today,
            suppress_from=1,
            suppress_to=9,
            round_to=5,
            min_denominator=10,
            secondary_suppression=True,
            reason_for_change="No.",
        )
