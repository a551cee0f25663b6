"""Who reaches the console's pages (issue 9): the DPO only, and administrators for access reviews."""

import pytest

from fss.core.models import AccessLogEntry

pytestmark = pytest.mark.django_db

OTHERS = ["caseworker", "other_caseworker", "manager", "records_officer", "analyst"]
DPO_ONLY = ["/console/", "/console/charts/"]
REVIEWERS = ["/console/access-review/"]


@pytest.mark.parametrize("url", DPO_ONLY + REVIEWERS)
def test_the_dpo_reaches_every_console_page(client, dpo, url):
    client.force_login(dpo)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", DPO_ONLY)
@pytest.mark.parametrize("persona", [*OTHERS, "sysadmin"], indirect=True)
def test_dashboard_and_charts_are_the_dpos_alone(client, persona, url):
    client.force_login(persona)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", REVIEWERS)
@pytest.mark.parametrize("persona", OTHERS, indirect=True)
def test_access_reviews_are_refused_to_everyone_but_the_dpo_and_administrators(client, persona, url):
    client.force_login(persona)
    assert client.get(url).status_code == 403


def test_administrators_reach_access_reviews(client, sysadmin):
    client.force_login(sysadmin)
    assert client.get("/console/access-review/").status_code == 200


@pytest.mark.parametrize("url", DPO_ONLY + REVIEWERS)
def test_nobody_signed_in_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_a_deactivated_dpo_is_refused(client, dpo):
    client.force_login(dpo)
    dpo.is_active = False
    dpo.save()
    response = client.get("/console/")
    assert response.status_code in (302, 403)


@pytest.mark.parametrize(
    ("url", "page"), [("/console/charts/", "charts"), ("/console/access-review/", "access_review")]
)
def test_every_console_page_view_is_access_logged(client, dpo, url, page):
    client.force_login(dpo)
    client.get(url)
    entry = AccessLogEntry.objects.get(user=dpo, record_type="console.page")
    assert entry.record_id == page


def test_refused_views_are_not_logged_as_access(client, caseworker):
    client.force_login(caseworker)
    client.get("/console/")
    assert not AccessLogEntry.objects.filter(user=caseworker).exists()


def test_the_dpos_console_link_goes_to_the_dashboard_and_the_dashboard_links_the_admin(client, dpo):
    client.force_login(dpo)
    home = client.get("/").content.decode()
    assert 'href="/console/"' in home
    dashboard = client.get("/console/").content.decode()
    assert 'href="/admin/"' in dashboard
