"""The reads that caseworker pages need, with their joins in one place (SPEC §4.4).

Every function takes the user and starts from `cases.access`, so a page can
never show a family the user may not see. Query counts are fixed per page
(tests use django_assert_num_queries), whatever the size of the caseload.
"""

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone

from cases.access import families_visible_to
from cases.models import (
    Case,
    CaseEvent,
    CaseNote,
    ClosureRequest,
    Document,
    Family,
    FamilyAddress,
    Membership,
    PaperRecord,
    Person,
    Referral,
)
from cases.search_keys import name_key, names_match, postcode_key
from fss.core.models import TeamMembership

SEARCH_LIMIT = 50
# pg_trgm word similarity a search word needs with a name for the database to offer that person as a
# candidate (PostgreSQL only; `search_families`). A typo forgiven by `cases.search_keys` keeps at least
# 1/5 of a word's trigrams (two neighbours swapped in a 4-letter word: "jhon" for "john" shares only
# the start-of-word trigram), so 0.19 lets every one-typo match through; see docs/performance.md.
SEARCH_TRIGRAM_THRESHOLD = 0.19
NOTES_ON_FAMILY_PAGE = 50


def _latest_closure(field: str):
    latest = ClosureRequest.objects.filter(case=OuterRef("pk")).order_by("-requested_at", "-pk")
    return Subquery(latest.values(field)[:1])


def _current_address(field: str):
    current = FamilyAddress.objects.filter(family=OuterRef("pk"), end_date__isnull=True).order_by(
        "-start_date", "-pk"
    )
    return Subquery(current.values(field)[:1])


def _open_request_about_a_member():
    # The family-page form of sar.selectors.people_with_open_requests (keep the two in step):
    # an open SAR, an undecided rights request or a complaint without an outcome about a member.
    from sar.models import Complaint, RightsRequest, SubjectAccessRequest

    member = {"subject__memberships__family": OuterRef("pk")}
    return (
        Exists(
            SubjectAccessRequest.objects.exclude(status__in=SubjectAccessRequest.CLOSED_STATUSES).filter(
                **member
            )
        )
        | Exists(RightsRequest.objects.filter(decided_on__isnull=True, **member))
        | Exists(Complaint.objects.filter(outcome_on__isnull=True, **member))
    )


