"""What caseworkers and managers do with the national programme's part of a case (SPEC §4.1, §4.3).

Each function is one transaction, takes the acting user as `by=`, sets the
history user, writes the access log in the same transaction, and refuses bad
input with a ValidationError keyed by the field to correct. Errors about one
headline outcome's answer in an assessment are keyed `need_<code>_<field>`
(`need_secure_housing_evidence`), so a form can show them beside that row.

The consent gate (SPEC §5.2): no assessment, plan, action, review or outcome is
recorded until the family has agreed to work with the service and to
information being recorded, since this case opened
(`consent.selectors.work_may_start`).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.access import families_changeable_by
from cases.models import (
    ApprovalEvent,
    ApprovalStatus,
    Assessment,
    AssessmentNeed,
    Case,
    HeadlineOutcome,
    Outcome,
    Plan,
    PlanAction,
    Review,
    TeamApprovalSetting,
)
from cases.programme.selectors import (
    approvals_for_team,
    framework_for_case,
    identified_needs,
    is_team_manager,
    long_date,
)
from fss.core.models import AccessLogEntry
from fss.core.services import log_access


@dataclass(frozen=True)
class NeedAnswer:
    """A worker's answer for one headline outcome in an assessment."""

    headline_outcome: HeadlineOutcome
    identified: bool
    evidence: str = ""
    identified_on: date | None = None  # the assessment date when not given


def _save(instance, by):
    instance._history_user = by
    instance.save()
    return instance


def _log_change(*, by, record, case: Case, request=None) -> None:
    log_access(
        by=by, record=record, action=AccessLogEntry.Action.CHANGE, request=request, family_id=case.family_id
    )


def _locked(case: Case) -> Case:
    # Lock the case row only, not the family and team joined to it.
    return Case.objects.select_for_update(of=("self",)).select_related("family__team").get(pk=case.pk)


def _require_open(case: Case, doing: str) -> None:
    if case.status != Case.Status.OPEN:
        raise ValidationError(f"This case is closed: reopen it to {doing}.")


def _require_agreement(case: Case, on: date) -> None:
    """SPEC §5.2: work starts only once the family has agreed, since this case opened."""
    from cases.services import require_agreement

    require_agreement(family=case.family, on=on, since=case.opened_on)


def _check_date(value: date | None, *, field: str, label: str, case: Case) -> dict[str, str]:
    """A date that has happened, during this case: "must be today or in the past", "on or after it opened"."""
    if value is None:
        return {field: f"Enter {label[0].lower()}{label[1:]}."}
    if value > timezone.localdate():
        return {field: f"{label} must be today or in the past."}
    if value < case.opened_on:
        return {field: f"{label} must be on or after the date the case opened ({long_date(case.opened_on)})."}
    return {}


def _write_answers(assessment: Assessment, answers: Iterable[NeedAnswer], by) -> None:
    """One row per headline outcome of the framework; an outcome not answered is not identified."""
    framework = assessment.framework
    outcomes = list(framework.headline_outcomes.order_by("order"))
    given: dict[int, NeedAnswer] = {}
    errors: dict[str, str] = {}
    for answer in answers:
        outcome = answer.headline_outcome
        if outcome.framework_id != framework.pk:
            errors["needs"] = (
                f"“{outcome.title}” is not a headline outcome of the {framework.name}, "
                "which this assessment uses."
            )
        elif outcome.pk in given:
            errors["needs"] = f"“{outcome.title}” is answered twice."
        given[outcome.pk] = answer
    existing = {row.headline_outcome_id: row for row in assessment.needs.all()}
    rows = []
    for outcome in outcomes:
        answer = given.get(outcome.pk) or NeedAnswer(outcome, False)
        row = existing.get(outcome.pk) or AssessmentNeed(assessment=assessment, headline_outcome=outcome)
        row.identified = answer.identified
        row.evidence = answer.evidence.strip()
        row.identified_on = None
        if answer.identified:
            row.identified_on = answer.identified_on or assessment.assessed_on
            errors.update(
                _check_date(
                    row.identified_on,
                    field=f"need_{outcome.code}_identified_on",
                    label=f"The date “{outcome.title}” was identified",
                    case=assessment.case,
                )
            )
        rows.append(row)
    if errors:
        raise ValidationError(errors)
    for row in rows:
        _save(row, by)


