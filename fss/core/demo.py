"""Demo staff for seed_demo: one account per role, in two teams. Idempotent: a second run changes nothing."""

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from fss.core import roles
from fss.core.models import Team, TeamMembership, User


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    role: str
    team: str | None = None
    is_manager: bool = False


NORTH, SOUTH = "North team", "South team"

DEMO_ACCOUNTS = [
    DemoAccount("caseworker", "Cass Worker", roles.CASEWORKER, NORTH),
    DemoAccount("colleague", "Colin League", roles.CASEWORKER, NORTH),
    DemoAccount("caseworker.south", "Sam South", roles.CASEWORKER, SOUTH),
    DemoAccount("manager", "Mina Manager", roles.TEAM_MANAGER, NORTH, is_manager=True),
    DemoAccount("manager.south", "Saul Manager", roles.TEAM_MANAGER, SOUTH, is_manager=True),
    DemoAccount("dpo", "Dee Protection", roles.DPO),
    DemoAccount("records", "Rory Records", roles.RECORDS_OFFICER),
    DemoAccount("analyst", "Ana Lyst", roles.PERFORMANCE_ANALYST),
    DemoAccount("admin", "Addy Min", roles.SYSTEM_ADMINISTRATOR),
]


@transaction.atomic
def seed_staff(*, password: str) -> dict[str, Team]:
    """Create or refresh the demo teams and accounts; returns the teams by name."""
    roles.ensure_roles()
    teams = {name: Team.objects.get_or_create(name=name)[0] for name in (NORTH, SOUTH)}
    for account in DEMO_ACCOUNTS:
        first, last = account.name.split(" ", 1)
        user, created = User.objects.get_or_create(
            username=account.username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{account.username}@example.org",
            },
        )
        # Saved only when something changed, so a second run adds no history rows.
        if created or not user.is_active or not user.check_password(password):
            user.set_password(password)
            user.is_active = True
            user.save()
        # The role's group and the team's (a team membership's group grants the team's families).
        team_groups = [teams[account.team].group] if account.team else []
        user.groups.set([Group.objects.get(name=account.role), *team_groups])
        if account.team:
            membership, made = TeamMembership.objects.get_or_create(
                user=user, team=teams[account.team], defaults={"is_manager": account.is_manager}
            )
            if not made and membership.is_manager != account.is_manager:
                membership.is_manager = account.is_manager
                membership.save()
    return teams
