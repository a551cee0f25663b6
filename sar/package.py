"""The response to a subject access request: a PDF to read and an encrypted ZIP (SPEC §8.1).

The PDF is a cover letter in plain English with everything domain-rules §2
says goes with the copy (purposes, categories, recipients, retention, source,
rights, complaints, no automated decisions, no transfers abroad), then the
records with the reviewer's redactions applied. Withheld text never reaches
the PDF or the ZIP: it is replaced by a mark whose key explains the ground.

The ZIP holds the same material as JSON and CSV, and the documents released,
encrypted with AES-256 (pyzipper, WinZip AE-2) under a password the DPO gives
the requester separately.
"""

import csv
import io
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath

import pyzipper
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.text import slugify

from cases.models import Document, Referral
from fss.core.documents import html_to_pdf
from retention.selectors import family_retention_sentence
from sar import redaction
from sar.models import (
    Ground,
    Redaction,
    RedactionDecision,
    SarCompilation,
    SarItem,
    SarSearchTask,
    Section,
    SubjectAccessRequest,
    long_date,
)
from sharing.models import Disclosure
from sharing.selectors import disclosures_about

# The mark a withheld passage carries, and what the letter's key says it means.
MARKS = {
    Ground.THIRD_PARTY: "A",
    Ground.SERIOUS_HARM: "B",
    Ground.CHILD_EXPECTATION: "C",
    Ground.CHILD_ABUSE_DATA: "D",
}
PLAIN_GROUNDS = {
    Ground.THIRD_PARTY: "Information about another person, who has not agreed to it being shared and whom it "
    "would not be reasonable to name (Data Protection Act 2018, Schedule 2, paragraph 16).",
    Ground.SERIOUS_HARM: "Information that would be likely to cause serious harm to someone's physical or "
    "mental health (Data Protection Act 2018, Schedule 3, paragraph 7).",
    Ground.CHILD_EXPECTATION: "Information a child gave us expecting that it would not be shared with the "
    "parent who asked (Data Protection Act 2018, Schedule 3, paragraph 8).",
    Ground.CHILD_ABUSE_DATA: "Information about possible harm to a child that it would not be in the child's "
    "best interests to share (Data Protection Act 2018, Schedule 3, paragraph 21).",
}


@dataclass
class MaterialField:
    label: str
    value: str
    segments: list[redaction.Segment]

    @property
    def redacted(self) -> str:
        return "".join(f"[withheld: {s.mark}]" if s.withheld else s.text for s in self.segments)


@dataclass
class MaterialItem:
    item: SarItem
    fields: list[MaterialField]
    withheld_mark: str = ""  # the whole record withheld
    document: Document | None = None
    file_name: str = ""  # where a released document is in the ZIP

    @property
    def is_withheld(self) -> bool:
        return bool(self.withheld_mark)


@dataclass
class SectionMaterial:
    code: str
    label: str
    items: list[MaterialItem] = field(default_factory=list)


def _latest(compilation: SarCompilation) -> dict[int, RedactionDecision]:
    latest: dict[int, RedactionDecision] = {}
    for decision in RedactionDecision.objects.filter(redaction__item__compilation=compilation).order_by(
        "at", "pk"
    ):
        latest[decision.redaction_id] = decision
    return latest