@transaction.atomic
def record_assessment(
    *,
    case: Case,
    assessed_on: date,
    is_whole_family: bool,
    needs: Iterable[NeedAnswer],
    by,
    summary: str = "",
    request=None,
) -> Assessment:
    """Start an assessment of the family's needs against the programme framework, as a draft.

    The first assessment of a case uses the framework in force on its date;
    later ones keep to the same framework, so the case is judged on one list.
    """
    case = _locked(case)
    _require_open(case, "record an assessment")
    errors = _check_date(assessed_on, field="assessed_on", label="The date of the assessment", case=case)
    if errors:
        raise ValidationError(errors)
    _require_agreement(case, assessed_on)
    if case.assessments.filter(status=ApprovalStatus.DRAFT).exists():
        raise ValidationError("This case already has a draft assessment: finish and submit that one first.")
    framework = framework_for_case(case, assessed_on)
    if framework is None:
        message = f"No programme framework was in force on {long_date(assessed_on)}."
        raise ValidationError({"assessed_on": message})
    assessment = _save(
        Assessment(
            case=case,
            framework=framework,
            assessed_on=assessed_on,
            is_whole_family=is_whole_family,
            summary=summary.strip(),
            assessor=by,
        ),
        by,
    )
    _write_answers(assessment, needs, by)
    _log_change(by=by, record=assessment, case=case, request=request)
    return assessment


@transaction.atomic
def update_assessment(
    *,
    assessment: Assessment,
    assessed_on: date,
    is_whole_family: bool,
    needs: Iterable[NeedAnswer],
    by,
    summary: str = "",
    request=None,
) -> Assessment:
    """Change a draft assessment (new, or returned by a manager) and its answers."""
    case = _locked(assessment.case)
    assessment = (
        Assessment.objects.select_for_update(of=("self",)).select_related("framework").get(pk=assessment.pk)
    )
    assessment.case = case
    _require_open(case, "change the assessment")
    if assessment.status != ApprovalStatus.DRAFT:
        raise ValidationError("Only a draft assessment can be changed.")
    errors = _check_date(assessed_on, field="assessed_on", label="The date of the assessment", case=case)
    if errors:
        raise ValidationError(errors)
    _require_agreement(case, assessed_on)
    assessment.assessed_on = assessed_on
    assessment.is_whole_family = is_whole_family
    assessment.summary = summary.strip()
    _save(assessment, by)
    _write_answers(assessment, needs, by)
    _log_change(by=by, record=assessment, case=case, request=request)
    return assessment


def _submit(record, *, case: Case, needs_approval: bool, by, request) -> None:
    record.status = ApprovalStatus.SUBMITTED
    record.needs_approval = needs_approval
    _save(record, by)
    target = {"assessment": record} if isinstance(record, Assessment) else {"plan": record}
    _save(ApprovalEvent(kind=ApprovalEvent.Kind.SUBMITTED, by=by, **target), by)
    _log_change(by=by, record=record, case=case, request=request)


@transaction.atomic
def submit_assessment(*, assessment: Assessment, by, request=None) -> Assessment:
    """Submit a draft assessment; it goes to a manager when the team asks for approval of assessments."""
    case = _locked(assessment.case)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != ApprovalStatus.DRAFT:
        raise ValidationError("This assessment has already been submitted.")
    missing = [
        row.headline_outcome.title
        for row in assessment.needs.select_related("headline_outcome")
        if row.identified and not row.evidence
    ]
    if missing:
        raise ValidationError(
            f"Add the evidence for every need identified before submitting: {', '.join(missing)}."
        )
    needs_approval = approvals_for_team(case.family.team).approve_assessments
    _submit(assessment, case=case, needs_approval=needs_approval, by=by, request=request)
    return assessment


def _decide(record, *, case: Case, approve: bool, comment: str, by, request, what: str):
    if record.status != ApprovalStatus.SUBMITTED:
        raise ValidationError(f"Only a submitted {what} can be approved or returned.")
    if not is_team_manager(by, case.family.team):
        raise ValidationError(f"Only a manager of the team holding this family can approve its {what}.")
    author_id = record.assessor_id if isinstance(record, Assessment) else record.created_by_id
    submitted_by = set(
        record.approval_events.filter(kind=ApprovalEvent.Kind.SUBMITTED).values_list("by", flat=True)
    )
    if by.pk == author_id or by.pk in submitted_by:
        raise ValidationError(f"You cannot approve your own {what}: ask another manager of the team.")
    comment = comment.strip()
    if not approve and not comment:
        raise ValidationError({"comment": f"Say what needs to change in the {what}."})
    record.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.DRAFT
    _save(record, by)
    kind = ApprovalEvent.Kind.APPROVED if approve else ApprovalEvent.Kind.RETURNED
    target = {"assessment": record} if isinstance(record, Assessment) else {"plan": record}
    _save(ApprovalEvent(kind=kind, comment=comment, by=by, **target), by)
    _log_change(by=by, record=record, case=case, request=request)
    return record


