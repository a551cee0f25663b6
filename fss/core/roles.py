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
    "document",
    "paperrecord",
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
_SAR_WORK_MODELS = [
    "sarcompilation",
    "saritem",
    "redaction",
    "redactiondecision",
    "sarsignoff",
    "sarsearchtask",
    "sarpackage",
]


# External data from other services (SPEC §4.5): everyone who works with families reads it, and
# offending values (criminal offence data, Art 10) need their own permission. Imports and person
# merges are the team manager's (cases.imports, cases.merge).
_EXTERNAL_DATA_READ = ["cases.view_externaldatarecord", "cases.view_offence_data"]
_EXTERNAL_DATA_MANAGE = [
    "cases.import_external_data",
    "cases.view_externaldataimport",
    "cases.add_externaldataimport",
    "cases.add_externaldatarecord",
    "cases.merge_person",
    "cases.view_personmerge",
    "cases.add_personmerge",
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

# Participation of young people (domain-rules §7): workers record activities, contact attempts and
# September Guarantee offers (append-only) and close follow-up tasks for the families they hold.
_PARTICIPATION_WORK = [
    "sharing.view_activitycode",
    "sharing.view_activityrecord",
    "sharing.add_activityrecord",
    "sharing.view_contactattempt",
    "sharing.add_contactattempt",
    "sharing.view_septemberguaranteeoffer",
    "sharing.add_septemberguaranteeoffer",
    "sharing.view_followuptask",
    "sharing.change_followuptask",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Day-to-day work on the families their team holds. No deletion: records
    # leave only through the retention sweep (SPEC §7).
    CASEWORKER: [
        *_crud("cases", _CASE_MODELS),
        "cases.view_special_category",
        *_EXTERNAL_DATA_READ,
        *_CONSENT_WORK,
        *_SHARING_WORK,
        *_PARTICIPATION_WORK,
        "sar.add_complaint",  # a data-protection complaint made to them (SPEC §8.4)
        "core.view_team",
    ],
    TEAM_MANAGER: [
        *_crud("cases", _CASE_MODELS),
        "cases.view_special_category",
        "cases.allocate_family",
        *_EXTERNAL_DATA_READ,
        *_EXTERNAL_DATA_MANAGE,
        *_CONSENT_WORK,
        *_SHARING_WORK,
        "sharing.add_disclosureapproval",  # safeguarding shares and over-ruled wishes (SPEC §6.2)
        *_PARTICIPATION_WORK,
        "sar.add_complaint",
        "core.view_team",
    ],
    # The DPO reads everything (every read is access-logged) and keeps the registers.
    DPO: [
        *_crud("cases", _CASE_MODELS, actions=("view",)),
        "cases.view_special_category",
        *_EXTERNAL_DATA_READ,
        "cases.view_externaldataimport",
        "cases.view_personmerge",
        "cases.view_breakglassaccess",
        "cases.change_breakglassaccess",  # records the review of break-glass use
        *_crud("sar", _SAR_MODELS),
        # Answering a SAR (SPEC §8.1): compile, decide redactions (each a new row), sign off, search,
        # make and download packages. Nothing is changed in place but the manual searches.
        *_crud("sar", _SAR_WORK_MODELS, actions=("view", "add")),
        "sar.change_sarsearchtask",
        "retention.view_retentionpolicy",
        "retention.add_retentionpolicy",
        # Holds and the stop switch are placed and released (never deleted); the notice list,
        # sweep runs and the destruction register are read only (SPEC §7).
        *_crud("retention", ["legalhold", "destructionsuspension"]),
        "retention.view_destructionnotice",
        "retention.view_sweeprun",
        "retention.view_destructionrecord",
        "retention.view_paperdestructiontask",
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
        # Statutory and research returns are the DPO's (SPEC §1, §6.3): run them, record their sending
        # and the recipient's destruction, download a file again (the DPO only), keep research projects;
        # read participation records; keep the disclosure-control policy and see the statistics (§6.4).
        "sharing.view_activitycode",
        "sharing.view_activityrecord",
        "sharing.view_contactattempt",
        "sharing.view_septemberguaranteeoffer",
        "sharing.view_followuptask",
        "sharing.view_returnrun",
        "sharing.add_returnrun",
        "sharing.download_return_file",
        "sharing.view_transferrecord",
        "sharing.change_transferrecord",
        *_crud("sharing", ["researchproject"]),
        "sharing.view_sharingreminder",
        "sharing.view_disclosurecontrolpolicy",
        "sharing.add_disclosurecontrolpolicy",
        "sharing.view_statistics",
        "core.view_accesslogentry",
        "core.review_break_glass",
        # Sign-in records (django-axes): read only, for investigating lockouts and access.
        "axes.view_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
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
        "retention.view_paperdestructiontask",
        "retention.confirm_paper_destruction",
    ],
    # Group-level statistics only, never an identifiable record (SPEC §6.4).
    PERFORMANCE_ANALYST: ["sharing.view_statistics"],
    # Users, teams and role membership; no access to family records.
    SYSTEM_ADMINISTRATOR: [
        *_crud("core", ["user", "team", "teammembership"]),
        "auth.view_group",
        "axes.view_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
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


def ensure_roles() -> None:
    """Create the role groups if they are missing (after a database flush in tests)."""
    from django.contrib.auth.models import Group

    if Group.objects.filter(name__in=ALL_ROLES).count() < len(ALL_ROLES):
        sync_roles()


def sync_role_permissions(sender, apps=global_apps, using="default", **kwargs) -> None:
    """post_migrate receiver: keep the role groups in step with ROLE_PERMISSIONS.

    Only after `migrate` (which passes its plan), not after `flush`: a test database
    restored from a serialized copy after a flush already holds the groups, and
    creating them again would clash. Code that needs the groups after a flush
    (test factories) calls `ensure_roles()`.
    """
    if kwargs.get("plan") is None:
        return
    try:
        apps.get_model("auth", "Group")
    except LookupError:
        return  # migrating to a state before the roles exist
    sync_roles(apps)