def family_page_queryset(user=None, *, on: date | None = None) -> QuerySet[Family]:
    """Families with everything the family page shows, in a fixed number of queries (SPEC §11: ≤ 15).

    Pass to `cases.access.get_family_for_user(..., queryset=...)`. One query for the
    family brings, as annotations, its current address, the risk flags that need the
    database (restriction, legal hold, open requests about a member), the counts and
    first paper file location the page summarises, and whether `user` manages its
    team; then one each for memberships, referrals, cases (with their latest closure
    request as annotations) and case events.
    """
    from retention.models import LegalHold
    from sar.selectors import restrictions_in_force
    from sharing.models import Disclosure

    on = on or timezone.localdate()
    first_paper = PaperRecord.objects.filter(family=OuterRef("pk")).order_by("recorded_at", "pk")
    cases = Case.objects.select_related("lead_worker").annotate(
        closure_pk=_latest_closure("pk"),
        closure_status=_latest_closure("status"),
        closure_closed_on=_latest_closure("closed_on"),
        closure_request_reason=_latest_closure("reason"),
        closure_receiving_team=_latest_closure("receiving_team"),
        closure_requested_by_id=_latest_closure("requested_by_id"),
        closure_decision_comment=_latest_closure("decision_comment"),
    )
    queryset = (
        Family.objects.select_related("team", "lead_worker")
        .annotate(
            address_line_1=_current_address("line_1"),
            address_line_2=_current_address("line_2"),
            address_town=_current_address("town"),
            address_postcode=_current_address("postcode"),
            flag_restricted=Exists(
                restrictions_in_force(on=on).filter(subject__memberships__family=OuterRef("pk"))
            ),
            flag_legal_hold=Exists(
                LegalHold.objects.active().filter(
                    Q(family=OuterRef("pk")) | Q(person__memberships__family=OuterRef("pk"))
                )
            )
            | _open_request_about_a_member(),
            note_count=Subquery(
                CaseNote.objects.filter(case__family=OuterRef("pk"))
                .order_by()
                .values("case__family")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            document_count=Subquery(
                Document.objects.filter(family=OuterRef("pk"))
                .order_by()
                .values("family")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            paper_count=Subquery(
                PaperRecord.objects.filter(family=OuterRef("pk"))
                .order_by()
                .values("family")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            disclosure_count=Subquery(
                Disclosure.objects.filter(family=OuterRef("pk"))
                .order_by()
                .values("family")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            first_paper_location=Subquery(first_paper.values("location")[:1]),
            first_paper_box=Subquery(first_paper.values("box_or_barcode")[:1]),
        )
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("person").order_by(
                    "role", "person__date_of_birth"
                ),
            ),
            Prefetch(
                "referrals",
                queryset=Referral.objects.select_related("decided_by", "recorded_by").order_by(
                    "-received_on"
                ),
            ),
            Prefetch(
                "cases",
                queryset=cases.prefetch_related(
                    Prefetch("events", queryset=CaseEvent.objects.select_related("by").order_by("at"))
                ),
            ),
        )
    )
    if user is not None and getattr(user, "pk", None):
        queryset = queryset.annotate(
            user_manages_team=Exists(
                TeamMembership.objects.filter(user=user, team=OuterRef("team"), is_manager=True)
            )
        )
    return queryset


def notes_for_family(family: Family, *, limit: int = NOTES_ON_FAMILY_PAGE) -> list[CaseNote]:
    """The family's latest notes, newest first, with author and people."""
    return list(
        CaseNote.objects.filter(case__family=family)
        .select_related("author")
        .prefetch_related("people_present", "people_mentioned")
        .order_by("-occurred_on", "-created_at")[:limit]
    )


def documents_for_family(family: Family) -> list[Document]:
    """The family's documents, newest first, with the person each is about (two queries at most)."""
    return list(family.documents.select_related("person").order_by("-uploaded_at", "-pk"))


@dataclass(frozen=True)
class MyWork:
    open_cases: list[Case]
    referrals_waiting: list[Referral]
    consent_reviews_due: list
    # Closure requests of open cases: for a manager, their teams' requests from others, waiting;
    # for anyone, their own latest request, waiting or returned with a comment.
    closures_to_approve: list[ClosureRequest] = ()
    my_closure_requests: list[ClosureRequest] = ()


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
        )
        # Already implied by `families`; said again as a join so that PostgreSQL starts from the
        # user's ~200 families, not from every review due in the service (docs/performance.md).
        .filter(family__lead_worker=user)[:SEARCH_LIMIT]
    )
    to_approve, mine = closure_requests_for(user, visible=visible)
    return MyWork(
        open_cases=open_cases,
        referrals_waiting=referrals,
        consent_reviews_due=consent_reviews,
        closures_to_approve=to_approve,
        my_closure_requests=mine,
    )


def closure_requests_for(user, *, visible=None) -> tuple[list[ClosureRequest], list[ClosureRequest]]:
    """Closure requests of open cases for My work, in one query.

    First, for a team manager: their teams' requests from someone else, waiting for
    approval. Second: the user's own latest request of each case, waiting or returned.
    """
    from fss.core import roles

    visible = families_visible_to(user) if visible is None else visible
    later = ClosureRequest.objects.filter(case=OuterRef("case"), pk__gt=OuterRef("pk"))
    own = Q(
        requested_by=user, status__in=[ClosureRequest.Status.PENDING, ClosureRequest.Status.RETURNED]
    ) & ~Exists(later)
    wanted = own
    is_manager = user.has_role(roles.TEAM_MANAGER)
    if is_manager:
        managed = visible.filter(team__memberships__user=user, team__memberships__is_manager=True)
        wanted |= Q(status=ClosureRequest.Status.PENDING, case__family__in=managed) & ~Q(requested_by=user)
    rows = list(
        ClosureRequest.objects.filter(wanted, case__status=Case.Status.OPEN, case__family__in=visible)
        .select_related("case__family", "requested_by", "decided_by")
        .order_by("requested_at", "pk")[: 2 * SEARCH_LIMIT]
    )
    mine = [row for row in rows if row.requested_by_id == user.pk]
    to_approve = [row for row in rows if row.requested_by_id != user.pk] if is_manager else []
    return to_approve[:SEARCH_LIMIT], mine[:SEARCH_LIMIT]


def closures_to_approve(user, *, visible=None) -> list[ClosureRequest]:
    """For a team manager: closure requests of their teams' families, from someone else, waiting."""
    return closure_requests_for(user, visible=visible)[0]


def my_closure_requests(user, *, visible=None) -> list[ClosureRequest]:
    """The user's latest closure request of each open case: waiting, or returned with a comment."""
    return closure_requests_for(user, visible=visible)[1]


