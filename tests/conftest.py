"""Shared fixtures: the people in our test stories.

A caseworker and a colleague in the North team, a caseworker in the South team,
the North team's manager, the DPO, a records officer, a performance analyst and
a system administrator.
"""

import pytest

from fss.core import roles
from fss.core.factories import TeamFactory, UserFactory


@pytest.fixture
def north_team(db):
    return TeamFactory(name="North team")


@pytest.fixture
def south_team(db):
    return TeamFactory(name="South team")


@pytest.fixture
def caseworker(north_team):
    return UserFactory(username="cass", roles=[roles.CASEWORKER], team=north_team)


@pytest.fixture
def colleague(north_team):
    return UserFactory(username="colin", roles=[roles.CASEWORKER], team=north_team)


@pytest.fixture
def other_caseworker(south_team):
    return UserFactory(username="sam", roles=[roles.CASEWORKER], team=south_team)


@pytest.fixture
def manager(north_team):
    return UserFactory(username="mina", roles=[roles.TEAM_MANAGER], team=north_team, team__manager=True)


@pytest.fixture
def dpo(db):
    return UserFactory(username="dee", roles=[roles.DPO])


@pytest.fixture
def records_officer(db):
    return UserFactory(username="rory", roles=[roles.RECORDS_OFFICER])


@pytest.fixture
def analyst(db):
    return UserFactory(username="ana", roles=[roles.PERFORMANCE_ANALYST])


@pytest.fixture
def sysadmin(db):
    return UserFactory(username="addy", roles=[roles.SYSTEM_ADMINISTRATOR])


@pytest.fixture
def persona(request):
    """Indirect parametrisation by persona name: @pytest.mark.parametrize("persona", [...], indirect=True)."""
    return request.getfixturevalue(request.param)


@pytest.fixture(autouse=True)
def _celery_tasks_run_in_process(request):
    """Unit tests run Celery tasks in-process whatever broker is configured; the
    integration test (marked) talks to the real broker and worker instead."""
    from fss.celery import app

    if request.node.get_closest_marker("integration"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
