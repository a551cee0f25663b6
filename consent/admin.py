"""The DPO console's consent registers (SPEC §1, §5).

Consent records and education opt-outs are append-only, so here they are read
only (each record viewed is access-logged, SPEC §9). Privacy notice versions
are edited only while drafts; publishing and drafting go through the services.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Subquery
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from consent.models import (
    ConsentPurpose,
    ConsentRecord,
    EducationOptOut,
    PrivacyNoticeSection,
    PrivacyNoticeVersion,
)
from consent.selectors import render_notice
from consent.services import draft_notice_version, publish_notice_version
from fss.core.admin import ReadOnlyAdmin


class AccessLoggedReadOnlyAdmin(ReadOnlyAdmin):
    """Read-only register of personal records; opening one is logged (SPEC §9) by the console's
    site-wide hook (fss.core.admin_site), which names the family and person given here."""

    def family_and_person(self, obj):
        return getattr(obj, "family_id", None), obj.person_id


@admin.register(ConsentRecord)
class ConsentRecordAdmin(AccessLoggedReadOnlyAdmin):
    list_display = [
        "decided_on",
        "person",
        "purpose",
        "decision",
        "capacity",
        "decided_by",
        "family",
        "notice_version",
        "review_on",
        "corrects",
    ]
    list_filter = ["decision", "purpose", "capacity", "method"]
    search_fields = ["=family__reference"]
    search_help_text = "Search by family reference."
    date_hierarchy = "decided_on"
    list_select_related = ["person", "family", "purpose", "decided_by", "notice_version", "corrects"]


@admin.register(EducationOptOut)
class EducationOptOutAdmin(AccessLoggedReadOnlyAdmin):
    list_display = ["from_date", "person", "status", "recorded_by", "recorded_at"]
    list_filter = ["status"]
    list_select_related = ["person", "recorded_by"]


@admin.register(ConsentPurpose)
class ConsentPurposeAdmin(admin.ModelAdmin):
    """The purposes register: add a partner category, relabel, or retire one; codes never change."""

    list_display = ["code", "label", "short_label", "kind", "position", "retired_on"]
    list_filter = ["kind"]

    def get_readonly_fields(self, request, obj=None):
        return ["code", "kind"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        # Stored decisions name their purpose: retire it instead.
        return False


class PrivacyNoticeSectionInline(admin.StackedInline):
    model = PrivacyNoticeSection
    extra = 0
    fields = ["position", "heading", "body"]

    @staticmethod
    def _is_draft(obj) -> bool:
        return obj is None or not obj.is_published

    def has_add_permission(self, request, obj=None):
        return self._is_draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._is_draft(obj) and super().has_delete_permission(request, obj)


@admin.register(PrivacyNoticeVersion)
class PrivacyNoticeVersionAdmin(SimpleHistoryAdmin):
    """Drafts are edited here; "Draft a new version" and "Publish" use the consent services."""

    list_display = ["version", "status", "effective_from", "is_current", "published_at", "published_by"]
    list_filter = ["status"]
    inlines = [PrivacyNoticeSectionInline]
    actions = ["draft_from_selected", "publish_selected"]
    fields = [
        "version",
        "status",
        "preview",
        "title",
        "summary",
        "change_summary",
        "effective_from",
        "created_at",
        "created_by",
        "published_at",
        "published_by",
    ]

    def get_queryset(self, request):
        current = PrivacyNoticeVersion.objects.filter(
            status=PrivacyNoticeVersion.Status.PUBLISHED, effective_from__lte=timezone.localdate()
        ).order_by("-effective_from", "-version")
        # One query for the "Current" column, not one per row.
        return (
            super()
            .get_queryset(request)
            .select_related("published_by")
            .annotate(current_pk=Subquery(current.values("pk")[:1]))
        )

    @admin.display(boolean=True, description="Current")
    def is_current(self, obj):
        return obj.pk == getattr(obj, "current_pk", None)

    @admin.display(description="Preview")
    def preview(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        url = reverse("admin:consent_privacynoticeversion_preview", args=[obj.pk])
        return format_html('<a href="{}">Preview version {} as families will see it</a>', url, obj.version)

    def get_readonly_fields(self, request, obj=None):
        fixed = ["version", "status", "preview", "created_at", "created_by", "published_at", "published_by"]
        if obj is not None and obj.is_published:
            return [*fixed, "title", "summary", "change_summary", "effective_from"]
        return fixed

    def has_add_permission(self, request):
        # A new version starts as a copy of an earlier one: "Draft a new version from the selected one".
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Bulk delete would skip the model's guard on published versions.
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Draft a new version from the selected one", permissions=["change"])
    def draft_from_selected(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select one version to copy.", messages.ERROR)
            return None
        draft = draft_notice_version(by=request.user, based_on=queryset.get())
        self.message_user(request, f"Draft version {draft.version} created: edit it, then publish it.")
        return HttpResponseRedirect(reverse("admin:consent_privacynoticeversion_change", args=[draft.pk]))

    @admin.action(
        description="Publish the selected draft (from its effective date, or today)", permissions=["change"]
    )
    def publish_selected(self, request, queryset):
        for version in queryset.order_by("version"):
            try:
                publish_notice_version(
                    version=version,
                    by=request.user,
                    effective_from=version.effective_from or timezone.localdate(),
                )
            except ValidationError as exc:
                self.message_user(
                    request,
                    f"Version {version.version} was not published: {' '.join(exc.messages)}",
                    messages.ERROR,
                )
            else:
                self.message_user(request, f"Version {version.version} is published.", messages.SUCCESS)

    def get_urls(self):
        preview = path(
            "<path:object_id>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="consent_privacynoticeversion_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request, object_id):
        version = self.get_object(request, unquote(object_id))
        if version is None:
            raise Http404
        if not self.has_view_permission(request, version):
            raise PermissionDenied
        notice = render_notice(version=version, on=version.effective_from or timezone.localdate())
        return render(
            request, "consent/privacy_notice.html", {"notice": notice, "preview": not version.is_published}
        )
