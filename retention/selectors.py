"""Reads about retention that other apps and pages need."""

from datetime import date

from django.utils import timezone

from retention.models import RetentionPolicy


class NoPolicyError(LookupError):
    """No retention policy is in force for a record kind: destruction cannot be planned."""


def current_policy(record_kind: str, *, on: date | None = None) -> RetentionPolicy:
    """The policy version in force for `record_kind` on `on` (today by default)."""
    on = on or timezone.localdate()
    policy = (
        RetentionPolicy.objects.filter(record_kind=record_kind, effective_from__lte=on)
        .order_by("-effective_from", "-version")
        .first()
    )
    if policy is None:
        raise NoPolicyError(f"No retention policy in force for {record_kind} on {on.isoformat()}.")
    return policy


def family_retention_sentence(*, on: date | None = None) -> str:
    """The privacy notice's promise, rendered from the family case file policy."""
    policy = current_policy(RetentionPolicy.RecordKind.FAMILY_CASE_FILE, on=on)
    return (
        f"Information will be stored securely for {policy.period_text} after our involvement "
        "with you has ended. After this time your information will be destroyed."
    )
