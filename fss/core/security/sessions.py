"""Sessions (SPEC §9): idle and absolute timeouts, and ending a user's sessions.

The idle timeout is kept twice on purpose: the database session expires
SESSION_COOKIE_AGE after the last request (SESSION_SAVE_EVERY_REQUEST), and the
middleware compares the session's own "last seen" stamp, so the rule holds
whatever session engine is configured and a test can prove it with a clock.
"""

import logging
import time

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

logger = logging.getLogger("fss.security")

# Session keys (seconds since the epoch).
AUTHENTICATED_AT = "fss_authenticated_at"  # when the password (and MFA) were given at sign-in
REAUTHENTICATED_AT = "fss_reauthenticated_at"  # when they were last asked again (reauth page)
LAST_SEEN = "fss_last_seen"  # the last request the user made


def idle_timeout_seconds() -> int:
    return settings.SESSION_IDLE_TIMEOUT_MINUTES * 60


def absolute_timeout_seconds() -> int:
    return settings.SESSION_ABSOLUTE_TIMEOUT_MINUTES * 60


def stamp_sign_in(session, *, now: float | None = None) -> None:
    """Start both clocks: called when a user signs in (user_logged_in)."""
    now = time.time() if now is None else now
    session[AUTHENTICATED_AT] = now
    session[LAST_SEEN] = now
    session.pop(REAUTHENTICATED_AT, None)


def expiry_reason(session, *, now: float | None = None) -> str | None:
    """Why this signed-in session must end now ("idle", "absolute"), or None if it may go on.

    A session without the sign-in stamp (made before these rules, or forged) is ended:
    deny by default.
    """
    now = time.time() if now is None else now
    signed_in_at = session.get(AUTHENTICATED_AT)
    last_seen = session.get(LAST_SEEN, signed_in_at)
    if signed_in_at is None or last_seen is None:
        return "absolute"
    if now - signed_in_at >= absolute_timeout_seconds():
        return "absolute"
    if now - last_seen >= idle_timeout_seconds():
        return "idle"
    return None


def sessions_of(user) -> list[Session]:
    """Every unexpired database session belonging to `user`.

    Sessions are decoded one by one: there are as many live sessions as staff signed in
    (they end after SESSION_IDLE_TIMEOUT_MINUTES), so this stays small.
    """
    user_id = str(user.pk)
    return [
        session
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == user_id
    ]


def end_sessions(*, user, by=None) -> int:
    """Sign `user` out everywhere now; returns how many sessions ended (SPEC §9).

    Used when an account is deactivated, when an administrator ends a user's sessions
    and when their MFA is reset. Logged with ids only (no names in logs).
    """
    sessions = sessions_of(user)
    Session.objects.filter(session_key__in=[s.session_key for s in sessions]).delete()
    logger.info("sessions ended: user=%s by=%s count=%s", user.pk, getattr(by, "pk", None), len(sessions))
    return len(sessions)
