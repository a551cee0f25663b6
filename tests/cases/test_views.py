"""Caseworker pages: what each user sees, errors beside fields, access logged, fixed query counts.

SPEC §4.4.
"""

import html
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.factories import (
    CaseFactory,
    FamilyAddressFactory,
    FamilyFactory,
    MembershipFactory,
    PersonFactory,
)
from cases.models import Case, CaseNote, Family, Membership, Referral, TeamApprovalSetting
from fss.core.factories import UserFactory
from fss.core.models import AccessLogEntry

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _date(prefix: str, value) -> dict:
    return {f"{prefix}_0": value.day, f"{prefix}_1": value.month, f"{prefix}_2": value.year}


def _family_with_people(team, *, lead_worker=None, people=3, notes=2):
    family = FamilyFactory(team=team, lead_worker=lead_worker)
    FamilyAddressFactory(family=family)
    case = CaseFactory(family=family, lead_worker=lead_worker, opened_on=TODAY() - timedelta(days=60))
    # Fixed ages: whether anyone may agree for the family changes which consent queries run.
    members = [MembershipFactory(family=family, person=PersonFactory(age=8)).person for _ in range(people)]
    for _ in range(notes):
        note = CaseNote.objects.create(
            case=case, kind="visit", occurred_on=TODAY(), text="Visit", author=lead_worker or UserFactory()
        )
        note.people_present.set(members[:2])
    return family


def _queries(client, url, method="get", data=None) -> int:
    # Warm up first: per-process caches (content types, permissions) must not count.
    getattr(client, method)(url, data or {})
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {})
    assert response.status_code == 200
    return len(captured)


class TestFamilyPage:
    def test_shows_members_cases_and_retention_and_logs_the_read(self, client, caseworker, north_team):
        family = _family_with_people(north_team, lead_worker=caseworker)
        person = family.memberships.first().person
        client.force_login(caseworker)
        response = client.get(reverse("cases:family_detail", args=[family.pk]))
        html = response.content.decode()
        assert response.status_code == 200
        assert person.given_name in html
        assert "Kept while we are working with the family" in html
        assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
        entry = AccessLogEntry.objects.get(family_id=family.pk, action="view")
        assert (entry.user, entry.view_name, entry.is_break_glass) == (
            caseworker,
            "cases:family_detail",
            False,
        )

    def test_shows_the_destruction_date_of_a_closed_family(self, client, caseworker, north_team):
        family = FamilyFactory(team=north_team)
        CaseFactory(family=family, closed=True, closed_on=TODAY() - relativedelta(years=1))
        client.force_login(caseworker)
        html = client.get(reverse("cases:family_detail", args=[family.pk])).content.decode()
        due = TODAY() - relativedelta(years=1) + relativedelta(years=7)
        assert f"Kept until <strong>{due.day} {due:%B %Y}</strong>" in html

    @pytest.mark.parametrize(
        "persona", ["other_caseworker", "analyst", "sysadmin", "records_officer"], indirect=True
    )
    def test_is_404_for_anyone_without_a_grant(self, client, persona, north_team):
        family = _family_with_people(north_team)
        client.force_login(persona)
        assert client.get(reverse("cases:family_detail", args=[family.pk])).status_code == 404
        assert not AccessLogEntry.objects.filter(family_id=family.pk).exists()

    def test_dpo_reads_with_a_notice_and_the_read_is_logged(self, client, dpo, north_team):
        family = _family_with_people(north_team)
        client.force_login(dpo)
        response = client.get(reverse("cases:family_detail", args=[family.pk]))
        assert "as Data Protection Officer" in response.content.decode()
        assert AccessLogEntry.objects.filter(family_id=family.pk, user=dpo).exists()

    def test_query_count_does_not_grow_with_the_family(self, client, caseworker, north_team):
        small = _family_with_people(north_team, lead_worker=caseworker, people=1, notes=1)
        large = _family_with_people(north_team, lead_worker=caseworker, people=8, notes=12)
        client.force_login(caseworker)
        small_count = _queries(client, reverse("cases:family_detail", args=[small.pk]))
        large_count = _queries(client, reverse("cases:family_detail", args=[large.pk]))
        assert small_count == large_count
        # SPEC §11: at most 15 per page (tests/cases/test_query_counts.py measures more pages).
        assert large_count <= 15


