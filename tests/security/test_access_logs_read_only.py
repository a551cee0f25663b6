"""Access and security logs cannot be edited or deleted by the people they record (SPEC §9)."""

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.test import Client

from fss.core.factories import AccessLogEntryFactory
from fss.core.models import AccessLogEntry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["dpo", "sysadmin"], indirect=True)
def test_no_one_may_change_or_delete_their_own_access_log_entries(persona):
    entry = AccessLogEntryFactory(user=persona, record_id="42", family_id=42)
    client = Client()
    client.force_login(persona)
    base = f"/admin/core/accesslogentry/{entry.pk}"
    assert client.post(f"{base}/change/", {"action": "change", "reason": "tidied"}).status_code == 403
    assert client.post(f"{base}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/core/accesslogentry/add/").status_code == 403
    client.post(
        "/admin/core/accesslogentry/",
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    entry.refresh_from_db()
    assert entry.reason == ""
    for action in ("add", "change", "delete"):
        assert not persona.has_perm(f"core.{action}_accesslogentry")


@pytest.mark.parametrize("persona", ["dpo", "sysadmin"], indirect=True)
def test_no_one_may_change_or_delete_sign_in_records(persona):
    login = AccessLog.objects.create(username=persona.username, ip_address="192.0.2.1", user_agent="x")
    failure = AccessFailureLog.objects.create(
        username=persona.username, ip_address="192.0.2.1", user_agent="x"
    )
    client = Client()
    client.force_login(persona)
    assert client.post(f"/admin/axes/accesslog/{login.pk}/delete/", {"post": "yes"}).status_code == 403
    assert (
        client.post(f"/admin/axes/accessfailurelog/{failure.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert AccessLog.objects.filter(pk=login.pk).exists()
    assert AccessFailureLog.objects.filter(pk=failure.pk).exists()
    for model in ("accesslog", "accessfailurelog", "accessattempt"):
        assert not persona.has_perm(f"axes.change_{model}")
        assert not persona.has_perm(f"axes.delete_{model}")


def test_the_dpo_reads_the_access_log(client, dpo, caseworker):
    AccessLogEntryFactory(user=caseworker, record_id="7", family_id=7)
    client.force_login(dpo)
    assert client.get("/admin/core/accesslogentry/").status_code == 200
    assert AccessLogEntry.objects.count() == 1
