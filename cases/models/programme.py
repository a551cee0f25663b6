"""The national programme's part of a case (SPEC §4.1, §4.3; domain-rules §6).

The framework — its headline outcomes, the number of needs a family must have,
the sustain period — is versioned data loaded by migrations, never constants in
code, so a change in guidance is a data change. Against it a case records
assessments (one answer per headline outcome), family plans with their actions,
review meetings and outcomes per need. Everything a worker records about a
family keeps its history; it is personal data and goes with the family when the
retention sweep destroys it (every row hangs off the case by CASCADE).
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from cases.models.work import Case
from fss.core.fields import EncryptedTextField


class ProgrammeFramework(models.Model):
    """One version of the national programme's framework, in force between two dates."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=20)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True, help_text="Empty while still in force.")
    # SPEC §4.3: how many headline problems make a family "meet the criteria".
    criteria_threshold = models.PositiveSmallIntegerField(
        default=2, help_text="Headline problems a family must have to meet the programme criteria."
    )
    # domain-rules §6: a results claim needs at least this many needs identified and evidenced.
    claim_minimum_needs = models.PositiveSmallIntegerField(
        default=3, help_text="Needs identified and evidenced before a results claim may be made."
    )
    # domain-rules §6: outcomes sustained this long after closure.
    sustain_months = models.PositiveSmallIntegerField(
        default=6, help_text="Months after closure that every outcome must be sustained."
    )
    source = models.TextField(blank=True, help_text="The guidance these values come from.")

    class Meta:
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="framework_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(criteria_threshold__gte=1), name="framework_threshold_set"
            ),
        ]

    def __str__(self):
        return self.name

    def in_force_on(self, on) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


class HeadlineOutcome(models.Model):
    """A headline outcome (or, in the 2015 phase, headline problem) of one framework version."""

    framework = models.ForeignKey(
        ProgrammeFramework, on_delete=models.CASCADE, related_name="headline_outcomes"
    )
    code = models.SlugField(max_length=50)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["framework", "order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="headline_outcome_code_per_framework"),
            models.UniqueConstraint(
                fields=["framework", "order"], name="headline_outcome_order_per_framework"
            ),
        ]

    def __str__(self):
        return self.title


class TeamApprovalSetting(models.Model):
    """Which of a team's programme records need a manager's approval (configurable per team).

    A team without a row uses the defaults: everything is approved.
    """

    team = models.OneToOneField("core.Team", on_delete=models.CASCADE, related_name="approval_setting")
    approve_assessments = models.BooleanField("Assessments need a manager's approval", default=True)
    approve_plans = models.BooleanField("Family plans need a manager's approval", default=True)
    approve_closures = models.BooleanField("Case closures need a manager's approval", default=True)

    history = HistoricalRecords()

    def __str__(self):
        return f"Approvals for {self.team}"


class ApprovalStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"


class _ApprovableRecord(models.Model):
    """What assessments and plans share: a status that may wait for a manager's approval."""

    status = models.CharField(max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.DRAFT)
    # Whether the team asked for a manager's approval when it was submitted.
    needs_approval = models.BooleanField(default=False)

    class Meta:
        abstract = True

    @property
    def is_agreed(self) -> bool:
        """Submitted and, where the team asks for it, approved: it then counts for the programme."""
        return self.status == ApprovalStatus.APPROVED or (
            self.status == ApprovalStatus.SUBMITTED and not self.needs_approval
        )

    @property
    def awaits_approval(self) -> bool:
        return self.status == ApprovalStatus.SUBMITTED and self.needs_approval


class Assessment(_ApprovableRecord):
    """An assessment of the family's needs against one framework version (SPEC §4.3)."""

    Status = ApprovalStatus

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    framework = models.ForeignKey(ProgrammeFramework, on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField()
    is_whole_family = models.BooleanField("Whole-family assessment", default=True)
    summary = models.TextField(blank=True)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "assessed_on", "pk"]

    def __str__(self):
        return f"Assessment on {self.assessed_on:%d %B %Y}"


