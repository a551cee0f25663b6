"""Base layout, sign-in, deny-by-default and error pages that reveal nothing (SPEC §9, §10)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

# Default deny over every URL is proved in tests/security/test_default_deny.py.


def test_home_redirects_anonymous_users_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_sign_in_page_uses_the_govuk_layout_and_links_the_privacy_notice(client):
    response = client.get("/sign-in/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="govuk-template"' in html
    assert "govuk-service-navigation" in html
    assert 'href="/privacy-notice/"' in html
    assert "Buckinghamshire Council" in html


def test_wrong_password_shows_an_error_next_to_the_form(client, caseworker):
    response = client.post("/sign-in/", {"username": caseworker.username, "password": "wrong"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_a_caseworker_signing_in_lands_on_my_work(client, caseworker):
    response = client.post(
        "/sign-in/",
        {"username": caseworker.username, "password": "correct-horse-battery-staple"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/my-work/"
    assert '<h1 class="govuk-heading-l">My work</h1>' in response.content.decode()


def test_other_roles_land_on_home_showing_role_and_team(client, analyst, north_team):
    from fss.core.factories import TeamMembershipFactory

    TeamMembershipFactory(user=analyst, team=north_team)
    response = client.post(
        "/sign-in/", {"username": analyst.username, "password": "correct-horse-battery-staple"}, follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/"
    assert "Performance analyst" in html
    assert "North team" in html
    assert "Team: North team" not in html  # team permission groups are not roles


def test_sign_out_is_a_post_and_ends_the_session(client, caseworker):
    client.force_login(caseworker)
    response = client.post("/sign-out/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("persona", "sees", "does_not_see"),
    [
        ("caseworker", ["My work", "Find a family", "Record a referral"], ["DPO console", "Home"]),
        ("manager", ["My work", "Find a family"], ["DPO console", "Administration"]),
        ("dpo", ["Home", "DPO console", "Find a family"], ["Administration", "Record a referral"]),
        ("sysadmin", ["Home", "Administration"], ["DPO console", "Find a family"]),
        ("analyst", ["Home"], ["DPO console", "Administration", "Find a family", "My work"]),
    ],
    indirect=["persona"],
)
def test_navigation_depends_on_role(client, persona, sees, does_not_see):
    client.force_login(persona)
    nav = client.get("/", follow=True).context["navigation"]
    labels = [item["label"] for item in nav]
    for label in sees:
        assert label in labels
    for label in does_not_see:
        assert label not in labels


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("caseworker", 403),
        ("manager", 403),
        ("analyst", 403),
        ("records_officer", 403),
        ("dpo", 200),
        ("sysadmin", 200),
    ],
    indirect=["persona"],
)
def test_admin_console_is_for_the_dpo_and_administrators_only(client, persona, status):
    client.force_login(persona)
    response = client.get("/admin/", follow=True)
    assert response.status_code == status


def test_admin_console_sends_anonymous_users_to_the_service_sign_in(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/sign-in/?next=/admin/")


def test_404_page_reveals_nothing(client, caseworker):
    client.force_login(caseworker)
    response = client.get("/families/FSS-SECRET/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html
    assert "FSS-SECRET" not in html
    assert "Traceback" not in html


@pytest.mark.urls("tests.core.urls_raising")
def test_500_page_reveals_nothing(caseworker):
    client = Client(raise_request_exception=False)
    client.force_login(caseworker)
    response = client.get("/explode/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in html
    assert "Jane Doe" not in html
    assert "RuntimeError" not in html


def test_csrf_failure_page_explains_what_to_do(caseworker):
    client = Client(enforce_csrf_checks=True)
    client.force_login(caseworker)
    response = client.post("/sign-out/")
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()


def test_pages_load_govuk_assets_without_inline_scripts(client):
    html = client.get("/sign-in/").content.decode()
    assert "/static/build/fss.css" in html
    assert "/static/govuk/all.bundle.js" in html
    # CSP forbids inline scripts: every <script> has a src.
    import re

    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
