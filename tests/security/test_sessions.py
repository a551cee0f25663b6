"""Sessions (SPEC §9): idle and absolute timeouts, rotation at sign-in, ending sessions."""

import time
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from fss.core.security.sessions import AUTHENTICATED_AT, LAST_SEEN, end_sessions, sessions_of

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"


def _sign_in(client, user):
    response = client.post("/sign-in/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return response


def _later(seconds: float):
    """Pretend `seconds` have passed (the session clocks read time.time())."""
    return mock.patch("fss.core.security.middleware.time.time", return_value=time.time() + seconds)


def test_defaults_are_30_minutes_idle_and_12_hours_absolute(settings):
    assert settings.SESSION_IDLE_TIMEOUT_MINUTES == 30
    assert settings.SESSION_ABSOLUTE_TIMEOUT_MINUTES == 12 * 60
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_ACTIVITY_WRITE_SECONDS == 30


def test_the_session_row_is_written_at_most_once_per_interval_but_keep_alive_always_writes(
    client, caseworker
):
    _sign_in(client, caseworker)

    def last_seen():
        return Session.objects.get(session_key=client.session.session_key).get_decoded()[LAST_SEEN]

    signed_in = last_seen()
    with _later(10):  # within the interval: the page costs no session write
        assert client.get("/my-work/").status_code == 200
    assert last_seen() == signed_in
    with _later(31):  # past it: the idle clock restarts
        assert client.get("/my-work/").status_code == 200
    assert last_seen() > signed_in + 30
    seen = last_seen()
    with _later(35):  # "Stay signed in" always restarts it
        client.post("/session/keep-alive/", HTTP_ACCEPT="application/json")
    assert last_seen() > seen


def test_session_key_changes_at_sign_in(client, caseworker):
    client.get("/sign-in/")
    client.session.save()  # an anonymous session exists before signing in
    before = client.session.session_key
    _sign_in(client, caseworker)
    after = client.session.session_key
    assert before
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_an_idle_session_ends_after_the_idle_timeout(client, caseworker):
    _sign_in(client, caseworker)
    with _later(29 * 60):
        assert client.get("/my-work/").status_code == 200  # still within 30 minutes
    with _later(29 * 60 + 30 * 60 + 1):
        response = client.get("/my-work/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/my-work/"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out because you had not used the service for 30 minutes" in page


def test_activity_keeps_a_session_alive_until_the_absolute_timeout(client, caseworker):
    _sign_in(client, caseworker)
    # A request every 20 minutes for 11 hours 40 minutes: never idle.
    for minutes in range(20, 12 * 60, 20):
        with _later(minutes * 60):
            assert client.get("/my-work/").status_code == 200, minutes
    with _later(12 * 60 * 60 + 1):
        response = client.get("/my-work/")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out because you had been signed in for 12 hours" in page


def test_the_database_session_itself_expires_after_the_idle_timeout(client, caseworker):
    _sign_in(client, caseworker)
    session = Session.objects.get(session_key=client.session.session_key)
    remaining = (session.expire_date - timezone.now()).total_seconds()
    assert 29 * 60 < remaining <= 30 * 60
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now())
    assert client.get("/my-work/")["Location"] == "/sign-in/?next=/my-work/"


def test_a_session_without_the_sign_in_stamp_is_ended(client, caseworker):
    client.force_login(caseworker)
    session = client.session
    del session[AUTHENTICATED_AT]
    del session[LAST_SEEN]
    session.save()
    assert client.get("/my-work/").status_code == 302


def test_timeout_answers_json_to_the_page_script(client, caseworker):
    _sign_in(client, caseworker)
    with _later(31 * 60):
        response = client.post("/session/keep-alive/", HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert response.json() == {"signed_in": False}


def test_keep_alive_restarts_the_idle_clock(client, caseworker):
    _sign_in(client, caseworker)
    with _later(25 * 60):
        response = client.post("/session/keep-alive/", HTTP_ACCEPT="application/json")
        assert response.json() == {"signed_in": True, "idle_timeout_seconds": 1800}
    with _later(50 * 60):  # 25 minutes after the keep-alive
        assert client.get("/my-work/").status_code == 200


def test_keep_alive_without_javascript_returns_to_the_page(client, caseworker):
    client.force_login(caseworker)
    response = client.post("/session/keep-alive/", HTTP_REFERER="http://testserver/my-work/")
    assert response["Location"] == "http://testserver/my-work/"
    response = client.post("/session/keep-alive/", HTTP_REFERER="https://evil.example/")
    assert response["Location"] == "/"


def test_keep_alive_is_a_post_with_csrf(caseworker):
    client = Client(enforce_csrf_checks=True)
    client.force_login(caseworker)
    assert client.get("/session/keep-alive/").status_code == 405
    assert client.post("/session/keep-alive/").status_code == 403


def test_deactivating_a_user_ends_their_sessions(caseworker, django_capture_on_commit_callbacks):
    first, second = Client(), Client()
    _sign_in(first, caseworker)
    _sign_in(second, caseworker)
    assert len(sessions_of(caseworker)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        caseworker.is_active = False
        caseworker.save()
    assert sessions_of(caseworker) == []
    assert first.get("/my-work/").status_code == 302


def test_end_sessions_ends_only_that_users_sessions(caseworker, colleague):
    mine, theirs = Client(), Client()
    _sign_in(mine, caseworker)
    _sign_in(theirs, colleague)
    assert end_sessions(user=caseworker) == 1
    assert mine.get("/my-work/").status_code == 302
    assert theirs.get("/my-work/").status_code == 200


def test_end_sessions_command(caseworker, capsys):
    client = Client()
    _sign_in(client, caseworker)
    call_command("end_sessions", caseworker.username)
    assert "Ended 1 session(s)" in capsys.readouterr().out
    assert client.get("/my-work/").status_code == 302


def test_an_administrator_can_end_a_users_sessions(client, sysadmin, caseworker):
    theirs = Client()
    _sign_in(theirs, caseworker)
    client.force_login(sysadmin)
    response = client.post(
        "/admin/core/user/",
        {"action": "end_all_sessions", "_selected_action": [caseworker.pk]},
        follow=True,
    )
    assert "Ended 1 session(s) for 1 user(s)." in response.content.decode()
    assert theirs.get("/my-work/").status_code == 302


def test_an_administrator_cannot_end_their_own_sessions_from_the_console(client, sysadmin):
    client.force_login(sysadmin)
    response = client.post(
        "/admin/core/user/", {"action": "end_all_sessions", "_selected_action": [sysadmin.pk]}, follow=True
    )
    assert "You cannot end the sessions for your own account" in response.content.decode()
    assert client.get("/admin/").status_code == 200


def test_the_dpo_cannot_end_sessions(client, dpo, caseworker):
    theirs = Client()
    _sign_in(theirs, caseworker)
    client.force_login(dpo)
    client.post("/admin/core/user/", {"action": "end_all_sessions", "_selected_action": [caseworker.pk]})
    assert theirs.get("/my-work/").status_code == 200


def test_console_actions_on_users_need_a_recent_password(client, sysadmin, caseworker):
    client.force_login(sysadmin)
    with _later(16 * 60):  # time.time() is patched for every module: reauth reads it too
        response = client.post(
            "/admin/core/user/", {"action": "end_all_sessions", "_selected_action": [caseworker.pk]}
        )
        assert response["Location"] == "/sign-in/again/?next=/admin/core/user/"
        response = client.get(f"/admin/core/user/{caseworker.pk}/password/")
        assert response["Location"].startswith("/sign-in/again/")
