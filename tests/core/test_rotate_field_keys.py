"""rotate_field_keys moves every encrypted value, history included, onto the current key (SPEC §9)."""

import base64
from io import StringIO

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models
from django.test.utils import isolate_apps
from simple_history.models import HistoricalRecords

from fss.core.fields import EncryptedCharField, EncryptedTextField
from fss.core.management.commands import rotate_field_keys

KEYS = {name: base64.urlsafe_b64encode(name.encode() * 32).decode() for name in ("A", "B", "C")}

# Test-only models in a registry of their own (see test_encrypted_fields.py); the
# command is pointed at this registry instead of the project's.
with isolate_apps("tests.core") as test_registry:

    class RotationRecord(models.Model):
        religion = EncryptedCharField(max_length=40, blank=True)
        note = EncryptedTextField(null=True, blank=True)
        history = HistoricalRecords(
            user_model=get_user_model(),
            user_db_constraint=False,
            table_name="test_rotation_record_history",
        )

        class Meta:
            app_label = "core"
            db_table = "test_rotation_record"

        def __str__(self):
            return f"RotationRecord {self.pk}"

    class RotationRecordProxy(RotationRecord):
        class Meta:
            app_label = "core"
            proxy = True

        def __str__(self):
            return f"RotationRecordProxy {self.pk}"

    class PlainRecord(models.Model):
        # No encrypted field, and no table: the command must not touch it.
        title = models.CharField(max_length=20)

        class Meta:
            app_label = "core"
            db_table = "test_rotation_plain_record"

        def __str__(self):
            return f"PlainRecord {self.pk}"


HistoricalRotationRecord = RotationRecord.history.model


@pytest.fixture(scope="module")
def tables(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with connection.schema_editor() as editor:
            editor.create_model(RotationRecord)
            editor.create_model(HistoricalRotationRecord)
        yield
        with connection.schema_editor() as editor:
            editor.delete_model(HistoricalRotationRecord)
            editor.delete_model(RotationRecord)


@pytest.fixture
def registry(tables, db, settings, monkeypatch):
    monkeypatch.setattr(rotate_field_keys, "apps", test_registry)
    settings.FIELD_ENCRYPTION_KEY = KEYS["A"]


def rotate(*args):
    out = StringIO()
    call_command("rotate_field_keys", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def stored_tokens():
    """Every token in both tables, read past the ORM, in a stable order."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, religion, note FROM test_rotation_record ORDER BY id")
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT history_id, religion, note FROM test_rotation_record_history ORDER BY history_id"
        )
        return rows, cursor.fetchall()


def key_of(token):
    for name, key in KEYS.items():
        try:
            Fernet(key).decrypt(token.encode())
        except InvalidToken:
            continue
        return name
    return None


def keys_of_record(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT religion, note FROM test_rotation_record WHERE id = %s", [pk])
        return {key_of(token) for token in cursor.fetchone()}


def test_the_command_finds_encrypted_fields_by_walking_the_app_registry(registry):
    found = {
        model: [field.name for field in fields]
        for model, fields in rotate_field_keys.models_with_encrypted_fields()
    }

    assert found == {RotationRecord: ["religion", "note"], HistoricalRotationRecord: ["religion", "note"]}


def test_the_command_walks_the_project_registry_by_default(db):
    assert "Dry run, nothing changed." in rotate("--dry-run")


def test_rotation_moves_every_value_and_its_history_onto_the_new_key(registry, settings):
    originals = {}
    for number in range(5):
        record = RotationRecord.objects.create(
            religion=f"code-{number}", note=None if number == 3 else "Ünïcode 🙂"
        )
        record.note = "" if number == 4 else record.note
        record.save()
        originals[record.pk] = (record.religion, record.note)

    settings.FIELD_ENCRYPTION_KEY = f"{KEYS['B']},{KEYS['A']}"
    output = rotate("--batch-size", "2")

    assert "core.RotationRecord (religion, note): 5 row(s)" in output
    assert "core.RotationRecord: 2/5 row(s)" in output  # progress, batch by batch
    assert "core.RotationRecord: 5/5 row(s)" in output
    assert "Done. 4 encrypted field(s) in 2 model(s), 15 row(s): 27 value(s) re-encrypted" in output
    settings.FIELD_ENCRYPTION_KEY = KEYS["B"]
    assert {pk: (r.religion, r.note) for pk, r in RotationRecord.objects.in_bulk().items()} == originals
    assert all(history.religion.startswith("code-") for history in HistoricalRotationRecord.objects.all())
    records, history = stored_tokens()
    assert {key_of(token) for row in records + history for token in row[1:] if token is not None} == {"B"}


def test_a_second_run_changes_nothing(registry, settings):
    for number in range(3):
        RotationRecord.objects.create(religion="christian", note=f"note {number}")
    settings.FIELD_ENCRYPTION_KEY = f"{KEYS['B']},{KEYS['A']}"
    rotate()
    before = stored_tokens()

    output = rotate()

    assert stored_tokens() == before
    assert "0 value(s) re-encrypted, 12 already on the current key" in output


def test_dry_run_changes_nothing_and_reports_what_it_would_do(registry, settings):
    for number in range(3):
        RotationRecord.objects.create(religion="hindu", note=f"note {number}")
    settings.FIELD_ENCRYPTION_KEY = f"{KEYS['B']},{KEYS['A']}"
    before = stored_tokens()

    output = rotate("--dry-run", "--batch-size", "1")

    assert stored_tokens() == before
    assert (
        "Dry run, nothing changed. 4 encrypted field(s) in 2 model(s), 6 row(s): 12 value(s) to "
        "re-encrypt, 0 already on the current key, 0 that no configured key opens." in output
    )


def test_a_value_no_configured_key_opens_stops_the_command_and_rolls_back_only_its_batch(registry, settings):
    first, second, third, fourth = (
        RotationRecord.objects.create(religion="sikh", note="n") for _ in range(4)
    )
    settings.FIELD_ENCRYPTION_KEY = KEYS["C"]
    RotationRecord.objects.filter(pk=fourth.pk).update(note="under a key about to be lost")  # no history row
    settings.FIELD_ENCRYPTION_KEY = f"{KEYS['B']},{KEYS['A']}"

    with pytest.raises(CommandError, match=rf"core\.RotationRecord pk={fourth.pk} note: no configured"):
        rotate("--batch-size", "2")

    assert keys_of_record(first.pk) == keys_of_record(second.pk) == {"B"}  # the earlier batch is kept
    assert keys_of_record(third.pk) == {"A"}  # rewritten, then rolled back with its batch
    assert keys_of_record(fourth.pk) == {"A", "C"}


def test_dry_run_counts_values_no_configured_key_opens_and_fails(registry, settings):
    record = RotationRecord.objects.create(religion="jewish", note="n")
    settings.FIELD_ENCRYPTION_KEY = KEYS["C"]
    RotationRecord.objects.filter(pk=record.pk).update(note="under a key about to be lost")
    settings.FIELD_ENCRYPTION_KEY = f"{KEYS['B']},{KEYS['A']}"
    before = stored_tokens()
    out = StringIO()

    with pytest.raises(CommandError, match="1 value\\(s\\) cannot be read with the configured keys"):
        call_command("rotate_field_keys", "--dry-run", stdout=out, stderr=StringIO())

    assert stored_tokens() == before
    assert "3 value(s) to re-encrypt, 0 already on the current key, 1 that no configured key opens" in (
        out.getvalue()
    )


def test_batch_size_must_be_positive(registry):
    with pytest.raises(CommandError, match="--batch-size must be at least 1"):
        rotate("--batch-size", "0")
