"""What caseworkers and managers do to families and cases (SPEC §4).

Each function is one transaction, takes the acting user as `by=`, and writes the
access log in the same transaction. django-simple-history records who changed
what (`_history_user`), so no bulk updates here.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from cases.eligibility import check_eligibility
from cases.models import (
    BreakGlassAccess,
    Case,
    CaseEvent,
    CaseNote,
    ClosureRequest,
    Family,
    FamilyAddress,
    Membership,
    Person,
    Referral,
)
from fss.core import roles
from fss.core.models import AccessLogEntry
from fss.core.services import log_access
from sar.restriction import refuse_if_restricted

FAMILY_GRANTS = ("view_family", "change_family")
BREAK_GLASS_HOURS = 8


def _save(instance, by):
    instance._history_user = by
    instance.save()
    return instance


def _log_change(*, by, record, family: Family, request=None, person_id=None):
    log_access(
        by=by,
        record=record,
        action=AccessLogEntry.Action.CHANGE,
        request=request,
        family_id=family.pk,
        person_id=person_id,
    )


def _not_in_future(value: date, field: str, label: str):
    if value > timezone.localdate():
        raise ValidationError({field: f"{label} must be today or in the past."})


def grant_allocation(family: Family) -> None:
    """Give the holding team's group and the lead worker view and change on the family."""
    for perm in FAMILY_GRANTS:
        assign_perm(perm, family.team.group, family)
        if family.lead_worker is not None:
            assign_perm(perm, family.lead_worker, family)


@transaction.atomic
def allocate_family(*, family: Family, team, lead_worker=None, by, request=None) -> Family:
    """Give a family to a team (and optionally a lead worker), moving the object grants with it.

    The previous team's group and the previous lead worker lose their grants;
    the new ones gain view and change (SPEC §9: grants follow allocation).
    """
    if lead_worker is not None and not lead_worker.has_perm("cases.change_family"):
        raise ValidationError({"lead_worker": "The lead worker must be a caseworker or team manager."})
    old_team_id = family.team_id if family.pk else None
    old_worker = family.lead_worker if family.pk else None
    family.team = team
    family.lead_worker = lead_worker
    _save(family, by)
    if old_team_id and old_team_id != team.pk:
        old_group = type(team).objects.get(pk=old_team_id).group
        for perm in FAMILY_GRANTS:
            remove_perm(perm, old_group, family)
    if old_worker is not None and old_worker != lead_worker:
        for perm in FAMILY_GRANTS:
            remove_perm(perm, old_worker, family)
    grant_allocation(family)
    open_case = family.cases.filter(status=Case.Status.OPEN).first()
    if open_case is not None and open_case.lead_worker != lead_worker:
        open_case.lead_worker = lead_worker
        _save(open_case, by)
    _log_change(by=by, record=family, family=family, request=request)
    return family


@transaction.atomic
def record_referral(
    *,
    team,
    received_on: date,
    source: str,
    reason: str,
    by,
    family: Family | None = None,
    source_team: str = "",
    referrer_name: str = "",
    referrer_contact: str = "",
    address: dict | None = None,
    request=None,
) -> Referral:
    """Record a referral; for a new household, create the family record held by `team`."""
    _not_in_future(received_on, "received_on", "The date the referral was received")
    if source == Referral.Source.SOCIAL_CARE_STEP_DOWN and not source_team:
        raise ValidationError({"source_team": "Enter the social care team the family is stepping down from."})
    if family is None:
        family = allocate_family(family=Family(), team=team, by=by, request=request)
        if address:
            _save(FamilyAddress(family=family, start_date=received_on, **address), by)
    elif family.referrals.filter(decision="").exists():
        raise ValidationError("This family already has a referral waiting for a decision.")
    referral = _save(
        Referral(
            family=family,
            received_on=received_on,
            source=source,
            source_team=source_team,
            reason=reason,
            referrer_name=referrer_name,
            referrer_contact=referrer_contact,
            recorded_by=by,
        ),
        by,
    )
    _log_change(by=by, record=referral, family=family, request=request)
    return referral


