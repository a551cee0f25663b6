"""Forms for participation records and returns, in GOV.UK Design System markup like `cases.forms`.

Forms only parse input; the rules are in `sharing.returns.services`, whose
ValidationErrors go back beside the field they concern.
"""

from crispy_forms_gds.layout import Field
from django import forms
from django.utils import timezone

from cases.forms import GovukForm, date_field
from sharing.models import Organisation, TransferMethod
from sharing.returns import selectors
from sharing.returns.files import FORMATS
from sharing.returns.models import (
    NOT_KNOWN_CODE,
    ActivityRecord,
    ContactAttempt,
    ResearchProject,
    ReturnKind,
    SeptemberGuaranteeOffer,
)


class ActivityForm(GovukForm):
    submit_label = "Save activity"

    code = forms.ChoiceField(label="What is the young person doing?")
    confirmed_on = date_field("Date confirmed")
    review_on = date_field(
        "Review date (optional)",
        required=False,
        help_text="Leave empty to use the usual review period for the activity. For example, 27 3 2027",
    )
    source = forms.ChoiceField(
        label="Who confirmed it?", choices=ActivityRecord.Source.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        on = timezone.localdate()
        self.fields["code"].choices = [("", "Choose an activity")] + [
            (c.code, f"{c.code} {c.label} ({c.get_group_display().lower()})")
            for c in selectors.activity_codes_in_force(on)
            if c.code != NOT_KNOWN_CODE
        ]

    def layout_fields(self):
        return [Field.select("code"), Field("confirmed_on"), Field("review_on"), Field.radios("source")]


class ContactAttemptForm(GovukForm):
    submit_label = "Save contact attempt"

    on = date_field("Date of the attempt")
    method = forms.ChoiceField(label="How?", choices=ContactAttempt.Method.choices, widget=forms.RadioSelect)
    result = forms.ChoiceField(
        label="What happened?", choices=ContactAttempt.Result.choices, widget=forms.RadioSelect
    )

    def layout_fields(self):
        return [Field("on"), Field.radios("method"), Field.radios("result")]


class SeptemberOfferForm(GovukForm):
    submit_label = "Save offer"

    academic_year = forms.TypedChoiceField(label="Academic year starting in September", coerce=int)
    offer = forms.ChoiceField(
        label="What was offered?", choices=SeptemberGuaranteeOffer.Offer.choices, widget=forms.RadioSelect
    )
    recorded_on = date_field("Date of the offer")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        year = selectors.academic_year_start(timezone.localdate())
        # The guarantee is for the September coming (or just begun).
        upcoming = year + 1 if timezone.localdate().month < 9 else year
        self.fields["academic_year"].choices = [(y, f"{y} to {y + 1}") for y in (upcoming, upcoming - 1)]

    def layout_fields(self):
        return [Field.radios("academic_year"), Field.radios("offer"), Field("recorded_on")]


class OrganisationField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.category.label})"


class RunReturnForm(GovukForm):
    submit_label = "Run the return"

    kind = forms.ChoiceField(label="Which return?", choices=ReturnKind.choices, widget=forms.RadioSelect)
    period_start = date_field(
        "Start of the period",
        help_text="A calendar month for the monthly extract, 1 to 30 September for the September Guarantee, "
        "1 November for the activity survey, a financial quarter for the progress summary. "
        "For example, 1 4 2026",
    )
    period_end = date_field("End of the period")
    recipient = OrganisationField(
        label="Who receives it?",
        queryset=Organisation.objects.none(),
        empty_label="Choose an organisation",
    )
    research_project = forms.ModelChoiceField(
        label="Research project (ONS extract only)",
        queryset=ResearchProject.objects.select_related("recipient"),
        required=False,
        empty_label="Not a research extract",
    )
    supersede = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        categories = {code for fmt in FORMATS.values() for code in fmt.recipient_categories}
        self.fields["recipient"].queryset = (
            Organisation.objects.filter(is_active=True, category__code__in=categories)
            .select_related("category")
            .order_by("name")
        )

    def layout_fields(self):
        return [
            Field.radios("kind"),
            Field("period_start"),
            Field("period_end"),
            Field.select("recipient"),
            Field.select("research_project"),
            Field("supersede"),
        ]


class TransferSentForm(GovukForm):
    submit_label = "Record as sent"

    sent_on = date_field("Date sent")
    method = forms.ChoiceField(
        label="How was it sent?", choices=TransferMethod.choices, widget=forms.RadioSelect
    )

    def layout_fields(self):
        return [Field("sent_on"), Field.radios("method")]


class DestructionConfirmedForm(GovukForm):
    submit_label = "Record the confirmation"

    confirmed_on = date_field("Date the recipient confirmed destruction")
    evidence = forms.CharField(
        label="How did they confirm it?",
        max_length=300,
        help_text="For example the reference of their certificate of destruction.",
    )

    def layout_fields(self):
        return [Field("confirmed_on"), Field.text("evidence")]


class ResearchProjectForm(GovukForm):
    submit_label = "Save research project"

    reference = forms.CharField(label="Reference", max_length=50)
    title = forms.CharField(label="Title", max_length=200)
    description = forms.CharField(label="What the research is for", widget=forms.Textarea, required=False)
    recipient = OrganisationField(label="Recipient", queryset=Organisation.objects.none())
    starts_on = date_field("Start date")
    ends_on = date_field("End date")
    destruction_confirmation_due_on = date_field("Destruction to be confirmed by")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = Organisation.objects.filter(category__code="ons").select_related(
            "category"
        )

    def layout_fields(self):
        return [
            Field.text("reference", field_width=20),
            Field.text("title"),
            Field.textarea("description"),
            Field.select("recipient"),
            Field("starts_on"),
            Field("ends_on"),
            Field("destruction_confirmation_due_on"),
        ]
