"""Pages for importing external data (SPEC §4.5) and merging two records of one person.

Thin, like `cases.views`: check permission, call `cases.imports` or `cases.merge`, render.
URLs carry ids only; a preview lists names, so it is shown to the person who imported the
file alone, and opening it is access-logged.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import imports, merge
from cases.access import get_family_for_user
from cases.forms import apply_service_errors
from cases.forms_import import ImportUploadForm, MergeForm
from cases.models import ExternalDataImport, Membership
from fss.core.models import AccessLogEntry
from fss.core.services import log_access

IMPORT_TEMPLATES = "cases/import/"
PREVIEW_ROWS_SHOWN = 1000


def _import_for(user, import_pk: int) -> ExternalDataImport:
    """The import if `user` may open it (the person who made it), else 404."""
    return get_object_or_404(imports.imports_visible_to(user).select_related("team"), pk=import_pk)


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("cases.import_external_data", raise_exception=True)
def import_start(request):
    team = request.user.teams.first()
    if team is None:
        raise PermissionDenied
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            imp = imports.start_import(
                file=data["file"],
                kind=data["kind"],
                source_organisation=data["source_organisation"],
                received_on=data["received_on"],
                team=team,
                by=request.user,
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            return redirect("cases:import_detail", import_pk=imp.pk)
    recent = imports.imports_visible_to(request.user)[:10]
    return render(
        request,
        IMPORT_TEMPLATES + "start.html",
        {"form": form, "team": team, "recent": recent, "threshold": imports.worker_threshold()},
    )


@require_GET
@never_cache
@permission_required("cases.import_external_data", raise_exception=True)
def import_detail(request, import_pk: int):
    imp = _import_for(request.user, import_pk)
    Status = ExternalDataImport.Status
    if imp.status in (Status.DRAFT, Status.COMMITTING):
        return render(request, IMPORT_TEMPLATES + "progress.html", {"imp": imp})
    rows = imports.preview_rows(imp)
    if rows:
        log_access(by=request.user, record=imp, request=request)
    context = {
        "imp": imp,
        "rows": rows[:PREVIEW_ROWS_SHOWN],
        "rows_hidden": max(0, len(rows) - PREVIEW_ROWS_SHOWN),
        "error_rows": [row for row in rows if row.status == "error"],
        "unmatched": [row for row in rows if row.status == "unmatched"],
        "previous": imports.previous_import_of_same_file(imp) if imp.status == Status.PREVIEWED else None,
    }
    return render(request, IMPORT_TEMPLATES + "detail.html", context)


@require_GET
@never_cache
@permission_required("cases.import_external_data", raise_exception=True)
def import_progress(request, import_pk: int):
    """How far the worker has got, for the progress bar (static/js/import-progress.js)."""
    imp = _import_for(request.user, import_pk)
    working = imp.status in (ExternalDataImport.Status.DRAFT, ExternalDataImport.Status.COMMITTING)
    return JsonResponse(
        {
            "status": imp.status,
            "status_label": imp.get_status_display(),
            "percent": imp.percent,
            "processed": imp.processed_rows,
            "total": imp.total_rows,
            "done": not working,
            "url": reverse("cases:import_detail", kwargs={"import_pk": imp.pk}),
        }
    )


@require_POST
@never_cache
@permission_required("cases.import_external_data", raise_exception=True)
def import_commit(request, import_pk: int):
    imp = _import_for(request.user, import_pk)
    try:
        imp = imports.request_commit(imp=imp, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if imp.status == ExternalDataImport.Status.COMMITTED:
            messages.success(request, f"{imp.imported_rows} rows imported.")
        elif imp.status == ExternalDataImport.Status.PREVIEWED and imp.failure:
            messages.error(request, imp.failure)
    return redirect("cases:import_detail", import_pk=imp.pk)


@require_POST
@never_cache
@permission_required("cases.import_external_data", raise_exception=True)
def import_cancel(request, import_pk: int):
    imp = _import_for(request.user, import_pk)
    try:
        imports.cancel_import(imp=imp, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Import cancelled. The file has been deleted.")
    return redirect("cases:import_start")


# --- Person merge -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("cases.merge_person", raise_exception=True)
def person_merge(request, pk: int, person_pk: int):
    """Merge another record of the same person into this one (a team manager's decision)."""
    family = get_family_for_user(request.user, pk, for_change=True)
    keep = get_object_or_404(Membership.objects.select_related("person"), family=family, person_id=person_pk)
    keep = keep.person
    candidates = merge.merge_candidates(request.user, keep)
    form = MergeForm(request.POST or None, candidates=candidates)
    other = None
    problem = ""
    if request.method == "POST" and form.is_valid():
        other = next(p for p in candidates if p.pk == form.cleaned_data["other"])
        try:
            merge.check_merge(keep=keep, other=other, by=request.user)
        except ValidationError as error:
            problem = " ".join(error.messages)
        if not problem and request.POST.get("confirm") == "yes":
            try:
                merge.merge_people(
                    keep=keep,
                    other=other,
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                    request=request,
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, "Records merged. The other record's history is kept.")
                return redirect("cases:person_detail", pk=family.pk, person_pk=keep.pk)
    log_access(
        by=request.user,
        record=keep,
        action=AccessLogEntry.Action.VIEW,
        request=request,
        family_id=family.pk,
        person_id=keep.pk,
    )
    return render(
        request,
        "cases/merge/merge.html",
        {
            "family": family,
            "keep": keep,
            "other": other if form.is_bound and form.is_valid() else None,
            "form": form,
            "candidates": candidates,
            "problem": problem,
            "comparison": _comparison(keep, other) if other is not None else [],
        },
    )


def _comparison(keep, other) -> list[tuple[str, str, str]]:
    fields = [
        ("Name", str),
        ("Date of birth", lambda p: f"{p.date_of_birth:%d %B %Y}" if p.date_of_birth else ""),
        ("Unique pupil number", lambda p: p.upn),
        ("NHS number", lambda p: p.nhs_number),
        ("National Insurance number", lambda p: p.ni_number),
        ("Other names", lambda p: p.other_names),
    ]
    return [(label, get(keep) or "Not recorded", get(other) or "Not recorded") for label, get in fields]
