"""The DPO's registers: subject access and other rights requests, FOI requests, complaints (SPEC §8).

Deadlines are never stored: they are computed from the recorded dates by
`sar.deadlines`, so correcting a date corrects the deadline. Every register
holds personal data (the requester's, the subject's) and keeps its change
history; those history rows are personal data too and the retention sweep
destroys them with the SAR or FOI case file (domain-rules §8).
"""

import secrets
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from sar import deadlines

# Crockford's base32 without I, L, O, U: easy to read aloud on the phone.
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# The dashboard shows a request amber when it is due within this many days.
AMBER_WITHIN_DAYS = 7


def _new_reference(prefix: str) -> str:
    chars = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"{prefix}-{chars[:4]}-{chars[4:]}"


def new_sar_reference() -> str:
    """A random reference such as "SAR-7K3M-9QX2", derived from no personal data."""
    return _new_reference("SAR")


def new_rights_reference() -> str:
    return _new_reference("RTS")


def new_foi_reference() -> str:
    return _new_reference("FOI")


def new_complaint_reference() -> str:
    return _new_reference("DPC")


def long_date(day: date) -> str:
    """A date as the letters and messages say it: "3 October 2025"."""
    return f"{day.day} {day:%B %Y}"


class Rag(models.TextChoices):
    RED = "red", "Red: overdue"
    AMBER = "amber", f"Amber: due within {AMBER_WITHIN_DAYS} days"
    GREEN = "green", "Green: on track"


def rag_for(due: date | None, *, today: date) -> Rag | None:
    """Red once past the due date, amber on it and in the 7 days before, green otherwise; None without one."""
    if due is None:
        return None
    if today > due:
        return Rag.RED
    if (due - today).days <= AMBER_WITHIN_DAYS:
        return Rag.AMBER
    return Rag.GREEN


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _on_or_after(later: str, earlier: str, name: str, message: str) -> models.CheckConstraint:
    """A database guard that `later` is blank or not before `earlier`, with the message the form shows."""
    return models.CheckConstraint(
        condition=Q(**{f"{later}__isnull": True}) | Q(**{f"{later}__gte": F(earlier)}),
        name=name,
        violation_error_message=message,
    )


# Messages shared by clean() (shown next to the field) and the constraints (the database's guard).
IDENTITY_ASKED_EARLY = "Identity evidence cannot be asked for before the request was received."
IDENTITY_ARRIVED_EARLY = (
    "Identity evidence cannot arrive before the request was received. "
    "If it came with the request, give the date received."
)
FEE_ASKED_EARLY = "A fee cannot be asked for before the request was received."
FEE_ARRIVED_EARLY = "A fee cannot arrive before the request was received."
EXTENSION_TOLD_EARLY = "The requester cannot be told about an extension before the request was received."
CLOSED_EARLY = "A request cannot be closed before it was received."
DECIDED_EARLY = "A decision cannot be made before the request was received."
PAUSE_ENDS_EARLY = "A pause cannot end before it starts."
FOI_ANSWERED_EARLY = "A request cannot be answered before it was received."
CLARIFICATION_ARRIVED_EARLY = "Clarification cannot arrive before it was asked for."
FEE_PAID_EARLY = "A fee cannot be paid before the fees notice was given."
CLARIFICATION_ASKED_EARLY = "Clarification cannot be asked for before the request was received."
CLARIFICATION_NOT_ASKED = "Give the date clarification was asked for."
FEE_NOTICE_EARLY = "A fees notice cannot be given before the request was received."
FEE_NOTICE_MISSING = "Give the date the fees notice was given."
ACKNOWLEDGED_EARLY = "A complaint cannot be acknowledged before it was received."
OUTCOME_EARLY = "A complaint's outcome cannot come before the complaint was received."
ICO_EARLY = "The ICO cannot be involved before the complaint was received."
LIFTED_EARLY = "A restriction cannot be lifted before it was granted."
LIFTED_NOT_RESTRICTION = "Only a granted restriction can be lifted."


