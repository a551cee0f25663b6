"""The DPO console's sharing registers (SPEC §6.1): organisations, agreements with their status, the
registries; and, read only, the disclosures, tasks to tell recipients and referrals (every record
opened is access-logged, SPEC §9)."""

from datetime import timedelta

from django.contrib import admin
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from fss.core.admin import ReadOnlyAdmin
from sharing.models import (
    AgreementDataCategory,
    AgreementParty,
    DataCategory,
    DataSharingAgreement,
    Disclosure,
    DisclosureFlag,
    Organisation,
    OrganisationCategory,
    PartnerReferral,
    RecipientNotificationTask,
    SharingPurpose,
    SharingReminder,
)
from sharing.returns.models import ActivityCode, ResearchProject, ReturnRun, TransferRecord
from sharing.statistics.models import DisclosureControlPolicy

REMINDER_DAYS = 30


class RegistryAdmin(admin.ModelAdmin):
    """A registry named by code in stored decisions: codes never change and rows are never deleted."""

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OrganisationCategory)
class OrganisationCategoryAdmin(RegistryAdmin):
    list_display = ["code", "label", "consent_purpose", "position"]


@admin.register(DataCategory)
class DataCategoryAdmin(RegistryAdmin):
    list_display = ["code", "label", "kind", "allowed_under_education_opt_out", "position"]
    list_filter = ["kind"]


