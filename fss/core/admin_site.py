"""The Django admin site, open only to the DPO and system administrators (SPEC §1).

Every register page the console serves is access-logged here, in one place (SPEC §9, issue 9), and
every register can be exported to CSV with one site-wide action.
"""

import csv
import functools
import html

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.utils import (
    display_for_field,
    display_for_value,
    label_for_field,
    lookup_field,
    unquote,
)
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import capfirst

from fss.core.documents import spreadsheet_cell
from fss.core.roles import ADMIN_SITE_ROLES

# The standard ModelAdmin pages that are logged, and the attribute a view sets on the request when it
# has logged itself (an export action), so that nothing is logged twice.
LOGGED_VIEWS = frozenset({"changelist_view", "add_view", "change_view", "history_view", "delete_view"})
ALREADY_LOGGED = "_fss_access_logged"
EXPORT_ACTION = "export_selected_csv"


class RecordRef:
    """Stands in for a record when `log_access` is given a register or an id rather than an instance."""

    def __init__(self, label_lower: str, pk):
        self._meta = type("_meta", (), {"label_lower": label_lower})
        self.pk = pk


def mark_logged(request) -> None:
    """Tell the site-wide hook that this request has already been written to the access log."""
    setattr(request, ALREADY_LOGGED, True)


def _family_and_person(model_admin, request, object_id):
    """(family id, person id) for the record, from the admin's `family_and_person(obj)` if it has one.

    Fetched before the view runs, so that a deletion is logged with the family it touched.
    """
    method = getattr(model_admin, "family_and_person", None)
    if object_id is None or method is None:
        return None, None
    try:
        obj = model_admin.get_object(request, unquote(object_id))
    except (ObjectDoesNotExist, ValueError):
        obj = None
    return method(obj) if obj is not None else (None, None)


def log_console_view(view):
    """Wrap a ModelAdmin page so that each successful use of it is access-logged (who, when, register, id).

    GET of a page is a view; a POST that succeeds (redirects) is a change. A request that is refused
    (PermissionDenied, 4xx) is not logged as an access: nothing was read.
    """
    from fss.core.models import AccessLogEntry
    from fss.core.services import log_access

    model_admin = view.__self__

    @functools.wraps(view)
    def logged(request, *args, **kwargs):
        object_id = kwargs.get("object_id")
        family_id, person_id = _family_and_person(model_admin, request, object_id)
        response = view(request, *args, **kwargs)
        if getattr(request, ALREADY_LOGGED, False) or response.status_code >= 400:
            return response
        if request.method in ("GET", "HEAD"):
            if response.status_code != 200:
                return response  # a redirect (a bad filter, a missing record): nothing shown
            action = AccessLogEntry.Action.VIEW
        else:
            succeeded = response.status_code == 302  # a form shown again with errors is a view
            action = AccessLogEntry.Action.CHANGE if succeeded else AccessLogEntry.Action.VIEW
        log_access(
            by=request.user,
            record=RecordRef(
                model_admin.model._meta.label_lower, unquote(object_id)[:64] if object_id else ""
            ),
            action=action,
            request=request,
            family_id=family_id,
            person_id=person_id,
        )
        return response

    return logged


def _csv_cell(value) -> str:
    # Plain text as the changelist shows it, never HTML; and nothing a spreadsheet would run as a formula.
    return spreadsheet_cell(html.unescape(strip_tags(str(value))))


def _display(name, obj, model_admin) -> str:
    try:
        field, attr, value = lookup_field(name, obj, model_admin)
    except (AttributeError, ObjectDoesNotExist):
        return ""
    empty = model_admin.get_empty_value_display()
    boolean = getattr(attr, "boolean", False) or isinstance(field, models.BooleanField)
    if boolean:
        return "" if value is None else ("yes" if value else "no")
    if field is None:
        return display_for_value(value, empty)
    if isinstance(field.remote_field, models.ManyToOneRel):
        # As the changelist does: the related record's own str(), or the empty marker.
        related = getattr(obj, field.name)
        return empty if related is None else str(related)
    return display_for_field(value, field, empty)


@admin.action(description="Export selected to CSV", permissions=["view"])
def export_selected_csv(model_admin, request, queryset):
    """Every register's changelist columns, as plain text, for the selected rows; logged as one EXPORT.

    The columns are the changelist's own, so an export never shows more than the console does.
    """
    from fss.core.models import AccessLogEntry
    from fss.core.services import log_access

    opts = model_admin.model._meta
    columns = [name for name in model_admin.get_list_display(request) if name != "action_checkbox"]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{opts.app_label}-{opts.model_name}-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [_csv_cell(capfirst(label_for_field(name, model_admin.model, model_admin))) for name in columns]
    )
    select_related = model_admin.get_list_select_related(request)
    if select_related is True:
        queryset = queryset.select_related()
    elif select_related:
        queryset = queryset.select_related(*select_related)
    rows = 0
    for obj in queryset.iterator(chunk_size=2000):
        writer.writerow([_csv_cell(_display(name, obj, model_admin)) for name in columns])
        rows += 1
    log_access(
        by=request.user,
        record=RecordRef(opts.label_lower, "export"),
        action=AccessLogEntry.Action.EXPORT,
        request=request,
        reason=f"CSV export of {rows} row(s) from the console",
    )
    mark_logged(request)
    return response


class FSSAdminSite(admin.AdminSite):
    site_header = "FSS console"
    site_title = "FSS console"
    index_title = "Registers and administration"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_action(export_selected_csv, EXPORT_ACTION)

    def admin_view(self, view, cacheable=False):
        # Every register page goes through here (ModelAdmin.get_urls wraps each request with it), so
        # this is the one place that logs what the DPO opens, changes, deletes or looks back at.
        # A register opts out with `access_logged = False` (only the access log itself: reading it would
        # fill it with its own reads; its export is still logged).
        model_admin = getattr(view, "__self__", None)
        if (
            getattr(view, "__name__", "") in LOGGED_VIEWS
            and isinstance(model_admin, admin.ModelAdmin)
            and getattr(model_admin, "access_logged", True)
        ):
            view = log_console_view(view)
        return super().admin_view(view, cacheable)

    def has_permission(self, request):
        # Role-based, not the is_staff flag: holding the role is what grants the console.
        user = request.user
        if not (
            user.is_active and (user.is_superuser or any(user.has_role(role) for role in ADMIN_SITE_ROLES))
        ):
            return False
        # With MFA_REQUIRED, the console also needs the second factor given this session (SPEC §9);
        # MFARequiredMiddleware sends the user to give it first.
        return not settings.MFA_REQUIRED or getattr(user, "is_verified", lambda: False)()

    def login(self, request, extra_context=None):
        # One way in for everyone (the service's sign-in page, where lockout and
        # MFA apply); a signed-in user without a console role is refused, not
        # sent round a login loop.
        from django.contrib.auth.views import redirect_to_login

        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next", reverse("admin:index")), reverse("login"))


class FSSAdminConfig(AdminConfig):
    default_site = "fss.core.admin_site.FSSAdminSite"
