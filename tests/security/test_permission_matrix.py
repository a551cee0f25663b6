"""The permission matrix (SPEC §9, §11; issue 10): every URL pattern × every role.

Every URL pattern of the project, the admin's included, is requested (GET) by each of
eight people: nobody signed in, the family's caseworker, a caseworker of another team,
the team manager, the DPO, a records officer, a performance analyst and a system
administrator. Each answer falls into a status class (see `urlwalk.classify`) and must
match the table below. A URL pattern without an entry fails the test with its name:
a new page is not reachable until someone has decided who may reach it.

The family belongs to the North team with the caseworker as lead worker, so "404" for
the other team's caseworker is the rule "families outside your grant do not exist for
you" (cases.access.get_family_for_user).
"""

import pytest
from django.test import Client

from consent.models import PrivacyNoticeVersion
from sar.models import Complaint, RightsRequest
from tests.security.urlwalk import admin_kind, admin_model_for, classify, routes, url_for

PERSONAS = [
    "anonymous",
    "caseworker",
    "other_caseworker",
    "manager",
    "dpo",
    "records_officer",
    "analyst",
    "sysadmin",
]
CONSOLE = {"dpo", "sysadmin"}  # the roles the admin site admits (fss.core.roles.ADMIN_SITE_ROLES)

