"""factory-boy factories for sharing: one per model, synthetic data only.

They write rows directly, skipping the rules in `sharing.services`: tests of
those rules call the services; other tests use these to set the scene. The
registries (categories, purposes) are loaded by migration, so their factories
return the existing row for a known code.
"""

import datetime
import uuid

import factory
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from factory.django import DjangoModelFactory

from cases.factories import FamilyFactory, PersonFactory
from fss.core.factories import UserFactory
from sharing.models import (
    AgreementDataCategory,
    AgreementParty,
    DataCategory,
    DataSharingAgreement,
    Disclosure,
    DisclosureApproval,
    DisclosureFlag,
    DpoReview,
    LawfulBasis,
    Organisation,
    OrganisationCategory,
    PartnerReferral,
    PartnerReferralEvent,
    RecipientNotificationTask,
    SharingPurpose,
    SharingReminder,
    SpecialCondition,
    TransferMethod,
)


def _today() -> datetime.date:
    return timezone.localdate()


class OrganisationCategoryFactory(DjangoModelFactory):
    class Meta:
        model = OrganisationCategory
        django_get_or_create = ["code"]

    code = "police"
    label = factory.LazyAttribute(lambda o: o.code.replace("_", " ").capitalize())


class DataCategoryFactory(DjangoModelFactory):
    class Meta:
        model = DataCategory
        django_get_or_create = ["code"]

    code = "identity"
    label = factory.LazyAttribute(lambda o: o.code.replace("_", " ").capitalize())


class SharingPurposeFactory(DjangoModelFactory):
    class Meta:
        model = SharingPurpose
        django_get_or_create = ["code"]

    code = "early_help"
    label = factory.LazyAttribute(lambda o: o.code.replace("_", " ").capitalize())


class OrganisationFactory(DjangoModelFactory):
    """A police force by default; `category__code="school"` for another kind of partner."""

    class Meta:
        model = Organisation
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Partner organisation {n}")
    category = factory.SubFactory(OrganisationCategoryFactory)
    contact_name = "Single Point of Contact"
    contact_email = factory.Sequence(lambda n: f"spoc{n}@partner.example.org")
    secure_transfer_method = TransferMethod.SECURE_EMAIL


class DataSharingAgreementFactory(DjangoModelFactory):
    """An agreement in force today with `organisation`, relying on public task, for early help.

    `purposes=["early_help", …]` and `categories=["identity", ("health_send", "sch1_para2"), …]`
    set what it covers; `signed=False` leaves the partner's signature off.
    """

    class Meta:
        model = DataSharingAgreement
        skip_postgeneration_save = True

    class Params:
        organisation = factory.SubFactory(OrganisationFactory)
        signed = True

    title = factory.Sequence(lambda n: f"Early help information sharing agreement {n}")
    purpose_and_benefits = "Co-ordinated early help for families with several needs."
    lawful_basis = LawfulBasis.PUBLIC_TASK
    legal_power = "Children Act 2004 s.10 (co-operation to improve well-being)."
    transfer_method = TransferMethod.SECURE_EMAIL
    contacts = "Council: Data Protection Officer. Partner: information governance lead."
    rights_and_complaints = "Each party answers requests for the data it holds and tells the other."
    data_quality = "Corrections are sent to every recipient within five working days."
    recipient_retention = "Kept for the life of the partner's involvement, then securely destroyed."
    security = "Secure email only; stored on access-controlled systems."
    breach_handling = "Reported to the other party within 24 hours."
    termination = "Either party on three months' notice; shared data destroyed on termination."
    start_date = factory.LazyFunction(lambda: _today() - relativedelta(years=1))
    review_date = factory.LazyFunction(lambda: _today() + relativedelta(years=1))
    council_signed_by = "Director of Children's Services"
    council_signed_on = factory.LazyAttribute(lambda o: o.start_date)

    party = factory.RelatedFactory(
        "sharing.factories.AgreementPartyFactory",
        factory_related_name="agreement",
        organisation=factory.SelfAttribute("..organisation"),
        signatory_name=factory.Maybe(factory.SelfAttribute("..signed"), "Partner signatory", ""),
        signed_on=factory.Maybe(
            factory.SelfAttribute("..signed"), factory.SelfAttribute("agreement.start_date"), None
        ),
    )

    @factory.post_generation
    def purposes(self, create, extracted, **kwargs):
        if create:
            codes = extracted if extracted is not None else ["early_help"]
            self.purposes.set(SharingPurpose.objects.filter(code__in=codes))

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if not create:
            return
        entries = extracted if extracted is not None else ["identity", "address", "family_circumstances"]
        for entry in entries:
            code, condition = entry if isinstance(entry, tuple) else (entry, "")
            AgreementDataCategory.objects.create(
                agreement=self, category=DataCategory.objects.get(code=code), condition=condition
            )


