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


def family_involvement_ended_on(family) -> date | None:
    """The date involvement with the family ended, or None while it goes on.

    Involvement goes on while any case is open or a referral awaits a decision;
    otherwise it ended on the latest case closure, or — for a family whose
    referral was not accepted — the latest decision date (SPEC §7).
    """
    from cases.models import Case, Referral

    if family.cases.filter(status=Case.Status.OPEN).exists():
        return None
    if family.referrals.filter(decision=Referral.Decision.PENDING).exists():
        return None
    ends = [d for d in family.cases.values_list("closed_on", flat=True) if d]
    ends += [
        d
        for d in family.referrals.exclude(decision=Referral.Decision.ACCEPT).values_list(
            "decided_on", flat=True
        )
        if d
    ]
    return max(ends) if ends else None


def family_destruction_date(family, *, on: date | None = None) -> date | None:
    """When the family's records fall due for destruction under the policy in force, or None while open."""
    ended = family_involvement_ended_on(family)
    if ended is None:
        return None
    return current_policy(RetentionPolicy.RecordKind.FAMILY_CASE_FILE, on=on).due_date(ended)


def family_retention_period_text(*, on: date | None = None) -> str:
    """The family case file's period in words ("7 years"), for pages that explain closure."""
    return current_policy(RetentionPolicy.RecordKind.FAMILY_CASE_FILE, on=on).period_text
