"""Models of the sharing app, one module per area; import them from here (SPEC §6.1, §6.2).

- `registries`: the data categories, sharing purposes and partner categories
  that agreements and the check name by code (data loaded by migration);
- `partners`: organisations and data sharing agreements;
- `disclosures`: the immutable record of every decision to share or not, its
  manager approval and DPO review, and the flags and recipient tasks raised
  when consent is withdrawn, a restriction placed or data rectified;
- `referrals`: outbound referrals to partners and their responses;
- `reminders`: agreements due for review or ending, referrals not answered;
- `sharing.returns.models`: statutory and research returns and the
  participation of young people (SPEC §6.3);
- `sharing.statistics.models`: the disclosure-control policy (SPEC §6.4).
"""

from sharing.models.choices import LawfulBasis, SpecialCondition, TransferMethod
from sharing.models.disclosures import (
    Disclosure,
    DisclosureApproval,
    DisclosureFlag,
    DpoReview,
    ImmutableRecordError,
    RecipientNotificationTask,
)
from sharing.models.partners import (
    AgreementDataCategory,
    AgreementParty,
    DataSharingAgreement,
    Organisation,
)
from sharing.models.referrals import PartnerReferral, PartnerReferralEvent
from sharing.models.registries import DataCategory, OrganisationCategory, SharingPurpose
from sharing.models.reminders import SharingReminder
from sharing.returns.models import (
    ActivityCode,
    ActivityRecord,
    ContactAttempt,
    FollowUpTask,
    ResearchProject,
    ReturnRun,
    SeptemberGuaranteeOffer,
    TransferRecord,
)
from sharing.statistics.models import DisclosureControlPolicy

__all__ = [
    "ActivityCode",
    "ActivityRecord",
    "ContactAttempt",
    "DisclosureControlPolicy",
    "FollowUpTask",
    "ResearchProject",
    "ReturnRun",
    "SeptemberGuaranteeOffer",
    "TransferRecord",
    "AgreementDataCategory",
    "AgreementParty",
    "DataCategory",
    "DataSharingAgreement",
    "Disclosure",
    "DisclosureApproval",
    "DisclosureFlag",
    "DpoReview",
    "ImmutableRecordError",
    "LawfulBasis",
    "Organisation",
    "OrganisationCategory",
    "PartnerReferral",
    "PartnerReferralEvent",
    "RecipientNotificationTask",
    "SharingPurpose",
    "SharingReminder",
    "SpecialCondition",
    "TransferMethod",
]
