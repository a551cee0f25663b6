"""Two-factor authentication (SPEC §9; issue 10): TOTP enrolment with a QR code, recovery codes,
the second step of signing in, the admin site, lockout and the administrator's reset."""

import datetime
import os
import re
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from fss.core.security.mfa import RECOVERY_CODE_COUNT, new_recovery_codes
from tests.core.test_settings import BASE_DIR, PRODUCTION_ENV

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def mfa_on(settings):
    settings.MFA_REQUIRED = True


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def authenticator_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def sign_in(client, user, **extra):
    response = client.post("/sign-in/", {"username": user.username, "password": PASSWORD, **extra})
    assert response.status_code == 302, response.content.decode()
    return response


@pytest.mark.parametrize(("debug", "expected"), [("false", "True"), ("true", "False")])
def test_mfa_is_required_by_default_unless_debug(debug, expected):
    env = {k: v for k, v in os.environ.items() if k != "MFA_REQUIRED"} | PRODUCTION_ENV | {"DEBUG": debug}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.MFA_REQUIRED)",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip().splitlines()[-1] == expected, result.stderr


def test_first_sign_in_leads_to_setting_up_an_authenticator(client, caseworker):
    response = sign_in(client, caseworker)
    assert client.get(response["Location"])["Location"] == "/account/two-factor/set-up/?next=/"
    # Nothing else opens meanwhile.
    assert client.get("/my-work/")["Location"] == "/account/two-factor/set-up/?next=/my-work/"


def test_enrolment_shows_a_qr_code_as_svg_and_the_key_as_text(client, caseworker):
    sign_in(client, caseworker)
    page = client.get("/account/two-factor/set-up/").content.decode()
    device = TOTPDevice.objects.get(user=caseworker, confirmed=False)
    assert '<svg role="img" aria-label="QR code to scan with your authenticator app"' in page
    assert "<script" not in page.split("<main", 1)[1]
    secret = re.search(r'<code class="fss-secret-key">([A-Z2-7 ]+)</code>', page).group(1)
    from base64 import b32encode

    assert secret.replace(" ", "") == b32encode(device.bin_key).decode()
    # Reloading shows the same secret: a code already scanned stays valid.
    client.get("/account/two-factor/set-up/")
    assert TOTPDevice.objects.filter(user=caseworker).count() == 1


def test_qr_code_carries_the_service_as_issuer(caseworker):
    from fss.core.security.mfa import pending_authenticator

    url = pending_authenticator(caseworker).config_url
    assert url.startswith("otpauth://totp/Family%20Support%20Service%3Acass?")
    assert "issuer=Family%20Support%20Service" in url


def test_a_wrong_code_does_not_confirm_the_authenticator(client, caseworker):
    sign_in(client, caseworker)
    client.get("/account/two-factor/set-up/")
    response = client.post("/account/two-factor/set-up/", {"code": "000000"})
    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=caseworker, confirmed=True).exists()
    assert client.get("/my-work/").status_code == 302


def test_confirming_the_authenticator_gives_recovery_codes_once_and_opens_the_service(client, caseworker):
    sign_in(client, caseworker)
    client.get("/account/two-factor/set-up/")
    device = TOTPDevice.objects.get(user=caseworker)
    session_before = client.session.session_key
    response = client.post("/account/two-factor/set-up/", {"code": code_for(device), "next": "/my-work/"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Two-factor authentication is set up" in page
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    assert len(codes) == RECOVERY_CODE_COUNT
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=caseworker).values_list("token", flat=True)
    )
    assert 'href="/my-work/"' in page
    assert client.session.session_key != session_before  # a new key when privilege rises
    assert client.get("/my-work/").status_code == 200
    # The codes are not shown again.
    assert client.get("/account/two-factor/set-up/")["Location"] == "/account/two-factor/"
    assert codes[0] not in client.get("/account/two-factor/").content.decode()


def test_next_sign_in_asks_for_a_code(client, caseworker):
    device = authenticator_for(caseworker)
    response = sign_in(client, caseworker, next="/my-work/")
    assert response["Location"] == "/my-work/"
    assert client.get("/my-work/")["Location"] == "/sign-in/two-factor/?next=/my-work/"
    page = client.get("/sign-in/two-factor/?next=/my-work/").content.decode()
    assert 'autocomplete="one-time-code"' in page
    response = client.post("/sign-in/two-factor/", {"code": "123456", "next": "/my-work/"})
    assert "The code is not right" in response.content.decode()
    # django-otp backs off after a wrong code (1 s, then 2 s, 4 s...): let that second pass.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(seconds=5)
    )
    before = client.session.session_key
    response = client.post("/sign-in/two-factor/", {"code": code_for(device), "next": "/my-work/"})
    assert response["Location"] == "/my-work/"
    assert client.session.session_key != before
    assert client.get("/my-work/").status_code == 200


def test_the_same_code_cannot_be_used_twice(caseworker):
    device = authenticator_for(caseworker)
    code = code_for(device)
    first, second = Client(), Client()
    sign_in(first, caseworker)
    sign_in(second, caseworker)
    assert first.post("/sign-in/two-factor/", {"code": code})["Location"] == "/"
    assert second.post("/sign-in/two-factor/", {"code": code}).status_code == 200  # refused: replay


