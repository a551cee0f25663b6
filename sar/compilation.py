"""Gathering everything held about a data subject (SPEC §8.1; UK GDPR Art 15).

Reads only, through other apps' selectors where they have one. Each stage
returns drafts: one per record, as labelled fields in plain words, ready to be
stored as `SarItem` rows. What is "about" the subject:

- their own record, memberships, consent, sharing decisions, requests;
- the records of every family they belong to (or belonged to): addresses,
  referrals, cases, the programme's assessments, plans, reviews and outcomes,
  documents about them or the whole household, paper file locations;
- case notes where they were present or are mentioned, and notes that tag no
  one (a note about the household as a whole); notes tagging only other people
  are about those people;
- the change history of all of these (deleted records too, since their history
  is still held), and who looked at the family's or their record;
- anything else that `retention.coverage` says reaches them or their family
  (the "other records" stage), so a model added later is compiled without a
  change here. `EXCLUDED` lists, with reasons, what is deliberately left out.

Other people named in the material are found with `sar.redaction`.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cases.models import (
    Assessment,
    BreakGlassAccess,
    Case,
    CaseEvent,
    CaseNote,
    ClosureRequest,
    Document,
    ExternalDataRecord,
    FamilyAddress,
    Membership,
    Outcome,
    PaperRecord,
    Person,
    PersonMerge,
    Plan,
    Referral,
    Review,
)
from cases.search_keys import name_key
from consent.models import ConsentRecord, EducationOptOut
from fss.core.models import AccessLogEntry, User
from retention.coverage import FAMILY, PERSON, Rule, all_models, declaration_for, history_of
from sar import redaction
from sar.models import Complaint, Redaction, RightsRequest, Section, SubjectAccessRequest, long_date
from sharing.models import DataSharingAgreement, PartnerReferral
from sharing.selectors import disclosures_about

Reason = Redaction.Reason
Suggestion = Redaction.Suggestion

# Records compiled by a stage of their own (model labels, as in retention.coverage).
HANDLED = {
    "cases.Person",
    "cases.Family",
    "cases.Membership",
    "cases.FamilyAddress",
    "cases.Referral",
    "cases.Case",
    "cases.CaseEvent",
    "cases.CaseNote",
    "cases.Document",
    "cases.PaperRecord",
    "cases.BreakGlassAccess",
    "cases.PersonMerge",  # with your details: two records of you joined
    "cases.ClosureRequest",  # with the case it asked to close
    "cases.ExternalDataRecord",  # the subject's own only: a sibling's values are theirs
    "cases.Assessment",
    "cases.AssessmentNeed",  # within its assessment
    "cases.ApprovalEvent",  # within its assessment or plan
    "cases.Plan",
    "cases.PlanAction",  # within its plan
    "cases.Review",
    "cases.Outcome",
    "consent.ConsentRecord",
    "consent.EducationOptOut",
    "sharing.Disclosure",
    "sharing.DisclosureApproval",  # within its disclosure
    "sharing.DpoReview",  # within its disclosure
    "sharing.DisclosureFlag",  # within its disclosure
    "sharing.PartnerReferral",
    "sharing.PartnerReferralEvent",  # within its referral
    "core.AccessLogEntry",
}

# Records that reach the family but are not the subject's personal data in any useful sense.
EXCLUDED = {
    "cases.FamilyUserObjectPermission": "which staff may open the file; who did is in the access log",
    "cases.FamilyGroupObjectPermission": "which teams may open the file; who did is in the access log",
    "sharing.RecipientNotificationTask": "a task to tell a recipient; its flag is shown with the disclosure",
    "retention.DestructionNotice": "the date the file is listed for destruction; the letter gives the period",
}


@dataclass
class Field:
    label: str
    value: str
    # Free text in which other people may be named.
    scan: bool = True
    # The whole value names someone: proposed for redaction with this reason (e.g. a referrer).
    name_reason: str = ""

    def as_json(self) -> dict:
        data = {"label": self.label, "value": self.value, "scan": self.scan}
        if self.name_reason:
            data["name_reason"] = self.name_reason
        return data


@dataclass
class Draft:
    section: str
    source_label: str
    source_pk: str
    title: str
    occurred_on: datetime.date | None
    fields: list[Field]
    # A proposal on the whole item: (reason, suggestion), e.g. a document to check.
    whole_item: tuple[str, str] | None = None


@dataclass
class Proposal:
    field_index: int | None
    start: int | None
    end: int | None
    text: str
    reason: str
    suggestion: str
    person_id: int | None = None


@dataclass
class Context:
    subject: Person
    family_ids: list[int] = field(default_factory=list)
    case_ids: list[int] = field(default_factory=list)
    # Ids compiled so far, by model label: later stages and the change history follow them.
    compiled: dict[str, set] = field(default_factory=lambda: defaultdict(set))
    # Other people met while compiling (family members, people tagged, people deciding).
    people: dict[int, Person] = field(default_factory=dict)
    family_people: set[int] = field(default_factory=set)
    practitioners: set[str] = field(default_factory=set)
    paper_records: list = field(default_factory=list)
    partner_organisations: dict = field(default_factory=dict)  # organisation -> agreements

    def note(self, obj: models.Model) -> None:
        self.compiled[obj._meta.label].add(obj.pk)


# --- Plain words for values ---


def text(value) -> str:
    """A value as the requester reads it."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{long_date(local.date())} at {local:%H:%M}"
    if isinstance(value, datetime.date):
        return long_date(value)
    return str(value)


def fields(*pairs, scan: bool = True) -> list[Field]:
    """Fields from (label, value) pairs, or Field objects; empty values left out."""
    out = []
    for pair in pairs:
        if isinstance(pair, Field):
            if pair.value:
                out.append(pair)
            continue
        label, value = pair
        shown = text(value)
        if shown:
            out.append(Field(label, shown, scan=scan))
    return out


