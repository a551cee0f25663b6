"""Recording a decision: who may decide, and every refusal (SPEC §5.1, §5.2)."""

import datetime
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.factories import FamilyFactory, MembershipFactory
from consent.factories import PrivacyNoticeVersionFactory
from consent.models import ConsentPurpose, ConsentRecord, PrivacyNoticeVersion
from consent.services import record_consent
from fss.core.models import AccessLogEntry
from tests.consent.conftest import Role, add_member

pytestmark = pytest.mark.django_db

Capacity = ConsentRecord.Capacity
GIVEN = ConsentRecord.Decision.GIVEN
WITHDRAWN = ConsentRecord.Decision.WITHDRAWN
REFUSED = ConsentRecord.Decision.REFUSED


def _refusal(call) -> dict[str, str]:
    with pytest.raises(ValidationError) as exc:
        call()
    return {field: " ".join(messages) for field, messages in exc.value.message_dict.items()}


# Date of birth for an age on the decision day `d`.
AGES = {
    "16 today": lambda d: d - relativedelta(years=16),
    "16 tomorrow": lambda d: d - relativedelta(years=16) + timedelta(days=1),
    "12": lambda d: d - relativedelta(years=12, days=100),
    "adult": lambda d: d - relativedelta(years=35, days=100),
}


@pytest.mark.parametrize(
    ("age", "capacity", "decider", "competent", "note", "error"),
    [
        # 16 and over: their own decision, and only theirs.
        ("16 today", Capacity.SELF, "self", False, "", None),
        ("adult", Capacity.SELF, "self", False, "", None),
        ("16 today", Capacity.PARENTAL_RESPONSIBILITY, "parent with PR", False, "", ("capacity", "from 16")),
        ("adult", Capacity.PARENTAL_RESPONSIBILITY, "parent with PR", False, "", ("capacity", "from 16")),
        ("16 today", Capacity.COMPETENT_CHILD, "self", True, "", ("capacity", "Choose “Their own decision”")),
        # Under 16: someone with parental responsibility …
        ("16 tomorrow", Capacity.PARENTAL_RESPONSIBILITY, "parent with PR", False, "", None),
        ("12", Capacity.PARENTAL_RESPONSIBILITY, "parent with PR", False, "", None),
        (
            "16 tomorrow",
            Capacity.PARENTAL_RESPONSIBILITY,
            "parent without PR",
            False,
            "",
            ("decided_by", "does not hold parental responsibility"),
        ),
        ("16 tomorrow", Capacity.SELF, "self", False, "", ("capacity", "under 16")),
        ("12", Capacity.SELF, "parent with PR", False, "", ("decided_by", "the person deciding must be")),
        # … unless the worker records that the child is competent: then the child's decision stands.
        ("16 tomorrow", Capacity.COMPETENT_CHILD, "self", True, "", None),
        ("12", Capacity.COMPETENT_CHILD, "self", True, "", None),
        ("12", Capacity.COMPETENT_CHILD, "self", False, "", ("child_is_competent", "is competent")),
        ("12", Capacity.COMPETENT_CHILD, "parent with PR", True, "", ("decided_by", "must be")),
        (
            "12",
            Capacity.PARENTAL_RESPONSIBILITY,
            "parent with PR",
            True,
            "",
            ("capacity", "own decision stands"),
        ),
        # A legal representative, with a note of their authority; they need not be in the family.
        ("12", Capacity.LEGAL_REPRESENTATIVE, "solicitor", False, "Court order 2026/123", None),
        ("adult", Capacity.LEGAL_REPRESENTATIVE, "solicitor", False, "Lasting power of attorney", None),
        ("adult", Capacity.LEGAL_REPRESENTATIVE, "solicitor", False, "", ("note", "authority")),
        ("adult", Capacity.LEGAL_REPRESENTATIVE, "self", False, "LPA", ("decided_by", "someone else")),
    ],
)
def test_who_may_decide_depends_on_age_parental_responsibility_and_competence(
    family, maya, dan, caseworker, today, age, capacity, decider, competent, note, error
):
    decided_on = today - timedelta(days=10)
    role = Role.OTHER_ADULT if age == "adult" else Role.CHILD
    subject = add_member(family, role, given_name="Sam", date_of_birth=AGES[age](decided_on))
    solicitor = add_member(FamilyFactory(), Role.OTHER_ADULT, given_name="Sol")
    deciders = {"self": subject, "parent with PR": maya, "parent without PR": dan, "solicitor": solicitor}

    def call():
        return record_consent(
            person=subject,
            family=family,
            purpose="service",
            decision=GIVEN,
            decided_by=deciders[decider],
            capacity=capacity,
            method=ConsentRecord.Method.VERBAL,
            decided_on=decided_on,
            by=caseworker,
            child_is_competent=competent,
            note=note,
        )

    if error is None:
        assert call().capacity == capacity
    else:
        field, words = error
        errors = _refusal(call)
        assert words in errors[field]
        assert not ConsentRecord.objects.exists()


