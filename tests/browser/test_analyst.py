"""Journey 5 (SPEC §6.4, §1): the performance analyst reads the statistics, which name no one, and is
refused a family's page.

Pages: sign-in, Programme statistics, a family page (refused: "Page not found").
"""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from cases.factories import CaseFactory, FamilyFactory
from tests.browser.helpers import member

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NAMES = [("Maya", "Reid"), ("Dan", "Cole"), ("Leo", "Reid"), ("Priya", "Shah")]


def test_statistics_without_identifiable_data_and_no_family_page(journey, analyst, north_team, south_team):
    today = timezone.localdate()
    families = []
    for number, (given, surname) in enumerate(NAMES):
        family = FamilyFactory(team=north_team if number % 2 else south_team)
        member(family, "parent_carer", given_name=given, family_name=surname, pr=True)
        CaseFactory(
            family=family,
            opened_on=today - relativedelta(months=10),
            closed=True,
            closed_on=today - datetime.timedelta(days=30 + number),
        )
        families.append(family)
    page = journey.page

    journey.sign_in(analyst, "/statistics/")
    assert journey.heading() == "Programme statistics"
    assert page.locator("main table caption").count() >= 1
    shown = journey.main_text()
    for given, surname in NAMES:
        assert given not in shown
        assert surname not in shown
    for family in families:
        assert family.reference not in shown

    # Refused as if it did not exist (no hint that the family is known to the service).
    journey.expect_refusal(404)
    journey.visit(f"/families/{families[0].pk}/", "a family page, refused")
    assert journey.heading() == "Page not found"
    assert "Maya" not in journey.main_text()