def staff(user) -> str:
    return str(user) if user is not None else ""


def _draft(section, obj, title, on, field_list, whole_item=None) -> Draft:
    return Draft(section, obj._meta.label_lower, str(obj.pk), title, on, field_list, whole_item)


# --- Stages ---


def about_you(ctx: Context) -> list[Draft]:
    p = ctx.subject
    ctx.note(p)
    return [*_your_details(p), *_merges(ctx)]


def _merges(ctx: Context) -> list[Draft]:
    """Two records of the subject joined into one (cases.merge): when, by whom and why."""
    drafts = []
    found = PersonMerge.objects.filter(
        Q(kept_person=ctx.subject) | Q(merged_person_id=ctx.subject.pk)
    ).select_related("merged_by")
    for m in found.order_by("merged_at", "pk"):
        ctx.note(m)
        merged_on = timezone.localtime(m.merged_at).date()
        drafts.append(
            _draft(
                Section.ABOUT_YOU,
                m,
                f"Two records of you joined into one on {long_date(merged_on)}",
                merged_on,
                [
                    *fields(
                        ("When", m.merged_at), Field("Joined by", staff(m.merged_by), scan=False), scan=False
                    ),
                    *fields(("Why we joined them", m.reason)),
                    *fields(
                        ("Details filled in from the other record", ", ".join(m.identifiers_filled)),
                        scan=False,
                    ),
                ],
            )
        )
    return drafts


def _your_details(p: Person) -> list[Draft]:
    return [
        _draft(
            Section.ABOUT_YOU,
            p,
            "Your personal details",
            None,
            [
                *fields(
                    ("Name", str(p)),
                    ("Preferred name", p.preferred_name),
                    ("Previous or other names", p.other_names),
                    ("Date of birth", p.date_of_birth),
                    ("Expected date of birth", p.expected_date_of_birth),
                    ("Gender", p.get_gender_display()),
                    ("Ethnic group", p.get_ethnicity_display()),
                    ("Religion or belief", p.get_religion_display()),
                    ("First language", p.first_language),
                    ("Special educational need or disability", p.has_send),
                    ("Education, health and care plan", p.has_ehc_plan),
                    scan=False,
                ),
                *fields(("SEND and health details", p.send_details)),
                *fields(
                    ("Unique pupil number", p.upn),
                    ("NHS number", p.nhs_number),
                    ("National Insurance number", p.ni_number),
                    ("Phone", p.phone),
                    ("Email", p.email),
                    ("Date of death", p.date_of_death),
                    scan=False,
                ),
            ],
        )
    ]


def families(ctx: Context) -> list[Draft]:
    drafts = []
    memberships = list(
        Membership.objects.filter(person=ctx.subject).select_related("family").order_by("start_date", "pk")
    )
    ctx.family_ids = sorted({m.family_id for m in memberships})
    for m in memberships:
        ctx.note(m)
        drafts.append(
            _draft(
                Section.FAMILIES,
                m,
                f"Your place in family {m.family.reference}",
                m.start_date,
                fields(
                    ("Family reference", m.family.reference),
                    ("Role", m.get_role_display()),
                    ("Parental responsibility", m.has_parental_responsibility),
                    ("From", m.start_date),
                    ("Until", m.end_date),
                    scan=False,
                ),
            )
        )
    # The other members are third parties: their names are found in the material, not listed.
    for other in Membership.objects.filter(family_id__in=ctx.family_ids).exclude(person=ctx.subject):
        ctx.family_people.add(other.person_id)
    ctx.people.update(Person.objects.in_bulk(ctx.family_people))
    for address in FamilyAddress.objects.filter(family_id__in=ctx.family_ids).select_related("family"):
        ctx.note(address)
        drafts.append(
            _draft(
                Section.FAMILIES,
                address,
                f"Address of family {address.family.reference}",
                address.start_date,
                fields(
                    ("Address", ", ".join(p for p in (address.line_1, address.line_2, address.town) if p)),
                    ("Postcode", address.postcode),
                    ("From", address.start_date),
                    ("Until", address.end_date),
                    scan=False,
                ),
            )
        )
    return drafts


_PROFESSIONAL_SOURCES = {
    Referral.Source.SCHOOL,
    Referral.Source.POLICE,
    Referral.Source.HEALTH,
    Referral.Source.SOCIAL_CARE_STEP_DOWN,
}


def referrals(ctx: Context) -> list[Draft]:
    drafts = []
    for r in Referral.objects.filter(family_id__in=ctx.family_ids).select_related("family", "decided_by"):
        ctx.note(r)
        # A professional referring in their role is normally named; a neighbour or relative is not.
        referrer_reason = Reason.PROFESSIONAL if r.source in _PROFESSIONAL_SOURCES else Reason.REFERRER
        drafts.append(
            _draft(
                Section.REFERRALS,
                r,
                f"Referral received {long_date(r.received_on)}",
                r.received_on,
                fields(
                    ("Family", r.family.reference),
                    ("Received", r.received_on),
                    ("From", r.get_source_display()),
                    ("Referring team", r.source_team),
                    ("Reason for the referral", r.reason),
                    Field("Referred by", r.referrer_name, name_reason=referrer_reason),
                    Field("Referrer's contact details", r.referrer_contact, name_reason=referrer_reason),
                    ("Decision", r.get_decision_display() if r.decision else "Not decided yet"),
                    ("Decided on", r.decided_on),
                    Field("Decided by", staff(r.decided_by), scan=False),
                    ("Reason for the decision", r.decision_reason),
                    ("Reason for accepting outside the age rule", r.eligibility_exception_reason),
                ),
            )
        )
    return drafts


