"""Special category fields are ciphertext at rest, fail loudly, and cannot be searched (SPEC §2.6, §9)."""

import base64
import hashlib
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection, models
from django.forms import modelform_factory
from django.test.utils import isolate_apps
from simple_history.models import HistoricalRecords

from fss.core.fields import (
    EncryptedBooleanField,
    EncryptedCharField,
    EncryptedDateField,
    EncryptedTextField,
    FieldDecryptionError,
    parse_field_encryption_keys,
)
from fss.settings import DEMO_FIELD_ENCRYPTION_KEY
from tests.core.test_settings import PRODUCTION_ENV, _manage

# Fixed keys, so parametrised test ids are the same in every xdist worker.
KEY_A = base64.urlsafe_b64encode(b"A" * 32).decode()
KEY_B = base64.urlsafe_b64encode(b"B" * 32).decode()
PASSPHRASE = "a long passphrase of more than thirty-two characters"

GENDER_CHOICES = [
    ("female", "Female"),
    ("male", "Male"),
    ("non_binary", "Non-binary"),
    ("not_obtained", "Not obtained"),
    ("prefers_not_to_say", "Prefers not to say"),
]

# Test-only models in a registry of their own: isolate_apps("tests.core") names the
# app "core", which is also the label simple-history looks up for the history model.
with isolate_apps("tests.core"):

    class SensitiveRecord(models.Model):
        gender = EncryptedCharField(max_length=30, choices=GENDER_CHOICES, blank=True)
        notes = EncryptedTextField(blank=True, null=True)
        send_support = EncryptedBooleanField(null=True)
        offence_date = EncryptedDateField(null=True)
        history = HistoricalRecords(
            user_model=get_user_model(),
            user_db_constraint=False,
            table_name="test_fields_sensitive_record_history",
        )

        class Meta:
            app_label = "core"
            db_table = "test_fields_sensitive_record"

        def __str__(self):
            return f"SensitiveRecord {self.pk}"


HistoricalSensitiveRecord = SensitiveRecord.history.model
ENCRYPTED = ["gender", "notes", "send_support", "offence_date"]


@pytest.fixture(scope="module")
def tables(django_db_setup, django_db_blocker):
    # Created outside the per-test transaction: SQLite cannot change its schema inside one.
    with django_db_blocker.unblock():
        with connection.schema_editor() as editor:
            editor.create_model(SensitiveRecord)
            editor.create_model(HistoricalSensitiveRecord)
        yield
        with connection.schema_editor() as editor:
            editor.delete_model(HistoricalSensitiveRecord)
            editor.delete_model(SensitiveRecord)


@pytest.fixture
def records(tables, db, settings):
    settings.FIELD_ENCRYPTION_KEY = KEY_A
    return SensitiveRecord.objects


def stored(pk, table="test_fields_sensitive_record", id_column="id"):
    """The columns as the database holds them, read past the ORM."""
    queries = {
        "test_fields_sensitive_record": (
            "SELECT gender, notes, send_support, offence_date FROM test_fields_sensitive_record WHERE id = %s"
        ),
        "test_fields_sensitive_record_history": (
            "SELECT gender, notes, send_support, offence_date FROM test_fields_sensitive_record_history "
            "WHERE history_id = %s"
        ),
    }
    with connection.cursor() as cursor:
        cursor.execute(queries[table], [pk])
        return dict(zip(ENCRYPTED, cursor.fetchone(), strict=True))


def test_special_category_values_are_ciphertext_in_the_database(records):
    record = records.create(
        gender="prefers_not_to_say",
        notes="Chloé's dad said the family is Muslim",
        send_support=True,
        offence_date=date(2023, 4, 1),
    )

    raw = stored(record.pk)
    for column, plaintext in [
        ("gender", "prefers"),
        ("notes", "Muslim"),
        ("send_support", "True"),
        ("offence_date", "2023"),
    ]:
        assert raw[column].startswith("gAAAAA"), column  # a Fernet token
        assert plaintext not in raw[column]
    fresh = records.get(pk=record.pk)
    assert (fresh.gender, fresh.notes, fresh.send_support, fresh.offence_date) == (
        "prefers_not_to_say",
        "Chloé's dad said the family is Muslim",
        True,
        date(2023, 4, 1),
    )


@pytest.mark.parametrize(
    "text",
    [
        "Zoë Brontë-Ndiaye, Łódź, São Paulo",
        "Family 👨‍👩‍👧 moved house; child 😢 about school",
        "Line one\nLine two\n\ttabbed",
        "  spaces kept  ",
        "À",  # UTF-8 ends in byte 0x80, the padding marker
        "ends with NUL\x00",
        "x" * 5000,
    ],
)
def test_text_round_trips_exactly(records, text):
    record = records.create(gender="female", notes=text)

    assert records.get(pk=record.pk).notes == text
    assert list(records.filter(pk=record.pk).values_list("notes", flat=True)) == [text]


