"""Pages for the participation of young people (caseworkers) and for returns (the DPO), SPEC §6.3.

Thin: parse, check permission and access, call a service or a selector, render.
Families are reached only through `cases.access` (404 when not visible); pages
showing people are access-logged; URLs carry ids, never names. Returns are the
DPO's: only the DPO runs them and downloads a file again.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.access import families_visible_to, get_family_for_user
from cases.forms import apply_service_errors
from consent.selectors import current_memberships
from fss.core.security import recent_login_required
from fss.core.services import log_access
from sharing.returns import forms, selectors, services
from sharing.returns.models import FollowUpTask, ReturnKind, ReturnRun

FORM_TEMPLATE = "cases/form_page.html"


# --- participation of young people ----------------------------------------------------------------


@require_GET
@never_cache
@permission_required("sharing.view_activityrecord", raise_exception=True)
def participation_list(request):
    """The tracked young people in the families the user may see, with what counts for each today."""
    families = families_visible_to(request.user)
    rows = selectors.participation_list(user_families=families)
    tasks = selectors.open_follow_up_tasks(user_families=families)
    # Every young person shown is a read of their record: one log line each, in one query.
    services.log_people(
        by=request.user, request=request, people=[(row.member.family.pk, row.person.pk) for row in rows]
    )
    return render(
        request,
        "sharing/returns/participation_list.html",
        {"rows": rows, "tasks": tasks, "today": timezone.localdate()},
    )


def _member_or_404(request, pk: int, person_pk: int, *, for_change: bool = False):
    family = get_family_for_user(request.user, pk, for_change=for_change)
    membership = (
        current_memberships(family=family, on=timezone.localdate()).filter(person_id=person_pk).first()
    )
    if membership is None:
        raise Http404
    return family, membership.person


@require_GET
@never_cache
@permission_required("sharing.view_activityrecord", raise_exception=True)
def participation_person(request, pk: int, person_pk: int):
    family, person = _member_or_404(request, pk, person_pk)
    log_access(by=request.user, record=person, request=request, family_id=family.pk, person_id=person.pk)
    today = timezone.localdate()
    return render(
        request,
        "sharing/returns/participation_person.html",
        {
            "family": family,
            "person": person,
            "current": selectors.current_activity(person, today, family=family),
            "in_cohort": selectors.tracked(
                date_of_birth=person.date_of_birth, has_ehc_plan=person.has_ehc_plan, on=today
            ),
            "academic_age": selectors.academic_age_on(person.date_of_birth, today)
            if person.date_of_birth
            else None,
            "can_change": family.can_change and request.user.has_perm("sharing.add_activityrecord"),
            **selectors.person_participation(person=person, on=today),
        },
    )


def _participation_form(request, pk, person_pk, *, form_class, title, save):
    family, person = _member_or_404(request, pk, person_pk, for_change=True)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            save(family=family, person=person, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("sharing:participation_person", pk=family.pk, person_pk=person.pk)
    return render(
        request, FORM_TEMPLATE, {"form": form, "family": family, "title": title, "caption": str(person)}
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("sharing.add_activityrecord", raise_exception=True)
def activity_new(request, pk: int, person_pk: int):
    return _participation_form(
        request,
        pk,
        person_pk,
        form_class=forms.ActivityForm,
        title="Record an activity",
        save=services.record_activity,
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("sharing.add_contactattempt", raise_exception=True)
def contact_new(request, pk: int, person_pk: int):
    return _participation_form(
        request,
        pk,
        person_pk,
        form_class=forms.ContactAttemptForm,
        title="Record a contact attempt",
        save=services.record_contact_attempt,
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("sharing.add_septemberguaranteeoffer", raise_exception=True)
def offer_new(request, pk: int, person_pk: int):
    return _participation_form(
        request,
        pk,
        person_pk,
        form_class=forms.SeptemberOfferForm,
        title="Record a September Guarantee offer",
        save=services.record_september_offer,
    )


@require_POST
@permission_required("sharing.change_followuptask", raise_exception=True)
def task_done(request, task_pk: int):
    families = families_visible_to(request.user)
    task = get_object_or_404(
        FollowUpTask.objects.filter(person__memberships__family__in=families).distinct(), pk=task_pk
    )
    try:
        services.close_follow_up_task(task=task, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Task closed.")
    return redirect("sharing:participation")


# --- returns (the DPO) ---------------------------------------------------------------------------


@require_GET
@never_cache
@permission_required("sharing.view_returnrun", raise_exception=True)
def returns_index(request):
    return render(
        request,
        "sharing/returns/index.html",
        {
            "runs": selectors.return_runs(),
            "overdue": selectors.destruction_confirmations_overdue(),
            "not_sent": selectors.transfers_not_sent(),
            "kinds": ReturnKind.choices,
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("sharing.add_returnrun", raise_exception=True)
def return_new(request):
    form = forms.RunReturnForm(request.POST or None, initial={"kind": request.GET.get("kind")})
    already = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = services.run_return(
                kind=data["kind"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                recipient=data["recipient"],
                research_project=data["research_project"],
                supersede=data["supersede"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and any(
                e.code == services.ALREADY_RUN for e in error.error_dict.get("supersede", [])
            ):
                already = error.error_dict["supersede"][0].message
            else:
                apply_service_errors(form, error)
        else:
            if run.warnings:
                messages.warning(request, " ".join(run.warnings))
            messages.success(
                request, "The return has run. Check it, then send the file and record it as sent."
            )
            return redirect("sharing:return_detail", run_pk=run.pk)
    return render(request, "sharing/returns/new.html", {"form": form, "already": already})


def _run_or_404(run_pk: int) -> ReturnRun:
    return get_object_or_404(
        ReturnRun.objects.select_related(
            "recipient", "agreement", "run_by", "transfer", "research_project", "supersedes", "purpose"
        ),
        pk=run_pk,
    )


@require_GET
@never_cache
@permission_required("sharing.view_returnrun", raise_exception=True)
def return_detail(request, run_pk: int):
    run = _run_or_404(run_pk)
    excluded = selectors.run_excluded(run)
    # The people left out are named on the page, with the check's reason: a read of each.
    services.log_people(
        by=request.user, record=run, request=request, people=[(d.family_id, d.person_id) for d in excluded]
    )
    superseded_by = ReturnRun.objects.filter(supersedes=run).select_related("run_by").first()
    return render(
        request,
        "sharing/returns/detail.html",
        {
            "run": run,
            "transfer": getattr(run, "transfer", None),
            "excluded": excluded,
            "superseded_by": superseded_by,
            "can_download": request.user.has_perm("sharing.download_return_file"),
            "today": timezone.localdate(),
        },
    )


@require_GET
@never_cache
@permission_required("sharing.download_return_file", raise_exception=True)
@recent_login_required
def return_download(request, run_pk: int):
    run = _run_or_404(run_pk)
    try:
        handle = services.open_return_file(run=run, by=request.user, request=request)
    except PermissionError:
        raise PermissionDenied from None
    except FileNotFoundError:
        return render(request, "sharing/returns/expired.html", {"run": run}, status=410)
    response = FileResponse(handle, as_attachment=True, filename=run.file_name, content_type="text/csv")
    response["X-Checksum-SHA256"] = run.file_sha256
    return response


def _transfer_form(request, run_pk, *, form_class, title, save, intro=""):
    run = _run_or_404(run_pk)
    transfer = getattr(run, "transfer", None)
    if transfer is None:
        raise Http404
    form = form_class(request.POST or None, initial={"method": transfer.method})
    if request.method == "POST" and form.is_valid():
        try:
            save(transfer=transfer, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Recorded.")
            return redirect("sharing:return_detail", run_pk=run.pk)
    return render(request, FORM_TEMPLATE, {"form": form, "title": title, "caption": str(run), "intro": intro})


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("sharing.change_transferrecord", raise_exception=True)
def transfer_sent(request, run_pk: int):
    return _transfer_form(
        request,
        run_pk,
        form_class=forms.TransferSentForm,
        title="Record the file as sent",
        save=services.record_transfer_sent,
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("sharing.change_transferrecord", raise_exception=True)
def destruction_confirmed(request, run_pk: int):
    return _transfer_form(
        request,
        run_pk,
        form_class=forms.DestructionConfirmedForm,
        title="Record the recipient's confirmation of destruction",
        save=services.confirm_destruction,
        intro="Our own copy of the file is destroyed the day after.",
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("sharing.add_researchproject", raise_exception=True)
def research_project_new(request):
    form = forms.ResearchProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_research_project(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Research project saved.")
            return redirect("sharing:returns")
    return render(request, FORM_TEMPLATE, {"form": form, "title": "Register a research project"})
