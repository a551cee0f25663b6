"""Letters in plain English, as PDFs: a refused subject access request, a decision on another right,
and the outcome of a data-protection complaint (SPEC §8; domain-rules §2, §3).

Every letter says how to complain to the council, to the Information
Commissioner's Office and to a court (the ICO contact is on every SAR, rights
and complaint letter, SPEC §8.4). Letters are drawn on demand from what the
register records, so correcting the register corrects the letter.
"""

from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from fss.core.documents import html_to_pdf
from sar.models import Complaint, RightsRequest, SubjectAccessRequest, long_date

Ground = SubjectAccessRequest.RefusalGround

# What each ground means, said to the requester (UK GDPR Art 12(5), (6); DPA 2018 Schedules 2-3).
REFUSAL_GROUNDS = {
    Ground.MANIFESTLY_UNFOUNDED: "The law lets us refuse a request that is clearly not a genuine request for "
    "information, for example one made only to cause disruption. We have decided your request is of this "
    "kind (UK GDPR Article 12(5)).",
    Ground.MANIFESTLY_EXCESSIVE: "The law lets us refuse a request that is clearly excessive, for example "
    "one "
    "that repeats a request we have already answered when nothing has changed since (UK GDPR Article "
    "12(5)).",
    Ground.IDENTITY_NOT_PROVEN: "We must be sure who is asking before we send anyone personal information. "
    "We asked for proof of identity and have not received enough to be sure (UK GDPR Article 12(6)).",
    Ground.NO_AUTHORITY: "The information is about someone else. We can only give it to a person who has "
    "the right to act for them, such as a parent with parental responsibility, or someone with their "
    "written permission or a lasting power of attorney. We have not seen evidence that you have this "
    "right.",
    Ground.EXEMPTION: "The Data Protection Act 2018 (Schedules 2 and 3) lets us withhold information in "
    "some cases, for example where giving it would be likely to cause someone serious harm. This applies "
    "to all of the information you asked for.",
}

# What the requester can do to have the request answered after all.
TRY_AGAIN = {
    Ground.IDENTITY_NOT_PROVEN: "If you send us the proof of identity we asked for, we will treat your "
    "request as new from the day it arrives and reply within one month.",
    Ground.NO_AUTHORITY: "If you send us evidence that you can act for them, we will look at the request "
    "again. The person can also ask us themselves.",
}

RIGHTS_VERBS = {
    RightsRequest.Kind.RECTIFICATION: "correct",
    RightsRequest.Kind.ERASURE: "delete",
    RightsRequest.Kind.RESTRICTION: "limit what we do with",
    RightsRequest.Kind.OBJECTION: "stop using",
}

RIGHTS_DECISIONS = {
    RightsRequest.Decision.GRANTED: "We have agreed to your request.",
    RightsRequest.Decision.PARTLY: "We have agreed to part of your request, and said no to the rest.",
    RightsRequest.Decision.REFUSED: "We have decided not to do what you asked.",
}

COMPLAINT_OUTCOMES = {
    Complaint.Outcome.UPHELD: "We agree with your complaint. We are sorry, and we have put things right as "
    "described below.",
    Complaint.Outcome.PARTLY_UPHELD: "We agree with part of your complaint. We are sorry for what went "
    "wrong; what we found and what we have done is described below.",
    Complaint.Outcome.NOT_UPHELD: "We looked carefully at your complaint and found that we used the "
    "information lawfully. What we found is described below.",
    Complaint.Outcome.WITHDRAWN: "You told us you no longer wished to go ahead with your complaint, so we "
    "have closed it.",
}


def _common(*, reference: str, to_name: str, to_contact: str, made_on: date | None) -> dict:
    return {
        "reference": reference,
        "to_name": to_name,
        "to_contact": to_contact,
        "organisation": settings.ORGANISATION,
        "made_on": long_date(made_on or timezone.localdate()),
    }


def _subject_words(subject) -> str:
    return str(subject) if subject is not None else "the person you asked about"


