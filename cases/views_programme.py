"""Pages for the national programme's part of a case: needs, plan, reviews, outcomes, approvals.

Thin, like `cases.views`: every family comes through `cases.access` (404 when
not visible, or not changeable for a write), every read of the case's
programme page is access-logged, the rules live in `cases.programme.services`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import forms_programme as forms
from cases.access import access_route, families_visible_to, get_family_for_user, may_change
from cases.forms import apply_service_errors
from cases.models import ApprovalStatus, Assessment, Case, ClosureRequest, Plan, PlanAction
from cases.programme import selectors, services
from fss.core.models import Team
from fss.core.services import log_access

FORM_TEMPLATE = "cases/form_page.html"


def _case(request, pk: int, case_pk: int, *, for_change: bool = True):
    family = get_family_for_user(request.user, pk, for_change=for_change)
    # Through the family's own cases, so a case of another family is a 404 too.
    case = get_object_or_404(family.cases.select_related("lead_worker"), pk=case_pk)
    return family, case


def _programme_page(case: Case):
    return redirect("cases:programme", pk=case.family_id, case_pk=case.pk)


def _form_page(request, *, form, family, case, title, intro="", template=FORM_TEMPLATE, extra=None):
    context = {
        "form": form,
        "family": family,
        "case": case,
        "title": title,
        "caption": f"{family.reference} · case opened {case.opened_on.day} {case.opened_on:%B %Y}",
        "intro": intro,
    }
    context.update(extra or {})
    return render(request, template, context)


@require_GET
@never_cache
@permission_required("cases.view_assessment", raise_exception=True)
def programme(request, pk: int, case_pk: int):
    family, case = _case(request, pk, case_pk, for_change=False)
    route = access_route(request.user, family)
    log_access(
        by=request.user,
        record=case,
        request=request,
        family_id=family.pk,
        is_break_glass=route == "break_glass",
        reason="break-glass access in force" if route == "break_glass" else "",
    )
    can_change = may_change(request.user, family) and case.status == Case.Status.OPEN
    return render(
        request,
        "cases/programme/case_programme.html",
        {
            "family": family,
            "case": case,
            "programme": selectors.case_programme(case),
            "can_change": can_change,
            "can_record_outcomes": may_change(request.user, family),
            "can_approve": selectors.may_approve(request.user, family),
            "route": route,
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("cases.add_assessment", raise_exception=True)
def assessment_new(request, pk: int, case_pk: int):
    family, case = _case(request, pk, case_pk)
    framework = selectors.framework_for_case(case, timezone.localdate())
    outcomes = framework.headline_outcomes.order_by("order") if framework else []
    form = forms.AssessmentForm(request.POST or None, headline_outcomes=outcomes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_assessment(
                case=case,
                assessed_on=data["assessed_on"],
                is_whole_family=data["is_whole_family"],
                summary=data["summary"],
                needs=form.answers(),
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Assessment saved as a draft. Submit it when it is complete.")
            return _programme_page(case)
    return _form_page(
        request,
        form=form,
        family=family,
        case=case,
        title="Assess the family's needs",
        intro=(
            f"Against the {framework.name}. For each headline outcome, say whether the family has the need "
            "and what shows it."
            if framework
            else "No programme framework is in force today."
        ),
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("cases.change_assessment", raise_exception=True)
def assessment_edit(request, pk: int, case_pk: int, assessment_pk: int):
    family, case = _case(request, pk, case_pk)
    assessment = get_object_or_404(
        Assessment.objects.select_related("framework"),
        pk=assessment_pk,
        case=case,
        status=Assessment.Status.DRAFT,
    )
    outcomes = assessment.framework.headline_outcomes.order_by("order")
    form = forms.AssessmentForm(
        request.POST or None, initial=forms.AssessmentForm.initial_for(assessment), headline_outcomes=outcomes
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_assessment(
                assessment=assessment,
                assessed_on=data["assessed_on"],
                is_whole_family=data["is_whole_family"],
                summary=data["summary"],
                needs=form.answers(),
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Assessment saved.")
            return _programme_page(case)
    return _form_page(request, form=form, family=family, case=case, title="Change the draft assessment")


def _submit(request, case, service, record, done: str):
    try:
        service(by=request.user, request=request, **record)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return _programme_page(case)


@require_POST
@permission_required("cases.change_assessment", raise_exception=True)
def assessment_submit(request, pk: int, case_pk: int, assessment_pk: int):
    family, case = _case(request, pk, case_pk)
    assessment = get_object_or_404(Assessment, pk=assessment_pk, case=case)
    return _submit(
        request, case, services.submit_assessment, {"assessment": assessment}, "Assessment submitted."
    )


def _decide(request, *, family, case, record, service, what: str):
    if not selectors.may_approve(request.user, family):
        raise PermissionDenied
    form = forms.ApprovalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == forms.ApprovalForm.APPROVE
        try:
            service(
                **{what: record},
                approve=approve,
                comment=form.cleaned_data["comment"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request, f"{what.capitalize()} {'approved' if approve else 'returned for changes'}."
            )
            return _programme_page(case)
    return _form_page(
        request,
        form=form,
        family=family,
        case=case,
        title=f"Approve the {what}",
        template="cases/programme/approve.html",
        extra={"record": record, "what": what, "programme": selectors.case_programme(case)},
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("cases.change_assessment", raise_exception=True)
def assessment_approve(request, pk: int, case_pk: int, assessment_pk: int):
    family, case = _case(request, pk, case_pk)
    assessment = get_object_or_404(Assessment, pk=assessment_pk, case=case)
    return _decide(
        request,
        family=family,
        case=case,
        record=assessment,
        service=services.approve_assessment,
        what="assessment",
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("cases.add_plan", raise_exception=True)
def plan_new(request, pk: int, case_pk: int):
    family, case = _case(request, pk, case_pk)
    form = forms.PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(
                case=case,
                starts_on=form.cleaned_data["starts_on"],
                goals=form.cleaned_data["goals"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Plan saved as a draft. Add its actions, then submit it.")
            return redirect("cases:programme_action_new", pk=family.pk, case_pk=case.pk, plan_pk=plan.pk)
    return _form_page(request, form=form, family=family, case=case, title="Write the family plan")


@require_POST
@permission_required("cases.change_plan", raise_exception=True)
def plan_submit(request, pk: int, case_pk: int, plan_pk: int):
    family, case = _case(request, pk, case_pk)
    plan = get_object_or_404(Plan, pk=plan_pk, case=case)
    return _submit(request, case, services.submit_plan, {"plan": plan}, "Plan submitted.")


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("cases.change_plan", raise_exception=True)
def plan_approve(request, pk: int, case_pk: int, plan_pk: int):
    family, case = _case(request, pk, case_pk)
    plan = get_object_or_404(Plan, pk=plan_pk, case=case)
    return _decide(request, family=family, case=case, record=plan, service=services.approve_plan, what="plan")


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("cases.add_planaction", raise_exception=True)
def action_new(request, pk: int, case_pk: int, plan_pk: int):
    family, case = _case(request, pk, case_pk)
    plan = get_object_or_404(Plan, pk=plan_pk, case=case)
    form = forms.ActionForm(
        request.POST or None,
        needs=selectors.identified_needs(case),
        workers=selectors.workers_for_family(family),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.add_plan_action(plan=plan, details=form.details(), by=request.user, request=request)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Action added to the plan.")
            return _programme_page(case)
    return _form_page(
        request,
        form=form,
        family=family,
        case=case,
        title="Add an action to the plan",
        intro=f"The plan started on {plan.starts_on.day} {plan.starts_on:%B %Y}.",
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("cases.change_planaction", raise_exception=True)
def action_status(request, pk: int, case_pk: int, action_pk: int):
    family, case = _case(request, pk, case_pk)
    action = get_object_or_404(PlanAction, pk=action_pk, plan__case=case)
    form = forms.ActionStatusForm(request.POST or None, initial={"status": action.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_action_status(
                action=action, status=form.cleaned_data["status"], by=request.user, request=request
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Action updated.")
            return _programme_page(case)
    return _form_page(
        request, form=form, family=family, case=case, title="Update the action", intro=action.description
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("cases.add_review", raise_exception=True)
def review_new(request, pk: int, case_pk: int):
    family, case = _case(request, pk, case_pk)
    form = forms.ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_review(
                case=case,
                held_on=data["held_on"],
                attendees=data["attendees"],
                summary=data["summary"],
                next_review_on=data["next_review_on"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Review recorded.")
            return _programme_page(case)
    return _form_page(request, form=form, family=family, case=case, title="Record a review meeting")


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("cases.add_outcome", raise_exception=True)
def outcome_new(request, pk: int, case_pk: int):
    family, case = _case(request, pk, case_pk)
    form = forms.OutcomeForm(request.POST or None, needs=selectors.identified_needs(case))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_outcome(
                case=case,
                need=form.needs[data["need"]],
                progress=data["progress"],
                progress_note=data["progress_note"],
                achieved_on=data["achieved_on"],
                sustained_until=data["sustained_until"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Outcome recorded.")
            return _programme_page(case)
    return _form_page(
        request,
        form=form,
        family=family,
        case=case,
        title="Record an outcome",
        intro=(
            "Record progress on one identified need. For a results claim, every need needs a positive "
            "outcome that lasts at least six months after the case closes."
        ),
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("core.view_team", raise_exception=True)
def team_approvals(request, team_pk: int):
    team = get_object_or_404(Team, pk=team_pk)
    if not selectors.is_team_manager(request.user, team):
        raise PermissionDenied
    setting = selectors.approvals_for_team(team)
    initial = {name: getattr(setting, name) for name in forms.TeamApprovalForm.base_fields}
    form = forms.TeamApprovalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_team_approvals(team=team, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Approvals saved.")
            return redirect("cases:programme_team_approvals", team_pk=team.pk)
    return render(
        request,
        "cases/programme/team_approvals.html",
        {
            "form": form,
            "title": "What needs a manager's approval",
            "caption": str(team),
            "intro": "Choose which of the team's records a manager must approve before they count.",
            "waiting": _waiting_for_approval(request.user, team),
        },
    )


TEAM_APPROVALS_SHOWN = 50


def _waiting_for_approval(user, team: Team) -> dict[str, list]:
    """The team's assessments, plans and case closures waiting for a manager's decision, oldest first,
    of families the manager may see. Three queries whatever the team's size."""
    families = families_visible_to(user).filter(team=team)
    waiting = {}
    for key, model, author in (("assessments", Assessment, "assessor"), ("plans", Plan, "created_by")):
        waiting[key] = list(
            model.objects.filter(
                status=ApprovalStatus.SUBMITTED, needs_approval=True, case__family__in=families
            )
            .select_related("case__family", author)
            .order_by("pk")[:TEAM_APPROVALS_SHOWN]
        )
    waiting["closures"] = list(
        ClosureRequest.objects.filter(
            status=ClosureRequest.Status.PENDING, case__status=Case.Status.OPEN, case__family__in=families
        )
        .select_related("case__family", "requested_by")
        .order_by("requested_at", "pk")[:TEAM_APPROVALS_SHOWN]
    )
    return waiting
