"""The benchmark data set (SPEC §11): N synthetic families with everything a real caseload holds.

Per family, on average: 4 people (1–2 adults, 1–4 children; 1% of families
share an adult with another), 1.3 referrals and cases, 20 case notes (half name
who was present, some who was mentioned), consent records, the programme's
assessment, plan, actions, review and outcomes for most cases, object grants,
access-log lines, and — for a share — documents (real files), paper records
and disclosures to partners. Every model with django-simple-history gets its
"created" history row, and the encrypted fields (special category details, note
text, the programme's evidence and progress notes) are encrypted through the
field (`bench.bulk` calls its `get_db_prep_value`), as the application would.

Case histories are spread over ten years. So that a freshly generated set is
in the steady state a nightly sweep leaves behind, families whose records
fell due are either under a legal hold or inside their notice period; the
families the destruction benchmark destroys are added by `add_due_families`
on each run (listed 31 days earlier, as in `cases.demo`).

Rows are written with PostgreSQL COPY (`bench.bulk`), 1,000 families per
transaction. Everything is derived from the family's number and the seed, so
two runs build the same set.
"""

import json
import random
import secrets
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction
from django.utils import timezone
from faker.providers.person.en_GB import Provider as NAMES

from bench.bulk import M2MHistoryTable, Table, reset_sequences
from cases.models import (
    ApprovalEvent,
    Assessment,
    AssessmentNeed,
    Case,
    CaseEvent,
    CaseNote,
    Document,
    Family,
    FamilyAddress,
    FamilyGroupObjectPermission,
    FamilyUserObjectPermission,
    Membership,
    Outcome,
    PaperRecord,
    Person,
    Plan,
    PlanAction,
    ProgrammeFramework,
    Referral,
    Review,
)
from consent.models import ConsentRecord
from fss.core import roles
from fss.core.models import AccessLogEntry, Team, TeamMembership, User
from retention.models import LegalHold
from sharing.models import DataSharingAgreement, Disclosure, Organisation, SharingPurpose

PREFIX = "BENCH-"
SAR_SUBJECT_REFERENCE = "BENCH-SAR-0001"
TEAMS = 20
WORKERS_PER_TEAM = 24
BATCH = 1000
SAR_NOTES = 2000
SAR_DOCUMENTS = 50

FEMALE = list(NAMES.first_names_female)
MALE = list(NAMES.first_names_male)
SURNAMES = list(NAMES.last_names)
STREETS = ["High Street", "Church Lane", "Station Road", "Mill Close", "Park Avenue", "Queens Road"]
STREETS += ["Victoria Street", "The Green", "Orchard Way", "Kingsway", "Meadow View", "Brook Street"]
TOWNS = [
    ("Aylesbury", "HP"),
    ("High Wycombe", "HP"),
    ("Chesham", "HP"),
    ("Amersham", "HP"),
    ("Buckingham", "MK"),
    ("Marlow", "SL"),
]
INWARD = "ABDEFGHJLNPQRSTUWXYZ"
GENDERS = ["female", "male", "other", "not_obtained", "prefers_not_to_say"]
GENDER_WEIGHTS = [46, 46, 1, 6, 1]
ETHNICITIES = ["white_british", "white_other", "asian_pakistani", "asian_indian", "black_african"]
ETHNICITIES += [
    "black_caribbean",
    "mixed_white_asian",
    "mixed_white_black_caribbean",
    "other",
    "not_obtained",
]
ETHNICITY_WEIGHTS = [68, 6, 6, 3, 3, 2, 2, 2, 2, 6]
RELIGIONS = ["none", "christian", "muslim", "hindu", "sikh", "not_obtained", "prefers_not_to_say"]
RELIGION_WEIGHTS = [35, 35, 8, 2, 2, 15, 3]
SOURCES = ["school", "police", "health", "self", "other"]
REASONS = [
    "Attendance has fallen below 80% this term.",
    "Police notification after an incident at home.",
    "Health visitor concerned about the baby's weight and parental stress.",
    "Family asked for help with housing and debt.",
    "School reports the child is withdrawn and often hungry.",
]
NOTE_TEXTS = [
    "Home visit with {a}. {c} was at school; talked through the plan and the family engaged well.",
    "Phone call with {a} about {c}'s attendance this week. School to send the register on Friday.",
    "Team Around the Family meeting. Actions agreed with school and the health visitor for {c}.",
    "Visit cancelled by {a}; rearranged for next week.",
    "Met {a} and {c} at the children's centre. {a} says the new routine is helping with bedtimes. "
    "In my professional opinion the household is calmer than at the last visit.",
    "Letter sent to {a} confirming the review date and who will attend.",
    "Call from the housing officer about rent arrears; {a} has agreed a repayment plan.",
]
NOTE_KINDS = ["visit", "phone", "meeting", "letter", "other"]
CLOSURES = ["needs_met", "needs_met", "needs_met", "moved_away", "disengaged", "stepped_up", "other"]


@dataclass
class Staff:
    teams: list[Team]
    workers: dict[int, list[int]]
    managers: dict[int, int]
    groups: dict[int, int]
    dpo: User
    caseworker: User


