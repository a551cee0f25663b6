"""Forms for recording what families agreed to (SPEC §5). The rules live in consent.services."""

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from cases.forms import GovukForm, date_field
from consent.models import ConsentPurpose, ConsentRecord

NOT_DISCUSSED = ""
VISIT_PURPOSES = (ConsentPurpose.Kind.SERVICE, ConsentPurpose.Kind.RECORD, ConsentPurpose.Kind.PROGRAMME)


def _people_choices(members):
    return [(str(person.pk), str(person)) for person in members]


class ConsentDecisionForm(GovukForm):
    """One decision by or for one person, for one purpose: given, refused or withdrawn."""

    submit_label = "Save decision"

    person = forms.ChoiceField(label="Whose consent is this?", widget=forms.RadioSelect)
    purpose = forms.ChoiceField(label="What is it for?")
    decision = forms.ChoiceField(
        label="Decision", choices=ConsentRecord.Decision.choices, widget=forms.RadioSelect
    )
    decided_by = forms.ChoiceField(label="Who decided?")
    capacity = forms.ChoiceField(
        label="In what capacity?", choices=ConsentRecord.Capacity.choices, widget=forms.RadioSelect
    )
    child_is_competent = forms.BooleanField(
        label="The child is competent to decide for themselves (under 16)", required=False
    )
    method = forms.ChoiceField(
        label="How was it given?", choices=ConsentRecord.Method.choices, widget=forms.RadioSelect
    )
    decided_on = date_field("Date of the decision")
    review_on = date_field("Review date (optional)", required=False, help_text="For example, 27 3 2027")
    evidence = forms.FileField(
        label="Evidence (optional)", required=False, help_text="A signed form: PDF, image or Word document."
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed for a correction or a legal representative: say why.",
    )

    def __init__(self, *args, members=(), purposes=(), **kwargs):
        super().__init__(*args, **kwargs)
        people = _people_choices(members)
        self.fields["person"].choices = people
        self.fields["decided_by"].choices = people
        self.fields["purpose"].choices = [(p.code, str(p)) for p in purposes]
        self.members = {str(p.pk): p for p in members}

    def layout_fields(self):
        return [
            Field.radios("person", legend_size=Size.SMALL),
            Field.select("purpose"),
            Field.radios("decision", legend_size=Size.SMALL, inline=True),
            Field.select("decided_by"),
            Field.radios("capacity", legend_size=Size.SMALL),
            Field.checkbox("child_is_competent"),
            Field.radios("method", legend_size=Size.SMALL, inline=True),
            Field("decided_on"),
            Field("review_on"),
            Field("evidence"),
            Field.textarea("note", rows=3),
        ]


class VisitDetailsForm(GovukForm):
    """What the decisions recorded at one visit share: the date and how they were given."""

    submit_label = "Save decisions"

    decided_on = date_field("Date of the visit")
    method = forms.ChoiceField(
        label="How were the decisions given?", choices=ConsentRecord.Method.choices, widget=forms.RadioSelect
    )
    review_on = date_field("Review date (optional)", required=False, help_text="For example, 27 3 2027")

    def layout_fields(self):
        return [
            Field("decided_on"),
            Field.radios("method", legend_size=Size.SMALL, inline=True),
            Field("review_on"),
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No button of its own: the page's one "Save decisions" comes after every person's decisions.
        self.helper.layout = Layout(*self.layout_fields())


class VisitPersonForm(forms.Form):
    """One person's decisions at a visit: the agreements to work and to record, and the programme."""

    service = forms.ChoiceField(required=False)
    record = forms.ChoiceField(required=False)
    programme = forms.ChoiceField(required=False)
    decided_by = forms.ChoiceField(label="Decided by")
    capacity = forms.ChoiceField(label="Capacity", choices=ConsentRecord.Capacity.choices)
    child_is_competent = forms.BooleanField(label="Competent to decide", required=False)

    def __init__(self, *args, person, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        choices = [(NOT_DISCUSSED, "Not discussed"), ("given", "Given"), ("refused", "Refused")]
        for code in VISIT_PURPOSES:
            self.fields[code].choices = choices
        self.fields["decided_by"].choices = _people_choices(members)
        self.fields["decided_by"].initial = str(person.pk)

    def decisions(self) -> list[tuple[str, str]]:
        return [(code, self.cleaned_data[code]) for code in VISIT_PURPOSES if self.cleaned_data.get(code)]


class EducationOptOutForm(GovukForm):
    """Start or end the Education and Skills Act 2008 opt-out (domain-rules §5)."""

    submit_label = "Save"

    from_date = date_field("From")
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def layout_fields(self):
        return [Field("from_date"), Field.textarea("note", rows=3)]
