"""Reads about consent that other apps and pages need (SPEC §5).

`consent` answers "what did this person say?"; it never decides whether a
disclosure is lawful. The sharing check (SPEC §6.2) calls `consent_state` and
weighs the answer against the agreement relied on (domain-rules §1).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from cases.models import Family, Membership, Person
from consent import notice
from consent.models import (
    PURPOSE_CODE,
    ConsentPurpose,
    ConsentRecord,
    EducationOptOut,
    PrivacyNoticeVersion,
    is_family_agreement,
)
from retention.selectors import family_retention_sentence

GIVEN = ConsentRecord.Decision.GIVEN
REFUSED = ConsentRecord.Decision.REFUSED
WITHDRAWN = ConsentRecord.Decision.WITHDRAWN
NOT_ASKED = "not_asked"

# Young people decide for themselves from 16 (SPEC §5.2).
AGE_OF_OWN_DECISION = 16

ADULT_ROLES = {Membership.Role.PARENT_CARER, Membership.Role.OTHER_ADULT}
YOUNG_PERSON_ROLES = {Membership.Role.CHILD, Membership.Role.YOUNG_PERSON}


def long_date(day: date) -> str:
    """A date as GOV.UK writes it: 3 March 2026."""
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class ConsentState:
    """What a person's consent says for one purpose on one date.

    `status` is "given", "refused", "withdrawn" or "not_asked"; `record` is the
    record that decides it (None when not asked), kept so a disclosure can
    store and explain what it relied on.
    """

    status: str
    record: ConsentRecord | None = None
    decided_on: date | None = None

    @classmethod
    def from_record(cls, record: ConsentRecord | None) -> "ConsentState":
        if record is None:
            return cls(NOT_ASKED)
        return cls(record.decision, record, record.decided_on)

    @property
    def is_given(self) -> bool:
        return self.status == GIVEN

    @property
    def label(self) -> str:
        if self.record is None:
            return "Not asked"
        return f"{self.record.get_decision_display()} on {long_date(self.decided_on)}"


@dataclass(frozen=True)
class WorkGate:
    """Whether work with a family may start, with the reasons in plain words."""

    allowed: bool
    reasons: tuple[str, ...]

    def __bool__(self) -> bool:
        return self.allowed


@dataclass(frozen=True)
class ConsentMatrixRow:
    person: Person
    membership: Membership
    states: tuple[ConsentState, ...]  # in the order of ConsentMatrix.purposes


@dataclass(frozen=True)
class ConsentMatrix:
    """Person × purpose → state, for the family page (SPEC §4.4)."""

    on: date
    purposes: tuple[ConsentPurpose, ...]
    rows: tuple[ConsentMatrixRow, ...]

    def state(self, person: Person, code: str) -> ConsentState:
        codes = [purpose.code for purpose in self.purposes]
        for row in self.rows:
            if row.person.pk == person.pk:
                return row.states[codes.index(code)]
        raise KeyError(f"{person} is not a current member of this family")


def _purpose_code(purpose: ConsentPurpose | str) -> str:
    code = purpose.code if isinstance(purpose, ConsentPurpose) else str(purpose)
    PURPOSE_CODE(code)  # a typo in a caller's purpose must fail loudly, not read as "not asked"
    return code


def _latest(records: Iterable[ConsentRecord]) -> ConsentRecord | None:
    # The latest decision wins; on the same day, the one recorded last.
    return max(records, key=lambda record: (record.decided_on, record.pk), default=None)


def consent_state(
    *, person: Person, purpose: ConsentPurpose | str, on: date, family: Family | None = None
) -> ConsentState:
    """What `person`'s consent says for `purpose` on `on`: the latest decision on or before that date.

    THE function the sharing check calls (SPEC §6.2). A withdrawal counts from
    its own date: answers for earlier dates do not change (domain-rules §1.3).
    A corrected record is replaced by its correction for every date. Sharing
    wishes are the person's own whichever family asked; pass `family` to read
    only decisions made in that family's context (the agreements to work with
    the service and to record are made per family — `work_may_start` does).
    """
    records = ConsentRecord.objects.uncorrected().filter(
        person=person, purpose=_purpose_code(purpose), decided_on__lte=on
    )
    if family is not None:
        records = records.filter(family=family)
    return ConsentState.from_record(
        records.select_related("decided_by").order_by("-decided_on", "-pk").first()
    )


def current_memberships(*, family: Family, on: date) -> QuerySet[Membership]:
    """Memberships of `family` in force on `on`, with their people."""
    return (
        Membership.objects.filter(family=family, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .select_related("person")
    )


def decides_for_themselves(*, person: Person, role: str, on: date) -> bool | None:
    """Whether `person` decides for themselves on `on`: 16 or over (SPEC §5.2).

    None when it cannot be told: no date of birth on a child's record, or not
    yet born. An adult's record without a date of birth is taken from their role.
    """
    age = person.age_on(on)
    if age is not None:
        return age >= AGE_OF_OWN_DECISION
    if person.date_of_birth is None and person.expected_date_of_birth is None and role in ADULT_ROLES:
        return True
    return None


def _may_agree_for_the_family(membership: Membership, on: date) -> bool:
    # SPEC §5.2: an adult with parental responsibility, or the young person themselves (16+).
    if not decides_for_themselves(person=membership.person, role=membership.role, on=on):
        return False
    return membership.has_parental_responsibility or membership.role in YOUNG_PERSON_ROLES


_AGREEMENT_WORDS = {
    ConsentPurpose.Kind.SERVICE: "agreement to work with the service",
    ConsentPurpose.Kind.RECORD: "agreement to gather and store information",
}


def work_may_start(*, family: Family, on: date, since: date | None = None) -> WorkGate:
    """Whether work with `family` may start on `on` (SPEC §5.2): the gate before any assessment,
    plan or note beyond the referral and the consent conversation.

    Allowed when one person who may agree for the family — an adult with
    parental responsibility, or the young person themselves aged 16 or over —
    has given both `service` and `record` in this family's context and not
    withdrawn either. The cases app calls this before allowing assessments,
    plans and notes; pass `since` (the case's opening date) so agreement given
    for an earlier, closed case does not open a new one.
    """
    return _work_gate(
        family=family, on=on, since=since, memberships=current_memberships(family=family, on=on)
    )


def _work_gate(*, family: Family, on: date, since: date | None, memberships, records=None) -> WorkGate:
    # `records`: the family's records already loaded (consent records of its members), or None to query.
    memberships = [m for m in memberships if _may_agree_for_the_family(m, on)]
    if not memberships:
        return WorkGate(
            False,
            (
                "No one in the family can agree to work with the service yet: add an adult with "
                "parental responsibility, or the young person if they are 16 or over.",
            ),
        )
    if records is None:
        records = ConsentRecord.objects.uncorrected().filter(
            family=family,
            person__in=[m.person_id for m in memberships],
            purpose__in=list(_AGREEMENT_WORDS),
            decided_on__lte=on,
        )
    else:
        agreeing = {m.person_id for m in memberships}
        records = [
            r
            for r in records
            if r.family_id == family.pk
            and r.person_id in agreeing
            and r.purpose_id in _AGREEMENT_WORDS
            and r.decided_on <= on
        ]
    by_person = defaultdict(list)
    for record in records:
        by_person[(record.person_id, record.purpose_id)].append(record)

    reasons = []
    for membership in memberships:
        person = membership.person
        missing = []
        for code, words in _AGREEMENT_WORDS.items():
            state = ConsentState.from_record(_latest(by_person[(person.pk, code)]))
            if state.status == NOT_ASKED:
                missing.append(f"{words} not recorded")
            elif not state.is_given:
                missing.append(f"{words} {state.status} on {long_date(state.decided_on)}")
            elif since is not None and state.decided_on < since:
                missing.append(f"{words} given on {long_date(state.decided_on)}, before this case began")
        if not missing:
            return WorkGate(
                True, (f"{person} has agreed to work with the service and to us recording information.",)
            )
        reasons.append(f"{person}: {'; '.join(missing)}.")
    return WorkGate(False, tuple(reasons))


_ROW_ORDER = {
    Membership.Role.PARENT_CARER: 0,
    Membership.Role.OTHER_ADULT: 1,
    Membership.Role.YOUNG_PERSON: 2,
    Membership.Role.CHILD: 3,
}


def consent_matrix(*, family: Family, on: date) -> ConsentMatrix:
    """Each current member × each purpose → state and date, for the family page.

    Three queries whatever the family's size (purposes, memberships with
    people, records with their deciders). Cells follow `consent_state`:
    agreements to work and to record are this family's; sharing wishes are the
    person's own, whichever family recorded them.
    """
    records = ConsentRecord.objects.uncorrected().filter(decided_on__lte=on).select_related("decided_by")
    memberships = list(
        current_memberships(family=family, on=on).prefetch_related(
            Prefetch("person__consent_records", queryset=records, to_attr="matrix_records")
        )
    )
    return _matrix(family=family, on=on, memberships=memberships)


def family_consent_overview(
    *, family: Family, on: date, memberships, since: date | None = None
) -> tuple[ConsentMatrix, WorkGate]:
    """The family page's consent matrix and work gate in two queries (purposes, records).

    `memberships`: all the family's memberships with their people, already loaded
    (the family page prefetches them); those current on `on` are used, as
    `consent_matrix` and `work_may_start` would.
    """
    current = [m for m in memberships if m.start_date <= on and (m.end_date is None or m.end_date >= on)]
    loaded = list(
        ConsentRecord.objects.uncorrected()
        .filter(person__in=[m.person_id for m in current], decided_on__lte=on)
        .select_related("decided_by")
    )
    by_person = defaultdict(list)
    for record in loaded:
        by_person[record.person_id].append(record)
    for membership in current:
        membership.person.matrix_records = by_person[membership.person_id]
    matrix = _matrix(family=family, on=on, memberships=list(current))
    gate = _work_gate(family=family, on=on, since=since, memberships=current, records=loaded)
    return matrix, gate


def _matrix(*, family: Family, on: date, memberships: list) -> ConsentMatrix:
    purposes = tuple(purpose for purpose in ConsentPurpose.objects.all() if purpose.is_available_on(on))
    memberships.sort(key=lambda m: (_ROW_ORDER.get(m.role, 9), m.person.date_of_birth or date.max, m.pk))

    rows = []
    for membership in memberships:
        by_purpose = defaultdict(list)
        for record in membership.person.matrix_records:
            if is_family_agreement(record.purpose_id) and record.family_id != family.pk:
                continue
            by_purpose[record.purpose_id].append(record)
        states = tuple(ConsentState.from_record(_latest(by_purpose[p.code])) for p in purposes)
        rows.append(ConsentMatrixRow(membership.person, membership, states))
    return ConsentMatrix(on, purposes, tuple(rows))


def reviews_due(*, on: date, within_days: int = 30, families=None) -> QuerySet[ConsentRecord]:
    """Records still in force on `on` whose review date is past or within `within_days` (My work).

    A record stops being "in force" once a later decision for the same person
    and purpose (in the same family, for the agreements to work and to record)
    or a correction replaces it. Pass `families` to limit to what a user may see.
    """
    later = (
        ConsentRecord.objects.uncorrected()
        .filter(person=OuterRef("person"), purpose=OuterRef("purpose"), decided_on__lte=on)
        .filter(
            Q(decided_on__gt=OuterRef("decided_on"))
            | Q(decided_on=OuterRef("decided_on"), pk__gt=OuterRef("pk"))
        )
        .filter(Q(family=OuterRef("family")) | ~Q(purpose__in=list(_AGREEMENT_WORDS)))
    )
    due = (
        ConsentRecord.objects.uncorrected()
        .filter(review_on__isnull=False, review_on__lte=on + timedelta(days=within_days), decided_on__lte=on)
        .filter(~Exists(later))
    )
    if families is not None:
        due = due.filter(family__in=families)
    return due.select_related("person", "family", "purpose", "decided_by").order_by("review_on", "pk")


def education_opt_out_in_force(*, person: Person, on: date) -> bool:
    """Whether the Education and Skills Act 2008 opt-out limits sharing about `person` on `on`
    to name, address and date of birth (domain-rules §5)."""
    latest = (
        EducationOptOut.objects.filter(person=person, from_date__lte=on).order_by("-from_date", "-pk").first()
    )
    return latest is not None and latest.status == EducationOptOut.Status.IN_FORCE


def current_notice_version(*, on: date | None = None) -> PrivacyNoticeVersion | None:
    """The privacy notice in force on `on` (today by default): the latest published version
    whose effective date has come. Drafts are never current."""
    on = on or timezone.localdate()
    return (
        PrivacyNoticeVersion.objects.filter(
            status=PrivacyNoticeVersion.Status.PUBLISHED, effective_from__lte=on
        )
        .order_by("-effective_from", "-version")
        .first()
    )


def render_notice(*, version: PrivacyNoticeVersion, on: date | None = None) -> notice.RenderedNotice:
    """`version` with every placeholder filled from settings.ORGANISATION and the retention
    policy in force on `on` (SPEC §5.3), ready for the template to escape and lay out.

    Raises retention.selectors.NoPolicyError when no family retention policy is in force.
    """
    values = notice.fill_values(
        organisation=settings.ORGANISATION, retention_sentence=family_retention_sentence(on=on)
    )
    sections = list(version.sections.order_by("position"))
    headings = [notice.plain_text(section.heading, values) for section in sections]
    return notice.RenderedNotice(
        version=version.version,
        effective_from=version.effective_from,
        title=notice.plain_text(version.title, values),
        summary=notice.blocks(version.summary, values),
        sections=tuple(
            notice.RenderedSection(heading, anchor, notice.blocks(section.body, values))
            for section, heading, anchor in zip(sections, headings, notice.anchors(headings), strict=True)
        ),
    )


def family_consent_history(*, family: Family) -> list[ConsentRecord]:
    """Every decision recorded in this family, corrections and withdrawals included, newest first."""
    return list(
        ConsentRecord.objects.filter(family=family)
        .select_related("person", "decided_by", "purpose", "recorded_by", "corrects", "notice_version")
        .prefetch_related("corrections")
        .order_by("-decided_on", "-recorded_at", "-pk")
    )
