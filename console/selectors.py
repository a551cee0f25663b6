"""Every read the DPO console's pages make (SPEC §1, §7, §8, §9).

One place for the dashboard's and the charts' data access, in a fixed number of
queries whatever the size of the data: each figure is one aggregate query, and
the request registers (whose deadlines are computed in Python from their dates,
never stored) load only their open rows. Where another app already answers a
question (`sharing.selectors.agreements_due`, `retention.selectors.due_families`,
`consent.selectors.reviews_due`) the console asks it rather than repeat it.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Max, Prefetch, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cases.models import BreakGlassAccess
from consent.selectors import reviews_due
from fss.core import roles
from fss.core.models import TEAM_GROUP_PREFIX, User
from retention.models import DestructionRecord, LegalHold, PaperDestructionTask, SweepRun
from retention.selectors import SWEEP_OVERDUE_AFTER, BlockerCode, active_suspension, due_families
from sar.models import Complaint, FOIRequest, Rag, RightsRequest, SubjectAccessRequest
from sharing.models import DataSharingAgreement, Disclosure
from sharing.models.choices import DISCLOSURE_BASIS_CHOICES
from sharing.returns.models import TransferRecord
from sharing.selectors import agreements_due

# How far ahead the dashboard looks for agreements and holds coming up for review.
REVIEW_WINDOW_DAYS = 30
# The retention pipeline's horizons (SPEC §7: the 30-day notice list, and further ahead to plan).
PIPELINE_HORIZONS = (30, 90, 365)
# Charts cover the last twelve months, this one included.
CHART_MONTHS = 12

_RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2, None: 3}


# --- The request registers (SPEC §8) ---


@dataclass(frozen=True)
class OpenRequest:
    """One open request or complaint as the dashboard lists it: no names, its reference only."""

    register: str  # "sar", "rights", "foi", "complaint"
    pk: int
    reference: str
    status: str
    received_on: date
    due_on: date | None
    rag: Rag | None

    @property
    def overdue(self) -> bool:
        return self.rag == Rag.RED


@dataclass
class RegisterSummary:
    """Open items of one register by status and by RAG against their deadline, overdue first."""

    register: str
    title: str
    deadline: str  # what the RAG is measured against
    rows: list[OpenRequest] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def by_status(self) -> list[tuple[str, int]]:
        return sorted(Counter(row.status for row in self.rows).items())

    def rag_count(self, rag: Rag | None) -> int:
        return sum(1 for row in self.rows if row.rag == rag)

    @property
    def red(self) -> int:
        return self.rag_count(Rag.RED)

    @property
    def amber(self) -> int:
        return self.rag_count(Rag.AMBER)

    @property
    def green(self) -> int:
        return self.rag_count(Rag.GREEN)

    @property
    def clock_stopped(self) -> int:
        return self.rag_count(None)


def _summary(register: str, title: str, deadline: str, rows: list[OpenRequest]) -> RegisterSummary:
    rows.sort(key=lambda r: (_RAG_ORDER[r.rag], r.due_on or date.max, r.received_on, r.pk))
    return RegisterSummary(register, title, deadline, rows)


def _one_month_status(request) -> str:
    if request.awaiting_identity:
        return "Awaiting identity evidence"
    if request.awaiting_fee:
        return "Awaiting fee"
    return "Awaiting decision"


def request_registers(*, today: date) -> list[RegisterSummary]:
    """SARs, rights requests, FOI requests and complaints still open, each with RAG on `today`.

    Five queries: the deadlines come from each request's dates (sar.deadlines).
    """
    sars = [
        OpenRequest(
            "sar",
            r.pk,
            r.reference,
            r.get_status_display(),
            r.received_on,
            r.due_date_on(today),
            r.rag_on(today),
        )
        for r in SubjectAccessRequest.objects.exclude(status__in=SubjectAccessRequest.CLOSED_STATUSES)
        .prefetch_related("pauses")
        .order_by()
    ]
    rights = [
        OpenRequest(
            "rights",
            r.pk,
            r.reference,
            _one_month_status(r),
            r.received_on,
            r.due_date_on(today),
            r.rag_on(today),
        )
        for r in RightsRequest.objects.filter(decided_on__isnull=True).order_by()
    ]
    fois = []
    for r in FOIRequest.objects.filter(answered_on__isnull=True).order_by():
        if r.awaiting_clarification:
            status = "Awaiting clarification"
        elif r.awaiting_fee:
            status = "Awaiting fee"
        else:
            status = "Awaiting answer"
        fois.append(OpenRequest("foi", r.pk, r.reference, status, r.received_on, r.due_date, r.rag_on(today)))
    complaints = [
        OpenRequest(
            "complaint",
            r.pk,
            r.reference,
            "Acknowledged" if r.acknowledged_on else "Not acknowledged yet",
            r.received_on,
            None if r.acknowledged_on else r.acknowledgement_due,
            r.rag_on(today),
        )
        for r in Complaint.objects.filter(outcome_on__isnull=True).order_by()
    ]
    return [
        _summary("sar", "Subject access requests", "one month (domain-rules §2)", sars),
        _summary("rights", "Rights requests", "one month (domain-rules §3)", rights),
        _summary("foi", "FOI requests", "20 working days (domain-rules §10)", fois),
        _summary("complaint", "Data-protection complaints", "acknowledgement within 30 days", complaints),
    ]


# --- Agreements and holds ---


@dataclass(frozen=True)
class AgreementFigures:
    review_overdue: int
    review_due_soon: int
    ending_soon: int
    expired: int  # ended (end date passed) and not revoked: still on the register as if live


def agreement_figures(*, today: date) -> AgreementFigures:
    """Agreements due for review or ending within 30 days, and those already expired. Two queries."""
    due = agreements_due(on=today, within_days=REVIEW_WINDOW_DAYS)
    expired = DataSharingAgreement.objects.filter(revoked_on__isnull=True, end_date__lt=today).count()
    return AgreementFigures(
        review_overdue=sum(1 for d in due if d.what == "review" and d.overdue),
        review_due_soon=sum(1 for d in due if d.what == "review" and not d.overdue),
        ending_soon=sum(1 for d in due if d.what == "end"),
        expired=expired,
    )


@dataclass(frozen=True)
class HoldFigures:
    active: int
    review_overdue: int
    review_due_soon: int


def hold_figures(*, today: date) -> HoldFigures:
    """Active legal holds, and those whose review date has passed or falls within 30 days. One query."""
    counts = LegalHold.objects.active().aggregate(
        active=Count("pk"),
        overdue=Count("pk", filter=Q(review_on__lt=today)),
        soon=Count(
            "pk", filter=Q(review_on__gte=today, review_on__lte=today + timedelta(days=REVIEW_WINDOW_DAYS))
        ),
    )
    return HoldFigures(counts["active"], counts["overdue"], counts["soon"])


# --- Retention (SPEC §7) ---


@dataclass(frozen=True)
class PipelineFigures:
    due_within: dict[int, int]  # horizon in days -> families due by then (already due included)
    due_now: int
    held: int  # of those within the furthest horizon, held by a legal or automatic hold
    destroyed_this_month: int
    paper_outstanding: int
    suspended: bool
    by_month: list[tuple[str, int]]  # families falling due per month ("Due now" first)

    @property
    def horizons(self) -> list[tuple[int, int]]:
        return sorted(self.due_within.items())


_HOLD_CODES = {BlockerCode.LEGAL_HOLD, BlockerCode.AUTOMATIC_HOLD}


def _month_start(today: date) -> date:
    return today.replace(day=1)


def _aware_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def retention_pipeline(*, today: date) -> PipelineFigures:
    """Families due within 30/90/365 days, held, destroyed this month, paper outstanding.

    The due list is `retention.selectors.due_families`, the one statement of the
    7-year rule, so the console and the sweep never disagree.
    """
    furthest = max(PIPELINE_HORIZONS)
    rows = due_families(on=today, within_days=furthest)
    due_within = {h: sum(1 for r in rows if r.due_on <= today + timedelta(days=h)) for h in PIPELINE_HORIZONS}
    held = sum(1 for r in rows if any(b.code in _HOLD_CODES for b in r.blockers))
    months = [_month_start(today) + relativedelta(months=n) for n in range(1, CHART_MONTHS + 1)]
    per_month = Counter()
    due_now = 0
    for row in rows:
        if row.due_on <= today:
            due_now += 1
        else:
            per_month[_month_start(row.due_on)] += 1
    this_month = per_month.pop(_month_start(today), 0)
    by_month = [("Due now", due_now), (f"Rest of {today:%B %Y}", this_month)]
    by_month += [(f"{m:%B %Y}", per_month.get(m, 0)) for m in months if m <= today + timedelta(days=furthest)]
    destroyed = DestructionRecord.objects.filter(
        replay_of__isnull=True, destroyed_at__gte=_aware_midnight(_month_start(today))
    ).count()
    paper = PaperDestructionTask.objects.filter(destroyed_on__isnull=True).count()
    return PipelineFigures(
        due_within=due_within,
        due_now=due_now,
        held=held,
        destroyed_this_month=destroyed,
        paper_outstanding=paper,
        suspended=active_suspension() is not None,
        by_month=by_month,
    )


@dataclass(frozen=True)
class SweepFigures:
    last_run: SweepRun | None  # the latest real sweep, whatever its outcome
    last_success: datetime | None
    overdue: bool  # no successful sweep in the last 48 hours: the dashboard warns


def sweep_figures(*, now: datetime) -> SweepFigures:
    """The last sweep and its result, and whether one has succeeded in the last 48 hours. Two queries."""
    sweeps = SweepRun.objects.filter(kind=SweepRun.Kind.SWEEP, dry_run=False)
    last_run = sweeps.order_by("-started_at", "-pk").first()
    last_success = sweeps.filter(outcome__in=SweepRun.SUCCESSFUL, finished_at__isnull=False).aggregate(
        at=Max("finished_at")
    )["at"]
    overdue = last_success is None or last_success < now - SWEEP_OVERDUE_AFTER
    return SweepFigures(last_run, last_success, overdue)


# --- Reviews waiting for the DPO ---


@dataclass(frozen=True)
class ReviewFigures:
    ons_confirmations_overdue: int
    safeguarding_awaiting_review: int
    break_glass_awaiting_review: int
    consent_reviews_overdue: list[tuple[str, int]]  # team name -> records past their review date

    @property
    def consent_reviews_overdue_total(self) -> int:
        return sum(n for _, n in self.consent_reviews_overdue)


def review_figures(*, today: date) -> ReviewFigures:
    """What waits for the DPO to review or chase. Four queries."""
    ons = TransferRecord.objects.filter(
        sent_on__isnull=False,
        destruction_confirmed_on__isnull=True,
        destruction_confirmation_due_on__lt=today,
    ).count()
    # One safeguarding decision may cover several people: count decisions, as the review queue lists them.
    safeguarding = Disclosure.objects.awaiting_dpo_review().aggregate(n=Count("decision_id", distinct=True))[
        "n"
    ]
    break_glass = BreakGlassAccess.objects.filter(reviewed_at__isnull=True).count()
    # In force and past the review date: within_days=-1 asks for review dates before `today`.
    consent = (
        reviews_due(on=today, within_days=-1)
        .order_by()
        .values("family__team__name")
        .annotate(n=Count("pk"))
        .order_by("family__team__name")
    )
    return ReviewFigures(
        ons_confirmations_overdue=ons,
        safeguarding_awaiting_review=safeguarding,
        break_glass_awaiting_review=break_glass,
        consent_reviews_overdue=[(row["family__team__name"] or "No team", row["n"]) for row in consent],
    )


@dataclass(frozen=True)
class Dashboard:
    today: date
    registers: list[RegisterSummary]
    agreements: AgreementFigures
    holds: HoldFigures
    pipeline: PipelineFigures
    sweep: SweepFigures
    reviews: ReviewFigures

    @property
    def overdue(self) -> list[OpenRequest]:
        """Every overdue request across the registers, the longest overdue first."""
        rows = [row for summary in self.registers for row in summary.rows if row.overdue]
        return sorted(rows, key=lambda r: (r.due_on or date.max, r.received_on, r.pk))


def dashboard(*, today: date | None = None, now: datetime | None = None) -> Dashboard:
    """Everything the DPO dashboard shows, in a constant number of queries."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    return Dashboard(
        today=today,
        registers=request_registers(today=today),
        agreements=agreement_figures(today=today),
        holds=hold_figures(today=today),
        pipeline=retention_pipeline(today=today),
        sweep=sweep_figures(now=now),
        reviews=review_figures(today=today),
    )


