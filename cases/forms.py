"""Caseworker forms in GOV.UK Design System markup (crispy-forms-gds).

Forms only parse and check the shape of input; the rules live in
`cases.services`, whose ValidationErrors are put back on the form next to the
field they concern (`apply_service_errors`).
"""

from datetime import date

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator

from cases.identifiers import (
    normalise_nhs_number,
    normalise_ni_number,
    normalise_upn,
    validate_nhs_number,
    validate_ni_number,
    validate_upn,
)
from cases.models import (
    ETHNICITY_CHOICES,
    GENDER_CHOICES,
    RELIGION_CHOICES,
    Case,
    CaseNote,
    Membership,
    Referral,
)
from cases.models.records import DOCUMENT_EXTENSIONS, Document, validate_document_size
from cases.search_keys import validate_postcode


class GovukDateField(DateInputField):
    """A GOV.UK date input whose messages name the field and say what to fix.

    crispy-forms-gds passes Python's own error ("day is out of range for month")
    through; the Design System asks for "<Label> must be a real date".
    """

    def __init__(self, *, label: str, **kwargs):
        super().__init__(label=label, require_all_fields=False, **kwargs)
        lower = f"{label[0].lower()}{label[1:]}"
        self.error_messages["required"] = f"Enter {lower}"
        self.error_messages["incomplete"] = f"{label} must include a day, month and year"
        self.error_messages["invalid"] = f"{label} must be a real date"
        self.error_messages["year"] = f"{label}: the year must include 4 numbers"

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        if len(str(year)) != 4:
            raise ValidationError(self.error_messages["year"], code="year")
        try:
            return date(day=int(day), month=int(month), year=int(year))
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


def date_field(
    label: str, *, required: bool = True, help_text: str = "For example, 27 3 2026"
) -> DateInputField:
    return GovukDateField(label=label, required=required, help_text=help_text)


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: beside its field, or at the top."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class GovukForm(forms.Form):
    """A form rendered with the GOV.UK Design System; subclasses list their layout."""

    submit_label = "Continue"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page template owns the <form> and its CSRF token
        self.helper.layout = Layout(*self.layout_fields(), Submit("submit", self.submit_label))

    def layout_fields(self):
        return [Field(name) for name in self.fields]


class ReferralForm(GovukForm):
    submit_label = "Save referral"

    received_on = date_field("Date the referral was received")
    source = forms.ChoiceField(
        label="Who made the referral?", choices=Referral.Source.choices, widget=forms.RadioSelect
    )
    source_team = forms.CharField(
        label="Referring team (for a step-down from social care)", required=False, max_length=200
    )
    reason = forms.CharField(label="Reason for the referral", widget=forms.Textarea)
    referrer_name = forms.CharField(label="Referrer's name", required=False, max_length=200)
    referrer_contact = forms.CharField(label="Referrer's phone or email", required=False, max_length=200)
    line_1 = forms.CharField(label="Address line 1", max_length=200)
    line_2 = forms.CharField(label="Address line 2 (optional)", required=False, max_length=200)
    town = forms.CharField(label="Town or city", max_length=100)
    postcode = forms.CharField(label="Postcode", max_length=10, validators=[validate_postcode])

    def layout_fields(self):
        return [
            Fieldset(
                Field("received_on"),
                Field.radios("source", legend_size=Size.SMALL),
                Field.text("source_team"),
                Field.textarea("reason"),
                Field.text("referrer_name"),
                Field.text("referrer_contact"),
                legend="Referral",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.text("line_1"),
                Field.text("line_2"),
                Field.text("town", field_width=20),
                Field.text("postcode", field_width=10),
                legend="Family's address",
                legend_size=Size.MEDIUM,
            ),
        ]


