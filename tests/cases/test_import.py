"""Importing external data (SPEC §4.5): file checks, preview with matching and per-row errors,
all-or-nothing commit, the worker for large files, who may import, and the person page."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from cases import imports
from cases.factories import (
    ExternalDataRecordFactory,
    FamilyAddressFactory,
    FamilyFactory,
    MembershipFactory,
    PersonFactory,
)
from cases.identifiers import upn_check_letter
from cases.models import ExternalDataImport, ExternalDataRecord
from fss.core.models import AccessLogEntry

pytestmark = pytest.mark.django_db

Status = ExternalDataImport.Status
HEADER = "upn,given_name,family_name,date_of_birth,postcode,kind,period_start,period_end,measure,value"


def upn(n: int) -> str:
    digits = f"{931098765400 + n:012d}"
    return upn_check_letter(digits) + digits


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def north(north_team):
    """A North family at HP20 1UA: Zoë O'Brien (with a UPN) and her brother Sam (without)."""
    family = FamilyFactory(team=north_team)
    FamilyAddressFactory(family=family, postcode="HP20 1UA")
    zoe = PersonFactory(
        given_name="Zoë", family_name="O'Brien", date_of_birth=datetime.date(2012, 5, 1), upn=upn(1)
    )
    sam = PersonFactory(given_name="Sam", family_name="O'Brien", date_of_birth=datetime.date(2014, 6, 2))
    MembershipFactory(family=family, person=zoe)
    MembershipFactory(family=family, person=sam)
    return family, zoe, sam


@pytest.fixture
def south_person(south_team):
    family = FamilyFactory(team=south_team)
    FamilyAddressFactory(family=family, postcode="OX1 1AA")
    person = PersonFactory(
        given_name="Tariq", family_name="Hussain", date_of_birth=datetime.date(2011, 1, 1), upn=upn(2)
    )
    MembershipFactory(family=family, person=person)
    return family, person


def csv_file(*lines: str, name: str = "attendance.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join([HEADER, *lines]) + "\n").encode(), content_type="text/csv")


def start(manager, file, *, kind="attendance"):
    return imports.start_import(
        file=file,
        kind=kind,
        source_organisation="Education Service",
        received_on=timezone.localdate(),
        team=manager.teams.first(),
        by=manager,
    )


GOOD = [
    f"{upn(1)},,,,,,2025-09-01,2025-12-19,Attendance %,91.2",
    "  ,sam,obrien,02/06/2014,hp201ua,attendance,01/09/2025,19/12/2025,Attendance %,78.0",
]


# --- Reading the file ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.pdf", b"%PDF-1.4", "must be a CSV or XLSX"),
        ("empty.csv", b"", "empty"),
        ("blank.csv", b"\n\n", "empty"),
        ("headers.csv", HEADER.encode() + b"\n", "no rows of data"),
        ("short.csv", b"upn,value\nX,1\n", "missing these columns: period_start, measure"),
        ("names.csv", b"given_name,period_start,measure,value\nA,2025-01-01,m,1\n", "upn (or given_name"),
        ("fake.xlsx", b"not a zip", "not a readable XLSX"),
        ("binary.csv", b"\x00\x01\x02", "not a CSV file"),
    ],
)
def test_unusable_files_are_refused_with_a_clear_message_and_nothing_is_kept(
    manager, media, name, content, message
):
    with pytest.raises(imports.ImportFileError) as error:
        start(manager, SimpleUploadedFile(name, content))
    assert message in error.value.messages[0]
    assert not ExternalDataImport.objects.exists()
    assert not list(media.rglob("*.*"))


def test_a_file_over_the_size_limit_is_refused(manager, media, monkeypatch):
    monkeypatch.setattr(imports, "MAX_BYTES", 10)
    with pytest.raises(imports.ImportFileError, match="smaller than"):
        start(manager, csv_file(*GOOD))


def test_a_file_over_the_row_limit_is_refused(manager, media, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 1)
    with pytest.raises(imports.ImportFileError, match="more than 1 rows"):
        start(manager, csv_file(*GOOD))


def test_xlsx_files_are_read_with_real_dates(manager, media, north):
    _, zoe, _ = north
    book = Workbook()
    sheet = book.active
    sheet.append(["UPN", "Surname", "Period start", "Measure", "Value"])
    sheet.append([upn(1), "O'Brien", datetime.datetime(2025, 9, 1), "Sessions missed", 12])
    buffer = io.BytesIO()
    book.save(buffer)
    imp = start(manager, SimpleUploadedFile("attendance.xlsx", buffer.getvalue()))
    [row] = imports.preview_rows(imp)
    assert (row.status, row.person_id, row.period_start, row.value) == ("matched", zoe.pk, "2025-09-01", "12")


