"""The one sharing check (SPEC §6.2, domain-rules §1 and §5; ADR 0004).

Every path that shares — a partner disclosure, a referral, a statutory return,
a research extract — asks `check_disclosure` and acts on its answer. It never
writes anything; `sharing.services.record_disclosure` runs it again inside its
transaction and stores the answer with the decision.

The answer is per person: allowed, needs a manager's approval, or refused,
with the lawful basis used, the data categories that may and may not go, and
every condition tested as (code, passed, explanation), so a refusal says
exactly which condition failed and "why was this allowed?" can be replayed.

The conditions, in order:
1. an agreement with the recipient in force on the date, covering the purpose
   (a one-off safeguarding disclosure needs none, and is flagged);
2. each data category listed by that agreement, special category and
   criminal offence data with its Art 9/10 condition;
3. per person: a member of the family (when a family is given); not under a
   restriction (SPEC §8.2) unless for safeguarding; a lawful basis — consent
   given and not withdrawn where the agreement relies on consent; where it
   relies on public task, legal obligation or vital interests, the person's
   recorded wishes, a refusal or withdrawal needing the worker's reason and a
   manager's approval; or safeguarding, with a written justification, allowed
   at once only for an immediate risk, always approved by a manager and
   reviewed by the DPO; and the education opt-out, which leaves only name,
   address and date of birth.
"""

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date

from cases.models import Family, Membership, Person
from consent.selectors import (
    NOT_ASKED,
    WITHDRAWN,
    consent_state,
    education_opt_out_in_force,
)
from consent.selectors import (
    REFUSED as WISH_REFUSED,
)
from sar.selectors import restriction_in_force
from sharing.models import (
    DataCategory,
    DataSharingAgreement,
    LawfulBasis,
    Organisation,
    SharingPurpose,
    SpecialCondition,
)
from sharing.models.choices import AGGREGATE_ONLY_CONDITIONS, SAFEGUARDING

ALLOWED = "allowed"
NEEDS_APPROVAL = "needs_manager_approval"
REFUSED = "refused"

OUTCOME_LABELS = {
    ALLOWED: "May be shared",
    NEEDS_APPROVAL: "Needs a manager's approval before sending",
    REFUSED: "Not to be shared",
}

SHARED = "shared"
PARTLY = "partly"
NOT_SHARED = "not_shared"

BASIS_LABELS = {
    **dict(LawfulBasis.choices),
    SAFEGUARDING: "Safeguarding: Art 6(1)(e) public task with DPA 2018 Sch 1 para 18",
}

# Public task, legal obligation and vital interests: the family's wishes still count (domain-rules §1.2).
WISHES_COUNT = {LawfulBasis.PUBLIC_TASK, LawfulBasis.LEGAL_OBLIGATION, LawfulBasis.VITAL_INTERESTS}


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


# How a recorded decision reads in a sentence: "Maya Reid withdrew consent…".
_VERB = {"given": "gave", "refused": "refused", "withdrawn": "withdrew"}

_KIND_WORDS = {
    "special": "special category data (UK GDPR Art 9)",
    "criminal": "criminal offence data (UK GDPR Art 10)",
}


