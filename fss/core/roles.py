"""The six staff roles of SPEC §1 and the model permissions each holds.

Roles are Django groups. This table is the single statement of what each role
may do at model level; object-level access to a family (team, allocation,
break-glass) comes on top of it through django-guardian. The data migration
core.0002 creates the groups, and `sync_role_permissions` re-applies the table
after every `migrate`, so a permission added by a later app reaches its roles.
Deny by default: a role holds exactly the permissions listed here.
"""

from django.apps import apps as global_apps

CASEWORKER = "Caseworker"
TEAM_MANAGER = "Team manager"
DPO = "Data Protection Officer"
RECORDS_OFFICER = "Records officer"
PERFORMANCE_ANALYST = "Performance analyst"
SYSTEM_ADMINISTRATOR = "System administrator"

ALL_ROLES = [
    CASEWORKER,
    TEAM_MANAGER,
    DPO,
    RECORDS_OFFICER,
    PERFORMANCE_ANALYST,
    SYSTEM_ADMINISTRATOR,
]

_CASE_MODELS = [
    "family",
    "familyaddress",
    "person",
    "membership",
    "case",
    "referral",
    "caseevent",
    "casenote",
    # The national programme's part of a case (cases.models.programme).
    "assessment",
    "assessmentneed",
    "plan",
    "planaction",
    "review",
    "outcome",
    "approvalevent",
]
# The DPO's registers of requests (SPEC §8); no one deletes them (retention does).
_SAR_MODELS = [
    "subjectaccessrequest",
    "requestpause",
    "rightsrequest",
    "foirequest",
    "complaint",
    "complaintupdate",
]


def _crud(app_label: str, models: list[str], actions=("view", "add", "change")) -> list[str]:
    return [f"{app_label}.{action}_{model}" for model in models for action in actions]


# What caseworkers and managers record with families (SPEC §5); append-only, so no change.
_CONSENT_WORK = [
    "consent.view_consentrecord",
    "consent.add_consentrecord",
    "consent.view_educationoptout",
    "consent.add_educationoptout",
    "consent.view_consentpurpose",
    "consent.view_privacynoticeversion",
]

# Sharing (SPEC §6): workers read the partner registers and record decisions, referrals and
# the telling of recipients; decisions are immutable, so no change. Managers also approve.
_SHARING_REGISTERS = [
    "organisation",
    "organisationcategory",
    "datacategory",
    "sharingpurpose",
    "datasharingagreement",
    "agreementparty",
    "agreementdatacategory",
]
_SHARING_WORK = [
    *[f"sharing.view_{model}" for model in _SHARING_REGISTERS],
    "sharing.view_disclosure",
    "sharing.add_disclosure",
    "sharing.view_disclosureapproval",
    "sharing.view_dporeview",
    "sharing.view_disclosureflag",
    "sharing.view_recipientnotificationtask",
    "sharing.change_recipientnotificationtask",
    "sharing.view_partnerreferral",
    "sharing.add_partnerreferral",
    "sharing.view_partnerreferralevent",
    "sharing.add_partnerreferralevent",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Day-to-day work on the families their team holds. No deletion: records
    # leave only through the retention sweep (SPEC §7).
    CASEWORKER: [
        *_crud("cases", _CASE_MODELS),
        "cases.view_special_category",
        *_CONSENT_WORK,
        *_SHARING_WORK,
        "core.view_team",
    ],
    TEAM_MANAGER: [
        *_crud("cases", _CASE_MODELS),
        "cases.view_special_category",
        "cases.allocate_family",
        *_CONSENT_WORK,
        *_SHARING_WORK,
        "sharing.add_disclosureapproval",  # safeguarding shares and over-ruled wishes (SPEC §6.2)
        "core.view_team",
    ],
    # The DPO reads everything (every read is access-logged) and keeps the registers.
    DPO: [
        *_crud("cases", _CASE_MODELS, actions=("view",)),
        "cases.view_special_category",
        "cases.view_breakglassaccess",
        "cases.change_breakglassaccess",  # records the review of break-glass use
        *_crud("sar", _SAR_MODELS),
        "retention.view_retentionpolicy",
        "retention.add_retentionpolicy",
        # Holds and the stop switch are placed and released (never deleted); the notice list,
        # sweep runs and the destruction register are read only (SPEC §7).
        *_crud("retention", ["legalhold", "destructionsuspension"]),
        "retention.view_destructionnotice",
        "retention.view_sweeprun",
        "retention.view_destructionrecord",
        # Consent is read-only to the DPO; privacy notice versions are the DPO's to draft and publish.
        "consent.view_consentrecord",
        "consent.view_educationoptout",
        "consent.view_consentpurpose",
        "consent.change_consentpurpose",
        *_crud(
            "consent",
            ["privacynoticeversion", "privacynoticesection"],
            actions=("view", "add", "change", "delete"),
        ),
        # The partner and agreement registers are the DPO's (SPEC §6.1); disclosures are read
        # only, and the DPO reviews safeguarding shares and sees recipients told.
        *_crud("sharing", _SHARING_REGISTERS),
        "sharing.delete_agreementparty",
        "sharing.delete_agreementdatacategory",
        "sharing.view_disclosure",
        "sharing.view_disclosureapproval",
        "sharing.view_dporeview",
        "sharing.add_dporeview",
        "sharing.view_disclosureflag",
        "sharing.view_recipientnotificationtask",
        "sharing.change_recipientnotificationtask",
        "sharing.view_partnerreferral",
        "sharing.view_partnerreferralevent",
        "core.view_accesslogentry",
        "core.review_break_glass",
        "core.view_jobheartbeat",
        "core.view_user",
        "core.view_team",
        "core.view_teammembership",
    ],
    # Confirms destruction of paper files; gains the paper-destruction
    # permissions when the retention app provides them.
    RECORDS_OFFICER: [
        # Which families were destroyed (no personal data), to match paper files to shred.
        "retention.view_destructionrecord",
    ],
    # Group-level statistics only, never an identifiable record (SPEC §6.4).
    PERFORMANCE_ANALYST: [],
    # Users, teams and role membership; no access to family records.
    SYSTEM_ADMINISTRATOR: [
        *_crud("core", ["user", "team", "teammembership"]),
        "auth.view_group",
    ],
}

# Roles that may use the Django admin site (the DPO console and user administration).
ADMIN_SITE_ROLES = {DPO, SYSTEM_ADMINISTRATOR}


def sync_roles(apps=global_apps) -> None:
    """Create the role groups and give each exactly the permissions in ROLE_PERMISSIONS.

    Permissions whose model does not exist yet are skipped; they are added by the
    next run after their app migrates.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    by_name = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.filter(
            content_type__app_label__in={p.split(".")[0] for p in wanted}
        ).values_list("pk", "content_type__app_label", "codename")
    }
    for role in ALL_ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([by_name[p] for p in ROLE_PERMISSIONS[role] if p in by_name])


def sync_role_permissions(sender, apps=global_apps, using="default", **kwargs) -> None:
    """post_migrate receiver: keep the role groups in step with ROLE_PERMISSIONS."""
    try:
        apps.get_model("auth", "Group")
    except LookupError:
        return  # migrating to a state before the roles exist
    sync_roles(apps)
