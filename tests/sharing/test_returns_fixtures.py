"""Fixtures the returns, participation and statistics tests share (imported by them; no tests here).

The story: the conftest's Reid–Cole family (Maya, Dan, Tia 16, Leo 15, North team) lives at an
address the service holds and is on the programme — a case opened four months ago, assessed for
education, housing and crime. The Department for Education receives the participation returns,
the programme return and the anonymised return; the Office for National Statistics the research
extract, under agreements in force since last year.
"""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from cases.factories import (
    AssessmentFactory,
    CaseFactory,
    FamilyAddressFactory,
    OutcomeFactory,
    PlanActionFactory,
    PlanFactory,
    framework,
)
from cases.models import Case
from sharing.factories import DataSharingAgreementFactory, OrganisationFactory
from sharing.models import LawfulBasis
from sharing.returns import services
from sharing.returns.factories import ResearchProjectFactory

NEEDS = ("education", "housing", "crime")


@pytest.fixture
def dfe(db):
    return OrganisationFactory(
        name="Department for Education",
        category__code="programme_department",
        secure_transfer_method="secure_portal",
    )


@pytest.fixture
def ons(db):
    return OrganisationFactory(name="Office for National Statistics", category__code="ons")


@pytest.fixture
def participation_agreement(dfe):
    return DataSharingAgreementFactory(
        organisation=dfe,
        lawful_basis=LawfulBasis.LEGAL_OBLIGATION,
        legal_power="Education and Skills Act 2008 ss.10, 12; Education Act 1996 s.15ZA.",
        purposes=["participation"],
        categories=[
            "identifiers",
            "identity",
            "gender",
            "address",
            "education",
            ("health_send", "sch1_para6"),
        ],
    )


@pytest.fixture
def programme_agreement(dfe):
    return DataSharingAgreementFactory(
        organisation=dfe,
        purposes=["programme_return"],
        categories=["identity", "family_circumstances", "support_outcomes"],
    )


@pytest.fixture
def statistics_agreement(dfe):
    return DataSharingAgreementFactory(
        organisation=dfe, purposes=["statistics"], categories=["family_circumstances", "support_outcomes"]
    )


@pytest.fixture
def ons_agreement(ons):
    return DataSharingAgreementFactory(
        organisation=ons,
        purposes=["research"],
        categories=[
            "identity",
            "address",
            "gender",
            "identifiers",
            "family_circumstances",
            "support_outcomes",
        ],
    )


@pytest.fixture
def project(ons, ons_agreement):
    return ResearchProjectFactory(recipient=ons, agreement=ons_agreement)


@pytest.fixture
def home(family):
    return FamilyAddressFactory(
        family=family,
        line_1="12 Larkspur Close",
        town="Northtown",
        postcode="NT1 4QX",
        start_date=datetime.date(2019, 1, 1),
    )


def programme_case(
    family, *, opened, closed=None, needs=NEEDS, achieved=(), sustained_until=None, lead_worker=None
) -> Case:
    """A case on the programme: an approved whole-family assessment identifying `needs`, a plan with an
    action for each, and an achieved outcome (sustained until `sustained_until`) for each of `achieved`."""
    case = CaseFactory(
        family=family,
        opened_on=opened,
        closed_on=closed,
        status=Case.Status.CLOSED if closed else Case.Status.OPEN,
        closure_reason=Case.ClosureReason.NEEDS_MET if closed else "",
        lead_worker=lead_worker or family.lead_worker,
    )
    AssessmentFactory(case=case, identified=list(needs), assessed_on=opened)
    plan = PlanFactory(case=case, starts_on=opened)
    outcomes = {o.code: o for o in framework().headline_outcomes.all()}
    for code in needs:
        PlanActionFactory(plan=plan, need=outcomes[code])
    for code in achieved:
        OutcomeFactory(
            case=case,
            need=outcomes[code],
            achieved_on=opened + relativedelta(months=1),
            sustained_until=sustained_until,
            recorded_on=sustained_until or opened + relativedelta(months=1),
        )
    return case


@pytest.fixture
def on_programme(family, home, maya, dan, tia, leo, today):
    return programme_case(family, opened=today - relativedelta(months=4))


@pytest.fixture
def quarter(today):
    """A period ending today that the case was open in."""
    return today - relativedelta(months=3), today


@pytest.fixture
def run(dpo):
    """Run a return as the DPO: run(kind, start, end, recipient, **options)."""

    def _run(kind, start, end, recipient, **options):
        return services.run_return(
            kind=kind,
            period_start=start,
            period_end=end,
            recipient=recipient,
            by=options.pop("by", dpo),
            **options,
        )

    return _run


def rows_of(run_) -> list[dict]:
    """The run's file as a list of dicts (header → value)."""
    import csv
    import io

    with run_.file.open("rb") as handle:
        text = handle.read().decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def month_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    start = day.replace(day=1)
    return start, start + relativedelta(months=1, days=-1)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def local_today() -> datetime.date:
    return timezone.localdate()