def refusal_context(request: SubjectAccessRequest, *, made_on: date | None = None) -> dict:
    refused_on = request.closed_on
    due = request.due_date_on(refused_on) if refused_on else None
    ground = request.refusal_ground
    return {
        **_common(
            reference=request.reference,
            to_name=request.requester_name,
            to_contact=request.requester_contact,
            made_on=made_on,
        ),
        "for_self": request.requester_relationship == SubjectAccessRequest.Relationship.SELF,
        "subject_words": _subject_words(request.subject),
        "received_on": long_date(request.received_on),
        "ground_text": REFUSAL_GROUNDS.get(ground, "We have decided not to answer this request."),
        "try_again": TRY_AGAIN.get(ground, ""),
        "reasons": request.refusal_reason.strip(),
        "refused_on": long_date(refused_on) if refused_on else "",
        # Refused before the clock started (identity awaited) counts as in time.
        "in_time": due is None or refused_on <= due,
        "due_on": long_date(due) if due else "",
    }


def refusal_letter_pdf(request: SubjectAccessRequest, *, made_on: date | None = None) -> bytes:
    """The letter refusing a subject access request: the reasons, and how to complain (domain-rules §2)."""
    if request.status != SubjectAccessRequest.Status.REFUSED:
        raise ValueError("Only a refused request has a refusal letter.")
    context = refusal_context(request, made_on=made_on)
    return html_to_pdf(render_to_string("sar/letters/refusal.html", context))


def rights_decision_context(
    rights: RightsRequest, *, made_on: date | None = None, recipients_told: list[str] | None = None
) -> dict:
    return {
        **_common(
            reference=rights.reference,
            to_name=rights.requester_name,
            to_contact=rights.requester_contact,
            made_on=made_on,
        ),
        "kind_words": RIGHTS_VERBS[rights.kind],
        "subject_words": str(rights.subject)
        if rights.subject and str(rights.subject) != rights.requester_name
        else "",
        "received_on": long_date(rights.received_on),
        "decision_text": RIGHTS_DECISIONS[rights.decision],
        "reasons": rights.decision_reason.strip(),
        "decided_on": long_date(rights.decided_on),
        "recipients_told": recipients_told or [],
    }


def rights_decision_letter_pdf(
    rights: RightsRequest, *, made_on: date | None = None, recipients_told: list[str] | None = None
) -> bytes:
    """The letter giving a decision on rectification, erasure, restriction or objection (domain-rules §3)."""
    if rights.decided_on is None:
        raise ValueError("Only a decided request has a decision letter.")
    context = rights_decision_context(rights, made_on=made_on, recipients_told=recipients_told)
    return html_to_pdf(render_to_string("sar/letters/rights_decision.html", context))


def complaint_outcome_context(complaint: Complaint, *, made_on: date | None = None) -> dict:
    return {
        **_common(
            reference=complaint.reference,
            to_name=complaint.complainant_name,
            to_contact=complaint.complainant_contact,
            made_on=made_on,
        ),
        "received_on": long_date(complaint.received_on),
        "acknowledged_on": long_date(complaint.acknowledged_on) if complaint.acknowledged_on else "",
        "summary": complaint.summary.strip(),
        "updates": [{"date": long_date(u.sent_on), "note": u.note} for u in complaint.updates.all()],
        "outcome_text": COMPLAINT_OUTCOMES[complaint.outcome],
        "details": complaint.outcome_details.strip(),
        "outcome_on": long_date(complaint.outcome_on),
    }


def complaint_outcome_letter_pdf(complaint: Complaint, *, made_on: date | None = None) -> bytes:
    """The outcome letter of a data-protection complaint (DPA 2018 s.164A; SPEC §8.4)."""
    if complaint.outcome_on is None:
        raise ValueError("Only a complaint with an outcome has an outcome letter.")
    context = complaint_outcome_context(complaint, made_on=made_on)
    return html_to_pdf(render_to_string("sar/letters/complaint_outcome.html", context))
