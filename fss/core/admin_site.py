"""The Django admin site, open only to the DPO and system administrators (SPEC §1)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from fss.core.roles import ADMIN_SITE_ROLES


class FSSAdminSite(admin.AdminSite):
    site_header = "FSS console"
    site_title = "FSS console"
    index_title = "Registers and administration"

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