class TestMyWork:
    def test_lists_my_open_cases_and_waiting_referrals(self, client, caseworker, colleague, north_team):
        mine = CaseFactory(family=FamilyFactory(team=north_team), lead_worker=caseworker)
        CaseFactory(family=FamilyFactory(team=north_team), lead_worker=colleague)
        waiting = FamilyFactory(team=north_team)
        Referral.objects.create(
            family=waiting, received_on=TODAY(), source="school", reason="x", recorded_by=colleague
        )
        client.force_login(caseworker)
        work = client.get(reverse("cases:my_work")).context["work"]
        assert work.open_cases == [mine]
        assert [r.family for r in work.referrals_waiting] == [waiting]

    def test_query_count_does_not_grow_with_the_caseload(self, client, caseworker, north_team):
        CaseFactory(family=FamilyFactory(team=north_team), lead_worker=caseworker)
        client.force_login(caseworker)
        few = _queries(client, reverse("cases:my_work"))
        for _ in range(10):
            CaseFactory(family=FamilyFactory(team=north_team), lead_worker=caseworker)
        assert _queries(client, reverse("cases:my_work")) == few

    def test_is_refused_to_roles_without_family_access(self, client, analyst):
        client.force_login(analyst)
        assert client.get(reverse("cases:my_work")).status_code == 403


class TestSearch:
    def _search(self, client, **data):
        return client.post(reverse("cases:family_search"), data)

    def test_finds_by_name_despite_case_accents_hyphens_and_a_typo(self, client, caseworker, north_team):
        family = FamilyFactory(team=north_team)
        MembershipFactory(family=family, person=PersonFactory(given_name="Zoë", family_name="O'Brien-Smith"))
        client.force_login(caseworker)
        for query in ["zoe obrien smith", "ZOE O BRIEN", "Zoe Obrein-Smith"]:
            results = self._search(client, name=query).context["results"]
            assert [r.family for r in results] == [family], query
        assert AccessLogEntry.objects.filter(family_id=family.pk, action="search").exists()

    def test_never_returns_families_outside_the_grant(self, client, caseworker, south_team):
        family = FamilyFactory(team=south_team)
        MembershipFactory(family=family, person=PersonFactory(given_name="Hidden", family_name="Person"))
        client.force_login(caseworker)
        assert self._search(client, name="Hidden Person").context["results"] == []

    def test_finds_by_postcode_reference_and_date_of_birth(self, client, caseworker, north_team):
        family = FamilyFactory(team=north_team)
        FamilyAddressFactory(family=family, postcode="HP20 1UA")
        child = MembershipFactory(family=family).person
        client.force_login(caseworker)
        assert self._search(client, postcode="hp201ua").context["results"][0].family == family
        assert self._search(client, reference=family.reference.lower()).context["results"][0].family == family
        dob = child.date_of_birth.strftime("%d/%m/%Y")
        assert self._search(client, date_of_birth=dob).context["results"][0].family == family

    def test_searches_by_post_so_names_stay_out_of_urls(self, client, caseworker):
        client.force_login(caseworker)
        html = client.get(reverse("cases:family_search")).content.decode()
        assert 'method="post"' in html

    def test_an_empty_search_explains_what_to_enter(self, client, caseworker):
        client.force_login(caseworker)
        html = self._search(client).content.decode()
        assert "Enter a name, date of birth, postcode or family reference" in html