def in_sentence(label: str) -> str:
    """A label inside a sentence: first letter lower-cased unless it starts an acronym (SEND, GP, ONS)."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def listed(labels: Iterable[str]) -> str:
    return ", ".join(in_sentence(label) for label in labels)


# Conditions about single categories or approval: they do not by themselves refuse a person.
_NOT_A_REFUSAL = ("category:", "education_opt_out", "manager_approval")


@dataclass(frozen=True)
class Safeguarding:
    """A worker's safeguarding decision: why sharing protects a child or adult at risk, and
    whether the risk is immediate (then it may go at once, approved by a manager afterwards)."""

    justification: str
    immediate_risk: bool = False


@dataclass(frozen=True)
class Condition:
    """One condition the check tested, whether it passed, and why, in plain words."""

    code: str
    passed: bool
    explanation: str


@dataclass(frozen=True)
class PersonResult:
    person_id: int
    name: str
    outcome: str
    basis: str
    categories_allowed: tuple[str, ...]
    categories_refused: tuple[str, ...]
    conditions: tuple[Condition, ...]
    # "", "before" (approve before sending) or "retrospective" (immediate risk: approve afterwards).
    approval: str = ""
    dpo_review: bool = False
    consent_purpose: str = ""
    consent_status: str = ""
    consent_record_id: int | None = None
    relied_on_consent: bool = False

    @property
    def decision(self) -> str:
        if self.outcome == REFUSED or not self.categories_allowed:
            return NOT_SHARED
        return PARTLY if self.categories_refused else SHARED

    @property
    def failed(self) -> list[Condition]:
        return [c for c in self.conditions if not c.passed]

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    @property
    def basis_label(self) -> str:
        return BASIS_LABELS.get(self.basis, "None")


@dataclass(frozen=True)
class CheckResult:
    """The check's whole answer; `to_dict`/`from_dict` store and replay it."""

    on: date
    recipient_id: int
    recipient_name: str
    recipient_category: str
    purpose: str
    purpose_label: str
    categories: tuple[str, ...]
    category_labels: dict[str, str]
    agreement_id: int | None
    agreement_reference: str
    basis: str
    is_safeguarding: bool
    immediate_risk: bool
    without_agreement: bool
    conditions: tuple[Condition, ...]
    people: tuple[PersonResult, ...]
    legal_power: str = ""
    conditions_by_category: dict[str, str] = field(default_factory=dict)

    # --- the answer ---

    @property
    def decision(self) -> str:
        decisions = {person.decision for person in self.people}
        if not decisions or decisions == {NOT_SHARED}:
            return NOT_SHARED
        return SHARED if decisions == {SHARED} else PARTLY

    @property
    def failed(self) -> list[Condition]:
        return [c for c in self.conditions if not c.passed]

    def person(self, person_id: int) -> PersonResult:
        return next(p for p in self.people if p.person_id == person_id)

    def labels(self, codes: Iterable[str]) -> list[str]:
        return [self.category_labels.get(code, code) for code in codes]

    @property
    def basis_label(self) -> str:
        return BASIS_LABELS.get(self.basis, "None")

    @property
    def rows(self) -> list[dict]:
        """Each person's answer with the category labels and sentence, for templates."""
        return [
            {
                "person": person,
                "allowed": self.labels(person.categories_allowed),
                "refused": self.labels(person.categories_refused),
                "summary": person_summary(person, self),
                "colour": {ALLOWED: "green", NEEDS_APPROVAL: "yellow", REFUSED: "red"}[person.outcome],
            }
            for person in self.people
        ]

    @property
    def summary(self) -> str:
        """A plain-English account of the whole answer, one sentence per person."""
        where = f"under {self.agreement_reference}" if self.agreement_reference else "without an agreement"
        counts = {outcome: sum(1 for p in self.people if p.outcome == outcome) for outcome in OUTCOME_LABELS}
        lines = [
            f"Sharing {listed(self.labels(self.categories)) or 'nothing'} "
            f"with {self.recipient_name} for “{self.purpose_label}” on {long_date(self.on)}, {where}"
            f"{f' ({self.basis_label})' if self.basis else ''}: "
            f"{counts[ALLOWED]} may be shared about, "
            f"{counts[NEEDS_APPROVAL]} need a manager's approval first, {counts[REFUSED]} refused."
        ]
        if self.without_agreement:
            lines.append(
                f"No agreement with {self.recipient_name} covers this: allowed as a one-off safeguarding "
                "disclosure, flagged for the DPO's review."
            )
        lines += [f"{c.explanation}" for c in self.failed]
        for person in self.people:
            lines.append(person_summary(person, self))
        if self.is_safeguarding:
            lines.append(
                "A safeguarding disclosure always goes to a manager for approval and to the DPO for review."
            )
        return "\n".join(lines)

    def fingerprint(self) -> str:
        """A hash of what was decided (not of the wording), to tell whether the answer changed."""
        essence = {
            "agreement": self.agreement_id,
            "basis": self.basis,
            "without_agreement": self.without_agreement,
            "people": [
                [p.person_id, p.outcome, p.basis, list(p.categories_allowed), p.approval, p.dpo_review]
                for p in self.people
            ],
        }
        return hashlib.sha256(json.dumps(essence, sort_keys=True).encode()).hexdigest()[:32]

    # --- storing and replaying ---

    def to_dict(self) -> dict:
        data = asdict(self)
        data["on"] = self.on.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "CheckResult":
        data = dict(data)
        data["on"] = date.fromisoformat(data["on"])
        data["categories"] = tuple(data["categories"])
        data["conditions"] = tuple(Condition(**c) for c in data["conditions"])
        people = []
        for person in data["people"]:
            person = dict(person)
            person["conditions"] = tuple(Condition(**c) for c in person["conditions"])
            person["categories_allowed"] = tuple(person["categories_allowed"])
            person["categories_refused"] = tuple(person["categories_refused"])
            people.append(PersonResult(**person))
        data["people"] = tuple(people)
        return cls(**data)