class _AsIfClosed:
    """A family's cases and referrals as they would be with one case closed on a date."""

    class _Rows(list):
        def all(self):
            return self

    def __init__(self, family: Family, case: Case, closed_on: date):
        cases = []
        for row in family.cases.all():
            if row.pk == case.pk:
                row = Case(pk=row.pk, opened_on=row.opened_on, status=Case.Status.CLOSED, closed_on=closed_on)
            cases.append(row)
        self.cases = self._Rows(cases)
        self.referrals = self._Rows(family.referrals.all())


def destruction_date_if_closed(case: Case, closed_on: date, *, policy=None) -> date | None:
    """The destruction date closing `case` on `closed_on` would give the family (None if still involved).

    Shown while a closure waits for a manager's approval, so the worker and the
    manager see what the closure implies (SPEC §4.4).
    """
    from retention.models import RetentionPolicy
    from retention.selectors import current_policy, family_involvement_ended_on

    ended = family_involvement_ended_on(_AsIfClosed(case.family, case, closed_on))
    if ended is None:
        return None
    policy = policy or current_policy(RetentionPolicy.RecordKind.FAMILY_CASE_FILE)
    return policy.due_date(ended)


@dataclass(frozen=True)
class SearchResult:
    family: Family
    people: list[Person]


class _WordSimilar(Func):
    """`word <% search_name`: pg_trgm's word similarity of the word to some part of the name is at least
    `pg_trgm.word_similarity_threshold`. PostgreSQL only; answered from the GIN trigram index
    `cases_person_search_name_trgm` (migration 0014)."""

    template = "%(expressions)s"
    arg_joiner = " <%% "
    output_field = BooleanField()


class _StrictWordSimilar(_WordSimilar):
    """`text <<% search_name`: the same against whole words of the name, at
    `pg_trgm.strict_word_similarity_threshold` (PostgreSQL's default, 0.5)."""

    arg_joiner = " <<%% "


def _trigram_candidates(query_key: str) -> QuerySet[Person]:
    """People whose name might match the search (a superset of `names_match` in practice): every word of
    the search is word-similar to the name, or (for a search of several words) the search with its
    spaces taken out is strictly word-similar to it ("de la cruz" for "Delacruz")."""
    words = query_key.split()
    condition = Q()
    for word in words:
        condition &= Q(_WordSimilar(Value(word), "search_name"))
    if len(words) > 1:
        # Strict, at 0.5: the joined search at the low threshold would offer thousands of people
        # ("harrydodd" shares its first two trigrams with every Harry).
        condition |= Q(_StrictWordSimilar(Value("".join(words)), "search_name"))
    return Person.objects.filter(condition).values("pk")


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
    On PostgreSQL the database also narrows by name first, through the trigram index on
    `Person.search_name` (`SEARCH_TRIGRAM_THRESHOLD`), so only a few people are compared in
    Python however many families the user can see.
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
    trigrams = bool(query) and connection.vendor == "postgresql"
    if trigrams:
        candidates = candidates.filter(person__in=_trigram_candidates(query))
    # Every candidate's name keys are compared (only the key column is read, never the
    # encrypted ones); the people and families matched are then loaded once.
    rows = candidates.order_by("family__reference", "person__family_name").values_list(
        "family_id", "person_id", "person__search_name"
    )
    if trigrams:
        with connection.cursor() as cursor:
            # For this connection (no transaction, so no BEGIN and COMMIT); only trigram
            # conditions read it, and every search sets it again first.
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
                [f"{SEARCH_TRIGRAM_THRESHOLD:.2f}"],
            )
        rows = list(rows)
    else:
        rows = rows.iterator(chunk_size=2000)
    matched_pairs: list[tuple[int, int]] = []
    families_seen: set[int] = set()
    for family_id, person_id, search_name in rows:
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

    No query for a family loaded through `family_page_queryset` (its annotations
    answer); otherwise three: restrictions, legal holds, open requests.
    """
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
    if hasattr(family, "flag_restricted"):
        restricted, held = family.flag_restricted, family.flag_legal_hold
    else:
        restricted = restrictions_in_force(on=on).filter(subject_id__in=ids).exists()
        held = LegalHold.objects.active().filter(Q(family=family) | Q(person_id__in=ids)).exists() or bool(
            set(ids) & people_with_open_requests()
        )
    if restricted:
        flags.append(Flag("Restricted", "red"))
    if held:
        flags.append(Flag("Legal hold", "yellow"))
    if break_glass:
        flags.append(Flag("Break-glass in use", "red"))
    return flags
