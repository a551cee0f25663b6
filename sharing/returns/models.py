"""Statutory and research returns (SPEC §6.3; domain-rules §6, §7): what is tracked and what is sent.

Participation of young people (domain-rules §7):
- `ActivityCode` — the national activity codes with their groups, as versioned
  data loaded by migration (a change in the national specification is a new
  row with its own effective date, never an edit to code);
- `ActivityRecord` — a young person's activity as confirmed on a date, with the
  date it must be confirmed again; the latest one is current, and past its
  review date it counts as "not known" (810). Append-only: a new activity is a
  new row;
- `ContactAttempt` — each attempt to find out what a young person is doing;
- `FollowUpTask` — a task to confirm the activity again before it lapses;
- `SeptemberGuaranteeOffer` — the offer of a place by the end of September to
  Year 11 and Year 12 leavers.
These hold personal data and go with the person (retention: destroyed with the
family or person that holds them).

Returns:
- `ResearchProject` — the research a matching extract serves (ONS) and the date
  by which the recipient must confirm it destroyed the data;
- `ReturnRun` — every run of every return: who ran it, when, the parameters, the
  file and its SHA-256 checksum, counts and warnings; a re-run for the same period
  supersedes the earlier run (a new row pointing at it, never an edit);
- `TransferRecord` — how and when the file went to the recipient, under which
  agreement, and the recipient's confirmation that it destroyed it;
How long the council keeps its copy of a return file is the retention policy ``return_file``
(versioned data in `retention`); ONS files follow ``ons_transfer_file`` instead.
The Disclosures of a run (one per person in the cohort, shared or not) share
the run's `decision_id`.
"""

import uuid
from datetime import date
from pathlib import PurePath

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from sharing.models.choices import TransferMethod
from sharing.models.disclosures import AppendOnly
from sharing.models.partners import DataSharingAgreement, Organisation
from sharing.models.registries import SharingPurpose

# domain-rules §7: a record past its review date counts as "not known" (810).
NOT_KNOWN_CODE = "810"


# --- participation of young people -----------------------------------------------------------