class TestReferralToClosure:
    """The whole journey a caseworker makes, through the pages."""

    def test_referral_members_decision_note_and_closure(self, client, caseworker, manager, north_team):
        client.force_login(caseworker)
        received = TODAY() - timedelta(days=7)
        response = client.post(
            reverse("cases:referral_new"),
            {
                **_date("received_on", received),
                "source": "school",
                "reason": "Attendance below 80%",
                "line_1": "2 High Street",
                "town": "Aylesbury",
                "postcode": "hp20 1ua",
            },
        )
        family = Family.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("cases:member_add", args=[family.pk])
        assert family.addresses.get().postcode == "HP20 1UA"

        child_born = TODAY() - relativedelta(years=8)
        response = client.post(
            reverse("cases:member_add", args=[family.pk]),
            {
                "given_name": "Ada",
                "family_name": "Example",
                **_date("date_of_birth", child_born),
                "role": "child",
                **_date("start_date", received),
            },
        )
        assert response.status_code == 302
        child = family.memberships.get().person

        response = client.post(
            reverse("cases:member_add", args=[family.pk]),
            {
                "given_name": "Grace",
                "family_name": "Example",
                **_date("date_of_birth", TODAY() - relativedelta(years=35)),
                "role": "parent_carer",
                "has_parental_responsibility": "on",
                **_date("start_date", received),
            },
        )
        assert response.status_code == 302
        mum = family.memberships.get(role="parent_carer").person

        referral = family.referrals.get()
        response = client.post(
            reverse("cases:referral_decide", args=[family.pk, referral.pk]),
            {"decision": "accept", **_date("decided_on", TODAY())},
        )
        assert response.status_code == 302
        case = family.cases.get()
        assert case.status == Case.Status.OPEN

        # No notes until the family agrees (SPEC §5.2): the page says what to do.
        note = {"kind": "visit", **_date("occurred_on", TODAY()), "text": "Met Ada at school."}
        response = client.post(reverse("cases:note_add", args=[family.pk, case.pk]), note)
        assert "Record the family&#x27;s agreement" in response.content.decode()
        assert not case.notes.exists()

        response = client.post(
            reverse("consent:record_visit", args=[family.pk]),
            {
                **_date("decided_on", TODAY()),
                "method": "verbal",
                f"p{mum.pk}-service": "given",
                f"p{mum.pk}-record": "given",
                f"p{mum.pk}-decided_by": mum.pk,
                f"p{mum.pk}-capacity": "self",
                f"p{child.pk}-decided_by": mum.pk,
                f"p{child.pk}-capacity": "parental_responsibility",
            },
        )
        assert response.status_code == 302, response.content.decode()

        response = client.post(
            reverse("cases:note_add", args=[family.pk, case.pk]),
            {
                "kind": "visit",
                **_date("occurred_on", TODAY()),
                "text": "Met Ada at school.",
                "people_present": [child.pk],
            },
        )
        assert response.status_code == 302
        assert list(case.notes.get().people_present.all()) == [child]

        # The team asks a manager to approve closures (the default): the case waits for them.
        response = client.post(
            reverse("cases:case_close", args=[family.pk, case.pk]),
            {**_date("closed_on", TODAY()), "reason": "needs_met"},
            follow=True,
        )
        due = TODAY() + relativedelta(years=7)
        assert f"If it is approved, the family's records will be kept until {due.day} {due:%B %Y}" in (
            html.unescape(response.content.decode())
        )
        closure = case.closure_requests.get()
        client.force_login(manager)
        response = client.post(
            reverse("cases:closure_decide", args=[family.pk, case.pk, closure.pk]),
            {"decision": "approve", "comment": "Agreed."},
            follow=True,
        )
        assert f"kept until {due.day} {due:%B %Y}" in response.content.decode()
        case.refresh_from_db()
        assert case.status == Case.Status.CLOSED

    def test_a_team_without_closure_approval_closes_at_once(self, client, caseworker, north_team):
        TeamApprovalSetting.objects.create(team=north_team, approve_closures=False)
        case = CaseFactory(family=FamilyFactory(team=north_team), opened_on=TODAY() - timedelta(days=5))
        client.force_login(caseworker)
        response = client.post(
            reverse("cases:case_close", args=[case.family.pk, case.pk]),
            {**_date("closed_on", TODAY()), "reason": "needs_met"},
            follow=True,
        )
        due = TODAY() + relativedelta(years=7)
        assert f"Case closed. The family's records will be kept until {due.day} {due:%B %Y}" in (
            html.unescape(response.content.decode())
        )
        case.refresh_from_db()
        assert case.status == Case.Status.CLOSED

    def test_an_ineligible_family_is_refused_with_the_reason_beside_the_decision(
        self, client, caseworker, north_team
    ):
        family = FamilyFactory(team=north_team)
        MembershipFactory(family=family, person=PersonFactory(age=40), role=Membership.Role.PARENT_CARER)
        referral = Referral.objects.create(
            family=family, received_on=TODAY(), source="self", reason="x", recorded_by=caseworker
        )
        client.force_login(caseworker)
        response = client.post(
            reverse("cases:referral_decide", args=[family.pk, referral.pk]),
            {"decision": "accept", **_date("decided_on", TODAY())},
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "There is a problem" in html
        assert "This family is not eligible" in html
        assert not Case.objects.exists()

    def test_impossible_and_future_dates_are_refused_beside_the_field(self, client, caseworker, north_team):
        client.force_login(caseworker)
        response = client.post(
            reverse("cases:referral_new"),
            {
                "received_on_0": "31",
                "received_on_1": "2",
                "received_on_2": "2026",
                "source": "school",
                "reason": "x",
                "line_1": "1",
                "town": "T",
                "postcode": "not a postcode",
            },
        )
        html = response.content.decode()
        assert "Date the referral was received must be a real date" in html
        assert "Enter a full UK postcode" in html
        tomorrow = TODAY() + timedelta(days=1)
        response = client.post(
            reverse("cases:referral_new"),
            {
                **_date("received_on", tomorrow),
                "source": "school",
                "reason": "x",
                "line_1": "1",
                "town": "T",
                "postcode": "HP20 1UA",
            },
        )
        assert "must be today or in the past" in response.content.decode()
        assert not Family.objects.exists()

    def test_closure_before_opening_is_refused(self, client, caseworker, north_team):
        case = CaseFactory(family=FamilyFactory(team=north_team), opened_on=TODAY() - timedelta(days=5))
        client.force_login(caseworker)
        response = client.post(
            reverse("cases:case_close", args=[case.family.pk, case.pk]),
            {**_date("closed_on", TODAY() - timedelta(days=6)), "reason": "needs_met"},
        )
        assert "must be on or after the date the case opened" in response.content.decode()
        case.refresh_from_db()
        assert case.status == Case.Status.OPEN

    @pytest.mark.parametrize("persona", ["other_caseworker", "dpo"], indirect=True)
    def test_changes_are_404_without_a_change_grant(self, client, persona, north_team):
        case = CaseFactory(family=FamilyFactory(team=north_team))
        client.force_login(persona)
        response = client.post(
            reverse("cases:case_close", args=[case.family.pk, case.pk]),
            {**_date("closed_on", TODAY()), "reason": "needs_met"},
        )
        assert response.status_code in (403, 404)
        case.refresh_from_db()
        assert case.status == Case.Status.OPEN


class TestDuplicateCheck:
    def test_offers_the_existing_record_and_can_link_it(self, client, caseworker, north_team):
        first = FamilyFactory(team=north_team)
        existing = MembershipFactory(
            family=first, person=PersonFactory(given_name="Jordan", family_name="Reeves")
        ).person
        second = FamilyFactory(team=north_team)
        client.force_login(caseworker)
        data = {
            "given_name": "Jordon",
            "family_name": "reeves",
            **_date("date_of_birth", existing.date_of_birth),
            "role": "child",
            **_date("start_date", TODAY()),
        }
        response = client.post(reverse("cases:member_add", args=[second.pk]), data)
        assert "Is this someone we already know?" in response.content.decode()
        assert response.context["duplicates"] == [existing]
        assert not second.memberships.exists()

        response = client.post(
            reverse("cases:member_add", args=[second.pk]), {**data, "existing_person": existing.pk}
        )
        assert response.status_code == 302
        assert second.memberships.get().person == existing

    def test_a_new_record_can_still_be_created_after_the_check(self, client, caseworker, north_team):
        existing = MembershipFactory(family=FamilyFactory(team=north_team)).person
        family = FamilyFactory(team=north_team)
        client.force_login(caseworker)
        data = {
            "given_name": existing.given_name,
            "family_name": existing.family_name,
            **_date("date_of_birth", existing.date_of_birth),
            "role": "child",
            **_date("start_date", TODAY()),
            "confirm_new_person": "on",
        }
        assert client.post(reverse("cases:member_add", args=[family.pk]), data).status_code == 302
        assert family.memberships.get().person != existing


class TestBreakGlass:
    def test_opens_a_family_outside_the_team_with_a_reason(self, client, caseworker, south_team):
        family = FamilyFactory(team=south_team)
        client.force_login(caseworker)
        response = client.post(
            reverse("cases:break_glass"),
            {"reference": family.reference.lower(), "reason": "Police called about an immediate risk"},
            follow=True,
        )
        html = response.content.decode()
        assert "emergency (break-glass) access" in html
        assert AccessLogEntry.objects.filter(family_id=family.pk, is_break_glass=True).count() == 2

    def test_an_unknown_reference_is_explained(self, client, caseworker):
        client.force_login(caseworker)
        response = client.post(
            reverse("cases:break_glass"), {"reference": "FSS-0000-0000", "reason": "Police called about risk"}
        )
        assert "There is no family with that reference" in response.content.decode()


def test_my_work_has_a_plain_title(client, caseworker):
    client.force_login(caseworker)
    html = client.get(reverse("cases:my_work")).content.decode()
    title = html[html.index("<title>") : html.index("</title>")]
    assert "<" not in title[len("<title>") :]
    assert title.startswith("<title>My work – ")