# --- Charts (the same figures go in a table beside each chart) ---


def chart_months(*, today: date) -> list[date]:
    """The first day of each of the last twelve months, oldest first."""
    first = _month_start(today)
    return [first - relativedelta(months=n) for n in range(CHART_MONTHS - 1, -1, -1)]


@dataclass(frozen=True)
class RequestMonth:
    month: date
    received: int
    answered_in_time: int
    answered_late: int
    open: int


def _answered(request) -> tuple[date | None, date | None]:
    """(answered on, due on) for a SAR, rights request or FOI request."""
    if isinstance(request, SubjectAccessRequest):
        answered = request.closed_on if request.status != SubjectAccessRequest.Status.WITHDRAWN else None
        return answered, request.due_date
    if isinstance(request, RightsRequest):
        return request.decided_on, request.due_date
    return request.answered_on, request.due_date


def requests_by_month(*, today: date) -> list[RequestMonth]:
    """Requests (SAR, rights, FOI) received each month, and how many of them were answered in time.

    Three queries. A request answered by its due date (as `sar.deadlines` computes it) is in
    time; a withdrawn SAR counts as received only.
    """
    months = chart_months(today=today)
    since = months[0]
    requests = [
        *SubjectAccessRequest.objects.filter(received_on__gte=since).prefetch_related(Prefetch("pauses")),
        *RightsRequest.objects.filter(received_on__gte=since),
        *FOIRequest.objects.filter(received_on__gte=since),
    ]
    counts: dict[date, Counter] = defaultdict(Counter)
    for request in requests:
        month = _month_start(request.received_on)
        counts[month]["received"] += 1
        answered, due = _answered(request)
        if answered is None:
            if request.is_open:
                counts[month]["open"] += 1
        elif due is not None and answered <= due:
            counts[month]["in_time"] += 1
        else:
            counts[month]["late"] += 1
    return [
        RequestMonth(m, counts[m]["received"], counts[m]["in_time"], counts[m]["late"], counts[m]["open"])
        for m in months
    ]