@dataclass
class Reference:
    """Rows the generator points at: permissions, frameworks, notice version, partners."""

    view_perm: int
    change_perm: int
    frameworks: list[tuple[date, date | None, int, list[int], int]]  # from, to, id, outcome ids, threshold
    notice_version: int
    organisations: list[tuple[int, int | None]]  # organisation id, agreement id (or None)
    purpose: int


def ensure_staff() -> Staff:
    """Twenty teams of 24 caseworkers and a manager, and a DPO: created once (in bulk), found after."""
    caseworker_group = Group.objects.get(name=roles.CASEWORKER)
    manager_group = Group.objects.get(name=roles.TEAM_MANAGER)
    dpo, made = User.objects.get_or_create(
        username="bench.dpo", defaults={"first_name": "Bench", "last_name": "DPO"}
    )
    if made:
        dpo.groups.add(Group.objects.get(name=roles.DPO))
    teams = [Team.objects.get_or_create(name=f"Bench team {t:02d}")[0] for t in range(1, TEAMS + 1)]
    wanted = {}
    for t, team in enumerate(teams, start=1):
        wanted[f"bench.t{t:02d}.manager"] = (team, manager_group, True)
        for w in range(1, WORKERS_PER_TEAM + 1):
            wanted[f"bench.t{t:02d}.w{w:02d}"] = (team, caseworker_group, False)
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    missing = [name for name in wanted if name not in existing]
    if missing:
        # Staff accounts in bulk (no sign-in password, no change history): the benchmark is about families.
        users = User.objects.bulk_create(
            [
                User(username=name, first_name=name.split(".")[-1].title(), last_name="Bench")
                for name in missing
            ]
        )
        for user in users:
            user.set_unusable_password()
        User.objects.bulk_update(users, ["password"])
        User.groups.through.objects.bulk_create(
            link
            for user in users
            for link in (
                User.groups.through(user_id=user.pk, group_id=wanted[user.username][1].pk),
                User.groups.through(user_id=user.pk, group_id=wanted[user.username][0].group_id),
            )
        )
        TeamMembership.objects.bulk_create(
            TeamMembership(user=user, team=wanted[user.username][0], is_manager=wanted[user.username][2])
            for user in users
        )
    ids = dict(User.objects.filter(username__in=wanted).values_list("username", "pk"))
    workers, managers, groups = {}, {}, {}
    for t, team in enumerate(teams, start=1):
        groups[team.pk] = team.group_id
        managers[team.pk] = ids[f"bench.t{t:02d}.manager"]
        workers[team.pk] = [ids[f"bench.t{t:02d}.w{w:02d}"] for w in range(1, WORKERS_PER_TEAM + 1)]
    caseworker = User.objects.get(pk=workers[teams[0].pk][0])
    return Staff(teams, workers, managers, groups, dpo, caseworker)


def reference_data(today: date) -> Reference:
    from cases.demo import ensure_pre_go_live_notice
    from sharing.demo import seed_sharing

    seed_sharing(today=today)
    frameworks = [
        (
            f.effective_from,
            f.effective_to,
            f.pk,
            list(f.headline_outcomes.order_by("order").values_list("pk", flat=True)),
            f.criteria_threshold,
        )
        for f in ProgrammeFramework.objects.order_by("effective_from")
    ]
    agreements = {
        party.organisation_id: party.agreement_id
        for agreement in DataSharingAgreement.objects.filter(end_date__isnull=True)
        for party in agreement.parties.all()
    }
    return Reference(
        view_perm=Permission.objects.get(codename="view_family", content_type__app_label="cases").pk,
        change_perm=Permission.objects.get(codename="change_family", content_type__app_label="cases").pk,
        frameworks=frameworks,
        notice_version=ensure_pre_go_live_notice().pk,
        organisations=[(pk, agreements.get(pk)) for pk in Organisation.objects.values_list("pk", flat=True)],
        purpose=SharingPurpose.objects.get(code="early_help").pk,
    )


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def _nhs_number(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(0, 9) for _ in range(9)]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        if check == 11:
            check = 0
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def _postcode(rng: random.Random, area: str) -> str:
    return f"{area}{rng.randint(1, 23)} {rng.randint(1, 9)}{rng.choice(INWARD)}{rng.choice(INWARD)}"


@dataclass
class CaseSpan:
    pk: int
    opened: date
    closed: date | None
    worker: int


@dataclass
class Household:
    family: int
    worker: int
    team: int
    adults: list[tuple[int, str]] = field(default_factory=list)  # (person id, given name)
    children: list[tuple[int, str]] = field(default_factory=list)
    cases: list[CaseSpan] = field(default_factory=list)

    @property
    def people(self) -> list[int]:
        return [pk for pk, _ in self.adults + self.children]


