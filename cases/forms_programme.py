"""Forms for the national programme's part of a case, in GOV.UK Design System markup.

They parse input only; the rules live in `cases.programme.services`, whose
errors come back beside the field (`cases.forms.apply_service_errors`).
"""

from crispy_forms_gds.layout import (
    ConditionalQuestion,
    ConditionalRadios,
    Field,
    Fieldset,
    Layout,
    Size,
    Submit,
)
from django import forms

from cases.forms import GovukForm, date_field
from cases.models import Assessment, Outcome, PlanAction
from cases.programme.services import ActionDetails, NeedAnswer


def _relayout(form: GovukForm) -> None:
    # For forms whose fields are added at run time, after GovukForm built its layout.
    form.helper.layout = Layout(*form.layout_fields(), Submit("submit", form.submit_label))


class AssessmentForm(GovukForm):
    """One row per headline outcome of the framework: identified?, evidence, date identified."""

    submit_label = "Save assessment"

    assessed_on = date_field("Date of the assessment")
    is_whole_family = forms.BooleanField(
        label="This is a whole-family assessment: it considered everyone in the household",
        required=False,
    )
    summary = forms.CharField(
        label="Summary (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, headline_outcomes, **kwargs):
        super().__init__(*args, **kwargs)
        self.headline_outcomes = list(headline_outcomes)
        for outcome in self.headline_outcomes:
            prefix = f"need_{outcome.code}"
            self.fields[f"{prefix}_identified"] = forms.BooleanField(
                label=f"{outcome.title}: need identified", required=False, help_text=outcome.description
            )
            self.fields[f"{prefix}_evidence"] = forms.CharField(
                label="Evidence",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="What shows this need: a source, a date, what was seen or reported.",
            )
            self.fields[f"{prefix}_identified_on"] = date_field(
                "Date identified",
                required=False,
                help_text="Leave empty if it is the date of the assessment.",
            )
        _relayout(self)

    @staticmethod
    def initial_for(assessment: Assessment) -> dict:
        initial = {
            "assessed_on": assessment.assessed_on,
            "is_whole_family": assessment.is_whole_family,
            "summary": assessment.summary,
        }
        for row in assessment.needs.select_related("headline_outcome"):
            prefix = f"need_{row.headline_outcome.code}"
            initial[f"{prefix}_identified"] = row.identified
            initial[f"{prefix}_evidence"] = row.evidence
            initial[f"{prefix}_identified_on"] = row.identified_on
        return initial

    def layout_fields(self):
        fields = [Field("assessed_on"), Field.checkbox("is_whole_family"), Field.textarea("summary")]
        for outcome in getattr(self, "headline_outcomes", []):
            prefix = f"need_{outcome.code}"
            fields.append(
                Fieldset(
                    Field.checkbox(f"{prefix}_identified"),
                    Field.textarea(f"{prefix}_evidence"),
                    Field(f"{prefix}_identified_on"),
                    legend=f"{outcome.order}. {outcome.title}",
                    legend_size=Size.SMALL,
                )
            )
        return fields

    def answers(self) -> list[NeedAnswer]:
        data = self.cleaned_data
        return [
            NeedAnswer(
                headline_outcome=outcome,
                identified=data[f"need_{outcome.code}_identified"],
                evidence=data[f"need_{outcome.code}_evidence"],
                identified_on=data[f"need_{outcome.code}_identified_on"],
            )
            for outcome in self.headline_outcomes
        ]


class PlanForm(GovukForm):
    submit_label = "Save plan"

    starts_on = date_field("Date the plan starts")
    goals = forms.CharField(
        label="Goals",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the family wants to change, in their words where possible.",
    )


class ActionForm(GovukForm):
    """An action owned by one of the team's workers or by a partner practitioner (Team Around the Family)."""

    submit_label = "Add action"
    WORKER, PARTNER = "worker", "partner"

    description = forms.CharField(label="Action", widget=forms.Textarea(attrs={"rows": 3}))
    need = forms.TypedChoiceField(label="Need it addresses", required=False, coerce=int, empty_value=None)
    owner_kind = forms.ChoiceField(
        label="Who owns this action?",
        choices=[(WORKER, "A worker in our service"), (PARTNER, "A practitioner from a partner agency")],
        widget=forms.RadioSelect,
    )
    owner = forms.TypedChoiceField(label="Worker", required=False, coerce=int, empty_value=None)
    partner_name = forms.CharField(label="Practitioner's name", required=False, max_length=200)
    partner_organisation = forms.CharField(label="Organisation", required=False, max_length=200)
    partner_role = forms.CharField(label="Role (optional)", required=False, max_length=200)
    due_on = date_field("Date the action is due", help_text="For example, 27 3 2027")

    def __init__(self, *args, needs=(), workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.needs = {need.pk: need for need in needs}
        self.workers = {worker.pk: worker for worker in workers}
        self.fields["need"].choices = [("", "Not linked to one need")] + [
            (need.pk, need.title) for need in self.needs.values()
        ]
        self.fields["owner"].choices = [("", "Choose a worker")] + [
            (worker.pk, str(worker)) for worker in self.workers.values()
        ]

    def layout_fields(self):
        return [
            Field.textarea("description"),
            Field.select("need"),
            ConditionalRadios(
                "owner_kind",
                ConditionalQuestion(self.fields["owner_kind"].choices[0][1], Field.select("owner")),
                ConditionalQuestion(
                    self.fields["owner_kind"].choices[1][1],
                    Field.text("partner_name"),
                    Field.text("partner_organisation"),
                    Field.text("partner_role"),
                ),
            ),
            Field("due_on"),
        ]

    def clean(self):
        data = super().clean()
        if data.get("owner_kind") == self.WORKER and not data.get("owner"):
            self.add_error("owner", "Choose the worker who owns the action")
        if data.get("owner_kind") == self.PARTNER and not data.get("partner_name", "").strip():
            self.add_error("partner_name", "Enter the practitioner's name")
        return data

    def details(self) -> ActionDetails:
        data = self.cleaned_data
        by_worker = data["owner_kind"] == self.WORKER
        return ActionDetails(
            description=data["description"],
            due_on=data["due_on"],
            need=self.needs.get(data["need"]) if data["need"] else None,
            owner=self.workers.get(data["owner"]) if by_worker else None,
            partner_name="" if by_worker else data["partner_name"],
            partner_organisation="" if by_worker else data["partner_organisation"],
            partner_role="" if by_worker else data["partner_role"],
        )


class ActionStatusForm(GovukForm):
    submit_label = "Save status"

    status = forms.ChoiceField(
        label="Status of the action", choices=PlanAction.Status.choices, widget=forms.RadioSelect
    )

    def layout_fields(self):
        return [Field.radios("status", legend_size=Size.MEDIUM, legend_tag="h2")]


class ReviewForm(GovukForm):
    submit_label = "Save review"

    held_on = date_field("Date of the review")
    attendees = forms.CharField(
        label="Who attended?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Family members and practitioners, with their organisations.",
    )
    summary = forms.CharField(label="Summary", widget=forms.Textarea(attrs={"rows": 6}))
    next_review_on = date_field("Date of the next review (optional)", required=False)


class OutcomeForm(GovukForm):
    submit_label = "Save outcome"

    need = forms.TypedChoiceField(label="Need", coerce=int)
    progress = forms.ChoiceField(label="Progress", choices=Outcome.Progress.choices, widget=forms.RadioSelect)
    progress_note = forms.CharField(
        label="Progress made",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What has changed, and the evidence for it.",
    )
    achieved_on = date_field("Date the outcome was achieved (if achieved)", required=False)
    sustained_until = date_field(
        "Sustained until (if known)",
        required=False,
        help_text="The latest date the evidence shows the outcome still held.",
    )

    def __init__(self, *args, needs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.needs = {need.pk: need for need in needs}
        self.fields["need"].choices = [("", "Choose a need")] + [
            (need.pk, need.title) for need in self.needs.values()
        ]

    def layout_fields(self):
        return [
            Field.select("need"),
            Field.radios("progress", legend_size=Size.SMALL),
            Field.textarea("progress_note"),
            Field("achieved_on"),
            Field("sustained_until"),
        ]


class ApprovalForm(GovukForm):
    submit_label = "Save decision"
    APPROVE, RETURN = "approve", "return"

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[(APPROVE, "Approve"), (RETURN, "Return for changes")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when you return it: say what needs to change.",
    )

    def layout_fields(self):
        return [Field.radios("decision", legend_size=Size.MEDIUM, legend_tag="h2"), Field.textarea("comment")]


class TeamApprovalForm(GovukForm):
    submit_label = "Save approvals"

    approve_assessments = forms.BooleanField(label="Assessments need a manager's approval", required=False)
    approve_plans = forms.BooleanField(label="Family plans need a manager's approval", required=False)
    approve_closures = forms.BooleanField(label="Case closures need a manager's approval", required=False)

    def layout_fields(self):
        return [Field.checkbox(name) for name in self.fields]