@transaction.atomic
def add_member(
    *,
    family: Family,
    role: str,
    start_date: date,
    by,
    person: Person | None = None,
    person_fields: dict | None = None,
    has_parental_responsibility: bool = False,
    request=None,
) -> Membership:
    """Add an existing or new person to a family with their role."""
    refuse_if_restricted(person, what="a change to their family memberships")  # SPEC §8.2
    if (person is None) == (person_fields is None):
        raise ValueError("Give either an existing person or the fields of a new one.")
    if person is None:
        person = Person(**person_fields)
        person.full_clean()
        if person.date_of_birth:
            _not_in_future(person.date_of_birth, "date_of_birth", "Date of birth")
        _save(person, by)
    elif family.memberships.filter(person=person, end_date__isnull=True).exists():
        raise ValidationError("This person is already a member of the family.")
    if has_parental_responsibility and role not in (
        Membership.Role.PARENT_CARER,
        Membership.Role.OTHER_ADULT,
    ):
        message = "Only a parent, carer or other adult can hold parental responsibility."
        raise ValidationError({"has_parental_responsibility": message})
    membership = Membership(
        family=family,
        person=person,
        role=role,
        start_date=start_date,
        has_parental_responsibility=has_parental_responsibility,
    )
    membership.full_clean()
    _save(membership, by)
    _log_change(by=by, record=membership, family=family, request=request, person_id=person.pk)
    return membership


@transaction.atomic
def update_person(*, person: Person, family: Family, changes: dict, by, request=None) -> Person:
    """Change a person's details (seen through `family`); history keeps who changed what.

    A person under a restriction of processing (SPEC §8.2) is not changed until it is lifted.
    """
    from sar.selectors import restriction_in_force

    person = Person.objects.select_for_update().get(pk=person.pk)
    if restriction_in_force(person=person, on=timezone.localdate()):
        raise ValidationError(
            f"{person} is under a restriction of processing: "
            "their details cannot be changed until it is lifted."
        )
    for name, value in changes.items():
        setattr(person, name, value)
    if person.date_of_birth:
        _not_in_future(person.date_of_birth, "date_of_birth", "Date of birth")
    person.full_clean()
    _save(person, by)
    _log_change(by=by, record=person, family=family, request=request, person_id=person.pk)
    return person


@transaction.atomic
def upload_document(
    *,
    family: Family,
    kind: str,
    title: str,
    file,
    by,
    person=None,
    case=None,
    is_sensitive=False,
    request=None,
):
    """Store an uploaded file through Django's storage, under a random name (SPEC §4.1)."""
    from cases.models import Document

    refuse_if_restricted(person, what="a document about them", safeguarding=is_sensitive, field="person")

    if person is not None and not family.memberships.filter(person=person).exists():
        raise ValidationError({"person": "Choose someone in this family."})
    document = Document(
        family=family,
        person=person,
        case=case,
        kind=kind,
        title=title.strip(),
        file=file,
        content_type=getattr(file, "content_type", "") or "",
        size=file.size,
        is_sensitive=is_sensitive,
        uploaded_by=by,
    )
    document.full_clean()
    _save(document, by)
    _log_change(
        by=by, record=document, family=family, request=request, person_id=person.pk if person else None
    )
    return document


@transaction.atomic
def record_paper_location(
    *, family: Family, location: str, by, box_or_barcode="", description="", request=None
):
    """Record where paper files about the family are kept; retention turns them into shredding tasks."""
    from cases.models import PaperRecord

    if not location.strip():
        raise ValidationError({"location": "Enter where the paper files are kept."})
    record = _save(
        PaperRecord(
            family=family,
            location=location.strip(),
            box_or_barcode=box_or_barcode.strip(),
            description=description.strip(),
            recorded_by=by,
        ),
        by,
    )
    _log_change(by=by, record=record, family=family, request=request)
    return record


def current_members(family: Family):
    return [m.person for m in family.memberships.filter(end_date__isnull=True).select_related("person")]


