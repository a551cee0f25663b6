"""Person merge (issue 3): every link moves to the kept record, identifiers fill in, the merged-away
record's history stays, and each refusal (conflicting identifiers, families out of reach, the
wrong role) says why and changes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases import merge
from cases.factories import (
    CaseFactory,
    ExternalDataRecordFactory,
    FamilyFactory,
    MembershipFactory,
    PersonFactory,
)
from cases.models import CaseNote, Document, Membership, Person, PersonMerge
from consent.factories import ConsentRecordFactory, EducationOptOutFactory
from consent.models import ConsentRecord
from fss.core.models import AccessLogEntry

pytestmark = pytest.mark.django_db

DOB = datetime.date(2013, 4, 5)


@pytest.fixture
def pair(north_team, caseworker):
    """The same child recorded twice in two North families (separated parents)."""
    mum = FamilyFactory(team=north_team)
    dad = FamilyFactory(team=north_team)
    keep = PersonFactory(given_name="Maya", family_name="Kowalski", date_of_birth=DOB, nhs_number="")
    other = PersonFactory(
        given_name="Maja",
        family_name="Kowalski",
        date_of_birth=DOB,
        nhs_number="9434765919",
        phone="07700 900123",
    )
    MembershipFactory(family=mum, person=keep)
    MembershipFactory(family=dad, person=other)
    return mum, dad, keep, other


def test_merge_moves_every_link_fills_identifiers_and_keeps_the_history(pair, manager, caseworker):
    mum, dad, keep, other = pair
    case = CaseFactory(family=dad)
    note = CaseNote.objects.create(
        case=case,
        kind=CaseNote.Kind.VISIT,
        occurred_on=datetime.date(2025, 1, 10),
        text="Visit",
        author=caseworker,
    )
    note.people_present.add(other)
    note.people_mentioned.add(other)
    document = Document.objects.create(
        family=dad,
        person=other,
        kind="letter",
        title="School letter",
        file="documents/x.pdf",
        uploaded_by=caseworker,
    )
    record = ExternalDataRecordFactory(family=dad, person=other)
    consent = ConsentRecordFactory(person=other, family=dad, recorded_by=caseworker)
    opt_out = EducationOptOutFactory(person=other)
    other_pk = other.pk

    result = merge.merge_people(keep=keep, other=other, reason="Same child, two spellings", by=manager)

    assert not Person.objects.filter(pk=other_pk).exists()
    assert set(Membership.objects.filter(person=keep).values_list("family_id", flat=True)) == {mum.pk, dad.pk}
    assert list(note.people_present.all()) == [keep]
    assert list(note.people_mentioned.all()) == [keep]
    document.refresh_from_db()
    record.refresh_from_db()
    assert (document.person, record.person) == (keep, keep)
    consent = ConsentRecord.objects.get(pk=consent.pk)
    assert (consent.person_id, consent.decided_by_id) == (keep.pk, keep.pk)
    assert consent.history.first().history_change_reason == f"person merge {result.pk}"
    opt_out.refresh_from_db()
    assert opt_out.person == keep
    keep.refresh_from_db()
    assert (keep.nhs_number, keep.phone) == ("9434765919", "07700 900123")
    assert "Maja Kowalski" in keep.other_names
    # The merged-away record is kept as history, and the merge says where it went.
    deleted = Person.history.filter(id=other_pk).order_by("-history_date").first()
    assert deleted.history_type == "-"
    assert deleted.given_name == "Maja"
    assert (result.kept_person, result.merged_person_id, result.merged_by) == (keep, other_pk, manager)
    assert result.moved["cases.membership"] == 1
    assert "nhs_number" in result.identifiers_filled
    assert AccessLogEntry.objects.filter(person_id=keep.pk, action="change").exists()


def test_two_memberships_of_the_same_family_become_one(north_team, manager):
    family = FamilyFactory(team=north_team)
    keep = PersonFactory(date_of_birth=DOB)
    other = PersonFactory(given_name=keep.given_name, family_name=keep.family_name, date_of_birth=DOB)
    MembershipFactory(family=family, person=keep, start_date=datetime.date(2024, 1, 1))
    MembershipFactory(
        family=family, person=other, start_date=datetime.date(2023, 1, 1), has_parental_responsibility=True
    )
    merge.merge_people(keep=keep, other=other, reason="Entered twice", by=manager)
    [membership] = Membership.objects.filter(family=family)
    assert membership.person == keep
    assert membership.start_date == datetime.date(2023, 1, 1)
    assert membership.has_parental_responsibility


@pytest.mark.parametrize(
    ("field", "a", "b", "words"),
    [
        ("nhs_number", "9434765919", "4010232137", "NHS numbers"),
        ("date_of_birth", DOB, datetime.date(2014, 4, 5), "dates of birth"),
        ("ni_number", "JZ481726B", "QQ123456C", "National Insurance numbers"),
    ],
)
def test_conflicting_identifiers_are_refused_and_nothing_changes(pair, manager, field, a, b, words):
    _, _, keep, other = pair
    Person.objects.filter(pk=keep.pk).update(**{field: a})
    Person.objects.filter(pk=other.pk).update(**{field: b})
    keep.refresh_from_db()
    other.refresh_from_db()
    with pytest.raises(ValidationError, match=words):
        merge.merge_people(keep=keep, other=other, reason="x", by=manager)
    assert Person.objects.filter(pk=other.pk).exists()
    assert not PersonMerge.objects.exists()


def test_conflicting_upns_are_refused(pair, manager):
    from cases.identifiers import upn_check_letter

    _, _, keep, other = pair
    Person.objects.filter(pk=keep.pk).update(upn=upn_check_letter("931098765401") + "931098765401")
    Person.objects.filter(pk=other.pk).update(upn=upn_check_letter("931098765402") + "931098765402")
    keep.refresh_from_db()
    other.refresh_from_db()
    with pytest.raises(ValidationError, match="unique pupil numbers"):
        merge.merge_people(keep=keep, other=other, reason="x", by=manager)


def test_a_person_in_a_family_the_manager_cannot_change_is_refused(pair, manager, south_team):
    _, _, keep, other = pair
    MembershipFactory(family=FamilyFactory(team=south_team), person=other)
    with pytest.raises(ValidationError, match="whose families your team holds"):
        merge.merge_people(keep=keep, other=other, reason="x", by=manager)
    assert Person.objects.filter(pk=other.pk).exists()


def test_caseworkers_and_the_dpo_may_not_merge(pair, caseworker, dpo):
    _, _, keep, other = pair
    for user in (caseworker, dpo):
        with pytest.raises(PermissionDenied):
            merge.merge_people(keep=keep, other=other, reason="x", by=user)


def test_a_reason_is_required_and_the_same_record_cannot_merge_with_itself(pair, manager):
    _, _, keep, other = pair
    with pytest.raises(ValidationError, match="Say why"):
        merge.merge_people(keep=keep, other=other, reason=" ", by=manager)
    with pytest.raises(ValidationError):
        merge.merge_people(keep=keep, other=keep, reason="x", by=manager)


def test_merge_page_compares_the_records_then_merges_on_confirmation(client, pair, manager):
    mum, _, keep, other = pair
    client.force_login(manager)
    url = reverse("cases:person_merge", args=[mum.pk, keep.pk])
    page = client.get(url).content.decode()
    assert f"record {other.pk}" in page
    page = client.post(url, {"other": other.pk, "reason": "Same child"}).content.decode()
    assert "The two records" in page
    assert "9434765919" in page
    assert Person.objects.filter(pk=other.pk).exists()  # not yet
    response = client.post(url, {"other": other.pk, "reason": "Same child", "confirm": "yes"})
    assert response["Location"] == reverse("cases:person_detail", args=[mum.pk, keep.pk])
    assert not Person.objects.filter(pk=other.pk).exists()


def test_merge_page_shows_the_refusal(client, pair, manager):
    mum, _, keep, other = pair
    Person.objects.filter(pk=keep.pk).update(nhs_number="4010232137")
    client.force_login(manager)
    url = reverse("cases:person_merge", args=[mum.pk, keep.pk])
    page = client.post(url, {"other": other.pk, "reason": "Same", "confirm": "yes"}).content.decode()
    assert "These records cannot be merged" in page
    assert "NHS numbers" in page
    assert Person.objects.filter(pk=other.pk).exists()


def test_merge_page_is_for_managers_of_the_family(client, pair, caseworker, other_caseworker):
    mum, _, keep, _ = pair
    url = reverse("cases:person_merge", args=[mum.pk, keep.pk])
    client.force_login(caseworker)
    assert client.get(url).status_code == 403