def material(compilation: SarCompilation) -> list[SectionMaterial]:
    """The compiled records with the decided redactions applied, section by section."""
    latest = _latest(compilation)
    withheld: dict[int, list[tuple[Redaction, RedactionDecision]]] = defaultdict(list)
    documents_reviewed: dict[int, bool] = {}
    for r in Redaction.objects.filter(item__compilation=compilation):
        decision = latest.get(r.pk)
        if decision is not None and decision.decision == RedactionDecision.Decision.WITHHOLD:
            withheld[r.item_id].append((r, decision))
        if r.reason == Redaction.Reason.DOCUMENT:
            documents_reviewed[r.item_id] = decision is not None
    items = list(SarItem.objects.filter(compilation=compilation).order_by("position"))
    documents = Document.objects.in_bulk(
        [int(i.source_pk) for i in items if i.is_document and i.source_pk.isdigit()]
    )
    sections = {code: SectionMaterial(code, label) for code, label in Section.choices}
    number = 0
    for item in items:
        spans: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
        whole_marks: set[str] = set()
        for r, decision in withheld.get(item.pk, []):
            mark = MARKS[decision.ground]
            if r.is_whole_item:
                whole_marks.add(mark)
            else:
                spans[r.field_index].append((r.start, r.end, mark))
        whole = ", ".join(sorted(whole_marks))
        fields = [
            MaterialField(f["label"], f["value"], redaction.segments(f["value"], spans.get(index, [])))
            for index, f in enumerate(item.fields)
        ]
        entry = MaterialItem(item, [] if whole else fields, withheld_mark=whole)
        if item.is_document and not whole and documents_reviewed.get(item.pk):
            document = documents.get(int(item.source_pk))
            if document is not None and document.file:
                number += 1
                suffix = PurePath(document.file.name).suffix.lower()
                entry.document = document
                entry.file_name = f"documents/{number:03d}-{slugify(item.title)[:60] or 'document'}{suffix}"
        sections[item.section].items.append(entry)
    return [s for s in sections.values() if s.items]


# --- The cover letter's facts (domain-rules §2 "what to send") ---


def recipients(subject) -> list[dict]:
    """Organisations we sent information about the subject to, with when and why."""
    found: dict[str, dict] = {}
    for d in disclosures_about(person=subject):
        if d.direction != Disclosure.Direction.OUT or d.decision == Disclosure.Decision.NOT_SHARED:
            continue
        if d.was_sent is False:
            continue
        entry = found.setdefault(
            str(d.organisation), {"organisation": str(d.organisation), "dates": [], "purposes": set()}
        )
        entry["dates"].append(d.decided_on)
        entry["purposes"].add(d.purpose.label)
    return [
        {
            "organisation": e["organisation"],
            "first": long_date(min(e["dates"])),
            "last": long_date(max(e["dates"])),
            "times": len(e["dates"]),
            "purposes": sorted(e["purposes"]),
        }
        for e in sorted(found.values(), key=lambda e: e["organisation"])
    ]


# Who referred the family, as the letter says it.
REFERRAL_SOURCES = {
    Referral.Source.SCHOOL: "a referral from a school",
    Referral.Source.POLICE: "a referral from the police",
    Referral.Source.HEALTH: "a referral from a health service",
    Referral.Source.SELF: "a referral you or your family made",
    Referral.Source.SOCIAL_CARE_STEP_DOWN: "children's social care, when they passed the case to us",
    Referral.Source.OTHER: "a referral from another organisation or person",
}


def sources(subject, family_ids: list[int]) -> list[str]:
    """Where the information came from, beyond the subject themselves (domain-rules §2)."""
    used = set(Referral.objects.filter(family_id__in=family_ids).values_list("source", flat=True))
    found = [text for value, text in REFERRAL_SOURCES.items() if value in used]
    inbound = sorted(
        {
            str(d.organisation)
            for d in disclosures_about(person=subject)
            if d.direction == Disclosure.Direction.IN
        }
    )
    found += [f"information {name} shared with us" for name in inbound]
    return found


def categories(sections: list[SectionMaterial], subject) -> list[str]:
    present = {s.code for s in sections}
    words = {
        Section.ABOUT_YOU: "your name, date of birth, contact details and identifiers such as an NHS number",
        Section.FAMILIES: "who is in your family and where you have lived",
        Section.REFERRALS: "referrals to the service and why they were made",
        Section.CASES: "when we worked with your family",
        Section.PROGRAMME: "assessments of your family's needs, family plans, reviews and outcomes",
        Section.NOTES: "case notes of visits, calls and meetings",
        Section.DOCUMENTS: "documents and paper files",
        Section.CONSENT: "the agreements and choices you or your family made about your information",
        Section.SHARING: "what we shared with other organisations, and why",
        Section.REQUESTS: "your earlier requests and complaints to us",
        Section.HISTORY: "changes made to your records",
        Section.ACCESS: "which of our staff looked at your records",
    }
    found = [text for code, text in words.items() if code in present]
    special = []
    if subject.has_send or subject.send_details:
        special.append("health and special educational needs")
    for name in ("gender", "ethnicity", "religion"):
        if getattr(subject, name) not in ("not_obtained", ""):
            special.append(
                {"gender": "gender", "ethnicity": "ethnic group", "religion": "religion or belief"}[name]
            )
    if special:
        found.append(f"sensitive information: {', '.join(special)}")
    return found


