"""Break-glass access listed for DPO review (SPEC §9, issue 9): reviewed once, with a note, logged."""

import datetime

import pytest
from django.utils import timezone

from cases.factories import FamilyFactory
from cases.models import BreakGlassAccess
from console import selectors
from fss.core.models import AccessLogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def access(other_caseworker):
    return BreakGlassAccess.objects.create(
        family=FamilyFactory(),
        user=other_caseworker,
        reason="Police at the door asking about the children",
        expires_at=timezone.now() + datetime.timedelta(hours=4),
    )


def test_the_dpo_reviews_a_break_glass_access_and_it_leaves_the_queue(client, dpo, access):
    client.force_login(dpo)
    listing = client.get("/console/break-glass/").content.decode()
    assert access.family.reference in listing
    assert "Police at the door" in listing
    page = client.get(f"/console/break-glass/{access.pk}/")
    assert page.status_code == 200
    assert AccessLogEntry.objects.filter(
        user=dpo, record_type="cases.breakglassaccess", family_id=access.family_id, action="view"
    ).exists()

    response = client.post(f"/console/break-glass/{access.pk}/", {"note": "Justified: police welfare check."})
    assert response.status_code == 302
    access.refresh_from_db()
    assert access.reviewed_by == dpo
    assert access.reviewed_at is not None
    assert access.review_note == "Justified: police welfare check."
    assert access.history.count() == 2  # the review is in the change history
    assert AccessLogEntry.objects.filter(
        user=dpo, record_type="cases.breakglassaccess", action="change"
    ).exists()
    assert list(selectors.break_glass_to_review()) == []
    assert selectors.dashboard().reviews.break_glass_awaiting_review == 0
    # Reviewed once: the review page is gone.
    assert client.get(f"/console/break-glass/{access.pk}/").status_code == 404


def test_a_review_needs_a_note(client, dpo, access):
    client.force_login(dpo)
    response = client.post(f"/console/break-glass/{access.pk}/", {"note": "  "})
    assert response.status_code == 200
    access.refresh_from_db()
    assert access.reviewed_at is None


def test_nobody_reviews_their_own_break_glass(client, dpo):
    own = BreakGlassAccess.objects.create(
        family=FamilyFactory(), user=dpo, reason="Checking a complaint", expires_at=timezone.now()
    )
    client.force_login(dpo)
    response = client.post(f"/console/break-glass/{own.pk}/", {"note": "Fine."})
    assert response.status_code == 200
    assert "cannot review your own" in response.content.decode()
    own.refresh_from_db()
    assert own.reviewed_at is None


@pytest.mark.parametrize("persona", ["manager", "sysadmin", "caseworker"], indirect=True)
def test_only_the_dpo_reviews_break_glass(client, persona, access):
    client.force_login(persona)
    assert client.get("/console/break-glass/").status_code == 403
    assert client.post(f"/console/break-glass/{access.pk}/", {"note": "x"}).status_code == 403
    access.refresh_from_db()
    assert access.reviewed_at is None
