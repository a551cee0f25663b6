"""The SAR tests' story: Maya Reid asks for her records.

Maya (mother, parental responsibility) lives with Dan Cole and her son Leo Reid,
held by the North team. Jane Whitfield is their family support worker. Priya
Shah is known to the service through another family. The family has every kind
of record the service keeps: an address, a referral from a neighbour, a case
with its events, the programme's assessment, plan, review and outcome, notes
(about Maya, about Leo only, about the household, one marked sensitive),
documents, paper files, consent, a share with the police under a joint
agreement, a referral to a partner, an earlier complaint, a legal hold, access
log lines and a break-glass access.
"""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core.files.base import ContentFile
from django.utils import timezone

from cases.factories import (
    AssessmentFactory,
    CaseFactory,
    FamilyAddressFactory,
    FamilyFactory,
    MembershipFactory,
    OutcomeFactory,
    PersonFactory,
    PlanActionFactory,
    PlanFactory,
    ReviewFactory,
)
from cases.models import (
    ApprovalEvent,
    BreakGlassAccess,
    CaseEvent,
    CaseNote,
    Document,
    Membership,
    PaperRecord,
    Referral,
)
from consent.factories import ConsentRecordFactory, PrivacyNoticeVersionFactory
from fss.core import roles
from fss.core.factories import AccessLogEntryFactory, UserFactory
from retention.models import LegalHold
from sar import services
from sar.factories import ComplaintFactory, SubjectAccessRequestFactory
from sharing.factories import (
    DataSharingAgreementFactory,
    DisclosureFactory,
    OrganisationFactory,
    PartnerReferralFactory,
)
from sharing.models import DataSharingAgreement

Role = Membership.Role


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def worker(north_team):
    return UserFactory(
        username="jane", first_name="Jane", last_name="Whitfield", roles=[roles.CASEWORKER], team=north_team
    )


@pytest.fixture
def other_dpo(db):
    return UserFactory(username="dora", roles=[roles.DPO])


@pytest.fixture
def family(north_team, worker):
    return FamilyFactory(team=north_team, lead_worker=worker)


def member(family, role, *, pr=False, **person):
    person = PersonFactory(**person)
    MembershipFactory(
        person=person,
        family=family,
        role=role,
        has_parental_responsibility=pr,
        start_date=datetime.date(2019, 1, 1),
    )
    return person


@pytest.fixture
def maya(family):
    return member(
        family,
        Role.PARENT_CARER,
        pr=True,
        given_name="Maya",
        family_name="Reid",
        age=34,
        phone="07700 900123",
        send_details="Asthma",
    )


@pytest.fixture
def dan(family):
    return member(family, Role.PARENT_CARER, given_name="Dan", family_name="Cole", age=38)


@pytest.fixture
def leo(family):
    return member(family, Role.CHILD, given_name="Leo", family_name="Reid", age=9)


@pytest.fixture
def priya(db):
    """Known to the service through another family."""
    return member(FamilyFactory(), Role.PARENT_CARER, given_name="Priya", family_name="Shah", age=41)


@pytest.fixture
def police(db):
    return OrganisationFactory(
        name="Thames Valley Police", category__code="police", contact_name="Sam Fielding"
    )