def person_summary(person: PersonResult, result: CheckResult) -> str:
    """One sentence: what happens for this person, and why."""
    allowed = listed(result.labels(person.categories_allowed))
    if person.outcome == REFUSED:
        # The conditions that refused the person; category conditions only when nothing was left.
        failed = [c for c in person.failed if not c.code.startswith(_NOT_A_REFUSAL)] or person.failed
        reasons = " ".join(c.explanation for c in failed)
        return f"{person.name}: not to be shared. {reasons}".strip()
    withheld = ""
    if person.categories_refused:
        withheld = f" Withheld: {listed(result.labels(person.categories_refused))}."
    if person.outcome == NEEDS_APPROVAL:
        approve = f"may be shared once a manager approves ({person.basis_label})"
        return f"{person.name}: {allowed} {approve}.{withheld}"
    after = " A manager must approve it afterwards." if person.approval == "retrospective" else ""
    return f"{person.name}: {allowed} may be shared ({person.basis_label}).{after}{withheld}"


# --- the check ---------------------------------------------------------------------------------


def _purpose_row(purpose: SharingPurpose | str) -> SharingPurpose:
    if isinstance(purpose, SharingPurpose):
        return purpose
    try:
        return SharingPurpose.objects.get(code=purpose)
    except SharingPurpose.DoesNotExist:
        # A caller's typo must fail loudly, not read as "no agreement covers it".
        raise ValueError(f"{purpose!r} is not a sharing purpose") from None


def _category_rows(categories: Iterable[DataCategory | str]) -> list[DataCategory]:
    categories = list(categories)
    codes = [c.code if isinstance(c, DataCategory) else str(c) for c in categories]
    rows = {row.code: row for row in DataCategory.objects.filter(code__in=codes)}
    unknown = [code for code in codes if code not in rows]
    if unknown:
        raise ValueError(f"not data categories: {', '.join(unknown)}")
    seen, ordered = set(), []
    for code in codes:
        if code not in seen:
            seen.add(code)
            ordered.append(rows[code])
    return sorted(ordered, key=lambda row: (row.position, row.code))


def _names(agreements: Sequence[DataSharingAgreement]) -> str:
    return ", ".join(a.reference for a in agreements)


