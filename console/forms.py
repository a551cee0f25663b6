"""Forms for the console's access reviews, in GOV.UK Design System markup like `cases.forms`."""

from crispy_forms_gds.layout import Field, Size
from django import forms

from cases.forms import GovukForm
from fss.core.models import User

DEFAULT_INACTIVE_DAYS = 90


class InactiveDaysForm(GovukForm):
    """How long without a sign-in flags an account as a possible leaver (read from the query string)."""

    submit_label = "Show accounts"

    days = forms.IntegerField(
        label="Flag accounts with no sign-in for this many days",
        min_value=1,
        max_value=3650,
        initial=DEFAULT_INACTIVE_DAYS,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}),
    )


class AccessReviewForm(GovukForm):
    """The record of a review: notes, and the accounts to deactivate now."""

    submit_label = "Record the review"

    inactive_after_days = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=3650)
    deactivate = forms.ModelMultipleChoiceField(
        label="Deactivate these accounts",
        help_text="Leavers and accounts no longer needed. They are signed out everywhere at once; "
        "the account and its history are kept.",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you checked and why: for example, role changes asked of team managers.",
    )

    def __init__(self, *args, reviewer: User, flagged: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["deactivate"]
        field.queryset = User.objects.filter(is_active=True).exclude(pk=reviewer.pk).order_by("username")
        field.label_from_instance = lambda user: (
            f"{user.get_full_name() or user.username} ({user.username})"
            + (" – no recent sign-in" if user.pk in flagged else "")
        )

    def layout_fields(self):
        return [
            Field("inactive_after_days"),
            Field.checkboxes("deactivate", legend_size=Size.SMALL),
            Field.textarea("notes"),
        ]


class DeactivateForm(GovukForm):
    submit_label = "Deactivate the account"

    def layout_fields(self):
        return []


class BreakGlassReviewForm(GovukForm):
    submit_label = "Record the review"

    note = forms.CharField(
        label="Your review",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Was the reason good enough and the access proportionate? "
        "Say what follow-up, if any, you asked for.",
    )

    def layout_fields(self):
        return [Field.textarea("note")]
