"""Group-level statistics of the national programme (SPEC §6.4): outcome rates per headline outcome,
period and team — "the share of families whose offending reduced and stayed reduced for 6 months
after support" — every figure through the disclosure-control engine.

Who counts (domain-rules §6, the same reading as `cases.programme.selectors`):
- a family whose support ended (its case closed) in the period, judged on its
  latest case closed in the period, against the framework of that case's first
  assessment; only once the sustain period after closure has passed by the
  date of the figures (before that, no one can say whether it lasted);
- a need counts when an agreed assessment (submitted, and approved where the
  team asks for it) identified it by that date;
- it was sustained when the latest outcome recorded for it by that date is
  "achieved" and shown to last until at least closure + the sustain period.
A fixed number of queries whatever the number of families (no per-case reads),
so the figures stay within SPEC §11's time at 100,000 families. Statistics never
feed decisions about an individual (SPEC §6.4): nothing here returns a family.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cases.models import (
    ApprovalStatus,
    Assessment,
    AssessmentNeed,
    Case,
    HeadlineOutcome,
    Outcome,
    ProgrammeFramework,
)
from fss.core.models import Team
from sharing.statistics.disclosure_control import DisclosureControl, Figure, ProtectedTable

QUARTER_NAMES = {
    1: "Q1 (April to June)",
    2: "Q2 (July to September)",
    3: "Q3 (October to December)",
    4: "Q4 (January to March)",
}


# --- periods: the council reports by financial year (April to March) -----------------------------


def financial_year_of(on: date) -> int:
    """The year a financial year starts in: 2025 for April 2025 to March 2026."""
    return on.year if on.month >= 4 else on.year - 1


def financial_quarter(year: int, quarter: int) -> tuple[date, date]:
    """First and last day of quarter 1–4 of financial year `year` (Q1 is April to June)."""
    start = date(year, 4, 1) + relativedelta(months=3 * (quarter - 1))
    return start, start + relativedelta(months=3, days=-1)


def quarter_of(on: date) -> int:
    return (on.month - 4) % 12 // 3 + 1


def financial_year_label(year: int) -> str:
    return f"April {year} to March {year + 1}"


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None = None  # None: the whole financial year

    @property
    def bounds(self) -> tuple[date, date]:
        if self.quarter:
            return financial_quarter(self.year, self.quarter)
        return date(self.year, 4, 1), date(self.year + 1, 3, 31)

    @property
    def label(self) -> str:
        if self.quarter:
            return f"{QUARTER_NAMES[self.quarter]} {financial_year_label(self.year)}"
        return financial_year_label(self.year)


# --- what the figures count ----------------------------------------------------------------------


@dataclass(frozen=True)
class JudgedFamily:
    """One family in the figures: no name, no reference — an id for counting once, its team, the
    quarter its support ended, and the headline outcomes identified and sustained."""

    family_id: int
    team_id: int
    quarter: int
    identified: frozenset[int]
    sustained: frozenset[int]


def _agreed() -> Q:
    return Q(assessment__status=ApprovalStatus.APPROVED) | Q(
        assessment__status=ApprovalStatus.SUBMITTED, assessment__needs_approval=False
    )


def judged_families(
    *, framework: ProgrammeFramework, start: date, end: date, as_at: date, team: Team | None = None
) -> list[JudgedFamily]:
    """Families whose support ended between `start` and `end` and whose sustain period had passed by
    `as_at`, with the needs identified and sustained (the module docstring gives the rules). Four queries.

    The database does the choosing (docs/performance.md, "Statistics"): each query takes the cases
    as a subquery (never a list of ids), the latest case of a family in the period, the first
    assessment of a case and the latest outcome of a need are found there, and only achieved
    outcomes are read back.
    """
    in_period = Case.objects.filter(status=Case.Status.CLOSED, closed_on__gte=start, closed_on__lte=end)
    in_period = in_period.filter(closed_on__lte=as_at - relativedelta(months=framework.sustain_months))
    if team is not None:
        in_period = in_period.filter(family__team=team)
    # The family's latest case closed in the period (by closure date, then id).
    later_case = in_period.filter(family_id=OuterRef("family_id")).filter(
        Q(closed_on__gt=OuterRef("closed_on")) | Q(closed_on=OuterRef("closed_on"), pk__gt=OuterRef("pk"))
    )
    # ... judged against the framework of its first assessment (by date, then id).
    earlier_assessment = Assessment.objects.filter(case_id=OuterRef("case_id")).filter(
        Q(assessed_on__lt=OuterRef("assessed_on"))
        | Q(assessed_on=OuterRef("assessed_on"), pk__lt=OuterRef("pk"))
    )
    first_assessed_here = Assessment.objects.filter(framework=framework).filter(~Exists(earlier_assessment))
    cases = in_period.filter(~Exists(later_case), pk__in=first_assessed_here.values("case_id"))
    latest = {
        case_id: (family_id, team_id, closed_on)
        for case_id, family_id, team_id, closed_on in cases.order_by().values_list(
            "pk", "family_id", "family__team_id", "closed_on"
        )
    }
    if not latest:
        return []
    case_ids = cases.values("pk")

    identified: dict[int, set[int]] = defaultdict(set)
    needs = AssessmentNeed.objects.filter(
        _agreed(),
        assessment__case_id__in=case_ids,
        assessment__framework=framework,
        assessment__assessed_on__lte=as_at,
        identified=True,
        identified_on__lte=as_at,
    )
    for case_id, outcome_id in (
        needs.order_by().values_list("assessment__case_id", "headline_outcome_id").distinct()
    ):
        identified[case_id].add(outcome_id)

    # The latest outcome recorded for each need by `as_at` (by date, then id), when it is "achieved".
    recorded = Outcome.objects.filter(recorded_on__lte=as_at)
    later_outcome = recorded.filter(case_id=OuterRef("case_id"), need_id=OuterRef("need_id")).filter(
        Q(recorded_on__gt=OuterRef("recorded_on"))
        | Q(recorded_on=OuterRef("recorded_on"), pk__gt=OuterRef("pk"))
    )
    achieved: dict[tuple[int, int], date | None] = {
        (case_id, need_id): until
        for case_id, need_id, until in recorded.filter(
            ~Exists(later_outcome), case_id__in=case_ids, progress=Outcome.Progress.ACHIEVED
        )
        .order_by()
        .values_list("case_id", "need_id", "sustained_until")
    }

    families = []
    for case_id, (family_id, team_id, closed_on) in latest.items():
        if not identified.get(case_id):
            continue
        sustain_until = closed_on + relativedelta(months=framework.sustain_months)
        sustained = set()
        for need_id in identified[case_id]:
            until = achieved.get((case_id, need_id))
            if until is not None and until >= sustain_until:
                sustained.add(need_id)
        families.append(
            JudgedFamily(
                family_id=family_id,
                team_id=team_id,
                quarter=quarter_of(closed_on),
                identified=frozenset(identified[case_id]),
                sustained=frozenset(sustained),
            )
        )
    return families


# --- the published figures -----------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeRate:
    label: str
    code: str
    families: Figure
    sustained: Figure
    rate: Figure


@dataclass
class OutcomeStatistics:
    framework: ProgrammeFramework
    period: Period
    team: Team | None
    as_at: date
    control: DisclosureControl
    rates: list[OutcomeRate]
    families: Figure
    by_team_and_quarter: ProtectedTable
    rate_by_team_and_quarter: list[dict]
    focus: OutcomeRate | None
    notes: list[str] = field(default_factory=list)

    @property
    def sentence(self) -> str:
        """The headline in words, as the privacy notice's example puts it — or why it cannot be given."""
        if self.focus is None:
            return ""
        rate = self.focus.rate
        where = f" in {self.team}" if self.team else ""
        if not rate.shown:
            return (
                f"The share of families{where} whose need “{self.focus.label}” improved and stayed improved "
                f"for {self.framework.sustain_months} months after support cannot be shown for this period "
                "(too few families to publish safely)."
            )
        return (
            f"{rate} of families{where} whose support for “{self.focus.label}” ended in this period "
            f"improved and stayed improved for {self.framework.sustain_months} months after support "
            f"(out of {self.focus.families} families, rounded)."
        )


