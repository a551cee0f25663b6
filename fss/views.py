"""Project-level pages: home, health check and error pages that reveal nothing."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from fss.celery import app as celery_app
from fss.core import roles
from fss.core.models import JobHeartbeat


@require_GET
def home(request):
    """The signed-in start page: caseworkers and managers go to My work; others see their roles."""
    if request.user.has_role(roles.CASEWORKER) or request.user.has_role(roles.TEAM_MANAGER):
        return redirect("cases:my_work")
    return render(
        request,
        "home.html",
        {
            "roles": sorted(request.user.role_names),
            "memberships": request.user.team_memberships.select_related("team"),
        },
    )


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "unavailable"; details stay out
        return "unavailable"
    return "ok"


def _broker_status() -> str:
    if celery_app.conf.task_always_eager:
        return "eager"  # embedded default: tasks run in-process, no broker
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # noqa: BLE001
        return "unavailable"
    return "ok"


def _last_run(job: str) -> dict | None:
    beat = JobHeartbeat.objects.filter(job=job).first()
    if beat is None:
        return None
    return {
        "started_at": beat.last_started_at.isoformat() if beat.last_started_at else None,
        "finished_at": beat.last_finished_at.isoformat() if beat.last_finished_at else None,
        "outcome": beat.outcome,
    }


def _retention_sweep() -> dict:
    """The sweep's heartbeat, and whether its last success is older than 48 hours (SPEC §7).

    Success is read from the sweep's own record in the database (retention.SweepRun),
    so a missed run shows even when the broker is down or the heartbeat says "running".
    """
    from retention.selectors import last_successful_sweep, sweep_overdue

    body = _last_run("retention_sweep") or {"started_at": None, "finished_at": None, "outcome": None}
    last = last_successful_sweep()
    body["last_succeeded_at"] = last.finished_at.isoformat() if last else None
    body["sweep_overdue"] = sweep_overdue()
    return body


@login_not_required
@require_GET
@never_cache
def healthz(request):
    """Database, broker and last retention sweep, as JSON; 503 when a dependency is down."""
    database = _database_status()
    broker = _broker_status()
    healthy = database == "ok" and broker in {"ok", "eager"}
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": database,
        "broker": broker,
        "last_retention_sweep": _retention_sweep() if database == "ok" else None,
    }
    return JsonResponse(body, status=200 if healthy else 503)


_ERRORS = {
    400: ("Sorry, there is a problem with your request", ["Go back and try again."]),
    403: (
        "You do not have permission to see this page",
        ["If you think you need access, ask your team manager."],
    ),
    404: (
        "Page not found",
        [
            "If you typed the web address, check it is correct.",
            "If you followed a link, the page may have moved, or you may not have access to it.",
        ],
    ),
    500: (
        "Sorry, there is a problem with the service",
        ["Try again later. Anything you had saved is safe."],
    ),
}


def _error_page(request, status: int) -> TemplateResponse:
    heading, paragraphs = _ERRORS[status]
    response = TemplateResponse(
        request, "error.html", {"heading": heading, "paragraphs": paragraphs}, status=status
    )
    return response.render()


@login_not_required
def bad_request(request, exception=None):
    return _error_page(request, 400)


@login_not_required
def permission_denied(request, exception=None):
    return _error_page(request, 403)


@login_not_required
def page_not_found(request, exception=None):
    return _error_page(request, 404)


@login_not_required
def server_error(request):
    # Rendered without context processors' database reads failing the page: the
    # base layout copes with a missing user or navigation.
    try:
        return _error_page(request, 500)
    except Exception:  # noqa: BLE001 - the last resort must not fail
        from django.http import HttpResponseServerError

        return HttpResponseServerError(
            "<h1>Sorry, there is a problem with the service</h1>", content_type="text/html"
        )


@login_not_required
def csrf_failure(request, reason=""):
    # The reason is for developers; the page explains what the user can do.
    heading = "Your form could not be sent"
    paragraphs = [
        "This can happen if the page was open for a long time or you signed out in another tab.",
        "Go back, reload the page and try again.",
    ]
    response = TemplateResponse(
        request, "error.html", {"heading": heading, "paragraphs": paragraphs}, status=403
    )
    return response.render()
