"""The DPO console's pages (SPEC §1): the dashboard, its charts, and access reviews.

Thin: check the role, read through `console.selectors`, write through
`console.services`, render. Deny by default: the dashboard and charts are the
DPO's alone; access reviews are the DPO's and the system administrators'.
Every page is a read of personal data (requests, staff accounts) and goes in
the access log like any other access (SPEC §9).
"""

import contextlib
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cases import services as case_services
from cases.forms import apply_service_errors
from console import charts, exports, forms, selectors, services
from console.models import AccessReview
from fss.core import roles
from fss.core.models import AccessLogEntry, User
from fss.core.services import log_access
from retention import selectors as retention_selectors


class ConsolePage:
    """A console page as the access log records it: type "console.page", id the page's name.

    The dashboard and charts are read across many records at once; one line per
    page view says who looked, when and from where.
    """

    class _meta:  # noqa: N801 - stands in for a model's _meta, which log_access reads
        label_lower = "console.page"

    def __init__(self, name: str):
        self.pk = name


def _log_page(request, name: str, action=AccessLogEntry.Action.VIEW) -> None:
    log_access(by=request.user, record=ConsolePage(name), action=action, request=request)


def _roles_required(*allowed: str):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(request.user.has_role(role) for role in allowed):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


dpo_required = _roles_required(roles.DPO)
# The same people the admin site admits (fss.core.roles.ADMIN_SITE_ROLES).
access_reviewer_required = _roles_required(roles.DPO, roles.SYSTEM_ADMINISTRATOR)


# Where the DPO acts on each register: its list of open items (each item carries its own link).
_REGISTER_LINKS = {
    "sar": ("sar:request_list", ""),
    "rights": ("admin:sar_rightsrequest_changelist", "?state=open"),
    "foi": ("admin:sar_foirequest_changelist", "?state=open"),
    "complaint": ("admin:sar_complaint_changelist", "?state=open"),
}
OPEN_ITEMS_SHOWN = 20


@require_GET
@never_cache
@dpo_required
def dashboard(request):
    _log_page(request, "dashboard")
    data = selectors.dashboard()
    registers = [
        {
            "summary": summary,
            "url": reverse(_REGISTER_LINKS[summary.register][0]) + _REGISTER_LINKS[summary.register][1],
        }
        for summary in data.registers
    ]
    return render(
        request,
        "console/dashboard.html",
        {
            "dashboard": data,
            "registers": registers,
            # Overdue first, then due soonest: the order sar.selectors.requests_by_status_with_rag gives.
            "open_items": data.requests[:OPEN_ITEMS_SHOWN],
            "open_total": len(data.requests),
            "overdue_total": len(data.overdue),
        },
    )


def _chart_context(today):
    requests = selectors.requests_by_month(today=today)
    destructions = retention_selectors.retention_pipeline(today).destroyed_by_month
    disclosures = selectors.disclosures_by_category_and_basis(today=today)
    due_by_month = selectors.due_by_month(today=today)
    request_rows = [(f"{r.month:%b %Y}", [r.received, r.answered, r.answered_in_time]) for r in requests]
    return {
        "requests": requests,
        "requests_chart": charts.grouped_bar_chart(
            chart_id="requests",
            title="Requests received, and requests answered and answered in time, by month",
            series=["Received", "Answered", "Answered in time"],
            rows=request_rows,
        ),
        "destructions": destructions,
        "destructions_chart": charts.bar_chart(
            chart_id="destructions",
            title="Families destroyed each month",
            bars=[(f"{month:%b %Y}", n) for month, n in destructions],
            series="Families destroyed",
        ),
        "disclosures": disclosures,
        "disclosures_chart": charts.bar_chart(
            chart_id="disclosures",
            title="Sharing decisions sent out in the last 12 months, by partner category and lawful basis",
            bars=[(f"{cell.category}: {cell.basis}", cell.decisions) for cell in disclosures],
            series="Sharing decisions",
        ),
        "due_by_month": due_by_month,
        "pipeline_chart": charts.bar_chart(
            chart_id="pipeline",
            title="Families falling due for destruction, by month",
            bars=due_by_month,
            series="Families due",
        ),
    }


