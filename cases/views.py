"""Caseworker pages (SPEC §4.4). Thin: parse, check access, call a service or selector, render.

Every family is fetched through `cases.access` (404 when not visible); every read
of a family is access-logged; URLs carry ids, never names.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cases import forms, selectors, services
from cases.access import access_route, families_visible_to, get_family_for_user, may_change
from cases.duplicates import possible_duplicates
from cases.forms_programme import ApprovalForm
from cases.models import Case, ClosureRequest, Document, Family, Membership, Referral
from cases.programme.selectors import may_approve
from cases.programme.selectors import work_due as programme_work_due
from consent.selectors import education_opt_out_in_force, family_consent_overview
from fss.core import roles
from fss.core.models import AccessLogEntry
from fss.core.security import recent_login_required
from fss.core.services import log_access, log_access_to_families
from retention.selectors import family_destruction_date, family_retention_period_text, family_retention_status

FORM_TEMPLATE = "cases/form_page.html"


def _form_page(request, *, form, title, family=None, caption="", intro="", extra=None):
    context = {"form": form, "title": title, "family": family, "caption": caption, "intro": intro}
    context.update(extra or {})
    return render(request, FORM_TEMPLATE, context)


@require_GET
@never_cache
@permission_required("cases.view_family", raise_exception=True)
def my_work(request):
    return render(
        request,
        "cases/my_work.html",
        {
            "work": selectors.my_work(request.user),
            "programme_work": programme_work_due(request.user),
            "sharing_reminders": _referral_reminders(request.user),
            "today": timezone.localdate(),
        },
    )


MY_WORK_REMINDERS = 50


def _referral_reminders(user) -> list:
    """The user's open reminders that a partner has not answered a referral (sharing.reminders),
    about families they may see, soonest first. One query."""
    from sharing.models import SharingReminder
    from sharing.reminders import open_reminders

    reminders = open_reminders(user=user, families=families_visible_to(user)).filter(
        kind=SharingReminder.Kind.REFERRAL_NO_RESPONSE
    )
    return list(reminders.select_related("referral__family")[:MY_WORK_REMINDERS])


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("cases.view_family", raise_exception=True)
def family_search(request):
    # Searched by POST so that names and dates of birth never appear in URLs or logs.
    form = forms.SearchForm(request.POST if request.method == "POST" else None)
    results = None
    if request.method == "POST" and form.is_valid():
        results = selectors.search_families(request.user, **form.cleaned_data)
        # Every family found is logged as read, in one INSERT whatever the number of results.
        log_access_to_families(
            by=request.user,
            families=[result.family for result in results],
            action=AccessLogEntry.Action.SEARCH,
            request=request,
        )
    return render(request, "cases/family_search.html", {"form": form, "results": results})


def _log_family_read(request, family, route: str) -> None:
    log_access(
        by=request.user,
        record=family,
        request=request,
        family_id=family.pk,
        is_break_glass=route == "break_glass",
        reason="break-glass access in force" if route == "break_glass" else "",
    )


@require_GET
@never_cache
def family_detail(request, pk: int):
    """The family page (SPEC §4.4) in at most 15 queries whatever the family's size (SPEC §11).

    Notes, documents and paper files, the programme's detail and the sharing
    history have their own pages; this one summarises them and links there.
    """
    today = timezone.localdate()
    family = get_family_for_user(
        request.user, pk, queryset=selectors.family_page_queryset(request.user, on=today)
    )
    route = access_route(request.user, family)
    _log_family_read(request, family, route)
    cases = list(family.cases.all())
    open_case = next((case for case in cases if case.status == Case.Status.OPEN), None)
    retention = family_retention_status(family)
    members = list(family.memberships.all())
    consent, work_gate = family_consent_overview(
        family=family, on=today, memberships=members, since=open_case.opened_on if open_case else None
    )
    # The open case's latest closure request: waiting for a manager, or returned with a comment.
    closure = open_case if open_case and open_case.closure_status in ("pending", "returned") else None
    pending = closure is not None and closure.closure_status == ClosureRequest.Status.PENDING
    return render(
        request,
        "cases/family_detail.html",
        {
            "family": family,
            "members": members,
            "flags": selectors.family_flags(
                family=family,
                members=[m.person for m in members],
                cases=cases,
                on=today,
                break_glass=route == "break_glass",
            ),
            "referrals": list(family.referrals.all()),
            "cases": cases,
            "open_case": open_case,
            "destruction_date": retention.due_date,
            "retention_period": retention.period_text,
            "can_change": may_change(request.user, family),
            "consent": consent,
            "consent_summary_purposes": ["service", "record", "programme"],
            "work_gate": work_gate,
            "route": route,
            "today": today,
            "closure": closure,
            "closure_reason": Case.ClosureReason(closure.closure_request_reason).label if closure else "",
            "closure_destruction_date": (
                selectors.destruction_date_if_closed(
                    open_case, closure.closure_closed_on, policy=retention.policy
                )
                if pending
                else None
            ),
            "may_approve_closure": pending
            and closure.closure_requested_by_id != request.user.pk
            and family.user_manages_team
            and request.user.has_role(roles.TEAM_MANAGER),
        },
    )


@require_GET
@never_cache
def family_notes(request, pk: int):
    """The family's notes timeline, newest first (its own page: it grows with the work)."""
    family = get_family_for_user(request.user, pk)
    route = access_route(request.user, family)
    _log_family_read(request, family, route)
    return render(
        request,
        "cases/family_notes.html",
        {"family": family, "notes": selectors.notes_for_family(family), "route": route},
    )