class AssessmentNeed(models.Model):
    """The answer for one headline outcome in an assessment: identified or not, and the evidence."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="needs")
    headline_outcome = models.ForeignKey(HeadlineOutcome, on_delete=models.PROTECT, related_name="+")
    identified = models.BooleanField(default=False)
    # Encrypted at rest (issue 10): evidence of health, substance use, abuse or offending needs.
    evidence = EncryptedTextField(blank=True)
    identified_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["assessment", "headline_outcome__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "headline_outcome"], name="one_answer_per_headline_outcome"
            ),
            models.CheckConstraint(
                condition=models.Q(identified=False, identified_on__isnull=True)
                | models.Q(identified=True, identified_on__isnull=False),
                name="identified_need_has_a_date",
            ),
        ]

    def __str__(self):
        return f"{self.headline_outcome}: {'identified' if self.identified else 'not identified'}"


class Plan(_ApprovableRecord):
    """The family plan: its goals, and actions that address the needs (SPEC §4.1)."""

    Status = ApprovalStatus

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    starts_on = models.DateField()
    goals = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "starts_on", "pk"]

    def __str__(self):
        return f"Family plan from {self.starts_on:%d %B %Y}"


class PlanAction(models.Model):
    """An action in a family plan, owned by a worker or a partner practitioner (Team Around the Family)."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    need = models.ForeignKey(
        HeadlineOutcome,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The need this action addresses, if any.",
    )
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Team Around the Family: a practitioner from a partner agency owns the action.
    partner_name = models.CharField("Practitioner's name", max_length=200, blank=True)
    partner_organisation = models.CharField("Organisation", max_length=200, blank=True)
    partner_role = models.CharField("Role", max_length=200, blank=True)
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(owner__isnull=False) & models.Q(partner_name=""))
                | (models.Q(owner__isnull=True) & ~models.Q(partner_name="")),
                name="action_has_one_owner",
            ),
        ]

    def __str__(self):
        return self.description[:60]

    @property
    def owner_text(self) -> str:
        if self.owner_id:
            return str(self.owner)
        extra = ", ".join(part for part in (self.partner_role, self.partner_organisation) if part)
        return f"{self.partner_name} ({extra})" if extra else self.partner_name

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.NOT_STARTED, self.Status.IN_PROGRESS)


class Review(models.Model):
    """A review meeting of the family plan."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField()
    attendees = models.TextField(help_text="Who was there, including partner practitioners.")
    summary = models.TextField()
    next_review_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(next_review_on__isnull=True)
                | models.Q(next_review_on__gt=models.F("held_on")),
                name="next_review_after_this_one",
            ),
        ]

    def __str__(self):
        return f"Review on {self.held_on:%d %B %Y}"


class Outcome(models.Model):
    """Progress on one identified need. Each record is a new row; the latest for a need counts."""

    class Progress(models.TextChoices):
        NONE = "none", "No progress yet"
        SOME = "some", "Some progress"
        ACHIEVED = "achieved", "Outcome achieved"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outcomes")
    need = models.ForeignKey(HeadlineOutcome, on_delete=models.PROTECT, related_name="+")
    progress = models.CharField(max_length=10, choices=Progress.choices)
    # Encrypted at rest (issue 10), like the evidence of the need it measures.
    progress_note = EncryptedTextField("Progress made", blank=True)
    achieved_on = models.DateField(null=True, blank=True)
    sustained_until = models.DateField(null=True, blank=True)
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "need__order", "recorded_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(progress="achieved") | models.Q(achieved_on__isnull=False),
                name="achieved_outcome_has_a_date",
            ),
            models.CheckConstraint(
                condition=models.Q(sustained_until__isnull=True)
                | models.Q(achieved_on__isnull=False, sustained_until__gte=models.F("achieved_on")),
                name="sustained_after_achieved",
            ),
        ]

    def __str__(self):
        return f"{self.need}: {self.get_progress_display()}"

    @property
    def is_positive(self) -> bool:
        return self.progress == self.Progress.ACHIEVED


class ApprovalEvent(models.Model):
    """A step in the approval of an assessment or a plan, kept as its own row (with the comment)."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned for changes"

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, null=True, blank=True, related_name="approval_events"
    )
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, null=True, blank=True, related_name="approval_events"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    comment = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(assessment__isnull=False, plan__isnull=True)
                | models.Q(assessment__isnull=True, plan__isnull=False),
                name="approval_of_one_record",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.by}"
