"""The DPO's actions on a subject access request (SPEC §8.1, domain-rules §2).

Plain functions with keyword-only arguments; each runs in one transaction,
takes the actor (`by`) and writes the access log entry with its change. A
refusal is a ValidationError saying what to do, and leaves everything as it was.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fss.core.models import AccessLogEntry
from fss.core.services import log_access
from retention.models import RetentionPolicy
from retention.selectors import current_policy
from sar import compilation as compiling
from sar import package as packaging
from sar import redaction as redacting
from sar.models import (
    Complaint,
    FOIRequest,
    Redaction,
    RedactionDecision,
    RequestPause,
    RightsRequest,
    SarCompilation,
    SarItem,
    SarPackage,
    SarSearchTask,
    SarSignOff,
    SubjectAccessRequest,
    long_date,
    package_upload_to,
)

logger = logging.getLogger(__name__)

NO_SUBJECT = (
    "There is no record to compile: link the subject's record to the request first. If we hold no "
    "record of the person, tell the requester so; there is nothing to compile."
)
SIGNED_OFF = "The compilation has been signed off, so it can no longer change."
NOT_SIGNED_OFF = "A reviewer must sign off the compilation before a package can be made."
WRONG_USER = (
    "Only the Data Protection Officer who made this package can download it. Make a new package "
    "if you need one."
)


def _log_change(*, by, request: SubjectAccessRequest, http_request=None, action=AccessLogEntry.Action.CHANGE):
    log_access(by=by, record=request, action=action, request=http_request, person_id=request.subject_id)


def current_compilation(request: SubjectAccessRequest) -> SarCompilation | None:
    """The request's latest compilation (earlier ones are replaced when it is compiled again)."""
    return request.compilations.select_related("sign_off__by", "requested_by").order_by("-pk").first()


def is_signed_off(compilation: SarCompilation | None) -> bool:
    return compilation is not None and SarSignOff.objects.filter(compilation=compilation).exists()


# --- Compilation ---


def start_compilation(*, request: SubjectAccessRequest, by, http_request=None) -> SarCompilation:
    """Queue the compilation of everything about the subject; the worker runs it (`sar.tasks.compile_sar`).

    Refused without a subject, while a compilation is running, and once one is signed off.
    """
    from sar.tasks import compile_sar

    with transaction.atomic():
        request = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
        if request.subject_id is None:
            raise ValidationError(NO_SUBJECT)
        latest = current_compilation(request)
        if latest is not None and latest.is_active:
            raise ValidationError("The records are already being compiled. Refresh the page to see progress.")
        if is_signed_off(latest):
            raise ValidationError(SIGNED_OFF)
        compilation = SarCompilation.objects.create(
            request=request, requested_by=by, stage="Waiting for the worker"
        )
        _log_change(by=by, request=request, http_request=http_request)
        transaction.on_commit(lambda: compile_sar.delay(request.pk))
    return compilation


def _set_progress(compilation_pk: int, stage: str, percent: int) -> None:
    # Committed at once (no transaction): the request page shows it while the work goes on.
    SarCompilation.objects.filter(pk=compilation_pk).update(stage=stage, percent=min(percent, 99))


