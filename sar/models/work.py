"""The work of answering a subject access request (SPEC §8.1, domain-rules §2).

A compilation is a snapshot of everything held about the subject, made by a
worker task (`sar.tasks.compile_sar`) with its progress recorded as it runs.
Each item is one record, as labelled fields. Other people named in the
material are proposed for redaction automatically; the reviewer withholds or
discloses each with the ground relied on, and every decision is a new row (the
redaction log). A reviewer's sign-off on the compilation is needed before a
package can be made, and manual searches (paper files, partners holding data
under an agreement) must be done first.

Retention (domain-rules §8): the compilation, its items, redactions,
decisions, sign-off and search tasks are the SAR case file (2 years after the
request closed); a package's files are purged on the package policy (30 days
after it is made). None of these rows points at a Person by a foreign key, so a
working copy never holds a person back from destruction nor vanishes with them
mid-review; a redaction keeps the person's id only as a number.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from sar.models.registers import SubjectAccessRequest


class Section(models.TextChoices):
    """The parts of a package, in the order the requester reads them."""

    ABOUT_YOU = "about_you", "Your details"
    FAMILIES = "families", "Your family and where you lived"
    REFERRALS = "referrals", "Referrals to the service"
    CASES = "cases", "Our involvement (cases)"
    PROGRAMME = "programme", "Assessments, plans, reviews and outcomes"
    NOTES = "notes", "Case notes"
    DOCUMENTS = "documents", "Documents and paper files"
    CONSENT = "consent", "Your agreements and choices (consent)"
    SHARING = "sharing", "Who we shared information with"
    EXTERNAL = "external", "Information from other organisations' systems"
    REQUESTS = "requests", "Your requests and complaints to us"
    OTHER = "other", "Other records"
    HISTORY = "history", "Changes to your records"
    ACCESS = "access", "Who looked at your records"


class SarCompilation(models.Model):
    """One run of gathering everything about the subject, with its progress (SPEC §8.1)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Compiling"
        DONE = "done", "Compiled"
        FAILED = "failed", "Failed"

    request = models.ForeignKey(SubjectAccessRequest, on_delete=models.CASCADE, related_name="compilations")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=200, blank=True)
    percent = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The exception's class only: its message could carry personal data into the page.
    error = models.CharField(max_length=200, blank=True)
    item_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = "SAR compilation"
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="sar_compilation_percent_at_most_100"),
        ]

    def __str__(self):
        return f"Compilation {self.pk} for {self.request}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE


class SarItem(models.Model):
    """One record in the compilation, as labelled fields: what the PDF shows and the ZIP holds.

    `fields` is a list of {"label", "value", "scan"}; `scan` marks free text in
    which other people may be named (staff in their role, in structured fields,
    are not scanned: naming them is normally reasonable, domain-rules §2).
    """

    compilation = models.ForeignKey(SarCompilation, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    section = models.CharField(max_length=20, choices=Section.choices)
    # Where it came from: "app_label.model" and the primary key.
    source_label = models.CharField(max_length=100)
    source_pk = models.CharField(max_length=64)
    title = models.CharField(max_length=300)
    occurred_on = models.DateField(null=True, blank=True)
    fields = models.JSONField(default=list)

    class Meta:
        ordering = ["compilation", "position"]
        verbose_name = "SAR item"
        indexes = [models.Index(fields=["compilation", "section", "position"], name="sar_item_order")]

    def __str__(self):
        return self.title

    @property
    def is_document(self) -> bool:
        return self.source_label == "cases.document"


class Redaction(models.Model):
    """A proposed redaction: a span of one field, or (with no field) the whole item.

    Proposed automatically (another person named, a document or sensitive
    record to check) or added by the reviewer. What happens to it is decided in
    `RedactionDecision` rows; the latest one counts.
    """

    class Reason(models.TextChoices):
        FAMILY_MEMBER = "family_member", "Another member of the family"
        KNOWN_PERSON = "known_person", "Another person known to the service"
        NAME_IN_TEXT = "name_in_text", "A name found in the text"
        REFERRER = "referrer", "The person who made a referral"
        STAFF = "staff", "Council staff acting in their role"
        PROFESSIONAL = "professional", "A professional from another agency, acting in their role"
        DOCUMENT = "document", "A document: check it before it is released"
        SENSITIVE = "sensitive", "Marked sensitive by the worker: check it before it is released"
        MANUAL = "manual", "Added by the reviewer"

    class Suggestion(models.TextChoices):
        WITHHOLD = "withhold", "Withhold unless disclosure is reasonable"
        REVIEW = "review", "Check before release"
        DISCLOSE = "disclose", "Normally disclosed"

    item = models.ForeignKey(SarItem, on_delete=models.CASCADE, related_name="redactions")
    field_index = models.PositiveSmallIntegerField(null=True, blank=True)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    suggestion = models.CharField(max_length=10, choices=Suggestion.choices)
    # A number, not a foreign key (module docstring).
    person_id = models.BigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "field_index", "start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(field_index__isnull=True, start__isnull=True, end__isnull=True)
                | Q(field_index__isnull=False, start__isnull=False, end__gt=models.F("start")),
                name="redaction_is_a_span_or_the_whole_item",
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.text[:40]}" if self.text else self.get_reason_display()

    @property
    def is_whole_item(self) -> bool:
        return self.field_index is None

    @property
    def needs_decision(self) -> bool:
        """Staff and professionals are disclosed unless the reviewer decides otherwise (domain-rules §2)."""
        return self.suggestion != self.Suggestion.DISCLOSE