def cases(ctx: Context) -> list[Draft]:
    drafts = []
    found = list(Case.objects.filter(family_id__in=ctx.family_ids).select_related("family", "lead_worker"))
    ctx.case_ids = [c.pk for c in found]
    for c in found:
        ctx.note(c)
        drafts.append(
            _draft(
                Section.CASES,
                c,
                f"Case opened {long_date(c.opened_on)} (family {c.family.reference})",
                c.opened_on,
                fields(
                    ("Opened", c.opened_on),
                    ("Status", c.get_status_display()),
                    Field("Lead worker", staff(c.lead_worker), scan=False),
                    ("Closed", c.closed_on),
                    ("Reason for closing", c.get_closure_reason_display() if c.closure_reason else ""),
                    scan=False,
                ),
            )
        )
    for e in CaseEvent.objects.filter(case_id__in=ctx.case_ids).select_related("by"):
        ctx.note(e)
        drafts.append(
            _draft(
                Section.CASES,
                e,
                f"Case {e.get_kind_display().lower()} on {long_date(e.on)}",
                e.on,
                fields(
                    ("What happened", e.get_kind_display()),
                    ("Date", e.on),
                    ("Reason", e.get_closure_reason_display() if e.closure_reason else ""),
                    ("Social care team the case went to", e.receiving_team),
                    ("Note", e.note),
                    Field("Recorded by", staff(e.by), scan=False),
                ),
            )
        )
    closures = ClosureRequest.objects.filter(case_id__in=ctx.case_ids).select_related(
        "requested_by", "decided_by"
    )
    for r in closures.order_by("requested_at", "pk"):
        ctx.note(r)
        asked_on = timezone.localtime(r.requested_at).date()
        drafts.append(
            _draft(
                Section.CASES,
                r,
                f"Request to close the case, made {long_date(asked_on)}",
                asked_on,
                [
                    *fields(
                        ("Closing date asked for", r.closed_on),
                        ("Reason", r.get_reason_display()),
                        ("Social care team the case would go to", r.receiving_team),
                        ("Status", r.get_status_display()),
                        Field("Asked for by", staff(r.requested_by), scan=False),
                        Field("Decided by", staff(r.decided_by), scan=False),
                        ("Decided", r.decided_at),
                        scan=False,
                    ),
                    *fields(("Worker's comment", r.comment), ("Manager's comment", r.decision_comment)),
                ],
            )
        )
    return drafts


def _approval_fields(events) -> list[Field]:
    return [
        Field(
            f"{event.get_kind_display()} on {text(event.at)}",
            f"{staff(event.by)}{': ' + event.comment if event.comment else ''}",
        )
        for event in events
    ]


def programme(ctx: Context) -> list[Draft]:
    drafts = []
    assessments = (
        Assessment.objects.filter(case_id__in=ctx.case_ids)
        .select_related("framework", "assessor")
        .prefetch_related("needs__headline_outcome", "approval_events__by")
    )
    for a in assessments:
        ctx.note(a)
        for need in a.needs.all():
            ctx.note(need)
        drafts.append(
            _draft(
                Section.PROGRAMME,
                a,
                f"Assessment on {long_date(a.assessed_on)}",
                a.assessed_on,
                [
                    *fields(
                        ("Framework", a.framework.name),
                        ("Whole-family assessment", a.is_whole_family),
                        ("Status", a.get_status_display()),
                        scan=False,
                    ),
                    Field("Assessed by", staff(a.assessor), scan=False),
                    *fields(("Summary", a.summary)),
                    *[
                        Field(
                            f"Need: {need.headline_outcome.title}",
                            (
                                f"Identified on {long_date(need.identified_on)}. {need.evidence}".strip()
                                if need.identified
                                else "Not identified"
                            ),
                        )
                        for need in a.needs.all()
                    ],
                    *_approval_fields(a.approval_events.all()),
                ],
            )
        )
    plans = (
        Plan.objects.filter(case_id__in=ctx.case_ids)
        .select_related("created_by")
        .prefetch_related("actions__owner", "actions__need", "approval_events__by")
    )
    for plan in plans:
        ctx.note(plan)
        action_fields = []
        for action in plan.actions.all():
            ctx.note(action)
            if action.partner_name:
                ctx.practitioners.add(action.partner_name)
            action_fields.append(
                Field(
                    f"Action (due {long_date(action.due_on)}, {action.get_status_display().lower()})",
                    f"{action.description} Owner: {action.owner_text}.",
                )
            )
        drafts.append(
            _draft(
                Section.PROGRAMME,
                plan,
                f"Family plan from {long_date(plan.starts_on)}",
                plan.starts_on,
                [
                    *fields(("Status", plan.get_status_display()), scan=False),
                    Field("Written by", staff(plan.created_by), scan=False),
                    *fields(("Goals", plan.goals)),
                    *action_fields,
                    *_approval_fields(plan.approval_events.all()),
                ],
            )
        )
    for review in Review.objects.filter(case_id__in=ctx.case_ids).select_related("recorded_by"):
        ctx.note(review)
        drafts.append(
            _draft(
                Section.PROGRAMME,
                review,
                f"Review meeting on {long_date(review.held_on)}",
                review.held_on,
                [
                    *fields(("Who was there", review.attendees), ("Summary", review.summary)),
                    *fields(("Next review", review.next_review_on), scan=False),
                    Field("Recorded by", staff(review.recorded_by), scan=False),
                ],
            )
        )
    for outcome in Outcome.objects.filter(case_id__in=ctx.case_ids).select_related("need", "recorded_by"):
        ctx.note(outcome)
        drafts.append(
            _draft(
                Section.PROGRAMME,
                outcome,
                f"Progress on {outcome.need.title.lower()}, {long_date(outcome.recorded_on)}",
                outcome.recorded_on,
                [
                    *fields(
                        ("Need", outcome.need.title),
                        ("Progress", outcome.get_progress_display()),
                        ("Achieved on", outcome.achieved_on),
                        ("Sustained until", outcome.sustained_until),
                        scan=False,
                    ),
                    *fields(("Progress made", outcome.progress_note)),
                    Field("Recorded by", staff(outcome.recorded_by), scan=False),
                ],
            )
        )
    return drafts


