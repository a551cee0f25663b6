"""The record of every sharing decision, to share or not (SPEC §6.2, domain-rules §5).

A `Disclosure` is one decision about one person: immutable once written, with
the stored answer of the check (`check_result`) so "why was this allowed?"
replays what was decided rather than re-running it. What happens afterwards is
new rows: a manager's approval, the DPO's review, a flag when consent is
withdrawn, a restriction placed or data rectified, and the task to tell the
recipient.

These rows cannot change, so they keep no separate change history: the row is
the history. Retention (SPEC §7): they are personal data and are destroyed
with the family or the person (CASCADE) by the retention sweep; nothing else
deletes them. They appear in subject access packages as "recipients".
"""

import uuid

from django.conf import settings
from django.db import models

from sharing.models.choices import DISCLOSURE_BASIS_CHOICES, TransferMethod
from sharing.models.partners import DataSharingAgreement, Organisation
from sharing.models.registries import SharingPurpose


class ImmutableRecordError(Exception):
    """An attempt to change or delete a record that the law says must stay as written."""


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk changes and deletes would bypass the model's refusal.

    Destroying a family or person still takes these rows with it: Django's
    cascade deletes them in SQL, not through this method.
    """

    def update(self, **kwargs):
        raise ImmutableRecordError(f"{self.model._meta.verbose_name} records are never changed.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise ImmutableRecordError(f"{self.model._meta.verbose_name} records are never changed.")

    def delete(self):
        raise ImmutableRecordError(
            f"{self.model._meta.verbose_name} records are kept; they leave only with the family (SPEC §7)."
        )


class AppendOnly(models.Model):
    """A row written once: save() refuses an update and delete() refuses outright."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecordError(
                f"{self._meta.verbose_name} records are never changed: add a new record."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError(
            f"{self._meta.verbose_name} records are kept; they leave only with the family (SPEC §7)."
        )


class DisclosureQuerySet(AppendOnlyQuerySet):
    def shared(self):
        """Decisions that sent something (in full or in part)."""
        return self.filter(decision__in=[Disclosure.Decision.SHARED, Disclosure.Decision.PARTLY])

    def awaiting_approval(self):
        return self.filter(needs_manager_approval=True, approval__isnull=True)

    def awaiting_dpo_review(self):
        return self.filter(dpo_review_required=True, dpo_review__isnull=True)