@transaction.atomic
def decide_referral(
    *,
    referral: Referral,
    decision: str,
    decided_on: date,
    by,
    reason: str = "",
    eligibility_exception_reason: str = "",
    request=None,
) -> Case | None:
    """Decide a referral. Accepting checks eligibility (SPEC §4.2) and opens a case.

    An ineligible family is refused with the reason, unless a team manager
    records an exception with a reason (kept and reportable).
    """
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.decision:
        raise ValidationError("This referral has already been decided.")
    if decision not in Referral.Decision.values or decision == "":
        raise ValidationError({"decision": "Choose a decision."})
    _not_in_future(decided_on, "decided_on", "The decision date")
    if decided_on < referral.received_on:
        raise ValidationError({"decided_on": "The decision date must be on or after the date received."})
    case = None
    if decision == Referral.Decision.ACCEPT:
        eligibility = check_eligibility(people=current_members(referral.family), on=referral.received_on)
        if not eligibility.eligible:
            if not eligibility_exception_reason.strip():
                raise ValidationError({"decision": f"This family is not eligible. {eligibility.reason}"})
            if not by.has_role(roles.TEAM_MANAGER):
                message = "Only a team manager can accept a family as an exception."
                raise ValidationError({"eligibility_exception_reason": message})
            referral.eligibility_exception_reason = eligibility_exception_reason.strip()
        if referral.family.cases.filter(status=Case.Status.OPEN).exists():
            raise ValidationError("This family already has an open case.")
        case = _save(
            Case(
                family=referral.family,
                referral=referral,
                opened_on=decided_on,
                lead_worker=referral.family.lead_worker,
            ),
            by,
        )
        _save(CaseEvent(case=case, kind=CaseEvent.Kind.OPENED, on=decided_on, by=by), by)
    elif decision == Referral.Decision.STEP_UP and not reason.strip():
        raise ValidationError({"reason": "Enter the social care team the family is stepped up to."})
    referral.decision = decision
    referral.decided_on = decided_on
    referral.decided_by = by
    referral.decision_reason = reason.strip()
    _save(referral, by)
    _log_change(by=by, record=referral, family=referral.family, request=request)
    return case


def _check_closure(case: Case, *, closed_on: date, reason: str, receiving_team: str) -> None:
    if case.status != Case.Status.OPEN:
        raise ValidationError("This case is already closed.")
    if reason not in Case.ClosureReason.values:
        raise ValidationError({"reason": "Choose why the case is closing."})
    _not_in_future(closed_on, "closed_on", "The closure date")
    if closed_on < case.opened_on:
        opened = f"{case.opened_on:%d %B %Y}"
        raise ValidationError(
            {"closed_on": f"The closure date must be on or after the date the case opened ({opened})."}
        )
    if reason == Case.ClosureReason.STEPPED_UP and not receiving_team.strip():
        raise ValidationError({"receiving_team": "Enter the social care team receiving the family."})


def _close(case: Case, *, closed_on: date, reason: str, receiving_team: str, note: str, closed_by, by):
    case.status = Case.Status.CLOSED
    case.closed_on = closed_on
    case.closure_reason = reason
    _save(case, by)
    _save(
        CaseEvent(
            case=case,
            kind=CaseEvent.Kind.CLOSED,
            on=closed_on,
            closure_reason=reason,
            receiving_team=receiving_team.strip(),
            note=note,
            by=closed_by,
        ),
        by,
    )
    return case


def closure_needs_approval(family: Family) -> bool:
    """Whether the team holding the family asks a manager to approve case closures (the default)."""
    from cases.programme.selectors import approvals_for_team

    return approvals_for_team(family.team).approve_closures