def _claim(request_id: int) -> SarCompilation | None:
    """The request's waiting compilation (or one a crashed worker left running), claimed by a
    conditional UPDATE so two workers never run the same one."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    candidate = (
        SarCompilation.objects.filter(request_id=request_id)
        .filter(
            Q(status=SarCompilation.Status.QUEUED)
            | Q(status=SarCompilation.Status.RUNNING, started_at__lt=stale)
        )
        .order_by("-pk")
        .first()
    )
    if candidate is None:
        return None
    claimed = SarCompilation.objects.filter(
        pk=candidate.pk, status=candidate.status, started_at=candidate.started_at
    ).update(status=SarCompilation.Status.RUNNING, started_at=now, percent=0, stage="Starting")
    if not claimed:
        return None
    candidate.refresh_from_db()
    return candidate


def run_compilation(*, request_id: int) -> SarCompilation | None:
    """Compile the request's waiting compilation; None when there is none (a second run does nothing).

    A failure is recorded on the compilation (the exception's class only) and re-raised.
    """
    compilation = _claim(request_id)
    if compilation is None:
        return None
    try:
        request = SubjectAccessRequest.objects.select_related("subject").get(pk=request_id)
        if request.subject is None:
            raise ValidationError(NO_SUBJECT)
        compiled = compiling.gather(
            request.subject, progress=lambda stage, percent: _set_progress(compilation.pk, stage, percent)
        )
        _set_progress(compilation.pk, "Saving", 99)
        with transaction.atomic():
            _store(compilation, compiled)
            _carry_over_and_replace(compilation)
            _make_search_tasks(request, compiled)
            compilation.status = SarCompilation.Status.DONE
            compilation.stage = "Compiled"
            compilation.percent = 100
            compilation.finished_at = timezone.now()
            compilation.item_count = len(compiled.drafts)
            compilation.save()
    except Exception as exc:
        SarCompilation.objects.filter(pk=compilation.pk).update(
            status=SarCompilation.Status.FAILED, error=type(exc).__name__, finished_at=timezone.now()
        )
        raise
    return compilation


def _store(compilation: SarCompilation, compiled: compiling.Compiled) -> None:
    items = SarItem.objects.bulk_create(
        [
            SarItem(
                compilation=compilation,
                position=position,
                section=draft.section,
                source_label=draft.source_label,
                source_pk=draft.source_pk,
                title=draft.title[:300],
                occurred_on=draft.occurred_on,
                fields=[f.as_json() for f in draft.fields],
            )
            for position, draft in enumerate(compiled.drafts)
        ],
        batch_size=500,
    )
    Redaction.objects.bulk_create(
        [
            Redaction(
                item=item,
                field_index=p.field_index,
                start=p.start,
                end=p.end,
                text=p.text,
                reason=p.reason,
                suggestion=p.suggestion,
                person_id=p.person_id,
            )
            for item, proposals in zip(items, compiled.proposals, strict=True)
            for p in proposals
        ],
        batch_size=500,
    )


def _redaction_key(redaction: Redaction, item: SarItem, seen: dict) -> tuple:
    label = item.fields[redaction.field_index]["label"] if redaction.field_index is not None else None
    base = (item.section, item.source_label, item.source_pk, label, redaction.text, redaction.reason)
    seen[base] = seen.get(base, -1) + 1
    return (*base, seen[base])


def _carry_over_and_replace(new: SarCompilation) -> None:
    """Keep the reviewer's decisions when the records are compiled again, then drop the old working copy.

    A decision follows a redaction of the same text, in the same field of the same
    record; a reviewer's own redaction is placed again where its text still is.
    """
    old = (
        SarCompilation.objects.filter(request_id=new.request_id, status=SarCompilation.Status.DONE)
        .exclude(pk=new.pk)
        .order_by("-pk")
        .first()
    )
    if old is not None:
        latest = _latest_decisions(old)
        old_redactions = list(Redaction.objects.filter(item__compilation=old).select_related("item"))
        # A record can appear twice (itself, and its change history): the section tells them apart.
        new_items = {
            (i.section, i.source_label, i.source_pk): i for i in SarItem.objects.filter(compilation=new)
        }
        new_redactions = list(Redaction.objects.filter(item__compilation=new).select_related("item"))
        seen: dict = {}
        by_key = {_redaction_key(r, r.item, seen): r for r in new_redactions}
        seen = {}
        copies = []
        for r in old_redactions:
            key = _redaction_key(r, r.item, seen)
            decision = latest.get(r.pk)
            target = by_key.get(key)
            if target is None and r.reason == Redaction.Reason.MANUAL:
                target = _replace_manual(
                    r, new_items.get((r.item.section, r.item.source_label, r.item.source_pk))
                )
            if target is not None and decision is not None:
                copies.append(
                    RedactionDecision(
                        redaction=target,
                        decision=decision.decision,
                        ground=decision.ground,
                        note=decision.note,
                        by_id=decision.by_id,
                        at=decision.at,
                    )
                )
        RedactionDecision.objects.bulk_create(copies, batch_size=500)
    SarCompilation.objects.filter(request_id=new.request_id, sign_off__isnull=True).exclude(
        pk=new.pk
    ).exclude(status__in=[SarCompilation.Status.QUEUED, SarCompilation.Status.RUNNING]).delete()


def _replace_manual(old: Redaction, item: SarItem | None) -> Redaction | None:
    if item is None:
        return None
    if old.field_index is None:
        return Redaction.objects.create(
            item=item, reason=old.reason, suggestion=old.suggestion, created_by_id=old.created_by_id
        )
    label = old.item.fields[old.field_index]["label"]
    for index, f in enumerate(item.fields):
        if f["label"] != label:
            continue
        spans = redacting.occurrences(f["value"], old.text)
        if spans:
            start, end = spans[0]
            return Redaction.objects.create(
                item=item,
                field_index=index,
                start=start,
                end=end,
                text=f["value"][start:end],
                reason=old.reason,
                suggestion=old.suggestion,
                created_by_id=old.created_by_id,
            )
    return None


def _make_search_tasks(request: SubjectAccessRequest, compiled: compiling.Compiled) -> None:
    """Searches the system cannot do itself: paper files where they are kept, partners holding data."""
    for paper in compiled.paper_records:
        where = ", ".join(part for part in (paper.location, paper.box_or_barcode) if part)
        what = f" ({paper.description})" if paper.description else ""
        SarSearchTask.objects.get_or_create(
            request=request,
            source_key=f"cases.paperrecord:{paper.pk}",
            defaults={
                "kind": SarSearchTask.Kind.PAPER_FILE,
                "description": f"Search the paper files kept at {where}{what} for information about the "
                "subject, and add copies of what is found to the response.",
            },
        )
    for organisation, agreements in compiled.partner_organisations.items():
        references = ", ".join(sorted(a.reference for a in agreements))
        contact = f" (contact: {organisation.contact_name})" if organisation.contact_name else ""
        SarSearchTask.objects.get_or_create(
            request=request,
            source_key=f"sharing.organisation:{organisation.pk}",
            defaults={
                "kind": SarSearchTask.Kind.PARTNER,
                "organisation": organisation,
                "description": f"Ask {organisation}{contact} for the information about the subject it holds "
                f"for us or with us under {references}.",
            },
        )


# --- Redaction decisions ---


def _latest_decisions(compilation: SarCompilation) -> dict[int, RedactionDecision]:
    latest: dict[int, RedactionDecision] = {}
    for decision in RedactionDecision.objects.filter(redaction__item__compilation=compilation).order_by(
        "at", "pk"
    ):
        latest[decision.redaction_id] = decision
    return latest


def _refuse_if_signed_off(compilation: SarCompilation) -> None:
    if is_signed_off(compilation):
        raise ValidationError(SIGNED_OFF)


def _check_decision(decision: str, ground: str) -> None:
    if decision not in RedactionDecision.Decision.values:
        raise ValidationError({"decision": "Choose whether to withhold or disclose it."})
    if decision == RedactionDecision.Decision.WITHHOLD and not ground:
        raise ValidationError({"ground": "Choose the ground for withholding it."})


@dataclass(frozen=True)
class Choice:
    decision: str
    ground: str = ""
    note: str = ""


def decide_redactions(*, item: SarItem, choices: dict[int, Choice], by, http_request=None) -> int:
    """Record the reviewer's decisions on redactions of one item; returns how many were recorded.

    Withholding needs a ground (domain-rules §2: the redaction log says which, per item).
    """
    compilation = item.compilation
    _refuse_if_signed_off(compilation)
    redactions = {r.pk: r for r in item.redactions.all()}
    rows = []
    for pk, choice in choices.items():
        if pk not in redactions:
            raise ValidationError("That redaction is not part of this record.")
        if not choice.decision:
            continue
        _check_decision(choice.decision, choice.ground)
        ground = choice.ground if choice.decision == RedactionDecision.Decision.WITHHOLD else ""
        rows.append(
            RedactionDecision(
                redaction=redactions[pk], decision=choice.decision, ground=ground, note=choice.note, by=by
            )
        )
    with transaction.atomic():
        RedactionDecision.objects.bulk_create(rows)
        _log_change(by=by, request=compilation.request, http_request=http_request)
    return len(rows)


def decide_all_naming(
    *, compilation: SarCompilation, text: str, choice: Choice, by, http_request=None
) -> int:
    """Decide every undecided redaction of the same words at once (a name throughout the material)."""
    _refuse_if_signed_off(compilation)
    _check_decision(choice.decision, choice.ground)
    ground = choice.ground if choice.decision == RedactionDecision.Decision.WITHHOLD else ""
    undecided = Redaction.objects.filter(item__compilation=compilation, decisions__isnull=True).exclude(
        field_index__isnull=True
    )
    matching = [r for r in undecided if r.text.casefold() == text.casefold()]
    with transaction.atomic():
        RedactionDecision.objects.bulk_create(
            [
                RedactionDecision(
                    redaction=r, decision=choice.decision, ground=ground, note=choice.note, by=by
                )
                for r in matching
            ]
        )
        _log_change(by=by, request=compilation.request, http_request=http_request)
    return len(matching)


def add_redaction(
    *,
    item: SarItem,
    text: str = "",
    whole_item: bool = False,
    ground: str,
    note: str = "",
    by,
    http_request=None,
) -> list[Redaction]:
    """The reviewer's own redaction: every occurrence of `text` in the item, or the whole item; withheld."""
    _refuse_if_signed_off(item.compilation)
    _check_decision(RedactionDecision.Decision.WITHHOLD, ground)
    spans: list[tuple[int | None, int | None, int | None, str]] = []
    if whole_item:
        spans.append((None, None, None, ""))
    else:
        for index, f in enumerate(item.fields):
            for start, end in redacting.occurrences(f["value"], text):
                spans.append((index, start, end, f["value"][start:end]))
        if not spans:
            raise ValidationError({"text": "That text is not in this record. Copy it exactly as it appears."})
    with transaction.atomic():
        made = []
        for field_index, start, end, found in spans:
            redaction = Redaction.objects.create(
                item=item,
                field_index=field_index,
                start=start,
                end=end,
                text=found,
                reason=Redaction.Reason.MANUAL,
                suggestion=Redaction.Suggestion.WITHHOLD,
                created_by=by,
            )
            RedactionDecision.objects.create(
                redaction=redaction,
                decision=RedactionDecision.Decision.WITHHOLD,
                ground=ground,
                note=note,
                by=by,
            )
            made.append(redaction)
        _log_change(by=by, request=item.compilation.request, http_request=http_request)
    return made


# --- Sign-off ---


def sign_off_blockers(request: SubjectAccessRequest, compilation: SarCompilation | None) -> list[str]:
    """What stops the reviewer signing off, in words the DPO acts on; empty when nothing does."""
    blockers = []
    if request.status in (SubjectAccessRequest.Status.REFUSED, SubjectAccessRequest.Status.WITHDRAWN):
        blockers.append(f"The request is {request.get_status_display().lower()}: nothing is to be sent.")
    if request.awaiting_identity:
        blockers.append("Identity evidence has been asked for and has not arrived.")
    if request.requester_relationship != SubjectAccessRequest.Relationship.SELF and not (
        request.authority_evidence.strip()
    ):
        blockers.append("Note the evidence of the requester's authority to act for the subject.")
    if (
        request.requester_relationship == SubjectAccessRequest.Relationship.PARENT
        and not request.child_competence_consideration.strip()
    ):
        # Domain-rules §2: the right is the child's; record the competence decision per request.
        blockers.append("Record how the child's competence and views were considered.")
    if compilation is None or not compilation.is_done:
        blockers.append("Compile the records first.")
    else:
        undecided = (
            Redaction.objects.filter(item__compilation=compilation, decisions__isnull=True)
            .exclude(suggestion=Redaction.Suggestion.DISCLOSE)
            .count()
        )
        if undecided:
            blockers.append(
                f"{undecided} proposed redaction{'s are' if undecided != 1 else ' is'} still to be decided."
            )
    open_tasks = request.search_tasks.filter(completed_on__isnull=True).count()
    if open_tasks:
        blockers.append(f"{open_tasks} manual search{'es are' if open_tasks != 1 else ' is'} not finished.")
    return blockers


def sign_off(*, request: SubjectAccessRequest, statement: str = "", by, http_request=None) -> SarSignOff:
    """The reviewer's sign-off of the current compilation; refused while anything blocks it."""
    with transaction.atomic():
        request = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
        compilation = current_compilation(request)
        if is_signed_off(compilation):
            raise ValidationError("The compilation is already signed off.")
        blockers = sign_off_blockers(request, compilation)
        if blockers:
            raise ValidationError(blockers)
        signed = SarSignOff.objects.create(compilation=compilation, by=by, statement=statement)
        _log_change(by=by, request=request, http_request=http_request)
    return signed


# --- Manual searches ---


def add_search_task(
    *,
    request: SubjectAccessRequest,
    kind: str,
    description: str,
    assigned_to=None,
    due_on: date | None = None,
    organisation=None,
    by,
    http_request=None,
) -> SarSearchTask:
    task = SarSearchTask(
        request=request,
        kind=kind,
        description=description,
        assigned_to=assigned_to,
        due_on=due_on,
        organisation=organisation,
        created_by=by,
    )
    task.full_clean()
    with transaction.atomic():
        if is_signed_off(current_compilation(request)):
            raise ValidationError(SIGNED_OFF)
        task.save()
        _log_change(by=by, request=request, http_request=http_request)
    return task


def update_search_task(
    *,
    task: SarSearchTask,
    assigned_to=None,
    due_on: date | None = None,
    outcome: str = "",
    outcome_note: str = "",
    completed_on: date | None = None,
    by,
    http_request=None,
) -> SarSearchTask:
    """Assign a search, or record that it is done with its outcome."""
    if bool(outcome) != bool(completed_on):
        raise ValidationError(
            {
                "completed_on"
                if outcome
                else "outcome": "Give both the outcome and the date the search finished."
            }
        )
    if completed_on and completed_on > timezone.localdate():
        raise ValidationError({"completed_on": "The date the search finished cannot be in the future."})
    task = SarSearchTask.objects.get(pk=task.pk)
    task.assigned_to = assigned_to
    task.due_on = due_on
    task.outcome = outcome
    task.outcome_note = outcome_note
    task.completed_on = completed_on
    task.completed_by = by if completed_on else None
    task.full_clean()
    with transaction.atomic():
        task.save()
        _log_change(by=by, request=task.request, http_request=http_request)
    return task


# --- Duplicates ---


def link_duplicate(
    *, request: SubjectAccessRequest, original: SubjectAccessRequest, by, http_request=None
) -> SubjectAccessRequest:
    """Link `request` to an earlier one from the same requester about the same person."""
    from sar.selectors import possible_duplicates

    if original.pk not in {r.pk for r in possible_duplicates(request)}:
        raise ValidationError("Only a request from the same requester about the same person can be linked.")
    with transaction.atomic():
        request = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
        request.duplicate_of = original
        request.save(update_fields=["duplicate_of"])
        _log_change(by=by, request=request, http_request=http_request)
    return request


# --- The clock: extension and pauses (bad input refused, nothing lost) ---


def record_extension(
    *, request: SubjectAccessRequest, reason: str, notified_on: date, by, http_request=None
) -> SubjectAccessRequest:
    """Extend by two months (complex or numerous); refused after the first month (domain-rules §2)."""
    fresh = SubjectAccessRequest.objects.get(pk=request.pk)
    fresh.extended = True
    fresh.extension_reason = reason
    fresh.extension_notified_on = notified_on
    fresh.full_clean()
    with transaction.atomic():
        fresh.save()
        _log_change(by=by, request=fresh, http_request=http_request)
    return fresh


def record_pause(
    *,
    request: SubjectAccessRequest,
    started_on: date,
    ended_on: date | None,
    reason: str,
    by,
    http_request=None,
) -> RequestPause:
    """Stop the clock while clarification is awaited; a pause cannot end before it starts."""
    pause = RequestPause(request=request, started_on=started_on, ended_on=ended_on, reason=reason)
    pause.full_clean()
    with transaction.atomic():
        pause.save()
        _log_change(by=by, request=request, http_request=http_request)
    return pause


# --- Packages ---

_PASSWORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # noqa: S105 - an alphabet, not a password


def new_password() -> str:
    """A 100-bit password in five groups that can be read out on the phone: "7K3M-9QX2-…"."""
    chars = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(20))
    return "-".join(chars[i : i + 4] for i in range(0, 20, 4))


