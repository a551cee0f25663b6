"""Retention tests' families, built through the services so every row, history row and access-log
line a real family leaves behind is there for the sweep to find.

`family_story(...)` makes one household with a referral, an address, a parent and a child (with
identifiers and special category details), an accepted case with an edited note naming both, a
consent record with an evidence file, an education opt-out, a break-glass look, a released legal
hold, a console log entry, a generic object grant, programme and sharing records — and its case
closed `closed_years_ago`. Every string that must vanish with it is in `story.traces`.
"""

import datetime
from dataclasses import dataclass, field

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from guardian.shortcuts import assign_perm

from cases import services as case_services
from cases.factories import (
    CaseFactory,
    ExternalDataRecordFactory,
    FamilyFactory,
    MembershipFactory,
    PersonFactory,
)
from cases.identifiers import nhs_number_check_digit, upn_check_letter
from cases.merge import merge_people
from cases.models import Case, CaseNote, Family, Membership, Person, Referral
from consent.factories import ConsentRecordFactory, EducationOptOutFactory
from fss.core import roles
from fss.core.factories import UserFactory
from fss.core.services import log_access
from retention import services
from retention.models import LegalHold


@dataclass
class Story:
    family: Family
    parent: Person
    child: Person
    case: Case
    note: CaseNote
    evidence_name: str
    traces: list[str] = field(default_factory=list)


_counter = {"n": 0}


def _identifiers(n: int) -> dict:
    digits = f"{731098765400 + n:012d}"
    base = 948376100 + n * 7
    while nhs_number_check_digit(f"{base:09d}") is None:
        base += 1
    nhs_base, check = f"{base:09d}", nhs_number_check_digit(f"{base:09d}")
    return {
        "upn": upn_check_letter(digits) + digits,
        "nhs_number": f"{nhs_base}{check}",
    }


def family_story(
    *,
    tag: str,
    team,
    worker,
    closed_on: datetime.date,
    dob_year: int = 1979,
    with_programme: bool = True,
) -> Story:
    """One household with every kind of record, its case closed on `closed_on`."""
    _counter["n"] += 1
    n = _counter["n"]
    received = closed_on - relativedelta(months=6)
    referral = case_services.record_referral(
        team=team,
        received_on=received,
        source=Referral.Source.SCHOOL,
        reason=f"{tag} referral: attendance worries",
        referrer_name=f"{tag}referrer Head",
        referrer_contact=f"{tag.lower()}.school@example.org",
        address={"line_1": f"17 {tag} Lane", "town": f"{tag}ton", "postcode": "TR21 0PW"},
        by=worker,
    )
    family = referral.family
    ids = _identifiers(n)
    parent_dob = datetime.date(dob_year, 2, 13 + n % 10)
    child_dob = received - relativedelta(years=6, days=n)
    parent = case_services.add_member(
        family=family,
        role=Membership.Role.PARENT_CARER,
        start_date=received,
        has_parental_responsibility=True,
        person_fields={
            "given_name": f"{tag}mother",
            "family_name": f"{tag}son",
            "date_of_birth": parent_dob,
            "ni_number": "JZ481726B",
            "phone": "07700 900" + f"{n:03d}",
            "email": f"{tag.lower()}mother@example.org",
            "religion": "buddhist",
        },
        by=worker,
    ).person
    child = case_services.add_member(
        family=family,
        role=Membership.Role.CHILD,
        start_date=received,
        person_fields={
            "given_name": f"{tag}child",
            "family_name": f"{tag}son",
            "date_of_birth": child_dob,
            "has_send": True,
            "send_details": f"{tag} hearing support plan",
            **ids,
        },
        by=worker,
    ).person
    case = case_services.decide_referral(
        referral=referral,
        decision=Referral.Decision.ACCEPT,
        decided_on=received + relativedelta(days=7),
        by=worker,
    )
    # Agreement to work with the service and to recording comes first (SPEC §5.2).
    evidence_name = f"{tag.lower()}-signed-consent.pdf"
    consent = ConsentRecordFactory(
        person=parent,
        family=family,
        decided_on=received + relativedelta(days=7),
        recorded_by=worker,
        note=f"{tag} signed at home",
        evidence=SimpleUploadedFile(evidence_name, b"%PDF-1.4 " + tag.encode()),
    )
    ConsentRecordFactory(
        person=parent,
        family=family,
        purpose_code="record",
        decided_on=received + relativedelta(days=7),
        recorded_by=worker,
    )
    note = case_services.add_note(
        case=case,
        kind=CaseNote.Kind.VISIT,
        occurred_on=received + relativedelta(days=14),
        text=f"{tag} visit: first draft of the note",
        people_present=[parent],
        people_mentioned=[child],
        by=worker,
    )
    # An edit leaves the first draft in the history tables, with the people linked then.
    note.text = f"{tag} visit: the children were well"
    note._history_user = worker
    note.save()
    note.people_mentioned.add(parent)
    parent.phone = "07700 900999"
    parent._history_user = worker
    parent.save()

    EducationOptOutFactory(person=child, from_date=received + relativedelta(days=8), note=f"{tag} opted out")
    # External data (SPEC §4.5): an encrypted offending value, and a duplicate record of the child
    # merged into it (the merged-away person survives only as history, which must go too).
    ExternalDataRecordFactory(
        family=family, person=child, kind="offending", measure="Outcome", value=f"{tag} external caution"
    )
    duplicate = case_services.add_member(
        family=family,
        role=Membership.Role.CHILD,
        start_date=received,
        person_fields={"given_name": f"{tag}merged", "family_name": f"{tag}son", "date_of_birth": child_dob},
        by=worker,
    ).person
    merge_people(
        keep=child,
        other=duplicate,
        reason=f"{tag} merge reason",
        by=UserFactory(roles=[roles.TEAM_MANAGER], team=team, team__manager=True),
    )

    looker = UserFactory(roles=[roles.CASEWORKER])
    case_services.open_break_glass(family=family, by=looker, reason=f"{tag} break glass: urgent call")
    log_access(by=looker, record=child, family_id=None, person_id=child.pk)
    LogEntry.objects.create(
        user=worker,
        content_type=ContentType.objects.get_for_model(Person),
        object_id=str(child.pk),
        object_repr=str(child),
        action_flag=CHANGE,
        change_message=f"Changed {tag}child",
    )
    assign_perm("cases.view_person", looker, child)  # lands in guardian's generic table

    hold = services.place_hold(
        by=worker,
        family=family,
        reason=LegalHold.Reason.COMPLAINT,
        review_on=timezone.localdate() + relativedelta(days=10),
        details=f"{tag} complaint hold",
    )
    services.release_hold(hold=hold, by=worker, note=f"{tag} complaint resolved")

    if with_programme:
        _programme_and_sharing(case=case, family=family, person=child, tag=tag)

    case_services.close_case(
        case=case,
        closed_on=closed_on,
        reason=Case.ClosureReason.NEEDS_MET,
        note=f"{tag} closure note",
        by=worker,
    )
    story = Story(
        family=family, parent=parent, child=child, case=case, note=note, evidence_name=evidence_name
    )
    story.traces = [
        f"{tag}mother",
        f"{tag}child",
        f"{tag}son",
        f"{tag} Lane",
        f"{tag}ton",
        f"{tag}referrer",
        f"{tag} visit",
        f"{tag} hearing",
        f"{tag} signed",
        f"{tag} opted out",
        f"{tag} break glass",
        f"{tag} complaint",
        f"{tag} closure",
        f"{tag} programme",
        f"{tag} sharing",
        f"{tag} external",
        f"{tag}merged",
        f"{tag} merge reason",
        f"{tag.lower()}mother@example.org",
        parent_dob.isoformat(),
        child_dob.isoformat(),
        ids["upn"],
        ids["nhs_number"],
        family.reference,
        consent.evidence.name,
    ]
    return story


