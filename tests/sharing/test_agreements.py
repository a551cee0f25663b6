"""Organisations and data sharing agreements: in force when signed by all, started, not ended, not
revoked; every element of domain-rules §5 required; reminders before review and end (SPEC §6.1)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from sharing.factories import AgreementPartyFactory, DataSharingAgreementFactory, OrganisationFactory
from sharing.models import AgreementDataCategory, DataCategory, DataSharingAgreement, OrganisationCategory
from sharing.selectors import agreements_due

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
Status = DataSharingAgreement.Status


def test_the_registries_hold_the_issues_categories():
    assert set(OrganisationCategory.objects.values_list("code", flat=True)) == {
        "police", "gp", "camhs", "hospital", "early_years", "school", "college", "social_care",
        "housing", "health", "government_department", "ons", "programme_department",
    }  # fmt: skip
    assert OrganisationCategory.objects.get(code="police").consent_purpose_id == "partner:police"
    assert OrganisationCategory.objects.get(code="ons").consent_purpose_id == "programme"
    kinds = dict(DataCategory.objects.values_list("code", "kind"))
    assert (kinds["health_send"], kinds["ethnicity_religion"], kinds["offending"]) == (
        "special",
        "special",
        "criminal",
    )
    assert set(
        DataCategory.objects.filter(allowed_under_education_opt_out=True).values_list("code", flat=True)
    ) == {
        "identity",
        "address",
    }


@pytest.mark.parametrize(
    ("changes", "in_force", "status"),
    [
        ({}, True, Status.IN_FORCE),
        ({"signed": False}, False, Status.DRAFT),
        ({"council_signed_on": None, "council_signed_by": ""}, False, Status.DRAFT),
        ({"start_date": "tomorrow", "council_signed_on": "today"}, False, Status.SIGNED),
        ({"end_date": "yesterday"}, False, Status.ENDED),
        ({"end_date": "today"}, True, Status.IN_FORCE),  # the end date is its last day
        ({"revoked_on": "today", "revocation_reason": "Breach"}, False, Status.REVOKED),
        ({"revoked_on": "tomorrow", "revocation_reason": "Ending early"}, True, Status.IN_FORCE),
    ],
)
def test_in_force_from_dates_signatures_and_revocation(police, today, changes, in_force, status):
    days = {"today": today, "tomorrow": today + DAY, "yesterday": today - DAY}
    changes = {k: days.get(v, v) if isinstance(v, str) else v for k, v in changes.items()}
    agreement = DataSharingAgreementFactory(organisation=police, **changes)
    assert agreement.in_force(today) is in_force
    assert agreement.status_on(today) == status
    assert DataSharingAgreement.objects.in_force_on(today).filter(pk=agreement.pk).exists() is in_force


def test_every_party_must_sign(police, school, today):
    agreement = DataSharingAgreementFactory(organisation=police)
    AgreementPartyFactory(agreement=agreement, organisation=school, signed_on=None, signatory_name="")
    assert not agreement.in_force(today)
    assert "Oakfield Academy had not signed it" in agreement.not_in_force_reasons(today)
    assert not DataSharingAgreement.objects.in_force_on(today).exists()


def test_a_signature_counts_from_its_date(police, today):
    agreement = DataSharingAgreementFactory(organisation=police, start_date=today - 10 * DAY)
    party = agreement.parties.get()
    AgreementPartyFactory._meta.model.objects.filter(pk=party.pk).update(signed_on=today - 2 * DAY)
    assert not agreement.in_force(today - 3 * DAY)
    assert agreement.in_force(today - 2 * DAY)


@pytest.mark.parametrize(
    ("category", "condition", "message"),
    [
        ("health_send", "", "choose its Art 9 condition"),
        ("offending", "", "choose its Art 10 condition"),
        ("ethnicity_religion", "sch1_para8", "aggregate statistics only"),
        ("address", "sch1_para2", "is not special category or criminal offence data"),
    ],
)
def test_special_and_criminal_categories_need_their_condition(police, category, condition, message):
    agreement = DataSharingAgreementFactory(organisation=police)
    entry = AgreementDataCategory(
        agreement=agreement, category=DataCategory.objects.get(code=category), condition=condition
    )
    with pytest.raises(ValidationError) as error:
        entry.full_clean()
    assert message in error.value.message_dict["condition"][0]


def test_every_element_of_a_data_sharing_agreement_is_required(police):
    agreement = DataSharingAgreement()
    with pytest.raises(ValidationError) as error:
        agreement.full_clean()
    required = {
        "title", "purpose_and_benefits", "lawful_basis", "legal_power", "transfer_method", "contacts",
        "rights_and_complaints", "data_quality", "recipient_retention", "security", "breach_handling",
        "termination", "start_date", "review_date",
    }  # fmt: skip
    assert required <= set(error.value.message_dict)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"revoked_on": "today"}, "revocation_reason", "Say why the agreement was revoked."),
        ({"end_date": "yesterday", "start_date": "today"}, "end_date", "on or after the start date"),
        ({"council_signed_by": ""}, "council_signed_by", "who signed for the council"),
    ],
)
def test_agreement_refusals(police, today, changes, field, message):
    days = {"today": today, "yesterday": today - DAY}
    agreement = DataSharingAgreementFactory.build(**{k: days.get(v, v) for k, v in changes.items()})
    with pytest.raises(ValidationError) as error:
        agreement.clean()
    assert message in error.value.message_dict[field][0]


def test_reminders_before_review_and_end(police, today):
    review_soon = DataSharingAgreementFactory(organisation=police, review_date=today + 10 * DAY)
    ending_soon = DataSharingAgreementFactory(
        organisation=police, review_date=today + 200 * DAY, end_date=today + 20 * DAY
    )
    overdue = DataSharingAgreementFactory(organisation=police, review_date=today - 5 * DAY)
    DataSharingAgreementFactory(organisation=police, review_date=today + 100 * DAY)  # not yet
    DataSharingAgreementFactory(
        organisation=police, review_date=today + 5 * DAY, revoked_on=today - DAY, revocation_reason="Replaced"
    )
    due = agreements_due(on=today, within_days=30)
    assert [(d.agreement, d.what, d.overdue) for d in due] == [
        (overdue, "review", True),
        (review_soon, "review", False),
        (ending_soon, "end", False),
    ]


def test_an_organisation_has_a_category_and_a_secure_transfer_method(db):
    organisation = OrganisationFactory(
        name="Riverside Surgery", category__code="gp", secure_transfer_method=""
    )
    with pytest.raises(ValidationError) as error:
        organisation.full_clean()
    assert "secure_transfer_method" in error.value.message_dict
