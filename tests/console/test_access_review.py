"""Access reviews (issue 9, SPEC §9): staff by role and team, leavers flagged and deactivated, a record."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from console.models import AccessReview, AccessReviewDecision
from console.selectors import staff_for_review
from fss.core import roles
from fss.core.factories import UserFactory
from fss.core.models import AccessLogEntry, User

pytestmark = pytest.mark.django_db


def _signed_in_elsewhere(user) -> Client:
    other = Client()
    other.force_login(user)
    assert other.get("/").status_code in (200, 302)
    return other


@pytest.fixture
def leaver(north_team):
    user = UserFactory(username="left-in-may", roles=[roles.CASEWORKER], team=north_team)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now() - datetime.timedelta(days=200))
    user.refresh_from_db()
    return user


def test_staff_are_listed_by_role_and_team_with_last_sign_in_and_leavers_flagged(
    client, dpo, caseworker, leaver, sysadmin
):
    User.objects.filter(pk=caseworker.pk).update(last_login=timezone.now() - datetime.timedelta(days=3))
    gone = UserFactory(username="already-gone", is_active=False)

    rows = {row.user.username: row for row in staff_for_review(inactive_after_days=90)}
    assert rows["cass"].roles == [roles.CASEWORKER]
    assert rows["cass"].teams == ["North team"]
    assert not rows["cass"].flagged
    assert rows["left-in-may"].flagged
    assert not rows["already-gone"].flagged  # inactive already: nothing to do
    assert rows["addy"].roles == [roles.SYSTEM_ADMINISTRATOR]

    client.force_login(dpo)
    html = client.get("/console/access-review/").content.decode()
    assert "left-in-may" in html
    assert "North team" in html
    assert "No sign-in for 90 days" in html
    assert "Inactive" in html
    assert f'href="/console/accounts/{leaver.pk}/deactivate/"' in html
    assert f'href="/console/accounts/{gone.pk}/deactivate/"' not in html
    # A shorter window flags more.
    html = client.get("/console/access-review/?days=1").content.decode()
    assert "No sign-in for 1 days" in html


def test_deactivating_a_leaver_ends_their_sessions_and_keeps_the_account(
    client, dpo, leaver, django_capture_on_commit_callbacks
):
    _signed_in_elsewhere(leaver)
    assert any(s.get_decoded().get("_auth_user_id") == str(leaver.pk) for s in Session.objects.all())
    client.force_login(dpo)
    assert client.get(f"/console/accounts/{leaver.pk}/deactivate/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/console/accounts/{leaver.pk}/deactivate/")
    assert response.status_code == 302

    leaver.refresh_from_db()
    assert leaver.is_active is False  # deactivated, never deleted
    assert not any(s.get_decoded().get("_auth_user_id") == str(leaver.pk) for s in Session.objects.all())
    entry = AccessLogEntry.objects.get(user=dpo, action="change")
    assert (entry.record_type, entry.record_id) == ("core.user", str(leaver.pk))
    # An inactive account is no longer offered for deactivation.
    assert client.get(f"/console/accounts/{leaver.pk}/deactivate/").status_code == 404


def test_nobody_deactivates_their_own_account(client, sysadmin):
    client.force_login(sysadmin)
    response = client.post(f"/console/accounts/{sysadmin.pk}/deactivate/")
    assert response.status_code == 200
    assert "cannot deactivate your own account" in response.content.decode()
    sysadmin.refresh_from_db()
    assert sysadmin.is_active


def test_a_caseworker_cannot_deactivate_anyone(client, caseworker, leaver):
    client.force_login(caseworker)
    assert client.post(f"/console/accounts/{leaver.pk}/deactivate/").status_code == 403
    leaver.refresh_from_db()
    assert leaver.is_active


def test_recording_a_review_keeps_what_was_seen_and_deactivates_the_chosen(
    client, dpo, caseworker, leaver, django_capture_on_commit_callbacks
):
    _signed_in_elsewhere(leaver)
    # Signing in stamps last_login; the leaver's real last sign-in was long ago.
    User.objects.filter(pk=leaver.pk).update(last_login=timezone.now() - datetime.timedelta(days=200))
    client.force_login(dpo)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/console/access-review/",
            {"inactive_after_days": 90, "deactivate": [leaver.pk], "notes": "Quarterly review, Q3."},
        )
    review = AccessReview.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/console/access-review/{review.pk}/"
    assert (review.reviewed_by, review.inactive_after_days, review.notes) == (
        dpo,
        90,
        "Quarterly review, Q3.",
    )
    decisions = {d.user.username: d for d in review.decisions.all()}
    assert decisions["left-in-may"].decision == AccessReviewDecision.Decision.DEACTIVATE
    assert decisions["left-in-may"].flagged
    assert decisions["left-in-may"].teams == "North team"
    assert decisions["cass"].decision == AccessReviewDecision.Decision.KEEP
    assert decisions["cass"].roles == roles.CASEWORKER
    assert "dee" in decisions  # the reviewer's own account is reviewed too (kept)
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert not any(s.get_decoded().get("_auth_user_id") == str(leaver.pk) for s in Session.objects.all())

    # The history: the review is listed and its page shows the decisions.
    html = client.get("/console/access-review/").content.decode()
    assert f'href="/console/access-review/{review.pk}/"' in html
    detail = client.get(f"/console/access-review/{review.pk}/").content.decode()
    assert "left-in-may" in detail
    assert "Deactivated" in detail
    assert "Quarterly review, Q3." in detail
    # A second review is a new record; the first is unchanged.
    client.post("/console/access-review/", {"inactive_after_days": 30, "notes": "Monthly."})
    assert AccessReview.objects.count() == 2
    review.refresh_from_db()
    assert review.notes == "Quarterly review, Q3."


def test_the_reviewer_cannot_tick_their_own_account(client, dpo):
    client.force_login(dpo)
    response = client.post("/console/access-review/", {"inactive_after_days": 90, "deactivate": [dpo.pk]})
    assert response.status_code == 200
    assert not AccessReview.objects.exists()
    dpo.refresh_from_db()
    assert dpo.is_active


def test_an_administrator_records_a_review(client, sysadmin, caseworker):
    client.force_login(sysadmin)
    response = client.post("/console/access-review/", {"inactive_after_days": 90, "notes": ""})
    assert response.status_code == 302
    assert AccessReview.objects.get().reviewed_by == sysadmin
