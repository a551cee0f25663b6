"""The DPO's forms for answering a subject access request, in GOV.UK Design System markup.

Forms check the shape of input; the rules are in `sar.services`, whose
ValidationErrors are shown next to the field they concern.
"""

from crispy_forms_gds.layout import HTML, Field, Size
from django import forms

from cases.forms import GovukForm, date_field
from fss.core import roles
from fss.core.models import User
from sar.models import Ground, Redaction, RedactionDecision, SarSearchTask, SubjectAccessRequest

GROUND_CHOICES = [("", "Choose a ground"), *Ground.choices]


class RedactionDecisionsForm(forms.Form):
    """One decision (and, to withhold, a ground) per proposed redaction of an item.

    Rendered by hand in the review template (the choices sit beside the highlighted text).
    """

    def __init__(self, *args, redactions: list[Redaction], **kwargs):
        super().__init__(*args, **kwargs)
        self.redactions = redactions
        for r in redactions:
            latest = getattr(r, "latest", None)
            self.fields[f"decision_{r.pk}"] = forms.ChoiceField(
                label=f"Decision on {r.text or 'the whole record'}",
                choices=RedactionDecision.Decision.choices,
                required=False,
                widget=forms.RadioSelect,
                initial=latest.decision if latest else "",
            )
            self.fields[f"ground_{r.pk}"] = forms.ChoiceField(
                label="Ground for withholding",
                choices=GROUND_CHOICES,
                required=False,
                initial=latest.ground if latest else "",
            )

    def clean(self):
        data = super().clean()
        for r in self.redactions:
            if data.get(f"decision_{r.pk}") == RedactionDecision.Decision.WITHHOLD and not data.get(
                f"ground_{r.pk}"
            ):
                self.add_error(f"ground_{r.pk}", "Choose the ground for withholding it")
        return data

    def rows(self):
        """(redaction, decision field, ground field) for the template."""
        return [(r, self[f"decision_{r.pk}"], self[f"ground_{r.pk}"]) for r in self.redactions]

    def changed_choices(self) -> dict[int, tuple[str, str]]:
        """Decisions that differ from the latest one: only those become new rows in the log."""
        changed = {}
        for r in self.redactions:
            decision = self.cleaned_data.get(f"decision_{r.pk}") or ""
            ground = self.cleaned_data.get(f"ground_{r.pk}") or ""
            if not decision:
                continue
            if decision == RedactionDecision.Decision.DISCLOSE:
                ground = ""
            latest = getattr(r, "latest", None)
            if latest is None or (latest.decision, latest.ground) != (decision, ground):
                changed[r.pk] = (decision, ground)
        return changed