class ActivityCode(models.Model):
    """A national activity code (domain-rules §7), in force between two dates.

    Confirm the list against the current national data specification before
    go-live; a change is a new row with its own `effective_from`.
    """

    class Group(models.TextChoices):
        BELOW_LEAVING_AGE = "below_leaving_age", "Below school-leaving age"
        EDUCATION = "education", "Education"
        EMPLOYMENT = "employment", "Employment"
        TRAINING = "training", "Training"
        RE_ENGAGEMENT = "re_engagement", "Re-engagement"
        NEET = "neet", "Not in education, employment or training (NEET)"
        OTHER = "other", "Other"
        NOT_KNOWN = "not_known", "Not known"

    code = models.CharField(max_length=3, validators=[RegexValidator(r"^\d{3}$", "Use three digits.")])
    label = models.CharField(max_length=200)
    group = models.CharField(max_length=20, choices=Group.choices)
    # A local practice default for the review date the form offers (an editable value, not a rule).
    review_after_months = models.PositiveSmallIntegerField(
        default=6, help_text="The review date offered when this activity is confirmed."
    )
    specification = models.CharField(
        max_length=200, help_text="The national data specification this code comes from."
    )
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True, help_text="Empty while still in force.")

    class Meta:
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="one_activity_code_per_start"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="activity_code_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.label}"

    def in_force_on(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    @property
    def is_participating(self) -> bool:
        """In education, employment or training (the groups that count as participating)."""
        return self.group in (self.Group.EDUCATION, self.Group.EMPLOYMENT, self.Group.TRAINING)

    @property
    def is_not_known(self) -> bool:
        return self.group == self.Group.NOT_KNOWN


class ActivityRecord(AppendOnly):
    """A young person's activity as confirmed on a date, and when it must be confirmed again.

    The latest record (by date confirmed) is the current activity; past its
    review date it counts as "not known" (810) — the record itself is kept as
    it was confirmed.
    """

    class Source(models.TextChoices):
        YOUNG_PERSON = "young_person", "The young person"
        PARENT = "parent", "A parent or carer"
        SCHOOL_OR_COLLEGE = "school_or_college", "School, college or training provider"
        EMPLOYER = "employer", "Employer"
        AGENCY = "agency", "Another agency"
        DATA_MATCH = "data_match", "Data matching (for example enrolment lists)"

    person = models.ForeignKey(
        "cases.Person", on_delete=models.CASCADE, related_name="participation_activities"
    )
    code = models.ForeignKey(ActivityCode, on_delete=models.PROTECT, related_name="+")
    confirmed_on = models.DateField("Date confirmed")
    review_on = models.DateField("Review date", help_text="Confirm the activity again by this date.")
    source = models.CharField("Confirmed by", max_length=20, choices=Source.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person", "-confirmed_on", "-pk"]
        verbose_name = "participation activity"
        indexes = [models.Index(fields=["person", "confirmed_on"], name="activity_person_confirmed")]
        constraints = [
            models.CheckConstraint(
                condition=Q(review_on__gt=models.F("confirmed_on")), name="activity_review_after_confirmed"
            ),
        ]

    def __str__(self):
        return f"{self.code} confirmed {self.confirmed_on:%d %B %Y}"


class ContactAttempt(AppendOnly):
    """An attempt to find out what a young person is doing (domain-rules §7)."""

    class Method(models.TextChoices):
        PHONE = "phone", "Phone call"
        TEXT = "text", "Text message"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        VISIT = "visit", "Home visit"
        PROVIDER = "provider", "Through a school, college or provider"
        AGENCY = "agency", "Through another agency"

    class Result(models.TextChoices):
        CONFIRMED = "confirmed", "Activity confirmed"
        NO_REPLY = "no_reply", "No reply"
        MESSAGE_LEFT = "message_left", "Message left"
        WRONG_DETAILS = "wrong_details", "Contact details wrong"
        MOVED_AWAY = "moved_away", "Moved out of the area"
        REFUSED = "refused", "Refused to say"

    person = models.ForeignKey(
        "cases.Person", on_delete=models.CASCADE, related_name="participation_contacts"
    )
    on = models.DateField("Date of the attempt")
    method = models.CharField(max_length=20, choices=Method.choices)
    result = models.CharField(max_length=20, choices=Result.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person", "-on", "-pk"]
        verbose_name = "participation contact attempt"

    def __str__(self):
        return f"{self.get_method_display()} on {self.on:%d %B %Y}: {self.get_result_display().lower()}"


class FollowUpTask(models.Model):
    """Confirm a young person's activity again before its review date (domain-rules §7).

    One per activity record (or one open task for someone never confirmed), so
    the daily job is safe to run twice. Done once, when a new activity is
    recorded or a worker closes it.
    """

    person = models.ForeignKey("cases.Person", on_delete=models.CASCADE, related_name="participation_tasks")
    activity = models.OneToOneField(
        ActivityRecord, on_delete=models.CASCADE, null=True, blank=True, related_name="follow_up"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = "participation follow-up task"
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(activity__isnull=True, done_on__isnull=True),
                name="one_open_task_per_unconfirmed_person",
            ),
            models.CheckConstraint(
                condition=Q(done_on__isnull=True) | Q(done_by__isnull=False), name="follow_up_done_by_someone"
            ),
        ]

    def __str__(self):
        return f"Confirm activity by {self.due_on:%d %B %Y}"

    @property
    def is_open(self) -> bool:
        return self.done_on is None


class SeptemberGuaranteeOffer(AppendOnly):
    """The September Guarantee: an offer of a suitable place by the end of September for Year 11 and
    Year 12 leavers (domain-rules §7). The latest record for a person and academic year counts."""

    class Offer(models.TextChoices):
        FULL_TIME_EDUCATION = "full_time_education", "Offer made: full-time education"
        APPRENTICESHIP = "apprenticeship", "Offer made: apprenticeship"
        EMPLOYMENT_WITH_TRAINING = "employment_with_training", "Offer made: employment with training"
        TRAINING = "training", "Offer made: traineeship, supported internship or other training"
        NO_OFFER = "no_offer", "No offer made"
        NOT_APPROPRIATE = "not_appropriate", "Offer not appropriate (for example moved away or in custody)"
        NOT_KNOWN = "not_known", "Not known"

    person = models.ForeignKey("cases.Person", on_delete=models.CASCADE, related_name="september_offers")
    academic_year = models.PositiveSmallIntegerField(
        help_text="The year the academic year starts in: 2026 for 2026/27."
    )
    year_group = models.PositiveSmallIntegerField(help_text="The year the young person left: 11 or 12.")
    offer = models.CharField(max_length=30, choices=Offer.choices)
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person", "-academic_year", "-recorded_on", "-pk"]
        verbose_name = "September Guarantee offer"
        constraints = [
            models.CheckConstraint(condition=Q(year_group__in=[11, 12]), name="offer_for_year_11_or_12"),
        ]

    def __str__(self):
        return f"{self.get_offer_display()} ({self.academic_year}/{(self.academic_year + 1) % 100:02d})"

    @property
    def is_offer(self) -> bool:
        """Whether a place was offered (the September Guarantee's measure)."""
        return self.offer in OFFERS_MADE


OFFERS_MADE = {
    SeptemberGuaranteeOffer.Offer.FULL_TIME_EDUCATION,
    SeptemberGuaranteeOffer.Offer.APPRENTICESHIP,
    SeptemberGuaranteeOffer.Offer.EMPLOYMENT_WITH_TRAINING,
    SeptemberGuaranteeOffer.Offer.TRAINING,
}


# --- returns -----------------------------------------------------------------------------------


class ReturnKind(models.TextChoices):
    PARTICIPATION_MONTHLY = "participation_monthly", "Participation of young people: monthly extract"
    SEPTEMBER_GUARANTEE = "september_guarantee", "Participation of young people: September Guarantee"
    ACTIVITY_SURVEY = "activity_survey", "Participation of young people: activity survey at 1 November"
    PROGRAMME_RETURN = "programme_return", "National programme return"
    PROGRAMME_PROGRESS = "programme_progress", "National programme: quarterly progress summary"
    ONS_MATCHING = "ons_matching", "ONS research matching extract"
    ANONYMISED = "anonymised", "Anonymised return to the programme's department"


class ResearchProject(models.Model):
    """A research project a matching extract serves (domain-rules §6), and when the recipient must
    confirm it destroyed what it was sent (SPEC §6.3). No data about families."""

    reference = models.CharField(max_length=50, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    recipient = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="research_projects")
    agreement = models.ForeignKey(
        DataSharingAgreement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    destruction_confirmation_due_on = models.DateField(
        help_text="The recipient confirms destruction of the data by this date."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="research_project_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(destruction_confirmation_due_on__gte=models.F("ends_on")),
                name="research_destruction_after_end",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"


def return_file_upload_to(instance, filename: str) -> str:
    # A random name: the path says nothing about the return or the people in it.
    return f"sharing/returns/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class ReturnRunQuerySet(models.QuerySet):
    def current(self):
        """Runs no later run has superseded."""
        return self.filter(superseded_by__isnull=True)


class ReturnRun(models.Model):
    """One run of a return: a file, a Disclosure per person in the cohort, and a transfer record.

    The row holds no personal data (who ran it, the parameters, counts, the
    checksum); the file does, and is destroyed when it expires
    (`file_expires_on`; never, until destruction is confirmed, for ONS).
    """

    kind = models.CharField(max_length=30, choices=ReturnKind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    as_at = models.DateField(help_text="The date the figures describe.")
    recipient = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="return_runs")
    agreement = models.ForeignKey(
        DataSharingAgreement, on_delete=models.PROTECT, null=True, blank=True, related_name="return_runs"
    )
    purpose = models.ForeignKey(SharingPurpose, on_delete=models.PROTECT, related_name="+")
    research_project = models.ForeignKey(
        ResearchProject, on_delete=models.PROTECT, null=True, blank=True, related_name="runs"
    )
    parameters = models.JSONField(default=dict, blank=True)
    # The Disclosures of this run share this id (sharing.Disclosure.decision_id).
    decision_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    run_at = models.DateTimeField(auto_now_add=True)
    checked_on = models.DateField(help_text="The day the sharing check was run: the moment of use.")
    cohort_count = models.PositiveIntegerField(default=0)
    included_count = models.PositiveIntegerField(default=0)
    excluded_count = models.PositiveIntegerField(default=0)
    row_count = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)
    file = models.FileField(upload_to=return_file_upload_to, blank=True)
    file_name = models.CharField(max_length=200)
    file_sha256 = models.CharField("File SHA-256 checksum", max_length=64)
    file_size = models.PositiveIntegerField(default=0)
    file_expires_on = models.DateField(null=True, blank=True, help_text="Empty: kept until destruction.")
    file_destroyed_at = models.DateTimeField(null=True, blank=True)
    # Anonymised returns: a hash of the per-run pseudonym key, which is never stored (so no one can
    # reverse or link the pseudonyms), to show which key a file used without revealing it.
    pseudonym_key_sha256 = models.CharField(max_length=64, blank=True)
    disclosure_control = models.ForeignKey(
        "sharing.DisclosureControlPolicy", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ReturnRunQuerySet.as_manager()

    class Meta:
        ordering = ["-run_at", "-pk"]
        verbose_name = "return run"
        permissions = [("download_return_file", "Can download a return file again")]
        indexes = [models.Index(fields=["kind", "period_start", "period_end"], name="return_run_period")]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="return_period_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}, {self.period_label}"

    @property
    def period_label(self) -> str:
        if self.period_start == self.period_end:
            return f"{self.period_start.day} {self.period_start:%B %Y}"
        start, end = self.period_start, self.period_end
        return f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"

    @property
    def is_current(self) -> bool:
        try:
            self.superseded_by  # noqa: B018 - the reverse one-to-one raises when there is none
        except ReturnRun.DoesNotExist:
            return True
        return False

    @property
    def file_available(self) -> bool:
        return bool(self.file) and self.file_destroyed_at is None


class TransferRecord(models.Model):
    """How a return's file went to its recipient (SPEC §6.3): checksum, rows, recipient, method,
    agreement, sent date — and, for research data, the recipient's confirmation of destruction.

    Made with the run (not sent yet); the DPO records the sending and, later,
    the confirmation. Each step is recorded once, by someone, on a date.
    """

    run = models.OneToOneField(ReturnRun, on_delete=models.CASCADE, related_name="transfer")
    recipient = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(
        DataSharingAgreement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    method = models.CharField(max_length=20, choices=TransferMethod.choices)
    file_sha256 = models.CharField("File SHA-256 checksum", max_length=64)
    row_count = models.PositiveIntegerField()
    research_project = models.ForeignKey(
        ResearchProject, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers"
    )
    sent_on = models.DateField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    destruction_confirmation_due_on = models.DateField(null=True, blank=True)
    destruction_confirmed_on = models.DateField(null=True, blank=True)
    destruction_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    destruction_evidence = models.CharField(
        max_length=300, blank=True, help_text="For example the recipient's certificate reference."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sent_on__isnull=True) | Q(sent_by__isnull=False), name="transfer_sent_by_someone"
            ),
            models.CheckConstraint(
                condition=Q(destruction_confirmed_on__isnull=True)
                | Q(destruction_confirmed_by__isnull=False, sent_on__isnull=False),
                name="destruction_confirmed_after_sending",
            ),
        ]

    def __str__(self):
        sent = f"sent {self.sent_on:%d %B %Y}" if self.sent_on else "not sent yet"
        return f"Transfer to {self.recipient}, {sent}"

    def confirmation_overdue(self, on: date) -> bool:
        return (
            self.sent_on is not None
            and self.destruction_confirmation_due_on is not None
            and self.destruction_confirmed_on is None
            and self.destruction_confirmation_due_on < on
        )
