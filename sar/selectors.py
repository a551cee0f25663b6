"""Reads about requests and complaints that the dashboard and other apps need."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404

from cases.search_keys import name_key
from sar.models import (
    Complaint,
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
