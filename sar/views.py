"""The DPO's pages for answering a subject access request (SPEC §8.1).

Thin: check the permission, fetch through a selector (404 when missing), call
a service, render. Every page about a request is a read of personal data and
goes in the access log; downloads are logged as downloads.
"""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.access import get_family_for_user
from cases.forms import apply_service_errors
from cases.models import Person
from fss.core.models import AccessLogEntry
from fss.core.security import recent_login_required
from fss.core.services import client_ip, log_access
from sar import forms, letters, selectors, services
from sar.models import (
    Complaint,
    RedactionDecision,
    RightsRequest,
    SarPackage,
    SarSearchTask,
    SubjectAccessRequest,
)
from sar.reminders import open_reminders

FORM_TEMPLATE = "sar/form_page.html"
REVIEW_PAGE_SIZE = 50
VIEW_REQUEST = "sar.view_subjectaccessrequest"


def _request(request, pk):
    sar = selectors.subject_access_request_for_dpo(pk)
    log_access(by=request.user, record=sar, request=request, person_id=sar.subject_id)
    return sar


def _done_compilation(sar):
    compilation = services.current_compilation(sar)
    if compilation is None or not compilation.is_done:
        raise Http404
    return compilation


def _form_page(request, *, form, sar, title, intro="", extra=None):
    context = {"form": form, "sar": sar, "title": title, "intro": intro}
    context.update(extra or {})
    return render(request, FORM_TEMPLATE, context)


@require_GET
@never_cache
@permission_required(VIEW_REQUEST, raise_exception=True)
def request_list(request):
    return render(
        request,
        "sar/request_list.html",
        {
            "requests": list(selectors.open_subject_access_requests()),
            "today": timezone.localdate(),
            "reminders": list(open_reminders(user=request.user)),
        },
    )


@require_GET
@never_cache
@permission_required(VIEW_REQUEST, raise_exception=True)
def request_detail(request, pk: int):
    sar = _request(request, pk)
    compilation = services.current_compilation(sar)
    signed_off = services.is_signed_off(compilation)
    return render(
        request,
        "sar/request_detail.html",
        {
            "sar": sar,
            "today": timezone.localdate(),
            "due": sar.due_date_on(timezone.localdate()),
            "compilation": compilation,
            "counts": selectors.redaction_counts(compilation)
            if compilation and compilation.is_done
            else None,
            "signed_off": signed_off,
            "blockers": [] if signed_off else services.sign_off_blockers(sar, compilation),
            "package_blockers": services.package_blockers(sar, compilation),
            "tasks": selectors.search_tasks(sar),
            "packages": selectors.packages(sar),
            "duplicates": [d for d in selectors.possible_duplicates(sar) if d.pk != sar.duplicate_of_id],
            "linked_duplicates": list(sar.duplicates.all()),
        },
    )


