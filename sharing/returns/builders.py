"""Each return's cohort and rows (SPEC §6.3): who a return is about, and what its file says about each
person the sharing check allowed. The field lists are documented in `sharing.returns.files`.

A builder reads; it never writes. `services.run_return` asks the check about
the cohort, then hands the builder each allowed person's categories.
"""

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sharing.returns import files, selectors
from sharing.returns.files import FORMATS, Pseudonymiser, iso, yes_no
from sharing.returns.models import ReturnKind
from sharing.returns.selectors import CohortMember
from sharing.statistics.disclosure_control import DisclosureControl


@dataclass
class Build:
    """A return's cohort, and how to turn the allowed part of it into rows."""

    kind: str
    cohort: list[CohortMember]
    as_at: date
    context: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    control: DisclosureControl | None = None
    pseudonymiser: Pseudonymiser | None = None

    @property
    def format(self) -> files.ReturnFormat:
        return FORMATS[self.kind]

    def rows(self, allowed: dict[int, tuple[str, ...]]) -> list[dict]:
        """The file's rows for the people `allowed` (person id → categories the check allowed)."""
        return ROWS[self.kind](self, allowed)


def build(*, kind: str, start: date, end: date, as_at: date) -> Build:
    """The cohort of `kind` for the period, judged on `as_at`."""
    return COHORTS[kind](kind, start, end, as_at)


# --- participation of young people (domain-rules §7) ----------------------------------------------


def _participation_cohort(kind, start, end, as_at) -> Build:
    ages = (16, 16) if kind == ReturnKind.ACTIVITY_SURVEY else None
    if kind == ReturnKind.SEPTEMBER_GUARANTEE:
        ages = (16, 17)
    cohort = selectors.tracked_cohort(on=as_at, ages=ages)
    postcodes = selectors.last_known_postcodes({m.family.pk for m in cohort}, as_at)
    result = Build(kind, cohort, as_at, {"postcodes": postcodes})
    if kind == ReturnKind.SEPTEMBER_GUARANTEE:
        result.context["offers"] = selectors.latest_offers(
            [m.person.pk for m in cohort], selectors.academic_year_start(as_at), end
        )
    else:
        result.context["activities"] = {a.person.pk: a for a in selectors.current_activities(cohort, as_at)}
    return result


def _person_fields(member: CohortMember, build_: Build) -> dict:
    person = member.person
    return {
        "person_id": person.pk,
        "upn": person.upn,
        "surname": person.family_name,
        "forename": person.given_name,
        "date_of_birth": iso(person.date_of_birth),
        "gender": person.gender,
        "postcode": build_.context["postcodes"].get(member.family.pk, ""),
    }


def _participation_rows(build_: Build, allowed) -> list[dict]:
    rows = []
    year = selectors.academic_year_start(build_.as_at)
    for member in build_.cohort:
        if member.person.pk not in allowed:
            continue
        person = member.person
        values = _person_fields(member, build_)
        if build_.kind == ReturnKind.SEPTEMBER_GUARANTEE:
            offer = build_.context["offers"].get(person.pk)
            values |= {
                "year_group": 11 if member.academic_age == 16 else 12,
                "offer": offer.offer if offer else "not_known",
                "offer_recorded_on": iso(offer.recorded_on) if offer else "",
                "academic_year": f"{year}/{(year + 1) % 100:02d}",
            }
        else:
            activity = build_.context["activities"][person.pk]
            values |= {
                "academic_age": member.academic_age,
                "year_group": {16: 12, 17: 13}.get(member.academic_age, ""),
                "send": yes_no(person.has_send),
                "ehc_plan": yes_no(person.has_ehc_plan),
                "activity_code": activity.code.code,
                "activity_group": activity.code.group,
                "date_confirmed": iso(activity.confirmed_on),
                "review_date": iso(activity.review_on),
                "lapsed": yes_no(activity.lapsed),
                "as_at": iso(build_.as_at),
            }
        rows.append(build_.format.gate(values, allowed[person.pk]))
    return rows


