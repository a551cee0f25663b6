"""The sensitive actions the issue names ask for the password again (SPEC §9, issue 10).

SAR package downloads, statutory return downloads, document downloads and break-glass
are wrapped in `recent_login_required`; `test_reauth.py` proves the decorator itself.
"""

import time
from unittest import mock

import pytest
from django.urls import resolve, reverse

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"

SENSITIVE = [
    ("sar:package_pdf", [1, 1]),
    ("sar:package_zip", [1, 1]),
    ("sharing:return_download", [1]),
    ("cases:document_download", [1, 1]),
    ("cases:break_glass", []),
]


@pytest.mark.parametrize(("name", "args"), SENSITIVE, ids=[name for name, _ in SENSITIVE])
def test_each_sensitive_action_needs_a_recent_password(name, args):
    view = resolve(reverse(name, args=args)).func
    assert getattr(view, "recent_login_max_age", None), f"{name} is not wrapped in recent_login_required"
    assert view.recent_login_max_age <= 15 * 60


def test_break_glass_after_fifteen_minutes_asks_for_the_password_again(client, caseworker):
    client.post(reverse("login"), {"username": caseworker.username, "password": PASSWORD})
    assert client.get(reverse("cases:break_glass")).status_code == 200
    with mock.patch("time.time", return_value=time.time() + 20 * 60):
        response = client.get(reverse("cases:break_glass"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("security:reauthenticate"))
