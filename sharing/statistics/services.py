"""Changes to the disclosure-control policy (domain-rules §9: a policy, editable): a new version with its
own effective date, never an edit, so every published figure can name the version it applied."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from fss.core import roles
from sharing.statistics.models import DisclosureControlPolicy


@transaction.atomic
def publish_disclosure_policy(
    *,
    effective_from: date,
    suppress_from: int,
    suppress_to: int,
    round_to: int,
    min_denominator: int,
    secondary_suppression: bool,
    reason_for_change: str,
    by,
) -> DisclosureControlPolicy:
    """Add a version of the policy taking effect on `effective_from` (today or later: figures already
    published keep the version they applied). Only the DPO changes it."""
    if not by.has_role(roles.DPO):
        raise ValidationError("Only the Data Protection Officer changes the disclosure-control policy.")
    errors = {}
    if effective_from < timezone.localdate():
        errors["effective_from"] = "A new version takes effect today or later."
    if not reason_for_change.strip():
        errors["reason_for_change"] = "Say why the policy is changing."
    if errors:
        raise ValidationError(errors)
    DisclosureControlPolicy.objects.select_for_update().order_by("pk").first()
    version = (DisclosureControlPolicy.objects.aggregate(top=Max("version"))["top"] or 0) + 1
    policy = DisclosureControlPolicy(
        version=version,
        effective_from=effective_from,
        suppress_from=suppress_from,
        suppress_to=suppress_to,
        round_to=round_to,
        min_denominator=min_denominator,
        secondary_suppression=secondary_suppression,
        reason_for_change=reason_for_change.strip(),
        created_by=by,
    )
    policy.full_clean()
    policy.save()
    return policy
