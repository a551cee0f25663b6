"""The statistics pages (SPEC §6.4): group-level figures only, for the performance analyst and the DPO.

Nothing here reads or shows an identifiable record: the figures come from
`sharing.statistics.selectors` after disclosure control, so no page is
access-logged as a read of a person. The DPO also keeps the disclosure-control
policy here.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cases.forms import apply_service_errors
from cases.models import ProgrammeFramework
from sharing.statistics import charts, forms, selectors, services
from sharing.statistics.disclosure_control import SYMBOLS
from sharing.statistics.models import DisclosureControlPolicy


def _current_framework() -> ProgrammeFramework:
    return ProgrammeFramework.objects.filter(effective_to__isnull=True).order_by("-effective_from").first()


@require_GET
@never_cache
@permission_required("sharing.view_statistics", raise_exception=True)
def statistics(request):
    framework = _current_framework()
    today = timezone.localdate()
    # Default: the last full financial year whose families can all be judged (6 months after its end).
    default_year = selectors.financial_year_of(today) - 1
    form = forms.StatisticsFilterForm(
        request.GET or None,
        framework=framework,
        initial={"year": default_year, "focus": "crime"},
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
    else:
        data = {"year": default_year, "quarter": None, "team": None, "focus": "crime"}
    figures = selectors.outcome_statistics(
        period=selectors.Period(data["year"], data["quarter"]),
        team=data["team"],
        framework=framework,
        focus_code=data["focus"],
        as_at=today,
    )
    bars = [(rate.label, rate.rate) for rate in figures.rates]
    title = f"Share of families whose need improved and stayed improved, {figures.period.label}"
    chart = charts.bar_chart(
        chart_id="outcome-rates", title=title, description=charts.describe(bars), bars=bars
    )
    return render(
        request,
        "sharing/statistics/index.html",
        {"form": form, "figures": figures, "chart": chart, "chart_title": title, "symbols": SYMBOLS},
    )


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required("sharing.add_disclosurecontrolpolicy", raise_exception=True)
def disclosure_policy(request):
    current = DisclosureControlPolicy.objects.in_force()
    initial = {"effective_from": timezone.localdate(), "secondary_suppression": True}
    if current is not None:
        initial |= {
            name: getattr(current, name)
            for name in ("suppress_from", "suppress_to", "round_to", "min_denominator")
        }
        initial["secondary_suppression"] = current.secondary_suppression
    form = forms.DisclosurePolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            policy = services.publish_disclosure_policy(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Version {policy.version} is saved.")
            return redirect("sharing:disclosure_policy")
    return render(
        request,
        "sharing/statistics/policy.html",
        {
            "form": form,
            "current": current,
            "versions": DisclosureControlPolicy.objects.select_related("created_by").order_by("-version"),
        },
    )
