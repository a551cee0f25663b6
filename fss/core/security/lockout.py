"""Lockout after repeated failed sign-ins (django-axes), keyed on username and address together.

Keying on the pair (AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]) means one
person mistyping a password cannot lock out the whole office behind a shared address,
and someone guessing at one account from elsewhere does not lock its owner out at
their desk. The address is `fss.core.services.client_ip`, which trusts exactly
TRUSTED_PROXY_COUNT proxies, so X-Forwarded-For cannot be forged to dodge the count.
"""

import logging

from axes.backends import AxesStandaloneBackend
from axes.utils import reset
from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import render

from fss.core.services import client_ip

logger = logging.getLogger("fss.security")


def axes_client_ip(request) -> str:
    """AXES_CLIENT_IP_CALLABLE: the same address the access log records."""
    # django-axes stores this in an inet column on PostgreSQL: "unknown" would crash the sign-in.
    return client_ip(request) or "0.0.0.0"  # noqa: S104 - a placeholder address, not a bind


class LockoutBackend(AxesStandaloneBackend):
    """Refuses sign-in while the username is locked out from this address.

    Only web sign-in is counted: a call to `authenticate()` without a request (a
    management shell, a test client's `login()`) has no address to key on, so it
    is left to the other backends rather than failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def locked_out_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a clear page saying what happened and how to get back in.

    A user locked out while half signed in (at the MFA step or the confirm page) is
    signed out as well.
    """
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        logout(request)
    return render(
        request,
        "registration/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        status=429,
    )


def unlock(*, username: str, by=None) -> int:
    """Clear the failed attempts for `username` from every address; returns how many were cleared."""
    count = reset(username=username)
    logger.info("sign-in unlocked: by=%s attempts=%s", getattr(by, "pk", None), count)
    return count