# --- the national programme (domain-rules §6) ----------------------------------------------------


def _programme_cohort(kind, start, end, as_at) -> Build:
    families = selectors.programme_families(start=start, end=end, as_at=as_at)
    cohort = [member for family in families for member in family.members]
    by_family = {family.family.pk: family for family in families}
    result = Build(kind, cohort, as_at, {"families": by_family, "start": start, "end": end})
    if kind == ReturnKind.ONS_MATCHING:
        result.context["postcodes"] = selectors.last_known_postcodes(by_family, as_at)
    if kind in (ReturnKind.ANONYMISED, ReturnKind.PROGRAMME_PROGRESS):
        result.control = DisclosureControl.in_force(as_at)
    if kind == ReturnKind.ANONYMISED:
        result.pseudonymiser = Pseudonymiser(secrets.token_bytes(32))
    return result


def _programme_fields(build_: Build, family) -> dict:
    case, claim = family.case, family.claim
    data = family_data(build_, family)
    return {
        "framework": data["framework"],
        "support_started": iso(case.opened_on),
        "support_ended": iso(case.closed_on),
        "needs_identified": ";".join(data["identified"]),
        "outcomes_achieved": ";".join(data["achieved"]),
        "successful_outcome": yes_no(bool(claim)),
        "sustained_until": iso(claim.sustain_until),
    }


def family_data(build_: Build, family) -> dict:
    """Headline outcome codes identified for a programme family (the criteria answer), and those whose
    latest outcome recorded by the return's date is positive. Read once per family."""
    cache = build_.context.setdefault("family_data", {})
    if family.family.pk not in cache:
        identified = [o.code for o in family.criteria.identified]
        latest = {}
        for outcome in (
            family.case.outcomes.filter(recorded_on__lte=build_.as_at)
            .select_related("need")
            .order_by("recorded_on", "pk")
        ):
            latest[outcome.need.code] = outcome
        cache[family.family.pk] = {
            "framework": family.criteria.framework.version if family.criteria.framework else "",
            "identified": identified,
            "achieved": [code for code in identified if code in latest and latest[code].is_positive],
        }
    return cache[family.family.pk]


def _programme_rows(build_: Build, allowed) -> list[dict]:
    rows = []
    for member in build_.cohort:
        if member.person.pk not in allowed:
            continue
        family = build_.context["families"][member.family.pk]
        values = {
            "family_reference": member.family.reference,
            "relationship": member.role,
            "forename": member.person.given_name,
            "surname": member.person.family_name,
            "date_of_birth": iso(member.person.date_of_birth),
        } | _programme_fields(build_, family)
        rows.append(build_.format.gate(values, allowed[member.person.pk]))
    return rows


def _ons_rows(build_: Build, allowed) -> list[dict]:
    rows, family_numbers = [], {}
    for member in build_.cohort:
        if member.person.pk not in allowed:
            continue
        family = build_.context["families"][member.family.pk]
        number = family_numbers.setdefault(member.family.pk, len(family_numbers) + 1)
        person = member.person
        values = {
            "row_id": len(rows) + 1,
            "family_id": f"F{number}",
            "relationship": member.role,
            "forename": person.given_name,
            "surname": person.family_name,
            "date_of_birth": iso(person.date_of_birth),
            "gender": person.gender,
            "postcode": build_.context["postcodes"].get(member.family.pk, ""),
            "ni_number": person.ni_number,
            "support_started": iso(family.case.opened_on),
            "support_ended": iso(family.case.closed_on),
        }
        rows.append(build_.format.gate(values, allowed[person.pk]))
    return rows


# The fields that describe a person (and could single them out together); the needs and outcomes are
# what the return is for.
QUASI_IDENTIFIERS = ("age_band", "role", "support_started", "support_ended")


