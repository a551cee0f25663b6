"""Re-authentication for sensitive actions (SPEC §9): `recent_login_required` and "Confirm it is you"."""

import time
from unittest import mock

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.security.test_mfa import code_for

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.security.urls_reauth")]

PASSWORD = "correct-horse-battery-staple"


def _later(minutes: float):
    return mock.patch("time.time", return_value=time.time() + minutes * 60)


@pytest.fixture
def signed_in(client, caseworker):
    client.post("/sign-in/", {"username": caseworker.username, "password": PASSWORD})
    return client


def test_a_recent_sign_in_is_enough(signed_in):
    assert signed_in.get("/sensitive/").content == b"the package"


def test_after_max_age_the_password_is_asked_again(signed_in):
    with _later(6):
        response = signed_in.get("/sensitive/?format=pdf")
    assert response["Location"] == "/sign-in/again/?next=/sensitive/%3Fformat%3Dpdf"


def test_confirming_the_password_returns_to_the_page(signed_in):
    with _later(6):
        page = signed_in.get("/sign-in/again/?next=/sensitive/").content.decode()
        assert "Confirm it is you" in page
        assert 'autocomplete="current-password"' in page
        wrong = signed_in.post("/sign-in/again/", {"password": "nope", "next": "/sensitive/"})
        assert "Your password is not right" in wrong.content.decode()
        right = signed_in.post("/sign-in/again/", {"password": PASSWORD, "next": "/sensitive/"})
        assert right["Location"] == "/sensitive/"
        assert signed_in.get("/sensitive/").content == b"the package"
    with _later(6 + 6):
        assert signed_in.get("/sensitive/").status_code == 302  # five minutes after confirming


def test_confirming_rotates_the_session_key(signed_in):
    before = signed_in.session.session_key
    signed_in.post("/sign-in/again/", {"password": PASSWORD, "next": "/sensitive/"})
    assert signed_in.session.session_key != before


def test_with_an_authenticator_a_code_is_asked_too(signed_in, caseworker):
    device = TOTPDevice.objects.create(user=caseworker, name="Authenticator app", confirmed=True)
    with _later(6):
        response = signed_in.post("/sign-in/again/", {"password": PASSWORD, "next": "/sensitive/"})
        assert "Enter the code from your authenticator app" in response.content.decode()
    response = signed_in.post("/sign-in/again/", {"password": PASSWORD, "code": code_for(device)})
    assert response["Location"] == "/"


def test_wrong_passwords_on_the_confirm_page_count_towards_lockout(signed_in):
    for _ in range(4):
        assert signed_in.post("/sign-in/again/", {"password": "nope"}).status_code == 200
    response = signed_in.post("/sign-in/again/", {"password": "nope"})
    assert response.status_code == 429
    assert "_auth_user_id" not in signed_in.session


def test_anonymous_users_are_sent_to_sign_in_not_to_confirm():
    assert Client().get("/sensitive/")["Location"] == "/sign-in/?next=/sensitive/"


def test_next_must_stay_on_this_site(signed_in):
    response = signed_in.post("/sign-in/again/", {"password": PASSWORD, "next": "//evil.example/"})
    assert response["Location"] == "/"
