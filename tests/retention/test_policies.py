"""Retention policies: defaults of domain-rules §8, calendar arithmetic, versions (SPEC §7)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from retention.models import RetentionPolicy
from retention.selectors import NoPolicyError, current_policy, family_retention_sentence

pytestmark = pytest.mark.django_db

Kind = RetentionPolicy.RecordKind


@pytest.mark.parametrize(
    ("kind", "period"),
    [
        (Kind.FAMILY_CASE_FILE, "7 years"),
        (Kind.SAR_CASE_FILE, "2 years"),
        (Kind.FOI_FILE, "3 years"),
        (Kind.ACCESS_LOG, "2 years"),
        (Kind.SAR_PACKAGE, "30 days"),
        (Kind.ONS_TRANSFER_FILE, ""),
    ],
)
def test_default_policies_load_with_migrations(kind, period):
    assert current_policy(kind).period_text == period


@pytest.mark.parametrize(
    ("closed", "due"),
    [
        (date(2024, 2, 29), date(2031, 2, 28)),  # leap day: due on 28 February
        (date(2019, 11, 26), date(2026, 11, 26)),
        (date(2020, 12, 31), date(2027, 12, 31)),
    ],
)
def test_family_due_date_is_seven_calendar_years_after_closure(closed, due):
    assert current_policy(Kind.FAMILY_CASE_FILE).due_date(closed) == due


def test_ons_files_are_kept_until_destruction_is_confirmed():
    assert current_policy(Kind.ONS_TRANSFER_FILE).due_date(date(2026, 1, 1)) is None


def test_privacy_notice_sentence_follows_the_policy_in_force():
    assert family_retention_sentence(on=date(2026, 11, 26)) == (
        "Information will be stored securely for 7 years after our involvement with you has ended. "
        "After this time your information will be destroyed."
    )
    RetentionPolicy.objects.create(
        record_kind=Kind.FAMILY_CASE_FILE,
        version=2,
        effective_from=date(2027, 4, 1),
        trigger=RetentionPolicy.Trigger.LATEST_CASE_CLOSURE,
        period_years=8,
        period_months=6,
    )
    assert "for 7 years after" in family_retention_sentence(on=date(2027, 3, 31))
    assert "for 8 years and 6 months after" in family_retention_sentence(on=date(2027, 4, 1))


def test_no_policy_in_force_is_an_error_not_a_guess():
    with pytest.raises(NoPolicyError):
        current_policy(Kind.FAMILY_CASE_FILE, on=date(1999, 12, 31))


def test_a_policy_needs_a_period_unless_kept_until_confirmation():
    policy = RetentionPolicy(
        record_kind=Kind.ACCESS_LOG, version=9, effective_from=date(2030, 1, 1), trigger="record_created"
    )
    with pytest.raises(ValidationError, match="Give a retention period"):
        policy.full_clean()