def package_blockers(request: SubjectAccessRequest, compilation: SarCompilation | None) -> list[str]:
    if not is_signed_off(compilation):
        return [NOT_SIGNED_OFF]
    if request.status in (SubjectAccessRequest.Status.REFUSED, SubjectAccessRequest.Status.WITHDRAWN):
        return [f"The request is {request.get_status_display().lower()}: nothing is to be sent."]
    return []


def make_package(*, request: SubjectAccessRequest, by, http_request=None) -> tuple[SarPackage, str]:
    """Make the encrypted ZIP now, and queue the PDF, from the signed-off compilation.

    Returns the package and the ZIP's password, which is never stored (nor sent
    through the broker): the DPO sees it once and gives it to the requester
    separately. The PDF is drawn by `sar.tasks.render_package_pdf`. The download
    expires after the `sar_package` retention policy's period (30 days by default).
    """
    from sar.tasks import render_package_pdf

    compilation = current_compilation(request)
    blockers = package_blockers(request, compilation)
    if blockers:
        raise ValidationError(blockers)
    policy = current_policy(RetentionPolicy.RecordKind.SAR_PACKAGE)
    made_at = timezone.now()
    password = new_password()
    context = packaging.letter_context(
        request=request, compilation=compilation, made_on=timezone.localdate(made_at)
    )
    package = SarPackage(
        request=request,
        compilation=compilation,
        made_by=by,
        made_at=made_at,
        expires_at=made_at + policy.period,
        policy_version=policy.version,
    )
    archive = packaging.build_archive(context, password=password)
    package.archive.save("response.zip", ContentFile(archive), save=False)
    try:
        with transaction.atomic():
            package.save()
            _log_change(
                by=by, request=request, http_request=http_request, action=AccessLogEntry.Action.EXPORT
            )
            transaction.on_commit(lambda: render_package_pdf.delay(package.pk))
    except BaseException:
        _delete_files(package)
        raise
    return package, password