class Ground(models.TextChoices):
    """Why information is withheld (DPA 2018 Sch 2 para 16; Sch 3 paras 7, 19, 21; domain-rules §2)."""

    THIRD_PARTY = "third_party", "Information about another person (DPA 2018 Sch 2 para 16)"
    SERIOUS_HARM = (
        "serious_harm",
        "Serious harm to someone's physical or mental health (DPA 2018 Sch 3 para 7)",
    )
    CHILD_EXPECTATION = (
        "child_expectation",
        "Given by a child who expected it would not be disclosed to the parent (DPA 2018 Sch 3 para 8)",
    )
    CHILD_ABUSE_DATA = (
        "child_abuse_data",
        "Child abuse data not in the child's best interests to disclose (DPA 2018 Sch 3 para 21)",
    )


class RedactionDecision(models.Model):
    """The reviewer's decision on one redaction; a change of mind is a new row (the redaction log)."""

    class Decision(models.TextChoices):
        WITHHOLD = "withhold", "Withhold (accept the redaction)"
        DISCLOSE = "disclose", "Disclose (reject the redaction)"

    redaction = models.ForeignKey(Redaction, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    ground = models.CharField(max_length=20, choices=Ground.choices, blank=True)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["redaction", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="disclose", ground="") | (Q(decision="withhold") & ~Q(ground="")),
                name="withheld_with_a_ground",
                violation_error_message="Give the ground for withholding; a disclosure has none.",
            ),
        ]

    def __str__(self):
        return f"{self.get_decision_display()} by {self.by}"


class SarSignOff(models.Model):
    """The reviewer's sign-off: nothing leaves without it (SPEC §8.1)."""

    compilation = models.OneToOneField(SarCompilation, on_delete=models.CASCADE, related_name="sign_off")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    statement = models.TextField(blank=True)

    class Meta:
        verbose_name = "SAR sign-off"

    def __str__(self):
        return f"Signed off by {self.by}"


class SarSearchTask(models.Model):
    """A search the system cannot do itself: paper files, or a partner holding data under an agreement."""

    class Kind(models.TextChoices):
        PAPER_FILE = "paper_file", "Paper files"
        PARTNER = "partner", "Data held by a partner under an agreement"
        OTHER = "other", "Other search"

    class Outcome(models.TextChoices):
        FOUND = "found", "Information found and added to the response"
        NOTHING_FOUND = "nothing_found", "Nothing about the subject found"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    request = models.ForeignKey(SubjectAccessRequest, on_delete=models.CASCADE, related_name="search_tasks")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What an automatically made task came from ("cases.paperrecord:12"), so compiling again adds no twin.
    source_key = models.CharField(max_length=100, blank=True)
    description = models.TextField(help_text="What to search and where.")
    organisation = models.ForeignKey(
        "sharing.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField("Due by", null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["request", "completed_on", "due_on", "pk"]
        verbose_name = "SAR search task"
        constraints = [
            models.UniqueConstraint(
                fields=["request", "source_key"],
                condition=~Q(source_key=""),
                name="one_search_task_per_source",
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True, outcome="")
                | (Q(completed_on__isnull=False) & ~Q(outcome="")),
                name="search_task_done_with_an_outcome",
                violation_error_message="A finished search has an outcome and a date; an open one neither.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.description[:50]}"

    @property
    def is_done(self) -> bool:
        return self.completed_on is not None


def package_upload_to(instance, filename: str) -> str:
    """A random name that says nothing about the requester (SPEC §9)."""
    suffix = filename.rsplit(".", 1)[-1].lower()
    return f"sar/packages/{secrets.token_hex(16)}.{suffix}"


class SarPackage(models.Model):
    """The response: a PDF to read and an AES-encrypted ZIP of the same material as JSON and CSV.

    The ZIP is made at once (its password is never stored, so it cannot wait for
    a worker); the PDF, slow for a large file, is drawn by a worker task
    (`sar.tasks.render_package_pdf`) and is empty until then. Downloadable only
    by the DPO who made it, until it expires; then purged (files deleted, this
    row kept with the date) by `purge_expired_packages`.
    """

    request = models.ForeignKey(SubjectAccessRequest, on_delete=models.CASCADE, related_name="packages")
    compilation = models.ForeignKey(SarCompilation, on_delete=models.CASCADE, related_name="packages")
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # The sar_package retention policy version that set the expiry.
    policy_version = models.PositiveIntegerField()
    pdf = models.FileField(upload_to=package_upload_to, blank=True)
    archive = models.FileField("ZIP file", upload_to=package_upload_to, blank=True)
    # Why drawing the PDF failed (the exception's class only); empty while waiting or once drawn.
    pdf_error = models.CharField(max_length=200, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-made_at", "-pk"]
        verbose_name = "SAR package"
        indexes = [models.Index(fields=["purged_at", "expires_at"], name="sar_package_expiry")]

    def __str__(self):
        return f"Package {self.pk} for {self.request}"

    def is_expired(self, *, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at

    @property
    def is_available(self) -> bool:
        return self.purged_at is None and not self.is_expired()

    @property
    def pdf_ready(self) -> bool:
        return bool(self.pdf)
