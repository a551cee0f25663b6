"""The security tests' world: one family of the North team with everything a URL can point at.

The Okafor family (Grace, the mother, and Tobi, 9) is held by the North team, with Cass
(caseworker) as lead worker: an open case with a referral, a submitted assessment and plan,
a plan action; a share with the police awaiting the manager's approval and the DPO's review,
a flagged disclosure with a task to tell the recipient, a partner referral; and one row of
every register the admin shows, so every admin URL can be filled in.
"""

import datetime
import types
import uuid

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.factories import (
    AssessmentFactory,
    CaseFactory,
    FamilyFactory,
    MembershipFactory,
    PersonFactory,
    PlanActionFactory,
    PlanFactory,
)
from cases.models import ApprovalStatus, Case, ClosureRequest, Document, Membership, PaperRecord, Referral
from consent.factories import ConsentRecordFactory, EducationOptOutFactory, PrivacyNoticeVersionFactory
from fss.core.factories import AccessLogEntryFactory, JobHeartbeatFactory
from retention.models import DestructionRecord, PaperDestructionTask
from sar.factories import (
    ComplaintFactory,
    FOIRequestFactory,
    RightsRequestFactory,
    SarCompilationFactory,
    SarItemFactory,
    SarPackageFactory,
    SarSearchTaskFactory,
    SubjectAccessRequestFactory,
)
from sharing.factories import (
    DataSharingAgreementFactory,
    DisclosureFactory,
    DisclosureFlagFactory,
    OrganisationFactory,
    PartnerReferralFactory,
    RecipientNotificationTaskFactory,
    SharingReminderFactory,
)
from sharing.returns.factories import (
    FollowUpTaskFactory,
    ResearchProjectFactory,
    ReturnRunFactory,
    TransferRecordFactory,
)

PASSWORD = "correct-horse-battery-staple"

# Names and dates the "no personal data in logs" test looks for.
MOTHER = {
    "given_name": "Grace",
    "family_name": "Okafor-Lindqvist",
    "date_of_birth": datetime.date(1987, 3, 14),
}
CHILD = {
    "given_name": "Tobias",
    "family_name": "Okafor-Lindqvist",
    "date_of_birth": datetime.date(2016, 11, 2),
}


def _retention_registers(*, family, dpo):
    from retention.models import (
        DestructionNotice,
        DestructionRecord,
        DestructionSuspension,
        LegalHold,
        RetentionPolicy,
        SweepRun,
    )

    policy = RetentionPolicy.objects.order_by("pk").first()
    run = SweepRun.objects.create(by=dpo, outcome=SweepRun.Outcome.COMPLETED, finished_at=timezone.now())
    today = timezone.localdate()
    DestructionNotice.objects.create(
        family=family, due_on=today, first_listed_on=today, policy=policy, run=run
    )
    LegalHold.objects.create(
        family=family,
        reason=LegalHold.Reason.INQUIRY,
        details="Held for the matrix",
        review_on=today + datetime.timedelta(days=90),
        placed_by=dpo,
    )
    DestructionSuspension.objects.create(reason="Inquiry moratorium (test)", suspended_by=dpo)
    DestructionRecord.objects.create(
        run=run,
        record_kind="family",
        policy=policy,
        policy_version=1,
        trigger="case_closed",
        trigger_date=today - datetime.timedelta(days=7 * 365),
        due_on=today,
        backup_expires_on=today + datetime.timedelta(days=35),
        reference_hash="0" * 64,
        hash_key_id="k1",
    )
    return run


