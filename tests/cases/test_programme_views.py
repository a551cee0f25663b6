"""Programme pages: who may see and do what, errors beside fields, access logged, fixed query counts."""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.factories import (
    AssessmentFactory,
    CaseFactory,
    FamilyFactory,
    MembershipFactory,
    OutcomeFactory,
    PersonFactory,
    PlanActionFactory,
    PlanFactory,
    ReviewFactory,
    framework,
)
from cases.models import ApprovalStatus, Assessment, Family, Membership, PlanAction
from cases.programme.selectors import family_programme
from consent.factories import ConsentRecordFactory
from fss.core.models import AccessLogEntry

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _date(prefix: str, value) -> dict:
    return {f"{prefix}_0": value.day, f"{prefix}_1": value.month, f"{prefix}_2": value.year}


def need(code):
    return framework().headline_outcomes.get(code=code)


def case_with_work(team, *, lead_worker=None, needs=("education",), actions=1, reviews=1, agreed=True):
    """A family with an open case, the family's agreement, an approved assessment and plan."""
    family = FamilyFactory(team=team, lead_worker=lead_worker)
    start = TODAY() - relativedelta(years=2)
    parent = PersonFactory(age=36)
    MembershipFactory(
        person=parent,
        family=family,
        role=Membership.Role.PARENT_CARER,
        has_parental_responsibility=True,
        start_date=start,
    )
    MembershipFactory(family=family, role=Membership.Role.CHILD, person__age=9, start_date=start)
    case = CaseFactory(family=family, opened_on=TODAY() - timedelta(days=120), lead_worker=lead_worker)
    if agreed:
        for purpose in ("service", "record"):
            ConsentRecordFactory(
                person=parent, family=family, purpose_code=purpose, decided_on=case.opened_on
            )
    AssessmentFactory(case=case, identified=list(needs))
    plan = PlanFactory(case=case)
    for number in range(actions):
        PlanActionFactory(
            plan=plan, need=need(needs[number % len(needs)]), owner=lead_worker or plan.created_by
        )
    for number in range(reviews):
        ReviewFactory(case=case, held_on=case.opened_on + timedelta(days=10 + number))
    for code in needs:
        OutcomeFactory(case=case, need=need(code), achieved_on=case.opened_on + timedelta(days=30))
    return case


@pytest.fixture
def case(north_team, caseworker):
    return case_with_work(north_team, lead_worker=caseworker)


def url(name, case, **kwargs):
    return reverse(f"cases:{name}", kwargs={"pk": case.family_id, "case_pk": case.pk, **kwargs})


def _write_urls(case):
    plan = case.plans.get()
    action = plan.actions.first()
    return [
        url("programme_assessment_new", case),
        url("programme_plan_new", case),
        url("programme_action_new", case, plan_pk=plan.pk),
        url("programme_action_status", case, action_pk=action.pk),
        url("programme_review_new", case),
        url("programme_outcome_new", case),
    ]


