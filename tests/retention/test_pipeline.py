"""The DPO dashboard's retention figures (`retention.selectors.retention_pipeline`): what falls due in
30, 90 and 365 days, what is held, what went this month and in each of the last twelve, and the
paper destructions still to confirm."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta

from cases.models import PaperRecord
from retention import selectors, services
from retention.models import DestructionRecord, LegalHold
from tests.retention.conftest import closed_family, list_for_destruction

pytestmark = pytest.mark.django_db


def test_the_pipeline_counts_what_is_coming_held_destroyed_and_left_on_paper(today, dpo, caseworker):
    seven = relativedelta(years=7)
    gone = closed_family(closed_on=today - relativedelta(years=8))
    PaperRecord.objects.create(family=gone, location="Basement store", box_or_barcode="B-1", recorded_by=dpo)
    held = closed_family(closed_on=today - relativedelta(years=8, days=3))
    services.place_hold(
        by=dpo, family=held, reason=LegalHold.Reason.INQUIRY, review_on=today + relativedelta(months=3)
    )
    closed_family(closed_on=today - seven + relativedelta(days=20))  # due in 20 days
    closed_family(closed_on=today - seven + relativedelta(days=60))  # in 60
    closed_family(closed_on=today - seven + relativedelta(days=200))  # in 200
    closed_family(closed_on=today - seven + relativedelta(days=400))  # beyond a year
    closed_family(closed_on=today - relativedelta(years=2))
    list_for_destruction(today)
    services.run_sweep(on=today)  # destroys `gone`; `held` stays
    # An entry from three months ago, and a replay (not counted again).
    earlier = DestructionRecord.objects.get()
    old = DestructionRecord.objects.create(
        **{
            f.name: getattr(earlier, f.name)
            for f in DestructionRecord._meta.fields
            if f.name not in ("id", "surrogate_id", "destroyed_at")
        }
    )
    three_months_ago = today.replace(day=1) - relativedelta(months=3)
    DestructionRecord.objects.filter(pk=old.pk).update(
        destroyed_at=datetime.datetime.combine(three_months_ago, datetime.time(12), tzinfo=datetime.UTC)
    )
    DestructionRecord.objects.create(
        **{
            f.name: getattr(earlier, f.name)
            for f in DestructionRecord._meta.fields
            if f.name not in ("id", "surrogate_id", "destroyed_at", "replay_of")
        },
        replay_of=earlier,
    )

    pipeline = selectors.retention_pipeline(today)

    assert pipeline.due_within == {30: 2, 90: 3, 365: 4}  # the held family is overdue, so in each
    assert pipeline.overdue == 1
    assert pipeline.held == 1
    assert pipeline.active_holds == 1
    assert pipeline.destroyed_this_month == 1
    assert pipeline.paper_outstanding == 1
    assert len(pipeline.destroyed_by_month) == 12
    assert pipeline.destroyed_by_month[-1] == (today.replace(day=1), 1)
    assert dict(pipeline.destroyed_by_month)[three_months_ago] == 1
    assert sum(n for _, n in pipeline.destroyed_by_month) == 2
    assert pipeline.suspended is False
    assert pipeline.sweep_overdue is False


def test_the_pipeline_of_an_empty_service_is_all_zeros(today):
    pipeline = selectors.retention_pipeline(today)
    assert pipeline.due_within == {30: 0, 90: 0, 365: 0}
    assert (pipeline.held, pipeline.destroyed_this_month, pipeline.paper_outstanding) == (0, 0, 0)
    assert [n for _, n in pipeline.destroyed_by_month] == [0] * 12
    assert pipeline.sweep_overdue is True