@pytest.fixture
def world(
    db, north_team, caseworker, colleague, other_caseworker, manager, dpo, records_officer, analyst, sysadmin
):
    PrivacyNoticeVersionFactory(effective_from=datetime.date(2020, 1, 1))
    family = FamilyFactory(team=north_team, lead_worker=caseworker)
    mother = PersonFactory(**MOTHER)
    child = PersonFactory(**CHILD)
    MembershipFactory(
        person=mother, family=family, role=Membership.Role.PARENT_CARER, has_parental_responsibility=True
    )
    MembershipFactory(person=child, family=family, role=Membership.Role.CHILD)
    case = CaseFactory(family=family)
    referral = Referral.objects.create(
        family=family,
        received_on=case.opened_on,
        source=Referral.Source.choices[0][0],
        reason="School attendance worries",
        recorded_by=caseworker,
    )
    assessment = AssessmentFactory(case=case, assessor=caseworker, status=ApprovalStatus.SUBMITTED)
    plan = PlanFactory(case=case, created_by=caseworker, status=ApprovalStatus.SUBMITTED)
    action = PlanActionFactory(plan=plan, owner=caseworker, created_by=caseworker)
    closure = ClosureRequest.objects.create(
        case=case, closed_on=case.opened_on, reason=Case.ClosureReason.NEEDS_MET, requested_by=caseworker
    )

    police = OrganisationFactory(name="Thames Valley Police", category__code="police")
    DataSharingAgreementFactory(organisation=police)
    decision = DisclosureFactory(
        family=family,
        person=mother,
        organisation=police,
        decided_by=caseworker,
        needs_manager_approval=True,
        approval_timing="before",
        dpo_review_required=True,
    )
    flag = DisclosureFlagFactory(disclosure=decision)
    task = RecipientNotificationTaskFactory(flag=flag)
    partner_referral = PartnerReferralFactory(family=family, organisation=police, sent_by=caseworker)
    SharingReminderFactory(referral=partner_referral)
    ConsentRecordFactory(person=mother, family=family, recorded_by=caseworker)
    EducationOptOutFactory(person=child)

    sar = SubjectAccessRequestFactory(subject=mother)
    compilation = SarCompilationFactory(request=sar, requested_by=dpo)
    sar_item = SarItemFactory(compilation=compilation)
    sar_search = SarSearchTaskFactory(request=sar)
    sar_package = SarPackageFactory(
        compilation=compilation,
        made_by=dpo,
        pdf=SimpleUploadedFile("package.pdf", b"%PDF-1.4 test"),
        archive=SimpleUploadedFile("package.zip", b"PK test"),
    )
    return_run = ReturnRunFactory(run_by=dpo)
    ResearchProjectFactory()
    TransferRecordFactory(run=ReturnRunFactory(run_by=dpo))  # a second run: run 1 stays unsent
    follow_up = FollowUpTaskFactory(person=child)
    RightsRequestFactory(subject=mother)
    FOIRequestFactory()
    ComplaintFactory()
    sweep_run = _retention_registers(family=family, dpo=dpo)
    document = Document.objects.create(
        family=family,
        kind=Document.Kind.LETTER,
        title="Letter from school",
        file=SimpleUploadedFile("letter.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
        uploaded_by=caseworker,
    )
    PaperRecord.objects.create(family=family, location="Walton Street, room 2", recorded_by=caseworker)
    paper_task = PaperDestructionTask.objects.create(
        destruction=DestructionRecord.objects.get(run=sweep_run), location="Walton Street, room 2"
    )

    AccessLogEntryFactory(
        user=caseworker, record_type="cases.family", record_id=str(family.pk), family_id=family.pk
    )
    JobHeartbeatFactory(job="retention_sweep")
    now = timezone.now()
    AccessAttempt.objects.create(
        username="cass", ip_address="10.0.0.1", user_agent="test", attempt_time=now, failures_since_start=1
    )
    AccessLog.objects.create(username="cass", ip_address="10.0.0.1", user_agent="test", attempt_time=now)
    AccessFailureLog.objects.create(
        username="cass", ip_address="10.0.0.1", user_agent="test", attempt_time=now
    )

    return types.SimpleNamespace(
        family=family,
        mother=mother,
        child=child,
        case=case,
        referral=referral,
        assessment=assessment,
        plan=plan,
        action=action,
        closure=closure,
        decision=decision,
        task=task,
        partner_referral=partner_referral,
        team=north_team,
        sweep_run=sweep_run,
        document=document,
        sar=sar,
        sar_item=sar_item,
        sar_search=sar_search,
        sar_package=sar_package,
        return_run=return_run,
        follow_up=follow_up,
        paper_task=paper_task,
        unknown_uuid=uuid.uuid4(),
        people={
            "caseworker": caseworker,
            "colleague": colleague,
            "other_caseworker": other_caseworker,
            "manager": manager,
            "dpo": dpo,
            "records_officer": records_officer,
            "analyst": analyst,
            "sysadmin": sysadmin,
        },
    )
