"""Issue 7's remaining rules, each pinned: a changed closure date recalculates the due list and needs
a fresh notice; staff are deactivated, never deleted; the stop switch shows on the dashboard figures."""

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse

from cases.models import Case, Family
from fss.core.roles import ROLE_PERMISSIONS
from retention import selectors, services
from retention.models import DestructionNotice
from tests.retention.conftest import closed_family, list_for_destruction

pytestmark = pytest.mark.django_db


def test_a_corrected_closure_date_moves_the_due_date_and_needs_a_new_notice(today):
    family = closed_family(closed_on=today - relativedelta(years=8))
    list_for_destruction(today)
    [row] = selectors.due_families(on=today)
    assert row.may_be_destroyed(today)

    # The closure date is corrected: the case really closed 7 years less 10 days ago.
    corrected = today - relativedelta(years=7) + relativedelta(days=10)
    Case.objects.filter(family=family).update(closed_on=corrected)

    [row] = selectors.due_families(on=today)
    assert row.due_on == corrected + relativedelta(years=7)
    assert row.listed_on is None  # the old notice was for another date
    run = services.run_sweep(on=today)
    assert run.families_destroyed == 0
    assert Family.objects.filter(pk=family.pk).exists()
    assert DestructionNotice.objects.filter(family=family, due_on=row.due_on, first_listed_on=today).exists()


def test_a_closure_date_moved_later_takes_the_family_off_the_queue(today):
    family = closed_family(closed_on=today - relativedelta(years=8))
    list_for_destruction(today)
    Case.objects.filter(family=family).update(closed_on=today - relativedelta(years=2))

    assert selectors.due_families(on=today) == []
    assert services.run_sweep(on=today).families_destroyed == 0
    assert Family.objects.filter(pk=family.pk).exists()


def test_no_role_may_delete_a_staff_account(client, sysadmin):
    """Staff who leave are deactivated, never deleted: deleting blanks the authorship of history."""
    assert not any("core.delete_user" in perms for perms in ROLE_PERMISSIONS.values())
    client.force_login(sysadmin)
    response = client.get(reverse("admin:core_user_delete", args=[sysadmin.pk]))
    assert response.status_code == 403


def test_the_stop_switch_shows_in_the_dashboard_figures(today, dpo):
    assert selectors.retention_pipeline(today).suspended is False
    services.suspend_destruction(by=dpo, reason="Inquiry moratorium")
    assert selectors.retention_pipeline(today).suspended is True