def notes_about(subject: Person, case_ids: Iterable[int]):
    """Notes in these cases where the subject was present or is mentioned, or that tag no one."""
    present = CaseNote.people_present.through.objects
    mentioned = CaseNote.people_mentioned.through.objects
    about = Exists(present.filter(casenote_id=OuterRef("pk"), person_id=subject.pk)) | Exists(
        mentioned.filter(casenote_id=OuterRef("pk"), person_id=subject.pk)
    )
    tags_someone = Exists(present.filter(casenote_id=OuterRef("pk"))) | Exists(
        mentioned.filter(casenote_id=OuterRef("pk"))
    )
    return (
        CaseNote.objects.filter(case_id__in=list(case_ids))
        .filter(about | ~tags_someone)
        .select_related("author")
        .prefetch_related("people_present", "people_mentioned")
        .order_by("occurred_on", "pk")
    )


def notes(ctx: Context) -> list[Draft]:
    drafts = []
    for note in notes_about(ctx.subject, ctx.case_ids):
        ctx.note(note)
        present = list(note.people_present.all())
        mentioned = list(note.people_mentioned.all())
        for person in (*present, *mentioned):
            ctx.people.setdefault(person.pk, person)
        drafts.append(
            _draft(
                Section.NOTES,
                note,
                f"{note.get_kind_display()} on {long_date(note.occurred_on)}",
                note.occurred_on,
                [
                    *fields(("Note", note.text)),
                    *fields(
                        ("Includes professional opinion", note.is_opinion),
                        scan=False,
                    ),
                    *fields(
                        ("People present", ", ".join(str(p) for p in present)),
                        ("People mentioned", ", ".join(str(p) for p in mentioned)),
                    ),
                    Field("Written by", staff(note.author), scan=False),
                    *fields(("Recorded", note.created_at), scan=False),
                ],
                # A worker marked it sensitive: the reviewer checks it (serious harm, a child's confidence).
                whole_item=(Reason.SENSITIVE, Suggestion.REVIEW) if note.is_sensitive else None,
            )
        )
    return drafts


def documents(ctx: Context) -> list[Draft]:
    drafts = []
    found = (
        Document.objects.filter(family_id__in=ctx.family_ids)
        .filter(Q(person=ctx.subject) | Q(person__isnull=True))
        .select_related("uploaded_by")
        .order_by("uploaded_at", "pk")
    )
    for document in found:
        ctx.note(document)
        drafts.append(
            _draft(
                Section.DOCUMENTS,
                document,
                f"Document: {document.title}",
                timezone.localdate(document.uploaded_at) if document.uploaded_at else None,
                [
                    *fields(("Title", document.title)),
                    *fields(
                        ("Kind", document.get_kind_display()),
                        ("Uploaded", document.uploaded_at),
                        ("Size", f"{document.size:,} bytes" if document.size else ""),
                        scan=False,
                    ),
                    Field("Uploaded by", staff(document.uploaded_by), scan=False),
                ],
                # A file cannot be scanned for names: the reviewer reads it and decides.
                whole_item=(Reason.DOCUMENT, Suggestion.REVIEW),
            )
        )
    for paper in PaperRecord.objects.filter(family_id__in=ctx.family_ids).select_related("family"):
        ctx.note(paper)
        ctx.paper_records.append(paper)
        drafts.append(
            _draft(
                Section.DOCUMENTS,
                paper,
                f"Paper files of family {paper.family.reference}",
                timezone.localdate(paper.recorded_at) if paper.recorded_at else None,
                fields(
                    ("Kept at", paper.location),
                    ("Box or barcode", paper.box_or_barcode),
                    ("What they are", paper.description),
                    scan=False,
                ),
            )
        )
    return drafts


def consent(ctx: Context) -> list[Draft]:
    drafts = []
    records = (
        ConsentRecord.objects.filter(person=ctx.subject)
        .select_related("purpose", "decided_by", "recorded_by", "notice_version", "family")
        .order_by("decided_on", "pk")
    )
    for record in records:
        ctx.note(record)
        if record.decided_by_id != ctx.subject.pk:
            ctx.people.setdefault(record.decided_by_id, record.decided_by)
        drafts.append(
            _draft(
                Section.CONSENT,
                record,
                f"{record.purpose.label}: {record.get_decision_display().lower()} "
                f"on {long_date(record.decided_on)}",
                record.decided_on,
                [
                    *fields(
                        ("What it is about", record.purpose.label),
                        ("Decision", record.get_decision_display()),
                        ("Date", record.decided_on),
                        ("Decided as", record.get_capacity_display()),
                        ("How it was given", record.get_method_display()),
                        ("Privacy notice shown", str(record.notice_version)),
                        ("Review date", record.review_on),
                        ("Corrects an earlier record", record.corrects_id and f"record {record.corrects_id}"),
                        scan=False,
                    ),
                    *fields(("Decided by", str(record.decided_by)), ("Note", record.note)),
                    Field("Recorded by", staff(record.recorded_by), scan=False),
                ],
            )
        )
    for opt_out in EducationOptOut.objects.filter(person=ctx.subject).select_related("recorded_by"):
        ctx.note(opt_out)
        drafts.append(
            _draft(
                Section.CONSENT,
                opt_out,
                f"Education opt-out: {opt_out.get_status_display().lower()}",
                opt_out.from_date,
                [
                    *fields(
                        ("Status", opt_out.get_status_display()), ("From", opt_out.from_date), scan=False
                    ),
                    *fields(("Note", opt_out.note)),
                    Field("Recorded by", staff(opt_out.recorded_by), scan=False),
                ],
            )
        )
    return drafts


