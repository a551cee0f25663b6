"""Middleware for SPEC §9: session timeouts, MFA before anything else, and security headers."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from fss.core.security import mfa
from fss.core.security.sessions import LAST_SEEN, expiry_reason

_TIMEOUT_MESSAGES = {
    "idle": "You were signed out because you had not used the service for {minutes} minutes. "
    "Sign in again to carry on; anything you had typed in this tab has been kept.",
    "absolute": "You were signed out because you had been signed in for {hours} hours. "
    "Sign in again to carry on; anything you had typed in this tab has been kept.",
}


class SessionTimeoutMiddleware:
    """Ends a signed-in session after SESSION_IDLE_TIMEOUT_MINUTES without a request, or
    SESSION_ABSOLUTE_TIMEOUT_MINUTES after sign-in, whichever comes first.

    Place after AuthenticationMiddleware and MessageMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            reason = expiry_reason(request.session, now=now)
            if reason is not None:
                return self._end(request, reason)
            # Restart the idle clock, writing the session at most once per
            # SESSION_ACTIVITY_WRITE_SECONDS: a page then costs no session UPDATE (SPEC §11 query
            # budget) and the idle timeout is early by at most that much. "Stay signed in"
            # always writes.
            last_seen = request.session.get(LAST_SEEN)
            if (
                last_seen is None
                or now - last_seen >= settings.SESSION_ACTIVITY_WRITE_SECONDS
                or request.path == reverse("security:keep_alive")
            ):
                request.session[LAST_SEEN] = now
        return self.get_response(request)

    def _end(self, request, reason: str):
        logout(request)
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"signed_in": False}, status=401)
        messages.info(
            request,
            _TIMEOUT_MESSAGES[reason].format(
                minutes=settings.SESSION_IDLE_TIMEOUT_MINUTES,
                hours=settings.SESSION_ABSOLUTE_TIMEOUT_MINUTES // 60,
            ),
        )
        next_path = request.get_full_path() if request.method == "GET" else request.path
        return redirect_to_login(next_path, reverse(settings.LOGIN_URL))


# Pages a signed-in user may reach before giving the second factor.
MFA_EXEMPT_URL_NAMES = {
    "logout",
    "security:mfa_verify",
    "security:mfa_enrol",
    "security:keep_alive",
}


class MFARequiredMiddleware:
    """With MFA_REQUIRED on, a signed-in user who has not given a second factor this
    session reaches only the MFA pages and sign-out: everything else sends them to
    set up an authenticator app (first time) or to enter a code.

    Place after OTPMiddleware and LoginRequiredMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not mfa.mfa_required():
            return None
        if not getattr(view_func, "login_required", True):
            return None  # a public page (sign-in, privacy notice, health)
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in MFA_EXEMPT_URL_NAMES:
            return None
        target = "security:mfa_verify" if mfa.has_authenticator(user) else "security:mfa_enrol"
        next_path = request.get_full_path() if request.method == "GET" else request.path
        return redirect_to_login(next_path, reverse(target))


class SecurityHeadersMiddleware:
    """Headers Django does not set itself (SPEC §9):

    - Permissions-Policy: the browser features FSS never uses are switched off;
    - Cache-Control: no-store on every page a signed-in user gets (and on every other
      page Django renders, since sign-in and MFA pages carry tokens), so no page with
      personal data is kept by the browser or a proxy. Static files are served before
      this middleware (WhiteNoise) and keep their long cache lifetimes.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = ", ".join(
            f"{feature}=({' '.join(allow)})" for feature, allow in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.permissions_policy:
            response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        if "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response