class Generator:
    """Builds families into buffered tables; `flush` sends a batch in one transaction."""

    def __init__(self, *, staff: Staff, ref: Reference, today: date, seed: int = 1):
        self.staff, self.ref, self.today, self.seed = staff, ref, today, seed
        self.seven_years_ago = today - relativedelta(years=7)
        self.media = Path(settings.MEDIA_ROOT)
        (self.media / "documents").mkdir(parents=True, exist_ok=True)
        historical = apps.get_model("cases", "HistoricalCaseNote_people_present")
        historical_mentioned = apps.get_model("cases", "HistoricalCaseNote_people_mentioned")
        t = self.t = {}
        for model in (Family, FamilyAddress, Person, Membership, Referral, Case, CaseEvent, CaseNote):
            t[model] = Table(model)
        t["present"] = Table(CaseNote.people_present.through, history=False)
        t["mentioned"] = Table(CaseNote.people_mentioned.through, history=False)
        t["present_history"] = M2MHistoryTable(historical)
        t["mentioned_history"] = M2MHistoryTable(historical_mentioned)
        for model in (FamilyGroupObjectPermission, FamilyUserObjectPermission, AccessLogEntry, Disclosure):
            t[model] = Table(model, history=False)
        for model in (Assessment, AssessmentNeed, Plan, PlanAction, Review, Outcome, ApprovalEvent):
            t[model] = Table(model)
        for model in (ConsentRecord, Document, PaperRecord, LegalHold):
            t[model] = Table(model)
        self.recent_adults: list[int] = []
        self.families_done = 0

    # --- one family ---

    def family(self, number: int, *, reference: str | None = None, scenario: str | None = None) -> Household:
        rng = random.Random(self.seed * 1_000_003 + number)  # noqa: S311 - synthetic data, not security
        team = self.staff.teams[rng.randrange(TEAMS)]
        workers = self.staff.workers[team.pk]
        worker = workers[rng.randrange(len(workers))]
        scenario = scenario or self._scenario(rng)
        spans = self._case_dates(rng, scenario)  # [(received, decided, opened, closed|None, decision)]
        first_received = min(s[0] for s in spans)
        created = _at(first_received, 9)
        t = self.t
        family_id = t[Family].add(
            {
                "reference": reference or f"{PREFIX}{number:06d}",
                "team_id": team.pk,
                "lead_worker_id": worker,
                "created_at": created,
            },
            history_date=created,
            history_user_id=worker,
        )
        home = Household(family=family_id, worker=worker, team=team.pk)
        self._grants(home)
        self._address(rng, home, first_received)
        self._people(rng, home, first_received)
        for received, decided, opened, closed, decision in spans:
            self._referral_and_case(rng, home, received, decided, opened, closed, decision)
        self._notes(rng, home, rng.randint(4, 39))
        self._consent(rng, home)
        if home.cases and rng.random() < 0.05:
            self._disclosure(rng, home)
        if rng.random() < 0.08:
            self._document(rng, home)
        if rng.random() < 0.15:
            self._paper(rng, home)
        if scenario == "held":
            self._hold(rng, home)
        self.families_done += 1
        return home

    def _scenario(self, rng: random.Random) -> str:
        r = rng.random()
        for limit, name in (
            (0.02, "pending"),  # a referral waiting for a decision
            (0.07, "not_accepted"),  # signposted or no further action, within the retention period
            (0.22, "open"),
            (0.225, "notice_window"),  # falls due within the next 30 days (listed, in its notice period)
            (0.228, "held"),  # due years ago, kept by a legal hold
        ):
            if r < limit:
                return name
        return "closed"

    def _case_dates(self, rng: random.Random, scenario: str) -> list[tuple]:
        today, seven = self.today, self.seven_years_ago

        def closed_case(closed: date) -> tuple:
            opened = closed - timedelta(days=rng.randint(60, 540))
            decided = opened
            return (decided - timedelta(days=rng.randint(1, 10)), decided, opened, closed, "accept")

        spans = []
        if scenario == "pending":
            spans.append((today - timedelta(days=rng.randint(0, 20)), None, None, None, ""))
        elif scenario == "not_accepted":
            decided = today - timedelta(days=rng.randint(30, 6 * 365))
            spans.append(
                (
                    decided - timedelta(days=5),
                    decided,
                    None,
                    None,
                    rng.choice(["signpost", "no_further_action"]),
                )
            )
        elif scenario == "open":
            opened = today - timedelta(days=rng.randint(0, 730))
            spans.append((opened - timedelta(days=rng.randint(1, 10)), opened, opened, None, "accept"))
        elif scenario == "notice_window":
            spans.append(closed_case(seven + timedelta(days=rng.randint(1, 29))))
        elif scenario in ("held", "due"):
            spans.append(closed_case(seven - timedelta(days=rng.randint(2, 3 * 365))))
        else:
            spans.append(closed_case(today - timedelta(days=rng.randint(14, 7 * 365 - 31))))
        # Earlier involvement, ended up to ten years ago: the clock restarted with the later case.
        first_received = spans[0][0]
        if scenario in ("open", "closed", "held", "due") and rng.random() < 0.3:
            earlier_close = first_received - timedelta(days=rng.randint(60, 3 * 365))
            if earlier_close > today - relativedelta(years=10) and earlier_close - timedelta(days=600) > date(
                2014, 1, 1
            ):
                spans.insert(0, closed_case(earlier_close))
        return spans

    def _grants(self, home: Household) -> None:
        group = self.staff.groups[home.team]
        for perm in (self.ref.view_perm, self.ref.change_perm):
            self.t[FamilyGroupObjectPermission].add(
                {"permission_id": perm, "group_id": group, "content_object_id": home.family}
            )
            self.t[FamilyUserObjectPermission].add(
                {"permission_id": perm, "user_id": home.worker, "content_object_id": home.family}
            )

    def _address(self, rng: random.Random, home: Household, since: date) -> None:
        moves = [since - timedelta(days=rng.randint(100, 2000))]
        if rng.random() < 0.2:
            moves.append(
                min(self.today, since + timedelta(days=rng.randint(30, max(31, (self.today - since).days))))
            )
        for index, start in enumerate(moves):
            town, area = rng.choice(TOWNS)
            postcode = _postcode(rng, area)
            end = moves[index + 1] - timedelta(days=1) if index + 1 < len(moves) else None
            if end is not None and end < start:
                end = start
            self._log(home, "cases.familyaddress", None, _at(min(start, self.today)), action="change")
            self.t[FamilyAddress].add(
                {
                    "family_id": home.family,
                    "line_1": f"{rng.randint(1, 220)} {rng.choice(STREETS)}",
                    "line_2": "",
                    "town": town,
                    "postcode": postcode,
                    "postcode_key": postcode.replace(" ", ""),
                    "start_date": start,
                    "end_date": end,
                },
                history_date=_at(min(start, self.today)),
                history_user_id=home.worker,
            )

    def _person(
        self, rng: random.Random, home: Household, *, born: date, surname: str, female: bool, send=False
    ):
        given = rng.choice(FEMALE if female else MALE)
        person = Person(given_name=given, family_name=surname)
        values = {
            "given_name": given,
            "family_name": surname,
            "preferred_name": "",
            "other_names": "",
            "search_name": "|".join(person._name_keys()),
            "date_of_birth": born,
            "expected_date_of_birth": None,
            "gender": ("female" if female else "male")
            if rng.random() < 0.92
            else rng.choices(GENDERS, GENDER_WEIGHTS)[0],
            "ethnicity": rng.choices(ETHNICITIES, ETHNICITY_WEIGHTS)[0],
            "religion": rng.choices(RELIGIONS, RELIGION_WEIGHTS)[0],
            "first_language": "English"
            if rng.random() < 0.85
            else rng.choice(["Polish", "Urdu", "Romanian"]),
            "has_send": send,
            "has_ehc_plan": send and rng.random() < 0.4,
            "send_details": "Autism diagnosis; speech and language therapy weekly." if send else "",
            "upn": "",
            "nhs_number": _nhs_number(rng) if rng.random() < 0.6 else "",
            "ni_number": "",
            "phone": f"07700 9{rng.randint(10000, 99999)}" if rng.random() < 0.7 else "",
            "email": "",
        }
        created = _at(min(self.today, max(born, date(2015, 1, 1))), 11)
        return self.t[Person].add(values, history_date=created, history_user_id=home.worker), given

    def _member(self, home: Household, person: int, role: str, start: date, *, pr: bool) -> None:
        start = min(start, self.today)
        self.t[Membership].add(
            {
                "person_id": person,
                "family_id": home.family,
                "role": role,
                "has_parental_responsibility": pr,
                "start_date": start,
                "end_date": None,
            },
            history_date=_at(start, 12),
            history_user_id=home.worker,
        )
        self._log(home, "cases.membership", None, _at(start, 12), action="change", person=person)

    def _people(self, rng: random.Random, home: Household, since: date) -> None:
        surname = rng.choice(SURNAMES)
        joined = since - timedelta(days=rng.randint(0, 1000))
        for index in range(rng.choice([1, 2, 2])):
            born = since - timedelta(days=rng.randint(20 * 365, 50 * 365))
            person, given = self._person(rng, home, born=born, surname=surname, female=index == 0)
            home.adults.append((person, given))
            self._member(home, person, "parent_carer", joined, pr=True)
            self.recent_adults.append(person)
        if self.recent_adults and len(self.recent_adults) > 50 and rng.random() < 0.01:
            # Someone already known in another household (a new partner, a grandparent).
            shared = self.recent_adults[rng.randrange(len(self.recent_adults) - 20)]
            home.adults.append((shared, "their partner"))
            self._member(home, shared, "other_adult", since, pr=False)
        for _ in range(rng.randint(1, 4)):
            born = since - timedelta(days=rng.randint(0, 17 * 365))
            person, given = self._person(
                rng, home, born=born, surname=surname, female=rng.random() < 0.5, send=rng.random() < 0.15
            )
            home.children.append((person, given))
            age = (self.today - born).days // 365
            self._member(home, person, "child" if age < 16 else "young_person", max(joined, born), pr=False)
        self.recent_adults = self.recent_adults[-5000:]

    def _referral_and_case(self, rng, home: Household, received, decided, opened, closed, decision) -> None:
        t = self.t
        worker = home.worker
        referral = t[Referral].add(
            {
                "family_id": home.family,
                "received_on": received,
                "source": rng.choice(SOURCES),
                "source_team": "",
                "reason": rng.choice(REASONS),
                "referrer_name": "Designated safeguarding lead",
                "referrer_contact": "school office",
                "decision": decision,
                "decided_on": decided,
                "decided_by_id": worker if decision else None,
                "decision_reason": ""
                if decision in ("", "accept")
                else "Universal services can meet the need.",
                "eligibility_exception_reason": "",
                "recorded_by_id": worker,
            },
            history_date=_at(received, 9),
            history_user_id=worker,
        )
        self._log(home, "cases.referral", referral, _at(received, 9), action="change")
        if decision != "accept":
            return
        closure = rng.choice(CLOSURES) if closed else ""
        case = t[Case].add(
            {
                "family_id": home.family,
                "referral_id": referral,
                "opened_on": opened,
                "status": "closed" if closed else "open",
                "lead_worker_id": worker,
                "closed_on": closed,
                "closure_reason": closure,
            },
            history_date=_at(opened, 10),
            history_user_id=worker,
        )
        home.cases.append(CaseSpan(case, opened, closed, worker))
        t[CaseEvent].add(
            {"case_id": case, "kind": "opened", "on": opened, "by_id": worker, "at": _at(opened, 10)},
            history_date=_at(opened, 10),
            history_user_id=worker,
        )
        if closed:
            t[CaseEvent].add(
                {
                    "case_id": case,
                    "kind": "closed",
                    "on": closed,
                    "closure_reason": closure,
                    "by_id": worker,
                    "at": _at(closed, 16),
                },
                history_date=_at(closed, 16),
                history_user_id=worker,
            )
        if (closed or self.today) - opened > timedelta(days=30) and rng.random() < 0.6:
            self._programme(rng, home, home.cases[-1])

    def _framework(self, on: date):
        for start, end, pk, outcomes, threshold in self.ref.frameworks:
            if start <= on and (end is None or on <= end):
                return pk, outcomes, threshold
        start, end, pk, outcomes, threshold = self.ref.frameworks[0]
        return pk, outcomes, threshold

    def _programme(self, rng: random.Random, home: Household, span: CaseSpan) -> None:
        t = self.t
        end = span.closed or self.today
        worker, manager = span.worker, self.staff.managers[home.team]
        assessed = span.opened + timedelta(days=min(14, (end - span.opened).days // 2))
        framework, outcomes, threshold = self._framework(assessed)
        assessment = t[Assessment].add(
            {
                "status": "approved",
                "needs_approval": True,
                "case_id": span.pk,
                "framework_id": framework,
                "assessed_on": assessed,
                "is_whole_family": True,
                "summary": "Whole-family assessment with the parents and school.",
                "assessor_id": worker,
                "created_at": _at(assessed, 14),
            },
            history_date=_at(assessed, 14),
            history_user_id=worker,
        )
        identified = rng.sample(outcomes, k=min(len(outcomes), threshold + rng.randint(0, 2)))
        for outcome in outcomes:
            found = outcome in identified
            t[AssessmentNeed].add(
                {
                    "assessment_id": assessment,
                    "headline_outcome_id": outcome,
                    "identified": found,
                    "evidence": "School attendance records and the health visitor's report." if found else "",
                    "identified_on": assessed if found else None,
                },
                history_date=_at(assessed, 14),
                history_user_id=worker,
            )
        for kind, by in (("submitted", worker), ("approved", manager)):
            t[ApprovalEvent].add(
                {"assessment_id": assessment, "kind": kind, "by_id": by, "at": _at(assessed, 15)},
                history_date=_at(assessed, 15),
                history_user_id=by,
            )
        starts = min(assessed + timedelta(days=7), end)
        plan = t[Plan].add(
            {
                "status": "approved",
                "needs_approval": True,
                "case_id": span.pk,
                "starts_on": starts,
                "goals": "Children in school every day; a calmer home; rent arrears under control.",
                "created_by_id": worker,
                "created_at": _at(starts, 11),
            },
            history_date=_at(starts, 11),
            history_user_id=worker,
        )
        for kind, by in (("submitted", worker), ("approved", manager)):
            t[ApprovalEvent].add(
                {"plan_id": plan, "kind": kind, "by_id": by, "at": _at(starts, 12)},
                history_date=_at(starts, 12),
                history_user_id=by,
            )
        for index in range(rng.randint(2, 3)):
            partner = index == 1
            t[PlanAction].add(
                {
                    "plan_id": plan,
                    "need_id": identified[index % len(identified)],
                    "description": "Weekly check-in on attendance and morning routine.",
                    "owner_id": None if partner else worker,
                    "partner_name": "Jo Teacher" if partner else "",
                    "partner_organisation": "Oakfield Academy" if partner else "",
                    "partner_role": "Designated safeguarding lead" if partner else "",
                    "due_on": starts + timedelta(days=rng.randint(14, 120)),
                    "status": "done" if span.closed else rng.choice(["not_started", "in_progress", "done"]),
                    "created_by_id": worker,
                },
                history_date=_at(starts, 12),
                history_user_id=worker,
            )
        held = starts + timedelta(days=60)
        if held < end:
            t[Review].add(
                {
                    "case_id": span.pk,
                    "held_on": held,
                    "attendees": "Parent, school, health visitor, family support worker.",
                    "summary": "Good progress on attendance; housing still a worry.",
                    "next_review_on": held + timedelta(days=90),
                    "recorded_by_id": worker,
                    "created_at": _at(held, 15),
                },
                history_date=_at(held, 15),
                history_user_id=worker,
            )
        recorded = min(held, end)
        sustained = span.closed + relativedelta(months=7) if span.closed else None
        if sustained is not None and (sustained > self.today or sustained < recorded):
            sustained = None
        for need in identified:
            progress = rng.choice(
                ["achieved", "achieved", "some"] if span.closed else ["none", "some", "achieved"]
            )
            t[Outcome].add(
                {
                    "case_id": span.pk,
                    "need_id": need,
                    "progress": progress,
                    "progress_note": "Attendance 96% this half term." if progress == "achieved" else "",
                    "achieved_on": recorded if progress == "achieved" else None,
                    # Still achieved when checked after the sustain period (what the statistics count).
                    "sustained_until": sustained if progress == "achieved" and sustained else None,
                    "recorded_on": recorded,
                    "recorded_by_id": worker,
                    "created_at": _at(recorded, 16),
                },
                history_date=_at(recorded, 16),
                history_user_id=worker,
            )

    def _notes(self, rng: random.Random, home: Household, count: int, *, subject: int | None = None) -> None:
        if not home.cases:
            return
        t = self.t
        names = [name for _, name in home.children] or ["the baby"]
        for _ in range(count):
            span = home.cases[rng.randrange(len(home.cases))]
            end = span.closed or self.today
            day = span.opened + timedelta(days=rng.randint(0, max(0, (end - span.opened).days)))
            at = _at(day, rng.randint(9, 17), rng.randint(0, 59))
            text = rng.choice(NOTE_TEXTS).format(a=home.adults[0][1], c=rng.choice(names))
            note = t[CaseNote].add(
                {
                    "case_id": span.pk,
                    "kind": rng.choice(NOTE_KINDS),
                    "occurred_on": day,
                    "text": text,  # encrypted by bench.bulk through CaseNote.text, as save() would
                    "is_opinion": "opinion" in text,
                    "is_sensitive": rng.random() < 0.05,
                    "author_id": span.worker,
                    "created_at": at,
                },
                history_date=at,
                history_user_id=span.worker,
            )
            history_id = t[CaseNote].last_history_id
            present = []
            mentioned = []
            if subject is not None:
                (present if rng.random() < 0.7 else mentioned).append(subject)
            elif rng.random() < 0.5:
                present = rng.sample(home.people, k=min(len(home.people), rng.randint(1, 2)))
            if subject is None and rng.random() < 0.15:
                mentioned = [rng.choice(home.people)]
            for people, table, history in (
                (present, "present", "present_history"),
                (mentioned, "mentioned", "mentioned_history"),
            ):
                for person in people:
                    link = t[table].add({"casenote_id": note, "person_id": person})
                    t[history].add(
                        {"id": link, "casenote_id": note, "person_id": person, "history_id": history_id}
                    )

    def _consent(self, rng: random.Random, home: Household) -> None:
        t = self.t
        adult = home.adults[0][0]
        for span in home.cases:
            recorded = _at(span.opened, 11)
            purposes = ["service", "record"] + (["programme"] if span.closed is None else [])
            for purpose in purposes:
                review = span.opened + timedelta(days=365) if purpose == "programme" else None
                t[ConsentRecord].add(
                    {
                        "person_id": adult,
                        "family_id": home.family,
                        "purpose_id": purpose,
                        "decision": "given",
                        "decided_by_id": adult,
                        "capacity": "self",
                        "method": rng.choice(["written", "verbal"]),
                        "evidence": "",
                        "decided_on": span.opened,
                        "recorded_by_id": span.worker,
                        "recorded_at": recorded,
                        "notice_version_id": self.ref.notice_version,
                        "review_on": review,
                        "corrects_id": None,
                        "note": "",
                    },
                    history_date=recorded,
                    history_user_id=span.worker,
                )
            if rng.random() < 0.1:
                for child, _ in home.children:
                    t[ConsentRecord].add(
                        {
                            "person_id": child,
                            "family_id": home.family,
                            "purpose_id": "partner:school",
                            "decision": "given",
                            "decided_by_id": adult,
                            "capacity": "parental_responsibility",
                            "method": "written",
                            "evidence": "",
                            "decided_on": span.opened,
                            "recorded_by_id": span.worker,
                            "recorded_at": recorded,
                            "notice_version_id": self.ref.notice_version,
                            "note": "",
                        },
                        history_date=recorded,
                        history_user_id=span.worker,
                    )

    def _disclosure(self, rng: random.Random, home: Household, *, people: list[int] | None = None) -> None:
        span = home.cases[-1]
        organisation, agreement = rng.choice(self.ref.organisations)
        decided = span.opened + timedelta(
            days=rng.randint(0, max(0, ((span.closed or self.today) - span.opened).days))
        )
        decision = uuid.UUID(bytes=rng.randbytes(16))
        for person in people or home.people[: rng.randint(1, 2)]:
            self.t[Disclosure].add(
                {
                    "decision_id": decision,
                    "family_id": home.family,
                    "person_id": person,
                    "organisation_id": organisation,
                    "agreement_id": agreement,
                    "direction": "out",
                    "decision": "shared",
                    "decided_on": decided,
                    "purpose_id": self.ref.purpose,
                    "categories_shared": ["identity", "address", "family_circumstances"],
                    "categories_withheld": [],
                    "items_description": "Attendance concerns and the current family plan.",
                    "basis": "public_task",
                    "conditions": {},
                    "legal_power": "Children Act 2004 s.10.",
                    "consent_purpose": "",
                    "relied_on_consent": False,
                    "family_told": True,
                    "family_not_told_reason": "",
                    "decided_by_id": span.worker,
                    "transfer_method": "secure_email",
                    "without_agreement": agreement is None,
                    "check_result": {
                        "allowed": True,
                        "basis": "public_task",
                        "reasons": ["agreement in force"],
                    },
                    "check_summary": "Allowed: public task under the agreement in force.",
                    "recorded_at": _at(decided, 13),
                }
            )

    def _document(self, rng: random.Random, home: Household, *, person: int | None = None) -> None:
        name = f"documents/{secrets.token_hex(16)}.pdf"
        body = b"%PDF-1.4\n% bench document\n" + secrets.token_bytes(rng.randint(200, 2000))
        (self.media / name).write_bytes(body)
        span = home.cases[-1] if home.cases else None
        uploaded = _at(span.opened if span else self.today - timedelta(days=1), 15)
        self.t[Document].add(
            {
                "family_id": home.family,
                "person_id": person,
                "case_id": span.pk if span else None,
                "kind": rng.choice(["letter", "report", "assessment", "consent_form"]),
                "title": "Letter from school about attendance",
                "file": name,
                "content_type": "application/pdf",
                "size": len(body),
                "is_sensitive": False,
                "uploaded_by_id": home.worker,
                "uploaded_at": uploaded,
            },
            history_date=uploaded,
            history_user_id=home.worker,
        )

    def _paper(self, rng: random.Random, home: Household) -> None:
        self.t[PaperRecord].add(
            {
                "family_id": home.family,
                "location": "Walton Street Offices, records room 2",
                "box_or_barcode": f"BX{rng.randint(10000, 99999)}",
                "description": "Signed consent forms and school letters",
                "recorded_by_id": home.worker,
                "recorded_at": _at(self.today - timedelta(days=rng.randint(1, 2000))),
            },
            history_date=_at(self.today),
            history_user_id=home.worker,
        )

    def _hold(self, rng: random.Random, home: Household) -> None:
        placed = _at(self.today - timedelta(days=rng.randint(30, 400)))
        self.t[LegalHold].add(
            {
                "family_id": home.family,
                "reason": rng.choice(["litigation", "inquiry", "police_request"]),
                "details": "Bench data: records kept while the matter is open.",
                "review_on": self.today + timedelta(days=rng.randint(30, 300)),
                "placed_by_id": self.staff.dpo.pk,
                "placed_at": placed,
            },
            history_date=placed,
            history_user_id=self.staff.dpo.pk,
        )

    def _log(self, home: Household, record_type: str, record_id, at: datetime, *, action="view", person=None):
        # Access-log lines for changes and views; a 2-year policy removes older ones, so most are recent.
        self.t[AccessLogEntry].add(
            {
                "at": at,
                "user_id": home.worker,
                "action": action,
                "record_type": record_type,
                "record_id": str(record_id or home.family),
                "family_id": home.family,
                "person_id": person,
                "reason": "",
                "is_break_glass": False,
                "ip_address": "10.20.0.15",
                "view_name": "cases:family_detail",
            }
        )

    # --- the subject with a heavy record (SAR benchmark) ---

    def sar_subject(self) -> tuple[int, int]:
        """A family whose first adult is present at or mentioned in 2,000 notes and named by 50 documents."""
        rng = random.Random(self.seed * 7919)  # noqa: S311
        team = self.staff.teams[0]
        worker = self.staff.caseworker.pk
        opened = self.today - timedelta(days=3 * 365)
        created = _at(opened, 9)
        family = self.t[Family].add(
            {
                "reference": SAR_SUBJECT_REFERENCE,
                "team_id": team.pk,
                "lead_worker_id": worker,
                "created_at": created,
            },
            history_date=created,
            history_user_id=worker,
        )
        home = Household(family=family, worker=worker, team=team.pk)
        self._grants(home)
        self._address(rng, home, opened)
        self._people(rng, home, opened)
        earlier_close = opened - timedelta(days=400)
        self._referral_and_case(
            rng,
            home,
            earlier_close - timedelta(days=300),
            earlier_close - timedelta(days=295),
            earlier_close - timedelta(days=295),
            earlier_close,
            "accept",
        )
        self._referral_and_case(rng, home, opened - timedelta(days=3), opened, opened, None, "accept")
        subject = home.adults[0][0]
        self._notes(rng, home, SAR_NOTES, subject=subject)
        self._consent(rng, home)
        for _ in range(5):
            self._disclosure(rng, home, people=[subject])
        for _ in range(SAR_DOCUMENTS):
            self._document(rng, home, person=subject)
        for day in range(300):
            self._log(home, "cases.person", subject, _at(self.today - timedelta(days=day)), person=subject)
        return family, subject

    # --- writing ---

    def flush(self) -> None:
        with transaction.atomic():
            with connection.cursor() as cursor:
                # This session only: the batch is committed once, at the end, and a crash loses one batch.
                cursor.execute("SET LOCAL synchronous_commit TO off")
            for table in self.t.values():
                table.flush()

    def finish(self) -> None:
        self.flush()
        reset_sequences(self.t.values())

    def counts(self) -> dict[str, int]:
        found: Counter = Counter()
        for table in self.t.values():
            found[table.cols.table] += table.count
            if table.history is not None:
                found[table.history.table] += table.history_count
        return dict(found)


# --- the data set as a whole ---

META_TABLE = "bench_meta"


def read_meta() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, value jsonb NOT NULL)"
        )
        cursor.execute(f"SELECT key, value FROM {META_TABLE}")  # noqa: S608
        # Django reads jsonb as text (its JSONField decodes it); so does this.
        return {
            key: json.loads(value) if isinstance(value, str) else value for key, value in cursor.fetchall()
        }


