"""factory-boy factories for families and cases: synthetic people only (Faker, en_GB)."""

import datetime

import factory
import factory.fuzzy
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from factory.django import DjangoModelFactory

from cases.models import (
    ApprovalEvent,
    ApprovalStatus,
    Assessment,
    AssessmentNeed,
    Case,
    Family,
    FamilyAddress,
    HeadlineOutcome,
    Membership,
    Outcome,
    Person,
    Plan,
    PlanAction,
    ProgrammeFramework,
    Review,
    TeamApprovalSetting,
)
from fss.core.factories import TeamFactory, UserFactory


def _today() -> datetime.date:
    return timezone.localdate()


class FamilyFactory(DjangoModelFactory):
    class Meta:
        model = Family
        skip_postgeneration_save = True

    team = factory.SubFactory(TeamFactory)
    lead_worker = None

    @factory.post_generation
    def grants(self, create, extracted, **kwargs):
        # As allocation does: the team (and lead worker) may see and change the family.
        if create and extracted is not False:
            from cases.services import grant_allocation

            grant_allocation(self)


class FamilyAddressFactory(DjangoModelFactory):
    class Meta:
        model = FamilyAddress

    family = factory.SubFactory(FamilyFactory)
    line_1 = factory.Faker("street_address", locale="en_GB")
    town = factory.Faker("city", locale="en_GB")
    postcode = factory.Faker("postcode", locale="en_GB")
    start_date = factory.LazyFunction(lambda: _today() - relativedelta(years=2))


class PersonFactory(DjangoModelFactory):
    """A synthetic person. `age=N` sets a date of birth N years (and some days) ago."""

    class Meta:
        model = Person

    class Params:
        # Age in completed years today; the birthday fell 1–300 days ago.
        age = factory.fuzzy.FuzzyInteger(0, 60)
        days_since_birthday = factory.fuzzy.FuzzyInteger(1, 300)

    given_name = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = factory.LazyAttribute(
        lambda o: _today() - relativedelta(years=o.age, days=o.days_since_birthday)
    )


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    family = factory.SubFactory(FamilyFactory)
    role = Membership.Role.CHILD
    start_date = factory.LazyFunction(lambda: _today() - relativedelta(years=1))


class CaseFactory(DjangoModelFactory):
    """An open case by default; `closed=True` (with optional `closed_on`) closes it."""

    class Meta:
        model = Case

    class Params:
        closed = factory.Trait(
            status=Case.Status.CLOSED,
            closed_on=factory.LazyFunction(_today),
            closure_reason=Case.ClosureReason.NEEDS_MET,
        )

    family = factory.SubFactory(FamilyFactory)
    opened_on = factory.LazyAttribute(
        lambda o: (o.closed_on - relativedelta(months=6)) if o.closed_on else _today()
    )
    status = Case.Status.OPEN
    closed_on = None
    closure_reason = ""


# The national programme's part of a case (cases.models.programme). The two real
# framework versions are loaded by migration: `framework("supporting-families-2022")`.
CURRENT_FRAMEWORK = "supporting-families-2022"
NOTICE_FRAMEWORK = "troubled-families-2015"


def framework(code: str = CURRENT_FRAMEWORK) -> ProgrammeFramework:
    return ProgrammeFramework.objects.get(code=code)


class ProgrammeFrameworkFactory(DjangoModelFactory):
    """A made-up framework version, in force in 2000 so it never competes with the loaded ones."""

    class Meta:
        model = ProgrammeFramework
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"test-framework-{n}")
    name = factory.LazyAttribute(lambda o: f"Test framework {o.code}")
    version = "test"
    effective_from = datetime.date(2000, 1, 1)
    effective_to = datetime.date(2000, 12, 31)


class HeadlineOutcomeFactory(DjangoModelFactory):
    class Meta:
        model = HeadlineOutcome

    framework = factory.SubFactory(ProgrammeFrameworkFactory)
    code = factory.Sequence(lambda n: f"outcome_{n}")
    title = factory.LazyAttribute(lambda o: o.code.replace("_", " ").capitalize())
    order = factory.Sequence(lambda n: n + 1)


class AssessmentFactory(DjangoModelFactory):
    """An approved whole-family assessment against the current framework, on the day the case opened.

    `identified=["education", "housing"]` answers every headline outcome, identifying those
    codes with evidence, dated the assessment date.
    """

    class Meta:
        model = Assessment
        skip_postgeneration_save = True

    case = factory.SubFactory(CaseFactory)
    framework = factory.LazyFunction(framework)
    assessed_on = factory.LazyAttribute(lambda o: o.case.opened_on)
    is_whole_family = True
    assessor = factory.SubFactory(UserFactory)
    status = ApprovalStatus.APPROVED
    needs_approval = True

    @factory.post_generation
    def identified(self, create, extracted, **kwargs):
        if not create or extracted is None:
            return
        for outcome in self.framework.headline_outcomes.all():
            found = outcome.code in extracted
            AssessmentNeed.objects.create(
                assessment=self,
                headline_outcome=outcome,
                identified=found,
                evidence=f"Evidence of {outcome.title.lower()}" if found else "",
                identified_on=self.assessed_on if found else None,
            )


