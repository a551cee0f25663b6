"""Re-authentication for sensitive actions (SPEC §9, issue 10).

`recent_login_required` sends a user whose password was last given longer ago than
`max_age` to the "confirm it's you" page, which asks for the password (and an MFA
code when the user has a device) and then returns them to the page they wanted.
"""

import datetime
import time
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from fss.core.security.sessions import AUTHENTICATED_AT, REAUTHENTICATED_AT

DEFAULT_MAX_AGE = datetime.timedelta(minutes=15)


def _seconds(max_age: datetime.timedelta | int | float) -> float:
    return max_age.total_seconds() if isinstance(max_age, datetime.timedelta) else float(max_age)


def authenticated_recently(session, max_age: datetime.timedelta | int | float = DEFAULT_MAX_AGE) -> bool:
    """Whether the password was given (at sign-in or on the confirm page) within `max_age`."""
    stamps = [session.get(AUTHENTICATED_AT), session.get(REAUTHENTICATED_AT)]
    latest = max((stamp for stamp in stamps if stamp is not None), default=None)
    return latest is not None and time.time() - latest < _seconds(max_age)


def recent_login_required(view_func=None, *, max_age: datetime.timedelta | int | float = DEFAULT_MAX_AGE):
    """Decorator: the view runs only if the user gave their password within `max_age`.

    Use on downloads of personal data, statutory returns and break-glass:
    `@recent_login_required` or `@recent_login_required(max_age=timedelta(minutes=5))`.
    A POST that arrives too late is not run: the user confirms, then comes back to the
    page (its typed input is kept by the browser's form drafts).
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.is_authenticated and authenticated_recently(request.session, max_age):
                return view(request, *args, **kwargs)
            return redirect_to_login(request.get_full_path(), reverse("security:reauthenticate"))

        wrapped.recent_login_max_age = _seconds(max_age)
        return wrapped

    if view_func is not None:
        return decorator(view_func)
    return decorator
