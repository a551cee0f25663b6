"""The work with a family (SPEC §4.1): referrals, cases and their events, notes, break-glass access."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from cases.models.people import Family, Person
from fss.core.fields import EncryptedTextField


class Case(models.Model):
    """One episode of involvement with a family; a family may have several over time."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class ClosureReason(models.TextChoices):
        NEEDS_MET = "needs_met", "Needs met"
        CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn or declined"
        MOVED_AWAY = "moved_away", "Moved away"
        STEPPED_UP = "stepped_up", "Stepped up to social care"
        DISENGAGED = "disengaged", "Disengaged"
        OTHER = "other", "Other"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="cases")
    # RESTRICT: a referral cannot be deleted from under its case, but destroying the
    # family takes both (PROTECT would block the retention sweep).
    referral = models.OneToOneField(
        "Referral", on_delete=models.RESTRICT, null=True, blank=True, related_name="case"
    )
    opened_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    lead_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_cases",
    )
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["family", "-opened_on"]
        constraints = [
            # A closed case has a closure date and reason; an open one has neither.
            models.CheckConstraint(
                condition=(
                    models.Q(status="open", closed_on__isnull=True, closure_reason="")
                    | (models.Q(status="closed", closed_on__isnull=False) & ~models.Q(closure_reason=""))
                ),
                name="case_closure_matches_status",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True) | models.Q(closed_on__gte=models.F("opened_on")),
                name="case_closes_after_it_opens",
            ),
        ]

    def __str__(self):
        return f"Case {self.pk} for {self.family}"


class Referral(models.Model):
    """A request for the service to help a family, and the decision on it (SPEC §4.1)."""

    class Source(models.TextChoices):
        SCHOOL = "school", "School"
        POLICE = "police", "Police"
        HEALTH = "health", "Health"
        SELF = "self", "Self-referral"
        SOCIAL_CARE_STEP_DOWN = "social_care_step_down", "Step-down from children's social care"
        OTHER = "other", "Other"

    class Decision(models.TextChoices):
        PENDING = "", "Not decided yet"
        ACCEPT = "accept", "Accept"
        SIGNPOST = "signpost", "Signpost to another service"
        STEP_UP = "step_up", "Step up to children's social care"
        NO_FURTHER_ACTION = "no_further_action", "No further action"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="referrals")
    received_on = models.DateField()
    source = models.CharField(max_length=30, choices=Source.choices)
    # For a step-down, the social care team the family comes from.
    source_team = models.CharField("Referring team", max_length=200, blank=True)
    reason = models.TextField()
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_contact = models.CharField(max_length=200, blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True, default="")
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    # A manager may accept a family that fails the age rule, with a reason (SPEC §4.2).
    eligibility_exception_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["family", "-received_on"]
        indexes = [
            # My work's "referrals waiting" (docs/performance.md, "My work"): the few pending, by date.
            models.Index(fields=["received_on"], condition=models.Q(decision=""), name="referral_pending"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision="", decided_on__isnull=True)
                | (~models.Q(decision="") & models.Q(decided_on__isnull=False)),
                name="referral_decision_has_a_date",
            ),
        ]

    def __str__(self):
        return f"Referral {self.pk} for {self.family}"


class CaseEvent(models.Model):
    """A change of a case's status, kept as its own row (opened, closed, reopened)."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Opened"
        CLOSED = "closed", "Closed"
        REOPENED = "reopened", "Reopened"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    on = models.DateField()
    closure_reason = models.CharField(max_length=20, choices=Case.ClosureReason.choices, blank=True)
    # Stepped up: the receiving social care team.
    receiving_team = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.on:%d %B %Y}"


class ClosureRequest(models.Model):
    """A worker's request to close a case, waiting for a team manager (issue 3: approval of closures).

    Used when the team's approval setting asks for it: the case stays open until a
    manager of the team approves, and then closes with the reason and date asked for;
    a manager may instead return it with a comment. Nobody decides their own request.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="closure_requests")
    closed_on = models.DateField()
    reason = models.CharField(max_length=20, choices=Case.ClosureReason.choices)
    receiving_team = models.CharField(max_length=200, blank=True)
    comment = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="pending"), name="one_pending_closure_per_case"
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_by__isnull=True)
                | (~models.Q(status="pending") & models.Q(decided_by__isnull=False)),
                name="decided_closure_request_has_a_decider",
            ),
        ]

    def __str__(self):
        return f"Closure request {self.pk} for case {self.case_id}"


class CaseNote(models.Model):
    """A case note or contact record (SPEC §4.1): what happened, who was there, who was mentioned."""

    class Kind(models.TextChoices):
        VISIT = "visit", "Home or other visit"
        PHONE = "phone", "Phone call"
        MEETING = "meeting", "Meeting"
        LETTER = "letter", "Letter or email"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    occurred_on = models.DateField()
    # Encrypted at rest (SPEC §9, issue 10): notes carry health, offending and safeguarding detail.
    text = EncryptedTextField()
    # domain-rules §3: a professional's opinion is recorded as opinion, not fact.
    is_opinion = models.BooleanField("Includes professional opinion", default=False)
    is_sensitive = models.BooleanField(default=False)
    people_present = models.ManyToManyField(Person, related_name="notes_present_at", blank=True)
    people_mentioned = models.ManyToManyField(Person, related_name="notes_mentioned_in", blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[people_present, people_mentioned])

    class Meta:
        ordering = ["-occurred_on", "-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.occurred_on:%d %B %Y}"


class BreakGlassAccess(models.Model):
    """Time-limited read access to a family outside a worker's grant, with the reason (SPEC §9)."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="break_glass_accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = "break-glass access"
        verbose_name_plural = "break-glass access"
        indexes = [models.Index(fields=["user", "expires_at"])]

    def __str__(self):
        return f"Break-glass by {self.user} on {self.family}"
