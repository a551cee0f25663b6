"""Reads of the national programme's part of a case (SPEC §4.3, domain-rules §6).

Everything a page needs about one case's needs, plan and outcomes is loaded by
`_load` in a fixed number of queries, whatever the number of cases, needs or
actions; "meets the criteria" and "successful family outcome" are then worked
out in Python from what was loaded, so the family page, the case's programme
page and the public functions below give the same answer.

A case is judged against one framework version: the one its first assessment
used (the framework in force on that date). Only *agreed* records count — an
assessment or plan that is submitted and, where the team asks for it, approved
by a manager — and only records dated on or before the day asked about.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from cases.access import families_visible_to
from cases.models import (
    ApprovalEvent,
    ApprovalStatus,
    Assessment,
    AssessmentNeed,
    Case,
    Family,
    HeadlineOutcome,
    Membership,
    Outcome,
    Plan,
    PlanAction,
    ProgrammeFramework,
    Review,
    TeamApprovalSetting,
)
from fss.core import roles
from fss.core.models import TeamMembership, User

# A dependent child: the service's own age rule (SPEC §4.2, 0 to 19), as the
# record does not say who is in full-time education.
DEPENDENT_CHILD_MAX_AGE = 19
_CHILD_ROLES = {Membership.Role.CHILD, Membership.Role.YOUNG_PERSON}


def long_date(day: date) -> str:
    """A date as GOV.UK writes it: 3 March 2026."""
    return f"{day.day} {day:%B %Y}"


def _titles(outcomes) -> str:
    return ", ".join(outcome.title for outcome in outcomes)


def framework_in_force(on: date) -> ProgrammeFramework | None:
    """The framework version in force on `on` (the latest to take effect), or None."""
    return (
        ProgrammeFramework.objects.filter(effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("-effective_from")
        .first()
    )


def framework_for_case(case: Case, on: date) -> ProgrammeFramework | None:
    """The framework a case is judged against: its first assessment's, else the one in force on `on`."""
    first = case.assessments.select_related("framework").order_by("assessed_on", "pk").first()
    return first.framework if first else framework_in_force(on)


def identified_needs(case: Case) -> list[HeadlineOutcome]:
    """Headline outcomes identified in the case's submitted or approved assessments, in framework order."""
    ids = AssessmentNeed.objects.filter(assessment__case=case, identified=True).exclude(
        assessment__status=ApprovalStatus.DRAFT
    )
    return list(HeadlineOutcome.objects.filter(pk__in=ids.values("headline_outcome_id")).order_by("order"))


