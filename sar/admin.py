"""The DPO console's registers for requests and complaints (SPEC §8).

List pages show the computed due date and its RAG; change pages show how the
deadline was worked out. Opening a request or complaint is a read of a
personal record and goes in the access log (SPEC §9).
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from sar import services
from sar.models import (
    Complaint,
    ComplaintUpdate,
    FOIRequest,
    Rag,
    RequestPause,
    RightsRequest,
    SubjectAccessRequest,
    long_date,
)


class OpenFilter(admin.SimpleListFilter):
    """Open or closed, for registers whose closure is a date rather than a status."""

    title = "state"
    parameter_name = "state"
    closed_field = ""

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("closed", "Closed")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(**{f"{self.closed_field}__isnull": True})
        if self.value() == "closed":
            return queryset.filter(**{f"{self.closed_field}__isnull": False})
        return queryset


class DecidedFilter(OpenFilter):
    closed_field = "decided_on"


class AnsweredFilter(OpenFilter):
    closed_field = "answered_on"


class ComplaintClosedFilter(OpenFilter):
    closed_field = "outcome_on"


class RegisterAdmin(SimpleHistoryAdmin):
    """Shared columns and the access log for the registers."""

    search_fields = ["reference"]
    date_hierarchy = "received_on"

    def get_fieldsets(self, request, obj=None):
        # A new record's reference is made when it is saved: don't show one it will not get.
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None:
            return fieldsets
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f != "reference"]})
            for name, opts in fieldsets
        ]

    def family_and_person(self, obj):
        # The console's site-wide access log (fss.core.admin_site) names the subject of the request.
        return None, getattr(obj, "subject_id", None)

    @admin.display(description="Due")
    def due(self, obj):
        # A running pause moves the date on day by day (domain-rules §2).
        due = obj.due_date_on(timezone.localdate())
        return long_date(due) if due else "Clock not running"

    @admin.display(description="RAG")
    def rag_display(self, obj):
        rag = obj.rag
        return Rag(rag).label if rag else "—"


class RequestPauseInline(admin.TabularInline):
    model = RequestPause
    extra = 0
    fields = ["started_on", "ended_on", "reason"]


@admin.register(SubjectAccessRequest)
class SubjectAccessRequestAdmin(RegisterAdmin):
    inlines = [RequestPauseInline]
    list_display = ["reference", "received_on", "status", "requester_relationship", "due", "rag_display"]
    list_filter = ["status", "channel", "requester_relationship", "extended", "senior_review"]
    raw_id_fields = ["subject", "duplicate_of"]
    readonly_fields = [
        "reference",
        "answer",
        "start_date",
        "paused_days",
        "due_date",
        "extension_notice_deadline",
    ]
    fieldsets = [
        (None, {"fields": ["reference", "answer", "status", "received_on", "channel", "handled_by"]}),
        (
            "Requester and subject",
            {
                "fields": [
                    "requester_name",
                    "requester_contact",
                    "requester_relationship",
                    "authority_evidence",
                    "subject",
                    "subject_not_found",
                ]
            },
        ),
        (
            "Identity and fee",
            {
                "fields": [
                    "identity_requested_on",
                    "identity_received_on",
                    "fee_requested_on",
                    "fee_received_on",
                ]
            },
        ),
        ("Extension", {"fields": ["extended", "extension_reason", "extension_notified_on"]}),
        ("Children", {"fields": ["child_competence_consideration", "senior_review"]}),
        ("Closure", {"fields": ["refusal_ground", "refusal_reason", "closed_on", "duplicate_of"]}),
        ("Deadline", {"fields": ["start_date", "paused_days", "extension_notice_deadline", "due_date"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("pauses")

    @admin.display(description="Answer the request")
    def answer(self, obj):
        # Compiling, redaction, sign-off and the package are on the DPO's own pages (SPEC §8.1).
        if obj is None or obj.pk is None:
            return "Save the request first."
        return format_html(
            '<a href="{}">Compile, review, sign off and send</a>',
            reverse("sar:request_detail", args=[obj.pk]),
        )


@admin.register(RightsRequest)
class RightsRequestAdmin(RegisterAdmin):
    list_display = ["reference", "kind", "received_on", "decision", "due", "rag_display"]
    list_filter = [DecidedFilter, "kind", "decision", "extended"]
    raw_id_fields = ["subject"]
    readonly_fields = ["reference", "start_date", "due_date", "extension_notice_deadline", "letter"]
    fieldsets = [
        (None, {"fields": ["reference", "kind", "received_on", "details", "handled_by"]}),
        ("Requester and subject", {"fields": ["requester_name", "requester_contact", "subject"]}),
        (
            "Identity and fee",
            {
                "fields": [
                    "identity_requested_on",
                    "identity_received_on",
                    "fee_requested_on",
                    "fee_received_on",
                ]
            },
        ),
        ("Extension", {"fields": ["extended", "extension_reason", "extension_notified_on"]}),
        ("Decision", {"fields": ["decision", "decision_reason", "decided_on", "lifted_on", "letter"]}),
        ("Deadline", {"fields": ["start_date", "extension_notice_deadline", "due_date"]}),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Art 19: a rectification or restriction decided here is told to earlier recipients (one task each).
        services.notify_recipients_of_decision(rights=obj, by=request.user)

    @admin.display(description="Decision letter")
    def letter(self, obj):
        if obj is None or obj.pk is None or obj.decided_on is None:
            return "Record the decision and save first."
        return format_html(
            '<a href="{}">Download the decision letter (PDF)</a>', reverse("sar:rights_letter", args=[obj.pk])
        )


@admin.register(FOIRequest)
class FOIRequestAdmin(RegisterAdmin):
    list_display = ["reference", "received_on", "requester_type", "due", "rag_display", "outcome", "in_time"]
    list_filter = [AnsweredFilter, "outcome", "requester_type"]
    raw_id_fields = ["handled_as_sar"]
    readonly_fields = ["reference", "refusal_notice_due_date", "due_date", "in_time"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "reference",
                    "received_on",
                    "requester_type",
                    "requester_name",
                    "reply_address",
                    "handled_by",
                ]
            },
        ),
        ("Request", {"fields": ["request_text", "handled_as_sar"]}),
        ("Clarification", {"fields": ["clarification_requested_on", "clarification_received_on"]}),
        ("Fee", {"fields": ["fee_notice_given_on", "fee_paid_on"]}),
        ("Public interest extension", {"fields": ["extension_working_days", "extension_notified_on"]}),
        ("Answer", {"fields": ["outcome", "exemptions", "answered_on"]}),
        ("Review and appeal", {"fields": ["internal_review_reference", "ico_reference"]}),
        ("Deadline", {"fields": ["refusal_notice_due_date", "due_date", "in_time"]}),
    ]

    actions = ["handle_as_sar"]

    @admin.display(description="In time", boolean=True)
    def in_time(self, obj):
        return obj.in_time

    @admin.action(
        description="Handle as a subject access request (the requester's own data)", permissions=["change"]
    )
    def handle_as_sar(self, request, queryset):
        # FOIA s.40(1): a request for the requester's own data is a SAR (domain-rules §10).
        for foi in queryset.order_by("pk"):
            try:
                sar = services.convert_foi_to_sar(foi=foi, by=request.user, http_request=request)
            except ValidationError as error:
                self.message_user(request, f"{foi.reference}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"{foi.reference} is now handled as {sar.reference}: link its subject.",
                    messages.SUCCESS,
                )


class ComplaintUpdateInline(admin.TabularInline):
    model = ComplaintUpdate
    extra = 0
    fields = ["sent_on", "note"]


@admin.register(Complaint)
class ComplaintAdmin(RegisterAdmin):
    inlines = [ComplaintUpdateInline]
    list_display = [
        "reference",
        "received_on",
        "channel",
        "acknowledgement_due",
        "acknowledged_on",
        "outcome",
        "rag_display",
    ]
    list_filter = [ComplaintClosedFilter, "outcome", "channel"]
    raw_id_fields = ["subject", "recorded_by"]
    readonly_fields = ["reference", "acknowledgement_due", "acknowledgement_rag", "letter"]
    fieldsets = [
        (None, {"fields": ["reference", "received_on", "channel", "recorded_by", "handled_by"]}),
        ("Complainant", {"fields": ["complainant_name", "complainant_contact", "subject"]}),
        (
            "Complaint",
            {
                "fields": [
                    "summary",
                    "outcome_wanted",
                    "acknowledgement_due",
                    "acknowledgement_rag",
                    "acknowledged_on",
                ]
            },
        ),
        ("Outcome", {"fields": ["outcome", "outcome_details", "outcome_on", "letter"]}),
        ("ICO involvement", {"fields": ["ico_involved_on", "ico_reference"]}),
    ]

    @admin.display(description="Acknowledgement")
    def acknowledgement_rag(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        if obj.acknowledged_on:
            return f"Acknowledged on {long_date(obj.acknowledged_on)}"
        rag = obj.rag
        return Rag(rag).label if rag else "—"

    @admin.display(description="Outcome letter")
    def letter(self, obj):
        if obj is None or obj.pk is None or obj.outcome_on is None:
            return "Record the outcome and save first."
        return format_html(
            '<a href="{}">Download the outcome letter (PDF)</a>',
            reverse("sar:complaint_letter", args=[obj.pk]),
        )

    @admin.display(description="Acknowledge by")
    def acknowledgement_due(self, obj):
        return long_date(obj.acknowledgement_due)
