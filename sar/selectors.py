"""Reads about requests and complaints that the dashboard and other apps need."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse

from cases.search_keys import name_key
from sar.models import (
    Complaint,
    FOIRequest,
    Rag,
    Redaction,
    RedactionDecision,
    RightsRequest,
    SarCompilation,
    SarItem,
    SarPackage,
    SarSearchTask,
    SubjectAccessRequest,
)


def open_subject_access_requests():
    """Open SARs, oldest first, with what their deadline and list row need in two queries."""
    return (
        SubjectAccessRequest.objects.exclude(status__in=SubjectAccessRequest.CLOSED_STATUSES)
        .select_related("subject")
        .prefetch_related("pauses")
        .order_by("received_on", "pk")
    )


def people_with_open_requests() -> set[int]:
    """Ids of people an open SAR, rights request or complaint is about.

    Their records are on automatic legal hold: deleting or altering requested
    data to stop its disclosure is an offence (DPA 2018 s.173; domain-rules §2,
    SPEC §7). The retention sweep asks this before destroying anyone.
    """
    sar = SubjectAccessRequest.objects.filter(
        ~Q(status__in=SubjectAccessRequest.CLOSED_STATUSES), subject__isnull=False
    ).values_list("subject_id", flat=True)
    rights = RightsRequest.objects.filter(decided_on__isnull=True, subject__isnull=False).values_list(
        "subject_id", flat=True
    )
    complaints = Complaint.objects.filter(outcome_on__isnull=True, subject__isnull=False).values_list(
        "subject_id", flat=True
    )
    # Default orderings cleared: a UNION cannot carry them.
    return set(sar.order_by().union(rights.order_by(), complaints.order_by()))


def restrictions_in_force(*, on: date):
    """Granted restrictions (SPEC §8.2) in force on `on`: decided on or before it, not lifted by then."""
    return RightsRequest.objects.filter(
        Q(lifted_on__isnull=True) | Q(lifted_on__gt=on),
        kind=RightsRequest.Kind.RESTRICTION,
        decision__in=RightsRequest.RESTRICTING_DECISIONS,
        decided_on__lte=on,
        subject__isnull=False,
    )


def restriction_in_force(*, person, on: date) -> bool:
    """Whether `person` is under a restriction of processing on `on` (UK GDPR Art 18; SPEC §8.2).

    A restriction is a granted (or partly granted) rights request of kind
    restriction, counted from its decision date until the day it is lifted.
    While it is in force nothing is disclosed about the person except for
    safeguarding; the sharing check asks this.
    """
    return restrictions_in_force(on=on).filter(subject=person).exists()


# --- Answering a subject access request (SPEC §8.1) ---


def _contact_key(text: str) -> str:
    return "".join(text.casefold().split())


def possible_duplicates(request: SubjectAccessRequest) -> list[SubjectAccessRequest]:
    """Other requests about the same person from the same requester (same name or same contact details).

    Both are answered together, or the later one treated as a repeat (UK GDPR Art 12(5)).
    """
    if request.subject_id is None:
        return []
    name = name_key(request.requester_name)
    contact = _contact_key(request.requester_contact)
    others = (
        SubjectAccessRequest.objects.filter(subject_id=request.subject_id)
        .exclude(pk=request.pk)
        .order_by("received_on", "pk")
    )
    return [
        other
        for other in others
        if (name and name_key(other.requester_name) == name)
        or (contact and _contact_key(other.requester_contact) == contact)
    ]


def subject_access_request_for_dpo(pk) -> SubjectAccessRequest:
    """The request with what its page shows, or 404."""
    return get_object_or_404(
        SubjectAccessRequest.objects.select_related("subject", "duplicate_of").prefetch_related("pauses"),
        pk=pk,
    )


def search_tasks(request: SubjectAccessRequest) -> list[SarSearchTask]:
    return list(
        request.search_tasks.select_related("assigned_to", "completed_by", "organisation").order_by(
            "completed_on", "due_on", "pk"
        )
    )


def packages(request: SubjectAccessRequest) -> list[SarPackage]:
    return list(request.packages.select_related("made_by").order_by("-made_at", "-pk"))


@dataclass(frozen=True)
class RedactionCounts:
    proposed: int
    undecided: int
    withheld: int
    disclosed: int


def latest_decisions(compilation: SarCompilation) -> dict[int, RedactionDecision]:
    """Each redaction's latest decision (the one that counts), in one query."""
    latest: dict[int, RedactionDecision] = {}
    decisions = (
        RedactionDecision.objects.filter(redaction__item__compilation=compilation)
        .select_related("by")
        .order_by("at", "pk")
    )
    for decision in decisions:
        latest[decision.redaction_id] = decision
    return latest


