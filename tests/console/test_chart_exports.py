"""Chart tables as CSV (issue 9): they leave the case view, so they pass disclosure control."""

import csv
import io

import pytest
from django.utils import timezone

from fss.core.models import AccessLogEntry
from tests.console.conftest import destruction_record, sweep_run

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def _this_month(rows) -> list[str]:
    label = f"{timezone.localdate():%B %Y}"
    return next(row for row in rows if row and row[0] == label)


def test_a_small_count_is_suppressed_in_the_file_but_exact_on_screen(client, dpo):
    run = sweep_run(by=dpo)
    for _ in range(3):
        destruction_record(run=run)
    client.force_login(dpo)
    page = client.get("/console/charts/").content.decode()
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">3</td>' in page

    response = client.get("/console/charts/destructions.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _rows(response)
    assert rows[0] == ["Month", "Families destroyed", "Total"]
    assert _this_month(rows)[1:] == ["c", "c"]
    assert rows[len(rows) - 1 - 4][0].startswith(
        "Families destroyed each month. Disclosure control policy version"
    )
    assert "3" not in [cell for row in rows[1:13] for cell in row]


def test_larger_counts_are_rounded(client, dpo):
    run = sweep_run(by=dpo)
    for _ in range(12):
        destruction_record(run=run)
    client.force_login(dpo)
    rows = _rows(client.get("/console/charts/destructions.csv"))
    assert _this_month(rows)[1:] == ["10", "10"]
    assert next(row for row in rows if row and row[0] == "Total")[1:] == ["10", "10"]


@pytest.mark.parametrize("chart", ["requests", "destructions", "disclosures", "pipeline"])
def test_every_chart_table_downloads_and_the_download_is_logged_as_an_export(client, dpo, chart):
    client.force_login(dpo)
    response = client.get(f"/console/charts/{chart}.csv")
    assert response.status_code == 200
    assert "Disclosure control policy version" in response.content.decode()
    entry = AccessLogEntry.objects.get(user=dpo, action=AccessLogEntry.Action.EXPORT)
    assert (entry.record_type, entry.record_id) == ("console.page", f"charts:{chart}.csv")


def test_an_unknown_chart_is_not_found(client, dpo):
    client.force_login(dpo)
    assert client.get("/console/charts/people.csv").status_code == 404


@pytest.mark.parametrize("persona", ["analyst", "sysadmin", "manager"], indirect=True)
def test_only_the_dpo_downloads_chart_tables(client, persona):
    client.force_login(persona)
    assert client.get("/console/charts/requests.csv").status_code == 403
