"""Free text about a family is encrypted at rest, history included (issue 10).

Case notes (cases.0010), and the programme's evidence of needs and notes of progress
(cases.0013); each migration encrypts what was there and can go back.
"""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import FieldError
from django.db import connection

from cases.factories import AssessmentNeedFactory, CaseFactory, OutcomeFactory
from cases.models import AssessmentNeed, CaseNote, Outcome
from fss.core.factories import UserFactory
from fss.core.fields import FieldDecryptionError, decrypt_text

pytestmark = pytest.mark.django_db

migration = importlib.import_module("cases.migrations.0010_encrypt_note_text")
programme_migration = importlib.import_module("cases.migrations.0013_encrypt_programme_evidence")

TEXT = "Dad disclosed a caution for possession; Ada's asthma is worse since the move."


def _raw(table: str, pk_column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT text FROM {table} WHERE {pk_column} = %s", [pk])  # noqa: S608 - test tables
        return cursor.fetchone()[0]


def _note(text: str = TEXT) -> CaseNote:
    case = CaseFactory()
    return CaseNote.objects.create(
        case=case, kind="visit", occurred_on=case.opened_on, text=text, author=UserFactory()
    )


def test_note_text_is_ciphertext_in_the_table_and_in_its_history():
    note = _note()
    stored = _raw("cases_casenote", "id", note.pk)
    history = note.history.get()
    stored_history = _raw("cases_historicalcasenote", "history_id", history.history_id)
    for value in (stored, stored_history):
        assert TEXT not in value
        assert "caution" not in value
        assert decrypt_text(value) == TEXT
    assert stored != stored_history  # each encryption is randomised
    note.refresh_from_db()
    assert note.text == TEXT
    assert history.text == TEXT


def test_note_text_cannot_be_searched_in_the_database():
    _note()
    with pytest.raises(FieldError, match="encrypted"):
        CaseNote.objects.filter(text__icontains="caution").count()


def test_a_note_written_without_encryption_is_refused_not_shown():
    note = _note()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_casenote SET text = %s WHERE id = %s", [TEXT, note.pk])
    with pytest.raises(FieldDecryptionError, match=r"cases\.CaseNote\.text"):
        CaseNote.objects.get(pk=note.pk)


def test_the_migration_encrypts_existing_notes_and_their_history_and_can_go_back():
    notes = [_note(f"{TEXT} ({n})") for n in range(3)]
    histories = [n.history.get().history_id for n in notes]
    # The state before the migration: plaintext in both tables.
    with connection.cursor() as cursor:
        for note in notes:
            cursor.execute("UPDATE cases_casenote SET text = %s WHERE id = %s", [f"plain {note.pk}", note.pk])
        for history_id in histories:
            cursor.execute(
                "UPDATE cases_historicalcasenote SET text = %s WHERE history_id = %s",
                [f"plain history {history_id}", history_id],
            )
    editor = SimpleNamespace(connection=connection)

    migration.BATCH, batch = 2, migration.BATCH  # more than one batch
    try:
        migration.encrypt_existing_notes(apps, editor)
    finally:
        migration.BATCH = batch
    for note, history_id in zip(notes, histories, strict=True):
        assert not _raw("cases_casenote", "id", note.pk).startswith("plain")
        assert CaseNote.objects.get(pk=note.pk).text == f"plain {note.pk}"
        assert CaseNote.history.get(history_id=history_id).text == f"plain history {history_id}"

    migration.decrypt_existing_notes(apps, editor)
    for note, history_id in zip(notes, histories, strict=True):
        assert _raw("cases_casenote", "id", note.pk) == f"plain {note.pk}"
        assert _raw("cases_historicalcasenote", "history_id", history_id) == f"plain history {history_id}"


def test_a_note_under_a_key_that_is_not_configured_raises_and_shows_no_ciphertext(settings):
    note = _note()
    token = _raw("cases_casenote", "id", note.pk)
    settings.FIELD_ENCRYPTION_KEY = "another-key-passphrase-of-at-least-32-characters"
    with pytest.raises(FieldDecryptionError, match=r"cases\.CaseNote\.text") as raised:
        CaseNote.objects.get(pk=note.pk)
    assert token not in str(raised.value)
    assert TEXT not in str(raised.value)


@pytest.mark.parametrize(
    ("factory", "column"),
    [(AssessmentNeedFactory, "evidence"), (OutcomeFactory, "progress_note")],
    ids=["need-evidence", "outcome-progress-note"],
)
def test_programme_free_text_is_ciphertext_in_the_table_and_its_history(factory, column):
    record = factory(**{column: TEXT})
    table = record._meta.db_table
    history = record.history.get()
    for value in (
        _raw_column(table, "id", record.pk, column),
        _raw_column(history._meta.db_table, "history_id", history.history_id, column),
    ):
        assert "caution" not in value
        assert decrypt_text(value) == TEXT
    assert getattr(type(record).objects.get(pk=record.pk), column) == TEXT
    with pytest.raises(FieldError, match="encrypted"):
        type(record).objects.filter(**{f"{column}__contains": "caution"}).exists()


def test_the_programme_migration_encrypts_existing_values_and_can_go_back():
    need = AssessmentNeedFactory()
    outcome = OutcomeFactory()
    rows = [
        (need, "id", need.pk, "evidence"),
        (need.history.get(), "history_id", need.history.get().history_id, "evidence"),
        (outcome, "id", outcome.pk, "progress_note"),
        (outcome.history.get(), "history_id", outcome.history.get().history_id, "progress_note"),
    ]
    with connection.cursor() as cursor:
        for record, pk_column, pk, column in rows:
            cursor.execute(
                f"UPDATE {record._meta.db_table} SET {column} = %s WHERE {pk_column} = %s",  # noqa: S608
                [f"plain {column} {pk}", pk],
            )
    editor = SimpleNamespace(connection=connection)

    programme_migration.encrypt_existing_values(apps, editor)
    for record, pk_column, pk, column in rows:
        stored = _raw_column(record._meta.db_table, pk_column, pk, column)
        assert not stored.startswith("plain")
        assert decrypt_text(stored) == f"plain {column} {pk}"
    assert AssessmentNeed.objects.get(pk=need.pk).evidence == f"plain evidence {need.pk}"
    assert Outcome.objects.get(pk=outcome.pk).progress_note == f"plain progress_note {outcome.pk}"

    programme_migration.decrypt_existing_values(apps, editor)
    for record, pk_column, pk, column in rows:
        assert _raw_column(record._meta.db_table, pk_column, pk, column) == f"plain {column} {pk}"


def _raw_column(table: str, pk_column: str, pk: int, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {pk_column} = %s", [pk])  # noqa: S608 - test tables
        return cursor.fetchone()[0]
