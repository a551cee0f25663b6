"""Legal holds and the stop switch (SPEC §7): placed with a reason and a review date, released with
a note (never deleted), logged; the due list shows each blocker with its reason."""

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError

from cases.factories import PersonFactory
from fss.core.models import AccessLogEntry
from retention import selectors, services
from retention.models import LegalHold
from tests.retention.conftest import closed_family

pytestmark = pytest.mark.django_db

Reason = LegalHold.Reason


@pytest.mark.parametrize("reason", Reason.values)
def test_the_dpo_can_hold_a_family_for_each_reason_of_the_spec(dpo, today, reason):
    family = closed_family(closed_on=today - relativedelta(years=8))
    hold = services.place_hold(
        by=dpo, family=family, reason=reason, review_on=today + relativedelta(months=1)
    )

    assert hold.is_active
    assert hold.placed_by == dpo
    assert AccessLogEntry.objects.filter(
        user=dpo, record_type="retention.legalhold", family_id=family.pk, action=AccessLogEntry.Action.CHANGE
    ).exists()
    assert hold.history.first().history_user == dpo


def test_releasing_a_hold_is_recorded_not_deleted(dpo, today):
    family = closed_family(closed_on=today - relativedelta(years=8))
    hold = services.place_hold(
        by=dpo, family=family, reason=Reason.INQUIRY, review_on=today + relativedelta(days=5)
    )
    services.release_hold(hold=hold, by=dpo, note="The inquiry reported")

    hold.refresh_from_db()
    assert (hold.is_active, hold.released_by, hold.release_note) == (False, dpo, "The inquiry reported")
    assert LegalHold.objects.filter(pk=hold.pk).exists()
    assert [h.history_type for h in hold.history.order_by("history_date")] == ["+", "~"]
    with pytest.raises(ValidationError, match="already been released"):
        services.release_hold(hold=hold, by=dpo, note="again")


def test_a_release_needs_a_reason(dpo, today):
    family = closed_family(closed_on=today - relativedelta(years=8))
    hold = services.place_hold(
        by=dpo, family=family, reason=Reason.SAR, review_on=today + relativedelta(days=5)
    )
    with pytest.raises(ValidationError, match="Say why"):
        services.release_hold(hold=hold, by=dpo, note=" ")


def test_a_hold_needs_one_subject_a_known_reason_and_a_future_review_date(dpo, today):
    family = closed_family(closed_on=today - relativedelta(years=8))
    person = PersonFactory()
    future = today + relativedelta(days=1)
    with pytest.raises(ValidationError, match="either a family or a person"):
        services.place_hold(by=dpo, family=family, person=person, reason=Reason.SAR, review_on=future)
    with pytest.raises(ValidationError, match="either a family or a person"):
        services.place_hold(by=dpo, reason=Reason.SAR, review_on=future)
    with pytest.raises(ValidationError):
        services.place_hold(by=dpo, family=family, reason="whim", review_on=future)
    with pytest.raises(ValidationError):
        services.place_hold(by=dpo, family=family, reason=Reason.SAR, review_on=today)


def test_bulk_hold_holds_every_family_chosen(dpo, today):
    families = [closed_family(closed_on=today - relativedelta(years=8)) for _ in range(3)]
    holds = services.place_holds(
        families=families[:2], by=dpo, reason=Reason.LITIGATION, review_on=today + relativedelta(months=2)
    )
    assert len(holds) == 2
    blocked = {row.family.pk: row.blockers for row in selectors.due_families(on=today)}
    assert [b.code for b in blocked[families[0].pk]] == [selectors.BlockerCode.LEGAL_HOLD]
    assert blocked[families[2].pk] == []


def test_the_due_list_names_each_blocker_with_its_reason(dpo, today):
    person = PersonFactory()
    family = closed_family(closed_on=today - relativedelta(years=8), people=[person])
    services.place_hold(
        by=dpo, person=person, reason=Reason.POLICE_REQUEST, review_on=today + relativedelta(days=3)
    )

    [row] = selectors.due_families(on=today)
    assert row.family == family
    assert row.blocker_text == (
        f"Legal hold on a member (police request), review by {(today + relativedelta(days=3)):%d %B %Y}"
    )


def test_only_one_suspension_at_a_time_and_lifting_needs_a_reason(dpo):
    suspension = services.suspend_destruction(by=dpo, reason="Public inquiry moratorium")
    with pytest.raises(ValidationError, match="already suspended"):
        services.suspend_destruction(by=dpo, reason="again")
    with pytest.raises(ValidationError):
        services.lift_suspension(suspension=suspension, by=dpo, note=" ")
    services.lift_suspension(suspension=suspension, by=dpo, note="Moratorium ended")
    assert selectors.active_suspension() is None
    with pytest.raises(ValidationError):
        services.suspend_destruction(by=dpo, reason="")
