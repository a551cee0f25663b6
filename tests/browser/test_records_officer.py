"""Journey 4 (SPEC §7 "Paper"): the records officer confirms that a destroyed family's paper file was
shredded.

Pages: sign-in, Paper destruction, Confirm paper destruction, Paper destruction again.
"""

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from cases.models import PaperRecord
from retention import services
from retention.models import PaperDestructionTask
from tests.retention.conftest import closed_family, list_for_destruction

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_records_officer_confirms_paper_destruction(journey, records_officer, caseworker):
    today = timezone.localdate()
    family = closed_family(closed_on=today - relativedelta(years=8))
    PaperRecord.objects.create(
        family=family, location="Walton Street store", box_or_barcode="BX-7", recorded_by=caseworker
    )
    list_for_destruction(today)
    services.run_sweep(on=today)
    task = PaperDestructionTask.objects.get()
    page = journey.page

    journey.sign_in(records_officer, "/paper-destruction/")
    assert journey.heading() == "Paper destruction"
    row = page.locator("main table tbody tr").filter(has_text="Walton Street store")
    assert row.count() == 1
    assert "BX-7" in row.inner_text()

    row.get_by_role("link", name="Confirm").click()
    journey.step("confirm the shredding")
    assert journey.heading() == "Confirm paper destruction"
    group = page.get_by_role("group", name="Date the paper was destroyed")
    group.get_by_label("Day").fill(str(today.day))
    group.get_by_label("Month").fill(str(today.month))
    group.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Destruction certificate number").fill("SHRED-2026-0042")
    page.get_by_role("button", name="Confirm destruction").click()
    journey.step("confirmed")
    assert "Paper destruction confirmed." in journey.banner()
    shown = journey.main_text()
    assert "Outstanding (0)" in shown
    assert "Walton Street store BX-7: destroyed" in shown
    assert "certificate SHRED-2026-0042" in shown
    task.refresh_from_db()
    assert task.confirmed_by == records_officer
