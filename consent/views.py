"""Consent pages: the public privacy notice (SPEC §5.3, §12) and a family's consent (SPEC §5.1, §5.2)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cases.access import get_family_for_user, may_change
from cases.forms import apply_service_errors
from cases.models import Case
from consent import services
from consent.forms import (
    VISIT_PURPOSES,
    ConsentDecisionForm,
    EducationOptOutForm,
    VisitDetailsForm,
    VisitPersonForm,
)
from consent.models import ConsentPurpose, ConsentRecord
from consent.selectors import (
    consent_matrix,
    current_memberships,
    current_notice_version,
    education_opt_out_in_force,
    family_consent_history,
    render_notice,
    work_may_start,
)
from fss.core.services import log_access
from retention.selectors import NoPolicyError


@login_not_required
@require_GET
def privacy_notice(request):
    """The current published notice, filled from settings and the retention policy; 503 until one exists."""
    version = current_notice_version()
    if version is not None:
        try:
            rendered = render_notice(version=version)
        except NoPolicyError:
            # Never show a notice with its retention promise missing.
            rendered = None
        if rendered is not None:
            return render(request, "consent/privacy_notice.html", {"notice": rendered})
    return render(request, "consent/privacy_notice_unavailable.html", status=503)


# --- Consent with a family (SPEC §5.1, §5.2): the matrix and history, one decision, a visit.


def _family_members(family, on):
    return [m.person for m in current_memberships(family=family, on=on).select_related("person")]


@require_GET
@never_cache
@permission_required("consent.view_consentrecord", raise_exception=True)
def family_consent(request, pk: int):
    """The family's consent matrix and every decision ever recorded, newest first."""
    family = get_family_for_user(request.user, pk)
    log_access(by=request.user, record=family, request=request, family_id=family.pk)
    today = timezone.localdate()
    return render(
        request,
        "consent/family_consent.html",
        {
            "family": family,
            "matrix": consent_matrix(family=family, on=today),
            "history": family_consent_history(family=family),
            "gate": work_may_start(family=family, on=today),
            "can_change": may_change(request.user, family)
            and request.user.has_perm("consent.add_consentrecord"),
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("consent.add_consentrecord", raise_exception=True)
def record_decision(request, pk: int):
    """Record one decision (given, refused or withdrawn), or correct an earlier one."""
    family = get_family_for_user(request.user, pk, for_change=True)
    today = timezone.localdate()
    members = _family_members(family, today)
    corrects = None
    if request.GET.get("corrects"):
        corrects = get_object_or_404(ConsentRecord, pk=request.GET["corrects"], family=family)
    initial = {"decided_on": today}
    if corrects is not None:
        initial.update(person=str(corrects.person_id), purpose=corrects.purpose_id)
    form = ConsentDecisionForm(
        request.POST or None,
        request.FILES or None,
        members=members,
        purposes=[p for p in ConsentPurpose.objects.all() if p.is_available_on(today)],
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        arguments = {
            "person": form.members[data["person"]],
            "family": family,
            "purpose": data["purpose"],
            "decided_by": form.members[data["decided_by"]],
            "capacity": data["capacity"],
            "method": data["method"],
            "decided_on": data["decided_on"],
            "evidence": data["evidence"],
            "child_is_competent": data["child_is_competent"],
            "note": data["note"],
            "by": request.user,
        }
        try:
            if data["decision"] == ConsentRecord.Decision.WITHDRAWN:
                withdrawal = services.withdraw_consent(**arguments)
            else:
                services.record_consent(
                    decision=data["decision"], review_on=data["review_on"], corrects=corrects, **arguments
                )
                withdrawal = None
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            open_case = family.cases.filter(status=Case.Status.OPEN).first()
            if withdrawal is not None and withdrawal.prompt_case_closure and open_case is not None:
                messages.warning(
                    request,
                    "Agreement to work with the service has been withdrawn. "
                    "Close the case with the reason “consent withdrawn” unless someone else still agrees.",
                )
                close_url = reverse("cases:case_close", args=[family.pk, open_case.pk])
                return redirect(f"{close_url}?reason={Case.ClosureReason.CONSENT_WITHDRAWN}")
            messages.success(request, "Decision recorded.")
            return redirect("consent:family_consent", pk=family.pk)
    title = "Correct a consent decision" if corrects else "Record a consent decision"
    return render(
        request,
        "cases/form_page.html",
        {"form": form, "title": title, "family": family, "caption": family.reference, "multipart": True},
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("consent.add_consentrecord", raise_exception=True)
def record_visit(request, pk: int):
    """Record several people's decisions from one home visit, all or nothing."""
    family = get_family_for_user(request.user, pk, for_change=True)
    today = timezone.localdate()
    members = _family_members(family, today)
    details = VisitDetailsForm(request.POST or None, initial={"decided_on": today})
    rows = [
        VisitPersonForm(request.POST or None, prefix=f"p{person.pk}", person=person, members=members)
        for person in members
    ]
    if request.method == "POST" and details.is_valid() and all(row.is_valid() for row in rows):
        by_id = {str(p.pk): p for p in members}
        recorded = 0
        try:
            with transaction.atomic():
                for row in rows:
                    for code, decision in row.decisions():
                        try:
                            services.record_consent(
                                person=row.person,
                                family=family,
                                purpose=code,
                                decision=decision,
                                decided_by=by_id[row.cleaned_data["decided_by"]],
                                capacity=row.cleaned_data["capacity"],
                                child_is_competent=row.cleaned_data["child_is_competent"],
                                method=details.cleaned_data["method"],
                                decided_on=details.cleaned_data["decided_on"],
                                review_on=details.cleaned_data["review_on"],
                                by=request.user,
                            )
                        except ValidationError as error:
                            apply_service_errors(row, error)
                            details.add_error(None, f"{row.person}: " + " ".join(error.messages))
                        else:
                            recorded += 1
                if any(row.errors for row in rows) or details.errors:
                    raise _VisitRefused
        except _VisitRefused:
            pass
        else:
            if recorded == 0:
                details.add_error(None, "Choose at least one decision to record")
            else:
                messages.success(request, f"{recorded} decision{'s' if recorded != 1 else ''} recorded.")
                return redirect("consent:family_consent", pk=family.pk)
    return render(
        request,
        "consent/record_visit.html",
        {"family": family, "details": details, "rows": rows, "purposes": VISIT_PURPOSES},
    )


class _VisitRefused(Exception):
    """Raised inside the visit's transaction so that no decision is saved when any is refused."""


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("consent.add_educationoptout", raise_exception=True)
def education_opt_out(request, pk: int, person_pk: int):
    """Start or end a person's education opt-out: only name, address and date of birth may then be shared."""
    family = get_family_for_user(request.user, pk, for_change=True)
    membership = get_object_or_404(family.memberships.select_related("person"), person_id=person_pk)
    person = membership.person
    today = timezone.localdate()
    in_force = education_opt_out_in_force(person=person, on=today)
    form = EducationOptOutForm(request.POST or None, initial={"from_date": today})
    if request.method == "POST" and form.is_valid():
        action = services.end_education_opt_out if in_force else services.record_education_opt_out
        try:
            action(person=person, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Opt-out ended." if in_force else "Opt-out recorded.")
            return redirect("cases:person_detail", pk=family.pk, person_pk=person.pk)
    title = "End the education opt-out" if in_force else "Record an education opt-out"
    intro = (
        "While the opt-out is in force only their name, address and date of birth may be shared "
        "(Education and Skills Act 2008)."
    )
    return render(
        request,
        "cases/form_page.html",
        {"form": form, "title": title, "family": family, "caption": str(person), "intro": intro},
    )
