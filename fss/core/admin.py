from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from fss.core.models import AccessLogEntry, JobHeartbeat, Team, TeamMembership, User


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["team"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    inlines = [TeamMembershipInline]
    list_display = ["username", "first_name", "last_name", "is_active", "last_login"]
    list_filter = ["is_active", "groups", "teams"]


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "is_active"]
    search_fields = ["name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Registers that are written only by the system: nobody edits or deletes them here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "at",
        "user",
        "action",
        "record_type",
        "record_id",
        "family_id",
        "is_break_glass",
    ]
    list_filter = ["action", "is_break_glass", "record_type", "at"]
    search_fields = ["user__username", "=family_id", "=record_id"]
    date_hierarchy = "at"
    list_select_related = ["user"]


@admin.register(JobHeartbeat)
class JobHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["job", "outcome", "last_started_at", "last_finished_at", "summary"]