class MemberForm(GovukForm):
    submit_label = "Add to family"

    given_name = forms.CharField(label="First name", max_length=100)
    family_name = forms.CharField(label="Last name", max_length=100)
    preferred_name = forms.CharField(label="Preferred name (optional)", required=False, max_length=100)
    other_names = forms.CharField(
        label="Previous or other names (optional)",
        required=False,
        max_length=300,
        help_text="Separate names with commas.",
    )
    date_of_birth = date_field("Date of birth", required=False)
    expected_date_of_birth = date_field(
        "Expected date of birth (for an unborn child)", required=False, help_text="For example, 27 3 2027"
    )
    role = forms.ChoiceField(
        label="Role in the family", choices=Membership.Role.choices, widget=forms.RadioSelect
    )
    has_parental_responsibility = forms.BooleanField(
        label="Holds parental responsibility for the children in this family", required=False
    )
    has_send = forms.BooleanField(label="Has a special educational need or disability", required=False)
    has_ehc_plan = forms.BooleanField(label="Has an education, health and care plan", required=False)
    start_date = date_field("Date they joined the household")
    # Set after the duplicate check has shown possible matches and the worker chose.
    confirm_new_person = forms.BooleanField(
        label="None of these is the same person: create a new record", required=False
    )

    def layout_fields(self):
        return [
            Field.text("given_name", field_width=20),
            Field.text("family_name", field_width=20),
            Field.text("preferred_name", field_width=20),
            Field.text("other_names"),
            Field("date_of_birth"),
            Field("expected_date_of_birth"),
            Field.radios("role", legend_size=Size.SMALL),
            Field.checkbox("has_parental_responsibility"),
            Field.checkbox("has_send"),
            Field.checkbox("has_ehc_plan"),
            Field("start_date"),
        ]

    def clean(self):
        data = super().clean()
        if data.get("date_of_birth") and data.get("expected_date_of_birth"):
            self.add_error(
                "expected_date_of_birth", "Give a date of birth or an expected date of birth, not both"
            )
        return data

    def person_fields(self) -> dict:
        names = ["given_name", "family_name", "preferred_name", "other_names", "date_of_birth"]
        names += ["expected_date_of_birth", "has_send", "has_ehc_plan"]
        return {name: self.cleaned_data[name] for name in names}


class DecideReferralForm(GovukForm):
    submit_label = "Save decision"

    decision = forms.ChoiceField(
        label="Decision",
        choices=[c for c in Referral.Decision.choices if c[0]],
        widget=forms.RadioSelect,
    )
    decided_on = date_field("Date of the decision")
    reason = forms.CharField(
        label="Reason or receiving team (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For a step-up, name the social care team receiving the family.",
    )
    eligibility_exception_reason = forms.CharField(
        label="Exception to the age rule (team managers only)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only if the family does not meet the age rule and you accept it anyway: say why.",
    )

    def layout_fields(self):
        return [
            Field.radios("decision", legend_size=Size.MEDIUM, legend_tag="h2"),
            Field("decided_on"),
            Field.textarea("reason"),
            Field.textarea("eligibility_exception_reason"),
        ]


class CloseCaseForm(GovukForm):
    submit_label = "Close case"

    closed_on = date_field("Date the case closed")
    reason = forms.ChoiceField(
        label="Why is the case closing?", choices=Case.ClosureReason.choices, widget=forms.RadioSelect
    )
    receiving_team = forms.CharField(
        label="Receiving social care team (for a step-up)", required=False, max_length=200
    )
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def layout_fields(self):
        return [
            Field("closed_on"),
            Field.radios("reason", legend_size=Size.MEDIUM, legend_tag="h2"),
            Field.text("receiving_team"),
            Field.textarea("note"),
        ]


class ReopenCaseForm(GovukForm):
    submit_label = "Reopen case"

    reopened_on = date_field("Date the case reopened")
    note = forms.CharField(label="Why is it reopening?", widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(GovukForm):
    submit_label = "Save note"

    kind = forms.ChoiceField(label="Type of contact", choices=CaseNote.Kind.choices, widget=forms.RadioSelect)
    occurred_on = date_field("Date of the contact")
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 8}))
    is_opinion = forms.BooleanField(
        label="This note includes professional opinion, not only facts", required=False
    )
    is_sensitive = forms.BooleanField(
        label="Sensitive: show only to people working with the family", required=False
    )
    people_present = forms.TypedMultipleChoiceField(
        label="Who was present?", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    people_mentioned = forms.TypedMultipleChoiceField(
        label="Who is mentioned?", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(person.pk, str(person)) for person in members]
        self.fields["people_present"].choices = choices
        self.fields["people_mentioned"].choices = choices

    def layout_fields(self):
        return [
            Field.radios("kind", legend_size=Size.SMALL),
            Field("occurred_on"),
            Field.textarea("text"),
            Field.checkbox("is_opinion"),
            Field.checkbox("is_sensitive"),
            Field.checkboxes("people_present", legend_size=Size.SMALL),
            Field.checkboxes("people_mentioned", legend_size=Size.SMALL),
        ]


class BreakGlassForm(GovukForm):
    submit_label = "Open the family record"

    reference = forms.CharField(
        label="Family reference", max_length=20, help_text="For example, FSS-7K3M-9QX2"
    )
    reason = forms.CharField(
        label="Why do you need to see this family now?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "Your reason, your name and the time are recorded and reviewed by the Data Protection Officer."
        ),
    )


class SearchForm(forms.Form):
    name = forms.CharField(label="Name", required=False, max_length=200)
    date_of_birth = forms.DateField(
        label="Date of birth", required=False, help_text="For example, 27/03/2016", input_formats=["%d/%m/%Y"]
    )
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    reference = forms.CharField(label="Family reference", required=False, max_length=20)

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(name) for name in self.fields):
            raise ValidationError("Enter a name, date of birth, postcode or family reference")
        return data