@transaction.atomic
def approve_assessment(*, assessment: Assessment, by, approve: bool = True, comment: str = "", request=None):
    """A manager of the family's team approves a submitted assessment, or returns it with a comment.

    No one approves their own work: not the assessor, not whoever submitted it.
    """
    case = _locked(assessment.case)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    return _decide(
        assessment, case=case, approve=approve, comment=comment, by=by, request=request, what="assessment"
    )


@dataclass(frozen=True)
class ActionDetails:
    """An action to add to a family plan: owned by a worker, or by a named partner practitioner."""

    description: str
    due_on: date | None
    need: HeadlineOutcome | None = None
    owner: object | None = None  # a worker (User)
    partner_name: str = ""
    partner_organisation: str = ""
    partner_role: str = ""


def _add_action(plan: Plan, details: ActionDetails, *, case: Case, by) -> PlanAction:
    errors: dict[str, str] = {}
    description = details.description.strip()
    if not description:
        errors["description"] = "Describe the action."
    if details.due_on is None:
        errors["due_on"] = "Enter the date the action is due."
    elif details.due_on < plan.starts_on:
        errors["due_on"] = f"The due date must be on or after the plan started ({long_date(plan.starts_on)})."
    partner = details.partner_name.strip()
    if details.owner is not None and partner:
        errors["owner"] = "Choose one owner: a worker or a partner practitioner, not both."
    elif details.owner is None and not partner:
        errors["owner"] = (
            "Choose who owns the action: a worker, or a partner practitioner for Team Around the Family."
        )
    elif (
        details.owner is not None
        and not families_changeable_by(details.owner).filter(pk=case.family_id).exists()
    ):
        errors["owner"] = "The owner must be a worker who can work with this family."
    elif partner and not details.partner_organisation.strip():
        errors["partner_organisation"] = "Enter the partner practitioner's organisation."
    if details.need is not None and details.need not in identified_needs(case):
        errors["need"] = f"“{details.need.title}” is not a need identified for this family."
    if errors:
        raise ValidationError(errors)
    return _save(
        PlanAction(
            plan=plan,
            need=details.need,
            description=description,
            owner=details.owner,
            partner_name=partner,
            partner_organisation=details.partner_organisation.strip(),
            partner_role=details.partner_role.strip(),
            due_on=details.due_on,
            created_by=by,
        ),
        by,
    )


@transaction.atomic
def create_plan(
    *, case: Case, starts_on: date, goals: str, by, actions: Iterable[ActionDetails] = (), request=None
) -> Plan:
    """Write the family plan (as a draft) with its goals and, optionally, its first actions.

    The plan answers the assessment, so a submitted assessment must come first.
    """
    case = _locked(case)
    _require_open(case, "write a plan")
    errors = _check_date(starts_on, field="starts_on", label="The date the plan starts", case=case)
    if not goals.strip():
        errors["goals"] = "Enter the plan's goals."
    if errors:
        raise ValidationError(errors)
    _require_agreement(case, starts_on)
    if not case.assessments.exclude(status=ApprovalStatus.DRAFT).exists():
        raise ValidationError(
            "Submit the family's assessment before writing the plan: the plan answers its needs."
        )
    if case.plans.filter(status=ApprovalStatus.DRAFT).exists():
        raise ValidationError("This case already has a draft plan: finish and submit that one first.")
    plan = _save(Plan(case=case, starts_on=starts_on, goals=goals.strip(), created_by=by), by)
    for details in actions:
        _add_action(plan, details, case=case, by=by)
    _log_change(by=by, record=plan, case=case, request=request)
    return plan


@transaction.atomic
def add_plan_action(*, plan: Plan, details: ActionDetails, by, request=None) -> PlanAction:
    """Add an action to a plan, owned by a worker or a partner practitioner (Team Around the Family)."""
    case = _locked(plan.case)
    _require_open(case, "add actions")
    _require_agreement(case, timezone.localdate())
    action = _add_action(plan, details, case=case, by=by)
    _log_change(by=by, record=action, case=case, request=request)
    return action


@transaction.atomic
def update_action_status(*, action: PlanAction, status: str, by, request=None) -> PlanAction:
    """Move an action on: not started, in progress, done or cancelled."""
    if status not in PlanAction.Status.values:
        raise ValidationError({"status": "Choose the action's status."})
    case = _locked(action.plan.case)
    action = PlanAction.objects.select_for_update().get(pk=action.pk)
    if action.status != status:
        action.status = status
        _save(action, by)
        _log_change(by=by, record=action, case=case, request=request)
    return action


