"""A restriction of processing stops changes as well as disclosures (SPEC §8.2): "nothing is
disclosed or changed except storage and safeguarding". Each refusal leaves everything as it was;
a safeguarding note or document (marked sensitive) still goes ahead, and so does everything
once the restriction is lifted."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases import imports, merge
from cases.factories import CaseFactory, FamilyFactory, MembershipFactory, PersonFactory
from cases.identifiers import upn_check_letter
from cases.models import CaseNote, Document, Membership
from cases.services import add_member, add_note, update_person, upload_document
from consent.factories import give_agreement
from sar.factories import RightsRequestFactory
from sar.models import RightsRequest
from sar.restriction import IMPORT_ROW_RESTRICTED, SAFEGUARDING_HINT

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _restrict(person, *, lifted_on=None):
    return RightsRequestFactory(
        subject=person,
        kind=RightsRequest.Kind.RESTRICTION,
        received_on=TODAY() - timedelta(days=10),
        decision=RightsRequest.Decision.GRANTED,
        decided_on=TODAY() - timedelta(days=5),
        decision_reason="The accuracy of the record is contested.",
        lifted_on=lifted_on,
    )


@pytest.fixture
def household(north_team, caseworker):
    """An open case; Mum has agreed to work and recording; Leo, her son, is restricted."""
    case = CaseFactory(family=FamilyFactory(team=north_team), opened_on=TODAY() - timedelta(days=30))
    mum = MembershipFactory(
        family=case.family,
        role=Membership.Role.PARENT_CARER,
        has_parental_responsibility=True,
        person=PersonFactory(age=34),
        start_date=case.opened_on - timedelta(days=400),
    ).person
    give_agreement(family=case.family, person=mum, by=caseworker, on=TODAY())
    leo = MembershipFactory(family=case.family, person=PersonFactory(given_name="Leo")).person
    _restrict(leo)
    return case, mum, leo


def _note(case, by, **more):
    return add_note(
        case=case, kind=CaseNote.Kind.VISIT, occurred_on=TODAY(), text="Home visit.", by=by, **more
    )


# --- Refused ---


def test_a_note_naming_a_restricted_person_is_refused(household, caseworker):
    case, mum, leo = household
    for people in ({"people_mentioned": [leo]}, {"people_present": [mum, leo]}):
        with pytest.raises(ValidationError, match="restriction of processing") as error:
            _note(case, caseworker, **people)
        assert SAFEGUARDING_HINT.strip() in error.value.messages[0]
        assert "Leo" not in error.value.messages[0]  # no names in messages
    assert not CaseNote.objects.exists()


def test_a_document_about_a_restricted_person_is_refused(household, caseworker, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case, _mum, leo = household
    with pytest.raises(ValidationError) as error:
        upload_document(
            family=case.family,
            kind=Document.Kind.choices[0][0],
            title="School report",
            file=SimpleUploadedFile("report.txt", b"Report", content_type="text/plain"),
            person=leo,
            by=caseworker,
        )
    assert "restriction of processing" in error.value.message_dict["person"][0]
    assert not Document.objects.exists()


def test_a_restricted_person_is_not_added_to_another_family(household, caseworker, north_team):
    _case, _mum, leo = household
    other = FamilyFactory(team=north_team)
    with pytest.raises(ValidationError, match="restriction of processing"):
        add_member(family=other, role=Membership.Role.CHILD, start_date=TODAY(), person=leo, by=caseworker)
    assert not other.memberships.exists()


def test_their_details_are_not_changed(household, caseworker):
    case, _mum, leo = household
    with pytest.raises(ValidationError, match="restriction of processing"):
        update_person(person=leo, family=case.family, changes={"first_language": "Welsh"}, by=caseworker)
    leo.refresh_from_db()
    assert leo.first_language == ""


def test_a_restricted_person_is_not_merged(household, manager, north_team):
    case, _mum, leo = household
    duplicate = PersonFactory(
        given_name=leo.given_name, family_name=leo.family_name, date_of_birth=leo.date_of_birth
    )
    MembershipFactory(family=FamilyFactory(team=north_team), person=duplicate)
    for keep, other in ((leo, duplicate), (duplicate, leo)):
        with pytest.raises(ValidationError, match="a merge of their records"):
            merge.merge_people(keep=keep, other=other, reason="Same child", by=manager)
    assert duplicate.__class__.objects.filter(pk__in=[leo.pk, duplicate.pk]).count() == 2


def test_imported_rows_about_a_restricted_person_become_errors(household, manager):
    case, mum, leo = household
    upns = {}
    for n, person in enumerate((leo, mum), start=1):
        digits = f"{931098765400 + n:012d}"
        upns[person.pk] = person.upn = upn_check_letter(digits) + digits
        person.save()
    data = "upn,kind,period_start,measure,value\n" + "".join(
        f"{upns[p.pk]},attendance,2025-09-01,Attendance %,90\n" for p in (leo, mum)
    )
    rows = imports.check_and_match(data.encode(), filename="a.csv", default_kind="attendance", user=manager)
    # The same check runs for the preview and again before the commit saves anything.
    assert [(r.person_id, r.status, r.errors) for r in rows] == [
        (leo.pk, "error", [IMPORT_ROW_RESTRICTED]),
        (mum.pk, "matched", []),
    ]


# --- Allowed: safeguarding, other people, after it is lifted ---


def test_a_safeguarding_note_marked_sensitive_is_still_recorded(household, caseworker):
    case, _mum, leo = household
    note = _note(case, caseworker, people_mentioned=[leo], is_sensitive=True)
    assert list(note.people_mentioned.all()) == [leo]


def test_notes_not_naming_the_restricted_person_go_ahead(household, caseworker):
    case, mum, _leo = household
    assert _note(case, caseworker, people_present=[mum]).pk


def test_everything_goes_ahead_once_the_restriction_is_lifted(north_team, caseworker):
    case = CaseFactory(family=FamilyFactory(team=north_team), opened_on=TODAY() - timedelta(days=30))
    person = MembershipFactory(family=case.family).person
    _restrict(person, lifted_on=TODAY())
    update_person(person=person, family=case.family, changes={"first_language": "Welsh"}, by=caseworker)
    person.refresh_from_db()
    assert person.first_language == "Welsh"


def test_a_restriction_not_yet_decided_does_not_block(north_team, caseworker):
    case = CaseFactory(family=FamilyFactory(team=north_team))
    person = MembershipFactory(family=case.family).person
    RightsRequestFactory(subject=person, kind=RightsRequest.Kind.RESTRICTION, received_on=date(2026, 1, 5))
    update_person(person=person, family=case.family, changes={"first_language": "Welsh"}, by=caseworker)