def redaction_counts(compilation: SarCompilation) -> RedactionCounts:
    redactions = list(Redaction.objects.filter(item__compilation=compilation).values_list("pk", "suggestion"))
    latest = dict(
        RedactionDecision.objects.filter(redaction__item__compilation=compilation)
        .order_by("at", "pk")
        .values_list("redaction_id", "decision")
    )
    withheld = sum(1 for pk, _ in redactions if latest.get(pk) == RedactionDecision.Decision.WITHHOLD)
    undecided = sum(
        1 for pk, suggestion in redactions if pk not in latest and suggestion != Redaction.Suggestion.DISCLOSE
    )
    return RedactionCounts(len(redactions), undecided, withheld, len(redactions) - withheld - undecided)


@dataclass
class ReviewItem:
    item: SarItem
    redactions: list[Redaction]
    undecided: int

    @property
    def fields(self) -> list[dict]:
        """The item's fields with their highlighted spans, for the review page."""
        out = []
        for index, f in enumerate(self.item.fields):
            spans = sorted(
                (r for r in self.redactions if r.field_index == index), key=lambda r: (r.start, r.end)
            )
            parts, position = [], 0
            for r in spans:
                if r.start < position:
                    continue
                parts.append({"text": f["value"][position : r.start]})
                parts.append({"text": f["value"][r.start : r.end], "redaction": r})
                position = r.end
            parts.append({"text": f["value"][position:]})
            out.append({"label": f["label"], "parts": parts})
        return out

    @property
    def whole_item(self) -> list[Redaction]:
        return [r for r in self.redactions if r.is_whole_item]


def review_items(compilation: SarCompilation, *, only_undecided: bool = False) -> list[ReviewItem]:
    """Items with their proposed redactions and each one's latest decision (`r.latest`), in three queries."""
    latest = latest_decisions(compilation)
    redactions = Redaction.objects.filter(item__compilation=compilation).order_by(
        "item", "field_index", "start"
    )
    by_item: dict[int, list[Redaction]] = {}
    for r in redactions:
        r.latest = latest.get(r.pk)
        by_item.setdefault(r.item_id, []).append(r)
    found = []
    for item in SarItem.objects.filter(compilation=compilation, pk__in=list(by_item)).order_by("position"):
        item_redactions = by_item[item.pk]
        undecided = sum(1 for r in item_redactions if r.latest is None and r.needs_decision)
        if only_undecided and not undecided:
            continue
        found.append(ReviewItem(item, item_redactions, undecided))
    return found


def review_item(compilation: SarCompilation, item_pk) -> ReviewItem:
    item = get_object_or_404(SarItem, compilation=compilation, pk=item_pk)
    latest = latest_decisions(compilation)
    redactions = list(item.redactions.order_by("field_index", "start", "pk"))
    for r in redactions:
        r.latest = latest.get(r.pk)
    return ReviewItem(item, redactions, sum(1 for r in redactions if r.latest is None and r.needs_decision))


def next_undecided_item(compilation: SarCompilation, *, after: int) -> SarItem | None:
    """The next item (by position) with a redaction still to decide, wrapping round to the start."""
    undecided = Redaction.objects.filter(item=OuterRef("pk"), decisions__isnull=True).exclude(
        suggestion=Redaction.Suggestion.DISCLOSE
    )
    items = SarItem.objects.filter(compilation=compilation).filter(Exists(undecided)).order_by("position")
    return items.filter(position__gt=after).first() or items.first()


@dataclass(frozen=True)
class LogRow:
    item: SarItem
    redaction: Redaction
    decision: RedactionDecision | None
    default: str  # what happens without a decision


def redaction_log(compilation: SarCompilation) -> list[LogRow]:
    """Every redaction and every decision on it, in order: the per-item log domain-rules §2 asks for."""
    decisions: dict[int, list[RedactionDecision]] = {}
    for decision in (
        RedactionDecision.objects.filter(redaction__item__compilation=compilation)
        .select_related("by")
        .order_by("at", "pk")
    ):
        decisions.setdefault(decision.redaction_id, []).append(decision)
    rows = []
    for r in (
        Redaction.objects.filter(item__compilation=compilation)
        .select_related("item")
        .order_by("item__position", "field_index", "start", "pk")
    ):
        default = "Disclosed: acting in their role" if not r.needs_decision else "Not decided"
        for decision in decisions.get(r.pk, [None]):
            rows.append(LogRow(r.item, r, decision, default))
    return rows


# --- The DPO dashboard (SPEC §8, issue 9): plain data, no HTML ---

REGISTER_LABELS = {
    "sar": "Subject access request",
    "rights": "Rights request",
    "foi": "FOI request",
    "complaint": "Data-protection complaint",
}
_RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2, None: 3}


