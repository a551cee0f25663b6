"""The DPO dashboard's reminders (sar.reminders, sharing.reminders), the sensitive-fields link, and the
break-glass review service now in cases.services."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.factories import FamilyFactory
from cases.models import BreakGlassAccess
from console import selectors
from sar import reminders as sar_reminders
from sar.factories import SubjectAccessRequestFactory
from sharing import reminders as sharing_reminders
from sharing.factories import DataSharingAgreementFactory, SharingReminderFactory

pytestmark = pytest.mark.django_db


def days(n):
    return datetime.timedelta(days=n)


def test_the_dashboard_lists_deadline_and_agreement_reminders_but_not_referral_ones(client, dpo, today):
    overdue = SubjectAccessRequestFactory(received_on=today - days(40))
    agreement = DataSharingAgreementFactory(review_date=today - days(1))
    sar_reminders.make_reminders(on=today)
    sharing_reminders.make_reminders(on=today)
    referral = SharingReminderFactory()  # a caseworker's: it names a family

    client.force_login(dpo)
    html = client.get(reverse("console:dashboard")).content.decode()

    assert 'id="reminders"' in html
    assert html.count('data-reminder="deadline"') == sar_reminders.open_reminders().count() >= 1
    assert f'href="{reverse("sar:request_detail", args=[overdue.pk])}"' in html
    assert html.count('data-reminder="agreement"') == 1
    assert agreement.reference in html
    assert referral.referral.family.reference not in html
    assert "Agreements (1 open)" in html


def test_only_the_first_reminders_are_listed_with_the_total(today):
    for _ in range(selectors.REMINDERS_SHOWN + 2):
        DataSharingAgreementFactory(review_date=today + days(5))
    sharing_reminders.make_reminders(on=today)
    reminders = selectors.reminders()
    assert len(reminders.agreements) == selectors.REMINDERS_SHOWN
    assert reminders.agreements_total == selectors.REMINDERS_SHOWN + 2
    assert reminders.deadlines == []
    assert reminders.deadlines_total == 0


def test_the_dashboard_links_the_register_of_sensitive_fields(client, dpo):
    client.force_login(dpo)
    html = client.get(reverse("console:dashboard")).content.decode()
    assert f'href="{reverse("security:sensitive_fields")}"' in html


def _access(user):
    return BreakGlassAccess.objects.create(
        family=FamilyFactory(),
        user=user,
        reason="Police at the door asking about the children",
        expires_at=timezone.now() + days(1),
    )


def test_the_break_glass_review_service_lives_in_cases_and_records_the_review(dpo, caseworker):
    access = _access(caseworker)
    reviewed = case_services.review_break_glass(access=access, note=" Justified. ", by=dpo)
    assert (reviewed.reviewed_by, reviewed.review_note) == (dpo, "Justified.")
    with pytest.raises(ValidationError):
        case_services.review_break_glass(access=access, note="Again", by=dpo)


def test_only_a_dpo_may_review_break_glass_through_the_service(manager, caseworker):
    access = _access(caseworker)
    with pytest.raises(ValidationError):
        case_services.review_break_glass(access=access, note="Looks fine", by=manager)
    access.refresh_from_db()
    assert access.reviewed_at is None