class TestPermissions:
    @pytest.mark.parametrize(
        ("persona", "status"),
        [
            ("caseworker", 200),
            ("colleague", 200),
            ("manager", 200),
            ("dpo", 200),
            ("other_caseworker", 404),
            ("analyst", 403),
            ("records_officer", 403),
            ("sysadmin", 403),
        ],
        indirect=["persona"],
    )
    def test_programme_page(self, client, case, persona, status):
        client.force_login(persona)
        assert client.get(url("programme", case)).status_code == status
        logged = AccessLogEntry.objects.filter(family_id=case.family_id, user=persona, action="view")
        assert logged.exists() is (status == 200)

    @pytest.mark.parametrize(
        ("persona", "status"),
        [
            ("caseworker", 200),
            ("manager", 200),
            ("other_caseworker", 404),
            ("dpo", 403),
            ("analyst", 403),
            ("records_officer", 403),
            ("sysadmin", 403),
        ],
        indirect=["persona"],
    )
    def test_write_pages(self, client, case, persona, status):
        client.force_login(persona)
        for address in _write_urls(case):
            assert client.get(address).status_code == status, address

    @pytest.mark.parametrize(
        ("persona", "status"),
        [("manager", 200), ("caseworker", 403), ("colleague", 403), ("other_caseworker", 404), ("dpo", 403)],
        indirect=["persona"],
    )
    def test_approval_pages_are_for_the_teams_manager(self, client, case, persona, status):
        assessment = case.assessments.get()
        plan = case.plans.get()
        client.force_login(persona)
        assert (
            client.get(url("programme_assessment_approve", case, assessment_pk=assessment.pk)).status_code
            == status
        )
        assert client.get(url("programme_plan_approve", case, plan_pk=plan.pk)).status_code == status

    def test_a_case_of_another_family_is_404(self, client, case, caseworker, north_team):
        other = case_with_work(north_team, lead_worker=caseworker)
        client.force_login(caseworker)
        address = reverse("cases:programme", kwargs={"pk": case.family_id, "case_pk": other.pk})
        assert client.get(address).status_code == 404

    def test_dpo_reads_without_change_links(self, client, case, dpo):
        client.force_login(dpo)
        html = client.get(url("programme", case)).content.decode()
        assert "Getting a good education" in html
        assert url("programme_review_new", case) not in html

    @pytest.mark.parametrize(
        ("persona", "status"), [("manager", 200), ("caseworker", 403), ("analyst", 403)], indirect=["persona"]
    )
    def test_team_approvals_page(self, client, persona, status, north_team):
        client.force_login(persona)
        assert (
            client.get(reverse("cases:programme_team_approvals", args=[north_team.pk])).status_code == status
        )


class TestProgrammePage:
    def test_shows_needs_plan_outcomes_and_what_a_claim_still_needs(self, client, case, caseworker):
        client.force_login(caseworker)
        response = client.get(url("programme", case))
        html = response.content.decode()
        assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
        assert "Getting a good education" in html
        assert "Evidence of getting a good education" in html
        assert "The case is still open" in html
        assert (
            "1 need identified; the National Supporting Families Outcome Framework asks for at least 3."
            in html
        )
        entry = AccessLogEntry.objects.get(family_id=case.family_id, action="view")
        assert (entry.record_type, entry.view_name) == ("cases.case", "cases:programme")

    def test_query_count_does_not_grow_with_the_work_recorded(self, client, caseworker, north_team):
        small = case_with_work(north_team, lead_worker=caseworker, needs=("education",), actions=1, reviews=1)
        large = case_with_work(
            north_team,
            lead_worker=caseworker,
            needs=("education", "housing", "financial_stability", "health"),
            actions=12,
            reviews=6,
        )
        AssessmentFactory(case=large, identified=["crime"], status=ApprovalStatus.DRAFT)
        client.force_login(caseworker)
        counts = []
        for each in (small, large):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url("programme", each)).status_code == 200
            counts.append(len(captured))
        assert counts[0] == counts[1]
        assert counts[1] <= 25


class TestFamilySection:
    def _render(self, family):
        with CaptureQueriesContext(connection) as captured:
            html = render_to_string(
                "cases/programme/_family_section.html",
                {"programme": family_programme(family), "family": family, "today": TODAY()},
            )
        return html, len(captured)

    def test_summarises_each_case_in_a_fixed_number_of_queries(self, north_team, caseworker):
        small = case_with_work(north_team, lead_worker=caseworker).family
        large_case = case_with_work(
            north_team, lead_worker=caseworker, needs=("education", "housing", "crime"), actions=9, reviews=4
        )
        large = large_case.family
        CaseFactory(
            family=large,
            opened_on=TODAY() - relativedelta(years=3),
            closed=True,
            closed_on=TODAY() - relativedelta(years=2),
        )
        small_html, small_count = self._render(small)
        large_html, large_count = self._render(large)
        assert small_count == large_count <= 8
        assert "Secure housing" in large_html
        assert "3 of 3 needs achieved" in large_html
        assert "conditions not met yet" in large_html  # the closed case has no assessment
        assert reverse("cases:programme", kwargs={"pk": large.pk, "case_pk": large_case.pk}) in large_html
        assert "1 of 1 need achieved" in small_html

    def test_costs_six_queries_when_the_page_has_its_cases_and_members(self, north_team, caseworker):
        family = case_with_work(north_team, lead_worker=caseworker).family
        family = Family.objects.prefetch_related("memberships__person").get(pk=family.pk)
        cases = list(family.cases.all())
        with CaptureQueriesContext(connection) as captured:
            programme = family_programme(family, cases=cases)
            render_to_string(
                "cases/programme/_family_section.html",
                {"programme": programme, "family": family, "today": TODAY()},
            )
        assert len(captured) == 6


