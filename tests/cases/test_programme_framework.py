"""The programme framework is versioned data loaded by migration (SPEC §4.3, domain-rules §6)."""

from datetime import date

import pytest

from cases.factories import CURRENT_FRAMEWORK, NOTICE_FRAMEWORK, framework
from cases.programme.selectors import framework_in_force

pytestmark = pytest.mark.django_db

TEN_HEADLINE_OUTCOMES = [
    "Getting a good education",
    "Good early years development",
    "Improved mental and physical health",
    "Promoting recovery and reducing harm from substance use",
    "Improved family relationships",
    "Children safe from abuse and exploitation",
    "Crime prevention and tackling crime",
    "Safe from domestic abuse",
    "Secure housing",
    "Financial stability",
]


def test_current_framework_loads_the_ten_headline_outcomes_in_order():
    current = framework(CURRENT_FRAMEWORK)
    assert [o.title for o in current.headline_outcomes.order_by("order")] == TEN_HEADLINE_OUTCOMES
    assert (current.effective_from, current.effective_to) == (date(2022, 10, 3), None)
    assert (current.criteria_threshold, current.claim_minimum_needs, current.sustain_months) == (3, 3, 6)


def test_notice_phase_loads_six_headline_problems_including_the_notices_four():
    notice = framework(NOTICE_FRAMEWORK)
    titles = [o.title for o in notice.headline_outcomes.order_by("order")]
    assert len(titles) == 6
    for named_in_the_notice in [
        "School attendance",
        "Crime and anti-social behaviour",
        "Employment",
        "Domestic violence and abuse",
    ]:
        assert named_in_the_notice in titles
    assert {"Children who need help", "Health problems"} <= set(titles)
    # The notice's phase: a family needed two headline problems.
    assert (notice.criteria_threshold, notice.sustain_months) == (2, 6)
    assert notice.effective_from == date(2015, 4, 1)


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2015, 3, 31), None),
        (date(2015, 4, 1), NOTICE_FRAMEWORK),
        (date(2020, 3, 31), NOTICE_FRAMEWORK),
        (date(2022, 10, 2), NOTICE_FRAMEWORK),
        (date(2022, 10, 3), CURRENT_FRAMEWORK),
        (date(2030, 1, 1), CURRENT_FRAMEWORK),
    ],
)
def test_framework_in_force_on_a_date(on, expected):
    found = framework_in_force(on)
    assert (found.code if found else None) == expected


def test_a_new_version_takes_over_from_its_date_without_code_changes():
    from cases.factories import ProgrammeFrameworkFactory

    ProgrammeFrameworkFactory(
        code="supporting-families-2027", effective_from=date(2027, 4, 1), effective_to=None
    )
    assert framework_in_force(date(2027, 3, 31)).code == CURRENT_FRAMEWORK
    assert framework_in_force(date(2027, 4, 1)).code == "supporting-families-2027"
