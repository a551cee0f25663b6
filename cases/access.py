"""Who may see and change which family: the one place that decides (SPEC §2.3, §9).

Deny by default. A user sees a family only through an explicit grant:
- their team holds it (the team's group has a guardian object permission),
- it is allocated to them (a user object permission),
- an unexpired break-glass access they opened (read only), or
- they are the DPO (read only, every read logged).
Their role must also carry the model permission (`cases.view_family` /
`cases.change_family`), so an analyst or administrator in a team still sees nothing.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cases.models import (
    BreakGlassAccess,
    Family,
    FamilyGroupObjectPermission,
    FamilyUserObjectPermission,
)
from fss.core import roles

VIEW = "view_family"
CHANGE = "change_family"


def _granted(user, codename: str) -> Q:
    user_grant = FamilyUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), user=user, permission__codename=codename
    )
    group_grant = FamilyGroupObjectPermission.objects.filter(
        content_object=OuterRef("pk"), group__user=user, permission__codename=codename
    )
    return Q(Exists(user_grant)) | Q(Exists(group_grant))


def _break_glass(user) -> Q:
    return Q(
        Exists(
            BreakGlassAccess.objects.filter(family=OuterRef("pk"), user=user, expires_at__gt=timezone.now())
        )
    )


def families_visible_to(user) -> QuerySet[Family]:
    """Families `user` may read."""
    if not (user.is_authenticated and user.is_active and user.has_perm(f"cases.{VIEW}")):
        return Family.objects.none()
    if user.has_role(roles.DPO):
        return Family.objects.all()
    return Family.objects.filter(_granted(user, VIEW) | _break_glass(user))


def families_changeable_by(user) -> QuerySet[Family]:
    """Families `user` may change: team or allocation grants only (not break-glass, not the DPO)."""
    if not (user.is_authenticated and user.is_active and user.has_perm(f"cases.{CHANGE}")):
        return Family.objects.none()
    return Family.objects.filter(_granted(user, CHANGE))


def get_family_for_user(user, pk, *, for_change: bool = False, queryset=None) -> Family:
    """The family if `user` may read it (or change it), else 404 — never a hint it exists.

    `queryset` lets a page bring its own joins and prefetches (one query, not two).
    The family comes back knowing how the user reached it (`access_route`) and
    whether they may change it (`may_change`), without further queries.
    """
    allowed = families_changeable_by(user) if for_change else families_visible_to(user)
    base = queryset if queryset is not None else Family.objects.select_related("team", "lead_worker")
    base = base.filter(pk__in=allowed.values("pk")).annotate(
        via_grant=_granted(user, VIEW), via_change_grant=_granted(user, CHANGE)
    )
    try:
        family = base.get(pk=pk)
    except (Family.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    family.can_change = family.via_change_grant and user.has_perm(f"cases.{CHANGE}")
    return family


def may_change(user, family: Family) -> bool:
    if hasattr(family, "can_change"):
        return family.can_change
    return families_changeable_by(user).filter(pk=family.pk).exists()


def access_route(user, family: Family) -> str:
    """How `user` reaches `family`: "grant", "dpo" or "break_glass" (for the access log)."""
    via_grant = (
        family.via_grant
        if hasattr(family, "via_grant")
        else Family.objects.filter(pk=family.pk).filter(_granted(user, VIEW)).exists()
    )
    if via_grant:
        return "grant"
    if user.has_role(roles.DPO):
        return "dpo"
    return "break_glass"