def sharing(ctx: Context) -> list[Draft]:
    drafts = []
    for d in disclosures_about(person=ctx.subject):
        ctx.note(d)
        labels = (d.check_result or {}).get("category_labels", {})
        if d.organisation.contact_name:
            ctx.practitioners.add(d.organisation.contact_name)
        if d.agreement_id:
            ctx.partner_organisations.setdefault(d.organisation, set()).add(d.agreement_id)
        approval = getattr(d, "approval", None)
        review = getattr(d, "dpo_review", None)
        drafts.append(
            _draft(
                Section.SHARING,
                d,
                f"{d.get_decision_display()} with {d.organisation} on {long_date(d.decided_on)}",
                d.decided_on,
                [
                    *fields(
                        ("Organisation", str(d.organisation)),
                        ("Direction", d.get_direction_display()),
                        ("Decision", d.get_decision_display()),
                        ("Date", d.decided_on),
                        ("Purpose", d.purpose.label),
                        ("Information shared", ", ".join(labels.get(c, c) for c in d.categories_shared)),
                        (
                            "Information not shared",
                            ", ".join(labels.get(c, c) for c in d.categories_withheld),
                        ),
                        ("Lawful basis", d.get_basis_display() if d.basis else ""),
                        ("Agreement", d.agreement and d.agreement.reference),
                        ("Legal power", d.legal_power),
                        ("You were told", d.family_told),
                        ("How it was sent", d.get_transfer_method_display() if d.transfer_method else ""),
                        ("Limits on onward use", d.onward_use_limits),
                        ("Safeguarding", d.is_safeguarding),
                        scan=False,
                    ),
                    *fields(
                        ("What was shared", d.items_description),
                        ("Why you were not told", d.family_not_told_reason),
                        ("Why it was shared for safeguarding", d.safeguarding_justification),
                        ("Why it was shared against your wishes", d.override_reason),
                        ("Why it was not shared", d.not_sharing_reason),
                    ),
                    Field("Decided by", staff(d.decided_by), scan=False),
                    *fields(
                        (
                            "Manager's approval",
                            approval and f"{approval.get_outcome_display()} by {staff(approval.decided_by)}",
                        ),
                        ("Data Protection Officer's review", review and review.note),
                    ),
                    *[
                        Field(f"{flag.get_reason_display()} on {long_date(flag.on)}", flag.note or "Recorded")
                        for flag in d.flags.all()
                    ],
                ],
            )
        )
    referrals_out = (
        PartnerReferral.objects.filter(family_id__in=ctx.family_ids)
        .select_related("organisation", "sent_by")
        .prefetch_related("events")
        .order_by("sent_on", "pk")
    )
    for referral in referrals_out:
        ctx.note(referral)
        drafts.append(
            _draft(
                Section.SHARING,
                referral,
                f"Referral to {referral.organisation} on {long_date(referral.sent_on)}",
                referral.sent_on,
                [
                    *fields(
                        ("Organisation", str(referral.organisation)),
                        ("Service asked for", referral.service_requested),
                        ("Sent", referral.sent_on),
                        scan=False,
                    ),
                    *fields(("Reason", referral.reason)),
                    Field("Sent by", staff(referral.sent_by), scan=False),
                    *[
                        Field(
                            f"{event.get_status_display()} on {long_date(event.on)}",
                            event.reason or event.get_status_display(),
                        )
                        for event in referral.events.all()
                    ],
                ],
            )
        )
    return drafts


def external(ctx: Context) -> list[Draft]:
    """Values about the subject matched in from other services' systems (SPEC §4.5, §8.1).

    Only the subject's own: a sibling's attendance is the sibling's data. Offending values
    (criminal offence data) are the subject's too and are included for the reviewer to decide.
    """
    drafts = []
    for r in ExternalDataRecord.objects.filter(person=ctx.subject).order_by("period_start", "pk"):
        ctx.note(r)
        drafts.append(
            _draft(
                Section.EXTERNAL,
                r,
                f"{r.get_kind_display()} from {r.source_organisation}, {long_date(r.period_start)}",
                r.period_start,
                [
                    *fields(
                        ("What it is", r.get_kind_display()),
                        ("Measure", r.measure),
                        ("From", r.period_start),
                        ("To", r.period_end),
                        ("Sent to us by", r.source_organisation),
                        ("Received", r.received_on),
                        scan=False,
                    ),
                    *fields(("Value", r.value)),
                ],
            )
        )
    return drafts


def requests(ctx: Context) -> list[Draft]:
    drafts = []
    for sar in SubjectAccessRequest.objects.filter(subject=ctx.subject).order_by("received_on", "pk"):
        ctx.note(sar)
        drafts.append(
            _draft(
                Section.REQUESTS,
                sar,
                f"Request for information {sar.reference}",
                sar.received_on,
                [
                    *fields(
                        ("Received", sar.received_on),
                        ("How", sar.get_channel_display()),
                        ("Made by", sar.get_requester_relationship_display()),
                        ("Status", sar.get_status_display()),
                        ("Closed", sar.closed_on),
                        scan=False,
                    ),
                    *fields(("Reason for refusing", sar.refusal_reason)),
                ],
            )
        )
    for rights in RightsRequest.objects.filter(subject=ctx.subject).order_by("received_on", "pk"):
        ctx.note(rights)
        drafts.append(
            _draft(
                Section.REQUESTS,
                rights,
                f"Request for {rights.get_kind_display().lower()} {rights.reference}",
                rights.received_on,
                [
                    *fields(("Received", rights.received_on), scan=False),
                    *fields(("What was asked for", rights.details)),
                    *fields(
                        ("Decision", rights.get_decision_display() if rights.decision else "Not decided yet"),
                        ("Decided on", rights.decided_on),
                        ("Restriction lifted on", rights.lifted_on),
                        scan=False,
                    ),
                    *fields(("Reasons", rights.decision_reason)),
                ],
            )
        )
    for complaint in Complaint.objects.filter(subject=ctx.subject).prefetch_related("updates"):
        ctx.note(complaint)
        drafts.append(
            _draft(
                Section.REQUESTS,
                complaint,
                f"Complaint {complaint.reference}",
                complaint.received_on,
                [
                    *fields(("Received", complaint.received_on), scan=False),
                    *fields(
                        ("Complaint", complaint.summary), ("What you asked for", complaint.outcome_wanted)
                    ),
                    *fields(
                        ("Acknowledged", complaint.acknowledged_on),
                        ("Outcome", complaint.get_outcome_display() if complaint.outcome else ""),
                        ("Information Commissioner's Office involved", complaint.ico_involved_on),
                        ("ICO reference", complaint.ico_reference),
                        scan=False,
                    ),
                    *fields(("Outcome letter", complaint.outcome_details)),
                    *[Field(f"Update on {long_date(u.sent_on)}", u.note) for u in complaint.updates.all()],
                ],
            )
        )
    return drafts