class ManualRedactionForm(GovukForm):
    submit_label = "Withhold it"

    text = forms.CharField(
        label="Text to withhold",
        required=False,
        max_length=500,
        help_text="Copy it exactly as it appears in this record. Every place it appears is withheld.",
    )
    whole_item = forms.BooleanField(label="Withhold the whole record", required=False)
    ground = forms.ChoiceField(label="Ground for withholding", choices=GROUND_CHOICES)
    note = forms.CharField(
        label="Note for the redaction log (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def layout_fields(self):
        return [
            Field.text("text"),
            Field.checkbox("whole_item"),
            Field.select("ground"),
            Field.textarea("note"),
        ]

    def clean(self):
        data = super().clean()
        if not data.get("whole_item") and not (data.get("text") or "").strip():
            self.add_error("text", "Enter the text to withhold, or choose to withhold the whole record")
        return data


class BulkDecisionForm(GovukForm):
    submit_label = "Decide them all"

    text = forms.CharField(widget=forms.HiddenInput, max_length=500)
    decision = forms.ChoiceField(
        label="Decision for every undecided place this name appears",
        choices=RedactionDecision.Decision.choices,
        widget=forms.RadioSelect,
    )
    ground = forms.ChoiceField(label="Ground for withholding", choices=GROUND_CHOICES, required=False)

    def layout_fields(self):
        return [Field("text"), Field.radios("decision"), Field.select("ground")]

    def clean(self):
        data = super().clean()
        if data.get("decision") == RedactionDecision.Decision.WITHHOLD and not data.get("ground"):
            self.add_error("ground", "Choose the ground for withholding")
        return data


class SignOffForm(GovukForm):
    submit_label = "Sign off"

    statement = forms.CharField(
        label="Note (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, what you checked and any exemption you considered.",
    )
    confirm = forms.BooleanField(
        label="I have reviewed every proposed redaction and the material is ready to send",
        error_messages={"required": "Confirm you have reviewed the material"},
    )

    def layout_fields(self):
        return [Field.textarea("statement"), Field.checkbox("confirm")]


def _staff():
    return User.objects.filter(is_active=True, groups__name=roles.DPO).order_by("first_name", "last_name")


class SearchTaskForm(GovukForm):
    submit_label = "Add the search"

    kind = forms.ChoiceField(
        label="What kind of search?", choices=SarSearchTask.Kind.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(label="What to search, and where", widget=forms.Textarea(attrs={"rows": 3}))
    assigned_to = forms.ModelChoiceField(
        label="Who will do it (optional)", queryset=User.objects.none(), required=False
    )
    due_on = date_field("Due by (optional)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = _staff()

    def layout_fields(self):
        return [
            Field.radios("kind"),
            Field.textarea("description"),
            Field.select("assigned_to"),
            Field("due_on"),
        ]


class SearchTaskUpdateForm(GovukForm):
    submit_label = "Save"

    assigned_to = forms.ModelChoiceField(label="Who will do it", queryset=User.objects.none(), required=False)
    due_on = date_field("Due by", required=False)
    outcome = forms.ChoiceField(
        label="Outcome (when the search is finished)",
        choices=[("", "Not finished yet"), *SarSearchTask.Outcome.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    outcome_note = forms.CharField(
        label="What was found", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    completed_on = date_field("Date the search finished", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = _staff()

    def layout_fields(self):
        return [
            Field.select("assigned_to"),
            Field("due_on"),
            Field.radios("outcome"),
            Field.textarea("outcome_note"),
            Field("completed_on"),
        ]


class ExtensionForm(GovukForm):
    submit_label = "Record the extension"

    reason = forms.CharField(
        label="Why is the request complex or numerous?", widget=forms.Textarea(attrs={"rows": 3})
    )
    notified_on = date_field("Date the requester was told, with the reasons")

    def layout_fields(self):
        return [Field.textarea("reason"), Field("notified_on")]


class PauseForm(GovukForm):
    submit_label = "Record the pause"

    started_on = date_field("Date clarification was asked for")
    ended_on = date_field("Date clarification arrived (leave blank while waiting)", required=False)
    reason = forms.CharField(
        label="What clarification is needed, and why", widget=forms.Textarea(attrs={"rows": 3})
    )

    def layout_fields(self):
        return [Field("started_on"), Field("ended_on"), Field.textarea("reason")]


class RefusalForm(GovukForm):
    submit_label = "Refuse the request"

    ground = forms.ChoiceField(
        label="Why is the request refused?",
        choices=SubjectAccessRequest.RefusalGround.choices,
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label="Reasons, in plain English",
        help_text="They go to the requester in the letter, with their right to complain to the ICO.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    refused_on = date_field("Date of the refusal")

    def layout_fields(self):
        return [Field.radios("ground"), Field.textarea("reasons"), Field("refused_on")]


# --- Data-protection complaints (SPEC §8.4) ---

COMPLAINT_SUMMARY_LABEL = "What is the complaint about?"
COMPLAINT_OUTCOME_LABEL = "What would you like to happen?"


class StaffComplaintForm(GovukForm):
    """A complaint recorded by staff on a family member's behalf (from the family or person page)."""

    submit_label = "Record the complaint"

    subject = forms.ModelChoiceField(
        label="Who is the complaint about?",
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
        help_text="The family member whose information the complaint concerns.",
    )
    received_on = date_field("Date the complaint was made")
    channel = forms.ChoiceField(label="How was it made?", choices=[], widget=forms.RadioSelect)
    complainant_name = forms.CharField(label="Complainant's name", max_length=200)
    complainant_contact = forms.CharField(
        label="How the complainant wants to hear from us",
        help_text="Address, email or phone number.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    summary = forms.CharField(label=COMPLAINT_SUMMARY_LABEL, widget=forms.Textarea)
    outcome_wanted = forms.CharField(label=COMPLAINT_OUTCOME_LABEL, required=False, widget=forms.Textarea)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        from sar.models import Complaint

        self.fields["subject"].queryset = people
        # Staff record complaints made to them; the online form records its own.
        self.fields["channel"].choices = [
            choice for choice in Complaint.Channel.choices if choice[0] != Complaint.Channel.ONLINE_FORM
        ]

    def layout_fields(self):
        return [
            Field.radios("subject", legend_size=Size.SMALL),
            Field("received_on"),
            Field.radios("channel", legend_size=Size.SMALL),
            Field.text("complainant_name"),
            Field.textarea("complainant_contact"),
            Field.textarea("summary"),
            Field.textarea("outcome_wanted"),
        ]


class PublicComplaintForm(GovukForm):
    """The public form (no sign-in): the complaint lands in the register unmatched, for the DPO."""

    submit_label = "Send your complaint"

    complainant_name = forms.CharField(label="Your name", max_length=200)
    complainant_contact = forms.CharField(
        label="How should we contact you?",
        help_text="An email address, postal address or phone number.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    summary = forms.CharField(
        label=COMPLAINT_SUMMARY_LABEL,
        help_text="Tell us what happened with your information or your family's, and when.",
        max_length=5000,
        widget=forms.Textarea,
    )
    outcome_wanted = forms.CharField(
        label=COMPLAINT_OUTCOME_LABEL, required=False, max_length=2000, widget=forms.Textarea
    )
    # A honeypot: hidden from people (and screen readers); robots fill every field in.
    website = forms.CharField(
        label="Leave this blank", required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )

    def layout_fields(self):
        return [
            Field.text("complainant_name"),
            Field.textarea("complainant_contact"),
            Field.textarea("summary"),
            Field.textarea("outcome_wanted"),
            HTML('<div class="fss-honeypot" aria-hidden="true" hidden>'),
            Field.text("website"),
            HTML("</div>"),
        ]

    @property
    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get("website"))
