"""Every read the DPO console's pages make (SPEC §1, §7, §8, §9).

The console asks each app the questions that app owns, so that each rule is
stated once: the request registers and their RAG (`sar.selectors`), deadline
reminders (`sar.reminders`, `sharing.reminders`), agreements due and ONS
confirmations overdue and disclosures by category and basis
(`sharing.selectors`), the retention pipeline and the sweep
(`retention.selectors`), consent reviews (`consent.selectors`). What is left
here is what only the console asks, and the shaping of those answers for its
pages, in a fixed number of queries whatever the size of the data.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Q, Window
from django.urls import reverse
from django.utils import timezone

from cases.models import BreakGlassAccess
from consent.selectors import reviews_due
from fss.core import roles
from fss.core.models import TEAM_GROUP_PREFIX, User
from retention import selectors as retention_selectors
from retention.models import LegalHold, SweepRun
from sar import reminders as sar_reminders
from sar import selectors as sar_selectors
from sar.models import DeadlineReminder, Rag
from sar.selectors import RequestRow
from sharing import reminders as sharing_reminders
from sharing import selectors as sharing_selectors
from sharing.models import DataSharingAgreement, Disclosure, SharingReminder

# How far ahead the dashboard looks for agreements and holds coming up for review.
REVIEW_WINDOW_DAYS = 30
# Charts cover the last twelve months, this one included.
CHART_MONTHS = 12
# How many reminders of each kind the dashboard lists (the count says how many there are in all).
REMINDERS_SHOWN = 10


# --- The request registers (SPEC §8): sar.selectors.requests_by_status_with_rag ---


@dataclass
class RegisterSummary:
    """Open items of one register by status and by RAG against their deadline, overdue first."""

    register: str
    title: str
    deadline: str  # what the RAG is measured against
    rows: list[RequestRow] = field(default_factory=list)

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


_REGISTERS = (
    ("sar", "Subject access requests", "one month (domain-rules §2)"),
    ("rights", "Rights requests", "one month (domain-rules §3)"),
    ("foi", "FOI requests", "20 working days (domain-rules §10)"),
    ("complaint", "Data-protection complaints", "acknowledgement within 30 days"),
)


def request_registers(rows: list[RequestRow]) -> list[RegisterSummary]:
    """The open SARs, rights requests, FOI requests and complaints of
    `sar.selectors.requests_by_status_with_rag` (overdue first), register by register.

    The counts per RAG are those of `sar.selectors.rag_counts`, taken from the same rows
    rather than asked again.
    """
    return [
        RegisterSummary(register, title, deadline, [row for row in rows if row.register == register])
        for register, title, deadline in _REGISTERS
    ]


# --- Agreements and holds ---


@dataclass(frozen=True)
class AgreementFigures:
    review_overdue: int
    review_due_soon: int
    ending_soon: int
    expired: int  # ended (end date passed) and not revoked: still on the register as if live


def agreement_figures(*, today: date) -> AgreementFigures:
    """Agreements due for review or ending within 30 days (`sharing.selectors.agreements_due_for_review`),
    and those already expired. Three queries."""
    due = sharing_selectors.agreements_due_for_review(within_days=REVIEW_WINDOW_DAYS, on=today)
    expired = DataSharingAgreement.objects.filter(revoked_on__isnull=True, end_date__lt=today).count()
    return AgreementFigures(
        review_overdue=sum(1 for d in due if d["what"] == "review" and d["overdue"]),
        review_due_soon=sum(1 for d in due if d["what"] == "review" and not d["overdue"]),
        ending_soon=sum(1 for d in due if d["what"] == "end"),
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


# --- Retention (SPEC §7): retention.selectors.retention_pipeline ---


@dataclass(frozen=True)
class SweepFigures:
    last_run: SweepRun | None  # the latest real sweep, whatever its outcome
    last_success: datetime | None
    overdue: bool  # retention.selectors.sweep_overdue: no success in 48 hours, the dashboard warns


def sweep_figures(*, overdue: bool) -> SweepFigures:
    """The last sweep and its result, and when one last succeeded. Two queries.

    Whether the sweep is overdue is `retention.selectors.sweep_overdue`, as the
    retention pipeline already reported it.
    """
    last_run = (
        SweepRun.objects.filter(kind=SweepRun.Kind.SWEEP, dry_run=False)
        .order_by("-started_at", "-pk")
        .first()
    )
    last_success = retention_selectors.last_successful_sweep()
    return SweepFigures(last_run, last_success.finished_at if last_success else None, overdue)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def due_by_month(*, today: date) -> list[tuple[str, int]]:
    """Families falling due for destruction per month over the next year ("Due now" first), for the chart.

    The due dates are `retention.selectors.due_families`, the one statement of the 7-year rule.
    """
    furthest = max(retention_selectors.PIPELINE_WINDOWS)
    rows = retention_selectors.due_families(on=today, within_days=furthest)
    per_month = Counter()
    due_now = 0
    for row in rows:
        if row.due_on <= today:
            due_now += 1
        else:
            per_month[_month_start(row.due_on)] += 1
    this_month = per_month.pop(_month_start(today), 0)
    months = [_month_start(today) + relativedelta(months=n) for n in range(1, CHART_MONTHS + 1)]
    by_month = [("Due now", due_now), (f"Rest of {today:%B %Y}", this_month)]
    by_month += [(f"{m:%B %Y}", per_month.get(m, 0)) for m in months if m <= today + timedelta(days=furthest)]
    return by_month


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
    ons = len(sharing_selectors.ons_destruction_confirmations_overdue(on=today))
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


# --- Reminders (sar.reminders, sharing.reminders): the DPO's to-do list ---


# Where the DPO acts on a deadline reminder, by register (the request's own page).
_DEADLINE_LINKS = {
    "sar": "sar:request_detail",
    "rights": "admin:sar_rightsrequest_change",
    "foi": "admin:sar_foirequest_change",
    "complaint": "admin:sar_complaint_change",
}


@dataclass(frozen=True)
class Reminders:
    """Open reminders for the DPO: request deadlines and agreements, soonest first (the first few of each)."""

    deadlines: list[tuple[DeadlineReminder, str]]  # (reminder, where to act on it)
    deadlines_total: int
    agreements: list
    agreements_total: int

    @property
    def total(self) -> int:
        return self.deadlines_total + self.agreements_total


def reminders(*, limit: int = REMINDERS_SHOWN) -> Reminders:
    """Every open deadline reminder (whoever handles the request) and every open agreement reminder.

    Referral reminders are the caseworkers' (on My work) and name families: not listed here.
    Two queries: each list carries the count of all its rows (a window over the whole list).
    """
    deadlines = _first_and_total(sar_reminders.open_reminders(), limit)
    agreements = _first_and_total(
        sharing_reminders.open_reminders().filter(
            kind__in=[SharingReminder.Kind.AGREEMENT_REVIEW, SharingReminder.Kind.AGREEMENT_END]
        ),
        limit,
    )
    return Reminders(
        deadlines=[(r, reverse(_DEADLINE_LINKS[r.register], args=[r.object_id])) for r in deadlines[0]],
        deadlines_total=deadlines[1],
        agreements=agreements[0],
        agreements_total=agreements[1],
    )


def _first_and_total(queryset, limit: int) -> tuple[list, int]:
    """The first `limit` rows of an ordered queryset and how many rows it has in all, in one query."""
    rows = list(queryset.annotate(total_rows=Window(Count("pk")))[:limit])
    return rows, (rows[0].total_rows if rows else 0)


@dataclass(frozen=True)
class Dashboard:
    today: date
    requests: list[RequestRow]  # every open item, overdue first
    registers: list[RegisterSummary]
    agreements: AgreementFigures
    holds: HoldFigures
    pipeline: retention_selectors.RetentionPipeline
    sweep: SweepFigures
    reviews: ReviewFigures
    reminders: Reminders

    @property
    def overdue(self) -> list[RequestRow]:
        """Every overdue request across the registers, longest overdue first (their order in `requests`)."""
        return [row for row in self.requests if row.rag == Rag.RED]


def dashboard(*, today: date | None = None) -> Dashboard:
    """Everything the DPO dashboard shows, in a constant number of queries."""
    today = today or timezone.localdate()
    pipeline = retention_selectors.retention_pipeline(today)
    requests = sar_selectors.requests_by_status_with_rag(today)
    return Dashboard(
        today=today,
        requests=requests,
        registers=request_registers(requests),
        agreements=agreement_figures(today=today),
        holds=hold_figures(today=today),
        pipeline=pipeline,
        sweep=sweep_figures(overdue=pipeline.sweep_overdue),
        reviews=review_figures(today=today),
        reminders=reminders(),
    )


# --- Charts (the same figures go in a table beside each chart) ---


def chart_months(*, today: date) -> list[date]:
    """The first day of each of the last twelve months, oldest first."""
    first = _month_start(today)
    return [first - relativedelta(months=n) for n in range(CHART_MONTHS - 1, -1, -1)]


# The request registers the requests chart counts (complaints are not requests for information).
REQUEST_REGISTERS = ("sar", "rights", "foi")


@dataclass(frozen=True)
class RequestMonth:
    month: date
    received: int  # requests received in the month
    answered: int  # requests answered in the month, whenever received
    answered_in_time: int  # of those answered in the month, answered by their due date

    @property
    def answered_late(self) -> int:
        return self.answered - self.answered_in_time


def requests_by_month(*, today: date) -> list[RequestMonth]:
    """SARs, rights and FOI requests per month over the last twelve months: received, and answered (in
    time or late) in that month. `sar.selectors.requests_received_and_answered_in_time_by_month` states
    what "answered" and "in time" mean (the due date as it stood on the day of the answer)."""
    months = sar_selectors.requests_received_and_answered_in_time_by_month(
        chart_months(today=today)[0], today
    )
    return [
        RequestMonth(
            row["month"],
            sum(row["received"][r] for r in REQUEST_REGISTERS),
            sum(row["answered"][r] for r in REQUEST_REGISTERS),
            sum(row["in_time"][r] for r in REQUEST_REGISTERS),
        )
        for row in months
    ]


@dataclass(frozen=True)
class DisclosureCell:
    category: str
    basis: str
    decisions: int


_SENT = {Disclosure.Decision.SHARED, Disclosure.Decision.PARTLY}


def disclosures_by_category_and_basis(*, today: date) -> list[DisclosureCell]:
    """Sharing decisions that sent something out (in full or in part) in the last twelve months, per
    partner category and lawful basis. One query:
    `sharing.selectors.disclosure_counts_by_partner_category_and_basis`."""
    rows = sharing_selectors.disclosure_counts_by_partner_category_and_basis(
        chart_months(today=today)[0], today
    )
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        if row["decision"] in _SENT:
            basis = row["basis_label"] if row["basis"] else "Not recorded"
            counts[(row["category_label"], basis)] += row["decisions"]
    return [DisclosureCell(category, basis, n) for (category, basis), n in sorted(counts.items())]


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