class AgreementPartyFactory(DjangoModelFactory):
    class Meta:
        model = AgreementParty

    agreement = factory.SubFactory(DataSharingAgreementFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    signatory_name = "Partner signatory"
    signed_on = factory.LazyAttribute(lambda o: o.agreement.start_date)


class AgreementDataCategoryFactory(DjangoModelFactory):
    class Meta:
        model = AgreementDataCategory

    agreement = factory.SubFactory(DataSharingAgreementFactory)
    category = factory.LazyFunction(lambda: DataCategory.objects.get(code="health_send"))
    condition = SpecialCondition.HEALTH_SOCIAL_CARE


def _check_result(o) -> dict:
    return {
        "on": o.decided_on.isoformat(),
        "recipient_id": o.organisation.pk,
        "recipient_name": str(o.organisation),
        "recipient_category": o.organisation.category_id and o.organisation.category.code,
        "purpose": o.purpose.code,
        "purpose_label": o.purpose.label,
        "categories": list(o.categories_shared),
        "category_labels": {code: code for code in o.categories_shared},
        "agreement_id": None,
        "agreement_reference": "",
        "basis": o.basis,
        "is_safeguarding": False,
        "immediate_risk": False,
        "without_agreement": False,
        "conditions": [],
        "people": [],
        "legal_power": "",
        "conditions_by_category": {},
    }


class DisclosureFactory(DjangoModelFactory):
    """A share of name and address about a family member with a police force, under public task."""

    class Meta:
        model = Disclosure

    decision_id = factory.LazyFunction(uuid.uuid4)
    family = factory.SubFactory(FamilyFactory)
    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    decision = Disclosure.Decision.SHARED
    decided_on = factory.LazyFunction(_today)
    purpose = factory.LazyFunction(lambda: SharingPurpose.objects.get(code="early_help"))
    categories_shared = factory.LazyFunction(lambda: ["identity", "address"])
    basis = LawfulBasis.PUBLIC_TASK
    family_told = True
    decided_by = factory.SubFactory(UserFactory)
    transfer_method = TransferMethod.SECURE_EMAIL
    check_result = factory.LazyAttribute(_check_result)
    check_summary = "Shared under public task."


class DisclosureApprovalFactory(DjangoModelFactory):
    class Meta:
        model = DisclosureApproval

    disclosure = factory.SubFactory(DisclosureFactory, needs_manager_approval=True, approval_timing="before")
    outcome = DisclosureApproval.Outcome.APPROVED
    decided_by = factory.SubFactory(UserFactory)


class DpoReviewFactory(DjangoModelFactory):
    class Meta:
        model = DpoReview

    disclosure = factory.SubFactory(DisclosureFactory, dpo_review_required=True)
    note = "Proportionate and necessary."
    reviewed_by = factory.SubFactory(UserFactory)


class DisclosureFlagFactory(DjangoModelFactory):
    class Meta:
        model = DisclosureFlag

    disclosure = factory.SubFactory(DisclosureFactory)
    reason = DisclosureFlag.Reason.CONSENT_WITHDRAWN
    on = factory.LazyFunction(_today)


class RecipientNotificationTaskFactory(DjangoModelFactory):
    class Meta:
        model = RecipientNotificationTask

    flag = factory.SubFactory(DisclosureFlagFactory)
    organisation = factory.LazyAttribute(lambda o: o.flag.disclosure.organisation)


class PartnerReferralFactory(DjangoModelFactory):
    """A referral sent `sent_on` (today by default), with its "sent" event."""

    class Meta:
        model = PartnerReferral
        skip_postgeneration_save = True

    family = factory.SubFactory(FamilyFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    decision_id = factory.LazyFunction(uuid.uuid4)
    service_requested = "Parenting support programme"
    reason = "The family asked for help with routines."
    sent_on = factory.LazyFunction(_today)
    sent_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def sent_event(self, create, extracted, **kwargs):
        if create and extracted is not False:
            PartnerReferralEvent.objects.create(
                referral=self,
                status=PartnerReferralEvent.Status.SENT,
                on=self.sent_on,
                recorded_by=self.sent_by,
            )


class PartnerReferralEventFactory(DjangoModelFactory):
    class Meta:
        model = PartnerReferralEvent

    referral = factory.SubFactory(PartnerReferralFactory)
    status = PartnerReferralEvent.Status.ACKNOWLEDGED
    on = factory.LazyAttribute(lambda o: o.referral.sent_on)
    recorded_by = factory.SubFactory(UserFactory)


class SharingReminderFactory(DjangoModelFactory):
    """A reminder that a partner has not answered a referral (for the worker who sent it)."""

    class Meta:
        model = SharingReminder

    kind = SharingReminder.Kind.REFERRAL_NO_RESPONSE
    referral = factory.SubFactory(PartnerReferralFactory)
    due_on = factory.LazyFunction(_today)
    message = "A partner has not answered a referral."
    assigned_to = factory.LazyAttribute(lambda o: o.referral.sent_by if o.referral else None)
    created_on = factory.LazyFunction(_today)
