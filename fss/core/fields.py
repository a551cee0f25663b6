"""Model fields encrypted at rest, for special category and criminal offence data (SPEC §2.6, §9).

Gender, ethnicity, religion, health/SEND details, offending data and sensitive note
text are stored as Fernet tokens (AES-128-CBC with HMAC-SHA256, from `cryptography`)
under keys from `FIELD_ENCRYPTION_KEY`, which has nothing to do with `SECRET_KEY`.

- Several keys at once, comma-separated, current key first: new values are encrypted
  with the first; every key is tried when reading. `manage.py rotate_field_keys`
  moves stored values onto the current key (docs/operations.md, "Keys").
- Each key is a Fernet key (44 URL-safe base64 characters ending in "=") or a
  passphrase of at least 32 characters, stretched with scrypt (n=2**15, r=8, p=1,
  the fixed salt below) into a Fernet key. Anything else stops the app at start.
- A value that no configured key opens raises `FieldDecryptionError`: a read never
  answers with the ciphertext, or with None, in place of the value.
- None is stored as NULL; every other value, "" and False included, is encrypted.
- Plaintext is padded to a multiple of 64 bytes before encryption, so every choice
  code, date and yes/no answer gives a token of the same length: the length of a
  column must not tell "prefers not to say" from "female".
- Values cannot be searched by content: each encryption is randomised, so the
  database cannot compare them. Every lookup but `__isnull` raises `FieldError`
  (filter in Python after reading, or keep a separate, non-sensitive field).
  Ordering, grouping, database functions and aggregates other than counts on these
  columns see ciphertext and are meaningless; do not use them.
- Changing a plain field into an encrypted one needs a data migration that encrypts
  the existing values (read them raw, write them back through the field): a
  plaintext left in the column raises like a value under a missing key.

This module is imported by `fss/settings.py` to refuse a malformed key at start, so
it must not read settings or import models at import time.
"""

import base64
import functools
import re
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models

GENERATE_KEY_COMMAND = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)
MIN_PASSPHRASE_LENGTH = 32
_FERNET_KEY = re.compile(r"[A-Za-z0-9_-]{43}=")
# A fixed salt: a passphrase must give the same key in every process and after a
# restore. Changing any of these makes every passphrase key a different key.
_SCRYPT_SALT = b"fss.core.fields FIELD_ENCRYPTION_KEY v1"
_SCRYPT_COST = {"n": 2**15, "r": 8, "p": 1}  # ~0.1 s and 32 MiB, once per process and key
_PAD_TO = 64  # bytes


class FieldDecryptionError(Exception):
    """A stored value that none of the configured FIELD_ENCRYPTION_KEY keys opens."""


def parse_field_encryption_keys(setting: str | Sequence[str]) -> list[bytes]:
    """The Fernet keys that FIELD_ENCRYPTION_KEY names, current key first.

    Raises ImproperlyConfigured, naming the faulty key by position only (never by
    value), for an empty setting, an empty or repeated key, a broken Fernet key or a
    passphrase shorter than MIN_PASSPHRASE_LENGTH.
    """
    return list(_parse(setting if isinstance(setting, str) else tuple(setting)))


@functools.lru_cache(maxsize=8)
def _parse(setting: str | tuple[str, ...]) -> tuple[bytes, ...]:
    entries = [entry.strip() for entry in (setting.split(",") if isinstance(setting, str) else setting)]
    if entries in ([], [""]):
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEY is empty. Set at least one key (see .env.example); "
            f"generate one with: {GENERATE_KEY_COMMAND}"
        )
    keys = []
    for position, entry in enumerate(entries, start=1):
        where = f"FIELD_ENCRYPTION_KEY: key {position} of {len(entries)}"
        if not entry:
            raise ImproperlyConfigured(f"{where} is empty (a stray comma?).")
        if entry in entries[: position - 1]:
            raise ImproperlyConfigured(f"{where} repeats key {entries.index(entry) + 1}.")
        if _FERNET_KEY.fullmatch(entry):
            keys.append(entry.encode("ascii"))
        elif entry.endswith("="):
            raise ImproperlyConfigured(
                f"{where} ends in '=' like a Fernet key but is not one (a Fernet key is 43 letters, "
                f"digits, '-' or '_' then '='; '+' and '/' are not allowed). Generate one with: "
                f"{GENERATE_KEY_COMMAND}"
            )
        elif len(entry) < MIN_PASSPHRASE_LENGTH:
            raise ImproperlyConfigured(
                f"{where} is neither a Fernet key nor a passphrase of at least "
                f"{MIN_PASSPHRASE_LENGTH} characters (it has {len(entry)}). Generate a key with: "
                f"{GENERATE_KEY_COMMAND}"
            )
        else:
            derived = Scrypt(salt=_SCRYPT_SALT, length=32, **_SCRYPT_COST).derive(entry.encode("utf-8"))
            keys.append(base64.urlsafe_b64encode(derived))
    return tuple(keys)