def _anonymised_rows(build_: Build, allowed) -> list[dict]:
    pseudonym = build_.pseudonymiser
    rows = []
    for member in build_.cohort:
        if member.person.pk not in allowed:
            continue
        family = build_.context["families"][member.family.pk]
        data = family_data(build_, family)
        age = member.person.age_on(build_.as_at)
        values = {
            "pseudonym": pseudonym("person", member.person.pk),
            "family_pseudonym": pseudonym("family", member.family.pk),
            "age_band": files.age_band(age),
            "role": "adult" if member.role in ("parent_carer", "other_adult") else "child",
            "support_started": files.financial_quarter_label(family.case.opened_on),
            "support_ended": files.financial_quarter_label(family.case.closed_on),
            "needs_identified": ";".join(data["identified"]),
            "outcomes_achieved": ";".join(data["achieved"]),
            "successful_outcome": yes_no(bool(family.claim)),
        }
        rows.append(build_.format.gate(values, allowed[member.person.pk]))
    protected = build_.control.generalise(
        rows,
        keys=QUASI_IDENTIFIERS,
        coarsen=[
            ("support_started", files.financial_year_label),
            ("support_ended", files.financial_year_label),
            ("age_band", files.broad_band),
        ],
    )
    build_.notes += protected.notes
    # The order of the rows must not follow the order of the records (nor the pseudonym the person).
    return sorted(protected, key=lambda row: row["pseudonym"])


def _progress_rows(build_: Build, allowed) -> list[dict]:
    """The quarterly progress summary: group-level figures through disclosure control. A family is
    counted when the check allowed at least one of its members."""
    control, start, end = build_.control, build_.context["start"], build_.context["end"]
    counted = [
        family
        for family in build_.context["families"].values()
        if any(member.person.pk in allowed for member in family.members)
    ]
    figures: list[tuple[str, str, int]] = [
        ("families_on_programme", "", len(counted)),
        ("families_started", "", sum(1 for f in counted if start <= f.case.opened_on <= end)),
        (
            "families_ended",
            "",
            sum(1 for f in counted if f.case.closed_on and start <= f.case.closed_on <= end),
        ),
        ("successful_family_outcomes", "", sum(1 for f in counted if f.claim)),
    ]
    identified, achieved, order = defaultdict(int), defaultdict(int), []
    for family in counted:
        data = family_data(build_, family)
        for code in data["identified"]:
            identified[code] += 1
            if code not in order:
                order.append(code)
        for code in data["achieved"]:
            achieved[code] += 1
    figures += [("needs_identified", code, identified[code]) for code in order]
    figures += [("outcomes_achieved", code, achieved[code]) for code in order]
    version = control.policy.version
    return [
        {
            "measure": measure,
            "headline_outcome": code,
            "value": control.count(value).csv,
            "policy_version": version,
        }
        for measure, code, value in figures
    ]


COHORTS = {
    ReturnKind.PARTICIPATION_MONTHLY: _participation_cohort,
    ReturnKind.SEPTEMBER_GUARANTEE: _participation_cohort,
    ReturnKind.ACTIVITY_SURVEY: _participation_cohort,
    ReturnKind.PROGRAMME_RETURN: _programme_cohort,
    ReturnKind.PROGRAMME_PROGRESS: _programme_cohort,
    ReturnKind.ONS_MATCHING: _programme_cohort,
    ReturnKind.ANONYMISED: _programme_cohort,
}

ROWS = {
    ReturnKind.PARTICIPATION_MONTHLY: _participation_rows,
    ReturnKind.SEPTEMBER_GUARANTEE: _participation_rows,
    ReturnKind.ACTIVITY_SURVEY: _participation_rows,
    ReturnKind.PROGRAMME_RETURN: _programme_rows,
    ReturnKind.PROGRAMME_PROGRESS: _progress_rows,
    ReturnKind.ONS_MATCHING: _ons_rows,
    ReturnKind.ANONYMISED: _anonymised_rows,
}