# --- Preview: matching and per-row errors -------------------------------------------------------


def test_preview_matches_by_upn_and_by_tolerant_name_dob_and_postcode(manager, media, north):
    family, zoe, sam = north
    imp = start(manager, csv_file(*GOOD))
    assert imp.status == Status.PREVIEWED
    by_line = {row.line: row for row in imports.preview_rows(imp)}
    assert (by_line[2].status, by_line[2].person_id, by_line[2].family_id) == ("matched", zoe.pk, family.pk)
    assert (by_line[3].status, by_line[3].person_id) == ("matched", sam.pk)
    assert (imp.matched_rows, imp.unmatched_rows, imp.error_rows) == (2, 0, 0)
    assert not ExternalDataRecord.objects.exists()  # a preview saves nothing


def test_rows_with_errors_are_reported_beside_the_row(manager, media, north):
    imp = start(
        manager,
        csv_file(
            f"{upn(1)},,,,,,31/02/2025,,Attendance %,90",  # impossible date
            f"{upn(1)},,,,,burglary,2025-01-01,,Offences,1",  # unknown kind
            f"{upn(1)},,,,,,2025-03-01,2025-02-01,Attendance %,90",  # ends before it starts
            "X123,,,,,,2025-01-01,,Attendance %,90",  # bad UPN
            ",Sam,O'Brien,,HP20 1UA,,2025-01-01,,Attendance %,90",  # not enough to match on
            ",Sam,O'Brien,2099-01-01,HP20 1UA,,2025-01-01,,Attendance %,90",  # born in the future
            f"{upn(1)},,,,,,2025-01-01,,Attendance %,",  # no value
        ),
    )
    rows = imports.preview_rows(imp)
    assert [row.status for row in rows] == ["error"] * 7
    messages = [" ".join(row.errors) for row in rows]
    assert "not a date" in messages[0]
    assert "Unknown kind of data" in messages[1]
    assert "Period end is before its start" in messages[2]
    assert "UPN is not valid" in messages[3]
    assert "Give a UPN, or a given name" in messages[4]
    assert "Date of birth is in the future" in messages[5]
    assert "Enter the value" in messages[6]
    html = _client_for(manager).get(reverse("cases:import_detail", args=[imp.pk])).content.decode()
    assert 'id="row-3"' in html
    assert "Unknown kind of data" in html
    assert "Save 0 rows" not in html  # no commit button while any row has an error


def test_an_ambiguous_match_is_an_error(manager, media, north):
    family, zoe, _ = north
    twin = PersonFactory(given_name="Zoe", family_name="OBrien", date_of_birth=zoe.date_of_birth)
    MembershipFactory(family=family, person=twin)
    imp = start(manager, csv_file(",Zoe,O'Brien,01/05/2012,HP20 1UA,,2025-01-01,,Attendance %,90"))
    [row] = imports.preview_rows(imp)
    assert row.status == "error"
    assert "Matches 2 people" in row.errors[0]


def test_rows_matching_nobody_in_the_importers_families_are_listed_unmatched(
    manager, media, north, south_person
):
    _, tariq = south_person
    imp = start(
        manager,
        csv_file(
            GOOD[0],
            f"{tariq.upn},,,,,,2025-01-01,,Attendance %,90",  # another team's family: not matched
            ",Tariq,Hussain,01/01/2011,OX1 1AA,,2025-01-01,,Attendance %,90",
            ",Sam,O'Brien,02/06/2014,OX1 1AA,,2025-01-01,,Attendance %,90",  # wrong postcode
        ),
    )
    assert [row.status for row in imports.preview_rows(imp)] == [
        "matched",
        "unmatched",
        "unmatched",
        "unmatched",
    ]
    html = _client_for(manager).get(reverse("cases:import_detail", args=[imp.pk])).content.decode()
    assert "Rows matching nobody" in html
    assert "Tariq" in html  # the row as it was in the file
    assert "Tariq Hussain</a>" not in html  # never linked to the other team's record


# --- Commit -------------------------------------------------------------------------------------


