"""Who sees which family (SPEC §2.3, §9): team and allocation grants, break-glass, DPO; deny otherwise."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from cases.access import families_changeable_by, families_visible_to, get_family_for_user
from cases.factories import FamilyFactory
from cases.models import BreakGlassAccess
from cases.services import allocate_family, open_break_glass
from fss.core.factories import TeamMembershipFactory
from fss.core.models import AccessLogEntry

pytestmark = pytest.mark.django_db


def test_team_members_see_and_change_their_teams_families_only(
    caseworker, colleague, other_caseworker, north_team, south_team
):
    north = FamilyFactory(team=north_team)
    south = FamilyFactory(team=south_team)
    for user in (caseworker, colleague):
        assert list(families_visible_to(user)) == [north]
        assert list(families_changeable_by(user)) == [north]
    assert list(families_visible_to(other_caseworker)) == [south]


def test_a_manager_sees_the_teams_caseload(manager, north_team, south_team):
    north = FamilyFactory(team=north_team)
    FamilyFactory(team=south_team)
    assert list(families_visible_to(manager)) == [north]


def test_dpo_reads_every_family_but_changes_none(dpo, north_team, south_team):
    families = {FamilyFactory(team=north_team), FamilyFactory(team=south_team)}
    assert set(families_visible_to(dpo)) == families
    assert not families_changeable_by(dpo).exists()


@pytest.mark.parametrize("persona", ["analyst", "sysadmin", "records_officer"], indirect=True)
def test_roles_without_family_permission_see_nothing_even_in_a_team(persona, north_team):
    TeamMembershipFactory(user=persona, team=north_team)
    FamilyFactory(team=north_team)
    assert not families_visible_to(persona).exists()


def test_reallocation_moves_the_grants(caseworker, other_caseworker, north_team, south_team, manager):
    family = FamilyFactory(team=north_team, lead_worker=caseworker)
    allocate_family(family=family, team=south_team, lead_worker=other_caseworker, by=manager)
    assert not families_visible_to(caseworker).filter(pk=family.pk).exists()
    assert families_changeable_by(other_caseworker).filter(pk=family.pk).exists()
    assert AccessLogEntry.objects.filter(family_id=family.pk, action="change", user=manager).exists()


def test_allocation_to_a_worker_outside_the_team_grants_them(caseworker, south_team, manager):
    family = FamilyFactory(team=south_team)
    assert not families_visible_to(caseworker).filter(pk=family.pk).exists()
    allocate_family(family=family, team=south_team, lead_worker=caseworker, by=manager)
    assert families_changeable_by(caseworker).filter(pk=family.pk).exists()


def test_leaving_a_team_removes_access(caseworker, north_team):
    family = FamilyFactory(team=north_team)
    caseworker.team_memberships.get(team=north_team).delete()
    assert not families_visible_to(caseworker).filter(pk=family.pk).exists()


def test_a_deactivated_user_sees_nothing(caseworker, north_team):
    FamilyFactory(team=north_team)
    caseworker.is_active = False
    assert not families_visible_to(caseworker).exists()


def test_get_family_for_user_is_404_outside_the_grant(caseworker, south_team):
    family = FamilyFactory(team=south_team)
    with pytest.raises(Http404):
        get_family_for_user(caseworker, family.pk)
    with pytest.raises(Http404):
        get_family_for_user(caseworker, "not-a-number")


def test_break_glass_gives_time_limited_read_access_and_is_logged(caseworker, south_team):
    family = FamilyFactory(team=south_team)
    access = open_break_glass(
        family=family, by=caseworker, reason="Police report out of hours, child at risk"
    )
    assert get_family_for_user(caseworker, family.pk) == family
    with pytest.raises(Http404):
        get_family_for_user(caseworker, family.pk, for_change=True)
    entry = AccessLogEntry.objects.get(family_id=family.pk, is_break_glass=True)
    assert entry.reason == "Police report out of hours, child at risk"
    BreakGlassAccess.objects.filter(pk=access.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(Http404):
        get_family_for_user(caseworker, family.pk)


def test_break_glass_needs_a_reason(caseworker, south_team):
    family = FamilyFactory(team=south_team)
    with pytest.raises(ValidationError, match="Explain why"):
        open_break_glass(family=family, by=caseworker, reason="  ")
    assert not BreakGlassAccess.objects.exists()


def test_break_glass_is_refused_to_roles_without_family_permission(analyst, south_team):
    family = FamilyFactory(team=south_team)
    with pytest.raises(ValidationError, match="does not allow"):
        open_break_glass(family=family, by=analyst, reason="Curious about this family's statistics")
