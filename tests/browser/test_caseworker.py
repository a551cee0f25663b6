"""Journey 1 (SPEC §11): a caseworker takes a family from referral to closure in the browser.

Pages: sign-in, My work, Record a referral, Add a person (twice), the family page, Decide the
referral, Record decisions from a visit (consent), Assess the family's needs, the case's programme
page (submit the assessment), Write the family plan, the plan's first action, Add a case note, Case
notes, Share information (the check, then the record), the disclosure, Close the case.
"""

import datetime

import pytest
from django.utils import timezone

from cases.models import Family
from sharing.models import Disclosure
from tests.browser.helpers import fill_date, sharing_partner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_referral_to_closure(journey, caseworker, north_team):
    page = journey.page
    today = timezone.localdate()
    received = today - datetime.timedelta(days=7)
    police = sharing_partner("Thames Valley Police")
    journey.sign_in(caseworker, "/my-work/")
    assert journey.heading() == "My work"

    # A referral from the school, with the family's address.
    journey.visit("/families/new/")
    assert journey.heading() == "Record a referral"
    fill_date(page, "Date the referral was received", received)
    page.get_by_label("School").check()
    page.get_by_label("Reason for the referral").fill("Attendance below 80% this term")
    page.get_by_label("Address line 1").fill("2 High Street")
    page.get_by_label("Town or city").fill("Aylesbury")
    page.get_by_label("Postcode").fill("hp20 1ua")
    page.get_by_role("button", name="Save referral").click()
    journey.step("referral saved")
    family = Family.objects.get()

    # The people: a mother with parental responsibility, and her daughter.
    for given, born, role, pr in [
        ("Grace", today.replace(year=today.year - 35), "Parent or carer", True),
        ("Ada", today.replace(year=today.year - 8), "Child", False),
    ]:
        page.get_by_label("First name").fill(given)
        page.get_by_label("Last name").fill("Example")
        fill_date(page, "Date of birth", born)
        page.get_by_label(role, exact=True).check()
        if pr:
            page.get_by_label("Holds parental responsibility for the children in this family").check()
        fill_date(page, "Date they joined the household", received)
        page.get_by_role("button", name="Add to family").click()
        journey.step(f"{given} added")
        if given == "Grace":
            journey.visit(f"/families/{family.pk}/people/new/")
    assert "Person added to the family." in journey.banner()
    assert journey.heading() == f"Family {family.reference}"
    people = journey.main_text()
    assert "Grace Example" in people
    assert "Ada Example" in people

    # Accept the referral: a case opens.
    referral = family.referrals.get()
    journey.visit(f"/families/{family.pk}/referrals/{referral.pk}/decide/")
    page.get_by_label("Accept", exact=True).check()
    fill_date(page, "Date of the decision", today)
    page.get_by_role("button", name="Save decision").click()
    journey.step("case opened")
    assert "Case opened." in journey.banner()
    case = family.cases.get()

    # The family's agreement, recorded at a visit (SPEC §5).
    grace = family.memberships.get(person__given_name="Grace").person
    journey.visit(f"/families/{family.pk}/consent/visit/")
    assert journey.heading() == "Record decisions from a visit"
    fill_date(page, "Date of the visit", today)
    page.get_by_label("Verbal").check()
    mum = page.get_by_role("group", name="Grace Example")
    mum.get_by_label("Agreement to work with the service").select_option("given")
    mum.get_by_label("Agreement to gather and store information").select_option("given")
    mum.get_by_label("Sharing with the national programme").select_option("given")
    mum.get_by_label("Decided by").select_option(str(grace.pk))
    mum.get_by_label("Capacity").select_option("self")
    child = page.get_by_role("group", name="Ada Example")
    child.get_by_label("Decided by").select_option(str(grace.pk))
    child.get_by_label("Capacity").select_option("parental_responsibility")
    page.get_by_role("button", name="Save decisions").click()  # one button, after every person
    journey.step("consent recorded")
    assert journey.banner()

    # The assessment and the plan (the national programme's part of the case).
    programme = f"/families/{family.pk}/cases/{case.pk}/programme/"
    journey.visit(programme + "assessments/new/")
    fill_date(page, "Date of the assessment", today)
    page.get_by_label("This is a whole-family assessment").check()
    page.get_by_label("Getting a good education: need identified").check()
    page.locator("#id_need_education_evidence").fill("Attendance 78% (school letter)")
    page.get_by_role("button", name="Save assessment").click()
    journey.step("assessment saved")
    assert journey.banner()
    assert case.assessments.filter(needs__identified=True).exists()
    journey.visit(programme)
    page.get_by_role("button", name="Submit the assessment").click()
    journey.step("assessment submitted")
    assert journey.banner()

    journey.visit(programme + "plans/new/")
    assert journey.heading() == "Write the family plan"
    fill_date(page, "Date the plan starts", today)
    page.get_by_label("Goals").fill("Ada at school every day by half term")
    page.get_by_role("button", name="Save plan").click()
    journey.step("plan saved")
    assert "Plan saved as a draft" in journey.banner()

    # A case note about the visit.
    journey.visit(f"/families/{family.pk}/cases/{case.pk}/notes/new/")
    page.get_by_label("Home or other visit").check()
    fill_date(page, "Date of the contact", today)
    page.get_by_label("Note", exact=True).fill("Met Ada and Grace at home; Ada keen on football club.")
    page.get_by_role("group", name="Who was present?").get_by_label("Ada Example").check()
    page.get_by_role("button", name="Save note").click()
    journey.step("note saved")
    assert "Note saved." in journey.banner()
    assert "1 note." in journey.main_text()
    page.get_by_role("link", name="Read the case notes").click()
    journey.step("case notes")
    assert journey.heading() == "Case notes"
    assert "Met Ada and Grace at home" in journey.main_text()

    # Share with a partner: the check answers per person before anything is recorded.
    journey.visit(f"/families/{family.pk}/sharing/new/")
    assert journey.heading() == "Share information"
    page.get_by_label("Who are you sharing with?").select_option(
        label=f"{police.name} ({police.category.label})"
    )
    page.get_by_label("Co-ordinating support for the family (early help)").check()
    page.get_by_label("Name and date of birth").check()
    page.get_by_role("group", name="Who is the information about?").get_by_label("Grace Example").check()
    fill_date(page, "Date of the decision", today)
    page.get_by_role("button", name="Check before sharing").click()
    journey.step("the check's answer")
    answer = journey.main_text()
    assert "Grace Example: name and date of birth may be shared" in answer
    assert not Disclosure.objects.exists()
    page.get_by_label("Share what the check allows").check()
    page.get_by_label("How will it be sent?").select_option(index=1)
    page.get_by_role("group", name="Has the family been told about this sharing?").get_by_label("Yes").check()
    page.get_by_role("button", name="Record the decision").click()
    journey.step("disclosure recorded")
    disclosure = Disclosure.objects.get()
    assert journey.heading()
    assert "Thames Valley Police" in journey.main_text()
    assert page.url.endswith(f"/families/{family.pk}/sharing/{disclosure.pk}/")

    # Close the case: the page says how long the records are kept.
    journey.visit(f"/families/{family.pk}/cases/{case.pk}/close/")
    fill_date(page, "Date the case closed", today)
    page.get_by_label("Needs met").check()
    page.get_by_role("button", name="Close case").click()
    journey.step("case closed")
    due = today.replace(year=today.year + 7)
    assert f"kept until {due.day} {due:%B %Y}" in journey.banner()