def test_a_person_not_in_the_family_on_that_date_is_refused(family, record, today):
    left = add_member(family, Role.OTHER_ADULT, given_name="Al", end=today - timedelta(days=30))
    errors = _refusal(lambda: record(left))
    assert (
        errors["person"]
        == f"Al {left.family_name} is not a member of this family on {today.day} {today:%B %Y}."
    )


def test_a_decision_before_the_person_joined_the_family_is_refused(family, record, today):
    joiner = add_member(family, Role.OTHER_ADULT, start=today - timedelta(days=5))
    errors = _refusal(lambda: record(joiner, decided_on=today - timedelta(days=6)))
    assert "is not a member of this family" in errors["person"]


def test_a_decider_from_another_family_is_refused(record, leo):
    other_parent = add_member(FamilyFactory(), Role.PARENT_CARER, pr=True, given_name="Kim")
    errors = _refusal(lambda: record(leo, decided_by=other_parent, capacity=Capacity.PARENTAL_RESPONSIBILITY))
    assert "Kim" in errors["decided_by"]
    assert "is not a member of this family" in errors["decided_by"]


def test_a_decision_dated_in_the_future_is_refused(record, maya, today):
    errors = _refusal(lambda: record(maya, decided_on=today + timedelta(days=1)))
    assert errors == {"decided_on": "The date of the decision cannot be in the future."}


def test_an_unborn_child_cannot_decide(family, record, maya, today):
    unborn = add_member(
        family,
        Role.CHILD,
        given_name="Bump",
        date_of_birth=None,
        expected_date_of_birth=today + timedelta(days=60),
    )
    errors = _refusal(lambda: record(unborn, capacity=Capacity.SELF))
    assert "an unborn child cannot decide" in errors["decided_by"]
    # Someone with parental responsibility may decide about the unborn child.
    decided = record(unborn, decided_by=maya, capacity=Capacity.PARENTAL_RESPONSIBILITY)
    assert decided.decided_by == maya


def test_a_child_not_yet_born_on_the_decision_date_cannot_decide(family, record, today):
    baby = add_member(
        family, Role.CHILD, date_of_birth=today - timedelta(days=3), start=today - timedelta(days=30)
    )
    errors = _refusal(
        lambda: record(baby, decided_on=today - timedelta(days=10), capacity=Capacity.COMPETENT_CHILD)
    )
    assert "an unborn child cannot decide" in errors["decided_by"]


def test_a_childs_age_must_be_known_before_anyone_decides(family, record, maya):
    unknown = add_member(family, Role.CHILD, given_name="Ned", date_of_birth=None)
    errors = _refusal(lambda: record(unknown, decided_by=maya, capacity=Capacity.PARENTAL_RESPONSIBILITY))
    assert errors["person"].startswith("Record Ned")
    assert "date of birth first" in errors["person"]


def test_an_adult_without_a_recorded_date_of_birth_decides_for_themselves(family, record):
    adult = add_member(family, Role.PARENT_CARER, pr=True, date_of_birth=None)
    assert record(adult).capacity == Capacity.SELF


def test_a_decider_who_has_died_cannot_decide_after_their_death(family, record, leo, today):
    parent = add_member(family, Role.PARENT_CARER, pr=True, age=50, date_of_death=today - timedelta(days=20))
    errors = _refusal(lambda: record(leo, decided_by=parent, capacity=Capacity.PARENTAL_RESPONSIBILITY))
    assert "died on" in errors["decided_by"]


def test_withdrawing_what_was_never_given_is_refused(record, maya):
    errors = _refusal(lambda: record(maya, purpose="partner:police", decision=WITHDRAWN))
    assert errors["decision"] == (
        "Maya Reid's consent for “Sharing with the police” was never given, so there is nothing to withdraw."
    )


def test_withdrawing_after_a_refusal_is_refused(record, maya, today):
    record(maya, purpose="partner:gp", decision=REFUSED, decided_on=today - timedelta(days=3))
    errors = _refusal(lambda: record(maya, purpose="partner:gp", decision=WITHDRAWN))
    assert "was refused on" in errors["decision"]


