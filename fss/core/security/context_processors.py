from django.conf import settings
from django.utils.crypto import salted_hmac

from fss.core.security.sessions import idle_timeout_seconds


def session_timeout(request):
    """What the page script (static/fss.js) needs: when to warn before the idle timeout, and
    an opaque owner for form drafts so one person's drafts are never offered to another."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    idle = idle_timeout_seconds()
    return {
        "session_timeout": {
            "idle_seconds": idle,
            "warning_seconds": min(settings.SESSION_TIMEOUT_WARNING_SECONDS, idle // 2),
        },
        "draft_owner": salted_hmac("fss.security.drafts", str(user.pk)).hexdigest()[:16],
    }
