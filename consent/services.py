"""Recording consent decisions, opt-outs and privacy notice versions (SPEC §5).

Every function takes the acting user as `by`, runs in one transaction, writes
the access log entry in it, and refuses bad input with a
`django.core.exceptions.ValidationError` keyed by the field to correct.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.models import Case, Family, Person
from consent.models import (
    ConsentPurpose,
    ConsentRecord,
    EducationOptOut,
    PrivacyNoticeSection,
    PrivacyNoticeVersion,
    is_family_agreement,
)
from consent.selectors import (
    NOT_ASKED,
    ConsentState,
    WorkGate,
    current_memberships,
    current_notice_version,
    decides_for_themselves,
    education_opt_out_in_force,
    long_date,
    work_may_start,
)
from fss.core.models import AccessLogEntry
from fss.core.services import log_access

Capacity = ConsentRecord.Capacity
Decision = ConsentRecord.Decision


@dataclass(frozen=True)
class Withdrawal:
    """A recorded withdrawal and what the caller must do next.

    `prompt_case_closure` is True when the agreement to work with the service
    was withdrawn: the caller asks the worker to close the family's open case
    with `closure_reason` ("consent withdrawn", SPEC §5.2). The cases app
    closes it; nothing here does. `work_gate` says whether anyone else in the
    family still agrees (`consent.selectors.work_may_start`).
    """

    record: ConsentRecord
    prompt_case_closure: bool
    closure_reason: str
    work_gate: WorkGate


def _choice_errors(**values) -> dict[str, str]:
    choices = {"decision": Decision, "capacity": Capacity, "method": ConsentRecord.Method}
    return {
        name: f"Choose one of: {', '.join(choices[name].labels)}."
        for name, value in values.items()
        if value not in choices[name].values
    }


def _age_words(person: Person, on: date) -> str:
    age = person.age_on(on)
    return f"{person} is {age} on {long_date(on)}" if age is not None else f"{person}"


def _unborn_on(person: Person, on: date) -> bool:
    if person.date_of_birth is not None:
        return on < person.date_of_birth
    return person.expected_date_of_birth is not None


def _capacity_errors(
    *, person, role, decided_by, decider_membership, capacity, decided_on, child_is_competent, note
) -> dict[str, str]:
    """Who may decide (SPEC §5.2): 16 and over for themselves; under 16, someone with parental
    responsibility, unless the worker records the child is competent; a legal representative
    with a note of their authority."""
    errors: dict[str, str] = {}
    own = decides_for_themselves(person=person, role=role, on=decided_on)
    needs_date_of_birth = (
        f"Record {person}'s date of birth first: "
        "who may decide depends on their age on the date of the decision."
    )
    if decided_by.pk == person.pk and _unborn_on(person, decided_on):
        errors["decided_by"] = (
            f"{person} was not born on {long_date(decided_on)}, and an unborn child cannot decide. "
            "Record the decision of someone with parental responsibility."
        )
        return errors
    if decided_by.date_of_death and decided_by.date_of_death < decided_on:
        errors["decided_by"] = f"{decided_by} died on {long_date(decided_by.date_of_death)}."
        return errors

    if capacity == Capacity.SELF:
        if decided_by.pk != person.pk:
            errors["decided_by"] = f"For “{Capacity.SELF.label}”, the person deciding must be {person}."
        elif own is None:
            errors["person"] = needs_date_of_birth
        elif not own:
            errors["capacity"] = (
                f"{_age_words(person, decided_on)}, under 16: someone with parental responsibility decides "
                f"for them, unless you record that {person} is competent to decide for themselves "
                f"(then choose “{Capacity.COMPETENT_CHILD.label}”)."
            )
    elif capacity == Capacity.COMPETENT_CHILD:
        if decided_by.pk != person.pk:
            errors["decided_by"] = (
                f"For “{Capacity.COMPETENT_CHILD.label}”, the person deciding must be {person}."
            )
        elif own is None:
            errors["person"] = needs_date_of_birth
        elif own:
            errors["capacity"] = (
                f"{_age_words(person, decided_on)}: from 16 they decide for themselves. "
                f"Choose “{Capacity.SELF.label}”."
            )
        elif not child_is_competent:
            errors["child_is_competent"] = (
                f"Record that {person} is competent to make this decision before recording it as their own."
            )
    elif capacity == Capacity.PARENTAL_RESPONSIBILITY:
        if decided_by.pk == person.pk:
            errors["decided_by"] = (
                "Someone with parental responsibility decides for another person, not for themselves."
            )
        elif own:
            errors["capacity"] = (
                f"{_age_words(person, decided_on)}: from 16 they decide for themselves, so a parent "
                "cannot decide for them."
            )
        elif own is None and not _unborn_on(person, decided_on):
            errors["person"] = needs_date_of_birth
        elif child_is_competent:
            errors["capacity"] = (
                f"You recorded that {person} is competent to decide, so their own decision stands: "
                f"record it with “{Capacity.COMPETENT_CHILD.label}”."
            )
        elif decider_membership is not None and not decider_membership.has_parental_responsibility:
            errors["decided_by"] = (
                f"{decided_by} does not hold parental responsibility in this family, "
                f"so cannot decide for {person}."
            )
    elif capacity == Capacity.LEGAL_REPRESENTATIVE:
        if decided_by.pk == person.pk:
            errors["decided_by"] = "A legal representative acts for someone else."
        if not note:
            errors["note"] = (
                "Say what authority the legal representative holds, for example a lasting power of "
                "attorney, a deputyship or a court order."
            )
    return errors


def _state_before(*, person, family, code, on, ignoring=None) -> ConsentState:
    records = ConsentRecord.objects.uncorrected().filter(person=person, purpose=code, decided_on__lte=on)
    if is_family_agreement(code):
        records = records.filter(family=family)
    if ignoring is not None:
        records = records.exclude(pk=ignoring.pk)
    return ConsentState.from_record(records.order_by("-decided_on", "-pk").first())


@transaction.atomic
def record_consent(
    *,
    person: Person,
    family: Family,
    purpose: ConsentPurpose | str,
    decision: str,
    decided_by: Person,
    capacity: str,
    method: str,
    decided_on: date,
    by,
    notice_version: PrivacyNoticeVersion | None = None,
    review_on: date | None = None,
    evidence=None,
    child_is_competent: bool = False,
    corrects: ConsentRecord | None = None,
    note: str = "",
) -> ConsentRecord:
    """Record one person's decision for one purpose, as a new record (SPEC §5.1, §5.2).

    Refuses: a person or decider not in the family on that date (a legal
    representative need not be); a date in the future; a capacity that does
    not fit the person's age or the decider's parental responsibility; an
    unborn child deciding; withdrawing what was never given. `notice_version`
    defaults to the version in force on `decided_on`. A correction names the
    record it `corrects` and says why in `note`; it replaces that record.
    """
    # One decision about a person at a time, so two withdrawals cannot both pass the check.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    note = (note or "").strip()
    today = timezone.localdate()
    code = purpose.code if isinstance(purpose, ConsentPurpose) else str(purpose)

    errors = _choice_errors(decision=decision, capacity=capacity, method=method)
    purpose_row = ConsentPurpose.objects.filter(code=code).first()
    if purpose_row is None:
        errors["purpose"] = f"“{code}” is not a consent purpose."
    elif not purpose_row.is_available_on(decided_on):
        errors["purpose"] = f"“{purpose_row}” is no longer used from {long_date(purpose_row.retired_on)}."
    if decided_on > today:
        errors["decided_on"] = "The date of the decision cannot be in the future."
    if review_on is not None and review_on <= decided_on:
        errors["review_on"] = "The review date must be after the date of the decision."
    if errors:
        raise ValidationError(errors)

    members = {m.person_id: m for m in current_memberships(family=family, on=decided_on)}
    subject = members.get(person.pk)
    decider = members.get(decided_by.pk)
    if subject is None:
        errors["person"] = f"{person} is not a member of this family on {long_date(decided_on)}."
    if decider is None and decided_by.pk != person.pk and capacity != Capacity.LEGAL_REPRESENTATIVE:
        errors["decided_by"] = (
            f"{decided_by} is not a member of this family on {long_date(decided_on)}, so cannot decide here."
        )
    if subject is not None:
        for name, message in _capacity_errors(
            person=person,
            role=subject.role,
            decided_by=decided_by,
            decider_membership=decider,
            capacity=capacity,
            decided_on=decided_on,
            child_is_competent=child_is_competent,
            note=note,
        ).items():
            errors.setdefault(name, message)

    if notice_version is None:
        notice_version = current_notice_version(on=decided_on)
        if notice_version is None:
            errors["notice_version"] = (
                f"No privacy notice was in force on {long_date(decided_on)}: "
                "choose the version the family was shown."
            )
    elif not notice_version.is_published:
        errors["notice_version"] = (
            f"Version {notice_version.version} is a draft: "
            "a family can only have been shown a published notice."
        )
    elif notice_version.effective_from > decided_on:
        errors["notice_version"] = (
            f"Version {notice_version.version} took effect on {long_date(notice_version.effective_from)}, "
            "after this decision."
        )

    if corrects is not None:
        if (corrects.person_id, corrects.purpose_id, corrects.family_id) != (person.pk, code, family.pk):
            errors["corrects"] = "A correction must be about the same person, purpose and family."
        elif corrects.corrections.exists():
            errors["corrects"] = (
                "That record has already been corrected: correct the latest correction instead."
            )
        if not note:
            errors.setdefault("note", "Say what was wrong with the record you are correcting.")

    if decision == Decision.WITHDRAWN and "purpose" not in errors:
        before = _state_before(person=person, family=family, code=code, on=decided_on, ignoring=corrects)
        if not before.is_given:
            was = (
                "never given"
                if before.status == NOT_ASKED
                else f"{before.status} on {long_date(before.decided_on)}"
            )
            errors["decision"] = (
                f"{person}'s consent for “{purpose_row}” was {was}, so there is nothing to withdraw."
            )

    if errors:
        raise ValidationError(errors)

    record = ConsentRecord(
        person=person,
        family=family,
        purpose=purpose_row,
        decision=decision,
        decided_by=decided_by,
        capacity=capacity,
        method=method,
        decided_on=decided_on,
        recorded_by=by,
        notice_version=notice_version,
        review_on=review_on,
        corrects=corrects,
        note=note,
    )
    if evidence is not None:
        record.evidence = evidence
    record.full_clean()
    record.save()
    log_access(
        by=by, record=record, action=AccessLogEntry.Action.CHANGE, family_id=family.pk, person_id=person.pk
    )
    return record


@transaction.atomic
def withdraw_consent(
    *,
    person: Person,
    family: Family,
    purpose: ConsentPurpose | str,
    decided_by: Person,
    capacity: str,
    method: str,
    decided_on: date,
    by,
    notice_version: PrivacyNoticeVersion | None = None,
    evidence=None,
    child_is_competent: bool = False,
    note: str = "",
) -> Withdrawal:
    """Record a withdrawal as a new record; it counts from `decided_on` for every later disclosure
    and changes nothing before (domain-rules §1.3).

    Withdrawing `service` returns `prompt_case_closure=True`: the caller prompts
    the worker to close the case with reason "consent withdrawn" (SPEC §5.2).
    """
    record = record_consent(
        person=person,
        family=family,
        purpose=purpose,
        decision=Decision.WITHDRAWN,
        decided_by=decided_by,
        capacity=capacity,
        method=method,
        decided_on=decided_on,
        by=by,
        notice_version=notice_version,
        evidence=evidence,
        child_is_competent=child_is_competent,
        note=note,
    )
    # SPEC §6.2: earlier disclosures that relied on this consent are flagged and each
    # recipient gets a task to be told; the withdrawal changes nothing before its date.
    from sharing.models import DisclosureFlag
    from sharing.services import flag_disclosures_relying_on

    flag_disclosures_relying_on(
        person=person,
        purpose=record.purpose_id,
        on=record.decided_on,
        reason=DisclosureFlag.Reason.CONSENT_WITHDRAWN,
        by=by,
    )
    prompt = record.purpose_id == ConsentPurpose.Kind.SERVICE
    return Withdrawal(
        record=record,
        prompt_case_closure=prompt,
        closure_reason=Case.ClosureReason.CONSENT_WITHDRAWN if prompt else "",
        work_gate=work_may_start(family=family, on=decided_on),
    )


def _opt_out_date_errors(from_date: date) -> dict[str, str]:
    if from_date > timezone.localdate():
        return {"from_date": "The date cannot be in the future."}
    return {}


@transaction.atomic
def record_education_opt_out(*, person: Person, from_date: date, by, note: str = "") -> EducationOptOut:
    """Record the Education and Skills Act 2008 opt-out (domain-rules §5) from `from_date`."""
    Person.objects.select_for_update().filter(pk=person.pk).first()
    errors = _opt_out_date_errors(from_date)
    if not errors and education_opt_out_in_force(person=person, on=from_date):
        errors["from_date"] = f"{person}'s opt-out is already in force on {long_date(from_date)}."
    if errors:
        raise ValidationError(errors)
    opt_out = EducationOptOut.objects.create(
        person=person, status=EducationOptOut.Status.IN_FORCE, from_date=from_date, recorded_by=by, note=note
    )
    log_access(by=by, record=opt_out, action=AccessLogEntry.Action.CHANGE, person_id=person.pk)
    return opt_out


@transaction.atomic
def end_education_opt_out(*, person: Person, from_date: date, by, note: str = "") -> EducationOptOut:
    """End the opt-out from `from_date`, as a new entry; the earlier entry stays."""
    Person.objects.select_for_update().filter(pk=person.pk).first()
    errors = _opt_out_date_errors(from_date)
    if not errors and not education_opt_out_in_force(person=person, on=from_date):
        errors["from_date"] = f"{person} has no opt-out in force on {long_date(from_date)}."
    if errors:
        raise ValidationError(errors)
    ended = EducationOptOut.objects.create(
        person=person, status=EducationOptOut.Status.ENDED, from_date=from_date, recorded_by=by, note=note
    )
    log_access(by=by, record=ended, action=AccessLogEntry.Action.CHANGE, person_id=person.pk)
    return ended


@transaction.atomic
def draft_notice_version(
    *, by, based_on: PrivacyNoticeVersion | None = None, change_summary: str = ""
) -> PrivacyNoticeVersion:
    """Start a new draft of the privacy notice, copying `based_on` (default: the current version).

    A published version is never edited (SPEC §5.3): changes are drafted here and published.
    """
    based_on = based_on or current_notice_version()
    latest = PrivacyNoticeVersion.objects.select_for_update().order_by("-version").first()
    draft = PrivacyNoticeVersion.objects.create(
        version=(latest.version if latest else 0) + 1,
        status=PrivacyNoticeVersion.Status.DRAFT,
        title=based_on.title if based_on else "{service_name} privacy notice",
        summary=based_on.summary if based_on else "",
        change_summary=change_summary,
        created_by=by,
    )
    if based_on is not None:
        # One by one, not bulk_create: change history records each row (STYLE "Access, audit, history").
        for section in based_on.sections.order_by("position"):
            PrivacyNoticeSection.objects.create(
                version=draft, position=section.position, heading=section.heading, body=section.body
            )
    return draft


@transaction.atomic
def publish_notice_version(
    *, version: PrivacyNoticeVersion, by, effective_from: date
) -> PrivacyNoticeVersion:
    """Publish a draft, in force from `effective_from` (SPEC §5.3).

    Refuses a date in the past (families were shown the earlier version until
    now) or before a version already published, a notice with no sections, and
    unknown placeholders. Once published, the version never changes.
    """
    version = PrivacyNoticeVersion.objects.select_for_update().get(pk=version.pk)
    errors: dict[str, str] = {}
    if version.is_published:
        raise ValidationError(
            {
                "version": f"Version {version.version} is already published. "
                "Draft a new version to change the notice."
            }
        )
    if effective_from < timezone.localdate():
        errors["effective_from"] = (
            "A notice cannot take effect in the past: families have been shown the earlier version until now."
        )
    latest = (
        PrivacyNoticeVersion.objects.filter(status=PrivacyNoticeVersion.Status.PUBLISHED)
        .order_by("-effective_from", "-version")
        .first()
    )
    if latest is not None and effective_from < latest.effective_from:
        errors.setdefault(
            "effective_from",
            f"Version {latest.version} takes effect on {long_date(latest.effective_from)}: "
            "this version must take effect on or after that date.",
        )
    sections = list(version.sections.all())
    if not sections:
        errors["sections"] = "A notice needs at least one section."
    problems = []
    for row in [version, *sections]:
        try:
            row.clean()
        except ValidationError as exc:
            problems.extend(message for messages in exc.message_dict.values() for message in messages)
    if problems:
        errors["sections"] = " ".join(sorted(set(problems)))
    if errors:
        raise ValidationError(errors)

    version.status = PrivacyNoticeVersion.Status.PUBLISHED
    version.effective_from = effective_from
    version.published_at = timezone.now()
    version.published_by = by
    version.save()
    return version
