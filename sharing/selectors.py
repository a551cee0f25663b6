"""The reads that sharing pages, the family page, SAR packages, the DPO console and reminders need
(SPEC §6.1, §6.2). Each selector fixes its joins here, so a page's query count stays constant."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from cases.access import families_visible_to
from cases.models import Family, Person
from sharing.check import CheckResult
from sharing.models import (
    AgreementParty,
    DataSharingAgreement,
    Disclosure,
    Organisation,
    PartnerReferral,
    PartnerReferralEvent,
    RecipientNotificationTask,
)
from sharing.models.choices import DISCLOSURE_BASIS_CHOICES

SHARING_HISTORY_ON_FAMILY_PAGE = 10


def _with_outcome(queryset: QuerySet[Disclosure]) -> QuerySet[Disclosure]:
    return queryset.select_related(
        "person",
        "organisation",
        "purpose",
        "agreement",
        "decided_by",
        "approval__decided_by",
        "dpo_review",
    ).prefetch_related("flags")


def family_sharing_history(*, family: Family, limit: int | None = None) -> list[Disclosure]:
    """The family's sharing decisions, newest first, one row per person (SPEC §6.2).

    Two queries whatever their number (disclosures with their joins; flags).
    The family page passes `limit`; the history page shows them all.
    """
    disclosures = _with_outcome(Disclosure.objects.filter(family=family)).order_by(
        "-decided_on", "-recorded_at", "pk"
    )
    if limit is not None:
        disclosures = disclosures[:limit]
    return list(disclosures)


@dataclass
class Decision:
    """One sharing decision (all its people) for lists grouped by decision."""

    decision_id: object
    disclosures: list[Disclosure] = field(default_factory=list)

    @property
    def first(self) -> Disclosure:
        return self.disclosures[0]

    @property
    def family(self) -> Family:
        return self.first.family

    @property
    def people(self) -> list[Person]:
        return [d.person for d in self.disclosures]


def _grouped(disclosures) -> list[Decision]:
    decisions: dict[object, Decision] = {}
    for disclosure in disclosures:
        decisions.setdefault(disclosure.decision_id, Decision(disclosure.decision_id)).disclosures.append(
            disclosure
        )
    return list(decisions.values())


def family_sharing_decisions(*, family: Family, limit: int | None = None) -> list[Decision]:
    """The family's sharing history grouped by decision, newest first."""
    return _grouped(family_sharing_history(family=family, limit=limit))


def decision_disclosures_in(*, family: Family, decision_id) -> list[Disclosure]:
    """Everyone in one decision about `family` (the other people decided on with one disclosure)."""
    return list(
        _with_outcome(Disclosure.objects.filter(family=family, decision_id=decision_id)).order_by("pk")
    )


def disclosures_about(*, person: Person) -> list[Disclosure]:
    """Every sharing decision about `person`, oldest first: the "recipients" of a SAR package (SPEC §8.1)."""
    return list(_with_outcome(Disclosure.objects.filter(person=person)).order_by("decided_on", "pk"))


def stored_check(disclosure: Disclosure) -> CheckResult:
    """The check's answer as stored with the decision: what "why was this allowed?" replays."""
    return CheckResult.from_dict(disclosure.check_result)


def approval_queue(*, user) -> list[Decision]:
    """Decisions waiting for a manager's approval in families `user` can see, oldest first (SPEC §6.2).

    Shares the user recorded themselves are listed too, marked, since they
    must go to another manager.
    """
    pending = _with_outcome(
        Disclosure.objects.awaiting_approval().filter(family__in=families_visible_to(user))
    ).select_related("family")
    return _grouped(pending.order_by("decided_on", "recorded_at", "pk"))


def awaiting_dpo_review() -> list[Decision]:
    """Safeguarding decisions the DPO has not reviewed yet, oldest first."""
    flagged = _with_outcome(Disclosure.objects.awaiting_dpo_review()).select_related("family")
    return _grouped(flagged.order_by("decided_on", "recorded_at", "pk"))