def write_meta(**values) -> None:
    from psycopg.types.json import Jsonb

    read_meta()
    with connection.cursor() as cursor:
        for key, value in values.items():
            cursor.execute(
                f"INSERT INTO {META_TABLE} (key, value) VALUES (%s, %s) "  # noqa: S608
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                [key, Jsonb(value)],
            )


def generate(*, families: int, seed: int = 1, report=print) -> dict:
    """Build `families` families, the heavy SAR subject and the notice list; returns a summary."""
    started = time.perf_counter()
    today = timezone.localdate()
    staff = ensure_staff()
    ref = reference_data(today)
    gen = Generator(staff=staff, ref=ref, today=today, seed=seed)
    for number in range(1, families + 1):
        gen.family(number)
        if number % BATCH == 0:
            gen.flush()
            if number % (BATCH * 10) == 0 or number == families:
                elapsed = time.perf_counter() - started
                report(f"  {number:>7,} families  {elapsed:6.1f} s  ({number / elapsed:,.0f} families/s)")
    gen.sar_subject()
    gen.finish()
    loaded = time.perf_counter() - started
    report(f"  rows written in {loaded:.1f} s; listing families inside their notice window ...")
    _settle_notices(today)
    _analyze()
    runtime = time.perf_counter() - started
    counts = gen.counts()
    summary = {
        "families": families,
        "seed": seed,
        "generated_on": today.isoformat(),
        "runtime_seconds": round(runtime, 1),
        "load_seconds": round(loaded, 1),
        "rows": counts,
        "total_rows": sum(counts.values()),
        # Four special category fields per person, the text of every note, the evidence of every need
        # and the note of every outcome; each with its history row.
        "encrypted_values": 4 * (counts.get("cases_person", 0) + counts.get("cases_historicalperson", 0))
        + sum(
            counts.get(table, 0)
            for table in (
                "cases_casenote",
                "cases_historicalcasenote",
                "cases_assessmentneed",
                "cases_historicalassessmentneed",
                "cases_outcome",
                "cases_historicaloutcome",
            )
        ),
        "seconds_per_encryption": _encryption_cost(),
    }
    write_meta(dataset=summary)
    return summary


def _settle_notices(today: date) -> None:
    """List what a nightly sweep would have listed: families due within the notice window, and held ones."""
    from retention.services import record_notices

    record_notices(on=today)


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _encryption_cost(samples: int = 20_000) -> float:
    """Seconds one special category value takes to encrypt (Fernet, padded), measured here."""
    from fss.core.fields import encrypt_text

    started = time.perf_counter()
    for _ in range(samples):
        encrypt_text("prefers_not_to_say")
    return (time.perf_counter() - started) / samples


def add_due_families(count: int, *, seed: int = 1) -> list[int]:
    """Add `count` families due for destruction and listed 31 days ago: what the real sweep destroys."""
    from retention.services import record_notices

    if count <= 0:
        return []
    today = timezone.localdate()
    staff = ensure_staff()
    ref = reference_data(today)
    gen = Generator(staff=staff, ref=ref, today=today, seed=seed + 17)
    stamp = secrets.token_hex(3).upper()
    homes = [
        gen.family(900_000 + k, reference=f"BENCH-D{stamp}-{k:04d}", scenario="due") for k in range(count)
    ]
    gen.finish()
    ids = [home.family for home in homes]
    record_notices(on=today - relativedelta(days=31), family_ids=ids)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_family")
    return ids