class OneMonthRequest(models.Model):
    """A request under UK GDPR Arts 15-21: the one-month clock, its start and its extension.

    Domain-rules §2 and §3: the clock starts on the latest of receipt, the
    identity evidence asked for, and a permitted fee; while either is awaited
    it has not started. It may be extended by two months for complex or
    numerous requests if the requester is told, with reasons, within the first
    month.
    """

    received_on = models.DateField("Date received")
    identity_requested_on = models.DateField(
        "Identity evidence asked for on",
        null=True,
        blank=True,
        help_text="Only when identity is in reasonable doubt: the clock starts when the evidence arrives.",
    )
    identity_received_on = models.DateField("Identity evidence received on", null=True, blank=True)
    fee_requested_on = models.DateField(
        "Fee asked for on",
        null=True,
        blank=True,
        help_text="Only for a manifestly unfounded or excessive request, or extra copies.",
    )
    fee_received_on = models.DateField("Fee received on", null=True, blank=True)
    extended = models.BooleanField(
        "Extended by two months", default=False, help_text="For complex or numerous requests only."
    )
    extension_reason = models.TextField(blank=True)
    extension_notified_on = models.DateField("Requester told of the extension on", null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The officer answering it: deadline reminders go to them (to the DPO's team when blank).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-received_on"]
        constraints = [
            _on_or_after(
                "identity_requested_on",
                "received_on",
                "%(class)s_identity_asked_after_receipt",
                IDENTITY_ASKED_EARLY,
            ),
            _on_or_after(
                "identity_received_on",
                "received_on",
                "%(class)s_identity_after_receipt",
                IDENTITY_ARRIVED_EARLY,
            ),
            _on_or_after(
                "fee_requested_on", "received_on", "%(class)s_fee_asked_after_receipt", FEE_ASKED_EARLY
            ),
            _on_or_after("fee_received_on", "received_on", "%(class)s_fee_after_receipt", FEE_ARRIVED_EARLY),
            _on_or_after(
                "extension_notified_on",
                "received_on",
                "%(class)s_extension_told_after_receipt",
                EXTENSION_TOLD_EARLY,
            ),
        ]

    # --- the clock ---

    @property
    def is_open(self) -> bool:
        raise NotImplementedError

    @property
    def awaiting_identity(self) -> bool:
        return self.identity_requested_on is not None and self.identity_received_on is None

    @property
    def awaiting_fee(self) -> bool:
        return self.fee_requested_on is not None and self.fee_received_on is None

    @property
    def start_date(self) -> date | None:
        """The day the clock starts, or None while identity evidence or a fee is awaited."""
        if self.received_on is None or self.awaiting_identity or self.awaiting_fee:
            return None
        return deadlines.sar_start_date(
            self.received_on, identity_received=self.identity_received_on, fee_received=self.fee_received_on
        )

    @property
    def paused_days(self) -> int:
        return 0

    @property
    def due_date(self) -> date | None:
        start = self.start_date
        if start is None:
            return None
        return deadlines.sar_due_date(start, extended=self.extended, paused_days=self.paused_days)

    @property
    def extension_notice_deadline(self) -> date | None:
        start = self.start_date
        if start is None:
            return None
        return deadlines.extension_notice_deadline(start, paused_days=self.paused_days)

    def due_date_on(self, today: date) -> date | None:
        """The due date as it stands on `today` (a running pause moves it on day by day)."""
        return self.due_date

    def rag_on(self, today: date) -> Rag | None:
        """Red, amber or green on `today`; None once closed or before the clock starts."""
        if not self.is_open:
            return None
        return rag_for(self.due_date_on(today), today=today)

    @property
    def rag(self) -> Rag | None:
        return self.rag_on(timezone.localdate())

    # --- validation ---

    def _clean_clock(self, errors: dict[str, list[str]]) -> None:
        received = self.received_on
        if received is not None:
            for field, message in (
                ("identity_requested_on", IDENTITY_ASKED_EARLY),
                ("identity_received_on", IDENTITY_ARRIVED_EARLY),
                ("fee_requested_on", FEE_ASKED_EARLY),
                ("fee_received_on", FEE_ARRIVED_EARLY),
                ("extension_notified_on", EXTENSION_TOLD_EARLY),
            ):
                value = getattr(self, field)
                if value is not None and value < received:
                    _add(errors, field, message)
        if not self.extended:
            return
        if not self.extension_reason.strip():
            _add(
                errors,
                "extension_reason",
                "Give the reason for the extension: why the request is complex or numerous.",
            )
        if self.extension_notified_on is None:
            _add(
                errors,
                "extension_notified_on",
                "Give the date the requester was told about the extension and why.",
            )
        if received is None:
            return
        deadline = self.extension_notice_deadline
        if deadline is None:
            _add(
                errors,
                "extended",
                "The clock has not started (identity evidence or a fee is awaited): "
                "there is nothing to extend yet.",
            )
        elif self.extension_notified_on is not None and self.extension_notified_on > deadline:
            # Art 12(3): the requester is told within the first month (domain-rules §2).
            _add(
                errors,
                "extension_notified_on",
                f"The requester must be told about an extension within the first month, by "
                f"{long_date(deadline)}. It is too late to extend this request.",
            )


class SubjectAccessRequest(OneMonthRequest):
    """A request for a copy of someone's personal data (UK GDPR Art 15; SPEC §8.1, domain-rules §2)."""

    class Relationship(models.TextChoices):
        SELF = "self", "The data subject"
        PARENT = "parent", "Parent with parental responsibility"
        REPRESENTATIVE = "representative", "Representative with written authority"
        OTHER = "other", "Other"

    class Channel(models.TextChoices):
        # Any channel, verbally too; the words "subject access" are not needed (domain-rules §2).
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        IN_PERSON = "in_person", "In person"
        PHONE = "phone", "Phone"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        AWAITING_IDENTITY = "awaiting_identity", "Awaiting identity evidence"
        AWAITING_CLARIFICATION = "awaiting_clarification", "Awaiting clarification"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class RefusalGround(models.TextChoices):
        # UK GDPR Art 12(5) and (6); DPA 2018 Schedules 2-3 (domain-rules §2).
        MANIFESTLY_UNFOUNDED = "unfounded", "Manifestly unfounded"
        MANIFESTLY_EXCESSIVE = (
            "excessive",
            "Manifestly excessive (for example a repeat of an answered request)",
        )
        IDENTITY_NOT_PROVEN = "identity", "Identity not proven"
        NO_AUTHORITY = "authority", "No authority to act for the person"
        EXEMPTION = "exemption", "An exemption applies to all the information"

    CLOSED_STATUSES = (Status.COMPLETED, Status.REFUSED, Status.WITHDRAWN)
    WORK_STARTED_STATUSES = (Status.IN_PROGRESS, Status.COMPLETED)

    reference = models.CharField(max_length=20, unique=True, default=new_sar_reference, editable=False)
    requester_name = models.CharField(max_length=200)
    requester_contact = models.TextField(help_text="Address, email or phone number for the reply.")
    requester_relationship = models.CharField(
        "Requester is", max_length=20, choices=Relationship.choices, default=Relationship.SELF
    )
    authority_evidence = models.TextField(
        "Evidence of authority",
        blank=True,
        help_text="For a request made for someone else: what was seen (parental responsibility, "
        "written authority, lasting power of attorney, deputyship) and when.",
    )
    subject = models.ForeignKey(
        "cases.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subject_access_requests",
        help_text="The person whose data is asked for.",
    )
    subject_not_found = models.BooleanField(
        default=False, help_text="We searched and hold no record of the person."
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.RECEIVED)
    child_competence_consideration = models.TextField(
        "Child's competence and views",
        blank=True,
        help_text="For a child's data asked for by a parent: whether the child understands their "
        "rights, what they want, and whether disclosure is in their interests.",
    )
    senior_review = models.BooleanField(
        "Referred for senior review", default=False, help_text="Abuse allegations or court orders."
    )
    refusal_ground = models.CharField(max_length=20, choices=RefusalGround.choices, blank=True)
    refusal_reason = models.TextField(
        "Reasons for refusing",
        blank=True,
        help_text="In plain English: they go to the requester in the letter.",
    )
    closed_on = models.DateField(null=True, blank=True)
    # The same requester asking again about the same subject: linked so both are answered together
    # (or the repeat treated as manifestly excessive, UK GDPR Art 12(5)), never silently dropped.
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        help_text="An earlier request from the same requester about the same person.",
    )

    history = HistoricalRecords()

    class Meta(OneMonthRequest.Meta):
        verbose_name = "subject access request"
        constraints = [
            *OneMonthRequest.Meta.constraints,
            models.CheckConstraint(
                condition=~Q(duplicate_of=F("pk")),
                name="sar_not_a_duplicate_of_itself",
                violation_error_message="A request cannot be a duplicate of itself.",
            ),
            models.CheckConstraint(
                condition=Q(subject__isnull=True) | Q(subject_not_found=False),
                name="sar_subject_or_not_found",
                violation_error_message="Choose the subject's record or tick 'subject not found', not both.",
            ),
            _on_or_after("closed_on", "received_on", "sar_closed_after_receipt", CLOSED_EARLY),
            models.CheckConstraint(
                condition=(
                    Q(status__in=["completed", "refused", "withdrawn"], closed_on__isnull=False)
                    | (~Q(status__in=["completed", "refused", "withdrawn"]) & Q(closed_on__isnull=True))
                ),
                name="sar_closed_date_matches_status",
                violation_error_message="A completed, refused or withdrawn request has a closed date; "
                "an open one has none.",
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status not in self.CLOSED_STATUSES

    def _pauses(self) -> list["RequestPause"]:
        # .all() uses prefetch_related("pauses") when the list page asked for it.
        return list(self.pauses.all()) if self.pk else []

    @property
    def current_pause(self) -> "RequestPause | None":
        return next((p for p in self._pauses() if p.ended_on is None), None)

    @property
    def paused_days(self) -> int:
        """Days the clock stood still: each closed pause, first and last day included (domain-rules §2).

        Days before the clock started are not counted: there was no clock to stop.
        """
        start = self.start_date
        if start is None:
            return 0
        return sum(pause.days_after(start) for pause in self._pauses() if pause.ended_on is not None)

    def due_date_on(self, today: date) -> date | None:
        """The due date as it stands on `today`: a pause still running counts up to today."""
        start = self.start_date
        if start is None:
            return None
        running = self.current_pause
        extra = running.days_after(start, until=today) if running is not None else 0
        return deadlines.sar_due_date(start, extended=self.extended, paused_days=self.paused_days + extra)

    def clean(self):
        errors: dict[str, list[str]] = {}
        self._clean_clock(errors)
        if self.subject_id is not None and self.subject_not_found:
            _add(
                errors,
                "subject_not_found",
                "Choose the subject's record or tick 'subject not found', not both.",
            )
        if self.status in self.CLOSED_STATUSES and self.closed_on is None:
            _add(errors, "closed_on", "Give the date the request was completed, refused or withdrawn.")
        if self.status not in self.CLOSED_STATUSES and self.closed_on is not None:
            _add(errors, "closed_on", "Only a completed, refused or withdrawn request has a closed date.")
        if self.closed_on and self.received_on and self.closed_on < self.received_on:
            _add(errors, "closed_on", CLOSED_EARLY)
        if self.status == self.Status.AWAITING_IDENTITY and not self.awaiting_identity:
            _add(
                errors,
                "status",
                "A request awaiting identity evidence needs the date it was asked for "
                "and no date it arrived.",
            )
        if self.status == self.Status.COMPLETED and self.subject_id is None and not self.subject_not_found:
            _add(
                errors,
                "subject",
                "Link the subject's record, or tick 'subject not found', before completing.",
            )
        if (
            self.requester_relationship != self.Relationship.SELF
            and self.status in self.WORK_STARTED_STATUSES
            and not self.authority_evidence.strip()
        ):
            # Domain-rules §2: a parent or representative needs authority to act.
            _add(
                errors,
                "authority_evidence",
                "Note the evidence of parental responsibility or written authority before work starts "
                "on a request made for someone else.",
            )
        if (
            self.requester_relationship == self.Relationship.PARENT
            and self.status == self.Status.COMPLETED
            and not self.child_competence_consideration.strip()
        ):
            # Domain-rules §2: the right is the child's; record the competence decision per request.
            _add(
                errors,
                "child_competence_consideration",
                "Record how the child's competence and views were considered before completing "
                "a parent's request.",
            )
        if self.status == self.Status.REFUSED and not self.refusal_reason.strip():
            _add(
                errors,
                "refusal_reason",
                "Give the reasons for refusing: they go to the requester with their right to complain.",
            )
        if errors:
            raise ValidationError(errors)


class RequestPause(models.Model):
    """The clock stopped while clarification the request genuinely needs is awaited (domain-rules §2).

    A pause with no end date is still running. Its days, first and last
    included, are added to the due date before the weekend and bank holiday
    roll-forward.
    """

    request = models.ForeignKey(SubjectAccessRequest, on_delete=models.CASCADE, related_name="pauses")
    started_on = models.DateField("Clarification asked for on")
    ended_on = models.DateField("Clarification received on", null=True, blank=True)
    reason = models.TextField(help_text="What clarification was asked for, and why it is needed.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["request", "started_on"]
        constraints = [_on_or_after("ended_on", "started_on", "pause_ends_after_it_starts", PAUSE_ENDS_EARLY)]

    def __str__(self):
        until = long_date(self.ended_on) if self.ended_on else "now"
        return f"Paused {long_date(self.started_on)} to {until}"

    def days_after(self, start: date, *, until: date | None = None) -> int:
        """Days of this pause on or after `start`, both ends included; a running pause runs to `until`."""
        last = self.ended_on or until
        if last is None:
            return 0
        first = max(self.started_on, start)
        return max((last - first).days + 1, 0)

    def clean(self):
        errors: dict[str, list[str]] = {}
        if self.ended_on is not None and self.started_on is not None and self.ended_on < self.started_on:
            _add(errors, "ended_on", PAUSE_ENDS_EARLY)
        request = self._request_or_none()
        if request is not None and self.started_on is not None:
            if request.received_on and self.started_on < request.received_on:
                _add(errors, "started_on", "A pause cannot start before the request was received.")
            overlapping = self._overlapping(request)
            if overlapping is not None:
                _add(
                    errors,
                    "started_on",
                    f"This pause overlaps another pause of the same request ({overlapping}); "
                    "a day can be paused only once.",
                )
        if errors:
            raise ValidationError(errors)

    def _request_or_none(self) -> SubjectAccessRequest | None:
        try:
            return self.request
        except SubjectAccessRequest.DoesNotExist:
            return None

    def _overlapping(self, request: SubjectAccessRequest) -> "RequestPause | None":
        if request.pk is None:
            return None
        far_future = date.max
        mine = (self.started_on, self.ended_on or far_future)
        for other in request.pauses.exclude(pk=self.pk) if self.pk else request.pauses.all():
            theirs = (other.started_on, other.ended_on or far_future)
            if mine[0] <= theirs[1] and theirs[0] <= mine[1]:
                return other
        return None


class RightsRequest(OneMonthRequest):
    """A request for rectification, erasure, restriction or objection (UK GDPR Arts 16-21; SPEC §8.2).

    Same one-month clock and extension rules as subject access (domain-rules §3).
    """

    class Kind(models.TextChoices):
        RECTIFICATION = "rectification", "Rectification"
        ERASURE = "erasure", "Erasure"
        RESTRICTION = "restriction", "Restriction of processing"
        OBJECTION = "objection", "Objection to processing"

    class Decision(models.TextChoices):
        GRANTED = "granted", "Granted"
        PARTLY = "partly", "Partly granted"
        REFUSED = "refused", "Refused"

    reference = models.CharField(max_length=20, unique=True, default=new_rights_reference, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    requester_name = models.CharField(max_length=200)
    requester_contact = models.TextField(help_text="Address, email or phone number for the reply.")
    subject = models.ForeignKey(
        "cases.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="rights_requests"
    )
    details = models.TextField("What is asked for")
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(
        blank=True,
        help_text="E.g. erasure refused because the processing is needed for a legal duty or public task.",
    )
    decided_on = models.DateField(null=True, blank=True)
    # A granted restriction stays in force until lifted (UK GDPR Art 18(3): the person is told first).
    lifted_on = models.DateField(
        "Restriction lifted on",
        null=True,
        blank=True,
        help_text="Only for a granted restriction: the day it stopped applying.",
    )

    history = HistoricalRecords()

    # Decisions under which a restriction applies; a partly granted one still restricts what it covers,
    # so disclosure treats it as in force (SPEC §8.2).
    RESTRICTING_DECISIONS = (Decision.GRANTED, Decision.PARTLY)

    class Meta(OneMonthRequest.Meta):
        verbose_name = "rights request"
        constraints = [
            *OneMonthRequest.Meta.constraints,
            _on_or_after("decided_on", "received_on", "rights_decided_after_receipt", DECIDED_EARLY),
            _on_or_after("lifted_on", "decided_on", "restriction_lifted_after_decision", LIFTED_EARLY),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.decided_on is None

    def clean(self):
        errors: dict[str, list[str]] = {}
        self._clean_clock(errors)
        if self.decision and self.decided_on is None:
            _add(errors, "decided_on", "Give the date of the decision.")
        if self.decided_on is not None and not self.decision:
            _add(errors, "decision", "Record the decision made on this date.")
        if self.decided_on and self.received_on and self.decided_on < self.received_on:
            _add(errors, "decided_on", DECIDED_EARLY)
        if self.lifted_on is not None:
            if self.kind != self.Kind.RESTRICTION or self.decision not in self.RESTRICTING_DECISIONS:
                _add(errors, "lifted_on", LIFTED_NOT_RESTRICTION)
            elif self.decided_on and self.lifted_on < self.decided_on:
                _add(errors, "lifted_on", LIFTED_EARLY)
        if (
            self.decision in (self.Decision.PARTLY, self.Decision.REFUSED)
            and not self.decision_reason.strip()
        ):
            _add(
                errors,
                "decision_reason",
                "Give the reasons: they go to the person with their right to complain to the ICO.",
            )
        if errors:
            raise ValidationError(errors)


class FOIRequest(models.Model):
    """A Freedom of Information request (SPEC §8.3, domain-rules §10).

    Holds no personal data about families: only what is needed to reply to the
    requester. A request for the requester's own data is a SAR (FOIA s.40(1)).
    """

    class RequesterType(models.TextChoices):
        INDIVIDUAL = "individual", "Member of the public"
        MEDIA = "media", "Journalist or media"
        BUSINESS = "business", "Business"
        CAMPAIGN = "campaign", "Campaign or interest group"
        RESEARCHER = "researcher", "Researcher or student"
        ELECTED = "elected", "Elected representative"
        PUBLIC_BODY = "public_body", "Public body"
        OTHER = "other", "Other"

    class Outcome(models.TextChoices):
        FULL = "full", "Information provided in full"
        PARTIAL = "partial", "Partly provided"
        REFUSED = "refused", "Refused"
        NOT_HELD = "not_held", "Not held"
        TRANSFERRED = "transferred", "Transferred to another authority"
        NEITHER_CONFIRM_NOR_DENY = "ncnd", "Neither confirm nor deny"
        # FOIA s.40(1): the requester's own personal data is answered under subject access instead.
        CONVERTED = "converted", "Handled as a subject access request"

    NEEDS_EXEMPTIONS = (Outcome.PARTIAL, Outcome.REFUSED, Outcome.NEITHER_CONFIRM_NOR_DENY)
    MAX_EXTENSION_WORKING_DAYS = 20

    reference = models.CharField(max_length=20, unique=True, default=new_foi_reference, editable=False)
    received_on = models.DateField("Date received")
    requester_type = models.CharField(max_length=20, choices=RequesterType.choices)
    # FOIA s.8(1)(b): a valid request gives a name and an address for correspondence.
    requester_name = models.CharField(max_length=200)
    reply_address = models.TextField(help_text="Email or postal address for the reply.")
    request_text = models.TextField("Request")
    clarification_requested_on = models.DateField(null=True, blank=True)
    clarification_received_on = models.DateField(
        null=True, blank=True, help_text="The 20 working days start again from this day."
    )
    fee_notice_given_on = models.DateField("Fees notice given on", null=True, blank=True)
    fee_paid_on = models.DateField(
        null=True, blank=True, help_text="Working days from the fees notice to payment do not count."
    )
    extension_working_days = models.PositiveSmallIntegerField(
        "Public interest extension (working days)",
        default=0,
        help_text="At most 20 further working days (ICO).",
    )
    extension_notified_on = models.DateField(
        "Refusal notice announcing the extension sent on", null=True, blank=True
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    exemptions = models.TextField(blank=True, help_text="Sections relied on, e.g. s.40(2), s.43(2).")
    answered_on = models.DateField(null=True, blank=True)
    internal_review_reference = models.CharField(max_length=50, blank=True)
    ico_reference = models.CharField("ICO reference", max_length=50, blank=True)
    handled_as_sar = models.ForeignKey(
        SubjectAccessRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="converted_from_foi",
        help_text="The requester asked for their own personal data: handled as this subject access request.",
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The officer answering it: deadline reminders go to them (to the DPO's team when blank).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "FOI request"
        ordering = ["-received_on"]
        constraints = [
            _on_or_after("answered_on", "received_on", "foi_answered_after_receipt", FOI_ANSWERED_EARLY),
            _on_or_after(
                "clarification_received_on",
                "clarification_requested_on",
                "foi_clarification_after_asked",
                CLARIFICATION_ARRIVED_EARLY,
            ),
            _on_or_after("fee_paid_on", "fee_notice_given_on", "foi_fee_after_notice", FEE_PAID_EARLY),
            _on_or_after(
                "clarification_requested_on",
                "received_on",
                "foi_clarification_asked_after_receipt",
                CLARIFICATION_ASKED_EARLY,
            ),
            _on_or_after(
                "fee_notice_given_on", "received_on", "foi_fee_notice_after_receipt", FEE_NOTICE_EARLY
            ),
            models.CheckConstraint(
                condition=Q(clarification_received_on__isnull=True)
                | Q(clarification_requested_on__isnull=False),
                name="foi_clarification_received_was_asked",
                violation_error_message=CLARIFICATION_NOT_ASKED,
            ),
            models.CheckConstraint(
                condition=Q(fee_paid_on__isnull=True) | Q(fee_notice_given_on__isnull=False),
                name="foi_fee_paid_after_a_notice",
                violation_error_message=FEE_NOTICE_MISSING,
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.answered_on is None

    @property
    def awaiting_clarification(self) -> bool:
        return self.clarification_requested_on is not None and self.clarification_received_on is None

    @property
    def awaiting_fee(self) -> bool:
        return self.fee_notice_given_on is not None and self.fee_paid_on is None

    def _due(self, extension_working_days: int) -> date | None:
        if self.received_on is None or self.awaiting_clarification or self.awaiting_fee:
            return None
        return deadlines.foi_due_date(
            self.received_on,
            clarification_received=self.clarification_received_on,
            fee_notice_given=self.fee_notice_given_on,
            fee_received=self.fee_paid_on,
            extension_working_days=extension_working_days,
        )

    @property
    def due_date(self) -> date | None:
        """The 20th working day after receipt (plus any extension); None while the clock is stopped."""
        return self._due(self.extension_working_days)

    def due_date_on(self, today: date) -> date | None:
        return self.due_date

    @property
    def refusal_notice_due_date(self) -> date | None:
        """The unextended due date: a refusal notice announcing an extension goes by then (§10)."""
        return self._due(0)

    @property
    def in_time(self) -> bool | None:
        if self.answered_on is None or self.due_date is None:
            return None
        return self.answered_on <= self.due_date

    def rag_on(self, today: date) -> Rag | None:
        return rag_for(self.due_date, today=today) if self.is_open else None

    @property
    def rag(self) -> Rag | None:
        return self.rag_on(timezone.localdate())

    def clean(self):
        errors: dict[str, list[str]] = {}
        received = self.received_on
        if received is not None:
            for field, message in (
                ("answered_on", FOI_ANSWERED_EARLY),
                ("clarification_requested_on", CLARIFICATION_ASKED_EARLY),
                ("fee_notice_given_on", FEE_NOTICE_EARLY),
                ("extension_notified_on", "A refusal notice cannot be sent before the request was received."),
            ):
                value = getattr(self, field)
                if value is not None and value < received:
                    _add(errors, field, message)
        if self.clarification_received_on is not None:
            if self.clarification_requested_on is None:
                _add(errors, "clarification_requested_on", CLARIFICATION_NOT_ASKED)
            elif self.clarification_received_on < self.clarification_requested_on:
                _add(errors, "clarification_received_on", CLARIFICATION_ARRIVED_EARLY)
        if self.fee_paid_on is not None:
            if self.fee_notice_given_on is None:
                _add(errors, "fee_notice_given_on", FEE_NOTICE_MISSING)
            elif self.fee_paid_on < self.fee_notice_given_on:
                _add(errors, "fee_paid_on", FEE_PAID_EARLY)
        if self.outcome and self.answered_on is None:
            _add(errors, "answered_on", "Give the date the request was answered.")
        if self.answered_on is not None and not self.outcome:
            _add(errors, "outcome", "Record the outcome of the request.")
        if self.outcome == self.Outcome.CONVERTED and self.handled_as_sar_id is None:
            _add(errors, "handled_as_sar", "Link the subject access request that handles it.")
        if self.outcome in self.NEEDS_EXEMPTIONS and not self.exemptions.strip():
            # FOIA s.17: a refusal notice states the exemption relied on.
            _add(errors, "exemptions", "Give the exemptions relied on.")
        self._clean_extension(errors)
        if errors:
            raise ValidationError(errors)

    def _clean_extension(self, errors: dict[str, list[str]]) -> None:
        days = self.extension_working_days or 0
        if days > self.MAX_EXTENSION_WORKING_DAYS:
            _add(
                errors,
                "extension_working_days",
                "A public interest extension can add at most 20 working days (ICO guidance).",
            )
        if days and self.extension_notified_on is None:
            _add(
                errors,
                "extension_notified_on",
                "Give the date the refusal notice announcing the extension was sent.",
            )
        if not days or self.extension_notified_on is None or errors:
            return
        deadline = self.refusal_notice_due_date
        if deadline is not None and self.extension_notified_on > deadline:
            _add(
                errors,
                "extension_notified_on",
                f"The refusal notice announcing a public interest extension must go within the 20 working "
                f"days, by {long_date(deadline)}.",
            )


class Complaint(models.Model):
    """A data-protection complaint to the council as controller (DPA 2018 s.164A; domain-rules §1.6)."""

    class Channel(models.TextChoices):
        ONLINE_FORM = "online_form", "Online form"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        IN_PERSON = "in_person", "In person"
        PHONE = "phone", "Phone"
        OTHER = "other", "Other"

    class Outcome(models.TextChoices):
        UPHELD = "upheld", "Upheld"
        PARTLY_UPHELD = "partly_upheld", "Partly upheld"
        NOT_UPHELD = "not_upheld", "Not upheld"
        WITHDRAWN = "withdrawn", "Withdrawn"

    reference = models.CharField(max_length=20, unique=True, default=new_complaint_reference, editable=False)
    received_on = models.DateField("Date received")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    complainant_name = models.CharField(max_length=200)
    complainant_contact = models.TextField(help_text="How the complainant wants to hear from us.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The member of staff who recorded it on the complainant's behalf, if any.",
    )
    subject = models.ForeignKey(
        "cases.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="data_protection_complaints",
        help_text="The person whose data the complaint is about, if we hold a record.",
    )
    summary = models.TextField("What the complaint is about")
    outcome_wanted = models.TextField("What the complainant wants to happen", blank=True)
    acknowledged_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_details = models.TextField("Outcome letter summary", blank=True)
    outcome_on = models.DateField("Outcome date", null=True, blank=True)
    # The complainant may go to the ICO (UK GDPR Art 77); the ICO then asks us about it.
    ico_involved_on = models.DateField(
        "ICO involved on", null=True, blank=True, help_text="The day the ICO told us it was looking into it."
    )
    ico_reference = models.CharField("ICO reference", max_length=50, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The officer handling it: deadline reminders go to them (to the DPO's team when blank).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "data-protection complaint"
        ordering = ["-received_on"]
        constraints = [
            _on_or_after(
                "acknowledged_on", "received_on", "complaint_acknowledged_after_receipt", ACKNOWLEDGED_EARLY
            ),
            _on_or_after("outcome_on", "received_on", "complaint_outcome_after_receipt", OUTCOME_EARLY),
            _on_or_after("ico_involved_on", "received_on", "complaint_ico_after_receipt", ICO_EARLY),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.outcome_on is None

    @property
    def acknowledgement_due(self) -> date | None:
        if self.received_on is None:
            return None
        return deadlines.complaint_acknowledgement_due(self.received_on)

    def rag_on(self, today: date) -> Rag | None:
        """The acknowledgement deadline's RAG; None once acknowledged or closed.

        The outcome has no fixed deadline ("without undue delay", s.164A(4)).
        """
        if not self.is_open or self.acknowledged_on is not None:
            return None
        return rag_for(self.acknowledgement_due, today=today)

    @property
    def rag(self) -> Rag | None:
        return self.rag_on(timezone.localdate())

    def clean(self):
        errors: dict[str, list[str]] = {}
        received = self.received_on
        if received is not None:
            if self.acknowledged_on is not None and self.acknowledged_on < received:
                _add(errors, "acknowledged_on", ACKNOWLEDGED_EARLY)
            if self.outcome_on is not None and self.outcome_on < received:
                _add(errors, "outcome_on", OUTCOME_EARLY)
            if self.ico_involved_on is not None and self.ico_involved_on < received:
                _add(errors, "ico_involved_on", ICO_EARLY)
        if self.outcome and self.outcome_on is None:
            _add(errors, "outcome_on", "Give the date of the outcome.")
        if self.outcome_on is not None and not self.outcome:
            _add(errors, "outcome", "Record the outcome given on this date.")
        if errors:
            raise ValidationError(errors)


class ComplaintUpdate(models.Model):
    """A progress update sent to the complainant (DPA 2018 s.164A(5)(b))."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="updates")
    sent_on = models.DateField("Date")
    note = models.TextField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["complaint", "sent_on"]

    def __str__(self):
        return f"Update of {long_date(self.sent_on)}"

    def clean(self):
        try:
            complaint = self.complaint
        except Complaint.DoesNotExist:
            return
        if self.sent_on is not None and complaint.received_on and self.sent_on < complaint.received_on:
            raise ValidationError(
                {"sent_on": "A progress update cannot come before the complaint was received."}
            )
