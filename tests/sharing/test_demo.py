"""The demo partners and agreements: idempotent, and showing each status the register knows."""

import pytest

from sharing.demo import seed_sharing
from sharing.models import DataSharingAgreement
from sharing.selectors import agreements_due

pytestmark = pytest.mark.django_db


def test_seeding_twice_adds_nothing_the_second_time(today):
    created, present = seed_sharing(today=today)
    assert (created, present) == (11, 0)
    assert seed_sharing(today=today) == (0, 11)


def test_the_demo_shows_in_force_ended_and_due_for_review(today):
    seed_sharing(today=today)
    statuses = {a.title: a.status_on(today) for a in DataSharingAgreement.objects.with_terms()}
    assert statuses["Housing and early help (demo, ended)"] == DataSharingAgreement.Status.ENDED
    assert list(statuses.values()).count(DataSharingAgreement.Status.IN_FORCE) == 4
    assert [d.agreement.title for d in agreements_due(on=today)] == ["Primary care and early help (demo)"]
