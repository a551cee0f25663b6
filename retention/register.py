"""The keyed hash of a family reference kept in the destruction register (SPEC §7, domain-rules §8).

HMAC-SHA256 of the reference (Django's `salted_hmac`, with the fixed salt
below) under a key from FIELD_ENCRYPTION_KEY — not SECRET_KEY, which is
rotated for other reasons and would make the register unreadable. The register
alone cannot be turned back into references: guessing needs the key.

Each entry records which key made it (`hash_key_id`, a fingerprint, not the
key). A lookup tries every configured key, so a key rotation keeps working
while the old key is still listed; after a restore from a backup taken before a
rotation the old key has to be listed anyway (docs/operations.md, "Keys").
"""

from collections.abc import Iterable

from django.conf import settings
from django.utils.crypto import salted_hmac

from fss.core.fields import parse_field_encryption_keys

# Changing either salt makes every stored hash unmatchable.
_HASH_SALT = "fss.retention.DestructionRecord.reference_hash v1"
_KEY_ID_SALT = "fss.retention.DestructionRecord.hash_key_id v1"


def _keys() -> list[bytes]:
    return parse_field_encryption_keys(settings.FIELD_ENCRYPTION_KEY)


def _hash(reference: str, key: bytes) -> str:
    return salted_hmac(_HASH_SALT, reference.strip().upper(), secret=key, algorithm="sha256").hexdigest()


def _key_id(key: bytes) -> str:
    return salted_hmac(_KEY_ID_SALT, "key id", secret=key, algorithm="sha256").hexdigest()[:16]


def reference_hash(reference: str) -> tuple[str, str]:
    """(hash, key id) of a family reference under the current key, for a new register entry."""
    key = _keys()[0]
    return _hash(reference, key), _key_id(key)


def reference_hashes(reference: str) -> set[str]:
    """The reference's hash under every configured key, for lookups."""
    return {_hash(reference, key) for key in _keys()}


def configured_key_ids() -> set[str]:
    return {_key_id(key) for key in _keys()}


def hashes_by_reference(references: Iterable[str]) -> dict[str, set[str]]:
    keys = _keys()
    return {reference: {_hash(reference, key) for key in keys} for reference in references}
