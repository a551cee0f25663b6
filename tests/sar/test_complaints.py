"""Data-protection complaints (SPEC §8.4): staff record one on a family member's behalf, anyone may
use the public form (no sign-in, CSRF, honeypot, a per-address limit, a reference that reveals
nothing else), the ICO's involvement is recorded, and complaints are counted per period."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.factories import FamilyFactory, MembershipFactory, PersonFactory
from fss.core.models import AccessLogEntry
from sar.factories import ComplaintFactory
from sar.models import ICO_EARLY, Complaint
from sar.selectors import complaint_counts

pytestmark = pytest.mark.django_db

PUBLIC_URL = "/complaints/new/"
RECEIVED_URL = "/complaints/received/"


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


def _public_data(**more):
    return {
        "complainant_name": "Maya Reid",
        "complainant_contact": "maya@example.com",
        "summary": "My son's school was told about our family support without asking me.",
        "outcome_wanted": "An apology and the school's copy deleted.",
        **more,
    }


def _family(team):
    family = FamilyFactory(team=team)
    mother = MembershipFactory(family=family, person=PersonFactory(given_name="Maya")).person
    son = MembershipFactory(family=family, person=PersonFactory(given_name="Leo")).person
    return family, mother, son


# --- Staff, on a family's behalf ---


def test_the_family_and_person_pages_link_to_the_staff_form(client, caseworker, north_team):
    family, mother, _son = _family(north_team)
    client.force_login(caseworker)
    url = reverse("sar:complaint_new", args=[family.pk])
    assert url in client.get(reverse("cases:family_detail", args=[family.pk])).content.decode()
    person_page = client.get(reverse("cases:person_detail", args=[family.pk, mother.pk])).content.decode()
    assert f"{url}?person={mother.pk}" in person_page


def test_staff_record_a_complaint_linked_to_the_person(client, caseworker, north_team):
    family, mother, son = _family(north_team)
    client.force_login(caseworker)
    url = reverse("sar:complaint_new", args=[family.pk])
    page = client.get(url, {"person": son.pk})
    assert page.context["form"].initial == {"subject": str(son.pk)}
    today = timezone.localdate()
    response = client.post(
        url,
        {
            "subject": mother.pk,
            "received_on_0": today.day,
            "received_on_1": today.month,
            "received_on_2": today.year,
            "channel": Complaint.Channel.PHONE,
            **_public_data(),
        },
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("cases:person_detail", args=[family.pk, mother.pk])
    assert complaint.subject == mother
    assert complaint.recorded_by == caseworker
    assert complaint.channel == Complaint.Channel.PHONE
    assert complaint.outcome_wanted == "An apology and the school's copy deleted."
    assert complaint.acknowledgement_due >= today + timedelta(days=30)
    assert AccessLogEntry.objects.filter(
        user=caseworker, record_type="sar.complaint", record_id=str(complaint.pk), person_id=mother.pk
    ).exists()


def test_staff_cannot_name_someone_outside_the_family(client, caseworker, north_team):
    family, _mother, _son = _family(north_team)
    stranger = PersonFactory()
    client.force_login(caseworker)
    today = timezone.localdate()
    response = client.post(
        reverse("sar:complaint_new", args=[family.pk]),
        {
            "subject": stranger.pk,
            "received_on_0": today.day,
            "received_on_1": today.month,
            "received_on_2": today.year,
            "channel": Complaint.Channel.PHONE,
            **_public_data(),
        },
    )
    assert response.status_code == 200
    assert "subject" in response.context["form"].errors
    assert not Complaint.objects.exists()


def test_a_family_you_cannot_see_does_not_exist_for_the_form(client, other_caseworker, north_team):
    family, _mother, _son = _family(north_team)
    client.force_login(other_caseworker)
    assert client.get(reverse("sar:complaint_new", args=[family.pk])).status_code == 404


def test_roles_without_the_permission_are_refused(client, records_officer, north_team):
    family, _mother, _son = _family(north_team)
    client.force_login(records_officer)
    assert client.get(reverse("sar:complaint_new", args=[family.pk])).status_code == 403


# --- The public form ---


def test_the_public_form_opens_without_signing_in_and_lands_unmatched():
    client = Client(enforce_csrf_checks=True)
    page = client.get(PUBLIC_URL)
    assert page.status_code == 200
    token = page.cookies["csrftoken"].value
    response = client.post(PUBLIC_URL, {**_public_data(), "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response.url == RECEIVED_URL  # nothing about the complaint in the URL
    complaint = Complaint.objects.get()
    assert complaint.subject is None  # for the DPO to match
    assert complaint.recorded_by is None
    assert complaint.channel == Complaint.Channel.ONLINE_FORM
    assert complaint.received_on == timezone.localdate()
    assert complaint.outcome_wanted == "An apology and the school's copy deleted."
    confirmation = client.get(RECEIVED_URL).content.decode()
    assert complaint.reference in confirmation
    for personal in ("Maya", "maya@example.com", "school"):
        assert personal not in confirmation


def test_the_public_form_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    assert client.post(PUBLIC_URL, _public_data()).status_code == 403
    assert not Complaint.objects.exists()


def test_the_public_form_says_what_is_missing(client):
    response = client.post(PUBLIC_URL, _public_data(summary="", complainant_contact=""))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"summary", "complainant_contact"}
    assert not Complaint.objects.exists()


def test_a_robot_filling_the_honeypot_is_thanked_but_not_recorded(client):
    response = client.post(PUBLIC_URL, _public_data(website="http://spam.example"))
    assert response.status_code == 302
    assert not Complaint.objects.exists()
    assert "DPC-" not in client.get(RECEIVED_URL).content.decode()


def test_one_address_may_send_only_a_few_an_hour(client, settings):
    settings.PUBLIC_COMPLAINTS_PER_HOUR = 2
    for _ in range(2):
        assert client.post(PUBLIC_URL, _public_data()).status_code == 302
    refused = client.post(PUBLIC_URL, _public_data())
    assert refused.status_code == 429
    assert "try again in an hour" in refused.content.decode()
    assert Complaint.objects.count() == 2
    # Another address is not held back.
    assert client.post(PUBLIC_URL, _public_data(), REMOTE_ADDR="192.0.2.7").status_code == 302
    assert Complaint.objects.count() == 3


def test_the_confirmation_page_without_a_complaint_shows_no_reference(client):
    ComplaintFactory()
    page = client.get(RECEIVED_URL)
    assert page.status_code == 200
    assert "DPC-" not in page.content.decode()


# --- ICO involvement ---


def test_the_ico_cannot_be_involved_before_the_complaint_was_received():
    complaint = ComplaintFactory(received_on=date(2026, 3, 2))
    complaint.ico_involved_on = date(2026, 3, 1)
    with pytest.raises(ValidationError) as error:
        complaint.full_clean()
    assert error.value.message_dict["ico_involved_on"] == [ICO_EARLY]
    complaint.ico_involved_on = date(2026, 5, 1)
    complaint.ico_reference = "IC-123456-A1B2"
    complaint.full_clean()
    complaint.save()


# --- Counts per period ---


def _counted_complaints():
    # January: received, acknowledged in 30 days, upheld in February, ICO involved in April.
    ComplaintFactory(
        received_on=date(2026, 1, 10),
        acknowledged_on=date(2026, 2, 9),
        outcome=Complaint.Outcome.UPHELD,
        outcome_on=date(2026, 2, 20),
        ico_involved_on=date(2026, 4, 2),
    )
    # January: acknowledged late (due Wednesday 4 February), not upheld.
    ComplaintFactory(
        received_on=date(2026, 1, 5),
        acknowledged_on=date(2026, 2, 6),
        outcome=Complaint.Outcome.NOT_UPHELD,
        outcome_on=date(2026, 2, 10),
    )
    # February: partly upheld in March; never acknowledged.
    ComplaintFactory(
        received_on=date(2026, 2, 3), outcome=Complaint.Outcome.PARTLY_UPHELD, outcome_on=date(2026, 3, 3)
    )
    # Outside the period.
    ComplaintFactory(received_on=date(2025, 12, 31), acknowledged_on=date(2026, 1, 2))


def test_complaints_are_counted_per_month():
    _counted_complaints()
    rows = complaint_counts(date(2026, 1, 1), date(2026, 4, 30))
    assert [row["label"] for row in rows] == ["January 2026", "February 2026", "March 2026", "April 2026"]
    assert [(r["received"], r["acknowledged_in_time"], r["upheld"], r["ico"]) for r in rows] == [
        (2, 1, 0, 0),
        (1, 0, 1, 0),
        (0, 0, 1, 0),
        (0, 0, 0, 1),
    ]


def test_complaints_are_counted_per_quarter():
    _counted_complaints()
    rows = complaint_counts(date(2025, 10, 1), date(2026, 6, 30), period="quarter")
    assert [row["label"] for row in rows] == [
        "Q4 2025 (October to December)",
        "Q1 2026 (January to March)",
        "Q2 2026 (April to June)",
    ]
    assert [(r["received"], r["acknowledged_in_time"], r["upheld"], r["ico"]) for r in rows] == [
        (1, 1, 0, 0),
        (3, 1, 2, 0),
        (0, 0, 0, 1),
    ]


def test_counts_refuse_a_period_ending_before_it_starts():
    with pytest.raises(ValueError, match="cannot come before its start"):
        complaint_counts(date(2026, 2, 1), date(2026, 1, 1))