def decision(*, decision_id, user) -> Decision | None:
    """One decision if `user` can see its family, else None (the view answers 404)."""
    disclosures = list(
        _with_outcome(
            Disclosure.objects.filter(decision_id=decision_id, family__in=families_visible_to(user))
        )
        .select_related("family")
        .order_by("pk")
    )
    return _grouped(disclosures)[0] if disclosures else None


@dataclass(frozen=True)
class AgreementDue:
    agreement: DataSharingAgreement
    what: str  # "review" or "end"
    due_on: date
    overdue: bool


def agreements_due(*, on: date, within_days: int = 30) -> list[AgreementDue]:
    """Agreements whose review date or end date is past or falls within `within_days` of `on`
    (SPEC §6.1 reminders; for the DPO console and a scheduled reminder).

    Revoked and already ended agreements are left out: there is nothing to
    review. One query.
    """
    horizon = on + timedelta(days=within_days)
    agreements = (
        DataSharingAgreement.objects.filter(revoked_on__isnull=True)
        .exclude(end_date__lt=on)
        .filter(Q(review_date__lte=horizon) | Q(end_date__lte=horizon))
    )
    due = []
    for agreement in agreements:
        if agreement.review_date <= horizon:
            due.append(AgreementDue(agreement, "review", agreement.review_date, agreement.review_date < on))
        if agreement.end_date and agreement.end_date <= horizon:
            due.append(AgreementDue(agreement, "end", agreement.end_date, False))
    return sorted(due, key=lambda d: (d.due_on, d.agreement.reference, d.what))


def organisations_for_sharing() -> QuerySet[Organisation]:
    return Organisation.objects.filter(is_active=True).select_related("category").order_by("name")


def _latest_event(field_name: str):
    latest = PartnerReferralEvent.objects.filter(referral=OuterRef("pk")).order_by("-on", "-pk")
    return Subquery(latest.values(field_name)[:1])


def partner_referrals(*, family: Family) -> list[PartnerReferral]:
    """The family's referrals to partners, newest first, with their events (two queries)."""
    return list(
        PartnerReferral.objects.filter(family=family)
        .select_related("organisation", "sent_by")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=PartnerReferralEvent.objects.select_related("recorded_by").order_by("on", "pk"),
            )
        )
        .annotate(status=_latest_event("status"), status_on=_latest_event("on"))
        .order_by("-sent_on", "-pk")
    )


def referrals_awaiting_response(*, on: date, days: int | None = None, families=None) -> list[PartnerReferral]:
    """Referrals the partner has not answered (still sent, or only acknowledged) for more than `days`
    days since the last step — by default each organisation's own `referral_response_days` (SPEC §6.2).

    Pass `families` to limit to those a user may see. One query.
    """
    referrals = (
        PartnerReferral.objects.annotate(status=_latest_event("status"), status_on=_latest_event("on"))
        .filter(status__in=[PartnerReferralEvent.Status.SENT, PartnerReferralEvent.Status.ACKNOWLEDGED])
        .select_related("organisation", "family")
    )
    if families is not None:
        referrals = referrals.filter(family__in=families)
    if days is not None:
        referrals = referrals.filter(status_on__lt=on - timedelta(days=days))
    rows = list(referrals.order_by("status_on", "pk"))
    if days is None:
        rows = [r for r in rows if r.status_on < on - timedelta(days=r.organisation.referral_response_days)]
    return rows


def open_recipient_tasks(*, families=None) -> QuerySet[RecipientNotificationTask]:
    """Recipients still to be told of a withdrawal, restriction or correction, oldest first."""
    tasks = RecipientNotificationTask.objects.filter(told_on__isnull=True).select_related(
        "organisation", "flag__disclosure__person", "flag__disclosure__family"
    )
    if families is not None:
        tasks = tasks.filter(flag__disclosure__family__in=families)
    return tasks.order_by("created_at", "pk")