@transaction.atomic
def close_case(
    *,
    case: Case,
    closed_on: date,
    reason: str,
    by,
    receiving_team: str = "",
    note: str = "",
    request=None,
) -> Case:
    """Close an open case with a reason. The family's destruction date follows from it (SPEC §4.4, §7).

    This closes at once: a worker's page goes through `submit_closure`, which asks
    for a manager's approval instead when the team requires it.
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_closure(case, closed_on=closed_on, reason=reason, receiving_team=receiving_team)
    if case.closure_requests.filter(status=ClosureRequest.Status.PENDING).exists():
        raise ValidationError("A closure of this case is waiting for a manager's approval.")
    _close(
        case,
        closed_on=closed_on,
        reason=reason,
        receiving_team=receiving_team,
        note=note,
        closed_by=by,
        by=by,
    )
    _log_change(by=by, record=case, family=case.family, request=request)
    return case


@transaction.atomic
def request_closure(
    *,
    case: Case,
    closed_on: date,
    reason: str,
    by,
    receiving_team: str = "",
    note: str = "",
    request=None,
) -> ClosureRequest:
    """Ask a team manager to approve closing the case; it stays open until then (issue 3)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_closure(case, closed_on=closed_on, reason=reason, receiving_team=receiving_team)
    if case.closure_requests.filter(status=ClosureRequest.Status.PENDING).exists():
        raise ValidationError("A closure of this case is already waiting for a manager's approval.")
    closure = _save(
        ClosureRequest(
            case=case,
            closed_on=closed_on,
            reason=reason,
            receiving_team=receiving_team.strip(),
            comment=note.strip(),
            requested_by=by,
        ),
        by,
    )
    _log_change(by=by, record=closure, family=case.family, request=request)
    return closure


def submit_closure(
    *,
    case: Case,
    closed_on: date,
    reason: str,
    by,
    receiving_team: str = "",
    note: str = "",
    request=None,
) -> Case | ClosureRequest:
    """A worker closes a case: at once, or as a request to a manager when the team asks for approval."""
    action = request_closure if closure_needs_approval(case.family) else close_case
    return action(
        case=case,
        closed_on=closed_on,
        reason=reason,
        receiving_team=receiving_team,
        note=note,
        by=by,
        request=request,
    )


@transaction.atomic
def decide_closure(
    *, closure: ClosureRequest, by, approve: bool = True, comment: str = "", request=None
) -> ClosureRequest:
    """A manager of the family's team approves a closure request (the case closes) or returns it.

    Nobody decides their own request; a request is decided once; returning it needs a comment.
    """
    from cases.programme.selectors import is_team_manager

    case = Case.objects.select_for_update().select_related("family__team").get(pk=closure.case_id)
    closure = ClosureRequest.objects.select_for_update().get(pk=closure.pk)
    if closure.status != ClosureRequest.Status.PENDING:
        raise ValidationError("This closure request has already been decided.")
    if not is_team_manager(by, case.family.team):
        raise ValidationError("Only a manager of the team holding this family can approve its closure.")
    if by.pk == closure.requested_by_id:
        raise ValidationError("You cannot approve your own closure request: ask another manager of the team.")
    comment = comment.strip()
    if not approve and not comment:
        raise ValidationError({"comment": "Say why the case should not close yet."})
    if approve:
        _check_closure(
            case, closed_on=closure.closed_on, reason=closure.reason, receiving_team=closure.receiving_team
        )
    closure.status = ClosureRequest.Status.APPROVED if approve else ClosureRequest.Status.RETURNED
    closure.decided_by = by
    closure.decided_at = timezone.now()
    closure.decision_comment = comment
    _save(closure, by)
    if approve:
        _close(
            case,
            closed_on=closure.closed_on,
            reason=closure.reason,
            receiving_team=closure.receiving_team,
            note=closure.comment,
            closed_by=closure.requested_by,
            by=by,
        )
    _log_change(by=by, record=closure, family=case.family, request=request)
    return closure


