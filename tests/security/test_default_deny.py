"""Default deny (SPEC §9; issue 10): every URL needs a signed-in user, and with MFA_REQUIRED
a second factor, except an explicit public list (sign-in, health check, privacy notice and the
public complaint form with its confirmation page)."""

import pytest
from django.test import Client
from django.urls import resolve

from fss.core.security.middleware import MFA_EXEMPT_URL_NAMES
from tests.security.test_permission_matrix import ARGUMENTS
from tests.security.urlwalk import LOGIN, MFA, classify, routes, url_for

# The only pages anyone may open without signing in: sign-in, the health check, the privacy notice,
# and the public data-protection complaint form with its confirmation page (SPEC §8.4).
PUBLIC = {
    "login",
    "healthz",
    "consent:privacy_notice",
    "sar:complaint_public",
    "sar:complaint_received",
}


def _walk(client, world):
    for route in routes():
        url = url_for(route, world, ARGUMENTS.get(route.key, lambda world: {})(world))
        for method in ("get", "post"):
            yield route, method, url, classify(client, getattr(client, method)(url))


def test_only_the_public_pages_open_without_signing_in(world):
    client = Client()
    opened = [
        f"{method.upper()} {route.key} -> {got}"
        for route, method, url, got in _walk(client, world)
        if route.key not in PUBLIC and got != LOGIN
    ]
    assert opened == []


def test_the_public_pages_are_marked_as_such_and_nothing_else_is(world):
    """The views themselves: only the public list carries @login_not_required."""
    marked = set()
    for route in routes():
        url = url_for(route, world, ARGUMENTS.get(route.key, lambda world: {})(world))
        if not getattr(resolve(url).func, "login_required", True):
            marked.add(route.key)
    # (The admin's own login page is not public here: fss.core.admin_site sends people to /sign-in/.)
    assert marked == PUBLIC


def test_the_public_pages_answer_without_signing_in(client, world):
    for name, path in [
        ("login", "/sign-in/"),
        ("healthz", "/healthz"),
        ("privacy", "/privacy-notice/"),
        ("complaint", "/complaints/new/"),
        ("complaint received", "/complaints/received/"),
    ]:
        assert client.get(path).status_code == 200, name


@pytest.mark.parametrize("has_authenticator", [False, True], ids=["not-enrolled", "enrolled"])
def test_with_mfa_required_nothing_opens_before_the_second_factor(settings, world, has_authenticator):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.MFA_REQUIRED = True
    user = world.people["dpo"]
    if has_authenticator:
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    client = Client()
    client.force_login(user)
    exempt = PUBLIC | MFA_EXEMPT_URL_NAMES
    opened = []
    for route in routes():
        if route.key in exempt:
            continue
        url = url_for(route, world, ARGUMENTS.get(route.key, lambda world: {})(world))
        for method in ("get", "post"):
            got = classify(client, getattr(client, method)(url))
            if got != MFA:
                opened.append(f"{method.upper()} {route.key} -> {got}")
    assert opened == []
