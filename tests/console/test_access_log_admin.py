"""The access log in the console (issue 9): read only, filtered by user, family, date and break-glass; CSV."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from fss.core.factories import AccessLogEntryFactory
from fss.core.models import AccessLogEntry

pytestmark = pytest.mark.django_db

URL = "/admin/core/accesslogentry/"


@pytest.fixture
def entries(caseworker, colleague):
    old = AccessLogEntryFactory(user=caseworker, family_id=101, record_id="101")
    AccessLogEntry.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=40))
    return {
        "old": old,
        "mine": AccessLogEntryFactory(user=caseworker, family_id=202, record_id="202"),
        "glass": AccessLogEntryFactory(
            user=colleague, family_id=202, record_id="202", is_break_glass=True, reason="Police at the door"
        ),
    }


def _ids(response) -> set[int]:
    return {entry.pk for entry in response.context["cl"].result_list}


def test_filters_by_user_family_date_and_break_glass(client, dpo, caseworker, entries):
    client.force_login(dpo)
    assert _ids(client.get(URL, {"user__id__exact": caseworker.pk})) == {
        entries["old"].pk,
        entries["mine"].pk,
    }
    assert _ids(client.get(URL, {"family": 202})) == {entries["mine"].pk, entries["glass"].pk}
    assert _ids(client.get(URL, {"is_break_glass__exact": 1})) == {entries["glass"].pk}
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    assert _ids(client.get(URL, {"from": since})) == {entries["mine"].pk, entries["glass"].pk}
    until = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    assert _ids(client.get(URL, {"to": until})) == {entries["old"].pk}
    assert _ids(client.get(URL, {"family": 202, "user__id__exact": caseworker.pk})) == {entries["mine"].pk}


def test_a_bad_filter_value_is_not_an_error_page(client, dpo, entries):
    client.force_login(dpo)
    response = client.get(URL, {"family": "abc"})
    assert response.status_code == 302  # the admin drops the bad parameter (?e=1)
    assert "e=1" in response["Location"]


def test_csv_export_of_the_selected_entries_is_itself_logged(client, dpo, entries):
    client.force_login(dpo)
    response = client.post(
        URL,
        {"action": "export_csv", "_selected_action": [entries["mine"].pk, entries["glass"].pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["user"], r["family_id"], r["is_break_glass"]) for r in rows] == [
        ("cass", "202", "no"),
        ("colin", "202", "yes"),
    ]
    exported = AccessLogEntry.objects.get(user=dpo, action=AccessLogEntry.Action.EXPORT)
    assert exported.record_type == "core.accesslogentry"


def test_the_access_log_stays_read_only(client, dpo, sysadmin, entries):
    client.force_login(dpo)
    page = client.get(f"{URL}{entries['mine'].pk}/change/").content.decode()
    assert 'name="_save"' not in page
    assert client.get(f"{URL}add/").status_code == 403
    assert client.get(f"{URL}{entries['mine'].pk}/delete/").status_code == 403
    assert 'value="delete_selected"' not in client.get(URL).content.decode()
    client.force_login(sysadmin)
    assert client.get(URL).status_code == 403
