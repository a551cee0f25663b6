import csv
from datetime import date

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from fss.core.admin_site import EXPORT_ACTION, mark_logged
from fss.core.documents import spreadsheet_cell
from fss.core.models import AccessLogEntry, JobHeartbeat, Team, TeamMembership, User
from fss.core.security.lockout import unlock
from fss.core.security.mfa import reset_mfa
from fss.core.security.reauth import authenticated_recently, recent_login_required
from fss.core.security.sessions import end_sessions
from fss.core.services import log_access

# Devices hold TOTP secrets and recovery codes: nobody browses them. Administrators reset a
# user's two-factor authentication with the action on the user list instead.
for _device in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device):
        admin.site.unregister(_device)


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["team"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    inlines = [TeamMembershipInline]
    list_display = ["username", "first_name", "last_name", "is_active", "two_factor", "last_login"]
    list_filter = ["is_active", "groups", "teams"]
    actions = ["reset_two_factor", "end_all_sessions", "unlock_sign_in"]

    @admin.display(boolean=True, description="Two-factor set up")
    def two_factor(self, obj):
        return user_has_device(obj, confirmed=True)

    def user_change_password(self, request, id, form_url=""):
        # Setting someone's password is as sensitive as it gets: the password again first.
        parent = super().user_change_password
        return recent_login_required(lambda request, *args: parent(request, *args))(request, id, form_url)

    def response_action(self, request, queryset):
        # Resetting a second factor, ending sessions or unlocking: the password again first
        # (the administrator then picks the users again).
        if request.POST.get("action") in self.actions and not authenticated_recently(request.session):
            return redirect_to_login(request.get_full_path(), reverse("security:reauthenticate"))
        return super().response_action(request, queryset)

    def _others(self, request, queryset, what: str):
        # Nobody resets their own second factor or sessions from here: a second administrator
        # checks who is asking (docs/operations.md, "Security").
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(
                request, f"You cannot {what} for your own account; ask another administrator.", messages.ERROR
            )
        return queryset.exclude(pk=request.user.pk)

    @admin.action(
        description="Reset two-factor authentication (and end their sessions)", permissions=["change"]
    )
    def reset_two_factor(self, request, queryset):
        users = list(self._others(request, queryset, "reset two-factor authentication"))
        for user in users:
            reset_mfa(user=user, by=request.user)
            self.log_change(request, user, "Reset two-factor authentication and ended sessions.")
        if users:
            self.message_user(
                request,
                f"Two-factor authentication reset for {len(users)} user(s). They set it up again at their "
                "next sign-in.",
                messages.SUCCESS,
            )

    @admin.action(description="End all their sessions (sign them out everywhere)", permissions=["change"])
    def end_all_sessions(self, request, queryset):
        users = list(self._others(request, queryset, "end the sessions"))
        ended = 0
        for user in users:
            ended += end_sessions(user=user, by=request.user)
            self.log_change(request, user, "Ended all sessions.")
        if users:
            self.message_user(
                request, f"Ended {ended} session(s) for {len(users)} user(s).", messages.SUCCESS
            )

    @admin.action(description="Unlock sign-in after failed attempts", permissions=["change"])
    def unlock_sign_in(self, request, queryset):
        cleared = 0
        for user in queryset:
            cleared += unlock(username=user.get_username(), by=request.user)
            self.log_change(request, user, "Unlocked sign-in.")
        self.message_user(request, f"Cleared {cleared} failed sign-in record(s).", messages.SUCCESS)


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


class InputFilter(admin.SimpleListFilter):
    """A list filter typed into a box (a family id, a date) rather than picked from a list."""

    template = "admin/console_input_filter.html"
    input_type = "text"
    hint = ""

    def lookups(self, request, model_admin):
        return [("", "")]  # one placeholder: the box is drawn by the template

    def parsed(self):
        """The typed value, parsed; ValueError when it is not one."""
        raise NotImplementedError

    def filter(self, queryset, value):
        raise NotImplementedError

    def choices(self, changelist):
        yield {
            "parameter_name": self.parameter_name,
            "value": self.value() or "",
            "input_type": self.input_type,
            "hint": self.hint,
            "other_params": [(k, v) for k, v in changelist.params.items() if k != self.parameter_name],
            "clear_query_string": changelist.get_query_string(remove=[self.parameter_name]),
        }

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            value = self.parsed()
        except ValueError as error:
            raise IncorrectLookupParameters(str(error)) from error
        return self.filter(queryset, value)


class FamilyIdFilter(InputFilter):
    title = "family id"
    parameter_name = "family"
    input_type = "number"

    def parsed(self):
        return int(self.value())

    def filter(self, queryset, value):
        return queryset.filter(family_id=value)


class FromDateFilter(InputFilter):
    title = "date from (inclusive)"
    parameter_name = "from"
    input_type = "date"
    hint = "For example 2026-01-31"

    def parsed(self):
        return date.fromisoformat(self.value())

    def filter(self, queryset, value):
        return queryset.filter(at__date__gte=value)


class ToDateFilter(FromDateFilter):
    title = "date to (inclusive)"
    parameter_name = "to"

    def filter(self, queryset, value):
        return queryset.filter(at__date__lte=value)


class _AccessLogExport:
    """The access log's export, as the access log itself records it (type and a fixed id, no rows named)."""

    class _meta:  # noqa: N801 - stands in for a model's _meta, which log_access reads
        label_lower = "core.accesslogentry"

    pk = "export"


ACCESS_LOG_CSV_COLUMNS = [
    "at",
    "user",
    "action",
    "record_type",
    "record_id",
    "family_id",
    "person_id",
    "is_break_glass",
    "reason",
    "ip_address",
    "view_name",
]


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyAdmin):
    """The access log (SPEC §9): read only, filtered by user, family id, date and break-glass; CSV export."""

    list_display = [
        "at",
        "user",
        "action",
        "record_type",
        "record_id",
        "family_id",
        "is_break_glass",
    ]
    list_filter = [
        ("user", admin.RelatedFieldListFilter),
        FamilyIdFilter,
        FromDateFilter,
        ToDateFilter,
        "at",
        "is_break_glass",
        "action",
        "record_type",
    ]
    search_fields = ["user__username", "=family_id", "=record_id"]
    date_hierarchy = "at"
    list_select_related = ["user"]
    actions = ["export_csv"]
    # Reading the log is not written back into it (it would fill with its own reads); exports are.
    access_logged = False

    @admin.action(description="Export the selected entries as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        # Entries name staff and record ids, never family members; the export itself is logged.
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="access-log-{timezone.localdate():%Y-%m-%d}.csv"'
        )
        writer = csv.writer(response)
        writer.writerow(ACCESS_LOG_CSV_COLUMNS)
        for entry in queryset.select_related("user").order_by("at", "pk").iterator(chunk_size=2000):
            writer.writerow(
                [
                    entry.at.isoformat(),
                    entry.user.get_username(),
                    entry.action,
                    entry.record_type,
                    entry.record_id,
                    entry.family_id or "",
                    entry.person_id or "",
                    "yes" if entry.is_break_glass else "no",
                    spreadsheet_cell(entry.reason),  # free text typed at break-glass
                    entry.ip_address or "",
                    entry.view_name,
                ]
            )
        log_access(
            by=request.user, record=_AccessLogExport(), action=AccessLogEntry.Action.EXPORT, request=request
        )
        mark_logged(request)
        return response

    def get_actions(self, request):
        # This register has its own export (every column, including the reason): not the site-wide one too.
        actions = super().get_actions(request)
        actions.pop(EXPORT_ACTION, None)
        return actions


@admin.register(JobHeartbeat)
class JobHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["job", "outcome", "last_started_at", "last_finished_at", "summary"]


# Sign-in records (django-axes): read only, like the access log. Failed attempts are cleared
# only by the unlock action or command, never edited or deleted here.
@admin.register(AccessAttempt)
class AccessAttemptAdmin(ReadOnlyAdmin):
    list_display = ["attempt_time", "username", "ip_address", "failures_since_start"]
    list_filter = ["attempt_time"]
    search_fields = ["username", "ip_address"]
    exclude = ["get_data", "post_data"]
    date_hierarchy = "attempt_time"


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["attempt_time", "logout_time", "username", "ip_address"]
    list_filter = ["attempt_time", "logout_time"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "attempt_time"


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(ReadOnlyAdmin):
    list_display = ["attempt_time", "username", "ip_address", "locked_out"]
    list_filter = ["attempt_time", "locked_out"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "attempt_time"
