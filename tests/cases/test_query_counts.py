"""Caseworker pages stay within 15 queries, whatever the size of the family or caseload (SPEC §11).

Each page is measured through the test client with the full middleware stack
(session read and save, user, permissions, access log), after one warm-up request,
for a small family and a large one: the count must be the same and at most 15.
Counts include the SAVEPOINT/RELEASE pair around the session save that the test
transaction adds, so production makes two fewer.
"""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.factories import (
    AssessmentFactory,
    CaseFactory,
    FamilyAddressFactory,
    FamilyFactory,
    MembershipFactory,
    PersonFactory,
    PlanActionFactory,
    PlanFactory,
)
from cases.models import ApprovalStatus, CaseNote, ClosureRequest, Document, Membership, PaperRecord, Referral
from consent.factories import PrivacyNoticeVersionFactory, give_agreement
from fss.core.models import AccessLogEntry
from sharing.factories import DisclosureFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
LIMIT = 15


@pytest.fixture(autouse=True)
def _notice(db):
    PrivacyNoticeVersionFactory(effective_from=TODAY() - relativedelta(years=5))


def _family(team, worker, *, people: int, notes: int, documents: int, disclosures: int, closure=False):
    family = FamilyFactory(team=team, lead_worker=worker)
    FamilyAddressFactory(family=family)
    case = CaseFactory(family=family, lead_worker=worker, opened_on=TODAY() - timedelta(days=200))
    CaseFactory(
        family=family,
        opened_on=TODAY() - relativedelta(years=3),
        closed=True,
        closed_on=TODAY() - relativedelta(years=2),
    )
    Referral.objects.create(
        family=family, received_on=case.opened_on, source="school", reason="Attendance", recorded_by=worker
    )
    parent = MembershipFactory(
        family=family,
        person=PersonFactory(age=35),
        role=Membership.Role.PARENT_CARER,
        has_parental_responsibility=True,
    ).person
    give_agreement(family=family, person=parent, by=worker, on=case.opened_on)
    members = [parent] + [
        MembershipFactory(family=family, person=PersonFactory(age=8), role=Membership.Role.CHILD).person
        for _ in range(people - 1)
    ]
    for i in range(notes):
        note = CaseNote.objects.create(
            case=case, kind="visit", occurred_on=TODAY() - timedelta(days=i), text=f"Visit {i}", author=worker
        )
        note.people_present.set(members[:3])
        note.people_mentioned.set(members[-1:])
    for i in range(documents):
        Document.objects.create(
            family=family,
            person=members[i % len(members)],
            kind=Document.Kind.LETTER,
            title=f"Letter {i}",
            file=SimpleUploadedFile(f"letter{i}.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
            uploaded_by=worker,
        )
        PaperRecord.objects.create(family=family, location=f"Walton Street, box {i}", recorded_by=worker)
    organisation = OrganisationFactory() if disclosures else None
    for i in range(disclosures):
        DisclosureFactory(family=family, person=members[i % len(members)], organisation=organisation)
    if people > 1:
        assessment = AssessmentFactory(case=case, assessor=worker, status=ApprovalStatus.SUBMITTED)
        plan = PlanFactory(case=case, created_by=worker, status=ApprovalStatus.SUBMITTED)
        for _ in range(3):
            PlanActionFactory(plan=plan, owner=worker, created_by=worker)
        assert assessment.pk
    if closure:
        ClosureRequest.objects.create(
            case=case, closed_on=TODAY(), reason="needs_met", requested_by=worker, comment="Done"
        )
    return family


@pytest.fixture
def small(north_team, caseworker):
    return _family(north_team, caseworker, people=1, notes=1, documents=0, disclosures=0)


@pytest.fixture
def large(north_team, caseworker):
    return _family(north_team, caseworker, people=8, notes=40, documents=6, disclosures=5, closure=True)


def _count(client, url, method="get", data=None) -> int:
    getattr(client, method)(url, data or {})  # warm-up: per-process caches (content types) do not count
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {})
    assert response.status_code == 200, response.status_code
    return len(captured)