@admin.register(SharingPurpose)
class SharingPurposeAdmin(RegistryAdmin):
    list_display = ["code", "label", "position"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "category", "secure_transfer_method", "referral_response_days", "is_active"]
    list_filter = ["category", "is_active"]
    list_select_related = ["category"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        # Disclosures name the organisation: make it inactive instead.
        return False


class AgreementPartyInline(admin.TabularInline):
    model = AgreementParty
    extra = 0
    autocomplete_fields = ["organisation"]


class AgreementDataCategoryInline(admin.TabularInline):
    model = AgreementDataCategory
    extra = 0


class StatusFilter(admin.SimpleListFilter):
    title = "status today"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("in_force", "In force"),
            ("not_in_force", "Not in force"),
            ("due", f"Review or end within {REMINDER_DAYS} days"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        in_force = DataSharingAgreement.objects.in_force_on(today).values("pk")
        if self.value() == "in_force":
            return queryset.filter(pk__in=in_force)
        if self.value() == "not_in_force":
            return queryset.exclude(pk__in=in_force)
        if self.value() == "due":
            horizon = today + timedelta(days=REMINDER_DAYS)
            return queryset.filter(revoked_on__isnull=True).exclude(end_date__lt=today).filter(
                review_date__lte=horizon
            ) | queryset.filter(revoked_on__isnull=True, end_date__gte=today, end_date__lte=horizon)
        return queryset


@admin.register(DataSharingAgreement)
class DataSharingAgreementAdmin(SimpleHistoryAdmin):
    """The central register of agreements (domain-rules §5), with the status each has today."""

    list_display = [
        "reference",
        "title",
        "partners",
        "lawful_basis",
        "start_date",
        "end_date",
        "review_date",
        "status_today",
    ]
    list_filter = [StatusFilter, "lawful_basis"]
    search_fields = ["reference", "title", "parties__organisation__name"]
    readonly_fields = ["reference", "status_today", "created_by", "created_at"]
    filter_horizontal = ["purposes"]
    inlines = [AgreementPartyInline, AgreementDataCategoryInline]
    fieldsets = [
        (None, {"fields": ["reference", "title", "status_today", "document"]}),
        ("Purpose", {"fields": ["purpose_and_benefits", "purposes"]}),
        ("Lawful basis and roles", {"fields": ["lawful_basis", "legal_power", "council_role"]}),
        ("How", {"fields": ["frequency", "transfer_method", "security", "data_quality"]}),
        (
            "Responsibilities",
            {
                "fields": [
                    "contacts",
                    "rights_and_complaints",
                    "recipient_retention",
                    "onward_use_limits",
                    "breach_handling",
                    "training",
                    "termination",
                ]
            },
        ),
        ("Dates", {"fields": ["start_date", "end_date", "review_date"]}),
        ("Council signature", {"fields": ["council_signed_by", "council_signed_on"]}),
        ("Revocation", {"fields": ["revoked_on", "revocation_reason"]}),
        ("Record", {"fields": ["created_by", "created_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_terms()

    @admin.display(description="Partners")
    def partners(self, obj):
        return ", ".join(str(p.organisation) for p in obj.parties.all())

    @admin.display(description="Status today")
    def status_today(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        return obj.status_on(timezone.localdate()).label

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        # Disclosures rely on agreements: revoke or end one instead.
        return False


class AccessLoggedReadOnlyAdmin(ReadOnlyAdmin):
    """Read-only register of personal records; opening one is logged (SPEC §9) by the console's
    site-wide hook (fss.core.admin_site), which names the family and person given here."""

    def family_and_person(self, obj) -> tuple[int | None, int | None]:
        return None, None


@admin.register(Disclosure)
class DisclosureAdmin(AccessLoggedReadOnlyAdmin):
    list_display = [
        "decided_on",
        "organisation",
        "family",
        "person",
        "decision",
        "basis",
        "is_safeguarding",
        "needs_manager_approval",
        "dpo_review_required",
    ]
    list_filter = [
        "decision",
        "basis",
        "is_safeguarding",
        "without_agreement",
        "dpo_review_required",
        "direction",
    ]
    list_select_related = ["organisation", "family", "person"]
    search_fields = ["=family__reference"]
    search_help_text = "Search by family reference."
    date_hierarchy = "decided_on"
    exclude = ["check_result"]

    def family_and_person(self, obj):
        return obj.family_id, obj.person_id


@admin.register(DisclosureFlag)
class DisclosureFlagAdmin(AccessLoggedReadOnlyAdmin):
    list_display = ["on", "reason", "disclosure", "raised_by", "raised_at"]
    list_filter = ["reason"]
    list_select_related = ["disclosure__organisation", "raised_by"]

    def family_and_person(self, obj):
        return obj.disclosure.family_id, obj.disclosure.person_id


class DoneFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Still to tell"), ("done", "Told")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(told_on__isnull=True)
        if self.value() == "done":
            return queryset.filter(told_on__isnull=False)
        return queryset


@admin.register(RecipientNotificationTask)
class RecipientNotificationTaskAdmin(AccessLoggedReadOnlyAdmin):
    """Recipients to tell of a withdrawal, restriction or correction; workers record it on the family's
    sharing history page."""

    list_display = ["created_at", "organisation", "flag", "told_on", "told_by"]
    list_filter = [DoneFilter, "flag__reason"]
    list_select_related = ["organisation", "flag", "told_by"]

    def family_and_person(self, obj):
        return obj.flag.disclosure.family_id, obj.flag.disclosure.person_id


@admin.register(SharingReminder)
class SharingReminderAdmin(AccessLoggedReadOnlyAdmin):
    """Reminders the daily job makes and closes (agreements due for review or ending, referrals not
    answered): read only."""

    list_display = ["due_on", "kind", "message", "assigned_to", "created_on", "closed_on"]
    list_filter = ["kind"]
    list_select_related = ["assigned_to", "referral"]

    def family_and_person(self, obj):
        return (obj.referral.family_id if obj.referral_id else None), None


@admin.register(PartnerReferral)
class PartnerReferralAdmin(AccessLoggedReadOnlyAdmin):
    list_display = ["sent_on", "organisation", "family", "service_requested"]
    list_select_related = ["organisation", "family"]
    search_fields = ["=family__reference"]

    def family_and_person(self, obj):
        return obj.family_id, None


# --- Returns and statistics (SPEC §6.3, §6.4): registers the DPO keeps as data.


@admin.register(ActivityCode)
class ActivityCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "group", "effective_from", "effective_to"]
    list_filter = ["group"]
    search_fields = ["code", "label"]

    def has_delete_permission(self, request, obj=None):
        return False  # codes are versioned: end one and add its successor


@admin.register(ResearchProject)
class ResearchProjectAdmin(admin.ModelAdmin):
    search_fields = ["reference", "title"]


@admin.register(DisclosureControlPolicy)
class DisclosureControlPolicyAdmin(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReturnRun)
class ReturnRunAdmin(ReadOnlyAdmin):
    list_display = ["kind", "period_start", "period_end", "recipient", "run_by", "run_at", "included_count"]
    list_filter = ["kind"]
    date_hierarchy = "run_at"


@admin.register(TransferRecord)
class TransferRecordAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "method", "row_count", "sent_on", "file_sha256"]
