"""Journey 2 (SPEC §6, issue 3): a team manager approves a safeguarding share made at immediate
risk, and approves a caseworker's request to close a case.

Pages: sign-in, My work, Shares waiting for your approval, the share's review page, the queue again;
My work, Approve or return a case closure, the family page.
"""

import datetime

import pytest
from django.utils import timezone

from cases.factories import CaseFactory, FamilyFactory
from cases.models import Case
from cases.services import submit_closure
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


def test_manager_approves_a_case_closure(journey, manager, caseworker, north_team):
    today = timezone.localdate()
    family = FamilyFactory(team=north_team, lead_worker=caseworker)
    member(family, "parent_carer", given_name="Maya", family_name="Reid", pr=True)
    case = CaseFactory(family=family, lead_worker=caseworker, opened_on=today - datetime.timedelta(days=90))
    submit_closure(case=case, closed_on=today, reason="needs_met", by=caseworker, note="Attendance 96%.")
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN  # the team asks for approval (the default)
    page = journey.page

    journey.sign_in(manager, "/my-work/")
    assert journey.heading() == "My work"
    waiting = page.locator("main li").filter(has_text="case closure asked for by")
    assert waiting.count() == 1
    waiting.get_by_role("link", name=family.reference).click()
    journey.step("the closure to decide")
    text = journey.main_text()
    assert "Attendance 96%." in text
    due = today.replace(year=today.year + 7)
    assert f"{due.day} {due:%B %Y}, if you approve" in text
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Save decision").click()
    journey.step("closure approved")
    assert "Closure approved: the case is closed." in journey.banner()
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.closed_on == today