# Expected status class per persona, in the order of PERSONAS:
#   anonymous  caseworker  other-team  manager  DPO  records  analyst  sysadmin
# ok = 200; login = sent to sign-in; 403 = refused; 404 = does not exist for you;
# 405 = method not allowed (POST-only actions and sign-out); redirect = sent elsewhere.
MATRIX = {
    # --- Project pages
    "home": "login redirect redirect redirect ok ok ok ok",  # caseworkers and managers go to My work
    "healthz": "ok ok ok ok ok ok ok ok",  # public: no personal data
    "login": "ok redirect redirect redirect redirect redirect redirect redirect",
    "logout": "login 405 405 405 405 405 405 405",  # POST only
    # --- Sign-in security (fss.core.security)
    # Without an authenticator (MFA off in this matrix) it sends you to set one up.
    "security:mfa_verify": "login mfa mfa mfa mfa mfa mfa mfa",
    "security:reauthenticate": "login ok ok ok ok ok ok ok",
    "security:mfa_manage": "login ok ok ok ok ok ok ok",
    "security:mfa_enrol": "login ok ok ok ok ok ok ok",
    "security:mfa_recovery_codes": "login 405 405 405 405 405 405 405",
    "security:keep_alive": "login 405 405 405 405 405 405 405",
    "security:sensitive_fields": "login 403 403 403 ok 403 403 403",  # the DPO's register (domain-rules §4)
    # --- Cases
    "cases:my_work": "login ok ok ok ok 403 403 403",
    "cases:family_search": "login ok ok ok ok 403 403 403",
    "cases:referral_new": "login ok ok ok 403 403 403 403",
    "cases:break_glass": "login ok ok ok ok 403 403 403",
    "cases:family_detail": "login ok 404 ok ok 404 404 404",
    "cases:family_notes": "login ok 404 ok ok 404 404 404",
    "cases:family_documents": "login ok 404 ok ok 404 404 404",
    "cases:member_add": "login ok 404 ok 403 403 403 403",
    "cases:document_upload": "login ok 404 ok 403 403 403 403",
    "cases:document_download": "login ok 404 ok ok 403 403 403",
    "cases:paper_record_add": "login ok 404 ok 403 403 403 403",
    "cases:person_detail": "login ok 404 ok ok 403 403 403",
    "cases:person_edit": "login ok 404 ok 403 403 403 403",
    "cases:referral_decide": "login ok 404 ok 403 403 403 403",
    "cases:case_close": "login ok 404 ok 403 403 403 403",
    "cases:case_reopen": "login ok 404 ok 403 403 403 403",
    # A closure request waits in the world; only a manager of the family's team decides it.
    "cases:closure_decide": "login 403 404 ok 403 403 403 403",
    "cases:note_add": "login ok 404 ok 403 403 403 403",
    "cases:programme": "login ok 404 ok ok 403 403 403",
    "cases:programme_assessment_new": "login ok 404 ok 403 403 403 403",
    # The world's assessment is submitted, so nobody may edit it until it is returned.
    "cases:programme_assessment_edit": "login 404 404 404 403 403 403 403",
    "cases:programme_assessment_submit": "login 405 405 405 405 405 405 405",
    "cases:programme_assessment_approve": "login 403 404 ok 403 403 403 403",
    "cases:programme_plan_new": "login ok 404 ok 403 403 403 403",
    "cases:programme_plan_submit": "login 405 405 405 405 405 405 405",
    "cases:programme_plan_approve": "login 403 404 ok 403 403 403 403",
    "cases:programme_action_new": "login ok 404 ok 403 403 403 403",
    "cases:programme_action_status": "login ok 404 ok 403 403 403 403",
    "cases:programme_review_new": "login ok 404 ok 403 403 403 403",
    "cases:programme_outcome_new": "login ok 404 ok 403 403 403 403",
    "cases:programme_team_approvals": "login 403 403 ok 403 403 403 403",
    # Imports of external data and person merges (cases.urls_import): team managers only; an
    # import opens only for the manager who made it.
    "cases:import_start": "login 403 403 ok 403 403 403 403",
    "cases:import_detail": "login 403 403 ok 403 403 403 403",
    "cases:import_progress": "login 403 403 ok 403 403 403 403",
    "cases:import_commit": "login 405 405 405 405 405 405 405",
    "cases:import_cancel": "login 405 405 405 405 405 405 405",
    "cases:person_merge": "login 403 403 ok 403 403 403 403",
    # --- Consent
    "consent:privacy_notice": "ok ok ok ok ok ok ok ok",  # public (SPEC §12)
    "consent:family_consent": "login ok 404 ok ok 403 403 403",
    "consent:record_decision": "login ok 404 ok 403 403 403 403",
    "consent:education_opt_out": "login ok 404 ok 403 403 403 403",
    "consent:record_visit": "login ok 404 ok 403 403 403 403",
    # --- Sharing
    "sharing:history": "login ok 404 ok ok 403 403 403",
    "sharing:disclosure_new": "login ok 404 ok 403 403 403 403",
    "sharing:disclosure_detail": "login ok 404 ok ok 403 403 403",
    # The world's share awaits a manager's approval, so those who see the family are sent back to it.
    "sharing:transfer_document": "login redirect 404 redirect redirect 403 403 403",
    "sharing:referral_new": "login ok 404 ok 403 403 403 403",
    "sharing:referral_update": "login ok 404 ok 403 403 403 403",
    # The DPO may mark recipients told, but only through a family they may change.
    "sharing:recipient_told": "login ok 404 ok 404 403 403 403",
    "sharing:approval_queue": "login 403 403 ok 403 403 403 403",
    "sharing:approval_decide": "login 403 403 ok 403 403 403 403",
    "sharing:dpo_review_queue": "login 403 403 403 ok 403 403 403",
    "sharing:dpo_review": "login 403 403 403 ok 403 403 403",
    # --- Participation of young people, returns and statistics (sharing)
    "sharing:participation": "login ok ok ok ok 403 403 403",  # each sees their own caseload's young people
    "sharing:participation_person": "login ok 404 ok ok 403 403 403",
    "sharing:activity_new": "login ok 404 ok 403 403 403 403",
    "sharing:contact_new": "login ok 404 ok 403 403 403 403",
    "sharing:offer_new": "login ok 404 ok 403 403 403 403",
    "sharing:participation_task_done": "login 405 405 405 405 405 405 405",
    "sharing:returns": "login 403 403 403 ok 403 403 403",
    "sharing:return_new": "login 403 403 403 ok 403 403 403",
    "sharing:research_project_new": "login 403 403 403 ok 403 403 403",
    "sharing:return_detail": "login 403 403 403 ok 403 403 403",
    # The world's return has no file kept (410 Gone); the gate before it is what this checks.
    "sharing:return_download": "login 403 403 403 410 403 403 403",
    # Not yet sent, so nothing to confirm: only the DPO gets as far as looking.
    "sharing:transfer_sent": "login 403 403 403 404 403 403 403",
    "sharing:destruction_confirmed": "login 403 403 403 404 403 403 403",
    "sharing:statistics": "login 403 403 403 ok 403 ok 403",  # group-level only: the analyst's page
    "sharing:disclosure_policy": "login 403 403 403 ok 403 403 403",
    # --- Subject access (the DPO's work)
    "sar:request_list": "login 403 403 403 ok 403 403 403",
    "sar:request_detail": "login 403 403 403 ok 403 403 403",
    "sar:compile": "login 405 405 405 405 405 405 405",
    "sar:review": "login 403 403 403 ok 403 403 403",
    "sar:bulk_decision": "login 405 405 405 405 405 405 405",
    "sar:review_item": "login 403 403 403 ok 403 403 403",
    "sar:manual_redaction": "login 403 403 403 ok 403 403 403",
    "sar:redaction_log": "login 403 403 403 ok 403 403 403",
    "sar:sign_off": "login 403 403 403 ok 403 403 403",
    "sar:search_task_new": "login 403 403 403 ok 403 403 403",
    "sar:search_task_update": "login 403 403 403 ok 403 403 403",
    "sar:link_duplicate": "login 405 405 405 405 405 405 405",
    "sar:extension": "login 403 403 403 ok 403 403 403",
    "sar:pause": "login 403 403 403 ok 403 403 403",
    "sar:package_new": "login 405 405 405 405 405 405 405",
    "sar:package_made": "login 403 403 403 ok 403 403 403",
    "sar:package_pdf": "login 403 403 403 ok 403 403 403",
    "sar:package_zip": "login 403 403 403 ok 403 403 403",
    "sar:refuse": "login 403 403 403 ok 403 403 403",
    # Letters exist only once there is something to say: the world's requests are open (404 for the DPO).
    "sar:refusal_letter": "login 403 403 403 404 403 403 403",
    "sar:rights_letter": "login 403 403 403 404 403 403 403",
    "sar:complaint_letter": "login 403 403 403 404 403 403 403",
    "sar:complaint_new": "login ok 404 ok ok 403 403 403",  # staff record one for a family they see
    "sar:complaint_public": "ok ok ok ok ok ok ok ok",  # public: anyone may complain (SPEC §8.4)
    "sar:complaint_received": "ok ok ok ok ok ok ok ok",  # shows only the session's reference
    # --- Retention
    "retention:paper_tasks": "login 403 403 403 ok ok 403 403",
    "retention:confirm_paper": "login 403 403 403 403 ok 403 403",
    # --- The DPO console's own pages (console): the dashboard and charts are the DPO's alone;
    # access reviews are the DPO's and the system administrators'.
    "console:dashboard": "login 403 403 403 ok 403 403 403",
    "console:charts": "login 403 403 403 ok 403 403 403",
    "console:chart_csv": "login 403 403 403 ok 403 403 403",  # after disclosure control
    "console:break_glass": "login 403 403 403 ok 403 403 403",
    "console:break_glass_review": "login 403 403 403 ok 403 403 403",
    "console:access_review": "login 403 403 403 ok 403 403 ok",
    "console:access_review_detail": "login 403 403 403 ok 403 403 ok",
    "console:deactivate": "login 403 403 403 ok 403 403 ok",  # GET asks to confirm; only POST acts
    # --- The admin site's own pages (the DPO console and user administration)
    "admin:index": "login 403 403 403 ok 403 403 ok",
    "admin:login": "login 403 403 403 403 403 403 403",  # one way in: the service's sign-in page
    "admin:logout": "login redirect redirect redirect 405 redirect redirect 405",
    "admin:password_change": "login 403 403 403 ok 403 403 ok",
    "admin:password_change_done": "login 403 403 403 ok 403 403 ok",
    "admin:autocomplete": "login 403 403 403 403 403 403 403",  # refuses a request naming no field
    "admin:jsi18n": "login 403 403 403 ok 403 403 ok",
    "admin:view_on_site": "login 403 403 403 404 403 403 404",  # families have no public address
    "admin:app_list": "login 403 403 403 ok 403 403 ok",
    "admin/(?P<url>.*)$": "login 403 403 403 404 403 403 404",
    "admin:auth_user_password_change": "login 403 403 403 403 403 403 ok",
    "admin:consent_privacynoticeversion_preview": "login 403 403 403 ok 403 403 403",
    "admin:retention_review_queue_hold": "login 403 403 403 403 403 403 403",  # POST only, DPO
    "admin:retention_sweeprun_certificate": "login 403 403 403 ok 403 403 403",
    "admin:retention_sweeprun_certificate_pdf": "login 403 403 403 ok 403 403 403",
}