class AssessmentNeedFactory(DjangoModelFactory):
    class Meta:
        model = AssessmentNeed

    assessment = factory.SubFactory(AssessmentFactory)
    headline_outcome = factory.LazyAttribute(lambda o: o.assessment.framework.headline_outcomes.first())
    identified = True
    evidence = "School attendance 82% this term (school report)"
    identified_on = factory.LazyAttribute(lambda o: o.assessment.assessed_on if o.identified else None)


class PlanFactory(DjangoModelFactory):
    """An approved family plan starting the day the case opened."""

    class Meta:
        model = Plan

    case = factory.SubFactory(CaseFactory)
    starts_on = factory.LazyAttribute(lambda o: o.case.opened_on)
    goals = "Children in school every day; the family's rent paid on time."
    status = ApprovalStatus.APPROVED
    needs_approval = True
    created_by = factory.SubFactory(UserFactory)


class PlanActionFactory(DjangoModelFactory):
    """An action owned by a worker; `partner_name=...` with `owner=None` for a partner practitioner."""

    class Meta:
        model = PlanAction

    plan = factory.SubFactory(PlanFactory)
    need = None
    description = "Meet the school's attendance officer with the family"
    owner = factory.SubFactory(UserFactory)
    due_on = factory.LazyAttribute(lambda o: o.plan.starts_on + datetime.timedelta(days=28))
    created_by = factory.SubFactory(UserFactory)


class ReviewFactory(DjangoModelFactory):
    class Meta:
        model = Review

    case = factory.SubFactory(CaseFactory)
    held_on = factory.LazyAttribute(lambda o: o.case.opened_on)
    attendees = "Parent; family support worker; school attendance officer"
    summary = "Attendance improving; housing application made."
    next_review_on = factory.LazyAttribute(lambda o: o.held_on + relativedelta(months=3))
    recorded_by = factory.SubFactory(UserFactory)


class OutcomeFactory(DjangoModelFactory):
    """An achieved outcome; recorded on the latest of its dates."""

    class Meta:
        model = Outcome

    case = factory.SubFactory(CaseFactory)
    need = factory.LazyFunction(lambda: framework().headline_outcomes.first())
    progress = Outcome.Progress.ACHIEVED
    progress_note = "Attendance above 90% for two terms."
    achieved_on = factory.LazyAttribute(lambda o: o.case.opened_on)
    sustained_until = None
    recorded_on = factory.LazyAttribute(lambda o: o.sustained_until or o.achieved_on or _today())
    recorded_by = factory.SubFactory(UserFactory)


class ApprovalEventFactory(DjangoModelFactory):
    class Meta:
        model = ApprovalEvent

    assessment = factory.SubFactory(AssessmentFactory)
    plan = None
    kind = ApprovalEvent.Kind.APPROVED
    by = factory.SubFactory(UserFactory)


class TeamApprovalSettingFactory(DjangoModelFactory):
    class Meta:
        model = TeamApprovalSetting
        django_get_or_create = ["team"]

    team = factory.SubFactory(TeamFactory)


# --- External data and person merges (cases/models/external.py, cases/models/merges.py)


class ExternalDataImportFactory(DjangoModelFactory):
    """A committed import's row (no file, no preview): what remains after a real import."""

    class Meta:
        model = "cases.ExternalDataImport"

    team = factory.SubFactory(TeamFactory)
    imported_by = factory.SubFactory(UserFactory)
    kind = "attendance"
    source_organisation = "Education Service"
    received_on = factory.LazyFunction(_today)
    original_name = "attendance.csv"
    checksum = "0" * 64
    status = "committed"


class ExternalDataRecordFactory(DjangoModelFactory):
    class Meta:
        model = "cases.ExternalDataRecord"

    family = factory.SubFactory(FamilyFactory)
    person = factory.SubFactory(PersonFactory)
    kind = "attendance"
    period_start = factory.LazyFunction(lambda: _today() - relativedelta(months=3))
    period_end = factory.LazyFunction(_today)
    measure = "Attendance %"
    value = "87.5"
    source_organisation = "Education Service"
    received_on = factory.LazyFunction(_today)
    import_batch = None


class PersonMergeFactory(DjangoModelFactory):
    class Meta:
        model = "cases.PersonMerge"

    kept_person = factory.SubFactory(PersonFactory)
    merged_person_id = factory.Sequence(lambda n: 900000 + n)
    merged_by = factory.SubFactory(UserFactory)
    reason = "Same name, date of birth and address"
