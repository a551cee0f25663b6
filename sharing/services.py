"""What staff do when they share (SPEC §6.2): record a decision, approve it, review it, flag it,
tell the recipient, send and track a referral.

Every function takes the acting user as `by`, runs in one transaction, writes
the access log in it, and refuses bad input with a ValidationError keyed by
the field to correct (a form puts the message beside that field).
"""

import uuid
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.access import families_visible_to
from cases.models import Family, Membership, Person
from fss.core import roles
from fss.core.models import AccessLogEntry
from fss.core.services import log_access
from sar.selectors import restriction_in_force
from sharing.check import (
    REFUSED,
    Safeguarding,
    check_disclosure,
    long_date,
    person_summary,
)
from sharing.models import (
    DataCategory,
    Disclosure,
    DisclosureApproval,
    DisclosureFlag,
    DpoReview,
    Organisation,
    PartnerReferral,
    PartnerReferralEvent,
    RecipientNotificationTask,
    SharingPurpose,
    TransferMethod,
)

CHANGED_MESSAGE = (
    "The answer of the check has changed since you saw it (for example consent was withdrawn, "
    "an agreement ended or a restriction was placed). Check again before recording the decision."
)


def _current_member_ids(family: Family, on: date) -> set[int]:
    return set(
        Membership.objects.filter(family=family, start_date__lte=on)
        .exclude(end_date__lt=on)
        .values_list("person_id", flat=True)
    )


@transaction.atomic
def record_disclosure(
    *,
    family: Family,
    people: Iterable[Person],
    recipient: Organisation,
    categories: Iterable[DataCategory | str],
    purpose: SharingPurpose | str,
    on: date,
    by,
    expected: str | None,
    family_told: bool,
    family_not_told_reason: str = "",
    transfer_method: str = "",
    onward_use_limits: str = "",
    items_description: str = "",
    manager_consulted=None,
    basis_hint: str | None = None,
    safeguarding: Safeguarding | None = None,
    override_reason: str = "",
    share: bool = True,
    not_sharing_reason: str = "",
    direction: str = Disclosure.Direction.OUT,
    request=None,
) -> list[Disclosure]:
    """Record one sharing decision: a Disclosure per person, to share or not (domain-rules §5).

    Runs the check again inside the transaction (the people are locked, so a
    consent withdrawal cannot slip in between) and refuses when its answer is
    not the one the worker saw (`expected`, a `CheckResult.fingerprint()`).
    People the check refuses, and everyone when the worker decides not to
    share (`share=False`, with a reason), are recorded as not shared.
    Refuses: no one chosen; someone not in the family; a safeguarding
    decision without a justification; no reason why the family was not told;
    a manager consulted who is not a team manager; a date in the future; no
    transfer method when something may be sent.
    """
    people = list(people)
    errors: dict[str, str] = {}
    if on > timezone.localdate():
        errors["on"] = "The date of the decision cannot be in the future."
    if not people:
        errors["people"] = "Choose who the information is about."
    if safeguarding is not None and not (safeguarding.justification or "").strip():
        errors["safeguarding_justification"] = (
            "Give a written justification: why sharing is needed to protect a child or adult at risk."
        )
    if not family_told and not family_not_told_reason.strip():
        errors["family_not_told_reason"] = (
            "Say why the family was not told, for example because telling them would put a child at risk."
        )
    if manager_consulted is not None and not manager_consulted.has_role(roles.TEAM_MANAGER):
        errors["manager_consulted"] = f"{manager_consulted} is not a team manager."
    if not share and not not_sharing_reason.strip():
        errors["not_sharing_reason"] = "Say why you decided not to share."
    if transfer_method and transfer_method not in TransferMethod.values:
        errors["transfer_method"] = "Choose how the information will be sent."
    if direction not in Disclosure.Direction.values:
        errors["direction"] = "Choose whether the information was shared by us or received."
    if errors:
        raise ValidationError(errors)

    # One decision about these people at a time: consent.services locks the same rows.
    # Lock every person (list(), not .first(): on PostgreSQL .first() locks one row only).
    list(Person.objects.select_for_update().filter(pk__in=[p.pk for p in people]).order_by("pk"))
    members = _current_member_ids(family, on)
    strangers = [p for p in people if p.pk not in members]
    if strangers:
        names = ", ".join(str(p) for p in strangers)
        verb = "is not a member" if len(strangers) == 1 else "are not members"
        raise ValidationError({"people": f"{names} {verb} of family {family} on {long_date(on)}."})

    result = check_disclosure(
        people=people,
        recipient=recipient,
        categories=categories,
        purpose=purpose,
        on=on,
        basis_hint=basis_hint,
        safeguarding=safeguarding,
        family=family,
        override_reason=override_reason,
    )
    if expected is not None and result.fingerprint() != expected:
        raise ValidationError(CHANGED_MESSAGE)
    if share and not transfer_method and any(p.outcome != REFUSED for p in result.people):
        raise ValidationError({"transfer_method": "Choose how the information will be sent."})

    decision_id = uuid.uuid4()
    stored = result.to_dict()
    purpose_row = SharingPurpose.objects.get(code=result.purpose)
    disclosures = []
    for person in people:
        answer = result.person(person.pk)
        sharing = share and answer.outcome != REFUSED
        disclosure = Disclosure(
            decision_id=decision_id,
            family=family,
            person=person,
            organisation=recipient,
            agreement_id=result.agreement_id,
            direction=direction,
            decision=answer.decision if sharing else Disclosure.Decision.NOT_SHARED,
            decided_on=on,
            purpose=purpose_row,
            categories_shared=list(answer.categories_allowed) if sharing else [],
            categories_withheld=list(answer.categories_refused) if sharing else list(result.categories),
            items_description=items_description.strip(),
            basis=answer.basis,
            conditions={
                code: condition
                for code, condition in result.conditions_by_category.items()
                if sharing and code in answer.categories_allowed
            },
            legal_power=result.legal_power,
            consent_purpose=answer.consent_purpose,
            relied_on_consent=answer.relied_on_consent and sharing,
            family_told=family_told,
            family_not_told_reason="" if family_told else family_not_told_reason.strip(),
            decided_by=by,
            manager_consulted=manager_consulted,
            transfer_method=transfer_method if sharing else "",
            onward_use_limits=onward_use_limits.strip(),
            override_reason=override_reason.strip() if answer.approval and not result.is_safeguarding else "",
            not_sharing_reason="" if share else not_sharing_reason.strip(),
            is_safeguarding=result.is_safeguarding,
            safeguarding_justification=(safeguarding.justification.strip() if safeguarding else ""),
            immediate_risk=result.immediate_risk,
            without_agreement=result.without_agreement,
            needs_manager_approval=sharing and bool(answer.approval),
            approval_timing=answer.approval if sharing else "",
            dpo_review_required=sharing and answer.dpo_review,
            check_result=stored,
            check_summary=person_summary(answer, result),
        )
        disclosure.full_clean(exclude=["check_result"])
        disclosure.save()
        disclosures.append(disclosure)
        log_access(
            by=by,
            record=disclosure,
            action=AccessLogEntry.Action.CHANGE,
            request=request,
            family_id=family.pk,
            person_id=person.pk,
        )
    return disclosures


