"""Sharing forms in GOV.UK Design System markup (crispy-forms-gds), like `cases.forms`.

Forms only parse input; the rules are in `sharing.check` and `sharing.services`,
whose ValidationErrors go back beside the field they concern.
"""

from crispy_forms_gds.layout import Field, Fieldset, Size
from django import forms

from cases.forms import GovukForm, date_field
from fss.core import roles
from fss.core.models import User
from sharing.check import Safeguarding, in_sentence
from sharing.models import DataCategory, LawfulBasis, PartnerReferralEvent, SharingPurpose, TransferMethod
from sharing.selectors import organisations_for_sharing

YES_NO = [("yes", "Yes"), ("no", "No")]


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.category.label})"


class CategoryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        kind = "" if obj.kind == DataCategory.Kind.PERSONAL else f" – {in_sentence(obj.get_kind_display())}"
        return f"{obj.label}{kind}"


class ShareForm(GovukForm):
    """Step 1: who, with whom, what and why; the check answers before anything is recorded."""

    submit_label = "Check before sharing"

    recipient = OrganisationChoiceField(
        label="Who are you sharing with?",
        queryset=organisations_for_sharing(),
        empty_label="Choose an organisation",
        error_messages={"required": "Choose the organisation you are sharing with"},
    )
    purpose = forms.ModelChoiceField(
        label="Why are you sharing?",
        queryset=SharingPurpose.objects.all(),
        to_field_name="code",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose why you are sharing"},
    )
    categories = CategoryChoiceField(
        label="What information?",
        queryset=DataCategory.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        help_text="Share only what is needed for the purpose.",
        error_messages={"required": "Choose at least one kind of information"},
    )
    people = forms.TypedMultipleChoiceField(
        label="Who is the information about?",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose who the information is about"},
    )
    decided_on = date_field("Date of the decision")
    is_safeguarding = forms.BooleanField(
        label="This is a safeguarding disclosure: sharing to protect a child or an adult at risk",
        required=False,
    )
    safeguarding_justification = forms.CharField(
        label="Safeguarding justification",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why sharing is necessary and proportionate to protect the child or adult.",
    )
    immediate_risk = forms.BooleanField(
        label="The risk is immediate: the information must go now (a manager approves afterwards)",
        required=False,
    )
    override_reason = forms.CharField(
        label="If this goes against someone's recorded wishes: your reason (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A manager must approve sharing against a refusal or withdrawal.",
    )
    basis_hint = forms.ChoiceField(
        label="Lawful basis (only if the check asks you to choose)",
        required=False,
        choices=[("", "As the agreement says"), *LawfulBasis.choices],
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].choices = [(person.pk, str(person)) for person in members]

    def layout_fields(self):
        return [
            Field.select("recipient"),
            Field.radios("purpose", legend_size=Size.SMALL),
            Field.checkboxes("categories", legend_size=Size.SMALL),
            Field.checkboxes("people", legend_size=Size.SMALL),
            Field("decided_on"),
            Fieldset(
                Field.checkbox("is_safeguarding"),
                Field.textarea("safeguarding_justification"),
                Field.checkbox("immediate_risk"),
                legend="Safeguarding",
                legend_size=Size.SMALL,
            ),
            Field.textarea("override_reason"),
            Field.select("basis_hint"),
        ]

    def clean(self):
        data = super().clean()
        if data.get("is_safeguarding") and not (data.get("safeguarding_justification") or "").strip():
            self.add_error(
                "safeguarding_justification",
                "Give a written justification: why sharing is needed to protect a child or adult at risk",
            )
        return data

    def safeguarding(self) -> Safeguarding | None:
        data = self.cleaned_data
        if not data.get("is_safeguarding"):
            return None
        return Safeguarding(data["safeguarding_justification"], immediate_risk=data["immediate_risk"])

    def question(self, members_by_id: dict) -> dict:
        """The arguments of `check_disclosure` and `record_disclosure` this form asks."""
        data = self.cleaned_data
        return {
            "people": [members_by_id[pk] for pk in data["people"]],
            "recipient": data["recipient"],
            "categories": [c.code for c in data["categories"]],
            "purpose": data["purpose"],
            "on": data["decided_on"],
            "basis_hint": data["basis_hint"] or None,
            "safeguarding": self.safeguarding(),
            "override_reason": data["override_reason"],
        }


