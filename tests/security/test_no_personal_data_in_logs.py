"""No personal data in application logs (SPEC §9; issue 10).

Every log record written during a caseworker's journey — signing in (with a wrong
password first, and MFA on), finding the family by name and date of birth, opening the
family and a person, and a page that does not exist — is captured at DEBUG level from
every logger, formatted as production formats it, and searched for the family's names
and dates of birth.
"""

import logging

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from fss.core.logging import JsonFormatter
from tests.security.conftest import CHILD, MOTHER
from tests.security.test_mfa import code_for

pytestmark = pytest.mark.django_db


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def captured():
    handler = _Capture()
    root = logging.getLogger()
    loggers = [root] + [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    previous = {logger: logger.level for logger in loggers}
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    yield handler.records
    for logger, level in previous.items():
        logger.setLevel(level)
        logger.removeHandler(handler)


def _forms(person: dict) -> list[str]:
    born = person["date_of_birth"]
    return [
        person["given_name"],
        person["family_name"],
        born.isoformat(),
        born.strftime("%d/%m/%Y"),
        f"{born.day} {born:%B %Y}",
    ]


def test_a_caseworkers_journey_logs_no_names_or_dates_of_birth(settings, world, captured):
    settings.MFA_REQUIRED = True
    caseworker = world.people["caseworker"]
    device = TOTPDevice.objects.create(user=caseworker, name="Authenticator app", confirmed=True)
    client = Client()

    client.post("/sign-in/", {"username": caseworker.username, "password": "wrong"})
    client.post("/sign-in/", {"username": caseworker.username, "password": "correct-horse-battery-staple"})
    client.post("/sign-in/two-factor/", {"code": code_for(device)})
    search = client.post(
        "/families/",
        {"name": f"{MOTHER['given_name']} {MOTHER['family_name']}", "date_of_birth": "14/03/1987"},
    )
    assert MOTHER["family_name"] in search.content.decode()  # the search found her
    assert client.get(f"/families/{world.family.pk}/").status_code == 200
    assert client.get(f"/families/{world.family.pk}/people/{world.mother.pk}/").status_code == 200
    client.get(f"/families/{world.family.pk}/people/999999/")  # a 404 is logged as a warning
    client.post("/sign-out/")

    assert captured, "the journey should log something (requests, sign-in failures)"
    formatter = JsonFormatter()
    text = "\n".join(formatter.format(record) + repr(record.args) for record in captured)
    leaks = [form for person in (MOTHER, CHILD) for form in _forms(person) if form in text]
    assert leaks == [], text
