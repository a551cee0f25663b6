"""What the DPO console changes: access reviews and the deactivation of leavers (SPEC §9).

The review of break-glass access writes a `cases` record, so it lives in
`cases.services.review_break_glass`; the console's page calls it there.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from console.models import AccessReview, AccessReviewDecision
from console.selectors import staff_for_review
from fss.core.models import AccessLogEntry, User
from fss.core.services import log_access


def deactivate_account(*, user: User, by: User, request=None) -> bool:
    """Deactivate a staff account (never delete it: authorship of history stays); returns whether it changed.

    Saving `is_active=False` signs the person out everywhere once committed
    (`fss.core.security.signals`, which calls `fss.core.security.sessions.end_sessions`).
    Nobody deactivates their own account: a second person checks.
    """
    if user.pk == by.pk:
        raise ValidationError("You cannot deactivate your own account; ask another administrator.")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active:
            return False
        locked.is_active = False
        locked._change_reason = "Deactivated in an access review"
        locked.save(update_fields=["is_active"])
        log_access(by=by, record=locked, action=AccessLogEntry.Action.CHANGE, request=request)
    user.is_active = False
    return True


def record_access_review(
    *, by: User, inactive_after_days: int, notes: str, deactivate: Iterable[User] = (), request=None
) -> AccessReview:
    """Record a periodic access review: every active account seen, kept or deactivated.

    One transaction: the review, a decision row per active account (with the
    roles, teams and last sign-in the reviewer saw) and the deactivations.
    """
    to_deactivate = {user.pk for user in deactivate}
    if by.pk in to_deactivate:
        raise ValidationError(
            {"deactivate": "You cannot deactivate your own account; ask another administrator."}
        )
    with transaction.atomic():
        review = AccessReview.objects.create(
            reviewed_by=by, inactive_after_days=inactive_after_days, notes=notes
        )
        rows = [
            row for row in staff_for_review(inactive_after_days=inactive_after_days) if row.user.is_active
        ]
        AccessReviewDecision.objects.bulk_create(
            AccessReviewDecision(
                review=review,
                user=row.user,
                decision=(
                    AccessReviewDecision.Decision.DEACTIVATE
                    if row.user.pk in to_deactivate
                    else AccessReviewDecision.Decision.KEEP
                ),
                roles=row.role_text[:300],
                teams=row.team_text[:300],
                last_login=row.last_login,
                flagged=row.flagged,
            )
            for row in rows
        )
        for row in rows:
            if row.user.pk in to_deactivate:
                deactivate_account(user=row.user, by=by, request=request)
        log_access(by=by, record=review, action=AccessLogEntry.Action.CHANGE, request=request)
    return review