def draw_package_pdf(*, package_id: int) -> SarPackage | None:
    """Draw the package's PDF; None when there is nothing to do (drawn already, purged, or gone).

    Safe to run twice: the file is kept only by the run whose conditional UPDATE
    records it. A failure is recorded (the exception's class) and re-raised.
    """
    package = (
        SarPackage.objects.filter(pk=package_id, pdf="", purged_at__isnull=True)
        .select_related("request__subject", "compilation")
        .first()
    )
    if package is None:
        return None
    try:
        html = packaging.render_html(
            request=package.request,
            compilation=package.compilation,
            made_on=timezone.localdate(package.made_at),
        )
        name = package.pdf.storage.save(
            package_upload_to(package, "response.pdf"), ContentFile(packaging.render_pdf(html))
        )
    except Exception as exc:
        SarPackage.objects.filter(pk=package.pk).update(pdf_error=type(exc).__name__)
        raise
    recorded = SarPackage.objects.filter(pk=package.pk, pdf="", purged_at__isnull=True).update(
        pdf=name, pdf_error=""
    )
    if not recorded:
        package.pdf.storage.delete(name)  # another run drew it first, or it was purged meanwhile
        return None
    package.refresh_from_db()
    return package


class PackageExpiredError(Exception):
    """The package's download has expired (or its files were purged)."""