def _both(client, name, small, large, **kwargs):
    counts = [
        _count(client, reverse(name, kwargs={"pk": family.pk, **kwargs.get(family.pk, {})}))
        for family in (small, large)
    ]
    assert counts[0] == counts[1] <= LIMIT, counts
    return counts


@pytest.mark.parametrize("name", ["cases:family_detail", "cases:family_notes", "cases:family_documents"])
def test_the_family_pages_are_within_15_queries_and_do_not_grow(client, caseworker, small, large, name):
    client.force_login(caseworker)
    _both(client, name, small, large)


def test_the_family_page_for_the_manager_who_may_approve_a_closure(client, manager, small, large):
    client.force_login(manager)
    html = client.get(reverse("cases:family_detail", args=[large.pk])).content.decode()
    assert "Approve or return" in html
    _both(client, "cases:family_detail", small, large)


def test_the_family_page_summarises_what_moved_to_its_own_pages(client, caseworker, large):
    client.force_login(caseworker)
    html = client.get(reverse("cases:family_detail", args=[large.pk])).content.decode()
    assert "40 notes" in html
    assert reverse("cases:family_notes", args=[large.pk]) in html
    assert "6 documents" in html
    assert "Walton Street, box 0" in html
    assert "and 5 more" in html
    assert reverse("cases:family_documents", args=[large.pk]) in html
    assert "5 sharing decisions recorded" in html
    assert reverse("sharing:history", args=[large.pk]) in html
    assert "Waiting for approval" in html
    notes = client.get(reverse("cases:family_notes", args=[large.pk])).content.decode()
    assert "Visit 39" in notes
    documents = client.get(reverse("cases:family_documents", args=[large.pk])).content.decode()
    assert "Letter 5" in documents
    assert "Walton Street, box 5" in documents


@pytest.mark.parametrize("name", ["cases:family_notes", "cases:family_documents"])
def test_the_sub_pages_log_the_read_and_are_404_outside_the_grant(
    client, caseworker, other_caseworker, small, name
):
    client.force_login(other_caseworker)
    assert client.get(reverse(name, args=[small.pk])).status_code == 404
    client.force_login(caseworker)
    client.get(reverse(name, args=[small.pk]))
    entry = AccessLogEntry.objects.get(family_id=small.pk, view_name=name)
    assert (entry.user, entry.action) == (caseworker, "view")


def test_the_person_page_is_within_15_queries_and_does_not_grow(client, caseworker, small, large):
    client.force_login(caseworker)
    counts = [
        _count(
            client,
            reverse(
                "cases:person_detail", args=[family.pk, family.memberships.order_by("pk").first().person_id]
            ),
        )
        for family in (small, large)
    ]
    assert counts[0] == counts[1] <= LIMIT, counts


def test_my_work_is_within_15_queries_and_does_not_grow(client, caseworker, manager, north_team, small):
    client.force_login(manager)
    few = _count(client, reverse("cases:my_work"))
    client.force_login(caseworker)
    few_worker = _count(client, reverse("cases:my_work"))
    for _ in range(6):
        _family(north_team, caseworker, people=3, notes=2, documents=1, disclosures=0, closure=True)
    many_worker = _count(client, reverse("cases:my_work"))
    client.force_login(manager)
    many = _count(client, reverse("cases:my_work"))
    assert few == many <= LIMIT, (few, many)
    assert few_worker == many_worker <= LIMIT, (few_worker, many_worker)


def test_search_is_within_15_queries_and_does_not_grow(client, caseworker, north_team, small):
    client.force_login(caseworker)
    surname = small.memberships.first().person.family_name
    few = _count(client, reverse("cases:family_search"), "post", {"name": surname})
    for _ in range(6):
        family = _family(north_team, caseworker, people=3, notes=0, documents=0, disclosures=0)
        for membership in family.memberships.all():
            membership.person.family_name = surname
            membership.person.save()
    assert _count(client, reverse("cases:family_search"), "post", {"name": surname}) == few <= LIMIT