class Disclosure(AppendOnly):
    """One decision to share (or not) information about one person with one organisation.

    Every field of domain-rules §5: date, organisation, direction, decision,
    items, purpose, basis and condition, agreement or legal power, whether the
    family was told (and why not), decision maker, manager consulted, transfer
    method, onward-use limits — and the check's stored answer.
    """

    class Direction(models.TextChoices):
        OUT = "out", "Shared by us"
        IN = "in", "Received by us"

    class Decision(models.TextChoices):
        SHARED = "shared", "Shared"
        PARTLY = "partly", "Partly shared"
        NOT_SHARED = "not_shared", "Not shared"

    class Approval(models.TextChoices):
        NONE = "", "Not needed"
        BEFORE = "before", "Before sending"
        RETROSPECTIVE = "retrospective", "Afterwards (immediate risk)"

    # The people of one decision share its id; the approval page and the queue use it (no personal data).
    decision_id = models.UUIDField(default=uuid.uuid4, db_index=True, editable=False)
    family = models.ForeignKey("cases.Family", on_delete=models.CASCADE, related_name="disclosures")
    person = models.ForeignKey("cases.Person", on_delete=models.CASCADE, related_name="disclosures")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="disclosures")
    agreement = models.ForeignKey(
        DataSharingAgreement, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.OUT)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    decided_on = models.DateField()
    purpose = models.ForeignKey(SharingPurpose, on_delete=models.PROTECT, related_name="+")
    # Codes from sharing.DataCategory; the labels are in check_result.
    categories_shared = models.JSONField(default=list, blank=True)
    categories_withheld = models.JSONField(default=list, blank=True)
    items_description = models.TextField("Items", blank=True)
    basis = models.CharField(max_length=20, choices=DISCLOSURE_BASIS_CHOICES, blank=True)
    # {category code: condition code} for special category and criminal offence data.
    conditions = models.JSONField(default=dict, blank=True)
    legal_power = models.TextField(blank=True)
    # The consent purpose whose answer the check read (``partner:police``); withdrawal flags find it.
    consent_purpose = models.CharField(max_length=50, blank=True)
    relied_on_consent = models.BooleanField(default=False)
    family_told = models.BooleanField()
    family_not_told_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    manager_consulted = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    transfer_method = models.CharField(max_length=20, choices=TransferMethod.choices, blank=True)
    onward_use_limits = models.TextField(blank=True)
    # Going against a recorded refusal or withdrawal (public task / legal obligation).
    override_reason = models.TextField(blank=True)
    not_sharing_reason = models.TextField(blank=True)
    is_safeguarding = models.BooleanField(default=False)
    safeguarding_justification = models.TextField(blank=True)
    immediate_risk = models.BooleanField(default=False)
    without_agreement = models.BooleanField(default=False)
    needs_manager_approval = models.BooleanField(default=False)
    approval_timing = models.CharField(max_length=15, choices=Approval.choices, blank=True)
    dpo_review_required = models.BooleanField(default=False)
    check_result = models.JSONField()
    check_summary = models.TextField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_on", "-recorded_at", "pk"]
        indexes = [
            models.Index(fields=["family", "decided_on"], name="disclosure_family_history"),
            models.Index(fields=["person", "decided_on"], name="disclosure_person_history"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["decision_id", "person"], name="one_disclosure_per_person_per_decision"
            ),
            models.CheckConstraint(
                condition=models.Q(family_told=True) | ~models.Q(family_not_told_reason=""),
                name="disclosure_says_why_family_not_told",
            ),
            models.CheckConstraint(
                condition=models.Q(is_safeguarding=False) | ~models.Q(safeguarding_justification=""),
                name="safeguarding_disclosure_is_justified",
            ),
        ]

    def __str__(self):
        return f"{self.get_decision_display()} with {self.organisation} on {self.decided_on:%d %B %Y}"

    @property
    def approval_state(self) -> str:
        """ "not needed", "awaiting", "approved" or "declined" (read `approval` prefetched)."""
        if not self.needs_manager_approval:
            return "not needed"
        approval = getattr(self, "approval", None)
        if approval is None:
            return "awaiting"
        return approval.outcome

    @property
    def was_sent(self) -> bool | None:
        """Whether the information left: shared and, if approval was needed first, approved.
        None while approval is awaited."""
        if self.decision == self.Decision.NOT_SHARED:
            return False
        if self.approval_timing != self.Approval.BEFORE:
            return True
        state = self.approval_state
        return None if state == "awaiting" else state == DisclosureApproval.Outcome.APPROVED


class DisclosureApproval(AppendOnly):
    """A team manager's approval or decline of a share that needed it (SPEC §6.2)."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    disclosure = models.OneToOneField(Disclosure, on_delete=models.CASCADE, related_name="approval")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    comment = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "manager approval"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome="approved") | ~models.Q(comment=""),
                name="declined_approval_says_why",
            ),
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} by {self.decided_by}"


class DpoReview(AppendOnly):
    """The DPO's review of a safeguarding disclosure (SPEC §6.2)."""

    disclosure = models.OneToOneField(Disclosure, on_delete=models.CASCADE, related_name="dpo_review")
    note = models.TextField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "DPO review"

    def __str__(self):
        return f"Reviewed by {self.reviewed_by}"


class DisclosureFlag(AppendOnly):
    """An earlier disclosure whose footing changed: consent withdrawn, a restriction placed,
    or data rectified (SPEC §6.2; UK GDPR Art 19)."""

    class Reason(models.TextChoices):
        CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn"
        RESTRICTION = "restriction", "Restriction of processing placed"
        RECTIFICATION = "rectification", "Data rectified"

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    on = models.DateField(help_text="The date of the withdrawal, restriction or correction.")
    note = models.TextField(blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-raised_at"]
        constraints = [
            # Flagging is safe to run twice for the same event.
            models.UniqueConstraint(fields=["disclosure", "reason", "on"], name="one_flag_per_event"),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} on {self.on:%d %B %Y}"


class RecipientNotificationTask(models.Model):
    """A task to tell a recipient that a disclosure's footing changed (one per flag).

    The task is the one row here that changes: it is done once, by someone, on
    a date; it cannot be reopened.
    """

    flag = models.OneToOneField(DisclosureFlag, on_delete=models.CASCADE, related_name="task")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    told_on = models.DateField(null=True, blank=True)
    told_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    method = models.CharField(max_length=20, choices=TransferMethod.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = "task to tell a recipient"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(told_on__isnull=True) | models.Q(told_by__isnull=False),
                name="recipient_told_by_someone",
            ),
        ]

    def __str__(self):
        return f"Tell {self.organisation}: {self.flag.get_reason_display().lower()}"

    @property
    def is_done(self) -> bool:
        return self.told_on is not None