# Per-URL arguments where the default (by argument name) is not the right object.
def _break_glass(world):
    import datetime

    from django.utils import timezone

    from cases.models import BreakGlassAccess

    return BreakGlassAccess.objects.get_or_create(
        family=world.family,
        user=world.people["other_caseworker"],
        # Already expired: it must not widen what the other team's caseworker sees in the matrix.
        defaults={"reason": "Matrix check", "expires_at": timezone.now() - datetime.timedelta(hours=1)},
    )[0]


def _access_review(world):
    from console.models import AccessReview

    return AccessReview.objects.get_or_create(reviewed_by=world.people["dpo"], inactive_after_days=90)[0]


def _sar(world, **more):
    return {"pk": world.sar.pk, **more}


def _manager_import(world):
    from cases.factories import ExternalDataImportFactory

    return {"import_pk": ExternalDataImportFactory(team=world.team, imported_by=world.people["manager"]).pk}


ARGUMENTS = {
    **{
        f"sar:{name}": _sar
        for name in [
            "request_detail",
            "compile",
            "review",
            "bulk_decision",
            "review_item",
            "manual_redaction",
            "redaction_log",
            "sign_off",
            "search_task_new",
            "link_duplicate",
            "extension",
            "pause",
            "package_new",
            "package_made",
            "package_pdf",
            "package_zip",
            "refuse",
            "refusal_letter",
        ]
    },
    "sar:search_task_update": lambda world: _sar(world, task_pk=world.sar_search.pk),
    "sar:rights_letter": lambda world: {"pk": RightsRequest.objects.order_by("pk").first().pk},
    "sar:complaint_letter": lambda world: {"pk": Complaint.objects.order_by("pk").first().pk},
    "sar:complaint_new": lambda world: {"pk": world.family.pk},
    "sharing:participation_person": lambda world: {"person_pk": world.child.pk},
    # A real notice version (not the family's id, which only matches one by chance on SQLite).
    "admin:consent_privacynoticeversion_preview": lambda world: {
        "object_id": PrivacyNoticeVersion.objects.order_by("-pk").first().pk
    },
    "sharing:activity_new": lambda world: {"person_pk": world.child.pk},
    "sharing:contact_new": lambda world: {"person_pk": world.child.pk},
    "sharing:offer_new": lambda world: {"person_pk": world.child.pk},
    "sharing:participation_task_done": lambda world: {"task_pk": world.follow_up.pk},
    "sharing:referral_update": lambda world: {"referral_pk": world.partner_referral.pk},
    "admin:retention_sweeprun_certificate": lambda world: {"pk": world.sweep_run.pk},
    "admin:retention_sweeprun_certificate_pdf": lambda world: {"pk": world.sweep_run.pk},
    "retention:confirm_paper": lambda world: {"pk": world.paper_task.pk},
    "console:access_review_detail": lambda world: {"pk": _access_review(world).pk},
    "console:deactivate": lambda world: {"pk": world.people["caseworker"].pk},
    "console:chart_csv": lambda world: {"chart": "requests"},
    "console:break_glass_review": lambda world: {"pk": _break_glass(world).pk},
    **{
        f"cases:{name}": _manager_import
        for name in ["import_detail", "import_progress", "import_commit", "import_cancel"]
    },
}

