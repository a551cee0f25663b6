"""What staff do with returns (SPEC §6.3): record young people's activities, contact attempts and
September Guarantee offers; make follow-up tasks; run a return; record its sending and the recipient's
destruction of it; download it again; destroy files that have expired.

Every function takes the acting user as `by` (a job passes None), runs in one
transaction, writes the access log in it, and refuses bad input with a
ValidationError keyed by the field to correct.
"""

import dataclasses
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cases.models import Family, Membership, Person
from fss.core import roles
from fss.core.models import AccessLogEntry
from fss.core.services import client_ip, log_access
from retention.models import RetentionPolicy
from retention.selectors import NoPolicyError, current_policy
from sharing.check import ALLOWED, NEEDS_APPROVAL, check_disclosure, long_date, person_summary
from sharing.models import Disclosure, Organisation, SharingPurpose
from sharing.returns import builders, selectors
from sharing.returns.files import FORMATS, PROGRESS_CATEGORIES, sha256, write_csv
from sharing.returns.models import (
    ActivityCode,
    ActivityRecord,
    ContactAttempt,
    FollowUpTask,
    ResearchProject,
    ReturnKind,
    ReturnRun,
    SeptemberGuaranteeOffer,
    TransferRecord,
)
from sharing.statistics.selectors import financial_quarter, financial_year_of, quarter_of

# Statutory and research returns cover a whole cohort: families learn of them from the privacy notice.
NOT_TOLD_REASON = (
    "Told through the privacy notice, not individually: a statutory or research return covers everyone "
    "in its cohort."
)
ALREADY_RUN = "already_run"


