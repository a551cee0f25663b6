"""Forms for the statistics pages: the figures' filters, and a new version of the disclosure-control
policy (the DPO's). Both in GOV.UK Design System markup like `cases.forms`."""

from crispy_forms_gds.layout import Field
from django import forms
from django.utils import timezone

from cases.forms import GovukForm, date_field
from cases.models import HeadlineOutcome, ProgrammeFramework
from fss.core.models import Team
from sharing.statistics.selectors import QUARTER_NAMES, financial_year_label, financial_year_of

FIRST_YEAR = 2015  # the national programme's 2015 phase, the earliest framework held


class StatisticsFilterForm(GovukForm):
    """What the figures cover; read from the query string (GET)."""

    submit_label = "Show figures"

    year = forms.TypedChoiceField(label="Financial year (support ended)", coerce=int)
    quarter = forms.TypedChoiceField(
        label="Quarter",
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", "The whole year"), *QUARTER_NAMES.items()],
    )
    team = forms.ModelChoiceField(
        label="Team", queryset=Team.objects.filter(is_active=True), required=False, empty_label="Every team"
    )
    focus = forms.ChoiceField(label="Headline outcome to follow by team and quarter")

    def __init__(self, *args, framework: ProgrammeFramework, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = financial_year_of(timezone.localdate())
        self.fields["year"].choices = [
            (y, financial_year_label(y)) for y in range(this_year, FIRST_YEAR - 1, -1)
        ]
        self.fields["focus"].choices = [
            (o.code, o.title) for o in HeadlineOutcome.objects.filter(framework=framework).order_by("order")
        ]

    def layout_fields(self):
        return [Field.select("year"), Field.select("quarter"), Field.select("team"), Field.select("focus")]


class DisclosurePolicyForm(GovukForm):
    """A new version of the disclosure-control policy (domain-rules §9: a policy, editable)."""

    submit_label = "Save the new version"

    effective_from = date_field("In force from")
    suppress_from = forms.IntegerField(label="Smallest count shown as c", min_value=1)
    suppress_to = forms.IntegerField(label="Largest count shown as c", min_value=1)
    round_to = forms.IntegerField(label="Round other counts to the nearest", min_value=1)
    min_denominator = forms.IntegerField(label="No percentage out of fewer than", min_value=1)
    secondary_suppression = forms.BooleanField(
        label="Suppress further cells so a suppressed one cannot be worked out from totals", required=False
    )
    reason_for_change = forms.CharField(label="Why is it changing?", widget=forms.Textarea)

    def layout_fields(self):
        return [
            Field("effective_from"),
            Field.text("suppress_from", field_width=4),
            Field.text("suppress_to", field_width=4),
            Field.text("round_to", field_width=4),
            Field.text("min_denominator", field_width=4),
            Field.checkbox("secondary_suppression"),
            Field.textarea("reason_for_change"),
        ]