@functools.lru_cache(maxsize=8)
def _fernets(setting: str | tuple[str, ...]) -> tuple[Fernet, MultiFernet]:
    fernets = [Fernet(key) for key in _parse(setting)]
    return fernets[0], MultiFernet(fernets)


def _configured() -> tuple[Fernet, MultiFernet]:
    # Read on every call, so override_settings and a changed setting take effect;
    # the parse is cached per distinct value.
    setting = settings.FIELD_ENCRYPTION_KEY
    return _fernets(setting if isinstance(setting, str) else tuple(setting))


_UNREADABLE = (
    "none of the configured FIELD_ENCRYPTION_KEY keys opens it: a key was removed before "
    "rotate_field_keys had moved every value off it, the wrong keys are configured, or the value "
    "was written without encryption. Put the missing key back (docs/operations.md, 'Keys')."
)


def encrypt_text(plaintext: str) -> str:
    """A Fernet token for plaintext under the current (first) key, padded to hide its exact length."""
    _, keyring = _configured()
    data = plaintext.encode("utf-8") + b"\x80"  # ISO/IEC 7816-4 padding: a marker byte, then zeros
    data += b"\x00" * (-len(data) % _PAD_TO)
    return keyring.encrypt(data).decode("ascii")


def decrypt_text(token: str) -> str:
    """The plaintext of a token from encrypt_text, under any configured key; never the token itself."""
    _, keyring = _configured()
    try:
        data = keyring.decrypt(token.encode("utf-8")).rstrip(b"\x00")
    except InvalidToken:
        raise FieldDecryptionError(f"A stored encrypted value cannot be read: {_UNREADABLE}") from None
    if not data.endswith(b"\x80"):
        raise FieldDecryptionError("A stored encrypted value is not in the format encrypt_text writes.")
    return data[:-1].decode("utf-8")


def opens_with_current_key(token: str) -> bool:
    """Whether the current (first) key opens token, i.e. rotate_field_keys has nothing to do for it."""
    current, _ = _configured()
    try:
        current.decrypt(token.encode("utf-8"))
    except InvalidToken:
        return False
    return True


def reencrypt(token: str) -> str:
    """The same plaintext under the current key (the original timestamp is kept)."""
    _, keyring = _configured()
    try:
        return keyring.rotate(token.encode("utf-8")).decode("ascii")
    except InvalidToken:
        raise FieldDecryptionError(
            f"A stored encrypted value cannot be re-encrypted: {_UNREADABLE}"
        ) from None


class EncryptedField:
    """Mixin for a Django field whose column holds Fernet tokens (as text) instead of the value.

    Forms, validation (max_length, choices) and the Python value are those of the
    field it is mixed into; only the database sees tokens.
    """

    def get_internal_type(self):
        # The column is text whatever the value: tokens outgrow max_length, and no
        # backend conversion (dates, booleans) may touch a token.
        return "TextField"

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        if value is None:
            return None
        return encrypt_text(str(value))

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        try:
            plaintext = decrypt_text(value)
        except FieldDecryptionError as error:
            raise FieldDecryptionError(f"{self._label()}: {error}") from None
        return self.to_python(plaintext)

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(self._refusal(lookup_name))

    def get_transform(self, lookup_name):
        raise FieldError(self._refusal(lookup_name))

    def _refusal(self, lookup_name):
        return (
            f"{self._label()} is encrypted, so the database cannot search or compare its values "
            f"(lookup '{lookup_name}'). Only __isnull is supported: filter in Python after reading "
            f"the rows, or keep a separate field that is not sensitive."
        )

    def _label(self):
        model = getattr(self, "model", None)
        return f"{model._meta.label}.{self.name}" if model is not None else type(self).__name__

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        options = {"primary_key": self.primary_key, "unique": self._unique, "db_index": self.db_index}
        if declared := [f"{option}=True" for option, on in options.items() if on]:
            errors.append(
                checks.Error(
                    f"{type(self).__name__} cannot have {', '.join(declared)}: each value is encrypted "
                    f"differently, so an index or uniqueness on the column means nothing.",
                    obj=self,
                    id="fss_fields.E001",
                )
            )
        return errors


class EncryptedTextField(EncryptedField, models.TextField):
    """Free text encrypted at rest (health/SEND details, offending data, sensitive notes)."""

    description = "Text (encrypted at rest)"


class EncryptedCharField(EncryptedField, models.CharField):
    """Short text or a choice encrypted at rest; max_length limits the plaintext, not the token."""

    description = "String (up to %(max_length)s, encrypted at rest)"


class EncryptedDateField(EncryptedField, models.DateField):
    """A date encrypted at rest. Date lookups, get_next_by_* and date_hierarchy are refused."""

    description = "Date (encrypted at rest)"


class EncryptedBooleanField(EncryptedField, models.BooleanField):
    """A yes/no answer encrypted at rest; False is encrypted like True, never stored as NULL."""

    description = "Boolean (encrypted at rest)"