# The admin registers: what the DPO and the system administrator may do with each, as the
# admin shows it (v = view list, page and history; a = add; c = change; d = delete).
# Everyone else is refused by the admin site before any model is looked at.
ADMIN_MODELS = {
    #                                  DPO     sysadmin
    "auth.group": ("", "v"),
    "core.user": ("v", "vac"),
    "core.team": ("v", "vac"),
    # Access and security logs: read only for the DPO, and nobody edits or deletes them.
    "core.accesslogentry": ("v", ""),
    "core.jobheartbeat": ("v", ""),
    # Sign-in records (django-axes): the DPO and administrators read them; nobody edits them.
    "axes.accessattempt": ("v", "v"),
    "axes.accesslog": ("v", "v"),
    "axes.accessfailurelog": ("v", "v"),
    "consent.consentrecord": ("v", ""),
    "consent.educationoptout": ("v", ""),
    "consent.consentpurpose": ("vc", ""),
    "consent.privacynoticeversion": ("v", ""),  # published versions are frozen
    "sharing.organisationcategory": ("vac", ""),
    "sharing.datacategory": ("vac", ""),
    "sharing.sharingpurpose": ("vac", ""),
    "sharing.organisation": ("vac", ""),
    "sharing.datasharingagreement": ("vac", ""),
    "sharing.disclosure": ("v", ""),
    "sharing.disclosureflag": ("v", ""),
    "sharing.recipientnotificationtask": ("v", ""),
    "sharing.partnerreferral": ("v", ""),
    "sharing.activitycode": ("v", ""),  # versioned data; the DPO reads, new versions come by migration
    "sharing.sharingreminder": ("v", ""),  # made by the daily job; closed by it
    "sharing.researchproject": ("vac", ""),
    "sharing.disclosurecontrolpolicy": ("va", ""),  # versions are added, never edited
    "sharing.returnrun": ("v", ""),
    "sharing.transferrecord": ("v", ""),
    "retention.retentionpolicy": ("va", ""),  # versions are added, never edited
    "retention.legalhold": ("vac", ""),
    "retention.destructionsuspension": ("vac", ""),
    "retention.destructionnotice": ("v", ""),
    "retention.sweeprun": ("v", ""),
    "retention.destructionrecord": ("v", ""),
    "sar.subjectaccessrequest": ("vac", ""),
    "sar.rightsrequest": ("vac", ""),
    "sar.foirequest": ("vac", ""),
    "sar.complaint": ("vac", ""),
}


