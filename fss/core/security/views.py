"""Pages for the second factor, confirming it's you, keeping a session alive (SPEC §9), and the
DPO's register of sensitive fields (domain-rules §4)."""

import time

from django.contrib import messages
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fss.core import roles
from fss.core.security import mfa, sensitive_fields
from fss.core.security.forms import CodeForm, ConfirmAuthenticatorForm, ReauthenticateForm
from fss.core.security.reauth import recent_login_required
from fss.core.security.sessions import REAUTHENTICATED_AT, idle_timeout_seconds


def _next_url(request, default: str = "home") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(default)


def _to(view_name: str, request):
    """Redirect to `view_name`, carrying the page the user was going to."""
    return redirect_to_login(_next_url(request), reverse(view_name))


def _count_failure(request) -> None:
    """A wrong second factor counts towards lockout like a wrong password (django-axes)."""
    user_login_failed.send(
        sender=__name__, credentials={"username": request.user.get_username()}, request=request
    )


@require_http_methods(["GET", "POST"])
@never_cache
def mfa_verify(request):
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    if not mfa.has_authenticator(request.user):
        return _to("security:mfa_enrol", request)
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            mfa.mark_verified(request, form.device)
            if form.device.name == mfa.RECOVERY_NAME:
                messages.warning(
                    request,
                    f"You used a recovery code. You have {mfa.recovery_codes_left(request.user)} left: "
                    "get new ones from the two-factor authentication page if you are running low.",
                )
            return redirect(_next_url(request))
        _count_failure(request)
    return render(request, "mfa/verify.html", {"form": form, "next": _next_url(request)})


@require_http_methods(["GET", "POST"])
@never_cache
def mfa_enrol(request):
    """Set up an authenticator app: scan the QR code, confirm with a code, keep the recovery codes."""
    if mfa.has_authenticator(request.user):
        if request.user.is_verified():
            return redirect("security:mfa_manage")
        return _to("security:mfa_verify", request)
    device = mfa.pending_authenticator(request.user)
    form = ConfirmAuthenticatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = mfa.confirm_authenticator(user=request.user, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            device.refresh_from_db()
            mfa.mark_verified(request, device)
            # Shown once, in this response only: never stored in the session or sent again.
            return render(
                request,
                "mfa/recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "first_time": True},
            )
        form.add_error("code", "The code is not right. Check the app shows FSS and try the newest code")
        _count_failure(request)
    return render(
        request,
        "mfa/enrol.html",
        {
            "form": form,
            "qr_code": mfa.qr_code_svg(device),
            "secret": mfa.secret_for_manual_entry(device),
            "next": _next_url(request),
            "required": mfa.mfa_required(),
        },
    )


@require_http_methods(["GET"])
@never_cache
def mfa_manage(request):
    """Whether two-factor authentication is set up, and how many recovery codes are left."""
    return render(
        request,
        "mfa/manage.html",
        {
            "has_authenticator": mfa.has_authenticator(request.user),
            "codes_left": mfa.recovery_codes_left(request.user),
            "required": mfa.mfa_required(),
        },
    )


@require_POST
@never_cache
@recent_login_required
def mfa_new_recovery_codes(request):
    """Replace the recovery codes (the old ones stop working); needs a recent password."""
    if not mfa.has_authenticator(request.user):
        return redirect("security:mfa_enrol")
    codes = mfa.new_recovery_codes(user=request.user)
    return render(
        request, "mfa/recovery_codes.html", {"codes": codes, "next": reverse("home"), "first_time": False}
    )


@require_http_methods(["GET", "POST"])
@never_cache
def reauthenticate(request):
    """Confirm it's you: the password again (and a code) before a sensitive action."""
    form = ReauthenticateForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        request.session[REAUTHENTICATED_AT] = time.time()
        if form.device is not None:
            mfa.mark_verified(request, form.device)
        else:
            request.session.cycle_key()
        return redirect(_next_url(request))
    return render(request, "registration/reauthenticate.html", {"form": form, "next": _next_url(request)})


@require_POST
@never_cache
def keep_alive(request):
    """ "Stay signed in": any request restarts the idle clock; this one does nothing else.

    Answers JSON to the page's script; without JavaScript the warning's form posts here
    and is sent back to the page it came from (its Referer, when on this site).
    """
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"signed_in": True, "idle_timeout_seconds": idle_timeout_seconds()})
    # Back to the page the button was on (the page itself is not echoed into the form).
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(referer)
    return redirect("home")


@require_GET
@never_cache
def sensitive_fields_register(request):
    """The register of sensitive fields, for the DPO (domain-rules §4): no personal data, only the rules."""
    if not request.user.has_role(roles.DPO):
        raise PermissionDenied
    return render(request, "security/sensitive_fields.html", {"rows": sensitive_fields.rows()})