def _choose_agreement(
    *,
    recipient: Organisation,
    purpose: SharingPurpose,
    categories: list[DataCategory],
    on: date,
    basis_hint: str | None,
    safeguarding: bool,
) -> tuple[DataSharingAgreement | None, Condition]:
    """The agreement relied on, and the condition that says so (or why there is none)."""
    agreements = list(
        DataSharingAgreement.objects.filter(parties__organisation=recipient).distinct().with_terms()
    )
    in_force = [a for a in agreements if a.in_force(on)]
    covering = [a for a in in_force if a.covers_purpose(purpose)]
    if basis_hint and not safeguarding:
        covering = [a for a in covering if a.lawful_basis == basis_hint]

    if not agreements:
        return None, Condition(
            "agreement_in_force", False, f"There is no data sharing agreement with {recipient}."
        )
    if not in_force:
        why = "; ".join(f"{a.reference}: {', '.join(a.not_in_force_reasons(on))}" for a in agreements)
        return None, Condition(
            "agreement_in_force",
            False,
            f"No data sharing agreement with {recipient} is in force on {long_date(on)} ({why}).",
        )
    if not covering:
        if basis_hint and not safeguarding and any(a.covers_purpose(purpose) for a in in_force):
            return None, Condition(
                "agreement_in_force",
                False,
                f"No agreement in force with {recipient} for “{purpose}” relies on "
                f"{BASIS_LABELS.get(basis_hint, basis_hint)}.",
            )
        return None, Condition(
            "agreement_covers_purpose",
            False,
            f"The agreement in force with {recipient} ({_names(in_force)}) does not cover the purpose "
            f"“{purpose}”.",
        )

    def listed(agreement):
        return sum(1 for c in categories if agreement.category_entry(c) is not None)

    best = max(listed(a) for a in covering)
    candidates = [a for a in covering if listed(a) == best]
    bases = {a.lawful_basis for a in candidates}
    if len(bases) > 1 and not safeguarding:
        named = ", ".join(f"{a.reference} ({a.get_lawful_basis_display()})" for a in candidates)
        return None, Condition(
            "agreement_basis_chosen",
            False,
            f"More than one agreement with {recipient} covers this sharing on different lawful bases "
            f"({named}): choose the basis this sharing relies on.",
        )
    chosen = max(candidates, key=lambda a: (a.start_date, a.pk))
    ends = f", until {long_date(chosen.end_date)}" if chosen.end_date else ""
    return chosen, Condition(
        "agreement_in_force",
        True,
        f"Agreement {chosen.reference} with {recipient} is in force on {long_date(on)} "
        f"(signed by every party, from {long_date(chosen.start_date)}{ends}) and covers “{purpose}”; "
        f"it relies on {chosen.get_lawful_basis_display()}.",
    )


def _category_conditions(
    *, agreement: DataSharingAgreement | None, categories: list[DataCategory], safeguarding: bool
) -> tuple[list[Condition], set[str], dict[str, str]]:
    """Whether each category may go: listed by the agreement, with its Art 9/10 condition."""
    conditions, allowed, by_category = [], set(), {}
    for category in categories:
        code = f"category:{category.code}"
        entry = agreement.category_entry(category) if agreement else None
        if entry is None:
            if safeguarding:
                where = (
                    f"{agreement.reference} does not list it; " if agreement else "there is no agreement; "
                )
                extra = ""
                if category.needs_condition:
                    by_category[category.code] = SpecialCondition.SAFEGUARDING
                    extra = f" Its {category.article} condition is {SpecialCondition.SAFEGUARDING.label}."
                conditions.append(
                    Condition(
                        code,
                        True,
                        f"“{category}”: {where}shared as a one-off safeguarding disclosure.{extra}",
                    )
                )
                allowed.add(category.code)
            else:
                conditions.append(
                    Condition(code, False, f"Agreement {agreement.reference} does not list “{category}”.")
                )
            continue
        if category.needs_condition:
            if not entry.condition:
                conditions.append(
                    Condition(
                        code,
                        False,
                        f"“{category}” is {_KIND_WORDS[category.kind]}, and "
                        f"{agreement.reference} lists it without its {category.article} condition.",
                    )
                )
                continue
            if entry.condition in AGGREGATE_ONLY_CONDITIONS:
                conditions.append(
                    Condition(
                        code,
                        False,
                        f"“{category}” is listed under {entry.get_condition_display()}, "
                        "which covers aggregate statistics only, never sharing about a person "
                        "(domain-rules §4).",
                    )
                )
                continue
            by_category[category.code] = entry.condition
            conditions.append(
                Condition(
                    code,
                    True,
                    f"“{category}” is {_KIND_WORDS[category.kind]}; {agreement.reference} lists it "
                    f"with its {category.article} condition: {entry.get_condition_display()}.",
                )
            )
        else:
            conditions.append(Condition(code, True, f"{agreement.reference} lists “{category}”."))
        allowed.add(category.code)
    return conditions, allowed, by_category