# --- Other records: whatever else retention.coverage says reaches the subject or their family ---


def _other_models() -> list[type[models.Model]]:
    found = []
    for model in all_models():
        name = model._meta.label
        if history_of(model) is not None or model._meta.auto_created or name in HANDLED or name in EXCLUDED:
            continue
        try:
            declaration = declaration_for(model)
        except LookupError:
            continue
        if declaration.rule == Rule.FAMILY and declaration.via:
            found.append(model)
    return sorted(found, key=lambda m: m._meta.label)


def other_models() -> list[str]:
    """Labels of the models the "other records" stage compiles generically (for the DPO and tests)."""
    return [m._meta.label for m in _other_models()]


def _value(obj: models.Model, f: models.Field) -> str:
    value = getattr(obj, f.name)
    if f.is_relation:
        return str(value) if value is not None else ""
    if f.choices:
        return text(getattr(obj, f"get_{f.name}_display")())
    return text(value)


def other_records(ctx: Context) -> list[Draft]:
    drafts = []
    pending = _other_models()
    # Several passes: a model may lead to the subject through another one compiled here.
    while pending:
        progressed = []
        for model in pending:
            condition = Q()
            for field_name, target in declaration_for(model).via.items():
                if target == PERSON:
                    condition |= Q(**{field_name: ctx.subject.pk})
                elif target == FAMILY:
                    condition |= Q(**{f"{field_name}__in": ctx.family_ids})
                elif target in ctx.compiled:
                    condition |= Q(**{f"{field_name}__in": sorted(ctx.compiled[target])})
            if not condition:
                continue
            progressed.append(model)
            name = model._meta.verbose_name
            for obj in model._base_manager.filter(condition).order_by("pk"):
                ctx.note(obj)
                drafts.append(
                    _draft(
                        Section.OTHER,
                        obj,
                        f"{name[0].upper()}{name[1:]}: {obj}",
                        None,
                        [
                            Field(
                                str(f.verbose_name).capitalize(),
                                _value(obj, f),
                                scan=not (f.is_relation and f.related_model is User),
                            )
                            for f in model._meta.concrete_fields
                            if not f.primary_key and _value(obj, f)
                        ],
                    )
                )
        if not progressed:
            break
        pending = [m for m in pending if m not in progressed]
    return drafts


# --- Change history (django-simple-history), deleted records included ---


def _history_scopes(ctx: Context) -> list[tuple[str, Q]]:
    """(model label, which history rows) for the records compiled; deleted rows found by their links."""
    families_q = Q(family_id__in=ctx.family_ids)
    cases_q = Q(case_id__in=ctx.case_ids)
    ids = ctx.compiled

    def compiled(label: str) -> Q:
        return Q(id__in=sorted(ids.get(label, ())))

    return [
        ("cases.Person", Q(id=ctx.subject.pk)),
        ("cases.Membership", Q(person_id=ctx.subject.pk)),
        ("cases.FamilyAddress", families_q),
        ("cases.Referral", families_q),
        ("cases.Case", families_q),
        ("cases.CaseEvent", cases_q),
        ("cases.Assessment", cases_q),
        ("cases.AssessmentNeed", compiled("cases.AssessmentNeed")),
        ("cases.Plan", cases_q),
        ("cases.PlanAction", compiled("cases.PlanAction")),
        ("cases.Review", cases_q),
        ("cases.Outcome", cases_q),
        # A note's history does not say whom a deleted note was about: compiled notes only.
        ("cases.CaseNote", compiled("cases.CaseNote")),
        ("cases.Document", families_q & (Q(person_id=ctx.subject.pk) | Q(person_id__isnull=True))),
        ("cases.PaperRecord", families_q),
        ("consent.ConsentRecord", Q(person_id=ctx.subject.pk)),
        ("consent.EducationOptOut", Q(person_id=ctx.subject.pk)),
        ("sar.SubjectAccessRequest", compiled("sar.SubjectAccessRequest")),
        ("sar.RightsRequest", compiled("sar.RightsRequest")),
        ("sar.Complaint", compiled("sar.Complaint")),
    ]


_HISTORY_TYPES = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _tracked_fields(model) -> list[models.Field]:
    history_model = model.history.model
    tracked = {f.attname for f in history_model._meta.concrete_fields}
    return [f for f in model._meta.concrete_fields if f.attname in tracked and not f.primary_key]


def _shown(f: models.Field, value, users: dict) -> str:
    if value is None or value == "":
        return "(blank)"
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if f.is_relation:
        if f.related_model is User:
            return users.get(value, "a member of staff")
        return f"record {value}"
    return text(value)


