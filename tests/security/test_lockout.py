"""Lockout after repeated failed sign-ins (SPEC §9): username and address together, trusted proxies."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"


def _attempt(user, password, *, address="192.0.2.10", forwarded=None):
    client = Client(REMOTE_ADDR=address)
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return client.post("/sign-in/", {"username": user.username, "password": password}, **extra)


def _fail(user, times, **where):
    for _ in range(times):
        response = _attempt(user, "wrong-password", **where)
    return response


def test_five_wrong_passwords_lock_the_account_from_that_address(settings, caseworker):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert _fail(caseworker, 4).status_code == 200  # the form again, with its error
    response = _fail(caseworker, 1)
    assert response.status_code == 429
    page = response.content.decode()
    assert "You cannot sign in at the moment" in page
    assert "30 minutes" in page
    assert "ask a system administrator to unlock your account" in page
    # Even the right password is refused now, from that address.
    assert _attempt(caseworker, PASSWORD).status_code == 429


def test_lockout_is_keyed_on_username_and_address_together(caseworker, colleague):
    _fail(caseworker, 5, address="192.0.2.10")
    # A colleague in the same office (same address) still signs in.
    assert _attempt(colleague, PASSWORD, address="192.0.2.10").status_code == 302
    # The locked account's owner, from another address, still signs in.
    assert _attempt(caseworker, PASSWORD, address="198.51.100.7").status_code == 302


def test_the_address_comes_from_the_trusted_proxy_so_a_forged_header_cannot_dodge_the_count(
    settings, caseworker
):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forges a different left-hand address on each attempt; the proxy appends the real one.
    for forged in range(5):
        _attempt(caseworker, "wrong", address="10.0.0.2", forwarded=f"203.0.113.{forged}, 192.0.2.10")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.10"}
    assert (
        _attempt(caseworker, PASSWORD, address="10.0.0.2", forwarded="203.0.113.99, 192.0.2.10").status_code
        == 429
    )


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings, caseworker):
    settings.TRUSTED_PROXY_COUNT = 0
    for forged in range(5):
        _attempt(caseworker, "wrong", address="192.0.2.10", forwarded=f"203.0.113.{forged}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.10"}


def test_a_successful_sign_in_resets_the_count(caseworker):
    _fail(caseworker, 4)
    assert _attempt(caseworker, PASSWORD).status_code == 302
    assert _fail(caseworker, 4).status_code == 200  # four more are allowed again


def test_failed_sign_ins_stay_on_record_without_the_password(caseworker):
    _fail(caseworker, 2)
    assert AccessFailureLog.objects.filter(username=caseworker.username).count() == 2
    attempt = AccessAttempt.objects.get(username=caseworker.username)
    assert "wrong-password" not in attempt.post_data


def test_unlock_command_lets_the_user_back_in(caseworker, capsys):
    _fail(caseworker, 5)
    call_command("unlock_user", caseworker.username)
    assert "Cleared 1 failed sign-in record(s)" in capsys.readouterr().out
    assert _attempt(caseworker, PASSWORD).status_code == 302


def test_an_administrator_unlocks_a_user_from_the_console(client, sysadmin, caseworker):
    _fail(caseworker, 5)
    client.force_login(sysadmin)
    response = client.post(
        "/admin/core/user/", {"action": "unlock_sign_in", "_selected_action": [caseworker.pk]}, follow=True
    )
    assert "Cleared 1 failed sign-in record(s)." in response.content.decode()
    assert _attempt(caseworker, PASSWORD).status_code == 302
    # The failures stay on record for the security review.
    assert AccessFailureLog.objects.filter(username=caseworker.username).count() == 5


def test_the_lockout_page_names_no_one(caseworker):
    page = _fail(caseworker, 5).content.decode()
    assert caseworker.username not in page.split("<main", 1)[1]
