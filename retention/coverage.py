"""How the retention rule reaches every model in the project (SPEC §7 "Coverage").

Every installed model is declared here as one of:

- **destroyed with the family** — and by which path: `via` names the fields
  (foreign keys, or plain id columns) that point at a family, a person, or a
  row that is itself destroyed with the family. A row goes when any of them
  points at something destroyed;
- **holds no personal data**;
- **has its own policy** — a `RetentionPolicy.RecordKind`, destroyed by its own job;
- **about staff** — staff are deactivated, never deleted (deleting a user blanks
  the authorship of change history); the council's HR retention applies.

History models (django-simple-history) and auto-created many-to-many tables
follow the model that owns them, so adding a model means adding one line to
DECLARATIONS. `tests/retention/test_coverage.py` enumerates every installed
model and fails, naming it, when one is not declared. The sweep
(`retention.destruction`) and, later, SAR compilation read these declarations.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from django.apps import apps
from django.db import models

from retention.models.policies import RetentionPolicy

FAMILY = "cases.Family"
PERSON = "cases.Person"

Kind = RetentionPolicy.RecordKind


class Rule(StrEnum):
    FAMILY = "destroyed with the family"
    NO_PERSONAL_DATA = "holds no personal data"
    OWN_POLICY = "has its own retention policy"
    STAFF = "about staff: deactivated, never deleted"


@dataclass(frozen=True)
class GenericReference:
    """A reference to any row by (content type, object id) or ("app_label.model", object id)."""

    type_field: str
    id_field: str
    # True when type_field holds "app_label.model" text rather than a ContentType key.
    by_label: bool = False


@dataclass(frozen=True)
class Declaration:
    rule: Rule
    # field name -> label of the model it points at ("cases.Family", "cases.Person", "cases.Case", ...)
    via: Mapping[str, str] = field(default_factory=dict)
    generic: tuple[GenericReference, ...] = ()
    record_kind: str = ""
    # Whether a live row of this model in a retained family keeps a person who is
    # also in a destroyed family (a membership does; an access-log line does not).
    keeps_people: bool = True
    why: str = ""
    # Set on declarations derived for history and many-to-many tables.
    derived_from: str = ""


def with_family(*, keeps_people: bool = True, generic=(), why: str = "", **via: str) -> Declaration:
    return Declaration(Rule.FAMILY, via=via, generic=tuple(generic), keeps_people=keeps_people, why=why)


def no_personal_data(why: str) -> Declaration:
    return Declaration(Rule.NO_PERSONAL_DATA, why=why)


def own_policy(record_kind: str, why: str) -> Declaration:
    return Declaration(Rule.OWN_POLICY, record_kind=record_kind, why=why)


def about_staff(why: str) -> Declaration:
    return Declaration(Rule.STAFF, why=why)


ROOT = Declaration(Rule.FAMILY, why="the root of the family's records")

DECLARATIONS: dict[str, Declaration] = {
    # --- Django and third-party apps
    "admin.LogEntry": with_family(
        generic=[GenericReference("content_type", "object_id")],
        keeps_people=False,
        why="its object_repr and change message name the record changed in the console",
    ),
    "auth.Permission": no_personal_data("permission definitions"),
    "auth.Group": no_personal_data("role and team group names"),
    "contenttypes.ContentType": no_personal_data("model names"),
    "sessions.Session": about_staff("signed-in staff sessions, cleared nightly"),
    "guardian.UserObjectPermission": with_family(
        generic=[GenericReference("content_type", "object_pk")],
        keeps_people=False,
        why="generic object grants; Family uses the direct tables, anything else granted lands here",
    ),
    "guardian.GroupObjectPermission": with_family(
        generic=[GenericReference("content_type", "object_pk")],
        keeps_people=False,
        why="generic object grants",
    ),
    # --- Two-factor authentication and sign-in lockout (staff only)
    "otp_totp.TOTPDevice": about_staff("staff authenticator apps"),
    "otp_static.StaticDevice": about_staff("staff recovery codes"),
    "otp_static.StaticToken": about_staff("staff recovery codes"),
    "axes.AccessAttempt": about_staff("failed sign-ins by username and address"),
    "axes.AccessAttemptExpiration": about_staff("when a failed sign-in stops counting"),
    "axes.AccessFailureLog": about_staff("failed sign-ins by username and address"),
    "axes.AccessLog": about_staff("staff sign-ins and sign-outs"),
    # --- fss.core
    "core.User": about_staff("staff accounts"),
    "core.Team": no_personal_data("team names"),
    "core.TeamMembership": about_staff("who is in which team"),
    "core.AccessLogEntry": with_family(
        family_id=FAMILY,
        person_id=PERSON,
        generic=[GenericReference("record_type", "record_id", by_label=True)],
        keeps_people=False,
        why="audit lines that name a person are personal data (domain-rules §8); "
        "the 2-year access-log policy also applies",
    ),
    "core.JobHeartbeat": no_personal_data("when scheduled jobs ran"),
    # --- console (the DPO console's access reviews: staff accounts only)
    "console.AccessReview": about_staff("who reviewed staff access, when, and their notes"),
    "console.AccessReviewDecision": about_staff(
        "a staff account's roles, teams and last sign-in at a review"
    ),
    # --- cases
    FAMILY: ROOT,
    PERSON: Declaration(
        Rule.FAMILY, why="destroyed when no retained family still holds them; their membership goes"
    ),
    "cases.FamilyAddress": with_family(family=FAMILY),
    "cases.Membership": with_family(family=FAMILY, person=PERSON),
    "cases.FamilyUserObjectPermission": with_family(content_object=FAMILY, keeps_people=False),
    "cases.FamilyGroupObjectPermission": with_family(content_object=FAMILY, keeps_people=False),
    "cases.Referral": with_family(family=FAMILY),
    "cases.Case": with_family(family=FAMILY),
    "cases.CaseEvent": with_family(case="cases.Case"),
    "cases.ClosureRequest": with_family(case="cases.Case"),
    "cases.CaseNote": with_family(case="cases.Case"),
    "cases.BreakGlassAccess": with_family(family=FAMILY, keeps_people=False),
    "cases.Document": with_family(family=FAMILY, person=PERSON, case="cases.Case"),
    "cases.PaperRecord": with_family(family=FAMILY),
    # cases: the national programme's records (cases/models/programme.py)
    "cases.ProgrammeFramework": no_personal_data("the programme's criteria, loaded as data"),
    "cases.HeadlineOutcome": no_personal_data("the programme's headline outcomes"),
    "cases.TeamApprovalSetting": no_personal_data("a team's approval setting"),
    "cases.Assessment": with_family(case="cases.Case"),
    "cases.AssessmentNeed": with_family(assessment="cases.Assessment"),
    "cases.Plan": with_family(case="cases.Case"),
    "cases.PlanAction": with_family(plan="cases.Plan"),
    "cases.Review": with_family(case="cases.Case"),
    "cases.Outcome": with_family(case="cases.Case"),
    "cases.ApprovalEvent": with_family(assessment="cases.Assessment", plan="cases.Plan"),
    # cases: external data (cases/models/external.py, SPEC §4.5) and person merges
    "cases.ExternalDataRecord": with_family(family=FAMILY, person=PERSON),
    "cases.ExternalDataImport": no_personal_data(
        "who imported which kind of data when, checksum and counts; the uploaded file and the "
        "row preview are deleted at commit, cancel or failure, and abandoned drafts after "
        "cases.imports.ABANDONED_AFTER (purge_abandoned_imports)"
    ),
    "cases.PersonMerge": with_family(
        kept_person=PERSON,
        merged_person_id=PERSON,
        keeps_people=False,
        why="which record was merged into which, and what moved (counts only)",
    ),
    # --- consent
    "consent.ConsentPurpose": no_personal_data("the purposes registry"),
    "consent.PrivacyNoticeVersion": no_personal_data("published notice texts"),
    "consent.PrivacyNoticeSection": no_personal_data("published notice texts"),
    "consent.ConsentRecord": with_family(family=FAMILY, person=PERSON, decided_by=PERSON),
    "consent.EducationOptOut": with_family(person=PERSON),
    # --- sharing
    "sharing.OrganisationCategory": no_personal_data("kinds of partner"),
    "sharing.DataCategory": no_personal_data("kinds of information"),
    "sharing.SharingPurpose": no_personal_data("purposes of sharing"),
    "sharing.Organisation": no_personal_data(
        "partner organisations and their business contacts, not families"
    ),
    "sharing.DataSharingAgreement": no_personal_data("the register of agreements"),
    "sharing.AgreementParty": no_personal_data("the register of agreements"),
    "sharing.AgreementDataCategory": no_personal_data("the register of agreements"),
    "sharing.Disclosure": with_family(family=FAMILY, person=PERSON),
    "sharing.DisclosureApproval": with_family(disclosure="sharing.Disclosure"),
    "sharing.DpoReview": with_family(disclosure="sharing.Disclosure"),
    "sharing.DisclosureFlag": with_family(disclosure="sharing.Disclosure"),
    "sharing.RecipientNotificationTask": with_family(flag="sharing.DisclosureFlag"),
    "sharing.PartnerReferral": with_family(family=FAMILY),
    "sharing.PartnerReferralEvent": with_family(referral="sharing.PartnerReferral"),
    # sharing: participation of young people and returns (sharing/returns/models.py, SPEC §6.3)
    "sharing.ActivityCode": no_personal_data("the national activity codes, loaded as data"),
    "sharing.ActivityRecord": with_family(person=PERSON),
    "sharing.ContactAttempt": with_family(person=PERSON),
    "sharing.FollowUpTask": with_family(person=PERSON, activity="sharing.ActivityRecord"),
    "sharing.SeptemberGuaranteeOffer": with_family(person=PERSON),
    "sharing.ResearchProject": no_personal_data("research projects and their dates"),
    "sharing.SharingReminder": with_family(referral="sharing.PartnerReferral"),
    "sharing.ReturnRun": own_policy(
        Kind.ONS_TRANSFER_FILE,
        "the run's file: ONS files until ONS confirms destruction, other returns' files by the return_file "
        "policy (purge_expired_return_files); the row itself names no one",
    ),
    "sharing.TransferRecord": no_personal_data("checksum, row count, recipient, dates"),
    "sharing.DisclosureControlPolicy": no_personal_data("suppression and rounding thresholds"),
    # --- retention
    "retention.RetentionPolicy": no_personal_data("retention periods"),
    "retention.LegalHold": with_family(family=FAMILY, person=PERSON, keeps_people=False),
    "retention.DestructionSuspension": no_personal_data("the stop switch and its reason"),
    "retention.DestructionNotice": with_family(family=FAMILY, keeps_people=False),
    "retention.SweepRun": no_personal_data("counts and outcomes of each sweep"),
    "retention.DestructionRecord": no_personal_data("the register: a keyed hash, dates and counts only"),
    "retention.PaperDestructionTask": no_personal_data("a store location and box number, no names"),
    # --- sar: the DPO's request files, under their own policies (domain-rules §8)
    "sar.SubjectAccessRequest": own_policy(Kind.SAR_CASE_FILE, "2 years after the request closed"),
    "sar.RequestPause": own_policy(Kind.SAR_CASE_FILE, "part of the request file"),
    "sar.RightsRequest": own_policy(Kind.SAR_CASE_FILE, "rights requests are filed with subject access"),
    "sar.FOIRequest": own_policy(Kind.FOI_FILE, "3 years after the response"),
    "sar.Complaint": own_policy(Kind.SAR_CASE_FILE, "data-protection complaints are filed with requests"),
    "sar.ComplaintUpdate": own_policy(Kind.SAR_CASE_FILE, "part of the complaint file"),
    "sar.SarCompilation": own_policy(Kind.SAR_CASE_FILE, "the SAR working copy, part of the request file"),
    "sar.SarItem": own_policy(Kind.SAR_CASE_FILE, "the SAR working copy of one record"),
    "sar.Redaction": own_policy(Kind.SAR_CASE_FILE, "the redaction log, part of the request file"),
    "sar.RedactionDecision": own_policy(Kind.SAR_CASE_FILE, "the redaction log, part of the request file"),
    "sar.SarSignOff": own_policy(Kind.SAR_CASE_FILE, "the reviewer's sign-off, part of the request file"),
    "sar.SarSearchTask": own_policy(Kind.SAR_CASE_FILE, "manual searches, part of the request file"),
    "sar.SarPackage": own_policy(Kind.SAR_PACKAGE, "files purged 30 days after the package is made"),
    "sar.DeadlineReminder": no_personal_data("a request's random reference, its deadline and the officer"),
}


class UndeclaredModelError(LookupError):
    """A model the retention rule does not know how to reach."""


def label(model) -> str:
    return model._meta.label


def history_of(model) -> type[models.Model] | None:
    """For a django-simple-history model: the model (or many-to-many table) whose history it keeps."""
    tracked = getattr(model, "instance_type", None)
    names = {f.name for f in model._meta.fields}
    if tracked is not None and names & {"history_id", "m2m_history_id"}:
        return tracked
    return None


def declaration_for(model) -> Declaration:
    """The declaration for `model`: its own line, or the line of the model that owns it.

    Raises UndeclaredModelError naming the model when there is none.
    """
    name = label(model)
    if name in DECLARATIONS:
        return DECLARATIONS[name]
    tracked = history_of(model)
    if tracked is not None:
        owner = declaration_for(tracked)
        return Declaration(
            owner.rule,
            via=owner.via,
            record_kind=owner.record_kind,
            keeps_people=False,
            why=f"change history of {label(tracked)}",
            derived_from=label(tracked),
        )
    if model._meta.auto_created:
        owner_model = model._meta.auto_created
        owner = declaration_for(owner_model)
        via = {}
        if owner.rule == Rule.FAMILY:
            via = {
                f.name: label(f.related_model)
                for f in model._meta.fields
                if f.is_relation and _is_destroyed_with_family(f.related_model)
            }
        return Declaration(
            owner.rule,
            via=via,
            record_kind=owner.record_kind,
            keeps_people=owner.keeps_people,
            why=f"many-to-many table of {label(owner_model)}",
            derived_from=label(owner_model),
        )
    raise UndeclaredModelError(
        f"{name} is not declared in retention/coverage.py: say whether it is destroyed with the family "
        "(and by which fields), holds no personal data, has its own retention policy, or is about staff."
    )


def _is_destroyed_with_family(model) -> bool:
    try:
        return declaration_for(model).rule == Rule.FAMILY
    except UndeclaredModelError:
        return False


def all_models() -> list[type[models.Model]]:
    """Every installed model: history models and auto-created many-to-many tables included."""
    return list(apps.get_models(include_auto_created=True))


def undeclared_models() -> list[str]:
    missing = []
    for model in all_models():
        try:
            declaration_for(model)
        except UndeclaredModelError:
            missing.append(label(model))
    return missing
