"""One query per request for what a signed-in user may do (SPEC §11: ≤ 15 queries a page).

Django's ModelBackend reads a user's own permissions and their groups' permissions
in two queries, and `User.role_names` reads the role groups in a third. This
middleware reads all three in one UNION as soon as the user is known and fills the
same per-request caches (`_user_perm_cache`, `_group_perm_cache`, `_perm_cache`,
`_role_names`), so every later `has_perm` / `has_role` in the request is free.
Nothing outlives the request: a change of role counts from the next request.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import CharField, Value

from fss.core.models import TEAM_GROUP_PREFIX

_OWN = ""  # the "group name" of a user's own permissions in the union


def preload_permissions(user) -> None:
    """Fill the user's permission and role caches in one query (superusers are left to Django)."""
    if not user.is_active or user.is_superuser or hasattr(user, "_perm_cache"):
        return
    groups = Group.objects.filter(user=user).values_list(
        "name", "permissions__content_type__app_label", "permissions__codename"
    )
    own = Permission.objects.filter(user=user).values_list(
        Value(_OWN, output_field=CharField()), "content_type__app_label", "codename"
    )
    user_perms, group_perms, roles = set(), set(), set()
    for group, app_label, codename in groups.order_by().union(own.order_by(), all=True):
        if group == _OWN:
            user_perms.add(f"{app_label}.{codename}")
            continue
        if not group.startswith(TEAM_GROUP_PREFIX):
            roles.add(group)
        if codename is not None:
            group_perms.add(f"{app_label}.{codename}")
    user._user_perm_cache = user_perms
    user._group_perm_cache = group_perms
    user._perm_cache = user_perms | group_perms
    user._role_names = roles


class PermissionCacheMiddleware:
    """Place right after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            preload_permissions(user)
        return self.get_response(request)
