"""Importing external data (SPEC §4.5): CSV or XLSX → preview → all-or-nothing commit.

Who: team managers (`cases.import_external_data`). A manager holds the team's families and
can change them; the DPO reads every family but changes none, and caseworkers work family by
family, so neither imports (fss.core.roles).

The steps, each a function here:

1. `start_import` checks the file (type, size, rows, columns), stores it under a random name,
   records its SHA-256 checksum, and builds the preview — at once for a small file, in the
   worker (`cases.tasks.preview_import`) for one over `worker_threshold()` rows.
2. `build_preview` reads every row, checks it (dates, kind, identifiers) and matches it to a
   person: by UPN, or by name (tolerant: `cases.search_keys.names_match`) + date of birth +
   current postcode. Matching looks only at families the importer may change, so an import
   reveals no one outside the team. The preview is kept encrypted on the import.
3. `commit_import` reads the file again (its checksum must not have changed), checks and
   matches every row again as things are now, and then saves every matched row in one
   transaction — or nothing, if any row has an error. Rows matching nobody are listed and
   not imported. Committing twice does nothing the second time.
4. The file and the preview are deleted at commit, cancel or failure; drafts abandoned for
   longer than `ABANDONED_AFTER` are purged (`purge_abandoned_imports`).

No names reach URLs or logs: pages and tasks carry the import's id only.
"""

import csv
import hashlib
import io
import json
import logging
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases.access import families_changeable_by
from cases.identifiers import normalise_upn, validate_upn
from cases.models import (
    ExternalDataImport,
    ExternalDataKind,
    ExternalDataRecord,
    FamilyAddress,
    Membership,
    Person,
)
from cases.search_keys import name_key, names_match, postcode_key, validate_postcode
from fss.core.models import AccessLogEntry
from fss.core.services import log_access
from sar.restriction import mark_restricted_import_rows

logger = logging.getLogger(__name__)

EXTENSIONS = {".csv", ".xlsx"}
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
ABANDONED_AFTER = timedelta(days=2)
PROGRESS_EVERY = 100

Status = ExternalDataImport.Status

# Column headings, in the order the template file lists them, and the other headings accepted
# for each (compared in lower case with spaces, hyphens and dots as underscores).
COLUMNS = {
    "upn": ["unique_pupil_number", "pupil_number"],
    "given_name": ["first_name", "forename", "forenames", "given_names"],
    "family_name": ["surname", "last_name", "family_names"],
    "date_of_birth": ["dob", "birth_date"],
    "postcode": ["post_code"],
    "kind": ["data_kind", "type"],
    "period_start": ["date", "period_from", "from", "start_date"],
    "period_end": ["period_to", "to", "end_date"],
    "measure": ["measure_name", "indicator"],
    "value": ["result", "amount"],
}
REQUIRED_COLUMNS = ["period_start", "measure", "value"]
NAME_COLUMNS = ["given_name", "family_name", "date_of_birth", "postcode"]


def worker_threshold() -> int:
    """Files with more rows than this are read and saved by the worker, with a progress bar."""
    return settings.IMPORT_WORKER_THRESHOLD_ROWS


class ImportFileError(ValidationError):
    """The file as a whole cannot be imported (wrong type, empty, missing columns, too big)."""


# --- Reading files ------------------------------------------------------------------------------


def _heading(text) -> str:
    key = str(text or "").strip().lower()
    for char in " -./":
        key = key.replace(char, "_")
    for name, others in COLUMNS.items():
        if key == name or key in others:
            return name
    return key


def _cell(value) -> object:
    if isinstance(value, str):
        return value.strip()
    return value


