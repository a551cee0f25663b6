"""Journey 3 (SPEC §7, §8): the Data Protection Officer answers a subject access request from logging
it to downloading the package, places a legal hold and reads the retention review queue.

Pages (the SAR): sign-in, Subject access requests, Add subject access request (console), the request
page, Review redactions, a record's redactions, Sign off, Package made, Confirm it is you (the
download asks again). Pages (retention): Add legal hold (console), Legal holds (console), Review queue.
"""

import datetime
import re

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from cases.factories import CaseFactory, FamilyFactory
from cases.models import CaseNote
from retention.models import LegalHold
from sar.models import SarPackage, SubjectAccessRequest
from tests.browser.conftest import PASSWORD
from tests.browser.helpers import age_sign_in, member
from tests.retention.conftest import closed_family

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_dpo_answers_a_subject_access_request(journey, dpo, caseworker, north_team, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    family = FamilyFactory(team=north_team, lead_worker=caseworker)
    maya = member(family, "parent_carer", given_name="Maya", family_name="Reid", pr=True)
    member(FamilyFactory(), "parent_carer", given_name="Priya", family_name="Shah")  # known elsewhere
    case = CaseFactory(family=family, opened_on=today - relativedelta(months=3), lead_worker=caseworker)
    note = CaseNote.objects.create(
        case=case,
        kind=CaseNote.Kind.VISIT,
        occurred_on=today - relativedelta(months=2),
        text="Maya said Priya Shah from next door helps with the school run.",
        author=caseworker,
    )
    note.people_present.add(maya)
    page = journey.page

    # Log the request in the console.
    journey.sign_in(dpo, "/subject-access/")
    assert journey.heading() == "Subject access requests"
    page.locator("main").get_by_role("link", name="DPO console").click()
    journey.step("log a request")
    page.get_by_label("Date received:").fill(today.isoformat())
    page.get_by_label("Channel:").select_option("email")
    page.get_by_label("Requester name:").fill("Maya Reid")
    page.get_by_label("Requester contact:").fill("maya@example.org")
    page.get_by_label("Requester is:").select_option("self")
    page.get_by_label("Subject:", exact=True).fill(str(maya.pk))
    page.get_by_role("button", name="Save", exact=True).click()
    journey.step("request logged")
    sar = SubjectAccessRequest.objects.get()
    assert sar.subject == maya

    # Compile the records.
    journey.visit(f"/subject-access/{sar.pk}/")
    assert journey.heading() == sar.reference
    page.get_by_role("button", name="Compile the records").click()
    journey.step("compiled")
    journey.visit(f"/subject-access/{sar.pk}/")
    assert "Compile again" in journey.main_text()

    # Redact: decide each highlighted name (the other person's name is withheld).
    page.get_by_role("link", name="Review redactions").first.click()
    journey.step("review redactions")
    assert journey.heading() == "Review redactions"
    assert "Priya Shah" in journey.main_text()
    for _ in range(10):
        decide = page.locator("main").get_by_role("link", name=re.compile(r"^Decide \d+ redaction"))
        if decide.count() == 0:
            break
        decide.first.click()
        journey.step("a record's redactions")
        for group in page.locator("main fieldset").all():
            group.get_by_label("Withhold").check()
        for ground in page.locator("main select").all():
            ground.select_option("third_party")
        page.get_by_role("button", name="Save", exact=True).click()
        journey.step("decided")
        journey.visit(f"/subject-access/{sar.pk}/review/")
    assert "0 to decide" in journey.main_text()

    # Sign off, then make the package.
    journey.visit(f"/subject-access/{sar.pk}/sign-off/")
    page.get_by_label("I have reviewed every proposed redaction").check()
    page.get_by_role("button", name="Sign off").click()
    journey.step("signed off")
    page.get_by_role("button", name="Make the package").click()
    journey.step("package made")
    assert journey.heading() == "Package made"
    password = page.locator("main .fss-password").inner_text()
    assert re.fullmatch(r"[0-9A-Z-]{24}", password)
    package = SarPackage.objects.get()

    # Twenty minutes later, downloading asks the DPO to confirm it is them first.
    age_sign_in(journey.page, minutes=20)
    journey.visit(f"/subject-access/{sar.pk}/")
    page.get_by_role("link", name="PDF", exact=True).click()
    journey.step("confirm it is you")
    assert journey.heading() == "Confirm it is you"
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_download() as download:
        page.locator("main").get_by_role("button", name="Continue").click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    assert package.pk


def test_dpo_places_a_legal_hold_and_reads_the_review_queue(journey, dpo, north_team):
    today = timezone.localdate()
    # Closed 7 years ago less three weeks: inside the notice period, so on the review queue.
    coming_due = closed_family(closed_on=today - relativedelta(years=7) + datetime.timedelta(days=21))
    under_inquiry = FamilyFactory(team=north_team)
    page = journey.page

    journey.sign_in(dpo, "/admin/retention/legalhold/add/")
    assert journey.heading() == "Add legal hold"
    page.get_by_label("Family reference:").fill(under_inquiry.reference)
    page.get_by_label("Reason:").select_option("inquiry")
    page.get_by_label("Details:").fill("Independent inquiry, letter of 3 March")
    page.get_by_label("Review date:").fill((today + relativedelta(months=6)).isoformat())
    page.get_by_role("button", name="Save", exact=True).click()
    journey.step("hold placed")
    assert "was added successfully" in page.locator(".messagelist").inner_text()
    assert under_inquiry.reference in page.locator("#result_list").inner_text()
    hold = LegalHold.objects.get()
    assert hold.family == under_inquiry
    assert hold.placed_by == dpo

    journey.visit("/admin/retention/destructionnotice/", "the review queue")
    assert journey.heading() == "Review queue: due or coming due for destruction"
    rows = page.locator("#content-main table tbody tr")
    assert rows.filter(has_text=coming_due.reference).count() == 1
    assert rows.filter(has_text=under_inquiry.reference).count() == 0