def history(ctx: Context) -> list[Draft]:
    drafts = []
    users = {}
    for label, scope in _history_scopes(ctx):
        model = apps.get_model(label)
        if not hasattr(model, "history"):
            continue
        rows = list(model.history.model.objects.filter(scope).order_by("id", "history_date", "history_id"))
        if not rows:
            continue
        tracked = _tracked_fields(model)
        staff_fields = [f.attname for f in tracked if f.is_relation and f.related_model is User]
        user_ids = {r.history_user_id for r in rows} | {getattr(r, a) for r in rows for a in staff_fields}
        user_ids -= {None, *users}
        users.update({u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)})
        live = ctx.compiled.get(label, set())
        by_record: dict = defaultdict(list)
        for row in rows:
            by_record[row.id].append(row)
        name = model._meta.verbose_name
        for record_id, versions in by_record.items():
            deleted = record_id not in live
            if len(versions) < 2 and not deleted:
                continue
            entries = []
            previous = None
            for version in versions:
                who = users.get(version.history_user_id, "the system")
                when = text(version.history_date)
                kind = _HISTORY_TYPES.get(version.history_type, "Changed")
                if previous is None or version.history_type != "~":
                    entries.append(Field(f"{kind} on {when} by {who}", kind, scan=False))
                else:
                    changes = [
                        f"{str(f.verbose_name).capitalize()}: "
                        f"{_shown(f, getattr(previous, f.attname), users)} "
                        f"→ {_shown(f, getattr(version, f.attname), users)}"
                        for f in tracked
                        if getattr(previous, f.attname) != getattr(version, f.attname)
                    ]
                    if changes:
                        entries.append(Field(f"Changed on {when} by {who}", "; ".join(changes)))
                previous = version
            if not deleted and not any(e.label.startswith("Changed") for e in entries):
                continue  # saved again without a change (a many-to-many edit): nothing to show
            if deleted:
                # Still held as history: show what the record said (SPEC §8.1 "change history").
                last = next((v for v in reversed(versions) if v.history_type != "-"), versions[-1])
                entries += [
                    Field(str(f.verbose_name).capitalize(), _shown(f, getattr(last, f.attname), users))
                    for f in tracked
                    if getattr(last, f.attname) not in (None, "")
                ]
            title = f"Deleted {name}" if deleted else f"Changes to {name} {record_id}"
            drafts.append(
                Draft(
                    Section.HISTORY,
                    model._meta.label_lower,
                    str(record_id),
                    f"{title[0].upper()}{title[1:]}",
                    timezone.localdate(versions[-1].history_date),
                    entries,
                )
            )
    return drafts


# --- Who looked at the records ---