@transaction.atomic
def decide_approval(
    *, decision_id, approve: bool, comment: str = "", by, request=None
) -> list[DisclosureApproval]:
    """A team manager approves or declines the shares in one decision that need approval (SPEC §6.2).

    Refuses: someone who is not a team manager, or cannot see the family; the
    manager who recorded the share (someone else must approve it); a decline
    without a comment; a decision already approved or declined.
    """
    comment = (comment or "").strip()
    pending = list(
        Disclosure.objects.select_for_update()
        .filter(decision_id=decision_id, needs_manager_approval=True)
        .select_related("family", "decided_by", "person")
    )
    if not pending:
        raise ValidationError("Nothing in this decision needs a manager's approval.")
    family = pending[0].family
    if not by.has_role(roles.TEAM_MANAGER):
        raise ValidationError("Only a team manager can approve or decline a share.")
    if not families_visible_to(by).filter(pk=family.pk).exists():
        raise ValidationError("You can approve only shares about families your team holds.")
    if any(d.decided_by_id == by.pk for d in pending):
        raise ValidationError(
            "You recorded this share, so you cannot approve it yourself: ask another manager to approve it."
        )
    done = DisclosureApproval.objects.filter(disclosure__in=pending).select_related("decided_by").first()
    if done is not None:
        raise ValidationError(
            f"This share was already {done.get_outcome_display().lower()} by {done.decided_by} "
            f"on {long_date(timezone.localtime(done.decided_at).date())}."
        )
    if not approve and not comment:
        raise ValidationError({"comment": "Say why you are declining the share."})
    if approve:
        # Approval before sending is the moment of use: a restriction placed since stops it (SPEC §8.2).
        today = timezone.localdate()
        restricted = [
            d.person
            for d in pending
            if d.approval_timing == Disclosure.Approval.BEFORE
            and not d.is_safeguarding
            and restriction_in_force(person=d.person, on=today)
        ]
        if restricted:
            names = ", ".join(str(p) for p in restricted)
            raise ValidationError(
                f"{names} is now under a restriction of processing, so nothing may be sent: "
                "decline the share."
            )
    outcome = DisclosureApproval.Outcome.APPROVED if approve else DisclosureApproval.Outcome.DECLINED
    approvals = []
    for disclosure in pending:
        approval = DisclosureApproval.objects.create(
            disclosure=disclosure, outcome=outcome, comment=comment, decided_by=by
        )
        approvals.append(approval)
        log_access(
            by=by,
            record=approval,
            action=AccessLogEntry.Action.CHANGE,
            request=request,
            family_id=family.pk,
            person_id=disclosure.person_id,
        )
    return approvals


