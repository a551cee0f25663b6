"""The six roles of SPEC §1 exist as groups with exactly their permissions (deny by default)."""

import pytest
from django.contrib.auth.models import Group

from fss.core import roles
from fss.core.roles import ROLE_PERMISSIONS, sync_roles

pytestmark = pytest.mark.django_db


def _perms(group: Group) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_migrations_create_the_six_roles_of_the_spec():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Caseworker",
        "Team manager",
        "Data Protection Officer",
        "Records officer",
        "Performance analyst",
        "System administrator",
    }


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_each_role_holds_exactly_the_permissions_in_the_table(role):
    assert _perms(Group.objects.get(name=role)) == set(ROLE_PERMISSIONS[role])


def test_no_role_may_delete_family_records():
    # Records leave only through the retention sweep (SPEC §7).
    for role in roles.ALL_ROLES:
        assert not {p for p in _perms(Group.objects.get(name=role)) if p.startswith("cases.delete_")}


def test_analyst_has_no_permission_on_identifiable_records():
    perms = _perms(Group.objects.get(name=roles.PERFORMANCE_ANALYST))
    assert not {p for p in perms if p.startswith(("cases.", "core.view_accesslogentry"))}


def test_system_administrator_cannot_see_families():
    perms = _perms(Group.objects.get(name=roles.SYSTEM_ADMINISTRATOR))
    assert not {p for p in perms if p.startswith("cases.")}
    assert "core.change_user" in perms


def test_sync_removes_a_permission_added_by_hand_and_is_repeatable():
    from django.contrib.auth.models import Permission

    caseworker = Group.objects.get(name=roles.CASEWORKER)
    caseworker.permissions.add(Permission.objects.get(codename="delete_family"))
    sync_roles()
    sync_roles()
    assert "cases.delete_family" not in _perms(caseworker)
    assert _perms(caseworker) == set(ROLE_PERMISSIONS[roles.CASEWORKER])


def test_user_role_check_follows_group_membership(caseworker, dpo):
    assert caseworker.has_role(roles.CASEWORKER)
    assert not caseworker.has_role(roles.DPO)
    dpo.is_active = False
    assert not dpo.has_role(roles.DPO)
