"""Forms for importing external data and merging person records (GOV.UK Design System)."""

from crispy_forms_gds.layout import Field
from django import forms
from django.core.validators import FileExtensionValidator
from django.utils import timezone

from cases.forms import GovukForm, date_field
from cases.imports import MAX_BYTES
from cases.models import ExternalDataKind


class ImportUploadForm(GovukForm):
    submit_label = "Upload and check"

    file = forms.FileField(
        label="File",
        help_text=(
            "CSV or XLSX, smaller than 5 MB. Columns: upn, or given_name, family_name, date_of_birth "
            "and postcode; then period_start, measure and value (optional: kind, period_end)."
        ),
        validators=[FileExtensionValidator(["csv", "xlsx"], message="The file must be a CSV or XLSX file.")],
        error_messages={"required": "Choose a file to upload", "empty": "The file is empty."},
    )
    kind = forms.ChoiceField(
        label="Kind of data",
        choices=ExternalDataKind.choices,
        help_text="Used for rows without a kind column",
        error_messages={"required": "Choose the kind of data"},
    )
    source_organisation = forms.CharField(
        label="Which organisation sent it?",
        max_length=200,
        help_text="For example, Education Service or Youth Justice Service",
        error_messages={"required": "Enter the organisation that sent the data"},
    )
    received_on = date_field("Date received")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file must be smaller than {MAX_BYTES // (1024 * 1024)} MB.")
        return upload

    def clean_received_on(self):
        value = self.cleaned_data["received_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("Date received must be today or in the past")
        return value

    def layout_fields(self):
        return [
            Field("file"),
            Field.select("kind"),
            Field.text("source_organisation"),
            Field("received_on"),
        ]


class MergeForm(GovukForm):
    submit_label = "Check the merge"

    other = forms.TypedChoiceField(
        label="Which record is the same person?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the record to merge into this one"},
    )
    reason = forms.CharField(
        label="Why are these the same person?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="For example, the same name, date of birth and address; confirmed with the school",
        error_messages={"required": "Say why these records are the same person"},
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].choices = [
            (
                p.pk,
                f"{p}"
                + (f", born {p.date_of_birth:%d %B %Y}" if p.date_of_birth else "")
                + f" (record {p.pk})",
            )
            for p in candidates
        ]

    def layout_fields(self):
        return [Field.radios("other"), Field.textarea("reason")]