def _compact(value: str, normalise) -> str:
    return normalise(value) if value else ""


class PersonDetailsForm(GovukForm):
    """A person's details. Special category questions appear only for holders of the permission."""

    submit_label = "Save details"
    SPECIAL = ("gender", "ethnicity", "religion", "send_details")

    given_name = forms.CharField(label="First name", max_length=100)
    family_name = forms.CharField(label="Last name", max_length=100)
    preferred_name = forms.CharField(label="Preferred name (optional)", required=False, max_length=100)
    other_names = forms.CharField(
        label="Previous or other names (optional)",
        required=False,
        max_length=300,
        help_text="Separate names with commas.",
    )
    date_of_birth = date_field("Date of birth", required=False)
    first_language = forms.CharField(label="First language (optional)", required=False, max_length=100)
    phone = forms.CharField(label="Phone (optional)", required=False, max_length=30)
    email = forms.EmailField(label="Email (optional)", required=False)
    upn = forms.CharField(
        label="Unique pupil number (optional)", required=False, max_length=20, validators=[validate_upn]
    )
    nhs_number = forms.CharField(
        label="NHS number (optional)", required=False, max_length=20, validators=[validate_nhs_number]
    )
    ni_number = forms.CharField(
        label="National Insurance number (optional)",
        required=False,
        max_length=20,
        validators=[validate_ni_number],
    )
    has_send = forms.BooleanField(label="Has a special educational need or disability", required=False)
    has_ehc_plan = forms.BooleanField(label="Has an education, health and care plan", required=False)
    gender = forms.ChoiceField(label="Gender", choices=GENDER_CHOICES)
    ethnicity = forms.ChoiceField(
        label="Ethnic group", choices=ETHNICITY_CHOICES, help_text="Used only for equality monitoring."
    )
    religion = forms.ChoiceField(
        label="Religion or belief", choices=RELIGION_CHOICES, help_text="Used only for equality monitoring."
    )
    send_details = forms.CharField(
        label="SEND and health details (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, show_special_category: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_special_category:
            for name in self.SPECIAL:
                del self.fields[name]
            self.helper.layout = Layout(*self.layout_fields(), Submit("submit", self.submit_label))

    # Stored compact (no spaces), as the model keeps them; shown formatted on the person page.
    def clean_upn(self):
        return normalise_upn(self.cleaned_data["upn"]) if self.cleaned_data["upn"] else ""

    def clean_nhs_number(self):
        return (
            normalise_nhs_number(self.cleaned_data["nhs_number"]) if self.cleaned_data["nhs_number"] else ""
        )

    def clean_ni_number(self):
        return normalise_ni_number(self.cleaned_data["ni_number"]) if self.cleaned_data["ni_number"] else ""

    def layout_fields(self):
        fields = []
        for name in self.fields:
            if name in ("has_send", "has_ehc_plan"):
                fields.append(Field.checkbox(name))
            elif name in ("gender", "ethnicity", "religion"):
                fields.append(Field.select(name))
            elif name == "send_details":
                fields.append(Field.textarea(name, rows=4))
            elif name == "date_of_birth":
                fields.append(Field(name))
            else:
                fields.append(Field.text(name))
        return fields


class DocumentForm(GovukForm):
    submit_label = "Upload"

    kind = forms.ChoiceField(label="Type of document", choices=Document.Kind.choices)
    title = forms.CharField(
        label="Title", max_length=200, help_text="For example, Signed consent form, March"
    )
    file = forms.FileField(
        label="File",
        help_text="PDF, Word, OpenDocument, text, spreadsheet or image; smaller than 10 MB.",
        validators=[FileExtensionValidator(DOCUMENT_EXTENSIONS), validate_document_size],
    )
    person = forms.TypedChoiceField(
        label="About one person (optional)", required=False, coerce=int, empty_value=None
    )
    is_sensitive = forms.BooleanField(label="Sensitive", required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "The whole family")] + [(p.pk, str(p)) for p in members]

    def layout_fields(self):
        return [
            Field.select("kind"),
            Field.text("title"),
            Field("file"),
            Field.select("person"),
            Field.checkbox("is_sensitive"),
        ]


class PaperRecordForm(GovukForm):
    submit_label = "Save location"

    location = forms.CharField(
        label="Where are the paper files kept?", max_length=200, help_text="Building and room or store"
    )
    box_or_barcode = forms.CharField(label="Box number or barcode (optional)", required=False, max_length=100)
    description = forms.CharField(label="What is in them (optional)", required=False, max_length=300)