class PackageNotReadyError(Exception):
    """The package's PDF is still being drawn (or drawing it failed)."""


def open_package_file(*, package: SarPackage, which: str, by, http_request=None):
    """The package's PDF or ZIP for download by the DPO who made it, access-logged.

    Raises PermissionDenied for anyone else and PackageExpiredError once it has expired.
    """
    if package.made_by_id != by.pk:
        raise PermissionDenied(WRONG_USER)
    if package.purged_at is not None or package.is_expired():
        raise PackageExpiredError(
            f"This package expired on {long_date(timezone.localdate(package.expires_at))} and can no longer "
            "be downloaded. Make a new package from the signed-off compilation."
        )
    file = package.pdf if which == "pdf" else package.archive
    if not file:
        raise PackageNotReadyError(
            "The PDF is still being made. Refresh the page in a minute."
            if not package.pdf_error
            else f"Making the PDF failed ({package.pdf_error}). Make a new package; tell the system "
            "administrator if it fails again."
        )
    log_access(
        by=by,
        record=package,
        action=AccessLogEntry.Action.DOWNLOAD,
        request=http_request,
        person_id=package.request.subject_id,
    )
    return file.open("rb")


def _delete_files(package: SarPackage) -> None:
    for file in (package.pdf, package.archive):
        if file and file.name:
            file.storage.delete(file.name)