def _programme_and_sharing(*, case, family, person, tag):
    from cases.factories import (
        AssessmentFactory,
        OutcomeFactory,
        PlanActionFactory,
        PlanFactory,
        ReviewFactory,
    )
    from sharing.factories import DisclosureFactory, DisclosureFlagFactory, PartnerReferralFactory

    AssessmentFactory(case=case, identified=["education"])
    plan = PlanFactory(case=case, goals=f"{tag} programme goals")
    PlanActionFactory(plan=plan, description=f"{tag} programme action")
    ReviewFactory(case=case, summary=f"{tag} programme review")
    OutcomeFactory(case=case, progress_note=f"{tag} programme outcome")
    disclosure = DisclosureFactory(
        family=family, person=person, decided_on=case.opened_on, check_summary=f"{tag} sharing check"
    )
    DisclosureFlagFactory(disclosure=disclosure)
    PartnerReferralFactory(family=family, reason=f"{tag} sharing referral", sent_on=case.opened_on)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def story(north_team, caseworker, media, today):
    """A family whose case closed 8 years ago: due for destruction for about a year."""
    return lambda tag, closed_on=None, **kwargs: family_story(
        tag=tag,
        team=north_team,
        worker=caseworker,
        closed_on=closed_on or today - relativedelta(years=8),
        **kwargs,
    )


def list_for_destruction(today, days_ago: int = 31) -> int:
    """Put everything due on the notice list as if the nightly sweep had run `days_ago` days ago."""
    return services.record_notices(on=today - datetime.timedelta(days=days_ago))


def closed_family(*, closed_on: datetime.date, team=None, people=None, members: int = 2) -> Family:
    """A light household (members and a closed case, nothing else) for the sweep's rules."""
    family = FamilyFactory(team=team) if team is not None else FamilyFactory()
    for person in people or [PersonFactory() for _ in range(members)]:
        MembershipFactory(family=family, person=person, start_date=closed_on - relativedelta(years=1))
    CaseFactory(family=family, closed=True, closed_on=closed_on)
    return family


def everything_counted() -> dict[str, int]:
    """Rows in every table with a model, history and link tables included."""
    from retention.coverage import all_models

    return {m._meta.label: m._base_manager.count() for m in all_models()}