@transaction.atomic
def record_dpo_review(*, decision_id, note: str, by, request=None) -> list[DpoReview]:
    """The DPO records their review of a safeguarding decision (SPEC §6.2)."""
    note = (note or "").strip()
    if not by.has_role(roles.DPO):
        raise ValidationError("Only the Data Protection Officer reviews safeguarding shares.")
    if not note:
        raise ValidationError({"note": "Record what you found."})
    flagged = list(
        Disclosure.objects.select_for_update().filter(decision_id=decision_id, dpo_review_required=True)
    )
    if not flagged:
        raise ValidationError("Nothing in this decision is waiting for the DPO's review.")
    if DpoReview.objects.filter(disclosure__in=flagged).exists():
        raise ValidationError("This decision has already been reviewed.")
    reviews = []
    for disclosure in flagged:
        reviews.append(DpoReview.objects.create(disclosure=disclosure, note=note, reviewed_by=by))
        log_access(
            by=by,
            record=disclosure,
            action=AccessLogEntry.Action.CHANGE,
            request=request,
            family_id=disclosure.family_id,
            person_id=disclosure.person_id,
        )
    return reviews


@transaction.atomic
def flag_disclosures_relying_on(
    *,
    person: Person,
    on: date,
    reason: str,
    purpose: str | None = None,
    categories: Iterable[str] | None = None,
    note: str = "",
    by=None,
) -> list[DisclosureFlag]:
    """Flag earlier disclosures about `person` whose footing changed on `on`, and create a task to
    tell each recipient (SPEC §6.2; UK GDPR Arts 7(3), 18, 19).

    - ``consent_withdrawn``: disclosures on or before `on` that relied on the
      person's consent for the consent purpose `purpose` (``partner:police``);
    - ``restriction``: every disclosure on or before `on` that sent something;
    - ``rectification``: those that sent any of `categories` (all that sent
      something when no categories are given).
    Decisions not to share, shares declined by a manager and shares still
    awaiting approval sent nothing and are left alone. Safe to call twice for the same event: a disclosure is
    flagged once per reason and date.
    """
    if reason not in DisclosureFlag.Reason.values:
        raise ValueError(f"{reason!r} is not a flag reason")
    if reason == DisclosureFlag.Reason.CONSENT_WITHDRAWN and not purpose:
        raise ValueError("a consent withdrawal names its purpose")
    candidates = (
        Disclosure.objects.shared()
        .filter(person=person, decided_on__lte=on, direction=Disclosure.Direction.OUT)
        .select_related("organisation", "approval")
        .order_by("decided_on", "pk")
    )
    if reason == DisclosureFlag.Reason.CONSENT_WITHDRAWN:
        code = purpose.code if hasattr(purpose, "code") else str(purpose)
        candidates = candidates.filter(relied_on_consent=True, consent_purpose=code)
    wanted = set(categories or [])
    already = set(
        DisclosureFlag.objects.filter(disclosure__in=candidates, reason=reason, on=on).values_list(
            "disclosure_id", flat=True
        )
    )
    flags = []
    for disclosure in candidates:
        # Nothing reached the recipient while a manager's approval is awaited or after a decline.
        if disclosure.pk in already or disclosure.was_sent is not True:
            continue
        if wanted and not wanted.intersection(disclosure.categories_shared):
            continue
        flag = DisclosureFlag.objects.create(
            disclosure=disclosure, reason=reason, on=on, note=(note or "").strip(), raised_by=by
        )
        RecipientNotificationTask.objects.create(flag=flag, organisation=disclosure.organisation)
        flags.append(flag)
        if by is not None:
            log_access(
                by=by,
                record=flag,
                action=AccessLogEntry.Action.CHANGE,
                family_id=disclosure.family_id,
                person_id=person.pk,
            )
    return flags