def purge_expired_packages(*, now=None, dry_run: bool = False) -> list[SarPackage]:
    """Delete the files of every package past its expiry (the `sar_package` policy); keep the row.

    Each package in its own transaction; safe to run twice (a purged package is skipped).
    """
    now = now or timezone.now()
    due = list(
        SarPackage.objects.filter(purged_at__isnull=True, expires_at__lte=now)
        .select_related("request")
        .order_by("expires_at", "pk")
    )
    if dry_run:
        return due
    for package in due:
        with transaction.atomic():
            names = [f.name for f in (package.pdf, package.archive) if f and f.name]
            claimed = SarPackage.objects.filter(pk=package.pk, purged_at__isnull=True).update(
                purged_at=now, pdf="", archive=""
            )
            if claimed:
                storage = package.pdf.storage
                # Files go once the row says so: a rollback leaves both as they were.
                transaction.on_commit(lambda names=names, storage=storage: [storage.delete(n) for n in names])
        package.purged_at = now
    return due


# --- Refusal (UK GDPR Art 12(4)-(6); domain-rules §2) ---


def refuse_request(
    *,
    request: SubjectAccessRequest,
    ground: str,
    reasons: str,
    refused_on: date,
    by,
    http_request=None,
) -> SubjectAccessRequest:
    """Refuse the request with the ground and reasons the letter gives (`sar.letters.refusal_letter_pdf`).

    Refused (nothing changed) when the request is already closed, without
    reasons, on a date in the future or before receipt, for lack of identity
    evidence that was never asked for, or for lack of authority when the
    requester is the subject. A refusal is due within the month like an answer;
    a late one is still recorded, and the letter apologises.
    """
    Ground = SubjectAccessRequest.RefusalGround
    with transaction.atomic():
        fresh = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
        errors: dict[str, str] = {}
        if not fresh.is_open:
            raise ValidationError(f"The request is already {fresh.get_status_display().lower()}.")
        if ground not in Ground.values:
            errors["ground"] = "Choose why the request is refused."
        elif ground == Ground.IDENTITY_NOT_PROVEN and fresh.identity_requested_on is None:
            errors["ground"] = (
                "Identity evidence was never asked for. Ask for it first (record the date in the request) "
                "and refuse only if what arrives is not enough."
            )
        elif (
            ground == Ground.NO_AUTHORITY
            and fresh.requester_relationship == SubjectAccessRequest.Relationship.SELF
        ):
            errors["ground"] = "The requester is the person the information is about: they need no authority."
        if not (reasons or "").strip():
            errors["reasons"] = "Give the reasons in plain English: they go to the requester in the letter."
        if refused_on is None:
            errors["refused_on"] = "Give the date of the refusal."
        elif refused_on > timezone.localdate():
            errors["refused_on"] = "The date of the refusal cannot be in the future."
        elif refused_on < fresh.received_on:
            errors["refused_on"] = "A request cannot be refused before it was received."
        if errors:
            raise ValidationError(errors)
        fresh.status = SubjectAccessRequest.Status.REFUSED
        fresh.refusal_ground = ground
        fresh.refusal_reason = reasons.strip()
        fresh.closed_on = refused_on
        fresh.full_clean()
        fresh.save()
        _log_change(by=by, request=fresh, http_request=http_request)
    return fresh


