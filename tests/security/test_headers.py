"""Security headers on every response (SPEC §9; issue 10)."""

import pytest

pytestmark = pytest.mark.django_db


def _csp(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture
def family_page(client, world):
    client.force_login(world.people["caseworker"])
    return client.get(f"/families/{world.family.pk}/")


def test_csp_allows_no_inline_script_and_no_plugins_base_or_framing(family_page):
    csp = _csp(family_page)
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in " ".join(sum(csp.values(), []))
    assert "'unsafe-eval'" not in " ".join(sum(csp.values(), []))
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]


def test_hsts_on_https_responses(client, caseworker):
    client.force_login(caseworker)
    response = client.get("/my-work/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_nosniff_referrer_policy_frame_denial_and_opener_policy(family_page):
    assert family_page["X-Content-Type-Options"] == "nosniff"
    assert family_page["Referrer-Policy"] == "same-origin"
    assert family_page["X-Frame-Options"] == "DENY"
    assert family_page["Cross-Origin-Opener-Policy"] == "same-origin"


def test_permissions_policy_switches_off_features_fss_never_uses(family_page):
    policy = dict(item.strip().split("=", 1) for item in family_page["Permissions-Policy"].split(","))
    for feature in ["camera", "microphone", "geolocation", "payment", "usb", "display-capture"]:
        assert policy[feature] == "()"


def test_pages_with_personal_data_are_not_stored(family_page):
    cache_control = family_page["Cache-Control"]
    assert "no-store" in cache_control
    assert "private" in cache_control
    assert "Grace" in family_page.content.decode()  # this page does show personal data


def test_signed_in_pages_carry_the_timeout_warning_without_template_leftovers(family_page):
    html = family_page.content.decode()
    assert 'data-fss-idle-seconds="1800"' in html
    assert 'data-fss-warning-seconds="120"' in html
    assert '<dialog class="fss-timeout-dialog"' in html
    assert "{#" not in html
    assert "{%" not in html


def test_public_pages_carry_no_timeout_warning(client):
    html = client.get("/sign-in/").content.decode()
    assert "data-fss-idle-seconds" not in html
    assert "fss-timeout-dialog" not in html


def test_every_page_a_signed_in_user_gets_is_not_stored(client, world):
    """The middleware covers pages whose view forgot never_cache, e.g. the home page."""
    client.force_login(world.people["analyst"])
    for path in ["/", "/account/two-factor/", "/privacy-notice/", "/no-such-page/"]:
        assert "no-store" in client.get(path)["Cache-Control"], path


def test_sign_in_page_is_not_stored_either(client):
    assert "no-store" in client.get("/sign-in/")["Cache-Control"]


def test_session_and_csrf_cookies_are_secure_and_http_only(client, caseworker):
    response = client.post(
        "/sign-in/",
        {"username": caseworker.username, "password": "correct-horse-battery-staple"},
        secure=True,
    )
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    csrf = client.get("/sign-in/", secure=True).cookies.get("csrftoken") or client.cookies["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["httponly"] is True