@dataclass(frozen=True)
class RequestRow:
    """One open request or complaint on the dashboard: no names, only its reference and dates.

    `due_on` is the deadline the RAG is about: the answer for a SAR, rights or FOI
    request (None while the clock is stopped), the acknowledgement for a complaint
    (None once acknowledged). `url` is where the DPO works on it.
    """

    register: str
    register_label: str
    pk: int
    reference: str
    status: str
    received_on: date
    due_on: date | None
    due_label: str
    rag: Rag | None
    handled_by_id: int | None
    url: str


def _admin_url(model: str, pk: int) -> str:
    return reverse(f"admin:sar_{model}_change", args=[pk])


def _sar_rows(today: date) -> list[RequestRow]:
    return [
        RequestRow(
            "sar",
            REGISTER_LABELS["sar"],
            sar.pk,
            sar.reference,
            sar.get_status_display(),
            sar.received_on,
            sar.due_date_on(today),
            "Reply by",
            sar.rag_on(today),
            sar.handled_by_id,
            reverse("sar:request_detail", args=[sar.pk]),
        )
        for sar in SubjectAccessRequest.objects.exclude(status__in=SubjectAccessRequest.CLOSED_STATUSES)
        .prefetch_related("pauses")
        .order_by()
    ]


def _rights_rows(today: date) -> list[RequestRow]:
    rows = []
    for rights in RightsRequest.objects.filter(decided_on__isnull=True).order_by():
        status = "Awaiting identity evidence" if rights.awaiting_identity else "Awaiting a decision"
        rows.append(
            RequestRow(
                "rights",
                f"{REGISTER_LABELS['rights']} ({rights.get_kind_display().lower()})",
                rights.pk,
                rights.reference,
                status,
                rights.received_on,
                rights.due_date,
                "Decide by",
                rights.rag_on(today),
                rights.handled_by_id,
                _admin_url("rightsrequest", rights.pk),
            )
        )
    return rows


def _foi_rows(today: date) -> list[RequestRow]:
    rows = []
    for foi in FOIRequest.objects.filter(answered_on__isnull=True).order_by():
        if foi.awaiting_clarification:
            status = "Awaiting clarification"
        elif foi.awaiting_fee:
            status = "Awaiting the fee"
        else:
            status = "Open"
        rows.append(
            RequestRow(
                "foi",
                REGISTER_LABELS["foi"],
                foi.pk,
                foi.reference,
                status,
                foi.received_on,
                foi.due_date,
                "Answer by",
                foi.rag_on(today),
                foi.handled_by_id,
                _admin_url("foirequest", foi.pk),
            )
        )
    return rows


def _complaint_rows(today: date) -> list[RequestRow]:
    rows = []
    for complaint in Complaint.objects.filter(outcome_on__isnull=True).order_by():
        acknowledged = complaint.acknowledged_on is not None
        rows.append(
            RequestRow(
                "complaint",
                REGISTER_LABELS["complaint"],
                complaint.pk,
                complaint.reference,
                "Acknowledged, being looked into" if acknowledged else "Awaiting acknowledgement",
                complaint.received_on,
                None if acknowledged else complaint.acknowledgement_due,
                "Acknowledge by",
                complaint.rag_on(today),
                complaint.handled_by_id,
                _admin_url("complaint", complaint.pk),
            )
        )
    return rows


def requests_by_status_with_rag(today: date) -> list[RequestRow]:
    """Every open SAR, rights request, FOI request and complaint, overdue first.

    Ordered red, amber, green, then those with no running deadline; within each,
    the earliest deadline (then the earliest received) first. Five queries
    whatever the number of requests.
    """
    rows = _sar_rows(today) + _rights_rows(today) + _foi_rows(today) + _complaint_rows(today)
    return sorted(
        rows,
        key=lambda r: (_RAG_ORDER[r.rag], r.due_on or date.max, r.received_on, r.register, r.pk),
    )


def rag_counts(today: date) -> dict[str, dict[str, int]]:
    """Per register, how many open items are red, amber, green or have no running deadline ("none")."""
    counts = {register: {"red": 0, "amber": 0, "green": 0, "none": 0} for register in REGISTER_LABELS}
    for row in requests_by_status_with_rag(today):
        counts[row.register][row.rag.value if row.rag else "none"] += 1
    return counts


def _month(day: date) -> date:
    return day.replace(day=1)