@transaction.atomic
def submit_plan(*, plan: Plan, by, request=None) -> Plan:
    """Submit a draft plan; it goes to a manager when the team asks for approval of plans."""
    case = _locked(plan.case)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != ApprovalStatus.DRAFT:
        raise ValidationError("This plan has already been submitted.")
    if not plan.actions.exists():
        raise ValidationError("Add at least one action before submitting the plan.")
    needs_approval = approvals_for_team(case.family.team).approve_plans
    _submit(plan, case=case, needs_approval=needs_approval, by=by, request=request)
    return plan


@transaction.atomic
def approve_plan(*, plan: Plan, by, approve: bool = True, comment: str = "", request=None) -> Plan:
    """A manager of the family's team approves a submitted plan, or returns it with a comment."""
    case = _locked(plan.case)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    return _decide(plan, case=case, approve=approve, comment=comment, by=by, request=request, what="plan")


@transaction.atomic
def record_review(
    *,
    case: Case,
    held_on: date,
    attendees: str,
    summary: str,
    by,
    next_review_on: date | None = None,
    request=None,
) -> Review:
    """Record a review meeting of the family plan, and when the next one is."""
    case = _locked(case)
    _require_open(case, "record a review")
    errors = _check_date(held_on, field="held_on", label="The date of the review", case=case)
    if not attendees.strip():
        errors["attendees"] = "Enter who attended the review."
    if not summary.strip():
        errors["summary"] = "Enter a summary of the review."
    if next_review_on is not None and held_on is not None and next_review_on <= held_on:
        errors["next_review_on"] = f"The next review must be after this one ({long_date(held_on)})."
    if errors:
        raise ValidationError(errors)
    _require_agreement(case, held_on)
    review = _save(
        Review(
            case=case,
            held_on=held_on,
            attendees=attendees.strip(),
            summary=summary.strip(),
            next_review_on=next_review_on,
            recorded_by=by,
        ),
        by,
    )
    _log_change(by=by, record=review, case=case, request=request)
    return review


@transaction.atomic
def record_outcome(
    *,
    case: Case,
    need: HeadlineOutcome,
    progress: str,
    by,
    progress_note: str = "",
    achieved_on: date | None = None,
    sustained_until: date | None = None,
    request=None,
) -> Outcome:
    """Record progress on an identified need: what changed, when achieved, and until when it lasted.

    Allowed after closure too: outcomes are shown sustained months after the
    case closes (domain-rules §6). Each record is a new row; the latest counts.
    """
    case = _locked(case)
    if progress not in Outcome.Progress.values:
        raise ValidationError({"progress": "Choose how much progress has been made."})
    if need not in identified_needs(case):
        raise ValidationError(
            {"need": f"“{need.title}” was not identified as a need for this family, so it has no outcome."}
        )
    errors: dict[str, str] = {}
    achieved = progress == Outcome.Progress.ACHIEVED
    if achieved:
        errors.update(_check_date(achieved_on, field="achieved_on", label="The date achieved", case=case))
    elif achieved_on is not None:
        errors["achieved_on"] = "Only give a date achieved when the outcome has been achieved."
    if sustained_until is not None:
        if not achieved:
            errors["sustained_until"] = "Only give a date sustained until when the outcome has been achieved."
        elif sustained_until > timezone.localdate():
            errors["sustained_until"] = (
                "The date sustained until must be today or in the past: record it once it has happened."
            )
        elif achieved_on is not None and sustained_until < achieved_on:
            errors["sustained_until"] = (
                f"The date sustained until must be on or after the date achieved ({long_date(achieved_on)})."
            )
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    _require_agreement(case, today)
    outcome = _save(
        Outcome(
            case=case,
            need=need,
            progress=progress,
            progress_note=progress_note.strip(),
            achieved_on=achieved_on if achieved else None,
            sustained_until=sustained_until,
            recorded_on=today,
            recorded_by=by,
        ),
        by,
    )
    _log_change(by=by, record=outcome, case=case, request=request)
    return outcome


@transaction.atomic
def set_team_approvals(
    *, team, approve_assessments: bool, approve_plans: bool, approve_closures: bool, by, request=None
) -> TeamApprovalSetting:
    """A manager of the team chooses which of its records need a manager's approval."""
    if not is_team_manager(by, team):
        raise ValidationError("Only a manager of this team can change its approvals.")
    setting = TeamApprovalSetting.objects.select_for_update().filter(team=team).first()
    setting = setting or TeamApprovalSetting(team=team)
    setting.approve_assessments = approve_assessments
    setting.approve_plans = approve_plans
    setting.approve_closures = approve_closures
    _save(setting, by)
    log_access(by=by, record=setting, action=AccessLogEntry.Action.CHANGE, request=request)
    return setting
