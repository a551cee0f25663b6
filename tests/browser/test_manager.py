"""Journey 2 (SPEC §6): a team manager approves a safeguarding share made at immediate risk.

Pages: sign-in, My work, Shares waiting for your approval, the share's review page, the queue again.
"""

import pytest
from django.utils import timezone

from cases.factories import FamilyFactory
from sharing.check import Safeguarding
from sharing.models import DisclosureApproval
from sharing.services import record_disclosure
from tests.browser.helpers import member, sharing_partner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_manager_approves_a_safeguarding_share(journey, manager, caseworker, north_team):
    police = sharing_partner("Thames Valley Police")
    family = FamilyFactory(team=north_team, lead_worker=caseworker)
    maya = member(family, "parent_carer", given_name="Maya", family_name="Reid", pr=True)
    record_disclosure(
        family=family,
        people=[maya],
        recipient=police,
        categories=["identity"],
        purpose="safeguarding",
        on=timezone.localdate(),
        by=caseworker,
        expected=None,
        safeguarding=Safeguarding("Threats to the children last night.", immediate_risk=True),
        family_told=True,
        transfer_method="phone",
    )
    page = journey.page

    journey.sign_in(manager, "/sharing/approvals/")
    assert journey.heading() == "Shares waiting for your approval"
    row = page.locator("main table tbody tr").filter(has_text=family.reference)
    assert row.count() == 1
    assert "Thames Valley Police" in row.inner_text()

    row.get_by_role("link", name="Review").click()
    journey.step("the share to approve")
    assert "Threats to the children last night." in journey.main_text()
    page.get_by_label("Approve").check()
    page.get_by_label("Comment").fill("Right call: risk was immediate.")
    page.get_by_role("button", name="Save the decision").click()
    journey.step("approved")
    assert "Your decision is recorded." in journey.banner()
    assert journey.heading() == "Shares waiting for your approval"
    assert family.reference not in journey.main_text()
    assert DisclosureApproval.objects.get().outcome == "approved"