def _wish_words(person: Person, state, label: str) -> str:
    if state.status == NOT_ASKED:
        return f"{person} has not been asked about “{label}”"
    return f"{person}'s answer for “{label}” is: {state.status} on {long_date(state.decided_on)}"


def check_disclosure(
    *,
    people: Iterable[Person],
    recipient: Organisation,
    categories: Iterable[DataCategory | str],
    purpose: SharingPurpose | str,
    on: date,
    basis_hint: str | None = None,
    safeguarding: Safeguarding | None = None,
    family: Family | None = None,
    override_reason: str = "",
) -> CheckResult:
    """May information in `categories` about each of `people` go to `recipient` for `purpose` on `on`?

    SPEC §6.2, in full (see the module docstring). `basis_hint` picks the Art 6
    basis when agreements on different bases cover the same sharing;
    `safeguarding` makes it a safeguarding disclosure; `family` requires each
    person to be a current member of it on `on`; `override_reason` is the
    worker's reason for sharing against a recorded refusal or withdrawal
    (public task, legal obligation, vital interests), which a manager must then
    approve. Reads only; never writes.
    """
    people = list(people)
    purpose_row = _purpose_row(purpose)
    category_rows = _category_rows(categories)
    is_safeguarding = safeguarding is not None
    justification = (safeguarding.justification or "").strip() if safeguarding else ""
    immediate = bool(safeguarding and safeguarding.immediate_risk)
    category_labels = {c.code: c.label for c in category_rows}
    requested = tuple(c.code for c in category_rows)

    agreement, agreement_condition = _choose_agreement(
        recipient=recipient,
        purpose=purpose_row,
        categories=category_rows,
        on=on,
        basis_hint=basis_hint,
        safeguarding=is_safeguarding,
    )
    without_agreement = False
    conditions = []
    if agreement is None and is_safeguarding:
        without_agreement = True
        conditions.append(
            Condition(
                "agreement_in_force",
                True,
                f"{agreement_condition.explanation} Allowed as a one-off safeguarding disclosure, "
                "flagged for the DPO's review.",
            )
        )
    else:
        conditions.append(agreement_condition)
    if not category_rows:
        conditions.append(
            Condition("categories_chosen", False, "Choose at least one kind of information to share.")
        )

    allowed_categories: set[str] = set()
    by_category: dict[str, str] = {}
    if agreement is not None or is_safeguarding:
        category_conditions, allowed_categories, by_category = _category_conditions(
            agreement=agreement, categories=category_rows, safeguarding=is_safeguarding
        )
        conditions += category_conditions
    globally_blocked = (
        any(
            not c.passed
            and c.code in ("agreement_in_force", "agreement_covers_purpose", "agreement_basis_chosen")
            for c in conditions
        )
        or not category_rows
    )

    basis = SAFEGUARDING if is_safeguarding else (agreement.lawful_basis if agreement else "")
    category = recipient.category
    consent_code = category.consent_purpose_id or ""
    consent_label = category.consent_purpose.label if category.consent_purpose_id else ""
    members = None
    if family is not None:
        members = set(
            Membership.objects.filter(family=family, start_date__lte=on)
            .exclude(end_date__lt=on)
            .values_list("person_id", flat=True)
        )

    results = []
    for person in people:
        mine: list[Condition] = []
        blocking = False
        approval = ""
        state = None
        relied_on_consent = False

        if members is not None:
            if person.pk in members:
                mine.append(
                    Condition(
                        "family_member", True, f"{person} is a member of family {family} on {long_date(on)}."
                    )
                )
            else:
                blocking = True
                mine.append(
                    Condition(
                        "family_member",
                        False,
                        f"{person} is not a member of family {family} on {long_date(on)}.",
                    )
                )

        if restriction_in_force(person=person, on=on):
            if is_safeguarding:
                mine.append(
                    Condition(
                        "restriction",
                        True,
                        f"{person}'s data is under a restriction of processing, which allows sharing only "
                        "for safeguarding (SPEC §8.2): this is a safeguarding disclosure.",
                    )
                )
            else:
                blocking = True
                mine.append(
                    Condition(
                        "restriction",
                        False,
                        f"{person}'s data is under a restriction of processing (UK GDPR Art 18): nothing is "
                        "disclosed about them except for safeguarding.",
                    )
                )
        else:
            mine.append(
                Condition("restriction", True, f"No restriction of processing is in force for {person}.")
            )

        if consent_code:
            state = consent_state(person=person, purpose=consent_code, on=on)

        if is_safeguarding:
            if justification:
                mine.append(
                    Condition(
                        "safeguarding_justification",
                        True,
                        "A written safeguarding justification is recorded.",
                    )
                )
            else:
                blocking = True
                mine.append(
                    Condition(
                        "safeguarding_justification",
                        False,
                        "Give a written justification: why sharing is needed to protect a child "
                        "or adult at risk.",
                    )
                )
            if state is not None:
                mine.append(
                    Condition(
                        "wishes",
                        True,
                        f"{_wish_words(person, state, consent_label)}. Safeguarding sharing may go "
                        "ahead with or without consent; the wishes are recorded with the decision.",
                    )
                )
            if immediate:
                approval = "retrospective"
                mine.append(
                    Condition(
                        "manager_approval",
                        True,
                        "The worker says the risk is immediate: it may be shared now, and a manager must "
                        "approve it afterwards.",
                    )
                )
            else:
                approval = "before"
                mine.append(
                    Condition(
                        "manager_approval",
                        False,
                        "The risk is not immediate: a manager must approve before anything is sent.",
                    )
                )
        elif agreement is None:
            blocking = True
        elif agreement.lawful_basis == LawfulBasis.CONSENT:
            relied_on_consent = True
            if not consent_code:
                blocking = True
                mine.append(
                    Condition(
                        "consent",
                        False,
                        f"{agreement.reference} relies on consent, but no consent purpose is registered for "
                        f"{in_sentence(category.label)} partners, so no one can have given it.",
                    )
                )
            elif state.is_given:
                mine.append(
                    Condition(
                        "consent",
                        True,
                        f"{person} gave consent for “{consent_label}” on {long_date(state.decided_on)}, "
                        f"and {agreement.reference} relies on consent.",
                    )
                )
            else:
                blocking = True
                if state.status == NOT_ASKED:
                    words = f"{person} has not been asked for consent for “{consent_label}”."
                else:
                    when = long_date(state.decided_on)
                    words = f"{person} {_VERB[state.status]} consent for “{consent_label}” on {when}."
                # Domain-rules §1.3: a withdrawn consent cannot be quietly replaced by another basis.
                mine.append(
                    Condition(
                        "consent",
                        False,
                        f"{words} {agreement.reference} relies on consent, so nothing may be shared about "
                        f"{person} under it.",
                    )
                )
        else:
            label = agreement.get_lawful_basis_display()
            if state is None:
                mine.append(
                    Condition(
                        "wishes",
                        True,
                        f"No sharing wishes are asked for {in_sentence(category.label)} partners; "
                        f"{agreement.reference} relies on {label}.",
                    )
                )
            elif state.status in (WISH_REFUSED, WITHDRAWN):
                mine.append(
                    Condition(
                        "wishes",
                        False,
                        f"{person} {_VERB[state.status]} consent for “{consent_label}” on "
                        f"{long_date(state.decided_on)}. {agreement.reference} relies on {label}, "
                        "so sharing against their wishes needs your reason and a manager's approval.",
                    )
                )
                if override_reason.strip():
                    approval = "before"
                    mine.append(
                        Condition(
                            "override_reason", True, "You gave your reason for sharing against their wishes."
                        )
                    )
                    mine.append(
                        Condition(
                            "manager_approval", False, "A manager must approve before anything is sent."
                        )
                    )
                else:
                    blocking = True
                    mine.append(
                        Condition(
                            "override_reason",
                            False,
                            f"Give your reason for sharing against {person}'s wishes; "
                            "a manager must then approve it.",
                        )
                    )
            else:
                mine.append(
                    Condition(
                        "wishes",
                        True,
                        f"{_wish_words(person, state, consent_label)}; "
                        f"{agreement.reference} relies on {label}, so sharing may go ahead.",
                    )
                )

        mine_allowed = [code for code in requested if code in allowed_categories]
        mine_refused = [code for code in requested if code not in allowed_categories]
        if mine_allowed and education_opt_out_in_force(person=person, on=on):
            kept = {c.code for c in category_rows if c.allowed_under_education_opt_out}
            for code in [code for code in mine_allowed if code not in kept]:
                mine.append(
                    Condition(
                        "education_opt_out",
                        False,
                        f"{person} has opted out under the Education and Skills Act 2008: only name, address "
                        f"and date of birth may be shared, so “{category_labels[code]}” is withheld.",
                    )
                )
            mine_allowed = [code for code in mine_allowed if code in kept]
            mine_refused = [code for code in requested if code not in mine_allowed]
            if not mine_allowed:
                blocking = True
        elif mine_allowed:
            mine.append(
                Condition(
                    "education_opt_out", True, f"No education opt-out limits what is shared about {person}."
                )
            )

        if blocking or globally_blocked or not mine_allowed:
            outcome, mine_allowed, mine_refused = REFUSED, [], list(requested)
        elif approval == "before":
            outcome = NEEDS_APPROVAL
        else:
            outcome = ALLOWED

        results.append(
            PersonResult(
                person_id=person.pk,
                name=str(person),
                outcome=outcome,
                basis=basis,
                categories_allowed=tuple(mine_allowed),
                categories_refused=tuple(mine_refused),
                conditions=(*conditions, *mine),
                approval=approval if outcome != REFUSED else "",
                dpo_review=is_safeguarding and outcome != REFUSED,
                consent_purpose=consent_code,
                consent_status=state.status if state is not None else "",
                consent_record_id=state.record.pk if state is not None and state.record else None,
                relied_on_consent=relied_on_consent,
            )
        )

    return CheckResult(
        on=on,
        recipient_id=recipient.pk,
        recipient_name=str(recipient),
        recipient_category=category.code,
        purpose=purpose_row.code,
        purpose_label=purpose_row.label,
        categories=requested,
        category_labels=category_labels,
        agreement_id=agreement.pk if agreement else None,
        agreement_reference=agreement.reference if agreement else "",
        basis=basis,
        is_safeguarding=is_safeguarding,
        immediate_risk=immediate,
        without_agreement=without_agreement,
        conditions=tuple(conditions),
        people=tuple(results),
        legal_power=agreement.legal_power if agreement else "",
        conditions_by_category={code: by_category[code] for code in requested if code in by_category},
    )