def workers_for_family(family: Family) -> list:
    """Caseworkers and managers of the team holding the family: who may own a plan action."""
    return list(
        User.objects.filter(
            teams=family.team, is_active=True, groups__name__in=[roles.CASEWORKER, roles.TEAM_MANAGER]
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def approvals_for_team(team) -> TeamApprovalSetting:
    """The team's approval setting; a team that never set one gets the defaults (everything approved)."""
    setting = TeamApprovalSetting.objects.filter(team=team).first()
    return setting if setting is not None else TeamApprovalSetting(team=team)


def is_team_manager(user, team) -> bool:
    """Whether `user` is a team manager by role and manages `team`."""
    return (
        user.is_authenticated
        and user.has_role(roles.TEAM_MANAGER)
        and TeamMembership.objects.filter(user=user, team=team, is_manager=True).exists()
    )


def may_approve(user, family: Family) -> bool:
    """Only a manager of the team holding the family approves its assessments and plans."""
    return is_team_manager(user, family.team)


@dataclass(frozen=True)
class NeedSummary:
    """One headline outcome of the case's framework: identified or not, what is planned and achieved."""

    headline_outcome: HeadlineOutcome
    answer: AssessmentNeed | None  # the latest agreed answer that identified it
    actions: tuple[PlanAction, ...]
    outcome: Outcome | None  # the latest outcome recorded

    @property
    def identified(self) -> bool:
        return self.answer is not None

    @property
    def evidenced(self) -> bool:
        return self.answer is not None and bool(self.answer.evidence.strip())


@dataclass(frozen=True)
class CriteriaResult:
    """Whether the family meets the programme criteria: enough headline problems identified."""

    meets: bool
    framework: ProgrammeFramework | None
    identified: tuple[HeadlineOutcome, ...]
    threshold: int | None

    def __bool__(self) -> bool:
        return self.meets

    @property
    def explanation(self) -> str:
        if self.framework is None:
            return "No programme framework applies on this date."
        count = len(self.identified)
        needs = "need" if count == 1 else "needs"
        return f"{count} {needs} identified; the {self.framework.name} asks for at least {self.threshold}."


@dataclass(frozen=True)
class UnmetCondition:
    code: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ClaimCheck:
    """Whether the case is a successful family outcome (domain-rules §6), and what is still missing."""

    successful: bool
    unmet: tuple[UnmetCondition, ...]
    sustain_until: date | None  # closure date + the sustain period; None while the case is open

    def __bool__(self) -> bool:
        return self.successful

    @property
    def unmet_codes(self) -> set[str]:
        return {condition.code for condition in self.unmet}


@dataclass
class CaseProgramme:
    """What a case holds of the programme, as loaded by `_load`, judged on `on`."""

    case: Case
    on: date
    framework: ProgrammeFramework | None
    headline_outcomes: list[HeadlineOutcome]
    assessments: list[Assessment]
    plans: list[Plan]
    outcomes: list[Outcome]
    members: list[Membership]
    reviews: list[Review] = field(default_factory=list)

    # What counts on `on`.
    @property
    def agreed_assessments(self) -> list[Assessment]:
        return [
            a
            for a in self.assessments
            if a.is_agreed
            and a.assessed_on <= self.on
            and a.framework_id == getattr(self.framework, "pk", None)
        ]

    @property
    def agreed_plans(self) -> list[Plan]:
        return [p for p in self.plans if p.is_agreed and p.starts_on <= self.on]

    @cached_property
    def needs(self) -> list[NeedSummary]:
        answers: dict[int, AssessmentNeed] = {}
        for assessment in self.agreed_assessments:  # in date order: the latest answer wins
            for answer in assessment.needs.all():
                if answer.identified and answer.identified_on <= self.on:
                    answers[answer.headline_outcome_id] = answer
        actions: dict[int, list[PlanAction]] = {}
        for plan in self.plans:
            for action in plan.actions.all():
                if action.need_id:
                    actions.setdefault(action.need_id, []).append(action)
        latest: dict[int, Outcome] = {}
        for outcome in sorted(self.outcomes, key=lambda o: (o.recorded_on, o.pk)):
            if outcome.recorded_on <= self.on:
                latest[outcome.need_id] = outcome
        return [
            NeedSummary(ho, answers.get(ho.pk), tuple(actions.get(ho.pk, ())), latest.get(ho.pk))
            for ho in self.headline_outcomes
        ]

    @cached_property
    def identified_needs(self) -> list[NeedSummary]:
        return [need for need in self.needs if need.identified]

    @cached_property
    def criteria(self) -> CriteriaResult:
        if self.framework is None:
            return CriteriaResult(False, None, (), None)
        identified = tuple(need.headline_outcome for need in self.identified_needs)
        threshold = self.framework.criteria_threshold
        return CriteriaResult(len(identified) >= threshold, self.framework, identified, threshold)

    @property
    def actions(self) -> list[PlanAction]:
        return [action for plan in self.plans for action in plan.actions.all()]

    @property
    def open_actions(self) -> list[PlanAction]:
        return [action for action in self.actions if action.is_open]

    @property
    def done_actions(self) -> list[PlanAction]:
        return [action for action in self.actions if action.status == PlanAction.Status.DONE]

    @property
    def achieved_needs(self) -> list[NeedSummary]:
        return [need for need in self.identified_needs if need.outcome and need.outcome.is_positive]

    @property
    def overdue_actions(self) -> list[PlanAction]:
        today = timezone.localdate()
        return [action for action in self.open_actions if action.due_on < today]

    @property
    def draft_assessment(self) -> Assessment | None:
        return next((a for a in self.assessments if a.status == Assessment.Status.DRAFT), None)

    @property
    def draft_plan(self) -> Plan | None:
        return next((p for p in self.plans if p.status == Plan.Status.DRAFT), None)

    @cached_property
    def claim(self) -> ClaimCheck:
        return _claim_check(self)


def _has_dependent_children(data: CaseProgramme) -> bool:
    case = data.case
    until = case.closed_on or data.on
    for membership in data.members:
        if membership.start_date > until or (membership.end_date and membership.end_date < case.opened_on):
            continue
        person = membership.person
        # Expectant parents: an unborn child recorded, or a baby born during the case.
        if person.expected_date_of_birth is not None or (
            person.date_of_birth is not None and person.date_of_birth > case.opened_on
        ):
            return True
        age = person.age_on(case.opened_on)
        if membership.role in _CHILD_ROLES and age is not None and age <= DEPENDENT_CHILD_MAX_AGE:
            return True
    return False


def _claim_check(data: CaseProgramme) -> ClaimCheck:
    """domain-rules §6: the conditions of a successful family outcome, each checked on `data.on`."""
    case, framework, on = data.case, data.framework, data.on
    unmet: list[UnmetCondition] = []

    def fail(code: str, message: str) -> None:
        unmet.append(UnmetCondition(code, message))

    if not _has_dependent_children(data):
        fail(
            "dependent_children",
            "The family has no dependent child (aged 0 to 19) or expected baby recorded while the case "
            "was open.",
        )
    if framework is None:
        fail("needs_identified", "No needs are identified: there is no assessment against a framework.")
        return ClaimCheck(False, tuple(unmet), None)

    identified = data.identified_needs
    evidenced = [need for need in identified if need.evidenced]
    minimum = framework.claim_minimum_needs
    if len(evidenced) < minimum:
        count = len(evidenced)
        fail(
            "needs_identified",
            f"{count} {'need is' if count == 1 else 'needs are'} identified and evidenced; "
            f"a results claim needs at least {minimum}.",
        )
    unevidenced = [need.headline_outcome for need in identified if not need.evidenced]
    if unevidenced:
        fail("needs_evidenced", f"Evidence is missing for: {_titles(unevidenced)}.")
    if case.lead_worker_id is None:
        fail("lead_practitioner", "The case has no lead practitioner.")
    if not any(a.is_whole_family for a in data.agreed_assessments):
        fail(
            "whole_family_assessment",
            "There is no whole-family assessment that has been submitted (and approved, where the team "
            "asks for it).",
        )

    plans = data.agreed_plans
    if not plans:
        fail(
            "plan_covers_needs",
            "There is no family plan that has been submitted (and approved, where the team asks for it).",
        )
    else:
        covered = {
            action.need_id
            for plan in plans
            for action in plan.actions.all()
            if action.need_id and action.status != PlanAction.Status.CANCELLED
        }
        uncovered = [need.headline_outcome for need in identified if need.headline_outcome.pk not in covered]
        if uncovered:
            fail("plan_covers_needs", f"The family plan has no action for: {_titles(uncovered)}.")

    # Every identified need, including ones found after the first assessment.
    not_achieved = [
        need.headline_outcome for need in identified if not (need.outcome and need.outcome.is_positive)
    ]
    if not_achieved:
        fail("positive_outcomes", f"No positive outcome is recorded yet for: {_titles(not_achieved)}.")

    months = framework.sustain_months
    if case.closed_on is None or case.closed_on > on:
        fail(
            "case_closed",
            f"The case is still open: outcomes count once they are sustained for {months} months after "
            "it closes.",
        )
        return ClaimCheck(not unmet, tuple(unmet), None)
    # relativedelta keeps to the month's last day: 31 August + 6 months is 28 (or 29) February.
    sustain_until = case.closed_on + relativedelta(months=months)
    if on < sustain_until:
        fail(
            "sustain_period_reached",
            f"{months} months after the case closed ({long_date(case.closed_on)}) is "
            f"{long_date(sustain_until)}; that date has not been reached yet.",
        )
    not_sustained = [
        need.headline_outcome
        for need in identified
        if need.outcome
        and need.outcome.is_positive
        and (need.outcome.sustained_until is None or need.outcome.sustained_until < sustain_until)
    ]
    if not_sustained:
        fail(
            "outcomes_sustained",
            f"Outcomes must be shown to last until at least {long_date(sustain_until)} ({months} months "
            f"after closure); not yet shown for: {_titles(not_sustained)}.",
        )
    return ClaimCheck(not unmet, tuple(unmet), sustain_until)


def _load(cases: list[Case], *, on: date, members: list[Membership], detail: bool) -> list[CaseProgramme]:
    """Load the programme records of `cases` (all of one family) in a fixed number of queries.

    Five queries (headline outcomes with their frameworks, assessments, their
    answers, plans, their actions) plus outcomes; `detail` adds approval
    events (two) and reviews for the case's own page.
    """
    case_ids = [case.pk for case in cases]
    frameworks: dict[int, ProgrammeFramework] = {}
    by_framework: dict[int, list[HeadlineOutcome]] = {}
    for outcome in HeadlineOutcome.objects.select_related("framework").order_by("framework", "order"):
        framework = frameworks.setdefault(outcome.framework_id, outcome.framework)
        outcome.framework = framework
        by_framework.setdefault(framework.pk, []).append(outcome)

    answers = AssessmentNeed.objects.select_related("headline_outcome").order_by("headline_outcome__order")
    assessments = Assessment.objects.filter(case_id__in=case_ids).select_related("assessor")
    assessments = assessments.prefetch_related(Prefetch("needs", queryset=answers))
    actions = PlanAction.objects.select_related("owner", "need").order_by("due_on", "pk")
    plans = Plan.objects.filter(case_id__in=case_ids).select_related("created_by")
    plans = plans.prefetch_related(Prefetch("actions", queryset=actions))
    if detail:
        events = Prefetch("approval_events", queryset=ApprovalEvent.objects.select_related("by"))
        assessments = assessments.prefetch_related(events)
        plans = plans.prefetch_related(events)
    assessments = list(assessments.order_by("assessed_on", "pk"))
    plans = list(plans.order_by("starts_on", "pk"))
    outcomes = list(Outcome.objects.filter(case_id__in=case_ids).select_related("need", "recorded_by"))
    reviews = (
        list(
            Review.objects.filter(case_id__in=case_ids)
            .select_related("recorded_by")
            .order_by("-held_on", "-pk")
        )
        if detail
        else []
    )

    in_force = [fw for fw in frameworks.values() if fw.in_force_on(on)]
    fallback = max(in_force, key=lambda fw: fw.effective_from, default=None)
    result = []
    for case in cases:
        own_assessments = [a for a in assessments if a.case_id == case.pk]
        for assessment in own_assessments:
            assessment.framework = frameworks.get(assessment.framework_id) or assessment.framework
        framework = frameworks.get(own_assessments[0].framework_id) if own_assessments else fallback
        result.append(
            CaseProgramme(
                case=case,
                on=on,
                framework=framework,
                headline_outcomes=by_framework.get(framework.pk, []) if framework else [],
                assessments=own_assessments,
                plans=[p for p in plans if p.case_id == case.pk],
                outcomes=[o for o in outcomes if o.case_id == case.pk],
                members=members,
                reviews=[r for r in reviews if r.case_id == case.pk],
            )
        )
    return result


def _members(family: Family) -> list[Membership]:
    # Uses the family page's prefetched memberships when there are some.
    return (
        list(family.memberships.all())
        if _is_prefetched(family, "memberships")
        else list(family.memberships.select_related("person"))
    )


def _is_prefetched(instance, name: str) -> bool:
    return name in getattr(instance, "_prefetched_objects_cache", {})


def case_programme(case: Case, *, on: date | None = None) -> CaseProgramme:
    """Everything the case's programme page shows: needs, assessments, plans, reviews, outcomes."""
    on = on or timezone.localdate()
    return _load([case], on=on, members=_members(case.family), detail=True)[0]


def family_programme(family: Family, *, on: date | None = None, cases=None) -> list[CaseProgramme]:
    """The programme summary of each of the family's cases, newest first, for the family page.

    A fixed number of queries whatever the number of cases; pass the page's
    already-loaded `cases` to save one.
    """
    on = on or timezone.localdate()
    if cases is None:
        cases = list(family.cases.select_related("lead_worker").order_by("-opened_on"))
    cases = sorted(cases, key=lambda case: (case.opened_on, case.pk), reverse=True)
    if not cases:
        return []
    return _load(cases, on=on, members=_members(family), detail=False)


def _case_on(family: Family, on: date) -> Case | None:
    # The case open on `on`, else the latest one opened by then.
    cases = family.cases.filter(opened_on__lte=on).order_by("-opened_on", "-pk")
    open_then = cases.filter(Q(closed_on__isnull=True) | Q(closed_on__gte=on)).first()
    return open_then or cases.first()


def meets_criteria(case_or_family: Case | Family, on: date) -> CriteriaResult:
    """Whether the family meets the programme criteria on `on` (SPEC §4.3).

    The rule: the number of headline problems identified in agreed assessments
    reaches the framework's threshold (2 of 6 in the notice's 2015–2020 phase,
    3 of 10 in the framework in force since October 2022). Given a family, the
    case open on `on` (else its latest case by then) is the one judged.
    """
    case = case_or_family if isinstance(case_or_family, Case) else _case_on(case_or_family, on)
    if case is None:
        framework = framework_in_force(on)
        return CriteriaResult(False, framework, (), framework.criteria_threshold if framework else None)
    return _load([case], on=on, members=_members(case.family), detail=False)[0].criteria


def successful_family_outcome(case: Case, on: date) -> ClaimCheck:
    """Whether `case` is a successful family outcome on `on`, with every unmet condition in plain English.

    domain-rules §6: dependent children or expectant parents; at least three
    needs identified and evidenced; a lead practitioner; a whole-family
    assessment; a family plan covering every need; a positive outcome on every
    identified need (including ones found later), sustained at least six months
    after closure — the sustained-until date on or after closure + the sustain
    period, and that date reached on `on`. The numbers come from the framework.
    """
    return _load([case], on=on, members=_members(case.family), detail=False)[0].claim


MY_WORK_LIMIT = 50


@dataclass(frozen=True)
class ProgrammeWorkDue:
    """For My work (SPEC §4.4): actions and reviews due or overdue, and what waits for approval."""

    actions: list[PlanAction]
    reviews: list[Review]
    assessments_to_approve: list[Assessment]
    plans_to_approve: list[Plan]

    @property
    def due_count(self) -> int:
        """Actions and reviews due, for the heading (a template cannot add two lengths)."""
        return len(self.actions) + len(self.reviews)


def work_due(user, *, on: date | None = None, within_days: int = 14) -> ProgrammeWorkDue:
    """What the programme asks of `user` by `on` + `within_days`, in four queries whatever the caseload.

    Actions they own that are still open; the next review of open cases they
    lead (from the latest review held); and, for a manager, assessments and
    plans of their teams' families waiting for approval by someone else.
    """
    on = on or timezone.localdate()
    horizon = on + timedelta(days=within_days)
    visible = families_visible_to(user)
    actions = (
        PlanAction.objects.filter(
            owner=user,
            status__in=[PlanAction.Status.NOT_STARTED, PlanAction.Status.IN_PROGRESS],
            due_on__lte=horizon,
            plan__case__status=Case.Status.OPEN,
            plan__case__family__in=visible,
        )
        .select_related("plan__case__family", "need")
        .order_by("due_on", "pk")[:MY_WORK_LIMIT]
    )
    later = Review.objects.filter(case=OuterRef("case"), held_on__gt=OuterRef("held_on"))
    reviews = (
        Review.objects.filter(
            case__lead_worker=user,
            case__status=Case.Status.OPEN,
            case__family__in=visible,
            next_review_on__lte=horizon,
        )
        .filter(~Exists(later))
        .select_related("case__family")
        .order_by("next_review_on", "pk")[:MY_WORK_LIMIT]
    )
    waiting: dict[str, list] = {"assessments": [], "plans": []}
    if user.has_role(roles.TEAM_MANAGER):
        managed = visible.filter(team__memberships__user=user, team__memberships__is_manager=True)
        for key, model, author in (("assessments", Assessment, "assessor"), ("plans", Plan, "created_by")):
            waiting[key] = list(
                model.objects.filter(
                    status=ApprovalStatus.SUBMITTED, needs_approval=True, case__family__in=managed
                )
                .exclude(**{author: user})
                .select_related("case__family")
                .order_by("pk")[:MY_WORK_LIMIT]
            )
    return ProgrammeWorkDue(list(actions), list(reviews), waiting["assessments"], waiting["plans"])
