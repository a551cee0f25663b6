"""Reads for the returns (SPEC §6.3): the cohorts each return covers, the participation of young people
(domain-rules §7), the runs and what the DPO must chase.

Academic age (domain-rules §7): a young person's age on 31 August before the
academic year starts. The academic year runs from 1 September; its "start
year" is the calendar year of that 1 September. Someone born on 29 February
has their birthday by 31 August in every year, so no special case arises —
`Person.age_on` already counts it from 1 March in a common year.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from cases.models import Case, Family, FamilyAddress, Membership, Person
from cases.programme.selectors import meets_criteria, successful_family_outcome
from sharing.returns.models import (
    NOT_KNOWN_CODE,
    ActivityCode,
    ActivityRecord,
    ContactAttempt,
    FollowUpTask,
    ReturnRun,
    SeptemberGuaranteeOffer,
    TransferRecord,
)

# Education and Skills Act 2008 s.2: participation until 18 — tracked at academic age 16 and 17.
TRACKED_AGES = (16, 17)
# Children and Families Act 2014 s.46: an EHC plan may continue until the end of the academic year in
# which the young person turns 25, i.e. academic age 24 (domain-rules §7: "EHC plan up to 25").
EHC_PLAN_MAX_ACADEMIC_AGE = 24
# A local practice choice: follow-up tasks are made this many days before a review date.
FOLLOW_UP_LEAD_DAYS = 28
# A review date this close counts as "due soon" on the participation list.
DUE_SOON_DAYS = 28


# --- academic age --------------------------------------------------------------------------------


def academic_year_start(on: date) -> int:
    """The start year of the academic year containing `on` (1 September to 31 August)."""
    return on.year if (on.month, on.day) >= (9, 1) else on.year - 1


def academic_age(date_of_birth: date, academic_year: int) -> int:
    """Age on 31 August before academic year `academic_year` (its start year) begins (domain-rules §7)."""
    census = date(academic_year, 8, 31)
    return (
        census.year
        - date_of_birth.year
        - ((census.month, census.day) < (date_of_birth.month, date_of_birth.day))
    )


def academic_age_on(date_of_birth: date, on: date) -> int:
    return academic_age(date_of_birth, academic_year_start(on))


def tracked(*, date_of_birth: date | None, has_ehc_plan: bool, on: date) -> bool:
    """Whether someone is in the participation cohort on `on`: academic age 16 or 17, or with an EHC plan
    from 16 to 24 (domain-rules §7)."""
    if date_of_birth is None:
        return False
    age = academic_age_on(date_of_birth, on)
    if TRACKED_AGES[0] <= age <= TRACKED_AGES[1]:
        return True
    return has_ehc_plan and TRACKED_AGES[0] <= age <= EHC_PLAN_MAX_ACADEMIC_AGE


def _birth_window(academic_year: int, youngest: int, oldest: int) -> tuple[date, date]:
    # Academic age a in year Y: born from 1 September (Y - a - 1) to 31 August (Y - a).
    return date(academic_year - oldest - 1, 9, 1), date(academic_year - youngest, 8, 31)


# --- who is held, and where ---------------------------------------------------------------------


@dataclass(frozen=True)
class CohortMember:
    """Someone a return is about, with the family it is recorded against."""

    person: Person
    family: Family
    role: str = ""
    academic_age: int | None = None


def _current_members(on: date, families=None):
    memberships = Membership.objects.filter(start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)
    )
    if families is not None:
        memberships = memberships.filter(family__in=families)
    return memberships


def resident_family_ids(on: date) -> set[int]:
    """Families held by the service with an address in force on `on` ("by residence", domain-rules §7)."""
    return set(
        FamilyAddress.objects.filter(start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .values_list("family_id", flat=True)
    )


def tracked_cohort(*, on: date, families=None, ages: tuple[int, int] | None = None) -> list[CohortMember]:
    """The participation cohort on `on`: young people of academic age 16–17 (or 16–24 with an EHC plan)
    in a family held by the service with a current address, alive on that day; each once, against the
    family of their earliest current membership. `ages` narrows it (the activity survey: (16, 16));
    `families` limits it to those a user may see. Two queries."""
    year = academic_year_start(on)
    youngest, oldest = ages or (TRACKED_AGES[0], EHC_PLAN_MAX_ACADEMIC_AGE)
    earliest, latest = _birth_window(year, youngest, oldest)
    memberships = (
        _current_members(on, families)
        .filter(person__date_of_birth__gte=earliest, person__date_of_birth__lte=latest)
        .filter(Q(person__date_of_death__isnull=True) | Q(person__date_of_death__gt=on))
        .select_related("person", "family")
        .order_by("person_id", "start_date", "pk")
    )
    resident = resident_family_ids(on)
    seen, cohort = set(), []
    for membership in memberships:
        person = membership.person
        if person.pk in seen or membership.family_id not in resident:
            continue
        age = academic_age(person.date_of_birth, year)
        in_ages = ages is None or ages[0] <= age <= ages[1]
        if in_ages and tracked(date_of_birth=person.date_of_birth, has_ehc_plan=person.has_ehc_plan, on=on):
            seen.add(person.pk)
            cohort.append(CohortMember(person, membership.family, membership.role, age))
    return sorted(cohort, key=lambda m: (m.person.family_name, m.person.given_name, m.person.pk))


# --- current activity ---------------------------------------------------------------------------


def activity_codes_in_force(on: date) -> list[ActivityCode]:
    return list(
        ActivityCode.objects.filter(effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("code")
    )


def activity_code(code: str, on: date) -> ActivityCode:
    """The row for `code` in force on `on` (ActivityCode.DoesNotExist when none is)."""
    return (
        ActivityCode.objects.filter(code=code, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .latest("effective_from")
    )


@dataclass(frozen=True)
class CurrentActivity:
    """What a young person is doing as far as the service knows on `on` (domain-rules §7).

    `code` is the activity that counts: the recorded one, or "not known" (810)
    when there is none or it is past its review date (`lapsed`).
    """

    member: CohortMember
    on: date
    record: ActivityRecord | None
    code: ActivityCode

    @property
    def person(self) -> Person:
        return self.member.person

    @property
    def lapsed(self) -> bool:
        return self.record is not None and self.record.review_on < self.on

    @property
    def never_confirmed(self) -> bool:
        return self.record is None

    @property
    def confirmed_on(self) -> date | None:
        return self.record.confirmed_on if self.record and not self.lapsed else None

    @property
    def review_on(self) -> date | None:
        return self.record.review_on if self.record else None

    @property
    def due_soon(self) -> bool:
        return (
            self.record is not None
            and not self.lapsed
            and self.record.review_on <= self.on + timedelta(days=DUE_SOON_DAYS)
        )

    @property
    def status(self) -> str:
        if self.never_confirmed:
            return "Not known: never confirmed"
        if self.lapsed:
            return (
                f"Not known: past its review date ({self.record.review_on.day} {self.record.review_on:%B %Y})"
            )
        if self.due_soon:
            return "Review due soon"
        return "Current"


def latest_activities(person_ids: Iterable[int], on: date) -> dict[int, ActivityRecord]:
    """Each person's latest activity confirmed on or before `on`. One query."""
    latest: dict[int, ActivityRecord] = {}
    records = (
        ActivityRecord.objects.filter(person_id__in=list(person_ids), confirmed_on__lte=on)
        .select_related("code")
        .order_by("person_id", "confirmed_on", "pk")
    )
    for record in records:
        latest[record.person_id] = record
    return latest


