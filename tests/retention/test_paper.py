"""Paper records become the records officer's tasks when a family is destroyed (SPEC §7 "Paper")."""

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import PaperRecord
from retention import services
from retention.models import PaperDestructionTask
from tests.retention.conftest import list_for_destruction

pytestmark = pytest.mark.django_db


@pytest.fixture
def destroyed_with_paper(story, today, caseworker):
    household = story("Paperfam")
    PaperRecord.objects.create(
        family=household.family, location="Walton Street store", box_or_barcode="BX-7", recorded_by=caseworker
    )
    list_for_destruction(today)
    services.run_sweep(on=today)
    return household


def test_destroying_a_family_leaves_a_paper_task_without_personal_data(destroyed_with_paper):
    task = PaperDestructionTask.objects.get()
    assert (task.location, task.box_or_barcode) == ("Walton Street store", "BX-7")
    assert task.is_outstanding
    assert not PaperRecord.objects.exists()


def test_the_records_officer_confirms_shredding_with_a_certificate(
    client, records_officer, destroyed_with_paper, today
):
    task = PaperDestructionTask.objects.get()
    client.force_login(records_officer)
    assert "Walton Street store" in client.get(reverse("retention:paper_tasks")).content.decode()
    day = today
    response = client.post(
        reverse("retention:confirm_paper", args=[task.pk]),
        {
            "destroyed_on_0": day.day,
            "destroyed_on_1": day.month,
            "destroyed_on_2": day.year,
            "certificate_number": "",
        },
    )
    assert response.status_code == 200
    assert (
        "Enter the destruction certificate number" in response.content.decode()
        or response.context["form"].errors
    )
    response = client.post(
        reverse("retention:confirm_paper", args=[task.pk]),
        {
            "destroyed_on_0": day.day,
            "destroyed_on_1": day.month,
            "destroyed_on_2": day.year,
            "certificate_number": "SHRED-2026-114",
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.certificate_number, task.confirmed_by) == ("SHRED-2026-114", records_officer)


def test_a_confirmation_before_the_electronic_destruction_is_refused(
    destroyed_with_paper, records_officer, today
):
    task = PaperDestructionTask.objects.get()
    with pytest.raises(ValidationError, match="before the electronic records"):
        services.confirm_paper_destruction(
            task=task, destroyed_on=today - relativedelta(days=3), certificate_number="X", by=records_officer
        )


@pytest.mark.parametrize("persona", ["caseworker", "analyst"], indirect=True)
def test_only_the_records_officer_and_dpo_see_the_paper_list(client, persona):
    client.force_login(persona)
    assert client.get(reverse("retention:paper_tasks")).status_code == 403
