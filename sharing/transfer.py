"""The document that goes with a recorded decision to share, made for its transfer method (SPEC §6.2).

A decision recorded with a transfer method produces, on request:

- an electronic method (secure email, secure portal, encrypted file, system to
  system) → a CSV file of exactly the items shared, one row per person;
- post or by hand → a letter to the recipient (PDF);
- phone or a meeting → a record sheet (PDF) of what may be said, with space to
  note who was told and when.

Every document is built from the immutable Disclosures of the decision, so it holds
only the people and the data categories the check allowed and that may be sent (a
share waiting for a manager's approval, or declined, sends nothing). It carries the
agreement's reference, the purpose, the lawful basis and the limits on onward use.
Nothing is stored: each download builds it again from the record and is access-logged
per person in it. Categories that are narrative (case notes, family circumstances,
education, support and outcomes, offending) are shown as the items the worker
described when recording the decision.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from cases.models import Family, FamilyAddress
from fss.core.documents import html_to_pdf
from fss.core.models import AccessLogEntry
from fss.core.services import log_access
from sharing.check import long_date
from sharing.models import DataCategory, Disclosure, TransferMethod

FILE = "file"
LETTER = "letter"
RECORD_SHEET = "record_sheet"

DOCUMENT_FOR_METHOD = {
    TransferMethod.SECURE_EMAIL: FILE,
    TransferMethod.SECURE_PORTAL: FILE,
    TransferMethod.ENCRYPTED_FILE: FILE,
    TransferMethod.SYSTEM: FILE,
    TransferMethod.RECORDED_POST: LETTER,
    TransferMethod.BY_HAND: LETTER,
    TransferMethod.PHONE: RECORD_SHEET,
    TransferMethod.MEETING: RECORD_SHEET,
}

DOCUMENT_LABELS = {
    FILE: "Download the file to send (CSV)",
    LETTER: "Download the letter to the recipient (PDF)",
    RECORD_SHEET: "Download the record sheet for the conversation (PDF)",
}

# Used when neither the decision nor its agreement states limits (the privacy notice's promise).
DEFAULT_ONWARD_USE = (
    "Use this information only for the purpose stated. Do not pass it on, except to keep someone safe "
    "or where the law requires it. Keep it securely and destroy it when it is no longer needed for "
    "that purpose."
)


def _person_fields(person, address: FamilyAddress | None) -> dict[str, list[tuple[str, str]]]:
    """The fields each structured data category holds about `person`, as (label, value)."""

    def yes_no(value: bool) -> str:
        return "Yes" if value else "No"

    address_text = (
        ", ".join(
            " ".join(part.split())
            for part in (address.line_1, address.line_2, address.town, address.postcode)
            if part
        )
        if address
        else ""
    )
    return {
        "identity": [
            ("Given name", person.given_name),
            ("Family name", person.family_name),
            ("Other names", person.other_names),
            ("Date of birth", person.date_of_birth.isoformat() if person.date_of_birth else ""),
        ],
        "address": [("Address", address_text)],
        "contact": [("Phone", person.phone), ("Email", person.email)],
        "identifiers": [
            ("Unique pupil number", person.upn),
            ("NHS number", person.nhs_number),
            ("National Insurance number", person.ni_number),
        ],
        "gender": [("Gender", person.get_gender_display())],
        "health_send": [
            ("Special educational need or disability", yes_no(person.has_send)),
            ("Education, health and care plan", yes_no(person.has_ehc_plan)),
            ("SEND and health details", person.send_details),
        ],
        "ethnicity_religion": [
            ("Ethnic origin", person.get_ethnicity_display()),
            ("Religion", person.get_religion_display()),
        ],
    }


STRUCTURED_CATEGORIES = (
    "identity",
    "address",
    "contact",
    "identifiers",
    "gender",
    "health_send",
    "ethnicity_religion",
)


@dataclass
class SharedPerson:
    disclosure: Disclosure
    # (category label, [(field label, value)]) for each category shared, in registry order.
    categories: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)

    @property
    def person(self):
        return self.disclosure.person


@dataclass
class TransferDocument:
    kind: str
    filename: str
    content_type: str
    content: bytes
    people: list[SharedPerson]


def document_kind(method: str) -> str | None:
    return DOCUMENT_FOR_METHOD.get(method)


def _address_on(family: Family, on: date) -> FamilyAddress | None:
    return (
        FamilyAddress.objects.filter(family=family, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .order_by("-start_date", "-pk")
        .first()
    )


def sendable_disclosures(*, family: Family, decision_id) -> tuple[list[Disclosure], list[Disclosure]]:
    """(the decision's disclosures, those whose information may leave): shared or partly shared, and
    approved when approval was needed before sending."""
    disclosures = list(
        Disclosure.objects.filter(family=family, decision_id=decision_id, direction=Disclosure.Direction.OUT)
        .select_related("person", "organisation", "agreement", "purpose", "decided_by", "approval")
        .order_by("pk")
    )
    return disclosures, [d for d in disclosures if d.was_sent is True]


def _refusal(disclosures: list[Disclosure]) -> str:
    if not disclosures:
        return "There is no decision to share by us with this reference for this family."
    if all(d.decision == Disclosure.Decision.NOT_SHARED for d in disclosures):
        return "This was a decision not to share: there is nothing to send."
    if any(d.was_sent is None for d in disclosures):
        return "A manager has not approved this share yet: nothing may be sent until they do."
    return "A manager declined this share: nothing may be sent."


def build(*, family: Family, decision_id) -> TransferDocument:
    """The document for the decision's transfer method, holding only what may be sent.

    Refuses (ValidationError): a decision that sends nothing (not shared, awaiting a manager's
    approval or declined) or has no transfer method with a document.
    """
    disclosures, sendable = sendable_disclosures(family=family, decision_id=decision_id)
    if not sendable:
        raise ValidationError(_refusal(disclosures))
    first = sendable[0]
    kind = document_kind(first.transfer_method)
    if kind is None:
        raise ValidationError("This decision has no transfer method, so there is no document to make.")
    categories = {c.code: c for c in DataCategory.objects.all()}
    address = _address_on(family, first.decided_on)
    people = []
    for disclosure in sendable:
        values = _person_fields(disclosure.person, address)
        shared = sorted(
            (code for code in disclosure.categories_shared if code in categories),
            key=lambda code: (categories[code].position, code),
        )
        entries = []
        for code in shared:
            if code in values:
                entries.append((categories[code].label, values[code]))
            else:
                entries.append(
                    (categories[code].label, [("Items", disclosure.items_description or "As agreed")])
                )
        people.append(SharedPerson(disclosure=disclosure, categories=entries))
    context = _context(family=family, first=first, people=people, kind=kind)
    stem = f"sharing-{family.reference}-{first.decided_on:%Y%m%d}-{str(decision_id)[:8]}"
    if kind == FILE:
        return TransferDocument(kind, f"{stem}.csv", "text/csv; charset=utf-8", _csv(context), people)
    pdf = html_to_pdf(render_to_string("sharing/transfer_document.html", context))
    return TransferDocument(kind, f"{stem}-{kind.replace('_', '-')}.pdf", "application/pdf", pdf, people)


def _context(*, family: Family, first: Disclosure, people: list[SharedPerson], kind: str) -> dict:
    agreement = first.agreement
    onward = (
        first.onward_use_limits or (agreement.onward_use_limits if agreement else "") or DEFAULT_ONWARD_USE
    )
    return {
        "kind": kind,
        "family": family,
        "first": first,
        "people": people,
        "organisation": first.organisation,
        "council": settings.ORGANISATION,
        "agreement_reference": agreement.reference if agreement else "",
        "agreement_text": (
            f"{agreement.reference}: {agreement.title}"
            if agreement
            else "None: a one-off safeguarding disclosure without an agreement"
        ),
        "basis": first.get_basis_display(),
        "onward_use": onward,
        "decided_on": long_date(first.decided_on),
        "made_on": long_date(timezone.localdate()),
    }


def _csv(context: dict) -> bytes:
    """One row per person; a column per field of every category shared with anyone in the decision,
    empty where that person's category was not shared. The terms come first, as comment-free rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    first = context["first"]
    for label, value in (
        ("From", context["council"]["controller_name"]),
        ("To", str(context["organisation"])),
        ("Agreement", context["agreement_text"]),
        ("Purpose", str(first.purpose)),
        ("Lawful basis", context["basis"]),
        ("Decided on", first.decided_on.isoformat()),
        ("Decision reference", str(first.decision_id)),
        ("Onward use", context["onward_use"]),
    ):
        writer.writerow([label, value])
    writer.writerow([])
    columns: list[tuple[str, str]] = []
    for shared in context["people"]:
        for category, fields in shared.categories:
            for label, _value in fields:
                if (category, label) not in columns:
                    columns.append((category, label))
    writer.writerow(["Record number", *[f"{category}: {label}" for category, label in columns]])
    for shared in context["people"]:
        values = {
            (category, label): value for category, fields in shared.categories for label, value in fields
        }
        writer.writerow([shared.person.pk, *[values.get(column, "") for column in columns]])
    return buffer.getvalue().encode("utf-8")


@transaction.atomic
def transfer_document(*, family: Family, decision_id, by, request=None) -> TransferDocument:
    """Build the decision's document for `by` (who may see the family: the view checks) and log an
    export line for every person in it."""
    document = build(family=family, decision_id=decision_id)
    action = AccessLogEntry.Action.EXPORT if document.kind == FILE else AccessLogEntry.Action.PRINT
    for shared in document.people:
        log_access(
            by=by,
            record=shared.disclosure,
            action=action,
            request=request,
            family_id=family.pk,
            person_id=shared.person.pk,
        )
    return document