def current_activities(cohort: list[CohortMember], on: date) -> list[CurrentActivity]:
    """The activity that counts for each member of `cohort` on `on`: 810 when none or past review.
    Two queries whatever the cohort's size."""
    latest = latest_activities([m.person.pk for m in cohort], on)
    not_known = activity_code(NOT_KNOWN_CODE, on)
    result = []
    for member in cohort:
        record = latest.get(member.person.pk)
        counts = record.code if record is not None and record.review_on >= on else not_known
        result.append(CurrentActivity(member, on, record, counts))
    return result


def current_activity(person: Person, on: date, *, family: Family | None = None) -> CurrentActivity:
    """One young person's activity that counts on `on` (810 when none or past review)."""
    return current_activities([CohortMember(person, family)], on)[0]


def participation_list(*, user_families, on: date | None = None) -> list[CurrentActivity]:
    """The participation cohort among the families `user_families` (a user's visible families), with
    their current activity, lapsed and never-confirmed first."""
    on = on or timezone.localdate()
    rows = current_activities(tracked_cohort(on=on, families=user_families), on)
    return sorted(
        rows, key=lambda r: (not r.never_confirmed and not r.lapsed, not r.due_soon, r.review_on or on)
    )


def person_participation(*, person: Person, on: date | None = None) -> dict:
    """A young person's participation page: activities, contact attempts, offers, open tasks."""
    on = on or timezone.localdate()
    return {
        "activities": list(
            ActivityRecord.objects.filter(person=person)
            .select_related("code", "recorded_by")
            .order_by("-confirmed_on", "-pk")
        ),
        "contacts": list(
            ContactAttempt.objects.filter(person=person).select_related("recorded_by").order_by("-on", "-pk")
        ),
        "offers": list(
            SeptemberGuaranteeOffer.objects.filter(person=person)
            .select_related("recorded_by")
            .order_by("-academic_year", "-recorded_on", "-pk")
        ),
        "tasks": list(FollowUpTask.objects.filter(person=person, done_on__isnull=True).order_by("due_on")),
        "on": on,
    }


def open_follow_up_tasks(*, user_families=None, on: date | None = None) -> list[FollowUpTask]:
    """Open follow-up tasks, soonest first, for people in `user_families` (all when None)."""
    tasks = FollowUpTask.objects.filter(done_on__isnull=True).select_related(
        "person", "assigned_to", "activity"
    )
    if user_families is not None:
        tasks = tasks.filter(person__memberships__family__in=user_families).distinct()
    return list(tasks.order_by("due_on", "pk"))