@transaction.atomic
def reopen_case(*, case: Case, reopened_on: date, by, note: str = "", request=None) -> Case:
    """Reopen a closed case: involvement goes on again, so the retention clock stops.

    It restarts at the next closure (SPEC §4.4, §7).
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != Case.Status.CLOSED:
        raise ValidationError("Only a closed case can be reopened.")
    if case.family.cases.filter(status=Case.Status.OPEN).exists():
        raise ValidationError("This family already has an open case.")
    _not_in_future(reopened_on, "reopened_on", "The date reopened")
    if reopened_on < case.closed_on:
        raise ValidationError({"reopened_on": "The date reopened must be on or after the closure date."})
    case.status = Case.Status.OPEN
    case.closed_on = None
    case.closure_reason = ""
    _save(case, by)
    _save(CaseEvent(case=case, kind=CaseEvent.Kind.REOPENED, on=reopened_on, note=note, by=by), by)
    _log_change(by=by, record=case, family=case.family, request=request)
    return case


@transaction.atomic
def add_note(
    *,
    case: Case,
    kind: str,
    occurred_on: date,
    text: str,
    by,
    is_opinion: bool = False,
    is_sensitive: bool = False,
    people_present=(),
    people_mentioned=(),
    request=None,
) -> CaseNote:
    """Record a contact or case note. People present or mentioned must belong to the family.

    The consent gate (SPEC §5.2): no notes until the family has agreed to work
    with the service and to information being recorded.
    """
    refuse_if_restricted(people_present, people_mentioned, what="a note", safeguarding=is_sensitive)
    require_agreement(family=case.family, on=occurred_on, since=case.opened_on)
    if not text.strip():
        raise ValidationError({"text": "Enter the note."})
    _not_in_future(occurred_on, "occurred_on", "The date of the contact")
    if occurred_on < case.opened_on:
        raise ValidationError({"occurred_on": "The date of the contact must be on or after the case opened."})
    member_ids = set(case.family.memberships.values_list("person_id", flat=True))
    for field, people in (("people_present", people_present), ("people_mentioned", people_mentioned)):
        if any(p.pk not in member_ids for p in people):
            raise ValidationError({field: "Choose only people who belong to this family."})
    note = _save(
        CaseNote(
            case=case,
            kind=kind,
            occurred_on=occurred_on,
            text=text.strip(),
            is_opinion=is_opinion,
            is_sensitive=is_sensitive,
            author=by,
        ),
        by,
    )
    note.people_present.set(people_present)
    note.people_mentioned.set(people_mentioned)
    _log_change(by=by, record=note, family=case.family, request=request)
    return note


def require_agreement(*, family: Family, on: date, since: date | None = None) -> None:
    """Refuse work (notes, assessments, plans) until `service` and `record` are given (SPEC §5.2)."""
    from consent.selectors import work_may_start

    gate = work_may_start(family=family, on=on, since=since)
    if not gate.allowed:
        raise ValidationError(
            "Record the family's agreement to work with the service and to recording information first. "
            + " ".join(gate.reasons)
        )


@transaction.atomic
def open_break_glass(*, family: Family, by, reason: str, request=None) -> BreakGlassAccess:
    """Time-limited read access outside the user's grant, with a stated reason, for DPO review."""
    if not reason.strip() or len(reason.strip()) < 10:
        raise ValidationError({"reason": "Explain why you need to see this family (at least 10 characters)."})
    if not by.has_perm("cases.view_family"):
        raise ValidationError("Your role does not allow you to see family records.")
    access = _save(
        BreakGlassAccess(
            family=family,
            user=by,
            reason=reason.strip(),
            expires_at=timezone.now() + timedelta(hours=BREAK_GLASS_HOURS),
        ),
        by,
    )
    log_access(
        by=by,
        record=family,
        request=request,
        family_id=family.pk,
        reason=access.reason,
        is_break_glass=True,
    )
    return access


def review_break_glass(*, access: BreakGlassAccess, note: str, by, request=None) -> BreakGlassAccess:
    """Record the DPO's review of one break-glass access (SPEC §9: listed for DPO review).

    Reviewed once, by a DPO other than the person who broke the glass; the
    change history keeps who reviewed it and when. The DPO console's page calls this.
    """
    if not by.has_role(roles.DPO):
        raise ValidationError("Only the Data Protection Officer reviews break-glass access.")
    if not note.strip():
        raise ValidationError({"note": "Say what you checked and what you concluded."})
    if access.user_id == by.pk:
        raise ValidationError("You cannot review your own break-glass access; ask another DPO.")
    with transaction.atomic():
        locked = BreakGlassAccess.objects.select_for_update().get(pk=access.pk)
        if locked.reviewed_at is not None:
            raise ValidationError("This break-glass access has already been reviewed.")
        locked.reviewed_by = by
        locked.reviewed_at = timezone.now()
        locked.review_note = note.strip()
        locked.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
        log_access(
            by=by,
            record=locked,
            action=AccessLogEntry.Action.CHANGE,
            request=request,
            family_id=locked.family_id,
        )
    return locked