@pytest.fixture
def rich(family, maya, dan, leo, priya, worker, police, dpo, today):
    """Every kind of record about Maya; returns a dict of what was made."""
    made = {}
    FamilyAddressFactory(family=family, line_1="12 Mill Lane", town="Aylesbury", postcode="HP20 1UA")
    referral = Referral.objects.create(
        family=family,
        received_on=today - relativedelta(months=8),
        source=Referral.Source.OTHER,
        reason="Neighbour worried about the children's attendance.",
        referrer_name="Pat Jones",
        referrer_contact="pat@example.org",
        recorded_by=worker,
    )
    case = CaseFactory(
        family=family, referral=referral, opened_on=today - relativedelta(months=7), lead_worker=worker
    )
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.OPENED, on=case.opened_on, by=worker)
    assessment = AssessmentFactory(case=case, assessor=worker, identified=["education", "housing"])
    ApprovalEvent.objects.create(assessment=assessment, kind=ApprovalEvent.Kind.APPROVED, by=worker)
    plan = PlanFactory(case=case, created_by=worker)
    PlanActionFactory(plan=plan, owner=worker, created_by=worker)
    PlanActionFactory(
        plan=plan,
        owner=None,
        partner_name="Ruth Abara",
        partner_organisation="Oakfield Primary",
        partner_role="Attendance officer",
        created_by=worker,
    )
    ReviewFactory(case=case, recorded_by=worker, attendees="Maya Reid; Jane Whitfield; Ruth Abara")
    OutcomeFactory(case=case, recorded_by=worker)

    about_maya = CaseNote.objects.create(
        case=case,
        kind=CaseNote.Kind.VISIT,
        occurred_on=today - relativedelta(months=6),
        text="Maya said Dan has been helping with school runs. Priya Shah from next door and Mrs Okafor "
        "came round. Jane Whitfield will call the school.",
        author=worker,
    )
    about_maya.people_present.add(maya, dan)
    only_leo = CaseNote.objects.create(
        case=case,
        kind=CaseNote.Kind.OTHER,
        occurred_on=today,
        text="LEO-ONLY: spoke to Leo at school.",
        author=worker,
    )
    only_leo.people_present.add(leo)
    household = CaseNote.objects.create(
        case=case,
        kind=CaseNote.Kind.PHONE,
        occurred_on=today,
        text="Called the household about the plan.",
        author=worker,
    )
    sensitive = CaseNote.objects.create(
        case=case,
        kind=CaseNote.Kind.MEETING,
        occurred_on=today,
        text="Leo told us something he did not want passed on.",
        is_sensitive=True,
        author=worker,
    )
    sensitive.people_mentioned.add(maya, leo)
    made["notes"] = {
        "about_maya": about_maya,
        "only_leo": only_leo,
        "household": household,
        "sensitive": sensitive,
    }

    made["document"] = Document.objects.create(
        family=family,
        person=maya,
        kind=Document.Kind.LETTER,
        title="Letter to Maya",
        file=ContentFile(b"%PDF-1.4 letter to Maya", name="letter.pdf"),
        size=24,
        uploaded_by=worker,
    )
    Document.objects.create(
        family=family,
        person=leo,
        kind=Document.Kind.REPORT,
        title="LEO-ONLY school report",
        file=ContentFile(b"report", name="report.pdf"),
        uploaded_by=worker,
    )
    made["paper"] = PaperRecord.objects.create(
        family=family, location="Aylesbury records store", box_or_barcode="Box 14", recorded_by=worker
    )

    PrivacyNoticeVersionFactory(effective_from=datetime.date(2020, 1, 1))
    ConsentRecordFactory(
        person=maya, family=family, recorded_by=worker, decided_on=today - relativedelta(months=7)
    )

    agreement = DataSharingAgreementFactory(organisation=police, purposes=["early_help"])
    agreement.parties.update(role=DataSharingAgreement.PartyRole.JOINT_CONTROLLER)
    made["disclosure"] = DisclosureFactory(
        family=family, person=maya, organisation=police, agreement=agreement, decided_by=worker
    )
    PartnerReferralFactory(family=family, organisation=police, sent_by=worker)

    ComplaintFactory(subject=maya, received_on=today - relativedelta(months=2))
    LegalHold.objects.create(
        family=family,
        reason=LegalHold.Reason.LITIGATION,
        review_on=today + relativedelta(months=6),
        placed_by=dpo,
    )
    AccessLogEntryFactory(
        user=worker, record_type="cases.family", record_id=str(family.pk), family_id=family.pk
    )
    BreakGlassAccess.objects.create(
        family=family,
        user=dpo,
        reason="Out of hours call",
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    # A change after creation, so the person's history has something to show.
    maya.phone = "07700 900456"
    maya.save()
    made["sar"] = SubjectAccessRequestFactory(
        subject=maya, requester_name="Maya Reid", requester_contact="maya@example.org"
    )
    return made


@pytest.fixture
def compile_now(django_capture_on_commit_callbacks):
    """Start a compilation and run the queued task, as the worker would."""

    def _compile(sar, by):
        with django_capture_on_commit_callbacks(execute=True):
            services.start_compilation(request=sar, by=by)
        return services.current_compilation(sar)

    return _compile


def decide_everything(compilation, by, decision="withhold", ground="third_party"):
    """Decide every redaction that needs a decision (the reviewer's work, for tests about what follows)."""
    from sar.models import Redaction, SarItem

    for item in SarItem.objects.filter(compilation=compilation):
        choices = {
            r.pk: services.Choice(decision, ground if decision == "withhold" else "")
            for r in Redaction.objects.filter(item=item, decisions__isnull=True)
            if r.needs_decision
        }
        if choices:
            services.decide_redactions(item=item, choices=choices, by=by)


def finish_searches(sar, by):
    for task in sar.search_tasks.filter(completed_on__isnull=True):
        services.update_search_task(
            task=task, outcome="nothing_found", completed_on=timezone.localdate(), by=by
        )