def test_none_stays_none_and_empty_string_stays_empty_string(records):
    record = records.create(gender="", notes=None, send_support=None, offence_date=None)

    raw = stored(record.pk)
    assert raw["gender"].startswith("gAAAAA")  # "" is a value, encrypted like any other
    assert raw["notes"] is None
    assert raw["send_support"] is None
    assert raw["offence_date"] is None
    fresh = records.get(pk=record.pk)
    assert fresh.gender == ""
    assert fresh.notes is None
    assert fresh.send_support is None
    assert fresh.offence_date is None


@pytest.mark.parametrize("answer", [False, True])
def test_false_is_encrypted_never_stored_as_null(records, answer):
    record = records.create(send_support=answer, notes="")

    assert stored(record.pk)["send_support"] is not None
    fresh = records.get(pk=record.pk)
    assert fresh.send_support is answer
    assert fresh.notes == ""


def test_every_choice_code_answer_and_date_gives_a_token_of_the_same_length(records):
    lengths = set()
    for code, _label in GENDER_CHOICES:
        record = records.create(gender=code, send_support=code == "male", offence_date=date(1999, 12, 31))
        lengths.update(len(token) for token in stored(record.pk).values() if token is not None)

    assert len(lengths) == 1


def test_a_value_under_a_key_that_is_not_configured_raises(records, settings):
    record = records.create(gender="female", notes="sensitive")
    token = stored(record.pk)["notes"]

    settings.FIELD_ENCRYPTION_KEY = KEY_B
    with pytest.raises(FieldDecryptionError, match=r"core\.SensitiveRecord\.gender") as raised:
        records.get(pk=record.pk)
    assert token not in str(raised.value)
    with pytest.raises(FieldDecryptionError, match=r"core\.SensitiveRecord\.notes"):
        records.filter(pk=record.pk).values_list("notes", flat=True).get()
    with pytest.raises(FieldDecryptionError, match=r"core\.HistoricalSensitiveRecord\.notes"):
        record.history.values_list("notes", flat=True).get()


def test_plaintext_written_behind_the_fields_back_raises_rather_than_being_shown(records):
    record = records.create(notes="encrypted")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE test_fields_sensitive_record SET notes = %s WHERE id = %s", ["plain", record.pk]
        )

    with pytest.raises(FieldDecryptionError, match="none of the configured FIELD_ENCRYPTION_KEY keys"):
        records.values_list("notes", flat=True).get(pk=record.pk)


def test_several_keys_read_every_key_and_write_with_the_first(records, settings):
    old = records.create(notes="written under A")

    settings.FIELD_ENCRYPTION_KEY = f"{KEY_B}, {KEY_A}"
    assert records.get(pk=old.pk).notes == "written under A"
    new = records.create(notes="written under B")

    settings.FIELD_ENCRYPTION_KEY = KEY_B
    assert records.get(pk=new.pk).notes == "written under B"
    with pytest.raises(FieldDecryptionError):
        records.get(pk=old.pk)


def test_keys_do_not_depend_on_secret_key(records, settings):
    record = records.create(notes="kept")

    settings.SECRET_KEY = "a-different-secret-key-entirely-0123456789-abcdefghijklmnop"
    assert records.get(pk=record.pk).notes == "kept"


def test_a_passphrase_key_is_stretched_with_the_documented_scrypt(records, settings):
    # docs/operations.md and .env.example promise this derivation; restores depend on it.
    expected = base64.urlsafe_b64encode(
        hashlib.scrypt(
            PASSPHRASE.encode(),
            salt=b"fss.core.fields FIELD_ENCRYPTION_KEY v1",
            n=2**15,
            r=8,
            p=1,
            maxmem=64 * 1024 * 1024,
            dklen=32,
        )
    )
    assert parse_field_encryption_keys(PASSPHRASE) == [expected]

    settings.FIELD_ENCRYPTION_KEY = PASSPHRASE
    record = records.create(notes="under a passphrase")
    settings.FIELD_ENCRYPTION_KEY = expected.decode()
    assert records.get(pk=record.pk).notes == "under a passphrase"


@pytest.mark.parametrize(
    "lookup",
    [
        {"gender": "female"},
        {"gender__in": ["female", "male"]},
        {"notes__icontains": "muslim"},
        {"notes__startswith": "Chlo"},
        {"notes": None},
        {"send_support": False},
        {"offence_date__year": 2023},
        {"offence_date__year__gte": 2023},
    ],
)
def test_searching_an_encrypted_field_by_content_is_refused(records, lookup):
    with pytest.raises(FieldError, match="is encrypted, so the database cannot search or compare"):
        list(records.filter(**lookup))
    with pytest.raises(FieldError, match="is encrypted"):
        list(records.exclude(**lookup))