# --- Other rights (SPEC §8.2; domain-rules §3) ---


def decide_rights_request(
    *,
    rights: RightsRequest,
    decision: str,
    reason: str = "",
    decided_on: date,
    by,
    http_request=None,
) -> RightsRequest:
    """Record the decision on a rights request, and tell earlier recipients what changed (Art 19).

    Refused when already decided or when the model's rules refuse it (reasons
    are needed for a partial grant or a refusal).
    """
    with transaction.atomic():
        fresh = RightsRequest.objects.select_for_update().get(pk=rights.pk)
        if fresh.decided_on is not None:
            raise ValidationError(f"The request was already decided on {long_date(fresh.decided_on)}.")
        fresh.decision = decision
        fresh.decision_reason = (reason or "").strip()
        fresh.decided_on = decided_on
        fresh.full_clean()
        fresh.save()
        log_access(
            by=by,
            record=fresh,
            action=AccessLogEntry.Action.CHANGE,
            request=http_request,
            person_id=fresh.subject_id,
        )
        notify_recipients_of_decision(rights=fresh, by=by)
    return fresh


def notify_recipients_of_decision(*, rights: RightsRequest, by=None) -> list:
    """Flag each earlier disclosure of the person and make a task to tell its recipient (UK GDPR Art 19).

    For a granted (or partly granted) rectification or restriction, through the
    sharing app's flags and recipient tasks (`sharing.services.flag_disclosures_relying_on`,
    the machinery consent withdrawal uses). Safe to call twice: a disclosure is
    flagged once per reason and date. Returns the new flags.
    """
    from sharing.models import DisclosureFlag
    from sharing.services import flag_disclosures_relying_on

    reasons = {
        RightsRequest.Kind.RECTIFICATION: DisclosureFlag.Reason.RECTIFICATION,
        RightsRequest.Kind.RESTRICTION: DisclosureFlag.Reason.RESTRICTION,
    }
    if (
        rights.kind not in reasons
        or rights.decision not in RightsRequest.RESTRICTING_DECISIONS
        or rights.subject_id is None
        or rights.decided_on is None
    ):
        return []
    return flag_disclosures_relying_on(
        person=rights.subject,
        on=rights.decided_on,
        reason=reasons[rights.kind],
        note=f"{rights.get_kind_display()} {rights.reference}",
        by=by,
    )