@require_POST
@permission_required("sar.add_sarcompilation", raise_exception=True)
def compile_request(request, pk: int):
    sar = selectors.subject_access_request_for_dpo(pk)
    try:
        services.start_compilation(request=sar, by=request.user, http_request=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Compiling the records. Refresh the page to see how far it has got.")
    return redirect("sar:request_detail", pk=sar.pk)


@require_GET
@never_cache
@permission_required(VIEW_REQUEST, raise_exception=True)
def review(request, pk: int):
    sar = _request(request, pk)
    compilation = _done_compilation(sar)
    only_undecided = request.GET.get("show") != "all"
    items = selectors.review_items(compilation, only_undecided=only_undecided)
    page = Paginator(items, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    names = sorted(
        {
            r.text
            for entry in page
            for r in entry.redactions
            if r.latest is None and r.field_index is not None
        },
        key=str.casefold,
    )
    return render(
        request,
        "sar/review.html",
        {
            "sar": sar,
            "compilation": compilation,
            "page": page,
            "only_undecided": only_undecided,
            "counts": selectors.redaction_counts(compilation),
            "signed_off": services.is_signed_off(compilation),
            "names": names,
            "bulk_form": forms.BulkDecisionForm(),
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("sar.add_redactiondecision", raise_exception=True)
def review_item(request, pk: int, item_pk: int):
    sar = _request(request, pk)
    compilation = _done_compilation(sar)
    entry = selectors.review_item(compilation, item_pk)
    form = forms.RedactionDecisionsForm(request.POST or None, redactions=entry.redactions)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_redactions(
                item=entry.item,
                choices={
                    pk: services.Choice(decision, ground)
                    for pk, (decision, ground) in form.changed_choices().items()
                },
                by=request.user,
                http_request=request,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Decisions saved.")
            following = selectors.next_undecided_item(compilation, after=entry.item.position)
            if following is not None and "next" in request.POST:
                return redirect("sar:review_item", pk=sar.pk, item_pk=following.pk)
            return redirect("sar:review_item", pk=sar.pk, item_pk=entry.item.pk)
    return render(
        request,
        "sar/review_item.html",
        {
            "sar": sar,
            "compilation": compilation,
            "entry": entry,
            "form": form,
            "signed_off": services.is_signed_off(compilation),
            "Decision": RedactionDecision.Decision,
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("sar.add_redaction", raise_exception=True)
def manual_redaction(request, pk: int, item_pk: int):
    sar = _request(request, pk)
    compilation = _done_compilation(sar)
    entry = selectors.review_item(compilation, item_pk)
    form = forms.ManualRedactionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_redaction(
                item=entry.item, by=request.user, http_request=request, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Withheld and added to the redaction log.")
            return redirect("sar:review_item", pk=sar.pk, item_pk=entry.item.pk)
    return _form_page(
        request,
        form=form,
        sar=sar,
        title="Withhold more of this record",
        intro=entry.item.title,
        extra={"back": reverse("sar:review_item", args=[sar.pk, entry.item.pk])},
    )


@require_POST
@permission_required("sar.add_redactiondecision", raise_exception=True)
def bulk_decision(request, pk: int):
    sar = selectors.subject_access_request_for_dpo(pk)
    compilation = _done_compilation(sar)
    form = forms.BulkDecisionForm(request.POST)
    if form.is_valid():
        try:
            count = services.decide_all_naming(
                compilation=compilation,
                text=form.cleaned_data["text"],
                choice=services.Choice(form.cleaned_data["decision"], form.cleaned_data["ground"]),
                by=request.user,
                http_request=request,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"{count} decision{'s' if count != 1 else ''} recorded.")
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("sar:review", pk=sar.pk)


@require_GET
@never_cache
@permission_required(VIEW_REQUEST, raise_exception=True)
def redaction_log(request, pk: int):
    sar = _request(request, pk)
    compilation = _done_compilation(sar)
    return render(
        request,
        "sar/redaction_log.html",
        {"sar": sar, "compilation": compilation, "rows": selectors.redaction_log(compilation)},
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("sar.add_sarsignoff", raise_exception=True)
def sign_off(request, pk: int):
    sar = _request(request, pk)
    compilation = services.current_compilation(sar)
    if services.is_signed_off(compilation):
        messages.info(request, "The compilation is already signed off.")
        return redirect("sar:request_detail", pk=sar.pk)
    form = forms.SignOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.sign_off(
                request=sar, statement=form.cleaned_data["statement"], by=request.user, http_request=request
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Signed off. You can now make the package.")
            return redirect("sar:request_detail", pk=sar.pk)
    return _form_page(
        request,
        form=form,
        sar=sar,
        title="Sign off the response",
        intro="Nothing is sent without a reviewer's sign-off. Once signed off, the redactions cannot change.",
        extra={"blockers": services.sign_off_blockers(sar, compilation)},
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("sar.add_sarsearchtask", raise_exception=True)
def search_task_new(request, pk: int):
    sar = _request(request, pk)
    form = forms.SearchTaskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_search_task(request=sar, by=request.user, http_request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Search added.")
            return redirect("sar:request_detail", pk=sar.pk)
    return _form_page(request, form=form, sar=sar, title="Add a manual search")


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("sar.change_sarsearchtask", raise_exception=True)
def search_task_update(request, pk: int, task_pk: int):
    sar = _request(request, pk)
    task = get_object_or_404(SarSearchTask, request=sar, pk=task_pk)
    initial = {
        "assigned_to": task.assigned_to_id,
        "due_on": task.due_on,
        "outcome": task.outcome,
        "outcome_note": task.outcome_note,
        "completed_on": task.completed_on,
    }
    form = forms.SearchTaskUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_search_task(task=task, by=request.user, http_request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Search updated.")
            return redirect("sar:request_detail", pk=sar.pk)
    return _form_page(request, form=form, sar=sar, title="Manual search", intro=task.description)


@require_POST
@permission_required("sar.change_subjectaccessrequest", raise_exception=True)
def link_duplicate(request, pk: int):
    sar = selectors.subject_access_request_for_dpo(pk)
    original = get_object_or_404(SubjectAccessRequest, pk=request.POST.get("original") or 0)
    try:
        services.link_duplicate(request=sar, original=original, by=request.user, http_request=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Linked to {original.reference} as a repeat request.")
    return redirect("sar:request_detail", pk=sar.pk)


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("sar.change_subjectaccessrequest", raise_exception=True)
def extension(request, pk: int):
    sar = _request(request, pk)
    form = forms.ExtensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_extension(request=sar, by=request.user, http_request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Extension recorded.")
            return redirect("sar:request_detail", pk=sar.pk)
    return _form_page(
        request,
        form=form,
        sar=sar,
        title="Extend by two months",
        intro="Only for a complex or numerous request. The requester must be told, with the reasons, "
        "within the first month.",
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("sar.add_requestpause", raise_exception=True)
def pause(request, pk: int):
    sar = _request(request, pk)
    form = forms.PauseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_pause(request=sar, by=request.user, http_request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Pause recorded.")
            return redirect("sar:request_detail", pk=sar.pk)
    return _form_page(
        request,
        form=form,
        sar=sar,
        title="Stop the clock",
        intro="Only while clarification the request genuinely needs is awaited.",
    )


def _password_key(package_pk: int) -> str:
    return f"sar_package_password_{package_pk}"


@require_POST
@permission_required("sar.add_sarpackage", raise_exception=True)
def package_new(request, pk: int):
    sar = selectors.subject_access_request_for_dpo(pk)
    try:
        package, password = services.make_package(request=sar, by=request.user, http_request=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("sar:request_detail", pk=sar.pk)
    # Held only until the next page shows it, once (the session is server-side).
    request.session[_password_key(package.pk)] = password
    return redirect("sar:package_made", pk=sar.pk, package_pk=package.pk)


@require_GET
@never_cache
@permission_required("sar.view_sarpackage", raise_exception=True)
def package_made(request, pk: int, package_pk: int):
    sar = _request(request, pk)
    package = get_object_or_404(SarPackage, request=sar, pk=package_pk)
    password = (
        request.session.pop(_password_key(package.pk), None)
        if package.made_by_id == request.user.pk
        else None
    )
    return render(request, "sar/package_made.html", {"sar": sar, "package": package, "password": password})


@require_GET
@never_cache
@permission_required("sar.view_sarpackage", raise_exception=True)
@recent_login_required
def package_download(request, pk: int, package_pk: int, which: str):
    sar = selectors.subject_access_request_for_dpo(pk)
    package = get_object_or_404(SarPackage.objects.select_related("request"), request=sar, pk=package_pk)
    try:
        handle = services.open_package_file(
            package=package, which=which, by=request.user, http_request=request
        )
    except PermissionDenied as refusal:
        return render(request, "sar/package_refused.html", {"sar": sar, "message": str(refusal)}, status=403)
    except services.PackageExpiredError as expired:
        return render(request, "sar/package_refused.html", {"sar": sar, "message": str(expired)}, status=410)
    except services.PackageNotReadyError as not_ready:
        return render(
            request, "sar/package_refused.html", {"sar": sar, "message": str(not_ready)}, status=409
        )
    filename = f"{sar.reference}.{'pdf' if which == 'pdf' else 'zip'}"
    response = FileResponse(handle, as_attachment=True, filename=filename)
    return response


# --- Refusal and letters (domain-rules §2, §3; SPEC §8.4) ---


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("sar.change_subjectaccessrequest", raise_exception=True)
def refuse(request, pk: int):
    sar = _request(request, pk)
    if not sar.is_open:
        messages.info(request, f"The request is already {sar.get_status_display().lower()}.")
        return redirect("sar:request_detail", pk=sar.pk)
    form = forms.RefusalForm(request.POST or None, initial={"refused_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.refuse_request(request=sar, by=request.user, http_request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Refused. Send the refusal letter to the requester.")
            return redirect("sar:request_detail", pk=sar.pk)
    due = sar.due_date_on(timezone.localdate())
    intro = "A refusal goes to the requester with the reasons and their right to complain."
    if due:
        intro += f" Like an answer, it is due by {due:%-d %B %Y}."
    return _form_page(request, form=form, sar=sar, title="Refuse the request", intro=intro)


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@never_cache
@permission_required(VIEW_REQUEST, raise_exception=True)
def refusal_letter(request, pk: int):
    sar = selectors.subject_access_request_for_dpo(pk)
    if sar.status != SubjectAccessRequest.Status.REFUSED:
        raise Http404
    log_access(
        by=request.user,
        record=sar,
        action=AccessLogEntry.Action.EXPORT,
        request=request,
        person_id=sar.subject_id,
    )
    return _pdf_response(letters.refusal_letter_pdf(sar), f"{sar.reference}-refusal.pdf")


@require_GET
@never_cache
@permission_required("sar.view_rightsrequest", raise_exception=True)
def rights_letter(request, pk: int):
    rights = get_object_or_404(
        RightsRequest.objects.select_related("subject"), pk=pk, decided_on__isnull=False
    )
    log_access(
        by=request.user,
        record=rights,
        action=AccessLogEntry.Action.EXPORT,
        request=request,
        person_id=rights.subject_id,
    )
    content = letters.rights_decision_letter_pdf(rights, recipients_told=services.recipients_to_tell(rights))
    return _pdf_response(content, f"{rights.reference}-decision.pdf")


@require_GET
@never_cache
@permission_required("sar.view_complaint", raise_exception=True)
def complaint_letter(request, pk: int):
    complaint = get_object_or_404(Complaint, pk=pk, outcome_on__isnull=False)
    log_access(
        by=request.user,
        record=complaint,
        action=AccessLogEntry.Action.EXPORT,
        request=request,
        person_id=complaint.subject_id,
    )
    return _pdf_response(
        letters.complaint_outcome_letter_pdf(complaint), f"{complaint.reference}-outcome.pdf"
    )


# --- Data-protection complaints (SPEC §8.4) ---

COMPLAINT_SESSION_KEY = "sar_complaint_reference"
COMPLAINT_THROTTLE_WINDOW = 60 * 60  # seconds


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("sar.add_complaint", raise_exception=True)
def complaint_new(request, pk: int):
    """Staff record a complaint on a family member's behalf; `?person=` preselects the member."""
    family = get_family_for_user(request.user, pk)
    log_access(by=request.user, record=family, request=request, family_id=family.pk)
    people = Person.objects.filter(memberships__family=family).distinct()
    chosen = request.GET.get("person", "")
    initial = {"subject": chosen} if chosen.isdigit() and people.filter(pk=chosen).exists() else {}
    form = forms.StaffComplaintForm(request.POST or None, people=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = services.record_complaint(
                subject=data["subject"],
                family=family,
                fields=data,
                received_on=data["received_on"],
                channel=data["channel"],
                by=request.user,
                http_request=request,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Complaint {complaint.reference} recorded. The Data Protection Officer will acknowledge it.",
            )
            return redirect("cases:person_detail", pk=family.pk, person_pk=complaint.subject_id)
    return render(
        request,
        "sar/complaint_form.html",
        {
            "form": form,
            "family": family,
            "back": reverse("cases:family_detail", args=[family.pk]),
            "title": "Record a data-protection complaint",
        },
    )


def _complaint_throttle_key(request) -> str:
    # The address is hashed: no personal data in the cache's keys.
    address = client_ip(request) or "unknown"
    return "sar:complaint-form:" + hashlib.sha256(address.encode()).hexdigest()


def _complaint_throttled(request) -> bool:
    """More than PUBLIC_COMPLAINTS_PER_HOUR sent from this address in the last hour."""
    limit = settings.PUBLIC_COMPLAINTS_PER_HOUR
    return cache.get(_complaint_throttle_key(request), 0) >= limit


def _count_complaint(request) -> None:
    key = _complaint_throttle_key(request)
    if not cache.add(key, 1, COMPLAINT_THROTTLE_WINDOW):
        try:
            cache.incr(key)
        except ValueError:  # expired in between
            cache.add(key, 1, COMPLAINT_THROTTLE_WINDOW)


@login_not_required
@require_http_methods(["GET", "POST"])
@never_cache
def complaint_public(request):
    """The public complaint form: no sign-in; the complaint lands unmatched for the DPO to match."""
    form = forms.PublicComplaintForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _complaint_throttled(request):
            form.is_valid()
            form.add_error(
                None, "We have received several complaints from here recently. Please try again in an hour."
            )
            status = 429
        elif form.is_valid():
            _count_complaint(request)
            if form.is_robot:
                # Filled the hidden field: thanked, not recorded.
                request.session.pop(COMPLAINT_SESSION_KEY, None)
            else:
                complaint = services.record_public_complaint(fields=form.cleaned_data)
                request.session[COMPLAINT_SESSION_KEY] = complaint.reference
            return redirect("sar:complaint_received")
    return render(request, "sar/complaint_public.html", {"form": form}, status=status)


@login_not_required
@require_GET
@never_cache
def complaint_received(request):
    """The confirmation: the reference only, kept in the session (never in the URL)."""
    return render(
        request, "sar/complaint_received.html", {"reference": request.session.get(COMPLAINT_SESSION_KEY)}
    )