def test_a_recovery_code_works_once(client, caseworker):
    authenticator_for(caseworker)
    codes = new_recovery_codes(user=caseworker)
    sign_in(client, caseworker)
    response = client.post("/sign-in/two-factor/", {"code": codes[0].upper()}, follow=True)
    assert "You used a recovery code. You have 9 left" in response.content.decode()
    other = Client()
    sign_in(other, caseworker)
    assert other.post("/sign-in/two-factor/", {"code": codes[0]}).status_code == 200


def test_a_redirect_after_the_code_stays_on_this_site(client, caseworker):
    device = authenticator_for(caseworker)
    sign_in(client, caseworker)
    response = client.post(
        "/sign-in/two-factor/", {"code": code_for(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_wrong_codes_count_towards_lockout_and_sign_the_user_out(client, caseworker):
    authenticator_for(caseworker)
    sign_in(client, caseworker)
    for _ in range(4):
        assert client.post("/sign-in/two-factor/", {"code": "000000"}).status_code == 200
    response = client.post("/sign-in/two-factor/", {"code": "000000"})
    assert response.status_code == 429
    assert "You cannot sign in at the moment" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert (
        Client().post("/sign-in/", {"username": caseworker.username, "password": PASSWORD}).status_code == 429
    )


def test_the_admin_site_needs_the_second_factor(client, dpo):
    device = authenticator_for(dpo)
    sign_in(client, dpo)
    assert client.get("/admin/")["Location"] == "/sign-in/two-factor/?next=/admin/"
    client.post("/sign-in/two-factor/", {"code": code_for(device)})
    assert client.get("/admin/").status_code == 200


def test_the_admin_site_itself_refuses_an_unverified_user(dpo):
    """Defence in depth: even without the middleware, the admin site checks the second factor."""
    from django.contrib import admin

    request = RequestFactory().get("/admin/")
    request.user = dpo
    dpo.is_verified = lambda: False
    assert admin.site.has_permission(request) is False
    dpo.is_verified = lambda: True
    assert admin.site.has_permission(request) is True


def test_an_administrator_resets_a_users_two_factor_authentication(sysadmin, caseworker):
    authenticator_for(caseworker)
    new_recovery_codes(user=caseworker)
    theirs = Client()
    sign_in(theirs, caseworker)
    admin_client = Client()
    admin_client.force_login(sysadmin)
    session = admin_client.session
    device = authenticator_for(sysadmin)
    session["otp_device_id"] = device.persistent_id
    session.save()
    response = admin_client.post(
        "/admin/core/user/", {"action": "reset_two_factor", "_selected_action": [caseworker.pk]}, follow=True
    )
    assert "Two-factor authentication reset for 1 user(s)" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=caseworker).exists()
    assert not StaticDevice.objects.filter(user=caseworker).exists()
    assert theirs.get("/my-work/")["Location"].startswith("/sign-in/")  # signed out everywhere
    sign_in(theirs, caseworker)
    assert theirs.get("/my-work/")["Location"].startswith("/account/two-factor/set-up/")


def test_an_administrator_cannot_reset_their_own_two_factor_authentication(sysadmin):
    device = authenticator_for(sysadmin)
    client = Client()
    client.force_login(sysadmin)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    response = client.post(
        "/admin/core/user/", {"action": "reset_two_factor", "_selected_action": [sysadmin.pk]}, follow=True
    )
    assert "You cannot reset two-factor authentication for your own account" in response.content.decode()
    assert TOTPDevice.objects.filter(user=sysadmin).exists()


def test_reset_mfa_command_for_when_no_administrator_can_sign_in(sysadmin, capsys):
    authenticator_for(sysadmin)
    call_command("reset_mfa", sysadmin.username)
    assert "Two-factor authentication reset for addy" in capsys.readouterr().out
    assert not TOTPDevice.objects.filter(user=sysadmin).exists()


def test_secrets_are_not_browsable_in_the_admin(client, sysadmin, caseworker):
    from django.contrib import admin

    authenticator_for(caseworker)
    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)


def test_user_list_shows_who_has_set_up_two_factor(client, sysadmin, caseworker, settings):
    settings.MFA_REQUIRED = False
    authenticator_for(caseworker)
    client.force_login(sysadmin)
    page = client.get("/admin/core/user/").content.decode()
    assert "Two-factor set up" in page


def test_new_recovery_codes_need_a_recent_password(client, caseworker):
    from unittest import mock

    device = authenticator_for(caseworker)
    old = new_recovery_codes(user=caseworker)
    sign_in(client, caseworker)
    client.post("/sign-in/two-factor/", {"code": code_for(device)})
    import time

    with mock.patch("fss.core.security.reauth.time.time", return_value=time.time() + 16 * 60):
        response = client.post("/account/two-factor/recovery-codes/")
    assert response["Location"] == "/sign-in/again/?next=/account/two-factor/recovery-codes/"
    response = client.post("/account/two-factor/recovery-codes/")  # just signed in: recent
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(codes) == RECOVERY_CODE_COUNT
    assert not set(codes) & set(old)