# --- for the DPO console (plain data: dicts of strings, numbers and dates; no names of people) ----------


def ons_destruction_confirmations_overdue(*, on: date | None = None) -> list[dict]:
    """Research files sent whose recipient (ONS) has not confirmed destruction by the date due (SPEC §6.3),
    most overdue first. One query. Each: transfer_id, run_id, recipient, research_project (reference),
    research_project_title, sent_on, due_on, days_overdue, row_count."""
    from sharing.returns.selectors import destruction_confirmations_overdue

    on = on or timezone.localdate()
    return [
        {
            "transfer_id": t.pk,
            "run_id": t.run_id,
            "recipient": str(t.recipient),
            "research_project": t.research_project.reference if t.research_project else "",
            "research_project_title": t.research_project.title if t.research_project else "",
            "sent_on": t.sent_on,
            "due_on": t.destruction_confirmation_due_on,
            "days_overdue": (on - t.destruction_confirmation_due_on).days,
            "row_count": t.row_count,
        }
        for t in destruction_confirmations_overdue(on=on)
    ]


def agreements_due_for_review(within_days: int = 30, *, on: date | None = None) -> list[dict]:
    """Agreements whose review date (or end date) is past or within `within_days` (SPEC §6.1), soonest
    first: the register's reminders as plain data. Two queries. Each: agreement_id, reference, title,
    what ("review" or "end"), due_on, overdue, days_left (negative when overdue), partners (names)."""
    on = on or timezone.localdate()
    due = agreements_due(on=on, within_days=within_days)
    parties: dict[int, list[str]] = {}
    for agreement_id, name in (
        AgreementParty.objects.filter(agreement__in=[d.agreement for d in due])
        .order_by("organisation__name")
        .values_list("agreement_id", "organisation__name")
    ):
        parties.setdefault(agreement_id, []).append(name)
    return [
        {
            "agreement_id": d.agreement.pk,
            "reference": d.agreement.reference,
            "title": d.agreement.title,
            "what": d.what,
            "due_on": d.due_on,
            "overdue": d.overdue,
            "days_left": (d.due_on - on).days,
            "partners": parties.get(d.agreement.pk, []),
        }
        for d in due
    ]


def disclosure_counts_by_partner_category_and_basis(start: date, end: date) -> list[dict]:
    """Sharing decisions by us between `start` and `end` (inclusive), counted per partner category, lawful
    basis and decision (SPEC §6.2; for the DPO, inside the service: not disclosure-controlled). One query.
    Each: category (code), category_label, basis (code, "" when none), basis_label, decision (shared,
    partly, not_shared), decision_label, people (Disclosure rows: one per person), decisions (distinct
    decisions), safeguarding (rows on the safeguarding path), without_agreement."""
    labels = dict(DISCLOSURE_BASIS_CHOICES)
    decisions = dict(Disclosure.Decision.choices)
    rows = (
        Disclosure.objects.filter(
            direction=Disclosure.Direction.OUT, decided_on__gte=start, decided_on__lte=end
        )
        .values("organisation__category__code", "organisation__category__label", "basis", "decision")
        .annotate(
            people=Count("pk"),
            decisions=Count("decision_id", distinct=True),
            safeguarding=Count("pk", filter=Q(is_safeguarding=True)),
            without_agreement=Count("pk", filter=Q(without_agreement=True)),
        )
        .order_by("organisation__category__code", "basis", "decision")
    )
    return [
        {
            "category": row["organisation__category__code"],
            "category_label": row["organisation__category__label"],
            "basis": row["basis"],
            "basis_label": labels.get(row["basis"], "None"),
            "decision": row["decision"],
            "decision_label": decisions.get(row["decision"], row["decision"]),
            "people": row["people"],
            "decisions": row["decisions"],
            "safeguarding": row["safeguarding"],
            "without_agreement": row["without_agreement"],
        }
        for row in rows
    ]