def test_withdrawing_twice_is_refused(record, maya, today):
    record(maya, decided_on=today - timedelta(days=3))
    record(maya, decision=WITHDRAWN, decided_on=today - timedelta(days=2))
    errors = _refusal(lambda: record(maya, decision=WITHDRAWN))
    assert "was withdrawn on" in errors["decision"]


def test_withdrawing_the_agreement_to_work_needs_it_given_in_this_family(record, maya):
    other = FamilyFactory()
    MembershipFactory(
        person=maya,
        family=other,
        role=Role.PARENT_CARER,
        has_parental_responsibility=True,
        start_date=datetime.date(2019, 1, 1),
    )
    record(maya, family=other)
    errors = _refusal(lambda: record(maya, decision=WITHDRAWN))
    assert "never given" in errors["decision"]


def test_the_notice_shown_defaults_to_the_version_in_force_on_the_decision_date(
    record, maya, today, notice_2020
):
    installed = PrivacyNoticeVersion.objects.get(version=1)
    assert record(maya, purpose="service").notice_version == installed
    earlier = record(maya, purpose="record", decided_on=datetime.date(2025, 6, 1))
    assert earlier.notice_version == notice_2020


def test_a_draft_notice_cannot_have_been_shown(record, maya):
    draft = PrivacyNoticeVersionFactory(draft=True)
    errors = _refusal(lambda: record(maya, notice_version=draft))
    assert "is a draft" in errors["notice_version"]


def test_a_notice_that_took_effect_after_the_decision_cannot_have_been_shown(record, maya, today):
    later = PrivacyNoticeVersionFactory(effective_from=today)
    errors = _refusal(lambda: record(maya, notice_version=later, decided_on=today - timedelta(days=1)))
    assert "took effect on" in errors["notice_version"]


def test_a_decision_needs_a_notice_in_force(record, maya):
    errors = _refusal(lambda: record(maya, decided_on=datetime.date(2019, 6, 1)))
    assert "No privacy notice was in force on 1 June 2019" in errors["notice_version"]


def test_the_review_date_must_follow_the_decision(record, maya, today):
    errors = _refusal(lambda: record(maya, review_on=today))
    assert errors == {"review_on": "The review date must be after the date of the decision."}


def test_unknown_and_retired_purposes_are_refused(record, maya, today):
    assert "is not a consent purpose" in _refusal(lambda: record(maya, purpose="partner:plumber"))["purpose"]
    ConsentPurpose.objects.filter(code="partner:college").update(retired_on=today)
    assert "no longer used" in _refusal(lambda: record(maya, purpose="partner:college"))["purpose"]


def test_every_problem_is_reported_at_once_keyed_by_field(record, maya, today):
    errors = _refusal(
        lambda: record(
            maya, purpose="partner:nobody", capacity="guardian", decided_on=today + timedelta(days=2)
        )
    )
    assert set(errors) == {"purpose", "capacity", "decided_on"}
    assert errors["capacity"].startswith("Choose one of:")


def test_evidence_is_stored_under_a_name_that_reveals_nobody(record, maya, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    form = SimpleUploadedFile(
        "Maya Reid consent form.pdf", b"%PDF-1.4 signed", content_type="application/pdf"
    )
    decided = record(maya, evidence=form)
    assert decided.evidence.name.startswith("consent/evidence/")
    assert decided.evidence.name.endswith(".pdf")
    assert "Maya" not in decided.evidence.name
    assert decided.evidence.storage.exists(decided.evidence.name)


def test_evidence_of_an_unexpected_kind_is_refused(record, maya, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    errors = _refusal(lambda: record(maya, evidence=SimpleUploadedFile("form.exe", b"MZ")))
    assert "evidence" in errors


def test_recording_writes_the_access_log_and_history(record, maya, caseworker, family):
    decided = record(maya, note="Signed at the first visit")
    entry = AccessLogEntry.objects.get(record_type="consent.consentrecord", record_id=str(decided.pk))
    assert (entry.user, entry.action, entry.family_id, entry.person_id) == (
        caseworker,
        AccessLogEntry.Action.CHANGE,
        family.pk,
        maya.pk,
    )
    assert decided.history.count() == 1
    assert (decided.recorded_by, decided.note) == (caseworker, "Signed at the first visit")


def test_a_refused_request_writes_nothing(record, maya, today):
    with pytest.raises(ValidationError):
        record(maya, decided_on=today + timedelta(days=1))
    assert not ConsentRecord.objects.exists()
    assert not AccessLogEntry.objects.exists()