def _months(start: date, end: date) -> list[date]:
    months, month = [], _month(start)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def requests_received_and_answered_in_time_by_month(start: date, end: date) -> list[dict]:
    """Per calendar month from `start` to `end` (inclusive): for each register, how many were received,
    answered, and answered in time. Plain data for a chart.

    Each row: {"month": date (the 1st), "label": "June 2025", "received": {register: n},
    "answered": {register: n}, "in_time": {register: n}}, registers "sar", "rights", "foi",
    "complaint". Answered: a SAR completed or refused (withdrawn ones are not answers), a rights
    request decided, an FOI request answered (a conversion to a SAR included), a complaint given its
    outcome. In time: by the due date as it stood on the day of the answer; for a complaint, the
    statutory deadline is the acknowledgement (30 days), so "in time" counts complaints with an
    outcome in the month that were acknowledged by then.
    """
    if end < start:
        raise ValueError("The end of the period cannot come before its start.")
    months = _months(start, end)
    empty = dict.fromkeys(REGISTER_LABELS, 0)
    table = {
        m: {
            "month": m,
            "label": f"{m:%B %Y}",
            "received": dict(empty),
            "answered": dict(empty),
            "in_time": dict(empty),
        }
        for m in months
    }

    def count(register: str, column: str, day: date | None) -> None:
        if day is not None and start <= day <= end:
            table[_month(day)][column][register] += 1

    answered_sar = (SubjectAccessRequest.Status.COMPLETED, SubjectAccessRequest.Status.REFUSED)
    in_period = Q(received_on__range=(start, end))
    for sar in (
        SubjectAccessRequest.objects.filter(in_period | Q(closed_on__range=(start, end)))
        .prefetch_related("pauses")
        .order_by()
    ):
        count("sar", "received", sar.received_on)
        if sar.status in answered_sar and sar.closed_on:
            count("sar", "answered", sar.closed_on)
            due = sar.due_date_on(sar.closed_on)
            if due is None or sar.closed_on <= due:
                count("sar", "in_time", sar.closed_on)
    for rights in RightsRequest.objects.filter(in_period | Q(decided_on__range=(start, end))).order_by():
        count("rights", "received", rights.received_on)
        if rights.decided_on:
            count("rights", "answered", rights.decided_on)
            due = rights.due_date
            if due is None or rights.decided_on <= due:
                count("rights", "in_time", rights.decided_on)
    for foi in FOIRequest.objects.filter(in_period | Q(answered_on__range=(start, end))).order_by():
        count("foi", "received", foi.received_on)
        if foi.answered_on:
            count("foi", "answered", foi.answered_on)
            if foi.in_time is not False:
                count("foi", "in_time", foi.answered_on)
    for complaint in Complaint.objects.filter(in_period | Q(outcome_on__range=(start, end))).order_by():
        count("complaint", "received", complaint.received_on)
        if complaint.outcome_on:
            count("complaint", "answered", complaint.outcome_on)
            acknowledged = complaint.acknowledged_on
            if acknowledged is not None and acknowledged <= complaint.acknowledgement_due:
                count("complaint", "in_time", complaint.outcome_on)
    return [table[m] for m in months]


# --- Complaints per period (SPEC §8.4) ---

UPHELD_OUTCOMES = (Complaint.Outcome.UPHELD, Complaint.Outcome.PARTLY_UPHELD)


def _quarter(day: date) -> date:
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def complaint_counts(start: date, end: date, *, period: str = "month") -> list[dict]:
    """Per calendar month or quarter from `start` to `end` (inclusive): complaints received, received
    and acknowledged within the 30 days, upheld (in full or in part, counted when the outcome was
    given) and taken to the ICO (counted when the ICO got involved). No names: counts only.

    Each row: {"period": date (its first day), "label": "June 2025" or "Q2 2025 (April to June)",
    "received", "acknowledged_in_time", "upheld", "ico"}.
    """
    if end < start:
        raise ValueError("The end of the period cannot come before its start.")
    if period not in ("month", "quarter"):
        raise ValueError("Count by month or by quarter.")
    first_day = _month if period == "month" else _quarter
    keys, key = [], first_day(start)
    while key <= end:
        keys.append(key)
        key = (key + timedelta(days=32 if period == "month" else 95)).replace(day=1)
        key = first_day(key)

    def label(day: date) -> str:
        if period == "month":
            return f"{day:%B %Y}"
        last = (day + timedelta(days=62)).replace(day=1)
        return f"Q{(day.month - 1) // 3 + 1} {day.year} ({day:%B} to {last:%B})"

    table = {
        k: {"period": k, "label": label(k), "received": 0, "acknowledged_in_time": 0, "upheld": 0, "ico": 0}
        for k in keys
    }

    def count(column: str, day: date | None) -> None:
        if day is not None and start <= day <= end:
            table[first_day(day)][column] += 1

    span = (start, end)
    for complaint in Complaint.objects.filter(
        Q(received_on__range=span) | Q(outcome_on__range=span) | Q(ico_involved_on__range=span)
    ).order_by():
        count("received", complaint.received_on)
        acknowledged = complaint.acknowledged_on
        if acknowledged is not None and acknowledged <= complaint.acknowledgement_due:
            count("acknowledged_in_time", complaint.received_on)
        if complaint.outcome in UPHELD_OUTCOMES:
            count("upheld", complaint.outcome_on)
        count("ico", complaint.ico_involved_on)
    return [table[k] for k in keys]