def destructions_by_month(*, today: date) -> list[tuple[date, int]]:
    """Families destroyed per month (register entries, replays left out). One query."""
    months = chart_months(today=today)
    rows = (
        DestructionRecord.objects.filter(replay_of__isnull=True, destroyed_at__gte=_aware_midnight(months[0]))
        .annotate(month=TruncMonth("destroyed_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = Counter()
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, datetime) else month
        counts[month.replace(day=1)] += row["n"]
    return [(m, counts.get(m, 0)) for m in months]


@dataclass(frozen=True)
class DisclosureCell:
    category: str
    basis: str
    decisions: int


_BASIS_LABELS = dict(DISCLOSURE_BASIS_CHOICES)


def disclosures_by_category_and_basis(*, today: date) -> list[DisclosureCell]:
    """Sharing decisions that sent something out in the last twelve months, per partner category and
    lawful basis (one decision may cover several people). One query."""
    since = chart_months(today=today)[0]
    rows = (
        Disclosure.objects.shared()
        .filter(direction=Disclosure.Direction.OUT, decided_on__gte=since)
        .values("organisation__category__label", "basis")
        .annotate(n=Count("decision_id", distinct=True))
        .order_by("organisation__category__label", "basis")
    )
    return [
        DisclosureCell(
            row["organisation__category__label"],
            _BASIS_LABELS.get(row["basis"], row["basis"] or "Not recorded"),
            row["n"],
        )
        for row in rows
    ]


# --- Access reviews (SPEC §9) ---


@dataclass(frozen=True)
class StaffRow:
    user: User
    roles: list[str]
    teams: list[str]
    last_login: datetime | None
    flagged: bool  # no sign-in for the review's number of days (or never): a possible leaver

    @property
    def role_text(self) -> str:
        return ", ".join(self.roles)

    @property
    def team_text(self) -> str:
        return ", ".join(self.teams)


def staff_for_review(*, inactive_after_days: int, now: datetime | None = None) -> list[StaffRow]:
    """Every staff account with its roles, teams and last sign-in, active accounts first. Three queries.

    An active account with no sign-in for `inactive_after_days` (or never, once it is that old)
    is flagged: the person may have left and the account should be disabled.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=inactive_after_days)
    users = User.objects.prefetch_related("groups", "teams").order_by("-is_active", "username")
    rows = []
    for user in users:
        role_names = sorted(g.name for g in user.groups.all() if not g.name.startswith(TEAM_GROUP_PREFIX))
        seen = user.last_login or user.date_joined
        rows.append(
            StaffRow(
                user=user,
                roles=[r for r in role_names if r in roles.ALL_ROLES] or ["No role"],
                teams=sorted(t.name for t in user.teams.all()),
                last_login=user.last_login,
                flagged=user.is_active and seen < cutoff,
            )
        )
    return rows


def break_glass_to_review():
    """Break-glass access not yet reviewed by the DPO, oldest first (SPEC §9). One query."""
    return (
        BreakGlassAccess.objects.filter(reviewed_at__isnull=True)
        .select_related("family", "user")
        .order_by("granted_at", "pk")
    )


def break_glass_reviewed(*, limit: int = 20):
    """The latest reviewed break-glass access, newest review first. One query."""
    return (
        BreakGlassAccess.objects.filter(reviewed_at__isnull=False)
        .select_related("family", "user", "reviewed_by")
        .order_by("-reviewed_at", "-pk")[:limit]
    )