def _csv_rows(data: bytes):
    if b"\x00" in data[:4096]:
        raise ImportFileError("The file is not a CSV file. Save it as CSV (comma delimited) or XLSX.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise ImportFileError("The file's characters cannot be read. Save it as CSV UTF-8.")
    yield from csv.reader(io.StringIO(text, newline=""))


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ImportFileError("The file is not a readable XLSX spreadsheet. Save it again as XLSX.") from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def read_table(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """The headings and the non-blank rows (with their line numbers) of a CSV or XLSX file.

    Raises ImportFileError with a message for the person importing when the file cannot be used.
    """
    suffix = PurePath(filename).suffix.lower()
    if suffix not in EXTENSIONS:
        raise ImportFileError("The file must be a CSV or XLSX file.")
    if not data:
        raise ImportFileError("The file is empty.")
    if suffix == ".xlsx" and not data.startswith(b"PK"):
        raise ImportFileError("The file is not a readable XLSX spreadsheet. Save it again as XLSX.")
    source = _xlsx_rows(data) if suffix == ".xlsx" else _csv_rows(data)
    headings: list[str] | None = None
    rows: list[tuple[int, dict]] = []
    for line, raw in enumerate(source, start=1):
        values = [_cell(v) for v in raw]
        if not any(v not in (None, "") for v in values):
            continue
        if headings is None:
            headings = [_heading(v) for v in values]
            continue
        rows.append((line, {h: v for h, v in zip(headings, values, strict=False) if h}))
        if len(rows) > MAX_ROWS:
            raise ImportFileError(f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files.")
    if headings is None:
        raise ImportFileError("The file is empty.")
    missing = [name for name in REQUIRED_COLUMNS if name not in headings]
    if "upn" not in headings and any(name not in headings for name in NAME_COLUMNS):
        missing.append("upn (or given_name, family_name, date_of_birth and postcode)")
    if missing:
        raise ImportFileError(f"The file is missing these columns: {', '.join(missing)}.")
    if not rows:
        raise ImportFileError("The file has column headings but no rows of data.")
    return headings, rows


# --- Checking and matching rows -----------------------------------------------------------------


@dataclass
class Row:
    """One row of the file as checked and matched; stored (encrypted) in the preview."""

    line: int
    upn: str = ""
    given_name: str = ""
    family_name: str = ""
    date_of_birth: str = ""
    postcode: str = ""
    kind: str = ""
    period_start: str = ""
    period_end: str = ""
    measure: str = ""
    value: str = ""
    status: str = "error"  # matched / unmatched / error
    errors: list[str] = field(default_factory=list)
    person_id: int | None = None
    family_id: int | None = None
    matched_name: str = ""
    family_reference: str = ""

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


def _parse_date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


_KIND_LOOKUP = {
    **{value: value for value in ExternalDataKind.values},
    **{label.lower(): value for value, label in ExternalDataKind.choices},
}


def check_row(line: int, values: dict, *, default_kind: str, today: date) -> tuple[Row, dict]:
    """Check one row's values; return the row (with its errors) and the parsed values."""
    text = {key: "" if values.get(key) is None else str(values.get(key)).strip() for key in COLUMNS}
    row = Row(line=line, **{key: text[key] for key in ("upn", "given_name", "family_name", "postcode")})
    row.measure, row.value = text["measure"][:100], text["value"]
    errors, parsed = row.errors, {}

    def date_of(column: str, label: str) -> date | None:
        try:
            parsed_date = _parse_date(values.get(column))
        except ValueError:
            errors.append(f"{label} is not a date: use a date such as 27/03/2026")
            return None
        if parsed_date is not None:
            setattr(row, column, parsed_date.isoformat())
        return parsed_date

    dob = date_of("date_of_birth", "Date of birth")
    if dob and dob > today:
        errors.append("Date of birth is in the future")
    start = date_of("period_start", "Date (period start)")
    end = date_of("period_end", "Period end")
    if start is None and values.get("period_start") in (None, ""):
        errors.append("Enter the date or the start of the period")
    if start and start > today:
        errors.append("Date (period start) is in the future")
    if start and end and end < start:
        errors.append("Period end is before its start")
    kind = _KIND_LOOKUP.get(text["kind"].lower()) if text["kind"] else default_kind
    if kind is None:
        errors.append(f"Unknown kind of data: use one of {', '.join(ExternalDataKind.values)}")
    row.kind = kind or text["kind"][:20]
    if not row.measure:
        errors.append("Enter what the value measures")
    if not row.value:
        errors.append("Enter the value")
    elif len(row.value) > 1000:
        errors.append("The value is longer than 1,000 characters")
    upn = ""
    if row.upn:
        try:
            validate_upn(row.upn)
            upn = normalise_upn(row.upn)
        except ValidationError:
            errors.append("The UPN is not valid")
    if row.postcode:
        try:
            validate_postcode(row.postcode)
        except ValidationError:
            errors.append("The postcode is not a full UK postcode")
    has_names = row.given_name and row.family_name and dob and row.postcode
    if not row.upn and not has_names:
        errors.append("Give a UPN, or a given name, family name, date of birth and postcode")
    parsed.update(upn=upn, dob=dob, start=start, end=end, kind=kind)
    return row, parsed


@dataclass
class _Candidate:
    pk: int
    label: str
    upn: str
    date_of_birth: date | None
    keys: list[str]
    families: list[int]


class Matcher:
    """People in the families `user` may change, indexed for matching (a few queries in all)."""

    def __init__(self, user):
        families = families_changeable_by(user)
        memberships = Membership.objects.filter(family__in=families).values_list(
            "person_id", "family_id", "family__reference"
        )
        self.references: dict[int, str] = {}
        person_families: dict[int, list[int]] = {}
        for person_id, family_id, reference in memberships:
            self.references[family_id] = reference
            person_families.setdefault(person_id, [])
            if family_id not in person_families[person_id]:
                person_families[person_id].append(family_id)
        self.postcodes: dict[int, set[str]] = {}
        for family_id, key in FamilyAddress.objects.filter(
            family_id__in=list(self.references), end_date__isnull=True
        ).values_list("family_id", "postcode_key"):
            self.postcodes.setdefault(family_id, set()).add(key)
        self.by_upn: dict[str, list[_Candidate]] = {}
        self.by_dob: dict[date, list[_Candidate]] = {}
        for person in Person.objects.filter(pk__in=list(person_families)).only(
            "pk", "given_name", "family_name", "upn", "date_of_birth", "search_name", "preferred_name"
        ):
            candidate = _Candidate(
                pk=person.pk,
                label=str(person),
                upn=person.upn,
                date_of_birth=person.date_of_birth,
                keys=person.search_keys,
                families=sorted(person_families[person.pk]),
            )
            if person.upn:
                self.by_upn.setdefault(person.upn, []).append(candidate)
            if person.date_of_birth:
                self.by_dob.setdefault(person.date_of_birth, []).append(candidate)

    def _family(self, row: Row, candidate: _Candidate) -> int | None:
        families = candidate.families
        if row.postcode and len(families) > 1:
            wanted = postcode_key(row.postcode)
            families = [f for f in families if wanted in self.postcodes.get(f, set())] or families
        if len(families) == 1:
            return families[0]
        row.errors.append("The person is in more than one family: record this one by hand")
        return None

    def _by_name(self, row: Row, dob: date) -> list[_Candidate]:
        query = name_key(row.name)
        wanted = postcode_key(row.postcode)
        return [
            c
            for c in self.by_dob.get(dob, [])
            if any(wanted in self.postcodes.get(f, set()) for f in c.families)
            and any(names_match(query, key) for key in c.keys)
        ]

    def match(self, row: Row, parsed: dict) -> None:
        """Set the row's person and family, or mark it unmatched, or add an error (ambiguous)."""
        found: list[_Candidate] = []
        if parsed["upn"]:
            found = self.by_upn.get(parsed["upn"], [])
        if not found and row.given_name and row.family_name and parsed["dob"] and row.postcode:
            found = self._by_name(row, parsed["dob"])
        if len(found) > 1:
            row.errors.append(f"Matches {len(found)} people: check the identifiers, or record this by hand")
        elif found and not row.errors:
            family_id = self._family(row, found[0])
            if family_id is not None:
                row.person_id, row.family_id = found[0].pk, family_id
                row.matched_name = found[0].label
                row.family_reference = self.references[family_id]
        if row.errors:
            row.status = "error"
        elif row.person_id:
            row.status = "matched"
        else:
            row.status = "unmatched"


def check_and_match(data: bytes, *, filename: str, default_kind: str, user, progress=None) -> list[Row]:
    """Every row of the file checked and matched for `user`; `progress(n)` is told as rows go."""
    _, table = read_table(data, filename)
    matcher = Matcher(user)
    today = timezone.localdate()
    rows = []
    for done, (line, values) in enumerate(table, start=1):
        row, parsed = check_row(line, values, default_kind=default_kind, today=today)
        matcher.match(row, parsed)
        rows.append(row)
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
    return mark_restricted_import_rows(rows)  # SPEC §8.2: nothing recorded about a restricted person


# --- The import's steps -------------------------------------------------------------------------


def _checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_stored(imp: ExternalDataImport) -> bytes:
    with imp.file.open("rb") as handle:
        return handle.read()


def _set_progress(import_id: int, done: int) -> None:
    # A plain UPDATE: a progress counter is not history (it is excluded from it).
    ExternalDataImport.objects.filter(pk=import_id).update(processed_rows=done)


def _save(imp: ExternalDataImport, by) -> ExternalDataImport:
    imp._history_user = by
    imp.save()
    return imp


def _discard_file(imp: ExternalDataImport) -> None:
    """Delete the uploaded file and the preview (they hold personal data) once the import ends."""
    name, storage = imp.file.name, imp.file.storage
    imp.file = ""
    imp.preview = ""
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def previous_import_of_same_file(imp: ExternalDataImport) -> ExternalDataImport | None:
    return (
        ExternalDataImport.objects.filter(team=imp.team, checksum=imp.checksum, status=Status.COMMITTED)
        .exclude(pk=imp.pk)
        .order_by("-finished_at")
        .first()
    )


def start_import(
    *, file, kind: str, source_organisation: str, received_on: date, team, by
) -> ExternalDataImport:
    """Check and store an uploaded file, then preview it (in the worker when it is large).

    Raises ImportFileError when the file cannot be imported; nothing is kept then.
    """
    if not by.has_perm("cases.import_external_data"):
        raise PermissionDenied
    if file.size > MAX_BYTES:
        raise ImportFileError(f"The file must be smaller than {MAX_BYTES // (1024 * 1024)} MB.")
    data = file.read()
    _, rows = read_table(data, file.name)  # refuses wrong types, empty files, missing columns
    with transaction.atomic():
        imp = ExternalDataImport(
            team=team,
            imported_by=by,
            kind=kind,
            source_organisation=source_organisation,
            received_on=received_on,
            original_name=PurePath(file.name).name[:255],
            checksum=_checksum(data),
            total_rows=len(rows),
        )
        file.seek(0)
        imp.file.save(file.name, file, save=False)
        _save(imp, by)
    if len(rows) > worker_threshold():
        from cases.tasks import preview_import

        transaction.on_commit(lambda: preview_import.delay(imp.pk))
        return imp
    return build_preview(import_id=imp.pk) or imp


def build_preview(*, import_id: int) -> ExternalDataImport | None:
    """Check and match every row of a draft import and keep the preview. Safe to run twice."""
    imp = ExternalDataImport.objects.select_related("imported_by").get(pk=import_id)
    if imp.status != Status.DRAFT:
        return None
    try:
        rows = check_and_match(
            _read_stored(imp),
            filename=imp.file.name,
            default_kind=imp.kind,
            user=imp.imported_by,
            progress=lambda done: _set_progress(imp.pk, done),
        )
    except ImportFileError as error:
        with transaction.atomic():
            imp.status, imp.failure = Status.FAILED, error.messages[0][:300]
            imp.finished_at = timezone.now()
            _discard_file(imp)
            _save(imp, imp.imported_by)
        return imp
    except Exception:
        _fail(imp.pk)
        raise
    with transaction.atomic():
        _store_preview(imp, rows)
        imp.status = Status.PREVIEWED
        _save(imp, imp.imported_by)
    return imp


def _store_preview(imp: ExternalDataImport, rows: list[Row]) -> None:
    imp.preview = json.dumps([asdict(row) for row in rows])
    imp.processed_rows = imp.total_rows = len(rows)
    imp.matched_rows = sum(row.status == "matched" for row in rows)
    imp.unmatched_rows = sum(row.status == "unmatched" for row in rows)
    imp.error_rows = sum(row.status == "error" for row in rows)


def preview_rows(imp: ExternalDataImport) -> list[Row]:
    """The rows of the preview, as checked when it was built."""
    if not imp.preview:
        return []
    return [Row(**row) for row in json.loads(imp.preview)]


def _fail(import_id: int) -> None:
    """Record an unexpected failure (the exception goes on to the worker's log) and drop the file."""
    with transaction.atomic():
        imp = ExternalDataImport.objects.select_for_update().get(pk=import_id)
        if imp.is_finished:
            return
        imp.status, imp.failure = Status.FAILED, "Something went wrong reading the file. Try again."
        imp.finished_at = timezone.now()
        _discard_file(imp)
        _save(imp, imp.imported_by)


def request_commit(*, imp: ExternalDataImport, by) -> ExternalDataImport:
    """Commit now (small file) or hand it to the worker (large file, shows a progress bar)."""
    _check_owner(imp, by)
    with transaction.atomic():
        locked = ExternalDataImport.objects.select_for_update().get(pk=imp.pk)
        if locked.status == Status.COMMITTED or locked.status == Status.COMMITTING:
            return locked  # already done or on its way: a second click does nothing
        if locked.status != Status.PREVIEWED:
            raise ValidationError("This import cannot be saved: it is not ready or has ended.")
        if locked.error_rows:
            raise ValidationError(
                "Some rows have errors. Correct them in the file and upload it again: nothing is saved "
                "until every row can be."
            )
        if locked.total_rows <= worker_threshold():
            return commit_import(import_id=locked.pk)
        locked.status, locked.processed_rows, locked.failure = Status.COMMITTING, 0, ""
        _save(locked, by)
        from cases.tasks import commit_import_task

        transaction.on_commit(lambda: commit_import_task.delay(locked.pk))
    return locked


def commit_import(*, import_id: int) -> ExternalDataImport:
    """Save every matched row, or nothing (SPEC §2.5). Safe to run twice: the second run returns.

    The rows are read, checked and matched again as things are now (a family may have moved
    team since the preview). If any row now has an error, nothing is saved, the preview is
    refreshed and the import stays ready to check.
    """
    imp = ExternalDataImport.objects.select_related("imported_by").get(pk=import_id)
    if imp.status not in (Status.PREVIEWED, Status.COMMITTING):
        return imp
    by = imp.imported_by
    try:
        data = _read_stored(imp)
        if _checksum(data) != imp.checksum:
            raise ImportFileError("The stored file has changed since it was checked. Upload it again.")
        rows = check_and_match(
            data,
            filename=imp.file.name,
            default_kind=imp.kind,
            user=by,
            progress=lambda done: _set_progress(imp.pk, done),
        )
    except ImportFileError as error:
        with transaction.atomic():
            imp.status, imp.failure = Status.FAILED, error.messages[0][:300]
            imp.finished_at = timezone.now()
            _discard_file(imp)
            _save(imp, by)
        return imp
    except Exception:
        _fail(imp.pk)
        raise
    try:
        return _commit_rows(imp.pk, rows, by=by)
    except Exception:
        _saving_failed(imp.pk)
        raise


def _saving_failed(import_id: int) -> None:
    """Saving failed and rolled back: the import is ready to try again (the worker logs why)."""
    with transaction.atomic():
        imp = ExternalDataImport.objects.select_for_update().get(pk=import_id)
        if imp.status in (Status.PREVIEWED, Status.COMMITTING):
            imp.status = Status.PREVIEWED
            imp.failure = "Saving failed and nothing was saved. Try again, or ask for help if it fails again."
            _save(imp, imp.imported_by)


def _commit_rows(import_id: int, rows: list[Row], *, by) -> ExternalDataImport:
    with transaction.atomic():
        locked = ExternalDataImport.objects.select_for_update().get(pk=import_id)
        if locked.status not in (Status.PREVIEWED, Status.COMMITTING):
            return locked  # another run got there first
        if any(row.status == "error" for row in rows):
            _store_preview(locked, rows)
            locked.status = Status.PREVIEWED
            locked.failure = "Rows have errors now that were not there before: nothing was saved."
            _save(locked, by)
            return locked
        saved = _write_records(locked, rows, by=by)
        _store_preview(locked, rows)
        locked.imported_rows = saved
        locked.status, locked.failure = Status.COMMITTED, ""
        locked.finished_at = timezone.now()
        _discard_file(locked)
        _save(locked, by)
    return locked


def _write_records(imp: ExternalDataImport, rows: list[Row], *, by) -> int:
    saved = 0
    for row in rows:
        if row.status != "matched":
            continue
        record = ExternalDataRecord(
            person_id=row.person_id,
            family_id=row.family_id,
            kind=row.kind,
            period_start=date.fromisoformat(row.period_start),
            period_end=date.fromisoformat(row.period_end) if row.period_end else None,
            measure=row.measure,
            value=row.value,
            source_organisation=imp.source_organisation,
            received_on=imp.received_on,
            import_batch=imp,
        )
        record.full_clean(exclude=["person", "family", "import_batch"])
        record._history_user = by
        record.save()
        log_access(
            by=by,
            record=record,
            action=AccessLogEntry.Action.CHANGE,
            family_id=row.family_id,
            person_id=row.person_id,
        )
        saved += 1
    return saved


def cancel_import(*, imp: ExternalDataImport, by) -> ExternalDataImport:
    """Stop an import before it is saved; the file and the preview are deleted."""
    _check_owner(imp, by)
    with transaction.atomic():
        locked = ExternalDataImport.objects.select_for_update().get(pk=imp.pk)
        if locked.status in (Status.DRAFT, Status.PREVIEWED):
            locked.status = Status.CANCELLED
            locked.finished_at = timezone.now()
            _discard_file(locked)
            _save(locked, by)
        elif locked.status != Status.CANCELLED:
            raise ValidationError("This import can no longer be cancelled.")
    return locked


def _check_owner(imp: ExternalDataImport, by) -> None:
    if imp.imported_by_id != by.pk or not by.has_perm("cases.import_external_data"):
        raise PermissionDenied


def imports_visible_to(user):
    """Imports a user may open: their own (a preview lists people matched in their families)."""
    if not user.has_perm("cases.import_external_data"):
        return ExternalDataImport.objects.none()
    return ExternalDataImport.objects.filter(imported_by=user)


def purge_abandoned_imports(*, now=None, dry_run: bool = False) -> list[int]:
    """Cancel drafts and previews left longer than ABANDONED_AFTER, deleting their files.

    Returns the ids of the imports purged (or, with dry_run, that would be).
    """
    cutoff = (now or timezone.now()) - ABANDONED_AFTER
    due = list(
        ExternalDataImport.objects.filter(
            status__in=[Status.DRAFT, Status.PREVIEWED], created_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    if dry_run:
        return due
    purged = []
    for pk in due:
        with transaction.atomic():
            imp = ExternalDataImport.objects.select_for_update().get(pk=pk)
            if imp.status not in (Status.DRAFT, Status.PREVIEWED):
                continue
            imp.status, imp.failure = Status.CANCELLED, "Not saved within two days: removed."
            imp.finished_at = timezone.now()
            _discard_file(imp)
            _save(imp, imp.imported_by)
            purged.append(pk)
    return purged