def _rate(control, label, code, judged, outcome_id) -> OutcomeRate:
    with_need = [f for f in judged if outcome_id is None or outcome_id in f.identified]
    if outcome_id is None:  # every identified need sustained: the programme's successful family outcome test
        kept = [f for f in with_need if f.identified <= f.sustained]
    else:
        kept = [f for f in with_need if outcome_id in f.sustained]
    return OutcomeRate(
        label,
        code,
        control.count(len(with_need)),
        control.count(len(kept)),
        control.rate(len(kept), len(with_need)),
    )


def outcome_statistics(
    *,
    period: Period,
    team: Team | None = None,
    framework: ProgrammeFramework | None = None,
    focus_code: str = "crime",
    as_at: date | None = None,
) -> OutcomeStatistics:
    """Outcome rates per headline outcome for `period` (and `team`), by team and quarter, every figure
    protected by the disclosure-control policy in force (domain-rules §9)."""
    as_at = as_at or timezone.localdate()
    control = DisclosureControl.in_force(as_at)
    if framework is None:
        framework = (
            ProgrammeFramework.objects.filter(effective_to__isnull=True).order_by("-effective_from").first()
        )
    start, end = period.bounds
    judged = judged_families(framework=framework, start=start, end=end, as_at=as_at, team=team)
    outcomes = list(HeadlineOutcome.objects.filter(framework=framework).order_by("order"))
    rates = [_rate(control, outcome.title, outcome.code, judged, outcome.pk) for outcome in outcomes]
    rates.append(_rate(control, "Every identified need", "all", judged, None))

    teams = list(Team.objects.filter(pk=team.pk) if team else Team.objects.filter(is_active=True))
    quarters = [period.quarter] if period.quarter else [1, 2, 3, 4]
    counts: dict[tuple, int] = defaultdict(int)
    for family in judged:
        counts[(family.team_id, family.quarter)] += 1
    table = control.table(counts, rows=[t.pk for t in teams], columns=quarters)
    table.row_labels = {t.pk: t.name for t in teams}
    table.column_labels = {q: f"Q{q}" for q in quarters}

    if not table.grand_total.shown:
        # The same families as the table's total: publishing them here would undo its suppression.
        hidden = Figure(symbol=table.grand_total.symbol, reason="secondary")
        rates[-1] = OutcomeRate(
            rates[-1].label, "all", hidden, hidden, Figure(symbol=hidden.symbol, percent=True)
        )

    focus = next((rate for rate in rates if rate.code == focus_code), None)
    focus_outcome = next((o for o in outcomes if o.code == focus_code), None)
    by_cell = []
    if focus_outcome is not None:
        in_cell: dict[tuple[int, int], list[JudgedFamily]] = defaultdict(list)
        for family in judged:  # grouped once, not filtered again for every cell
            in_cell[(family.team_id, family.quarter)].append(family)
        for t in teams:
            cells = [_rate(control, "", "", in_cell[(t.pk, q)], focus_outcome.pk).rate for q in quarters]
            by_cell.append({"label": t.name, "cells": cells})

    policy = control.policy
    notes = [
        f"Families whose support ended in {period.label} and for whom {framework.sustain_months} months have "
        f"passed since, as at {as_at.day} {as_at:%B %Y}.",
        f"Disclosure control policy version {policy.version}: counts from {policy.suppress_from} "
        f"to {policy.suppress_to} are shown as c, other counts are rounded to the nearest "
        f"{policy.round_to}, and no percentage is shown out of fewer than {policy.min_denominator}.",
    ]
    return OutcomeStatistics(
        framework=framework,
        period=period,
        team=team,
        as_at=as_at,
        control=control,
        rates=rates,
        families=table.grand_total,
        by_team_and_quarter=table,
        rate_by_team_and_quarter=by_cell,
        focus=focus,
        notes=notes,
    )