def test_isnull_is_the_one_lookup_allowed(records):
    with_notes = records.create(notes="")
    without_notes = records.create(notes=None)

    assert list(records.filter(notes__isnull=False)) == [with_notes]
    assert list(records.filter(notes__isnull=True)) == [without_notes]


def test_update_and_bulk_update_encrypt_too(records):
    first = records.create(notes="one")
    second = records.create(notes="two")

    records.filter(pk=first.pk).update(notes="updated")
    second.notes = "bulk updated"
    records.bulk_update([second], ["notes"])

    assert "updated" not in stored(first.pk)["notes"]
    assert "bulk" not in stored(second.pk)["notes"]
    assert records.get(pk=first.pk).notes == "updated"
    assert records.get(pk=second.pk).notes == "bulk updated"


def test_historical_copies_of_encrypted_fields_are_encrypted_fields(records):
    for name in ENCRYPTED:
        original = SensitiveRecord._meta.get_field(name)
        copy = HistoricalSensitiveRecord._meta.get_field(name)
        assert type(copy) is type(original), name

    record = records.create(gender="male", notes="history is personal data too")
    history = record.history.get()
    raw = stored(history.history_id, table="test_fields_sensitive_record_history")
    assert "personal" not in raw["notes"]
    assert raw["gender"].startswith("gAAAAA")
    assert history.notes == "history is personal data too"


def test_forms_see_the_plaintext_with_its_choices_and_max_length(records):
    form_class = modelform_factory(SensitiveRecord, fields=["gender", "notes"])

    assert [code for code, _ in form_class().fields["gender"].choices if code] == [
        code for code, _ in GENDER_CHOICES
    ]
    assert not form_class(data={"gender": "unknown", "notes": ""}).is_valid()
    record = form_class(data={"gender": "prefers_not_to_say", "notes": "Ünïcode"}).save()
    assert records.get(pk=record.pk).get_gender_display() == "Prefers not to say"


@pytest.mark.parametrize("option", ["unique", "db_index", "primary_key"])
def test_an_index_or_uniqueness_on_an_encrypted_field_fails_the_system_check(option):
    with isolate_apps("tests.core"):

        class Misdeclared(models.Model):
            code = EncryptedCharField(max_length=10, **{option: True})

            class Meta:
                app_label = "core"

            def __str__(self):
                return f"Misdeclared {self.pk}"

    errors = Misdeclared._meta.get_field("code").check()
    assert [error.id for error in errors] == ["fss_fields.E001"]


def test_fernet_keys_are_used_as_given_current_key_first():
    assert parse_field_encryption_keys(f"{KEY_B},{KEY_A}") == [KEY_B.encode(), KEY_A.encode()]
    assert parse_field_encryption_keys([KEY_A]) == [KEY_A.encode()]


@pytest.mark.parametrize(
    ("setting", "reason"),
    [
        ("", "FIELD_ENCRYPTION_KEY is empty"),
        (f"{KEY_A},", "key 2 of 2 is empty"),
        (f"{KEY_A},{KEY_A}", "key 2 of 2 repeats key 1"),
        ("short-passphrase", "neither a Fernet key nor a passphrase of at least 32 characters"),
        (KEY_A[:-2] + "/=", "ends in '=' like a Fernet key but is not one"),
        (KEY_A[:20] + "=", "ends in '=' like a Fernet key but is not one"),
    ],
    ids=["empty", "stray-comma", "repeated", "short-passphrase", "standard-base64", "truncated-fernet"],
)
def test_a_malformed_key_is_refused_with_the_reason_but_not_the_key(setting, reason):
    with pytest.raises(ImproperlyConfigured, match=reason) as raised:
        parse_field_encryption_keys(setting)
    for key in filter(None, setting.split(",")):
        assert key not in str(raised.value)


@pytest.mark.parametrize(
    ("setting", "reason"),
    [
        ("tooShortKey-1234", "FIELD_ENCRYPTION_KEY: key 1 of 1 is neither a Fernet key nor a passphrase"),
        (f"{KEY_B},{KEY_A[:-2]}+=", "FIELD_ENCRYPTION_KEY: key 2 of 2 ends in '=' like a Fernet key"),
        (f"{KEY_B},{DEMO_FIELD_ENCRYPTION_KEY}", "FIELD_ENCRYPTION_KEY is the public demo key"),
    ],
    ids=["short-passphrase", "standard-base64", "demo-key-listed"],
)
def test_debug_off_refuses_to_start_on_a_malformed_or_demo_key(setting, reason):
    result = _manage("check", env=PRODUCTION_ENV | {"FIELD_ENCRYPTION_KEY": setting})

    assert result.returncode != 0
    assert reason in result.stderr
    assert setting.split(",")[-1] not in result.stderr


def test_debug_off_starts_on_a_list_of_keys():
    env = PRODUCTION_ENV | {"FIELD_ENCRYPTION_KEY": f"{KEY_B},{KEY_A},{PASSPHRASE}"}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