def _admin_expectation(route, persona: str) -> str:
    if persona == "anonymous":
        return "login"
    if persona not in CONSOLE:
        return "403"
    label = admin_model_for(route)._meta.label_lower
    letters = ADMIN_MODELS[label][0 if persona == "dpo" else 1]
    kind = admin_kind(route)
    if kind == "object":
        return "redirect"  # to the change page, which applies the rules below
    needed = {"add": "a", "delete": "d"}.get(kind, "v")
    if needed not in letters:
        return "403"
    if kind == "change":
        return "ok+save" if "c" in letters else "ok"
    return "ok"


def expected(route, persona: str) -> str | None:
    """The expected class for `persona` on `route`, or None when the matrix has no entry."""
    if route.key in MATRIX:
        return MATRIX[route.key].split()[PERSONAS.index(persona)]
    if admin_kind(route) is not None and admin_model_for(route)._meta.label_lower in ADMIN_MODELS:
        return _admin_expectation(route, persona)
    return None


def _normalise(observed: str) -> str:
    return {"denied": "403", "not_found": "404"}.get(observed, observed)


def test_every_url_pattern_has_an_entry_in_the_matrix():
    missing = [route.key for route in routes() if expected(route, "anonymous") is None]
    assert missing == [], f"URL patterns without an entry in the permission matrix: {missing}"


def test_every_matrix_entry_is_a_url_pattern_of_the_project():
    keys = {route.key for route in routes()}
    stale = [key for key in MATRIX if key not in keys]
    admin_models = {admin_model_for(r)._meta.label_lower for r in routes() if admin_kind(r) is not None}
    assert stale == []
    assert sorted(set(ADMIN_MODELS) - admin_models) == []
    for row in MATRIX.values():
        assert len(row.split()) == len(PERSONAS), row


@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(world, persona):
    client = Client()
    if persona != "anonymous":
        client.force_login(world.people[persona])
    wrong = []
    for route in routes():
        want = expected(route, persona)
        if want is None:
            continue  # reported by test_every_url_pattern_has_an_entry_in_the_matrix
        url = url_for(route, world, ARGUMENTS.get(route.key, lambda world: {})(world))
        response = client.get(url)
        got = classify(client, response)
        if want == "ok+save" and got == "ok":
            got = "ok+save" if 'name="_save"' in response.content.decode() else "ok"
        elif want == "ok" and admin_kind(route) == "change" and 'name="_save"' in response.content.decode():
            got = "ok+save"  # a read-only register shows no Save button
        got = {"denied": "403"}.get(got, got)
        if got != want:
            wrong.append(f"{route.key} ({url}): expected {want}, got {got}")
    assert wrong == [], f"{persona}:\n" + "\n".join(wrong)


def test_matrix_size_is_reported(capsys):
    # The size asked for by issue 10: URL patterns × people (each checked above).
    size = len(routes()) * len(PERSONAS)
    with capsys.disabled():
        print(f"\npermission matrix: {len(routes())} URL patterns × {len(PERSONAS)} people = {size} checks")
    assert size > 0