@require_GET
@never_cache
def family_documents(request, pk: int):
    """The family's documents and where its paper files are kept."""
    family = get_family_for_user(request.user, pk)
    route = access_route(request.user, family)
    _log_family_read(request, family, route)
    return render(
        request,
        "cases/family_documents.html",
        {
            "family": family,
            "documents": selectors.documents_for_family(family),
            "paper_records": list(family.paper_records.order_by("recorded_at", "pk")),
            "can_change": may_change(request.user, family),
            "route": route,
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("cases.add_family", raise_exception=True)
def referral_new(request):
    team = request.user.teams.first()
    if team is None:
        raise PermissionDenied
    form = forms.ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.record_referral(
                team=team,
                received_on=data["received_on"],
                source=data["source"],
                source_team=data["source_team"],
                reason=data["reason"],
                referrer_name=data["referrer_name"],
                referrer_contact=data["referrer_contact"],
                address={k: data[k] for k in ("line_1", "line_2", "town", "postcode")},
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            forms.apply_service_errors(form, error)
        else:
            messages.success(
                request, f"Referral recorded. The family reference is {referral.family.reference}."
            )
            return redirect("cases:member_add", pk=referral.family.pk)
    return _form_page(request, form=form, title="Record a referral", caption=str(team))


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("cases.add_membership", raise_exception=True)
def member_add(request, pk: int):
    family = get_family_for_user(request.user, pk, for_change=True)
    form = forms.MemberForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        existing_id = request.POST.get("existing_person")
        try:
            if existing_id:
                person = next(
                    p
                    for p in possible_duplicates(request.user, **form.person_fields())
                    if str(p.pk) == existing_id
                )
                services.add_member(
                    family=family,
                    person=person,
                    role=data["role"],
                    start_date=data["start_date"],
                    has_parental_responsibility=data["has_parental_responsibility"],
                    by=request.user,
                    request=request,
                )
            else:
                duplicates = possible_duplicates(request.user, **form.person_fields())
                if duplicates and not data["confirm_new_person"]:
                    return _form_page(
                        request,
                        form=form,
                        family=family,
                        title="Is this someone we already know?",
                        caption=family.reference,
                        extra={"duplicates": duplicates},
                    )
                services.add_member(
                    family=family,
                    person_fields=form.person_fields(),
                    role=data["role"],
                    start_date=data["start_date"],
                    has_parental_responsibility=data["has_parental_responsibility"],
                    by=request.user,
                    request=request,
                )
        except StopIteration:
            form.add_error(None, "Choose one of the people listed, or create a new record")
        except ValidationError as error:
            forms.apply_service_errors(form, error)
        else:
            messages.success(request, "Person added to the family.")
            return redirect("cases:family_detail", pk=family.pk)
    return _form_page(
        request, form=form, family=family, title="Add a person to the family", caption=family.reference
    )


def _member_of(family, person_pk: int):
    membership = get_object_or_404(
        Membership.objects.select_related("person"), family=family, person_id=person_pk
    )
    return membership


@require_GET
@never_cache
@permission_required("cases.view_person", raise_exception=True)
def person_detail(request, pk: int, person_pk: int):
    family = get_family_for_user(request.user, pk)
    membership = _member_of(family, person_pk)
    person = membership.person
    log_access(by=request.user, record=person, request=request, family_id=family.pk, person_id=person.pk)
    return render(
        request,
        "cases/person_detail.html",
        {
            "family": family,
            "membership": membership,
            "person": person,
            "show_special_category": request.user.has_perm("cases.view_special_category"),
            "education_opt_out": education_opt_out_in_force(person=person, on=timezone.localdate()),
            "can_change": may_change(request.user, family),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("cases.change_person", raise_exception=True)
def person_edit(request, pk: int, person_pk: int):
    family = get_family_for_user(request.user, pk, for_change=True)
    person = _member_of(family, person_pk).person
    special = request.user.has_perm("cases.view_special_category")
    initial = {name: getattr(person, name) for name in forms.PersonDetailsForm.base_fields}
    form = forms.PersonDetailsForm(request.POST or None, initial=initial, show_special_category=special)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(
                person=person, family=family, changes=form.cleaned_data, by=request.user, request=request
            )
        except ValidationError as error:
            forms.apply_service_errors(form, error)
        else:
            messages.success(request, "Details saved.")
            return redirect("cases:person_detail", pk=family.pk, person_pk=person.pk)
    return _form_page(
        request, form=form, family=family, title=f"Change details: {person}", caption=family.reference
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("cases.add_document", raise_exception=True)
def document_upload(request, pk: int):
    family = get_family_for_user(request.user, pk, for_change=True)
    members = services.current_members(family)
    form = forms.DocumentForm(request.POST or None, request.FILES or None, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_id = {person.pk: person for person in members}
        try:
            services.upload_document(
                family=family,
                kind=data["kind"],
                title=data["title"],
                file=data["file"],
                person=by_id.get(data["person"]),
                is_sensitive=data["is_sensitive"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            forms.apply_service_errors(form, error)
        else:
            messages.success(request, "Document uploaded.")
            return redirect("cases:family_detail", pk=family.pk)
    return render(
        request,
        FORM_TEMPLATE,
        {
            "form": form,
            "title": "Upload a document",
            "family": family,
            "caption": family.reference,
            "multipart": True,
        },
    )


@require_GET
@never_cache
@permission_required("cases.view_document", raise_exception=True)
@recent_login_required
def document_download(request, pk: int, document_pk: int):
    """Serve a document through an access check; every download is logged (SPEC §9)."""
    family = get_family_for_user(request.user, pk)
    document = get_object_or_404(Document, pk=document_pk, family=family)
    log_access(
        by=request.user,
        record=document,
        action=AccessLogEntry.Action.DOWNLOAD,
        request=request,
        family_id=family.pk,
        person_id=document.person_id,
    )
    extension = document.file.name.rsplit(".", 1)[-1] if "." in document.file.name else "bin"
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{family.reference}-document-{document.pk}.{extension}",
        content_type=document.content_type or "application/octet-stream",
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("cases.add_paperrecord", raise_exception=True)
def paper_record_add(request, pk: int):
    family = get_family_for_user(request.user, pk, for_change=True)
    form = forms.PaperRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_paper_location(
                family=family, by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            forms.apply_service_errors(form, error)
        else:
            messages.success(request, "Paper file location saved.")
            return redirect("cases:family_detail", pk=family.pk)
    return _form_page(
        request, form=form, family=family, title="Record where paper files are kept", caption=family.reference
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("cases.change_family", raise_exception=True)
def referral_decide(request, pk: int, referral_pk: int):
    family = get_family_for_user(request.user, pk, for_change=True)
    referral = get_object_or_404(Referral, pk=referral_pk, family=family)
    form = forms.DecideReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.decide_referral(
                referral=referral,
                decision=data["decision"],
                decided_on=data["decided_on"],
                reason=data["reason"],
                eligibility_exception_reason=data["eligibility_exception_reason"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            forms.apply_service_errors(form, error)
        else:
            messages.success(request, "Case opened." if case else "Decision recorded.")
            return redirect("cases:family_detail", pk=family.pk)
    return _form_page(
        request,
        form=form,
        family=family,
        title="Decide the referral",
        caption=family.reference,
        extra={"referral": referral},
    )


def _kept_until(due) -> str:
    return f"the family's records will be kept until {due:%-d %B %Y}, then destroyed." if due else ""


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("cases.change_case", raise_exception=True)
def case_close(request, pk: int, case_pk: int):
    family = get_family_for_user(request.user, pk, for_change=True)
    case = get_object_or_404(Case, pk=case_pk, family=family)
    reason = request.GET.get("reason")
    initial = {"reason": reason} if reason in Case.ClosureReason.values else {}
    form = forms.CloseCaseForm(request.POST or None, initial=initial)
    needs_approval = services.closure_needs_approval(family)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.submit_closure(
                case=case,
                closed_on=data["closed_on"],
                reason=data["reason"],
                receiving_team=data["receiving_team"],
                note=data["note"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            forms.apply_service_errors(form, error)
        else:
            if isinstance(result, ClosureRequest):
                due = selectors.destruction_date_if_closed(case, result.closed_on)
                kept = f" If it is approved, {_kept_until(due)}" if due else ""
                messages.success(
                    request,
                    f"Closure sent to a manager for approval. The case stays open until then.{kept}",
                )
            else:
                due = family_destruction_date(family)
                kept = f" {capfirst(_kept_until(due))}" if due else ""
                messages.success(request, f"Case closed.{kept}")
            return redirect("cases:family_detail", pk=family.pk)
    intro = (
        f"Records are kept for {family_retention_period_text()} after the family's last case closes, "
        "then destroyed. After you close the case, the family page shows the date."
    )
    if needs_approval:
        intro = (
            "A manager of the team must approve the closure: the case stays open until then. "
            f"Records are kept for {family_retention_period_text()} after the family's last case closes, "
            "then destroyed; the family page shows the date the closure would give."
        )
    return _form_page(
        request,
        form=form,
        family=family,
        title="Ask to close the case" if needs_approval else "Close the case",
        caption=family.reference,
        intro=intro,
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("cases.change_case", raise_exception=True)
def closure_decide(request, pk: int, case_pk: int, closure_pk: int):
    """A team manager approves a closure request (the case closes) or returns it with a comment."""
    family = get_family_for_user(request.user, pk, for_change=True)
    case = get_object_or_404(Case, pk=case_pk, family=family)
    closure = get_object_or_404(
        ClosureRequest.objects.select_related("requested_by", "decided_by"), pk=closure_pk, case=case
    )
    if not may_approve(request.user, family):
        raise PermissionDenied
    form = ApprovalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == ApprovalForm.APPROVE
        try:
            services.decide_closure(
                closure=closure,
                approve=approve,
                comment=form.cleaned_data["comment"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            forms.apply_service_errors(form, error)
        else:
            if approve:
                kept = capfirst(_kept_until(family_destruction_date(family)))
                messages.success(request, f"Closure approved: the case is closed. {kept}".strip())
            else:
                messages.success(request, "Closure returned to the worker with your comment.")
            return redirect("cases:family_detail", pk=family.pk)
    return render(
        request,
        "cases/closure_decide.html",
        {
            "form": form,
            "family": family,
            "case": case,
            "closure": closure,
            "destruction_date": selectors.destruction_date_if_closed(case, closure.closed_on),
            "title": "Approve closing the case",
            "caption": family.reference,
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("cases.change_case", raise_exception=True)
def case_reopen(request, pk: int, case_pk: int):
    family = get_family_for_user(request.user, pk, for_change=True)
    case = get_object_or_404(Case, pk=case_pk, family=family)
    form = forms.ReopenCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reopen_case(
                case=case,
                reopened_on=form.cleaned_data["reopened_on"],
                note=form.cleaned_data["note"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            forms.apply_service_errors(form, error)
        else:
            messages.success(request, "Case reopened. Records are kept while the case is open.")
            return redirect("cases:family_detail", pk=family.pk)
    return _form_page(request, form=form, family=family, title="Reopen the case", caption=family.reference)


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("cases.change_case", raise_exception=True)
def note_add(request, pk: int, case_pk: int):
    family = get_family_for_user(request.user, pk, for_change=True)
    case = get_object_or_404(Case, pk=case_pk, family=family, status=Case.Status.OPEN)
    members = services.current_members(family)
    form = forms.NoteForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_id = {person.pk: person for person in members}
        try:
            services.add_note(
                case=case,
                kind=data["kind"],
                occurred_on=data["occurred_on"],
                text=data["text"],
                is_opinion=data["is_opinion"],
                is_sensitive=data["is_sensitive"],
                people_present=[by_id[pk] for pk in data["people_present"]],
                people_mentioned=[by_id[pk] for pk in data["people_mentioned"]],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            forms.apply_service_errors(form, error)
        else:
            messages.success(request, "Note saved.")
            return redirect("cases:family_detail", pk=family.pk)
    return _form_page(request, form=form, family=family, title="Add a case note", caption=family.reference)


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("cases.view_family", raise_exception=True)
@recent_login_required
def break_glass(request):
    form = forms.BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reference = form.cleaned_data["reference"].strip().upper()
        # The one lookup outside cases.access: break-glass reaches a family by reference, by design.
        family = Family.objects.filter(reference=reference).first()
        if family is None:
            form.add_error("reference", "There is no family with that reference: check it and try again")
        else:
            try:
                services.open_break_glass(
                    family=family, by=request.user, reason=form.cleaned_data["reason"], request=request
                )
            except ValidationError as error:
                forms.apply_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"You can see this family for {services.BREAK_GLASS_HOURS} hours. "
                    "Your access is recorded and reviewed.",
                )
                return redirect("cases:family_detail", pk=family.pk)
    return _form_page(
        request,
        form=form,
        title="Open a family outside your team",
        intro=(
            "Only do this when you need to act now, for example to protect a child. "
            "The Data Protection Officer reviews every use."
        ),
    )