def test_commit_saves_every_matched_row_deletes_the_file_and_a_second_commit_does_nothing(
    manager, media, north, django_capture_on_commit_callbacks
):
    family, zoe, sam = north
    with django_capture_on_commit_callbacks(execute=True):
        imp = start(manager, csv_file(*GOOD, ",Nobody,Known,01/01/2010,HP20 1UA,,2025-01-01,,x,1"))
    stored = imp.file.name
    assert (media / stored).exists()
    with django_capture_on_commit_callbacks(execute=True):
        imp = imports.request_commit(imp=imp, by=manager)
    assert imp.status == Status.COMMITTED
    assert imp.imported_rows == 2
    records = ExternalDataRecord.objects.order_by("person__given_name")
    assert [(r.person, r.family, r.value, r.import_batch) for r in records] == [
        (sam, family, "78.0", imp),
        (zoe, family, "91.2", imp),
    ]
    assert records[0].period_start == datetime.date(2025, 9, 1)
    assert records[0].source_organisation == "Education Service"
    assert records[0].history.count() == 1
    imp.refresh_from_db()
    assert (imp.file.name, imp.preview) == ("", "")
    assert not (media / stored).exists()
    # Again: nothing more is saved.
    assert imports.request_commit(imp=imp, by=manager).status == Status.COMMITTED
    assert imports.commit_import(import_id=imp.pk).status == Status.COMMITTED
    assert ExternalDataRecord.objects.count() == 2


def test_commit_is_all_or_nothing_when_a_row_fails_at_commit(manager, media, north):
    family, zoe, sam = north
    imp = start(manager, csv_file(*GOOD))
    # Since the preview, a second record with Zoë's UPN makes her row ambiguous: Sam's row is
    # still fine, but nothing may be saved.
    other = PersonFactory(upn=zoe.upn)
    MembershipFactory(family=family, person=other)
    imp = imports.commit_import(import_id=imp.pk)
    assert imp.status == Status.PREVIEWED
    assert "nothing was saved" in imp.failure
    assert imp.error_rows == 1
    assert not ExternalDataRecord.objects.exists()


