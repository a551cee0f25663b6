"""The public privacy notice page (SPEC §5.3, §12: GET /privacy-notice/, no sign-in)."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from consent.selectors import current_notice_version, render_notice
from retention.selectors import NoPolicyError


@login_not_required
@require_GET
def privacy_notice(request):
    """The current published notice, filled from settings and the retention policy; 503 until one exists."""
    version = current_notice_version()
    if version is not None:
        try:
            rendered = render_notice(version=version)
        except NoPolicyError:
            # Never show a notice with its retention promise missing.
            rendered = None
        if rendered is not None:
            return render(request, "consent/privacy_notice.html", {"notice": rendered})
    return render(request, "consent/privacy_notice_unavailable.html", status=503)
