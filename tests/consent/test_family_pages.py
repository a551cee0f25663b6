"""A family's consent pages: the matrix, one decision, a visit's decisions all or nothing (SPEC §5)."""

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from cases.factories import CaseFactory, FamilyFactory, MembershipFactory, PersonFactory
from cases.models import Membership
from consent.factories import give_agreement
from consent.models import ConsentRecord
from fss.core.models import AccessLogEntry

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _date(prefix, value):
    return {f"{prefix}_0": value.day, f"{prefix}_1": value.month, f"{prefix}_2": value.year}


@pytest.fixture
def household(north_team):
    family = FamilyFactory(team=north_team)
    joined = TODAY() - relativedelta(years=3)
    mum = MembershipFactory(
        family=family,
        role=Membership.Role.PARENT_CARER,
        has_parental_responsibility=True,
        person=PersonFactory(given_name="Grace", age=36),
        start_date=joined,
    ).person
    child = MembershipFactory(
        family=family,
        role=Membership.Role.CHILD,
        person=PersonFactory(given_name="Ada", age=7),
        start_date=joined,
    ).person
    return family, mum, child


def test_the_family_page_shows_the_consent_matrix_and_the_gate(client, caseworker, household):
    family, mum, _child = household
    client.force_login(caseworker)
    html = client.get(reverse("cases:family_detail", args=[family.pk])).content.decode()
    assert "Agreement needed" in html
    give_agreement(family=family, person=mum, by=caseworker, on=TODAY())
    html = client.get(reverse("cases:family_detail", args=[family.pk])).content.decode()
    assert "Agreement needed" not in html
    assert 'govuk-tag--green">Given' in html


def test_the_consent_page_lists_every_decision_and_logs_the_read(client, caseworker, household):
    family, mum, _child = household
    give_agreement(family=family, person=mum, by=caseworker, on=TODAY())
    client.force_login(caseworker)
    response = client.get(reverse("consent:family_consent", args=[family.pk]))
    assert response.status_code == 200
    assert len(response.context["history"]) == 2
    assert "Work can go ahead" in response.content.decode()
    assert AccessLogEntry.objects.filter(family_id=family.pk, view_name="consent:family_consent").exists()


@pytest.mark.parametrize("persona", ["other_caseworker", "analyst"], indirect=True)
def test_consent_pages_are_closed_to_people_without_a_grant(client, persona, household):
    family, _mum, _child = household
    client.force_login(persona)
    assert client.get(reverse("consent:family_consent", args=[family.pk])).status_code in (403, 404)
    assert client.get(reverse("consent:record_visit", args=[family.pk])).status_code in (403, 404)


def test_a_visit_records_several_peoples_decisions(client, caseworker, household):
    family, mum, child = household
    client.force_login(caseworker)
    response = client.post(
        reverse("consent:record_visit", args=[family.pk]),
        {
            **_date("decided_on", TODAY()),
            "method": "written",
            f"p{mum.pk}-service": "given",
            f"p{mum.pk}-record": "given",
            f"p{mum.pk}-programme": "refused",
            f"p{mum.pk}-decided_by": mum.pk,
            f"p{mum.pk}-capacity": "self",
            f"p{child.pk}-programme": "given",
            f"p{child.pk}-decided_by": mum.pk,
            f"p{child.pk}-capacity": "parental_responsibility",
        },
    )
    assert response.status_code == 302
    assert ConsentRecord.objects.filter(family=family).count() == 4
    assert ConsentRecord.objects.get(person=child).decided_by == mum


def test_a_visit_with_one_invalid_decision_saves_nothing_and_says_which(client, caseworker, household):
    family, mum, child = household
    client.force_login(caseworker)
    response = client.post(
        reverse("consent:record_visit", args=[family.pk]),
        {
            **_date("decided_on", TODAY()),
            "method": "verbal",
            f"p{mum.pk}-service": "given",
            f"p{mum.pk}-decided_by": mum.pk,
            f"p{mum.pk}-capacity": "self",
            # A 7-year-old cannot decide for themselves without a competence decision.
            f"p{child.pk}-programme": "given",
            f"p{child.pk}-decided_by": child.pk,
            f"p{child.pk}-capacity": "self",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Ada" in html
    assert not ConsentRecord.objects.exists()


def test_withdrawing_the_agreement_to_work_prompts_closing_the_case(client, caseworker, household):
    family, mum, _child = household
    case = CaseFactory(family=family, opened_on=TODAY() - relativedelta(days=20))
    give_agreement(family=family, person=mum, by=caseworker, on=TODAY())
    client.force_login(caseworker)
    response = client.post(
        reverse("consent:record_decision", args=[family.pk]),
        {
            "person": mum.pk,
            "purpose": "service",
            "decision": "withdrawn",
            "decided_by": mum.pk,
            "capacity": "self",
            "method": "verbal",
            **_date("decided_on", TODAY()),
        },
    )
    close_url = reverse("cases:case_close", args=[family.pk, case.pk])
    assert response.status_code == 302
    assert response["Location"] == f"{close_url}?reason=consent_withdrawn"
    form = client.get(response["Location"]).context["form"]
    assert form.initial["reason"] == "consent_withdrawn"


def test_withdrawing_what_was_never_given_is_refused_beside_the_decision(client, caseworker, household):
    family, mum, _child = household
    client.force_login(caseworker)
    response = client.post(
        reverse("consent:record_decision", args=[family.pk]),
        {
            "person": mum.pk,
            "purpose": "programme",
            "decision": "withdrawn",
            "decided_by": mum.pk,
            "capacity": "self",
            "method": "verbal",
            **_date("decided_on", TODAY()),
        },
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not ConsentRecord.objects.exists()


def test_my_work_lists_consent_reviews_due_in_my_families(client, caseworker, household):
    family, mum, _child = household
    family.lead_worker = caseworker
    family.save()
    from consent.services import record_consent

    record_consent(
        person=mum,
        family=family,
        purpose="partner:police",
        decision="given",
        decided_by=mum,
        capacity="self",
        method="verbal",
        decided_on=TODAY(),
        review_on=TODAY() + relativedelta(days=10),
        by=caseworker,
    )
    client.force_login(caseworker)
    work = client.get(reverse("cases:my_work")).context["work"]
    assert [record.person for record in work.consent_reviews_due] == [mum]


def test_the_education_opt_out_is_recorded_and_ended_from_the_person_page(client, caseworker, household):
    from consent.selectors import education_opt_out_in_force

    family, _mum, child = household
    client.force_login(caseworker)
    url = reverse("consent:education_opt_out", args=[family.pk, child.pk])
    page = client.get(reverse("cases:person_detail", args=[family.pk, child.pk])).content.decode()
    assert url in page
    response = client.post(url, {**_date("from_date", TODAY())})
    assert response.status_code == 302
    assert education_opt_out_in_force(person=child, on=TODAY())
    html = client.get(reverse("cases:person_detail", args=[family.pk, child.pk])).content.decode()
    assert "only name, address and date of birth may be shared" in html
    assert "End the education opt-out" in client.get(url).content.decode()
    client.post(url, {**_date("from_date", TODAY())})
    assert not education_opt_out_in_force(person=child, on=TODAY() + relativedelta(days=1))


def test_an_opt_out_dated_in_the_future_is_refused(client, caseworker, household):
    family, _mum, child = household
    client.force_login(caseworker)
    url = reverse("consent:education_opt_out", args=[family.pk, child.pk])
    response = client.post(url, {**_date("from_date", TODAY() + relativedelta(days=5))})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