def _record_kind(record_type: str) -> str:
    try:
        return str(apps.get_model(record_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return "record"


def access(ctx: Context) -> list[Draft]:
    drafts = []
    entries = (
        AccessLogEntry.objects.filter(Q(person_id=ctx.subject.pk) | Q(family_id__in=ctx.family_ids))
        .select_related("user")
        .order_by("at", "pk")
    )
    by_month: dict[datetime.date, list[AccessLogEntry]] = defaultdict(list)
    for entry in entries:
        local = timezone.localtime(entry.at)
        by_month[local.date().replace(day=1)].append(entry)
    for month, month_entries in sorted(by_month.items()):
        drafts.append(
            Draft(
                Section.ACCESS,
                "core.accesslogentry",
                f"{month:%Y-%m}",
                f"Who looked at your records in {month:%B %Y}",
                month,
                [
                    Field(
                        text(entry.at),
                        f"{staff(entry.user)} {entry.get_action_display().lower()} the "
                        f"{_record_kind(entry.record_type)}"
                        + (f" (emergency access: {entry.reason})" if entry.is_break_glass else ""),
                        scan=bool(entry.reason),
                    )
                    for entry in month_entries
                ],
            )
        )
        ctx.compiled["core.AccessLogEntry"].update(e.pk for e in month_entries)
    for grant in BreakGlassAccess.objects.filter(family_id__in=ctx.family_ids).select_related(
        "user", "reviewed_by"
    ):
        ctx.note(grant)
        drafts.append(
            _draft(
                Section.ACCESS,
                grant,
                f"Emergency access by {staff(grant.user)} on {text(grant.granted_at)}",
                timezone.localdate(grant.granted_at),
                [
                    Field("Who", staff(grant.user), scan=False),
                    *fields(("From", grant.granted_at), ("Until", grant.expires_at), scan=False),
                    *fields(("Reason given", grant.reason)),
                    Field("Reviewed by", staff(grant.reviewed_by), scan=False),
                    *fields(("Review", grant.review_note)),
                ],
            )
        )
    return drafts


# --- The whole run ---

STAGES: list[tuple[str, Callable[[Context], list[Draft]]]] = [
    ("Your details", about_you),
    ("Families and addresses", families),
    ("Referrals", referrals),
    ("Cases", cases),
    ("Assessments, plans, reviews and outcomes", programme),
    ("Case notes", notes),
    ("Documents and paper files", documents),
    ("Consent history", consent),
    ("Sharing with partners", sharing),
    ("Data from other systems", external),
    ("Requests and complaints", requests),
    ("Other records", other_records),
    ("Change history", history),
    ("Who looked at the records", access),
]


@dataclass
class Compiled:
    drafts: list[Draft]
    proposals: list[list[Proposal]]
    paper_records: list
    partner_organisations: dict


def gather(subject: Person, *, progress: Callable[[str, int], None] | None = None) -> Compiled:
    """Every record about `subject` and the redactions proposed in it; `progress(stage, percent)`."""
    ctx = Context(subject=subject)
    drafts: list[Draft] = []
    total = len(STAGES) + 1
    for number, (stage, gatherer) in enumerate(STAGES):
        if progress:
            progress(stage, round(100 * number / total))
        drafts += gatherer(ctx)
    if progress:
        progress("Finding other people named in the records", round(100 * len(STAGES) / total))
    index = build_index(ctx, drafts)
    titled = redaction.Named(Reason.NAME_IN_TEXT, Suggestion.WITHHOLD)
    proposals = [propose(draft, index, titled=titled, subject=subject) for draft in drafts]
    partners = _partners_holding_data(ctx.partner_organisations)
    return Compiled(drafts, proposals, ctx.paper_records, partners)


def _partners_holding_data(organisations: dict) -> dict:
    """Partners that hold data for us or with us (processor, joint controller) under an agreement used."""
    if not organisations:
        return {}
    roles = (DataSharingAgreement.PartyRole.PROCESSOR, DataSharingAgreement.PartyRole.JOINT_CONTROLLER)
    agreement_ids = {pk for ids in organisations.values() for pk in ids}
    agreements = DataSharingAgreement.objects.filter(pk__in=agreement_ids).prefetch_related("parties")
    found: dict = {}
    for agreement in agreements:
        for party in agreement.parties.all():
            for organisation, ids in organisations.items():
                if party.organisation_id == organisation.pk and agreement.pk in ids and party.role in roles:
                    found.setdefault(organisation, []).append(agreement)
    return found


# --- Names ---


def _candidate_keys(drafts: list[Draft]) -> set[str]:
    """Keys of runs of two or three capitalised words: who else the text might name."""
    keys = set()
    for draft in drafts:
        for f in draft.fields:
            if not f.scan:
                continue
            words = redaction.words(f.value)
            for i in range(len(words)):
                for size in (2, 3):
                    window = words[i : i + size]
                    if len(window) == size and all(w[3] for w in window):
                        keys.add(" ".join(w[2] for w in window))
    return keys


def _known_people(keys: set[str], *, exclude: set[int]) -> list[Person]:
    """People on the system whose name keys are among `keys` (Person.search_name is "|"-joined keys)."""
    found = []
    ordered = sorted(keys)
    for start in range(0, len(ordered), 50):
        condition = Q()
        for key in ordered[start : start + 50]:
            condition |= (
                Q(search_name=key)
                | Q(search_name__startswith=f"{key}|")
                | Q(search_name__endswith=f"|{key}")
                | Q(search_name__contains=f"|{key}|")
            )
        found += list(Person.objects.filter(condition).exclude(pk__in=exclude))
    return found


def build_index(ctx: Context, drafts: list[Draft]) -> redaction.NameIndex:
    """Whom the material may name, and what to suggest for each (module docstring of sar.redaction)."""
    index = redaction.NameIndex()
    subject = ctx.subject
    for name in (
        f"{subject.given_name} {subject.family_name}",
        subject.given_name,
        subject.preferred_name,
        f"{subject.preferred_name} {subject.family_name}" if subject.preferred_name else "",
        *subject.other_names.split(","),
    ):
        if name.strip():
            index.exclude(name)
    # (Excluding the subject's first name also stops a namesake in the family being matched by it alone:
    # the two cannot be told apart.)
    family = redaction.Named(Reason.FAMILY_MEMBER, Suggestion.WITHHOLD)
    for person_id in ctx.family_people:
        person = ctx.people.get(person_id)
        if person is None or person.pk == subject.pk:
            continue
        named = redaction.Named(family.reason, family.suggestion, person.pk)
        for key in person.search_keys:
            index.add(key, named, priority=True)
        for alone in (person.given_name, person.preferred_name):
            if alone:
                index.add(alone, named, priority=True)
    for person in ctx.people.values():
        if person.pk == subject.pk or person.pk in ctx.family_people:
            continue
        named = redaction.Named(Reason.KNOWN_PERSON, Suggestion.WITHHOLD, person.pk)
        for key in person.search_keys:
            index.add(key, named)
    for user in User.objects.exclude(first_name="").exclude(last_name="").only("first_name", "last_name"):
        index.add(f"{user.first_name} {user.last_name}", redaction.Named(Reason.STAFF, Suggestion.DISCLOSE))
    for practitioner in ctx.practitioners:
        index.add(practitioner, redaction.Named(Reason.PROFESSIONAL, Suggestion.DISCLOSE))
    known = {p.pk for p in ctx.people.values()} | {subject.pk}
    candidates = {key for key in _candidate_keys(drafts) if tuple(key.split()) not in index.entries}
    for person in _known_people(candidates, exclude=known):
        named = redaction.Named(Reason.KNOWN_PERSON, Suggestion.WITHHOLD, person.pk)
        for key in person.search_keys:
            index.add(key, named)
    return index


def _is_subject(value: str, subject: Person) -> bool:
    return name_key(value) in set(subject.search_keys) | {name_key(subject.given_name)}


def propose(draft: Draft, index: redaction.NameIndex, *, titled, subject: Person) -> list[Proposal]:
    """The redactions proposed in one draft."""
    proposals = []
    if draft.whole_item:
        reason, suggestion = draft.whole_item
        proposals.append(Proposal(None, None, None, "", reason, suggestion))
    for position, f in enumerate(draft.fields):
        if f.name_reason and f.value.strip() and not _is_subject(f.value, subject):
            suggestion = Suggestion.DISCLOSE if f.name_reason == Reason.PROFESSIONAL else Suggestion.WITHHOLD
            proposals.append(Proposal(position, 0, len(f.value), f.value, f.name_reason, suggestion))
            continue
        if not f.scan:
            continue
        for match in redaction.find_names(f.value, index, titled=titled):
            proposals.append(
                Proposal(
                    position,
                    match.start,
                    match.end,
                    match.text,
                    match.named.reason,
                    match.named.suggestion,
                    match.named.person_id,
                )
            )
    return proposals
