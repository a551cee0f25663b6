"""factory-boy factories for staff and teams (used by tests and seed_demo)."""

import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from fss.core.models import AccessLogEntry, JobHeartbeat, Team, TeamMembership, User
from fss.core.roles import ensure_roles


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(DjangoModelFactory):
    """A member of staff. `roles=[...]` puts them in role groups; `team=` makes them a member."""

    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct-horse-battery-staple")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            ensure_roles()
            self.groups.add(*[Group.objects.get(name=name) for name in extracted])

    @factory.post_generation
    def team(self, create, extracted, **kwargs):
        if create and extracted:
            TeamMembership.objects.get_or_create(
                user=self, team=extracted, defaults={"is_manager": kwargs.get("manager", False)}
            )


class TeamMembershipFactory(DjangoModelFactory):
    class Meta:
        model = TeamMembership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    is_manager = False


class AccessLogEntryFactory(DjangoModelFactory):
    class Meta:
        model = AccessLogEntry

    user = factory.SubFactory(UserFactory)
    action = AccessLogEntry.Action.VIEW
    record_type = "cases.family"
    record_id = factory.Sequence(str)


class JobHeartbeatFactory(DjangoModelFactory):
    class Meta:
        model = JobHeartbeat
        django_get_or_create = ["job"]

    job = factory.Sequence(lambda n: f"job_{n}")