def latest_offers(
    person_ids: Iterable[int], academic_year: int, by: date
) -> dict[int, SeptemberGuaranteeOffer]:
    """Each person's latest September Guarantee record for `academic_year` recorded by `by`. One query."""
    latest = {}
    for offer in SeptemberGuaranteeOffer.objects.filter(
        person_id__in=list(person_ids), academic_year=academic_year, recorded_on__lte=by
    ).order_by("person_id", "recorded_on", "pk"):
        latest[offer.person_id] = offer
    return latest


# --- the programme cohort -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeFamily:
    """A family on the programme in a period: the case judged, the criteria and claim answers, and
    the members in the period (domain-rules §6)."""

    family: Family
    case: Case
    criteria: object
    claim: object
    members: tuple[CohortMember, ...]


def programme_families(*, start: date, end: date, as_at: date) -> list[ProgrammeFamily]:
    """Families with a case open at some time between `start` and `end` that meets the programme
    criteria on `as_at` (`cases.programme.selectors.meets_criteria`), with the successful family
    outcome answer on `as_at` and the members of the family during the case within the period."""
    cases = (
        Case.objects.filter(opened_on__lte=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
        .select_related("family")
        .order_by("family_id", "opened_on", "pk")
    )
    latest: dict[int, Case] = {}
    for case in cases:
        latest[case.family_id] = case
    result = []
    for case in latest.values():
        criteria = meets_criteria(case, as_at)
        if not criteria:
            continue
        claim = successful_family_outcome(case, as_at)
        until = min(filter(None, [case.closed_on, end, as_at]))
        members = (
            Membership.objects.filter(family=case.family, start_date__lte=until)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=max(case.opened_on, start)))
            .select_related("person")
            .order_by("role", "person__date_of_birth", "pk")
        )
        cohort = tuple(
            CohortMember(m.person, case.family, m.role)
            for m in members
            if m.person.date_of_birth is not None or m.person.expected_date_of_birth is None  # not the unborn
        )
        result.append(ProgrammeFamily(case.family, case, criteria, claim, cohort))
    return sorted(result, key=lambda f: f.family.reference)


def last_known_postcodes(family_ids: Iterable[int], on: date) -> dict[int, str]:
    """Each family's postcode: the address in force on `on`, else the latest before it. One query."""
    postcodes: dict[int, tuple] = {}
    for family_id, postcode, start, end in FamilyAddress.objects.filter(
        family_id__in=list(family_ids), start_date__lte=on
    ).values_list("family_id", "postcode", "start_date", "end_date"):
        current = end is None or end >= on
        key = (current, start)
        if family_id not in postcodes or key > postcodes[family_id][0]:
            postcodes[family_id] = (key, postcode)
    return {family_id: postcode for family_id, (_, postcode) in postcodes.items()}


# --- runs ---------------------------------------------------------------------------------------


def return_runs(*, kind: str | None = None, limit: int = 100) -> list[ReturnRun]:
    """The latest runs, newest first, with who ran them and their transfer (two queries)."""
    runs = ReturnRun.objects.select_related(
        "recipient", "run_by", "transfer", "supersedes", "superseded_by", "research_project"
    )
    if kind:
        runs = runs.filter(kind=kind)
    return list(runs.order_by("-run_at", "-pk")[:limit])


def current_run_for(*, kind: str, period_start: date, period_end: date, recipient) -> ReturnRun | None:
    """The run of `kind` for this period and recipient that no later run has superseded."""
    return (
        ReturnRun.objects.current()
        .filter(kind=kind, period_start=period_start, period_end=period_end, recipient=recipient)
        .select_related("run_by")
        .order_by("-run_at", "-pk")
        .first()
    )


def run_excluded(run: ReturnRun):
    """The people a run left out, with the check's reason (their "not shared" Disclosures)."""
    from sharing.models import Disclosure

    return list(
        Disclosure.objects.filter(decision_id=run.decision_id, decision=Disclosure.Decision.NOT_SHARED)
        .select_related("person", "family")
        .order_by("person__family_name", "person__given_name", "pk")
    )


def destruction_confirmations_overdue(*, on: date | None = None) -> list[TransferRecord]:
    """Research files sent whose recipient has not confirmed destruction by the due date (SPEC §6.3):
    for the DPO dashboard. One query."""
    on = on or timezone.localdate()
    return list(
        TransferRecord.objects.filter(
            sent_on__isnull=False,
            destruction_confirmed_on__isnull=True,
            destruction_confirmation_due_on__lt=on,
        )
        .select_related("recipient", "research_project", "run")
        .order_by("destruction_confirmation_due_on", "pk")
    )


def transfers_not_sent() -> list[TransferRecord]:
    """Current runs whose file has not been recorded as sent."""
    return list(
        TransferRecord.objects.filter(sent_on__isnull=True, run__superseded_by__isnull=True)
        .select_related("recipient", "run")
        .order_by("created_at")
    )
