from django.conf import settings

from fss.core.navigation import navigation_for


def service(request):
    """Organisation details and the role-dependent navigation for the base layout."""
    return {
        "service": settings.ORGANISATION,
        "navigation": navigation_for(getattr(request, "user", None), request.path),
    }