class RecordDecisionForm(GovukForm):
    """Step 2: the rest of the record (domain-rules §5), under the check's answer."""

    submit_label = "Record the decision"

    share = forms.ChoiceField(
        label="What did you decide?",
        choices=[("yes", "Share what the check allows"), ("no", "Do not share")],
        widget=forms.RadioSelect,
        initial="yes",
    )
    not_sharing_reason = forms.CharField(
        label="If you decided not to share: why", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    transfer_method = forms.ChoiceField(
        label="How will it be sent?",
        choices=[("", "Choose a method"), *TransferMethod.choices],
        required=False,
    )
    items_description = forms.CharField(
        label="Items shared",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: the assessment of 3 March and the current address.",
    )
    onward_use_limits = forms.CharField(
        label="Limits on the recipient's onward use",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    family_told = forms.ChoiceField(
        label="Has the family been told about this sharing?", choices=YES_NO, widget=forms.RadioSelect
    )
    family_not_told_reason = forms.CharField(
        label="If not: why not", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    manager_consulted = forms.ModelChoiceField(
        label="Manager consulted (optional)", queryset=User.objects.none(), required=False, empty_label="None"
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, managers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if managers is not None:
            self.fields["manager_consulted"].queryset = managers

    def layout_fields(self):
        return [
            Field.radios("share", legend_size=Size.MEDIUM, legend_tag="h2"),
            Field.textarea("not_sharing_reason"),
            Field.select("transfer_method"),
            Field.textarea("items_description"),
            Field.textarea("onward_use_limits"),
            Field.radios("family_told", legend_size=Size.SMALL, inline=True),
            Field.textarea("family_not_told_reason"),
            Field.select("manager_consulted"),
            Field("fingerprint"),
        ]

    def record(self) -> dict:
        data = self.cleaned_data
        return {
            "share": data["share"] == "yes",
            "not_sharing_reason": data["not_sharing_reason"],
            "transfer_method": data["transfer_method"],
            "items_description": data["items_description"],
            "onward_use_limits": data["onward_use_limits"],
            "family_told": data["family_told"] == "yes",
            "family_not_told_reason": data["family_not_told_reason"],
            "manager_consulted": data["manager_consulted"],
            "expected": data["fingerprint"],
        }


def managers_of(teams):
    """Team managers of `teams`, for "manager consulted"."""
    return (
        User.objects.filter(is_active=True, groups__name=roles.TEAM_MANAGER, team_memberships__team__in=teams)
        .distinct()
        .order_by("last_name", "first_name")
    )


class ApprovalForm(GovukForm):
    submit_label = "Save the decision"

    outcome = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve"), ("decline", "Decline")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether you approve the share"},
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed to decline.",
    )

    def layout_fields(self):
        return [Field.radios("outcome", legend_size=Size.MEDIUM, legend_tag="h2"), Field.textarea("comment")]


class DpoReviewForm(GovukForm):
    submit_label = "Record the review"

    note = forms.CharField(label="What did you find?", widget=forms.Textarea(attrs={"rows": 4}))


class PartnerReferralForm(GovukForm):
    submit_label = "Record the referral"

    service_requested = forms.CharField(label="Service the family is referred to", max_length=200)
    reason = forms.CharField(label="Reason for the referral", widget=forms.Textarea(attrs={"rows": 4}))
    sent_on = date_field("Date sent")


class ReferralResponseForm(GovukForm):
    submit_label = "Save"

    status = forms.ChoiceField(label="What happened?", widget=forms.RadioSelect)
    on = date_field("Date")
    reason = forms.CharField(
        label="Reason (needed when the partner declines)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (status, PartnerReferralEvent.Status(status).label)
            for status in PartnerReferralEvent.Status
            if status in allowed
        ]

    def layout_fields(self):
        return [
            Field.radios("status", legend_size=Size.MEDIUM, legend_tag="h2"),
            Field("on"),
            Field.textarea("reason"),
        ]


class RecipientToldForm(GovukForm):
    submit_label = "Record that they were told"

    told_on = date_field("Date the recipient was told")
    method = forms.ChoiceField(label="How?", choices=TransferMethod.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def layout_fields(self):
        return [Field("told_on"), Field.radios("method", legend_size=Size.SMALL), Field.textarea("note")]