def recipients_to_tell(rights: RightsRequest) -> list[str]:
    """The organisations the decision letter says will be told (those with a task from this decision)."""
    from sharing.models import RecipientNotificationTask

    if rights.subject_id is None or rights.decided_on is None:
        return []
    names = (
        RecipientNotificationTask.objects.filter(
            flag__disclosure__person_id=rights.subject_id,
            flag__on=rights.decided_on,
            flag__reason=rights.kind,
        )
        .values_list("organisation__name", flat=True)
        .distinct()
    )
    return sorted(set(names))


# --- FOI for the requester's own data (FOIA s.40(1); domain-rules §10) ---


def convert_foi_to_sar(
    *, foi: FOIRequest, by, on: date | None = None, channel: str = "", http_request=None
) -> SubjectAccessRequest:
    """Handle an FOI request for the requester's own data as a subject access request.

    Creates the SAR with the same received date (the one-month clock runs from
    receipt, domain-rules §2), links both ways and closes the FOI as converted.
    Refused for an answered or already converted FOI.
    """
    on = on or timezone.localdate()
    with transaction.atomic():
        fresh = FOIRequest.objects.select_for_update().get(pk=foi.pk)
        if fresh.handled_as_sar_id is not None:
            raise ValidationError(f"This request is already handled as {fresh.handled_as_sar.reference}.")
        if fresh.answered_on is not None:
            raise ValidationError(
                "This request has been answered: it cannot become a subject access request."
            )
        if on < fresh.received_on:
            raise ValidationError("A request cannot be converted before it was received.")
        sar = SubjectAccessRequest(
            received_on=fresh.received_on,
            requester_name=fresh.requester_name,
            requester_contact=fresh.reply_address,
            requester_relationship=SubjectAccessRequest.Relationship.SELF,
            channel=channel or SubjectAccessRequest.Channel.OTHER,
            handled_by=fresh.handled_by,
        )
        sar.full_clean()
        sar.save()
        fresh.handled_as_sar = sar
        fresh.outcome = FOIRequest.Outcome.CONVERTED
        fresh.answered_on = on
        fresh.full_clean()
        fresh.save()
        log_access(by=by, record=fresh, action=AccessLogEntry.Action.CHANGE, request=http_request)
        _log_change(by=by, request=sar, http_request=http_request)
    return sar


# --- Data-protection complaints (SPEC §8.4) ---

COMPLAINT_FIELDS = ("complainant_name", "complainant_contact", "summary", "outcome_wanted")


def record_complaint(
    *, subject, family, fields: dict, received_on: date, channel: str, by, http_request=None
) -> Complaint:
    """A complaint recorded by staff on the family's behalf, linked to the person it is about.

    `subject` must be a member of `family` (which the caller has checked `by` may see).
    """
    if not family.memberships.filter(person=subject).exists():
        raise ValidationError({"subject": "Choose a member of this family."})
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": "The date the complaint was made cannot be in the future."})
    with transaction.atomic():
        complaint = Complaint(
            subject=subject,
            received_on=received_on,
            channel=channel,
            recorded_by=by,
            **{name: fields.get(name, "") for name in COMPLAINT_FIELDS},
        )
        complaint.full_clean()
        complaint.save()
        log_access(
            by=by,
            record=complaint,
            action=AccessLogEntry.Action.CHANGE,
            request=http_request,
            family_id=family.pk,
            person_id=subject.pk,
        )
    return complaint


def record_public_complaint(*, fields: dict) -> Complaint:
    """A complaint sent through the public form: unmatched (no subject) until the DPO matches it."""
    with transaction.atomic():
        complaint = Complaint(
            received_on=timezone.localdate(),
            channel=Complaint.Channel.ONLINE_FORM,
            **{name: fields.get(name, "") for name in COMPLAINT_FIELDS},
        )
        complaint.full_clean()
        complaint.save()
    logger.info("Complaint %s received through the public form", complaint.reference)
    return complaint