def letter_context(*, request: SubjectAccessRequest, compilation: SarCompilation, made_on: date) -> dict:
    subject = request.subject
    sections = material(compilation)
    grounds_used = Counter(
        decision.ground
        for decision in _latest(compilation).values()
        if decision.decision == RedactionDecision.Decision.WITHHOLD
    )
    family_ids = list(subject.memberships.values_list("family_id", flat=True).distinct())
    found_on_paper = request.search_tasks.filter(outcome=SarSearchTask.Outcome.FOUND).exists()
    organisation = settings.ORGANISATION
    return {
        "request": request,
        "subject": subject,
        "for_self": request.requester_relationship == SubjectAccessRequest.Relationship.SELF,
        "made_on": long_date(made_on),
        "received_on": long_date(request.received_on),
        "organisation": organisation,
        "sections": sections,
        "item_count": sum(len(s.items) for s in sections),
        "withheld_items": sum(1 for s in sections for i in s.items if i.is_withheld),
        "grounds": [
            {"mark": MARKS[ground], "text": PLAIN_GROUNDS[ground], "count": count}
            for ground, count in sorted(grounds_used.items(), key=lambda g: MARKS[g[0]])
        ],
        "recipients": recipients(subject),
        "sources": sources(subject, family_ids),
        "categories": categories(sections, subject),
        "retention_sentence": family_retention_sentence(on=made_on),
        "found_on_paper": found_on_paper,
        "documents": [i for s in sections for i in s.items if i.file_name],
        "marks": [(MARKS[g], PLAIN_GROUNDS[g]) for g in MARKS],
    }


def render_html(*, request: SubjectAccessRequest, compilation: SarCompilation, made_on: date) -> str:
    """The PDF's HTML: the cover letter and the redacted records."""
    return render_to_string(
        "sar/package/response.html", letter_context(request=request, compilation=compilation, made_on=made_on)
    )


render_pdf = html_to_pdf  # the package PDF (a seam the failure test replaces)


# --- The machine-readable copy ---


def _json(context: dict) -> bytes:
    request = context["request"]
    data = {
        "reference": request.reference,
        "made_on": context["made_on"],
        "about": str(context["subject"]),
        "withheld_marks": {MARKS[g]: PLAIN_GROUNDS[g] for g in MARKS},
        "records": [
            {
                "section": section.label,
                "title": entry.item.title,
                "date": entry.item.occurred_on.isoformat() if entry.item.occurred_on else None,
                "source": {"record": entry.item.source_label, "id": entry.item.source_pk},
                "withheld": entry.withheld_mark or None,
                "file": entry.file_name or None,
                "fields": [{"label": f.label, "value": f.redacted} for f in entry.fields],
            }
            for section in context["sections"]
            for entry in section.items
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def _csv(context: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "record", "date", "source", "id", "field", "value"])
    for section in context["sections"]:
        for entry in section.items:
            item = entry.item
            base = [
                section.label,
                item.title,
                item.occurred_on.isoformat() if item.occurred_on else "",
                item.source_label,
                item.source_pk,
            ]
            if entry.is_withheld:
                writer.writerow([*base, "withheld", f"[withheld: {entry.withheld_mark}]"])
            for f in entry.fields:
                writer.writerow([*base, f.label, f.redacted])
    # A byte order mark so spreadsheet programs read the accents right.
    return ("\ufeff" + out.getvalue()).encode()


def _readme(context: dict) -> bytes:
    return render_to_string("sar/package/readme.txt", context).encode()


def build_archive(context: dict, *, password: str) -> bytes:
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(
        buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(password.encode())
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        archive.writestr("README.txt", _readme(context))
        archive.writestr("records.json", _json(context))
        archive.writestr("records.csv", _csv(context))
        for entry in context["documents"]:
            with entry.document.file.open("rb") as handle:
                archive.writestr(entry.file_name, handle.read())
    return buffer.getvalue()