def test_a_failure_while_saving_rolls_everything_back(manager, media, north, monkeypatch):
    imp = start(manager, csv_file(*GOOD))
    calls = {"n": 0}
    real_save = ExternalDataRecord.save

    def save_then_fail(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(ExternalDataRecord, "save", save_then_fail)
    with pytest.raises(RuntimeError):
        imports.commit_import(import_id=imp.pk)
    assert not ExternalDataRecord.objects.exists()
    imp.refresh_from_db()
    assert imp.status == Status.PREVIEWED  # ready to try again
    assert "nothing was saved" in imp.failure
    monkeypatch.setattr(ExternalDataRecord, "save", real_save)
    assert imports.commit_import(import_id=imp.pk).status == Status.COMMITTED
    assert ExternalDataRecord.objects.count() == 2


def test_commit_is_refused_while_rows_have_errors(manager, media, north):
    from django.core.exceptions import ValidationError

    imp = start(manager, csv_file(GOOD[0], f"{upn(1)},,,,,,not-a-date,,x,1"))
    with pytest.raises(ValidationError, match="Some rows have errors"):
        imports.request_commit(imp=imp, by=manager)
    assert not ExternalDataRecord.objects.exists()


def test_cancel_deletes_the_file_and_the_preview(manager, media, north, django_capture_on_commit_callbacks):
    imp = start(manager, csv_file(*GOOD))
    stored = imp.file.name
    client = _client_for(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:import_cancel", args=[imp.pk]))
    assert response.status_code == 302
    imp.refresh_from_db()
    assert (imp.status, imp.file.name, imp.preview) == (Status.CANCELLED, "", "")
    assert not (media / stored).exists()


def test_abandoned_drafts_are_purged(manager, media, north):
    imp = start(manager, csv_file(*GOOD))
    assert imports.purge_abandoned_imports(now=timezone.now()) == []
    later = timezone.now() + imports.ABANDONED_AFTER + datetime.timedelta(minutes=1)
    assert imports.purge_abandoned_imports(now=later, dry_run=True) == [imp.pk]
    imp.refresh_from_db()
    assert imp.status == Status.PREVIEWED  # a dry run changes nothing
    assert imports.purge_abandoned_imports(now=later) == [imp.pk]
    imp.refresh_from_db()
    assert (imp.status, imp.preview) == (Status.CANCELLED, "")


# --- Large files: the worker and the progress bar -----------------------------------------------


def test_a_large_file_is_previewed_and_committed_by_the_worker(
    manager, media, north, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_WORKER_THRESHOLD_ROWS = 1
    client = _client_for(manager)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        imp = start(manager, csv_file(*GOOD))
    assert imp.status == Status.DRAFT  # waiting for the worker
    page = client.get(reverse("cases:import_detail", args=[imp.pk])).content.decode()
    assert "<progress" in page
    assert "js/import-progress.js" in page
    assert "<script>" not in page
    progress = client.get(reverse("cases:import_progress", args=[imp.pk])).json()
    assert progress["done"] is False
    for callback in callbacks:
        callback()  # the worker (Celery runs eagerly in tests)
    progress = client.get(reverse("cases:import_progress", args=[imp.pk])).json()
    assert (progress["done"], progress["percent"], progress["status"]) == (True, 100, "previewed")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("cases:import_commit", args=[imp.pk]))
    imp.refresh_from_db()
    assert imp.status == Status.COMMITTED
    assert ExternalDataRecord.objects.count() == 2


# --- Who may import; the pages ------------------------------------------------------------------


def _client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", ["caseworker", "dpo", "analyst"])
def test_only_team_managers_import(request, persona):
    client = _client_for(request.getfixturevalue(persona))
    assert client.get(reverse("cases:import_start")).status_code == 403


def test_an_import_is_shown_only_to_the_manager_who_made_it(media, north, manager, south_team):
    from fss.core import roles
    from fss.core.factories import UserFactory

    imp = start(manager, csv_file(*GOOD))
    other_manager = UserFactory(roles=[roles.TEAM_MANAGER], team=south_team, team__manager=True)
    client = _client_for(other_manager)
    assert client.get(reverse("cases:import_detail", args=[imp.pk])).status_code == 404
    assert client.post(reverse("cases:import_commit", args=[imp.pk])).status_code == 404


def test_upload_page_shows_errors_beside_the_field_and_opening_a_preview_is_logged(manager, media, north):
    client = _client_for(manager)
    data = {
        "kind": "attendance",
        "source_organisation": "Education Service",
        "received_on_0": "1",
        "received_on_1": "2",
        "received_on_2": "2026",
    }
    response = client.post(reverse("cases:import_start"), {**data, "file": SimpleUploadedFile("x.pdf", b"%")})
    assert response.status_code == 200
    assert "The file must be a CSV or XLSX file" in response.content.decode()
    response = client.post(
        reverse("cases:import_start"), {**data, "file": SimpleUploadedFile("x.csv", b"upn,value\nA,1\n")}
    )
    assert "missing these columns: period_start, measure" in response.content.decode()
    response = client.post(reverse("cases:import_start"), {**data, "file": csv_file(*GOOD)})
    imp = ExternalDataImport.objects.get()
    assert response["Location"] == reverse("cases:import_detail", args=[imp.pk])
    assert str(imp.pk) in response["Location"]
    assert "Zo" not in response["Location"]
    client.get(response["Location"])
    assert AccessLogEntry.objects.filter(
        record_type="cases.externaldataimport", record_id=str(imp.pk)
    ).exists()


def test_person_page_shows_external_data_and_hides_offending_values_without_the_permission(
    client, caseworker, north
):
    from django.contrib.auth.models import Permission

    family, zoe, _ = north
    ExternalDataRecordFactory(family=family, person=zoe, measure="Attendance %", value="91.2")
    ExternalDataRecordFactory(
        family=family, person=zoe, kind="offending", measure="Outcome", value="Youth caution 2025"
    )
    client.force_login(caseworker)
    url = reverse("cases:person_detail", args=[family.pk, zoe.pk])
    html = client.get(url).content.decode()
    assert "Data from other services" in html
    assert "91.2" in html
    assert "Youth caution 2025" in html
    assert AccessLogEntry.objects.filter(person_id=zoe.pk, action="view").exists()
    for group in caseworker.groups.all():
        group.permissions.remove(Permission.objects.get(codename="view_offence_data"))
    html = client.get(url).content.decode()
    assert "91.2" in html
    assert "Youth caution 2025" not in html
    assert "Hidden: criminal offence data" in html


def test_offending_values_are_encrypted_at_rest(north):
    from django.db import connection

    family, zoe, _ = north
    record = ExternalDataRecordFactory(
        family=family, person=zoe, kind="offending", value="Youth caution 2025"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM cases_externaldatarecord WHERE id = %s", [record.pk])
        (stored,) = cursor.fetchone()
    assert "caution" not in stored
    assert ExternalDataRecord.objects.get(pk=record.pk).value == "Youth caution 2025"