@require_GET
@never_cache
@dpo_required
def chart_page(request):
    _log_page(request, "charts")
    return render(request, "console/charts.html", _chart_context(timezone.localdate()))


@require_GET
@never_cache
@dpo_required
def chart_csv(request, chart: str):
    # A file leaves the case view: its figures go through disclosure control (console.exports).
    if chart not in exports.CHART_TABLES:
        raise Http404
    today = timezone.localdate()
    response = HttpResponse(exports.protected_csv(chart, today=today), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{chart}-{today:%Y-%m-%d}.csv"'
    _log_page(request, f"charts:{chart}.csv", action=AccessLogEntry.Action.EXPORT)
    return response


@require_http_methods(["GET", "POST"])
@never_cache
@access_reviewer_required
def access_review(request):
    days_form = forms.InactiveDaysForm(request.GET or None)
    days = days_form.cleaned_data["days"] if days_form.is_valid() else forms.DEFAULT_INACTIVE_DAYS
    if request.method == "POST":
        with contextlib.suppress(ValueError):
            days = max(1, min(3650, int(request.POST.get("inactive_after_days", days))))
    rows = selectors.staff_for_review(inactive_after_days=days)
    flagged = {row.user.pk for row in rows if row.flagged}
    form = forms.AccessReviewForm(
        request.POST if request.method == "POST" else None,
        reviewer=request.user,
        flagged=flagged,
        initial={"inactive_after_days": days},
    )
    if request.method == "POST" and form.is_valid():
        try:
            review = services.record_access_review(
                by=request.user,
                inactive_after_days=form.cleaned_data["inactive_after_days"],
                notes=form.cleaned_data["notes"],
                deactivate=form.cleaned_data["deactivate"],
                request=request,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "The access review is recorded.")
            return redirect("console:access_review_detail", pk=review.pk)
    _log_page(request, "access_review")
    return render(
        request,
        "console/access_review.html",
        {
            "rows": rows,
            "days": days,
            "days_form": days_form if days_form.is_bound else forms.InactiveDaysForm(initial={"days": days}),
            "form": form,
            "flagged_count": len(flagged),
            "reviews": AccessReview.objects.select_related("reviewed_by")[:20],
        },
    )


@require_GET
@never_cache
@access_reviewer_required
def access_review_detail(request, pk: int):
    review = get_object_or_404(AccessReview.objects.select_related("reviewed_by"), pk=pk)
    log_access(by=request.user, record=review, request=request)
    return render(
        request,
        "console/access_review_detail.html",
        {"review": review, "decisions": review.decisions.select_related("user")},
    )


@require_http_methods(["GET", "POST"])
@never_cache
@access_reviewer_required
def deactivate(request, pk: int):
    account = get_object_or_404(User, pk=pk, is_active=True)
    form = forms.DeactivateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.deactivate_account(user=account, by=request.user, request=request)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "The account is deactivated and signed out everywhere.")
            return redirect("console:access_review")
    log_access(by=request.user, record=account, request=request)
    return render(request, "console/deactivate.html", {"account": account, "form": form})


@require_GET
@never_cache
@dpo_required
def break_glass(request):
    _log_page(request, "break_glass")
    return render(
        request,
        "console/break_glass.html",
        {"to_review": selectors.break_glass_to_review(), "reviewed": selectors.break_glass_reviewed()},
    )


@require_http_methods(["GET", "POST"])
@never_cache
@dpo_required
def break_glass_review(request, pk: int):
    access = get_object_or_404(selectors.break_glass_to_review(), pk=pk)
    form = forms.BreakGlassReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            case_services.review_break_glass(
                access=access, note=form.cleaned_data["note"], by=request.user, request=request
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Your review is recorded.")
            return redirect("console:break_glass")
    log_access(by=request.user, record=access, request=request, family_id=access.family_id)
    return render(request, "console/break_glass_review.html", {"access": access, "form": form})
