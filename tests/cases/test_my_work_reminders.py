"""My work shows the caseworker's reminders that partners have not answered their referrals."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.factories import FamilyFactory
from sharing.factories import DataSharingAgreementFactory, PartnerReferralFactory, SharingReminderFactory
from sharing.models import SharingReminder

pytestmark = pytest.mark.django_db


def _my_work(client) -> str:
    response = client.get(reverse("cases:my_work"))
    assert response.status_code == 200
    return response.content.decode()


def test_my_referral_reminders_are_listed_and_others_are_not(
    client, caseworker, colleague, north_team, south_team
):
    mine = SharingReminderFactory(
        referral=PartnerReferralFactory(family=FamilyFactory(team=north_team), sent_by=caseworker),
        due_on=timezone.localdate() - datetime.timedelta(days=2),
    )
    colleagues = SharingReminderFactory(
        referral=PartnerReferralFactory(family=FamilyFactory(team=north_team), sent_by=colleague)
    )
    # Mine, but about a family I can no longer see (another team's).
    hidden = SharingReminderFactory(
        referral=PartnerReferralFactory(family=FamilyFactory(team=south_team), sent_by=caseworker)
    )
    closed = SharingReminderFactory(
        referral=PartnerReferralFactory(family=FamilyFactory(team=north_team), sent_by=caseworker),
        closed_on=timezone.localdate(),
    )
    # Agreement reminders are the DPO's, not a caseworker's.
    SharingReminderFactory(
        kind=SharingReminder.Kind.AGREEMENT_REVIEW,
        referral=None,
        agreement=DataSharingAgreementFactory(),
        assigned_to=None,
    )

    client.force_login(caseworker)
    html = _my_work(client)

    assert "Referrals partners have not answered (1)" in html
    assert f'data-reminder="{mine.pk}"' in html
    assert mine.referral.family.reference in html
    assert str(mine.referral.organisation) in html
    for other in (colleagues, hidden, closed):
        assert f'data-reminder="{other.pk}"' not in html
    assert "Overdue" in html


def test_my_work_queries_do_not_grow_with_reminders(client, caseworker, north_team):
    client.force_login(caseworker)
    SharingReminderFactory(
        referral=PartnerReferralFactory(family=FamilyFactory(team=north_team), sent_by=caseworker)
    )
    _my_work(client)
    with CaptureQueriesContext(connection) as few:
        _my_work(client)
    for _ in range(5):
        SharingReminderFactory(
            referral=PartnerReferralFactory(family=FamilyFactory(team=north_team), sent_by=caseworker)
        )
    with CaptureQueriesContext(connection) as many:
        html = _my_work(client)
    assert "Referrals partners have not answered (6)" in html
    assert len(few.captured_queries) == len(many.captured_queries) <= 15