def _in_family(person: Person, family: Family, on: date) -> bool:
    return (
        Membership.objects.filter(person=person, family=family, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .exists()
    )


def log_people(*, by, people, record=None, action: str = AccessLogEntry.Action.VIEW, request=None) -> None:
    """`log_access` for many people in one INSERT: each (family id, person id) in `people` gets the line
    `log_access` would write — about `record` (a run, say), or about the person when `record` is None."""
    match = getattr(request, "resolver_match", None)
    AccessLogEntry.objects.bulk_create(
        [
            AccessLogEntry(
                user=by,
                action=action,
                record_type=record._meta.label_lower if record is not None else "cases.person",
                record_id=str(record.pk if record is not None else person_id),
                family_id=family_id,
                person_id=person_id,
                ip_address=client_ip(request),
                view_name=match.view_name if match else "",
            )
            for family_id, person_id in people
        ],
        batch_size=500,
    )


# --- participation of young people (domain-rules §7) ----------------------------------------------


@transaction.atomic
def record_activity(
    *,
    person: Person,
    family: Family,
    code: str,
    confirmed_on: date,
    source: str,
    by,
    review_on: date | None = None,
    request=None,
) -> ActivityRecord:
    """Record a young person's activity as confirmed on `confirmed_on`, to be confirmed again by
    `review_on` (by default the code's usual review period). Closes the person's open follow-up tasks.

    Refuses: a code not in force on that date; 810, which the service derives (820 "cannot be
    contacted" and 830 "refused to disclose" may be recorded); a date in the future; a review date
    on or before the date confirmed; someone not a current member of the family.
    """
    today = timezone.localdate()
    errors = {}
    if confirmed_on > today:
        errors["confirmed_on"] = "The date confirmed cannot be in the future."
    try:
        activity_code = selectors.activity_code(code, confirmed_on)
    except ActivityCode.DoesNotExist:
        activity_code = None
        errors["code"] = f"{code} is not an activity code in force on {long_date(confirmed_on)}."
    if activity_code is not None and activity_code.code == "810":
        errors["code"] = (
            "“Not known” (810) is never recorded: the service counts someone as not known when nothing "
            "is confirmed or the activity is past its review date. Record a contact attempt instead."
        )
    if review_on is None and activity_code is not None:
        review_on = confirmed_on + relativedelta(months=activity_code.review_after_months)
    if review_on is not None and review_on <= confirmed_on:
        errors["review_on"] = "The review date must be after the date confirmed."
    if source not in ActivityRecord.Source.values:
        errors["source"] = "Choose who confirmed the activity."
    if not _in_family(person, family, today):
        errors["__all__"] = f"{person} is not a current member of family {family}."
    if errors:
        raise ValidationError(errors)
    record = ActivityRecord.objects.create(
        person=person,
        code=activity_code,
        confirmed_on=confirmed_on,
        review_on=review_on,
        source=source,
        recorded_by=by,
    )
    FollowUpTask.objects.filter(person=person, done_on__isnull=True).update(done_on=today, done_by=by)
    log_access(
        by=by,
        record=record,
        action=AccessLogEntry.Action.CHANGE,
        request=request,
        family_id=family.pk,
        person_id=person.pk,
    )
    return record


@transaction.atomic
def record_contact_attempt(
    *, person: Person, family: Family, on: date, method: str, result: str, by, request=None
) -> ContactAttempt:
    """Record an attempt to find out a young person's activity (domain-rules §7)."""
    errors = {}
    if on > timezone.localdate():
        errors["on"] = "The date cannot be in the future."
    if method not in ContactAttempt.Method.values:
        errors["method"] = "Choose how you tried to make contact."
    if result not in ContactAttempt.Result.values:
        errors["result"] = "Choose what happened."
    if not _in_family(person, family, timezone.localdate()):
        errors["__all__"] = f"{person} is not a current member of family {family}."
    if errors:
        raise ValidationError(errors)
    attempt = ContactAttempt.objects.create(
        person=person, on=on, method=method, result=result, recorded_by=by
    )
    log_access(
        by=by,
        record=attempt,
        action=AccessLogEntry.Action.CHANGE,
        request=request,
        family_id=family.pk,
        person_id=person.pk,
    )
    return attempt


@transaction.atomic
def record_september_offer(
    *, person: Person, family: Family, academic_year: int, offer: str, recorded_on: date, by, request=None
) -> SeptemberGuaranteeOffer:
    """Record the September Guarantee offer for a Year 11 or Year 12 leaver (domain-rules §7).

    The year left is worked out from the academic age in `academic_year`: 16
    left Year 11, 17 left Year 12. Refuses anyone else, an unknown offer, and a
    date in the future.
    """
    errors = {}
    if recorded_on > timezone.localdate():
        errors["recorded_on"] = "The date cannot be in the future."
    if offer not in SeptemberGuaranteeOffer.Offer.values:
        errors["offer"] = "Choose the offer."
    age = selectors.academic_age(person.date_of_birth, academic_year) if person.date_of_birth else None
    if age not in (16, 17):
        errors["academic_year"] = (
            f"{person} is not a Year 11 or Year 12 leaver in {academic_year}/{(academic_year + 1) % 100:02d} "
            "(academic age 16 or 17), so the September Guarantee does not apply."
        )
    if not _in_family(person, family, timezone.localdate()):
        errors["__all__"] = f"{person} is not a current member of family {family}."
    if errors:
        raise ValidationError(errors)
    record = SeptemberGuaranteeOffer.objects.create(
        person=person,
        academic_year=academic_year,
        year_group=11 if age == 16 else 12,
        offer=offer,
        recorded_on=recorded_on,
        recorded_by=by,
    )
    log_access(
        by=by,
        record=record,
        action=AccessLogEntry.Action.CHANGE,
        request=request,
        family_id=family.pk,
        person_id=person.pk,
    )
    return record


def follow_up_tasks_due(
    *, on: date | None = None, lead_days: int = selectors.FOLLOW_UP_LEAD_DAYS
) -> list[FollowUpTask]:
    """The follow-up tasks `create_follow_up_tasks` would make on `on`, unsaved (its dry run)."""
    on = on or timezone.localdate()
    cohort = selectors.tracked_cohort(on=on)
    latest = selectors.latest_activities([m.person.pk for m in cohort], on)
    with_task = set(
        FollowUpTask.objects.filter(activity_id__in=[r.pk for r in latest.values()]).values_list(
            "activity_id", flat=True
        )
    )
    open_unconfirmed = set(
        FollowUpTask.objects.filter(activity__isnull=True, done_on__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    made = []
    for member in cohort:
        record = latest.get(member.person.pk)
        owner = member.family.lead_worker_id
        if record is None:
            if member.person.pk not in open_unconfirmed:
                made.append(FollowUpTask(person=member.person, due_on=on, assigned_to_id=owner))
        elif record.pk not in with_task and record.review_on <= on + timedelta(days=lead_days):
            made.append(
                FollowUpTask(
                    person=member.person,
                    activity=record,
                    due_on=max(record.review_on - timedelta(days=1), record.confirmed_on),
                    assigned_to_id=owner,
                )
            )
    return made


@transaction.atomic
def create_follow_up_tasks(
    *, on: date | None = None, lead_days: int = selectors.FOLLOW_UP_LEAD_DAYS, return_tasks: bool = False
):
    """Make a follow-up task for everyone in the cohort whose activity must be confirmed again within
    `lead_days` (due the day before its review date, so it is done before the record lapses to 810), or
    who was never confirmed (due at once). Safe to run twice: one task per activity record, one open
    task per person never confirmed. Returns how many were made (the tasks, with `return_tasks`)."""
    made = follow_up_tasks_due(on=on, lead_days=lead_days)
    FollowUpTask.objects.bulk_create(made)
    return made if return_tasks else len(made)


@transaction.atomic
def close_follow_up_task(*, task: FollowUpTask, by) -> FollowUpTask:
    task = FollowUpTask.objects.select_for_update().get(pk=task.pk)
    if task.done_on is not None:
        raise ValidationError(f"This task was already done on {long_date(task.done_on)}.")
    task.done_on = timezone.localdate()
    task.done_by = by
    task.save(update_fields=["done_on", "done_by"])
    return task


# --- running a return (SPEC §6.3) ------------------------------------------------------------------


def _period_errors(kind: str, start: date, end: date, today: date) -> dict[str, str]:
    """The period each return covers: a calendar month, 1–30 September, 1 November, a financial quarter."""
    if end < start:
        return {"period_end": "The end of the period must be on or after its start."}
    if start > today:
        return {"period_start": "The period has not started yet."}
    fits = {
        ReturnKind.PARTICIPATION_MONTHLY: (
            start.day == 1 and end == start + relativedelta(months=1, days=-1),
            "The monthly extract covers one calendar month: from its 1st to its last day.",
        ),
        ReturnKind.SEPTEMBER_GUARANTEE: (
            (start.month, start.day) == (9, 1) and end == date(start.year, 9, 30),
            "The September Guarantee covers 1 to 30 September of one year.",
        ),
        ReturnKind.ACTIVITY_SURVEY: (
            (start.month, start.day) == (11, 1) and end == start,
            "The activity survey is as at 1 November: the period starts and ends on it.",
        ),
        ReturnKind.PROGRAMME_PROGRESS: (
            (start, end) == financial_quarter(financial_year_of(start), quarter_of(start)),
            "The progress summary covers one financial quarter: April to June, July to September, "
            "October to December or January to March.",
        ),
    }
    fit, message = fits.get(kind, (True, ""))
    return {} if fit else {"period_start": message}


def _file_expiry(kind: str, today: date) -> date | None:
    if kind == ReturnKind.ONS_MATCHING:
        # Kept until ONS confirms destruction (domain-rules §8; retention policy ons_transfer_file).
        return current_policy(RetentionPolicy.RecordKind.ONS_TRANSFER_FILE, on=today).due_date(today)
    # Other returns' files: the retention policy return_file (30 days by default; the DPO changes it).
    try:
        policy = current_policy(RetentionPolicy.RecordKind.RETURN_FILE, on=today)
    except NoPolicyError:
        raise ValidationError(
            "No retention policy for return files is in force, so the file could not be given an expiry date."
        ) from None
    return policy.due_date(today)


def run_return(
    *,
    kind: str,
    period_start: date,
    period_end: date,
    recipient: Organisation,
    by,
    research_project: ResearchProject | None = None,
    supersede: bool = False,
    request=None,
) -> ReturnRun:
    """Run a return: its cohort through the one sharing check, a file of those allowed, a Disclosure
    per person in the cohort (shared or not, with the check's answer), a transfer record (SPEC §6.3).

    - A return already run for the same period and recipient is refused with
      code ``already_run`` naming the earlier run, unless `supersede`: the new
      run then supersedes it (the earlier run is kept, marked superseded).
    - People the check refuses are left out of the file and listed with the
      reason (their "not shared" Disclosures); a return cannot wait for a
      manager's approval, so those needing one are left out too.
    - An empty cohort gives an empty file (its header row) and a warning.
    - Refused outright: no agreement in force with the recipient for the
      purpose; a recipient of the wrong kind; a period that does not fit the
      return; an ONS extract without its research project.
    Only the DPO runs returns (SPEC §1).
    """
    if kind not in FORMATS:
        raise ValidationError({"kind": "Choose a return."})
    fmt = FORMATS[kind]
    today = timezone.localdate()
    errors = {}
    if not by.has_role(roles.DPO):
        raise ValidationError("Only the Data Protection Officer runs statutory and research returns.")
    errors |= _period_errors(kind, period_start, period_end, today)
    if recipient.category.code not in fmt.recipient_categories:
        errors["recipient"] = f"{recipient} cannot receive this return."
    if kind == ReturnKind.ONS_MATCHING:
        if research_project is None:
            errors["research_project"] = "Choose the research project the extract serves."
        elif research_project.recipient_id != recipient.pk:
            errors["research_project"] = (
                f"{research_project} is with {research_project.recipient}, not {recipient}."
            )
    if errors:
        raise ValidationError(errors)

    written: list[str] = []
    try:
        with transaction.atomic():
            run = _run(
                kind=kind,
                period_start=period_start,
                period_end=period_end,
                recipient=recipient,
                by=by,
                research_project=research_project if kind == ReturnKind.ONS_MATCHING else None,
                supersede=supersede,
                today=today,
                request=request,
                written=written,
            )
    except BaseException:
        # The transaction is undone; the file it wrote must go too (SPEC §2.5: nothing half-made stays).
        for name in written:
            ReturnRun._meta.get_field("file").storage.delete(name)
        raise
    return run


def _run(
    *, kind, period_start, period_end, recipient, by, research_project, supersede, today, request, written
):
    fmt = FORMATS[kind]
    # One run per recipient at a time, so two people cannot both run the same period.
    Organisation.objects.select_for_update().filter(pk=recipient.pk).first()
    previous = selectors.current_run_for(
        kind=kind, period_start=period_start, period_end=period_end, recipient=recipient
    )
    if previous is not None and not supersede:
        raise ValidationError(
            {
                "supersede": ValidationError(
                    f"This return was already run for {previous.period_label} on "
                    f"{long_date(timezone.localtime(previous.run_at).date())} by {previous.run_by}. "
                    "Run it again to supersede that run: the earlier run is kept and marked as superseded.",
                    code=ALREADY_RUN,
                )
            }
        )
    as_at = min(period_end, today)
    made = builders.build(kind=kind, start=period_start, end=period_end, as_at=as_at)
    people = [member.person for member in made.cohort]
    # The check is the moment of use: these people's consent and restrictions cannot change under it.
    list(
        Person.objects.select_for_update().filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True)
    )
    categories = PROGRESS_CATEGORIES if not fmt.per_person else fmt.categories
    result = check_disclosure(
        people=people, recipient=recipient, categories=categories, purpose=fmt.purpose, on=today
    )
    blocking = [c for c in result.failed if c.code.startswith("agreement") or c.code == "categories_chosen"]
    if blocking:
        raise ValidationError({"recipient": " ".join(c.explanation for c in blocking)})
    allowed = {p.person_id: p.categories_allowed for p in result.people if p.outcome == ALLOWED}

    rows = made.rows(allowed)
    content = write_csv(fmt.header, rows)
    checksum = sha256(content)
    included = [m for m in made.cohort if m.person.pk in allowed]
    warnings = []
    if not made.cohort:
        warnings.append("No one is in the cohort for this period: the file has only its header row.")
    excluded = len(made.cohort) - len(included)
    if excluded:
        warnings.append(
            f"{excluded} {'person was' if excluded == 1 else 'people were'} left out because the sharing "
            "check did not allow them; they are listed below with the reason."
        )
    warnings += made.notes
    agreement = result.agreement_id
    method = recipient.secure_transfer_method
    run = ReturnRun.objects.create(
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        as_at=as_at,
        recipient=recipient,
        agreement_id=agreement,
        purpose=SharingPurpose.objects.get(code=fmt.purpose),
        research_project=research_project,
        parameters={
            "kind": kind,
            "period_start": period_start.isoformat(),
            "period_end": period_end.isoformat(),
            "as_at": as_at.isoformat(),
            "recipient": recipient.pk,
            "research_project": research_project.pk if research_project else None,
            "categories": list(categories),
            "supersede": bool(previous),
        },
        supersedes=previous,
        run_by=by,
        checked_on=today,
        cohort_count=len(made.cohort),
        included_count=len(included),
        excluded_count=excluded,
        row_count=len(rows),
        warnings=warnings,
        file_name=f"{kind}-{period_start:%Y%m%d}-{period_end:%Y%m%d}.csv",
        file_sha256=checksum,
        file_size=len(content),
        file_expires_on=_file_expiry(kind, today),
        pseudonym_key_sha256=made.pseudonymiser.key_fingerprint if made.pseudonymiser else "",
        disclosure_control=made.control.policy if made.control else None,
    )
    # The key is never stored: drop it with the build (the file and its fingerprint are all that remain).
    made.pseudonymiser = None
    run.file.save(f"{run.pk}.csv", ContentFile(content), save=True)
    written.append(run.file.name)
    _record_disclosures(run=run, result=result, made=made, method=method, by=by)
    TransferRecord.objects.create(
        run=run,
        recipient=recipient,
        agreement_id=agreement,
        method=method,
        file_sha256=checksum,
        row_count=len(rows),
        research_project=research_project,
        destruction_confirmation_due_on=research_project.destruction_confirmation_due_on
        if research_project
        else None,
    )
    log_people(
        by=by,
        record=run,
        action=AccessLogEntry.Action.EXPORT,
        request=request,
        people=[(member.family.pk, member.person.pk) for member in included],
    )
    return run


def _record_disclosures(*, run: ReturnRun, result, made, method: str, by) -> list[Disclosure]:
    """One immutable Disclosure per person in the cohort, shared or not, with the check's answer for that
    person (the shape `record_disclosure` stores, narrowed to the one person so a cohort of thousands
    does not store thousands of answers in every row)."""
    fmt = FORMATS[run.kind]
    agreement = run.agreement
    items = (
        "Counted in group-level figures only (disclosure control applied): nothing identifying was sent."
        if not fmt.per_person
        else f"{run.get_kind_display()}, {run.period_label}."
    )
    disclosures = []
    for member in made.cohort:
        answer = result.person(member.person.pk)
        sharing = answer.outcome == ALLOWED
        if sharing:
            columns = [
                c.name for c in fmt.columns if not c.category or c.category in answer.categories_allowed
            ]
            person_items = f"{items} Fields: {', '.join(columns)}." if fmt.per_person else items
        else:
            person_items = items
        disclosures.append(
            Disclosure(
                decision_id=run.decision_id,
                family=member.family,
                person=member.person,
                organisation=run.recipient,
                agreement=agreement,
                decision=answer.decision if sharing else Disclosure.Decision.NOT_SHARED,
                decided_on=run.checked_on,
                purpose=run.purpose,
                categories_shared=list(answer.categories_allowed) if sharing else [],
                categories_withheld=list(answer.categories_refused) if sharing else list(result.categories),
                items_description=person_items,
                basis=answer.basis,
                conditions={
                    code: condition
                    for code, condition in result.conditions_by_category.items()
                    if sharing and code in answer.categories_allowed
                },
                legal_power=result.legal_power,
                consent_purpose=answer.consent_purpose,
                relied_on_consent=answer.relied_on_consent and sharing,
                family_told=False,
                family_not_told_reason=NOT_TOLD_REASON,
                decided_by=by,
                transfer_method=method if sharing else "",
                onward_use_limits=agreement.onward_use_limits if agreement else "",
                not_sharing_reason=(
                    "A return cannot wait for a manager's approval, so this person was left out."
                    if answer.outcome == NEEDS_APPROVAL
                    else ""
                ),
                check_result=dataclasses.replace(result, people=(answer,)).to_dict(),
                check_summary=person_summary(answer, result),
            )
        )
    return Disclosure.objects.bulk_create(disclosures, batch_size=500)


# --- after the run ----------------------------------------------------------------------------------


@transaction.atomic
def record_transfer_sent(*, transfer: TransferRecord, sent_on: date, by, method: str = "") -> TransferRecord:
    """Record that the run's file went to the recipient (SPEC §6.3). Once; not for a superseded run."""
    transfer = TransferRecord.objects.select_for_update().select_related("run").get(pk=transfer.pk)
    errors = {}
    if transfer.sent_on is not None:
        raise ValidationError(f"This file was already recorded as sent on {long_date(transfer.sent_on)}.")
    if not transfer.run.is_current:
        raise ValidationError("A later run superseded this one: send the later run's file instead.")
    if sent_on > timezone.localdate():
        errors["sent_on"] = "The date cannot be in the future."
    elif sent_on < transfer.run.checked_on:
        errors["sent_on"] = (
            f"The file was made on {long_date(transfer.run.checked_on)}: it cannot be sent before."
        )
    if errors:
        raise ValidationError(errors)
    transfer.sent_on = sent_on
    transfer.sent_by = by
    if method:
        transfer.method = method
    transfer.save(update_fields=["sent_on", "sent_by", "method"])
    log_access(by=by, record=transfer.run, action=AccessLogEntry.Action.CHANGE)
    return transfer


@transaction.atomic
def confirm_destruction(*, transfer: TransferRecord, confirmed_on: date, evidence: str, by) -> TransferRecord:
    """Record the recipient's confirmation that it destroyed the data it was sent (SPEC §6.3: ONS
    confirms destruction when the research ends). The council's own copy of the file then expires."""
    transfer = TransferRecord.objects.select_for_update().get(pk=transfer.pk)
    errors = {}
    if transfer.destruction_confirmed_on is not None:
        raise ValidationError(
            f"Destruction was already confirmed on {long_date(transfer.destruction_confirmed_on)}."
        )
    if transfer.sent_on is None:
        raise ValidationError("The file has not been recorded as sent, so there is nothing to destroy.")
    if confirmed_on > timezone.localdate():
        errors["confirmed_on"] = "The date cannot be in the future."
    elif confirmed_on < transfer.sent_on:
        errors["confirmed_on"] = (
            f"The file was sent on {long_date(transfer.sent_on)}: destruction cannot be earlier."
        )
    if not (evidence or "").strip():
        errors["evidence"] = "Say how the recipient confirmed it, for example its certificate's reference."
    if errors:
        raise ValidationError(errors)
    transfer.destruction_confirmed_on = confirmed_on
    transfer.destruction_confirmed_by = by
    transfer.destruction_evidence = evidence.strip()
    transfer.save(
        update_fields=["destruction_confirmed_on", "destruction_confirmed_by", "destruction_evidence"]
    )
    ReturnRun.objects.filter(pk=transfer.run_id).update(file_expires_on=timezone.localdate())
    log_access(by=by, record=transfer.run, action=AccessLogEntry.Action.CHANGE)
    return transfer


def open_return_file(*, run: ReturnRun, by, request=None):
    """The run's file to download again: the DPO only, while it has not expired (SPEC §6.3). Every person
    in it is access-logged as downloaded."""
    if not (by.has_role(roles.DPO) and by.has_perm("sharing.download_return_file")):
        raise PermissionError("Only the Data Protection Officer downloads return files again.")
    if not run.file_available:
        raise FileNotFoundError("The file has expired and was destroyed.")
    shared = (
        Disclosure.objects.shared().filter(decision_id=run.decision_id).values_list("family_id", "person_id")
    )
    with transaction.atomic():
        log_people(by=by, record=run, action=AccessLogEntry.Action.DOWNLOAD, request=request, people=shared)
        if not run.included_count:
            log_access(by=by, record=run, action=AccessLogEntry.Action.DOWNLOAD, request=request)
    return run.file.open("rb")


def purge_expired_return_files(*, on: date | None = None, dry_run: bool = False) -> list[int]:
    """Destroy the council's copies of return files past their expiry (SPEC §6.3, §7): the file is deleted
    from storage and the run records when. ONS files expire when ONS confirms destruction. Safe to run
    twice; each file in its own transaction. Returns the runs whose file went (or would go)."""
    on = on or timezone.localdate()
    due = list(
        ReturnRun.objects.filter(file_destroyed_at__isnull=True, file_expires_on__lt=on)
        .exclude(file="")
        .values_list("pk", flat=True)
    )
    if dry_run:
        return due
    done = []
    for pk in due:
        with transaction.atomic():
            run = ReturnRun.objects.select_for_update().filter(pk=pk, file_destroyed_at__isnull=True).first()
            if run is None or not run.file:
                continue
            run.file.delete(save=False)
            run.file = ""
            run.file_destroyed_at = timezone.now()
            run.save(update_fields=["file", "file_destroyed_at"])
            done.append(pk)
    return done


@transaction.atomic
def create_research_project(
    *,
    reference: str,
    title: str,
    recipient: Organisation,
    starts_on: date,
    ends_on: date,
    destruction_confirmation_due_on: date,
    by,
    description: str = "",
) -> ResearchProject:
    """Register a research project a matching extract will serve, with the date by which the recipient
    must confirm destruction (SPEC §6.3). Refuses a recipient that is not ONS and dates out of order."""
    errors = {}
    if recipient.category.code != "ons":
        errors["recipient"] = "Research matching extracts go to the Office for National Statistics."
    if ends_on < starts_on:
        errors["ends_on"] = "The end date must be on or after the start date."
    if destruction_confirmation_due_on < ends_on:
        errors["destruction_confirmation_due_on"] = "Destruction is confirmed after the research ends."
    if ResearchProject.objects.filter(reference=reference.strip()).exists():
        errors["reference"] = "A research project with this reference already exists."
    if errors:
        raise ValidationError(errors)
    agreement = (
        recipient.agreement_parties.filter(agreement__purposes__code="research")
        .select_related("agreement")
        .order_by("-agreement__start_date")
        .first()
    )
    return ResearchProject.objects.create(
        reference=reference.strip(),
        title=title.strip(),
        description=description.strip(),
        recipient=recipient,
        agreement=agreement.agreement if agreement else None,
        starts_on=starts_on,
        ends_on=ends_on,
        destruction_confirmation_due_on=destruction_confirmation_due_on,
        created_by=by,
    )