class TestForms:
    def test_records_an_assessment_one_row_per_headline_outcome(self, client, case, caseworker):
        client.force_login(caseworker)
        data = {
            **_date("assessed_on", TODAY()),
            "is_whole_family": "on",
            "need_housing_identified": "on",
            "need_housing_evidence": "Section 21 notice seen",
            "need_crime_identified": "on",
            "need_crime_evidence": "Police report",
        }
        response = client.post(url("programme_assessment_new", case), data)
        assert response.status_code == 302
        assessment = case.assessments.get(status=ApprovalStatus.DRAFT)
        assert sorted(
            assessment.needs.filter(identified=True).values_list("headline_outcome__code", flat=True)
        ) == [
            "crime",
            "housing",
        ]

    def test_errors_show_beside_the_field_and_nothing_is_saved(self, client, case, caseworker):
        client.force_login(caseworker)
        response = client.post(
            url("programme_assessment_new", case),
            {**_date("assessed_on", TODAY() + timedelta(days=2)), "need_housing_identified": "on"},
        )
        assert response.status_code == 200
        assert "The date of the assessment must be today or in the past." in response.content.decode()
        assert response.context["form"].errors["assessed_on"]
        assert case.assessments.count() == 1

    def test_refuses_work_before_agreement_with_the_reason(self, client, north_team, caseworker):
        unagreed = case_with_work(north_team, lead_worker=caseworker, agreed=False)
        client.force_login(caseworker)
        response = client.post(
            url("programme_review_new", unagreed),
            {**_date("held_on", TODAY()), "attendees": "Parent", "summary": "Met"},
        )
        assert response.status_code == 200
        assert "agreement to work with the service not recorded" in response.content.decode()

    def test_submit_then_manager_approves(self, client, case, caseworker, manager):
        draft = AssessmentFactory(
            case=case, status=ApprovalStatus.DRAFT, assessor=caseworker, identified=["housing"]
        )
        client.force_login(caseworker)
        client.post(url("programme_assessment_submit", case, assessment_pk=draft.pk))
        draft.refresh_from_db()
        assert draft.awaits_approval
        client.force_login(manager)
        response = client.post(
            url("programme_assessment_approve", case, assessment_pk=draft.pk),
            {"decision": "approve", "comment": "OK"},
        )
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.status == Assessment.Status.APPROVED

    def test_adds_a_partner_practitioners_action(self, client, case, caseworker):
        plan = case.plans.get()
        client.force_login(caseworker)
        response = client.post(
            url("programme_action_new", case, plan_pk=plan.pk),
            {
                "description": "Speech and language referral",
                "need": need("education").pk,
                "owner_kind": "partner",
                "partner_name": "Sam Ode",
                "partner_organisation": "NHS community health",
                "partner_role": "Speech therapist",
                **_date("due_on", TODAY() + timedelta(days=30)),
            },
        )
        assert response.status_code == 302
        action = plan.actions.get(partner_name="Sam Ode")
        assert action.owner is None

    def test_action_due_before_the_plan_started_is_refused_beside_the_field(self, client, case, caseworker):
        plan = case.plans.get()
        client.force_login(caseworker)
        response = client.post(
            url("programme_action_new", case, plan_pk=plan.pk),
            {
                "description": "Call",
                "owner_kind": "worker",
                "owner": caseworker.pk,
                **_date("due_on", plan.starts_on - timedelta(days=1)),
            },
        )
        assert response.status_code == 200
        assert "The due date must be on or after the plan started" in " ".join(
            response.context["form"].errors["due_on"]
        )

    def test_records_an_outcome_and_a_status(self, client, case, caseworker):
        client.force_login(caseworker)
        response = client.post(
            url("programme_outcome_new", case),
            {"need": need("education").pk, "progress": "some", "progress_note": "Attendance 88%"},
        )
        assert response.status_code == 302
        action = PlanAction.objects.filter(plan__case=case).first()
        client.post(url("programme_action_status", case, action_pk=action.pk), {"status": "in_progress"})
        action.refresh_from_db()
        assert action.status == "in_progress"
