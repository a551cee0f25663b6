"""The reads that caseworker pages need, with their joins in one place (SPEC §4.4).

Every function takes the user and starts from `cases.access`, so a page can
never show a family the user may not see. Query counts are fixed per page
(tests use django_assert_num_queries), whatever the size of the caseload.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from cases.access import families_visible_to
from cases.models import (
    Case,
    CaseEvent,
    CaseNote,
    Family,
    FamilyAddress,
    Membership,
    Person,
    Referral,
)
from cases.search_keys import name_key, names_match, postcode_key

SEARCH_LIMIT = 50
NOTES_ON_FAMILY_PAGE = 50


def family_page_queryset() -> QuerySet[Family]:
    """Families with everything the family page shows, prefetched (a fixed number of queries).

    Pass to `cases.access.get_family_for_user(..., queryset=...)`.
    """
    return Family.objects.select_related("team", "lead_worker").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("person").order_by("role", "person__date_of_birth"),
        ),
        Prefetch("addresses", queryset=FamilyAddress.objects.order_by("-start_date")),
        Prefetch(
            "referrals",
            queryset=Referral.objects.select_related("decided_by", "recorded_by").order_by("-received_on"),
        ),
        Prefetch(
            "cases",
            queryset=Case.objects.select_related("lead_worker").prefetch_related(
                Prefetch("events", queryset=CaseEvent.objects.select_related("by").order_by("at"))
            ),
        ),
    )


def notes_for_family(family: Family, *, limit: int = NOTES_ON_FAMILY_PAGE) -> list[CaseNote]:
    """The family's latest notes, newest first, with author and people."""
    return list(
        CaseNote.objects.filter(case__family=family)
        .select_related("author")
        .prefetch_related("people_present", "people_mentioned")
        .order_by("-occurred_on", "-created_at")[:limit]
    )


@dataclass(frozen=True)
class MyWork:
    open_cases: list[Case]
    referrals_waiting: list[Referral]
    consent_reviews_due: list


CONSENT_REVIEW_WINDOW_DAYS = 30


def my_work(user) -> MyWork:
    """A caseworker's day: their open cases and their teams' referrals awaiting a decision."""
    visible = families_visible_to(user)
    open_cases = list(
        Case.objects.filter(status=Case.Status.OPEN, lead_worker=user, family__in=visible)
        .select_related("family")
        .order_by("opened_on")
    )
    referrals = list(
        Referral.objects.filter(decision=Referral.Decision.PENDING, family__in=visible)
        .select_related("family")
        .order_by("received_on")[:SEARCH_LIMIT]
    )
    from consent.selectors import reviews_due

    consent_reviews = list(
        reviews_due(
            on=timezone.localdate(),
            within_days=CONSENT_REVIEW_WINDOW_DAYS,
            families=visible.filter(lead_worker=user),
        )[:SEARCH_LIMIT]
    )
    return MyWork(open_cases=open_cases, referrals_waiting=referrals, consent_reviews_due=consent_reviews)


@dataclass(frozen=True)
class SearchResult:
    family: Family
    people: list[Person]


def search_families(
    user,
    *,
    name: str = "",
    date_of_birth: date | None = None,
    postcode: str = "",
    reference: str = "",
) -> list[SearchResult]:
    """Families the user may see that match every criterion given (SPEC §4.4).

    Names match tolerantly (case, accents, hyphens, small typos: `cases.search_keys`);
    the database narrows by reference, date of birth and postcode first, then
    names are compared in Python over the remaining people of visible families.
    """
    families: QuerySet[Family] = families_visible_to(user)
    if reference:
        families = families.filter(reference__iexact=reference.strip())
    if postcode:
        families = families.filter(addresses__postcode_key=postcode_key(postcode))
    candidates = Membership.objects.filter(family__in=families)
    if date_of_birth:
        candidates = candidates.filter(person__date_of_birth=date_of_birth)
    query = name_key(name) if name else ""
    # Every candidate's name keys are compared (only the key column is read, never the
    # encrypted ones); the people and families matched are then loaded once.
    matched_pairs: list[tuple[int, int]] = []
    families_seen: set[int] = set()
    rows = candidates.order_by("family__reference", "person__family_name").values_list(
        "family_id", "person_id", "person__search_name"
    )
    for family_id, person_id, search_name in rows.iterator(chunk_size=2000):
        if query and not any(names_match(query, key) for key in search_name.split("|") if key):
            continue
        if family_id not in families_seen:
            if len(families_seen) == SEARCH_LIMIT:
                break
            families_seen.add(family_id)
        matched_pairs.append((family_id, person_id))
    people = Person.objects.only(
        "pk", "given_name", "family_name", "preferred_name", "date_of_birth", "expected_date_of_birth"
    ).in_bulk([person_id for _, person_id in matched_pairs])
    found = Family.objects.in_bulk(families_seen)
    matched: dict[int, SearchResult] = {}
    for family_id, person_id in matched_pairs:
        result = matched.setdefault(family_id, SearchResult(found[family_id], []))
        if people[person_id] not in result.people:
            result.people.append(people[person_id])
    return list(matched.values())[:SEARCH_LIMIT]


@dataclass(frozen=True)
class Flag:
    label: str
    colour: str


def family_flags(
    *, family: Family, members: list[Person], cases: list[Case], on, break_glass: bool
) -> list[Flag]:
    """The risk flags on the family header (SPEC §4.4 issue: visible at a glance).

    Three queries whatever the family's size: restrictions, legal holds, open requests.
    """
    from django.db.models import Q

    from retention.models import LegalHold
    from sar.selectors import people_with_open_requests, restrictions_in_force

    flags = []
    ids = [person.pk for person in members]
    if any(person.has_send for person in members):
        flags.append(Flag("SEND", "blue"))
    if any(person.has_ehc_plan for person in members):
        flags.append(Flag("EHC plan", "purple"))
    stepped_up = any(case.closure_reason == Case.ClosureReason.STEPPED_UP for case in cases) or any(
        referral.decision == Referral.Decision.STEP_UP for referral in family.referrals.all()
    )
    if stepped_up:
        flags.append(Flag("Stepped up to social care", "orange"))
    if restrictions_in_force(on=on).filter(subject_id__in=ids).exists():
        flags.append(Flag("Restricted", "red"))
    if LegalHold.objects.active().filter(Q(family=family) | Q(person_id__in=ids)).exists() or (
        set(ids) & people_with_open_requests()
    ):
        flags.append(Flag("Legal hold", "yellow"))
    if break_glass:
        flags.append(Flag("Break-glass in use", "red"))
    return flags