@transaction.atomic
def record_recipient_told(
    *, task: RecipientNotificationTask, told_on: date, method: str, by, note: str = ""
) -> RecipientNotificationTask:
    """Record that the recipient was told; a task is done once."""
    task = (
        RecipientNotificationTask.objects.select_for_update()
        .select_related("flag__disclosure")
        .get(pk=task.pk)
    )
    errors = {}
    if task.is_done:
        raise ValidationError(f"{task.organisation} was already told on {long_date(task.told_on)}.")
    if told_on > timezone.localdate():
        errors["told_on"] = "The date cannot be in the future."
    elif told_on < task.flag.on:
        errors["told_on"] = f"The recipient cannot be told before {long_date(task.flag.on)}."
    if method not in TransferMethod.values:
        errors["method"] = "Choose how the recipient was told."
    if errors:
        raise ValidationError(errors)
    task.told_on = told_on
    task.told_by = by
    task.method = method
    task.note = (note or "").strip()
    task.save()
    disclosure = task.flag.disclosure
    log_access(
        by=by,
        record=task,
        action=AccessLogEntry.Action.CHANGE,
        family_id=disclosure.family_id,
        person_id=disclosure.person_id,
    )
    return task


# --- referrals to partners -------------------------------------------------------------------

Status = PartnerReferralEvent.Status

# What may follow each status (SPEC §6.2): sent → acknowledged → accepted / declined → completed.
NEXT_STATUSES = {
    Status.SENT: {Status.ACKNOWLEDGED, Status.ACCEPTED, Status.DECLINED},
    Status.ACKNOWLEDGED: {Status.ACCEPTED, Status.DECLINED},
    Status.ACCEPTED: {Status.COMPLETED},
    Status.DECLINED: set(),
    Status.COMPLETED: set(),
}


@transaction.atomic
def send_partner_referral(
    *,
    family: Family,
    decision_id,
    service_requested: str,
    reason: str,
    sent_on: date,
    by,
    request=None,
) -> PartnerReferral:
    """Record a referral sent to a partner, resting on a recorded decision to share with it.

    Refuses: a decision that is not this family's, shared nothing, or still
    awaits a manager's approval; a date in the future or before the decision.
    """
    errors = {}
    disclosures = list(
        Disclosure.objects.filter(decision_id=decision_id, family=family).select_related(
            "organisation", "approval"
        )
    )
    sent = [d for d in disclosures if d.was_sent]
    if not disclosures:
        errors["decision_id"] = "Choose a recorded sharing decision about this family."
    elif not sent:
        errors["decision_id"] = (
            "That decision shared nothing (or is still waiting for a manager's approval), "
            "so no referral can rest on it."
        )
    if not service_requested.strip():
        errors["service_requested"] = "Say which service the family is referred to."
    if not reason.strip():
        errors["reason"] = "Give the reason for the referral."
    if sent_on > timezone.localdate():
        errors["sent_on"] = "The date cannot be in the future."
    elif disclosures and sent_on < disclosures[0].decided_on:
        errors["sent_on"] = "The referral cannot be sent before the decision to share."
    if errors:
        raise ValidationError(errors)
    referral = PartnerReferral.objects.create(
        family=family,
        organisation=disclosures[0].organisation,
        decision_id=decision_id,
        service_requested=service_requested.strip(),
        reason=reason.strip(),
        sent_on=sent_on,
        sent_by=by,
    )
    PartnerReferralEvent.objects.create(referral=referral, status=Status.SENT, on=sent_on, recorded_by=by)
    log_access(
        by=by, record=referral, action=AccessLogEntry.Action.CHANGE, request=request, family_id=family.pk
    )
    return referral


def referral_status(referral: PartnerReferral) -> PartnerReferralEvent:
    return referral.events.order_by("-on", "-pk").first()


@transaction.atomic
def record_referral_response(
    *, referral: PartnerReferral, status: str, on: date, by, reason: str = "", request=None
) -> PartnerReferralEvent:
    """Record the partner's answer or progress, as a new event (SPEC §6.2).

    Refuses a step that cannot follow the current one (a declined or completed
    referral is finished), a decline without its reason, and a date before the
    last step or in the future.
    """
    referral = PartnerReferral.objects.select_for_update().get(pk=referral.pk)
    latest = referral_status(referral)
    reason = (reason or "").strip()
    errors = {}
    if status not in NEXT_STATUSES.get(latest.status, set()):
        allowed = ", ".join(sorted(Status(s).label.lower() for s in NEXT_STATUSES.get(latest.status, set())))
        errors["status"] = f"The referral is {latest.get_status_display().lower()}: " + (
            f"it can next be {allowed}." if allowed else "nothing can follow."
        )
    if status == Status.DECLINED and not reason:
        errors["reason"] = "Give the partner's reason for declining."
    if on > timezone.localdate():
        errors["on"] = "The date cannot be in the future."
    elif on < latest.on:
        errors["on"] = f"The date cannot be before the last step ({long_date(latest.on)})."
    if errors:
        raise ValidationError(errors)
    event = PartnerReferralEvent.objects.create(
        referral=referral, status=status, on=on, reason=reason, recorded_by=by
    )
    log_access(
        by=by,
        record=referral,
        action=AccessLogEntry.Action.CHANGE,
        request=request,
        family_id=referral.family_id,
    )
    return event
