"""The access log records who, what, when, why and from where, without personal data (SPEC §9)."""

import pytest
from django.test import RequestFactory, override_settings

from cases.factories import FamilyFactory
from fss.core.models import AccessLogEntry
from fss.core.services import client_ip, log_access

pytestmark = pytest.mark.django_db


def test_log_access_records_user_record_and_address(caseworker):
    family = FamilyFactory()
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")
    entry = log_access(by=caseworker, record=family, request=request, family_id=family.pk)
    entry.refresh_from_db()
    assert entry.user == caseworker
    assert entry.action == AccessLogEntry.Action.VIEW
    assert (entry.record_type, entry.record_id, entry.family_id) == (
        "cases.family",
        str(family.pk),
        family.pk,
    )
    assert entry.ip_address == "10.1.2.3"
    assert entry.at is not None
    assert not entry.is_break_glass


def test_break_glass_access_keeps_its_reason(caseworker):
    family = FamilyFactory()
    entry = log_access(
        by=caseworker,
        record=family,
        family_id=family.pk,
        reason="Police called about a child at risk out of hours",
        is_break_glass=True,
    )
    assert AccessLogEntry.objects.filter(pk=entry.pk, is_break_glass=True).exists()
    assert entry.reason.startswith("Police called")


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.1", "10.0.0.1"),  # no proxy trusted: header ignored
        (1, "6.6.6.6, 203.0.113.9", "10.0.0.1", "203.0.113.9"),  # client forged the first entry
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.5", "10.0.0.1", "203.0.113.9"),
        (1, "", "10.0.0.1", "10.0.0.1"),  # header missing: the direct peer
    ],
)
def test_client_address_trusts_only_the_configured_proxies(proxies, forwarded, remote, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_ip(request) == expected
