"""The DPO's registers: computed deadlines, pauses, RAG and every refusal (SPEC §8; domain-rules §2, §3, §10).

Expected dates are worked out by hand (see tests/sar/test_deadlines.py for the
calendar reasoning); the comment beside each says how.
"""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cases.factories import PersonFactory
from fss.core.models import AccessLogEntry
from sar.factories import (
    ComplaintFactory,
    ComplaintUpdateFactory,
    FOIRequestFactory,
    RequestPauseFactory,
    RightsRequestFactory,
    SubjectAccessRequestFactory,
)
from sar.models import (
    Complaint,
    FOIRequest,
    Rag,
    RequestPause,
    RightsRequest,
    SubjectAccessRequest,
    new_complaint_reference,
    new_foi_reference,
    new_rights_reference,
    new_sar_reference,
    rag_for,
)
from sar.selectors import open_subject_access_requests, people_with_open_requests

pytestmark = pytest.mark.django_db

Status = SubjectAccessRequest.Status
Relationship = SubjectAccessRequest.Relationship

WED_3_SEP_2025 = date(2025, 9, 3)  # domain-rules §2 worked example: due Fri 3 Oct 2025


def assert_refused(instance, field: str, message: str) -> None:
    """full_clean() refuses `instance` with `message` next to `field`."""
    with pytest.raises(ValidationError) as error:
        instance.full_clean()
    messages = error.value.message_dict.get(field, [])
    assert any(message in m for m in messages), error.value.message_dict


def build_sar(**fields) -> SubjectAccessRequest:
    fields.setdefault("received_on", WED_3_SEP_2025)
    fields.setdefault("subject", None)
    return SubjectAccessRequestFactory.build(**fields)


# --- references ---


@pytest.mark.parametrize(
    ("make", "prefix"),
    [
        (new_sar_reference, "SAR"),
        (new_rights_reference, "RTS"),
        (new_foi_reference, "FOI"),
        (new_complaint_reference, "DPC"),
    ],
)
def test_references_are_random_readable_and_unique(make, prefix):
    references = {make() for _ in range(300)}
    assert len(references) == 300
    for reference in references:
        assert re.fullmatch(rf"{prefix}-[0-9A-HJKMNP-TV-Z]{{4}}-[0-9A-HJKMNP-TV-Z]{{4}}", reference)


def test_sar_reference_is_not_derived_from_the_requester_or_subject():
    person = PersonFactory(given_name="Jo", family_name="Bloggs")
    first = SubjectAccessRequestFactory(subject=person, received_on=WED_3_SEP_2025)
    second = SubjectAccessRequestFactory(subject=person, received_on=WED_3_SEP_2025)
    assert first.reference != second.reference
    for reference in (first.reference, second.reference):
        assert "JO" not in reference
        assert "BLOGGS" not in reference
        assert "2025" not in reference


# --- subject access: computed dates ---


@pytest.mark.parametrize(
    ("fields", "start", "due"),
    [
        ({}, WED_3_SEP_2025, date(2025, 10, 3)),  # day of receipt is day one
        # Identity asked for on 4 Sep, arrived Wed 10 Sep: the clock starts then -> Fri 10 Oct.
        (
            {"identity_requested_on": date(2025, 9, 4), "identity_received_on": date(2025, 9, 10)},
            date(2025, 9, 10),
            date(2025, 10, 10),
        ),
        # A permitted fee arriving Fri 12 Sep starts it later still -> Sun 12 Oct -> Mon 13 Oct.
        (
            {
                "identity_requested_on": date(2025, 9, 4),
                "identity_received_on": date(2025, 9, 10),
                "fee_requested_on": date(2025, 9, 4),
                "fee_received_on": date(2025, 9, 12),
            },
            date(2025, 9, 12),
            date(2025, 10, 13),
        ),
    ],
)
def test_sar_clock_starts_on_the_latest_of_receipt_identity_and_fee(fields, start, due):
    request = SubjectAccessRequestFactory(received_on=WED_3_SEP_2025, **fields)
    assert request.start_date == start
    assert request.due_date == due


@pytest.mark.parametrize(
    "fields",
    [
        {"identity_requested_on": WED_3_SEP_2025},
        {"fee_requested_on": WED_3_SEP_2025},
    ],
)
def test_sar_clock_has_not_started_while_identity_or_fee_is_awaited(fields):
    request = SubjectAccessRequestFactory(received_on=WED_3_SEP_2025, **fields)
    assert request.start_date is None
    assert request.due_date is None
    assert request.extension_notice_deadline is None
    assert request.rag_on(date(2026, 1, 1)) is None


def test_extended_sar_is_due_three_months_from_the_start():
    request = SubjectAccessRequestFactory(
        received_on=date(2025, 1, 31),
        extended=True,
        extension_reason="Several hundred case notes across three families.",
        extension_notified_on=date(2025, 2, 10),
    )
    assert request.due_date == date(2025, 4, 30)  # domain-rules §2 worked example
    assert request.extension_notice_deadline == date(2025, 2, 28)


# --- pauses ---


def test_paused_days_are_the_inclusive_days_of_closed_pauses():
    request = SubjectAccessRequestFactory(received_on=WED_3_SEP_2025)
    RequestPauseFactory(request=request, started_on=date(2025, 9, 10), ended_on=date(2025, 9, 14))  # 5 days
    RequestPauseFactory(request=request, started_on=date(2025, 9, 20), ended_on=date(2025, 9, 20))  # 1 day
    request = SubjectAccessRequest.objects.get(pk=request.pk)
    assert request.paused_days == 6
    # Fri 3 Oct + 6 = Thu 9 Oct 2025, a working day.
    assert request.due_date == date(2025, 10, 9)


def test_a_running_pause_is_not_yet_added_to_the_due_date_but_stops_the_clock_on_the_dashboard():
    request = SubjectAccessRequestFactory(received_on=WED_3_SEP_2025, status=Status.AWAITING_CLARIFICATION)
    RequestPauseFactory(request=request, started_on=date(2025, 10, 1), ended_on=None)
    assert request.paused_days == 0
    assert request.due_date == date(2025, 10, 3)
    # On Fri 10 Oct the clock has stood still 1-10 Oct (10 days): Fri 3 Oct + 10 = Mon 13 Oct.
    assert request.due_date_on(date(2025, 10, 10)) == date(2025, 10, 13)
    assert request.rag_on(date(2025, 10, 10)) == Rag.AMBER  # not red: the clock is stopped


def test_pause_days_before_the_clock_started_do_not_count():
    # Clarification asked on receipt (3 Sep), identity arrived 5 Sep, clarification 8 Sep:
    # the clock ran from 5 Sep, so only 5-8 Sep (4 days) were paused. Sun 5 Oct + 4 = Thu 9 Oct.
    request = SubjectAccessRequestFactory(
        received_on=WED_3_SEP_2025,
        identity_requested_on=WED_3_SEP_2025,
        identity_received_on=date(2025, 9, 5),
    )
    RequestPauseFactory(request=request, started_on=WED_3_SEP_2025, ended_on=date(2025, 9, 8))
    assert request.paused_days == 4
    assert request.due_date == date(2025, 10, 9)


def test_pause_cannot_end_before_it_starts():
    request = SubjectAccessRequestFactory(received_on=WED_3_SEP_2025)
    pause = RequestPause(request=request, started_on=date(2025, 9, 10), ended_on=date(2025, 9, 9), reason="x")
    assert_refused(pause, "ended_on", "A pause cannot end before it starts.")
    with pytest.raises(IntegrityError), transaction.atomic():
        pause.save()


def test_pause_cannot_start_before_the_request_was_received():
    request = SubjectAccessRequestFactory(received_on=WED_3_SEP_2025)
    pause = RequestPause(request=request, started_on=date(2025, 9, 2), ended_on=date(2025, 9, 4), reason="x")
    assert_refused(pause, "started_on", "A pause cannot start before the request was received.")


@pytest.mark.parametrize(
    ("started_on", "ended_on"),
    [
        (date(2025, 9, 14), date(2025, 9, 16)),  # overlaps the end of 10-14 Sep
        (date(2025, 9, 8), None),  # a running pause from before overlaps it too
        (date(2025, 9, 11), date(2025, 9, 12)),  # inside it
    ],
)
def test_a_day_can_be_paused_only_once(started_on, ended_on):
    request = SubjectAccessRequestFactory(received_on=WED_3_SEP_2025)
    RequestPauseFactory(request=request, started_on=date(2025, 9, 10), ended_on=date(2025, 9, 14))
    pause = RequestPause(request=request, started_on=started_on, ended_on=ended_on, reason="x")
    assert_refused(pause, "started_on", "overlaps another pause of the same request")


def test_consecutive_pauses_do_not_overlap():
    request = SubjectAccessRequestFactory(received_on=WED_3_SEP_2025)
    RequestPauseFactory(request=request, started_on=date(2025, 9, 10), ended_on=date(2025, 9, 14))
    RequestPause(request=request, started_on=date(2025, 9, 15), ended_on=None, reason="x").full_clean()


# --- extension ---


def test_extension_notified_on_the_last_day_of_the_first_month_is_accepted():
    request = build_sar(extended=True, extension_reason="Complex.", extension_notified_on=date(2025, 10, 3))
    request.full_clean()


def test_extension_after_the_first_month_is_refused_with_the_deadline():
    request = build_sar(extended=True, extension_reason="Complex.", extension_notified_on=date(2025, 10, 6))
    assert_refused(
        request,
        "extension_notified_on",
        "The requester must be told about an extension within the first month, by 3 October 2025.",
    )


def test_a_pause_moves_the_extension_notice_deadline_on():
    # Paused 10-11 Sep (2 days): Fri 3 Oct + 2 = Sun 5 Oct -> Mon 6 Oct.
    request = SubjectAccessRequestFactory(received_on=WED_3_SEP_2025)
    RequestPauseFactory(request=request, started_on=date(2025, 9, 10), ended_on=date(2025, 9, 11))
    request.extended = True
    request.extension_reason = "Numerous requests from the same person."
    request.extension_notified_on = date(2025, 10, 6)
    request.full_clean()
    request.extension_notified_on = date(2025, 10, 7)
    assert_refused(request, "extension_notified_on", "by 6 October 2025")


# --- subject access: every refusal ---


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"identity_requested_on": date(2025, 9, 2)},
            "identity_requested_on",
            "Identity evidence cannot be asked for before the request was received.",
        ),
        (
            {"identity_received_on": date(2025, 9, 2)},
            "identity_received_on",
            "Identity evidence cannot arrive before the request was received.",
        ),
        ({"fee_requested_on": date(2025, 9, 2)}, "fee_requested_on", "A fee cannot be asked for before"),
        ({"fee_received_on": date(2025, 9, 2)}, "fee_received_on", "A fee cannot arrive before"),
        (
            {"extended": True, "extension_reason": "Complex.", "extension_notified_on": date(2025, 9, 2)},
            "extension_notified_on",
            "The requester cannot be told about an extension before the request was received.",
        ),
        (
            {"extended": True, "extension_notified_on": date(2025, 9, 20)},
            "extension_reason",
            "Give the reason for the extension",
        ),
        (
            {"extended": True, "extension_reason": "Complex."},
            "extension_notified_on",
            "Give the date the requester was told about the extension",
        ),
        (
            {
                "identity_requested_on": WED_3_SEP_2025,
                "extended": True,
                "extension_reason": "Complex.",
                "extension_notified_on": date(2025, 9, 20),
            },
            "extended",
            "The clock has not started",
        ),
        (
            {"status": Status.COMPLETED},
            "closed_on",
            "Give the date the request was completed, refused or withdrawn.",
        ),
        (
            {"status": Status.IN_PROGRESS, "closed_on": date(2025, 9, 20)},
            "closed_on",
            "Only a completed, refused",
        ),
        (
            {"status": Status.WITHDRAWN, "closed_on": date(2025, 9, 2)},
            "closed_on",
            "A request cannot be closed before it was received.",
        ),
        ({"status": Status.AWAITING_IDENTITY}, "status", "needs the date it was asked for"),
        (
            {
                "status": Status.AWAITING_IDENTITY,
                "identity_requested_on": WED_3_SEP_2025,
                "identity_received_on": date(2025, 9, 5),
            },
            "status",
            "and no date it arrived",
        ),
        (
            {"status": Status.COMPLETED, "closed_on": date(2025, 9, 20)},
            "subject",
            "Link the subject's record, or tick 'subject not found', before completing.",
        ),
        (
            {"requester_relationship": Relationship.PARENT, "status": Status.IN_PROGRESS},
            "authority_evidence",
            "Note the evidence of parental responsibility or written authority",
        ),
        (
            {"requester_relationship": Relationship.REPRESENTATIVE, "status": Status.IN_PROGRESS},
            "authority_evidence",
            "Note the evidence of parental responsibility or written authority",
        ),
        (
            {
                "requester_relationship": Relationship.PARENT,
                "authority_evidence": "Birth certificate seen 3 Sep 2025.",
                "subject_not_found": True,
                "status": Status.COMPLETED,
                "closed_on": date(2025, 9, 20),
            },
            "child_competence_consideration",
            "Record how the child's competence and views were considered",
        ),
        (
            {"status": Status.REFUSED, "closed_on": date(2025, 9, 20)},
            "refusal_reason",
            "Give the reasons for refusing",
        ),
    ],
)
def test_sar_refuses_bad_input_with_a_clear_message(fields, field, message):
    assert_refused(build_sar(**fields), field, message)


def test_sar_cannot_have_a_subject_and_be_marked_not_found():
    request = build_sar(subject=PersonFactory(), subject_not_found=True)
    assert_refused(
        request, "subject_not_found", "Choose the subject's record or tick 'subject not found', not both."
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        request.save()


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Status.COMPLETED, "closed_on": None},
        {"status": Status.RECEIVED, "closed_on": date(2025, 9, 20)},
        {"status": Status.COMPLETED, "closed_on": date(2025, 9, 1)},
        {"identity_received_on": date(2025, 9, 1)},
        {"extension_notified_on": date(2025, 9, 1)},
    ],
)
def test_database_refuses_impossible_sar_dates_even_without_a_form(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        SubjectAccessRequestFactory(received_on=WED_3_SEP_2025, **fields)


def test_a_well_formed_parent_request_can_be_completed():
    request = build_sar(
        subject=PersonFactory(age=10),
        requester_relationship=Relationship.PARENT,
        authority_evidence="Birth certificate and court order seen 3 Sep 2025.",
        child_competence_consideration="Aged 10; spoke with her on 8 Sep; content for her mother to see it.",
        senior_review=True,
        status=Status.COMPLETED,
        closed_on=date(2025, 9, 30),
    )
    request.full_clean()


def test_changes_to_a_request_are_kept_in_its_history():
    request = SubjectAccessRequestFactory(received_on=WED_3_SEP_2025)
    request.status = Status.IN_PROGRESS
    request.save()
    assert [h.status for h in request.history.order_by("history_date")] == [
        Status.RECEIVED,
        Status.IN_PROGRESS,
    ]


# --- RAG ---


@pytest.mark.parametrize(
    ("today", "rag"),
    [
        (date(2025, 9, 25), Rag.GREEN),  # 8 days to go
        (date(2025, 9, 26), Rag.AMBER),  # 7 days to go
        (date(2025, 10, 3), Rag.AMBER),  # due today
        (date(2025, 10, 4), Rag.RED),  # overdue
    ],
)
def test_rag_is_red_when_overdue_and_amber_within_seven_days(today, rag):
    assert rag_for(date(2025, 10, 3), today=today) == rag
    assert SubjectAccessRequestFactory(received_on=WED_3_SEP_2025).rag_on(today) == rag


def test_a_closed_request_has_no_rag():
    request = SubjectAccessRequestFactory(
        received_on=WED_3_SEP_2025, status=Status.WITHDRAWN, closed_on=date(2025, 9, 10)
    )
    assert request.rag_on(date(2026, 1, 1)) is None


def test_rag_property_reads_today():
    assert SubjectAccessRequestFactory(received_on=timezone.localdate()).rag == Rag.GREEN
    old = SubjectAccessRequestFactory(received_on=timezone.localdate() - timedelta(days=70))
    assert old.rag == Rag.RED


# --- other rights ---


def test_rights_request_runs_on_the_same_one_month_clock():
    request = RightsRequestFactory(kind=RightsRequest.Kind.ERASURE, received_on=date(2023, 4, 1))
    assert request.due_date == date(2023, 5, 2)  # Mon 1 May 2023 is a bank holiday
    request.extended = True
    assert request.due_date == date(2023, 7, 3)  # Sat 1 Jul -> Mon 3 Jul
    assert request.rag_on(date(2023, 4, 2)) == Rag.GREEN
    request.decision = RightsRequest.Decision.GRANTED
    request.decided_on = date(2023, 4, 20)
    assert request.rag_on(date(2023, 8, 1)) is None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"decision": RightsRequest.Decision.GRANTED}, "decided_on", "Give the date of the decision."),
        ({"decided_on": date(2025, 9, 20)}, "decision", "Record the decision made on this date."),
        (
            {"decision": RightsRequest.Decision.GRANTED, "decided_on": date(2025, 9, 2)},
            "decided_on",
            "A decision cannot be made before the request was received.",
        ),
        (
            {"decision": RightsRequest.Decision.REFUSED, "decided_on": date(2025, 9, 20)},
            "decision_reason",
            "Give the reasons: they go to the person with their right to complain to the ICO.",
        ),
        (
            {"decision": RightsRequest.Decision.PARTLY, "decided_on": date(2025, 9, 20)},
            "decision_reason",
            "Give the reasons",
        ),
        (
            {"extended": True, "extension_reason": "Complex.", "extension_notified_on": date(2025, 10, 6)},
            "extension_notified_on",
            "within the first month, by 3 October 2025",
        ),
        (
            {"identity_received_on": date(2025, 9, 1)},
            "identity_received_on",
            "Identity evidence cannot arrive",
        ),
    ],
)
def test_rights_request_refuses_bad_input_with_a_clear_message(fields, field, message):
    request = RightsRequestFactory.build(received_on=WED_3_SEP_2025, subject=None, **fields)
    assert_refused(request, field, message)


def test_erasure_refused_with_reasons_is_accepted():
    RightsRequestFactory.build(
        received_on=WED_3_SEP_2025,
        subject=None,
        kind=RightsRequest.Kind.ERASURE,
        decision=RightsRequest.Decision.REFUSED,
        decision_reason="The records are needed for our public task (Art 17(3)(b)).",
        decided_on=date(2025, 9, 20),
    ).full_clean()


# --- FOI ---


@pytest.mark.parametrize(
    ("fields", "due"),
    [
        ({}, date(2025, 6, 30)),  # 20 working days after Mon 2 Jun 2025
        ({"clarification_requested_on": date(2025, 6, 4)}, None),  # clock stopped until it arrives
        (
            {"clarification_requested_on": date(2025, 6, 4), "clarification_received_on": date(2025, 6, 11)},
            date(2025, 7, 9),  # restarted: Wed 11 Jun is day 0
        ),
        ({"fee_notice_given_on": date(2025, 6, 4)}, None),  # clock stopped until paid
        (
            {"fee_notice_given_on": date(2025, 6, 4), "fee_paid_on": date(2025, 6, 10)},
            date(2025, 7, 7),  # five working days disregarded
        ),
        (
            {"extension_working_days": 20, "extension_notified_on": date(2025, 6, 27)},
            date(2025, 7, 29),  # 20 more, skipping Mon 14 Jul (Northern Ireland)
        ),
    ],
)
def test_foi_due_date_follows_clarification_fees_and_extension(fields, due):
    request = FOIRequestFactory(received_on=date(2025, 6, 2), **fields)
    assert request.due_date == due


@pytest.mark.parametrize(
    ("answered_on", "in_time"),
    [(date(2025, 6, 30), True), (date(2025, 7, 1), False)],
)
def test_foi_in_time_flag_compares_the_answer_with_the_due_date(answered_on, in_time):
    request = FOIRequestFactory(
        received_on=date(2025, 6, 2), answered_on=answered_on, outcome=FOIRequest.Outcome.NOT_HELD
    )
    assert request.in_time is in_time
    assert request.rag_on(date(2025, 8, 1)) is None  # answered: off the dashboard


def test_open_foi_request_has_a_rag():
    request = FOIRequestFactory(received_on=date(2025, 6, 2))
    assert request.in_time is None
    assert request.rag_on(date(2025, 6, 3)) == Rag.GREEN
    assert request.rag_on(date(2025, 7, 1)) == Rag.RED


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"answered_on": date(2025, 6, 1), "outcome": FOIRequest.Outcome.FULL},
            "answered_on",
            "A request cannot be answered before it was received.",
        ),
        (
            {"clarification_requested_on": date(2025, 6, 1)},
            "clarification_requested_on",
            "Clarification cannot be asked for before the request was received.",
        ),
        (
            {"clarification_received_on": date(2025, 6, 5)},
            "clarification_requested_on",
            "Give the date clarification was asked for.",
        ),
        (
            {"clarification_requested_on": date(2025, 6, 5), "clarification_received_on": date(2025, 6, 4)},
            "clarification_received_on",
            "Clarification cannot arrive before it was asked for.",
        ),
        (
            {"fee_notice_given_on": date(2025, 6, 1)},
            "fee_notice_given_on",
            "A fees notice cannot be given before the request was received.",
        ),
        (
            {"fee_paid_on": date(2025, 6, 5)},
            "fee_notice_given_on",
            "Give the date the fees notice was given.",
        ),
        (
            {"fee_notice_given_on": date(2025, 6, 5), "fee_paid_on": date(2025, 6, 4)},
            "fee_paid_on",
            "A fee cannot be paid before the fees notice was given.",
        ),
        ({"outcome": FOIRequest.Outcome.FULL}, "answered_on", "Give the date the request was answered."),
        ({"answered_on": date(2025, 6, 20)}, "outcome", "Record the outcome of the request."),
        (
            {"answered_on": date(2025, 6, 20), "outcome": FOIRequest.Outcome.REFUSED},
            "exemptions",
            "Give the exemptions relied on.",
        ),
        (
            {"answered_on": date(2025, 6, 20), "outcome": FOIRequest.Outcome.NEITHER_CONFIRM_NOR_DENY},
            "exemptions",
            "Give the exemptions relied on.",
        ),
        (
            {"extension_working_days": 21, "extension_notified_on": date(2025, 6, 20)},
            "extension_working_days",
            "A public interest extension can add at most 20 working days",
        ),
        (
            {"extension_working_days": 10},
            "extension_notified_on",
            "Give the date the refusal notice announcing the extension was sent.",
        ),
        (
            {"extension_working_days": 10, "extension_notified_on": date(2025, 7, 1)},
            "extension_notified_on",
            "must go within the 20 working days, by 30 June 2025.",
        ),
        (
            {"extension_working_days": 10, "extension_notified_on": date(2025, 6, 1)},
            "extension_notified_on",
            "A refusal notice cannot be sent before the request was received.",
        ),
    ],
)
def test_foi_request_refuses_bad_input_with_a_clear_message(fields, field, message):
    assert_refused(FOIRequestFactory.build(received_on=date(2025, 6, 2), **fields), field, message)


@pytest.mark.parametrize(
    "fields",
    [
        {"answered_on": date(2025, 6, 1)},
        {"clarification_received_on": date(2025, 6, 5)},
        {"fee_notice_given_on": date(2025, 6, 5), "fee_paid_on": date(2025, 6, 4)},
    ],
)
def test_database_refuses_impossible_foi_dates_even_without_a_form(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        FOIRequestFactory(received_on=date(2025, 6, 2), **fields)


def test_foi_request_for_own_data_is_linked_to_the_sar_that_handles_it():
    sar = SubjectAccessRequestFactory()
    foi = FOIRequestFactory(handled_as_sar=sar)
    foi.full_clean()
    assert foi.handled_as_sar == sar


# --- complaints ---


def test_complaint_acknowledgement_due_thirty_days_after_receipt():
    complaint = ComplaintFactory(received_on=date(2025, 6, 5))
    assert complaint.acknowledgement_due == date(2025, 7, 7)  # Sat 5 Jul -> Mon 7 Jul
    assert complaint.rag_on(date(2025, 7, 1)) == Rag.AMBER
    assert complaint.rag_on(date(2025, 7, 8)) == Rag.RED
    complaint.acknowledged_on = date(2025, 6, 6)
    assert complaint.rag_on(date(2025, 7, 8)) is None


def test_complaint_keeps_its_progress_updates_in_order():
    complaint = ComplaintFactory(received_on=date(2025, 6, 5))
    ComplaintUpdateFactory(complaint=complaint, sent_on=date(2025, 7, 1), note="Second")
    ComplaintUpdateFactory(complaint=complaint, sent_on=date(2025, 6, 20), note="First")
    assert [u.note for u in complaint.updates.all()] == ["First", "Second"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"acknowledged_on": date(2025, 6, 4)},
            "acknowledged_on",
            "A complaint cannot be acknowledged before it was received.",
        ),
        (
            {"outcome": Complaint.Outcome.UPHELD, "outcome_on": date(2025, 6, 4)},
            "outcome_on",
            "A complaint's outcome cannot come before the complaint was received.",
        ),
        ({"outcome": Complaint.Outcome.UPHELD}, "outcome_on", "Give the date of the outcome."),
        ({"outcome_on": date(2025, 6, 20)}, "outcome", "Record the outcome given on this date."),
    ],
)
def test_complaint_refuses_bad_input_with_a_clear_message(fields, field, message):
    assert_refused(ComplaintFactory.build(received_on=date(2025, 6, 5), **fields), field, message)


def test_complaint_update_cannot_come_before_the_complaint():
    complaint = ComplaintFactory(received_on=date(2025, 6, 5))
    update = ComplaintUpdateFactory.build(complaint=complaint, sent_on=date(2025, 6, 4))
    assert_refused(update, "sent_on", "A progress update cannot come before the complaint was received.")


# --- selectors ---


def test_open_requests_and_complaints_hold_their_subjects():
    open_sar = SubjectAccessRequestFactory()
    closed_sar = SubjectAccessRequestFactory(status=Status.WITHDRAWN, closed_on=timezone.localdate())
    open_rights = RightsRequestFactory()
    decided_rights = RightsRequestFactory(
        decision=RightsRequest.Decision.GRANTED, decided_on=timezone.localdate()
    )
    complaint = ComplaintFactory(subject=PersonFactory())
    held = people_with_open_requests()
    assert held == {open_sar.subject_id, open_rights.subject_id, complaint.subject_id}
    assert closed_sar.subject_id not in held
    assert decided_rights.subject_id not in held


def test_open_sar_list_reads_deadlines_without_a_query_per_row(django_assert_num_queries):
    for _ in range(5):
        RequestPauseFactory()
    SubjectAccessRequestFactory(status=Status.WITHDRAWN, closed_on=timezone.localdate())
    with django_assert_num_queries(2):
        rows = [(r.subject.family_name, r.due_date, r.rag) for r in open_subject_access_requests()]
    assert len(rows) == 5


# --- the DPO console ---


@pytest.mark.parametrize(
    "model",
    ["subjectaccessrequest", "rightsrequest", "foirequest", "complaint"],
)
def test_registers_list_due_dates_and_filter(admin_client, model):
    SubjectAccessRequestFactory(received_on=WED_3_SEP_2025)
    RequestPauseFactory()
    RightsRequestFactory()
    FOIRequestFactory()
    ComplaintFactory()
    url = reverse(f"admin:sar_{model}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "ZZZZ"}).status_code == 200


@pytest.mark.parametrize(
    "model",
    ["subjectaccessrequest", "rightsrequest", "foirequest", "complaint"],
)
def test_add_pages_offer_no_reference_before_saving(admin_client, model):
    page = admin_client.get(reverse(f"admin:sar_{model}_add"))
    assert page.status_code == 200
    assert not re.findall(r"(?:SAR|RTS|FOI|DPC)-[0-9A-Z]{4}-[0-9A-Z]{4}", page.content.decode())


def test_sar_can_be_recorded_in_the_console_with_a_pause(admin_client):
    data = {
        "status": Status.AWAITING_CLARIFICATION,
        "received_on": "2025-09-03",
        "channel": SubjectAccessRequest.Channel.PHONE,
        "requester_name": "Jo Bloggs",
        "requester_contact": "jo@example.org",
        "requester_relationship": Relationship.SELF,
        "subject_not_found": "on",
        "pauses-TOTAL_FORMS": "1",
        "pauses-INITIAL_FORMS": "0",
        "pauses-0-started_on": "2025-09-04",
        "pauses-0-ended_on": "2025-09-05",
        "pauses-0-reason": "Which years the request covers.",
    }
    page = admin_client.post(reverse("admin:sar_subjectaccessrequest_add"), data)
    assert page.status_code == 302, page.content.decode()
    request = SubjectAccessRequest.objects.get()
    assert request.paused_days == 2
    assert request.due_date == date(2025, 10, 6)  # Fri 3 Oct + 2 = Sun 5 Oct -> Mon 6 Oct


def test_sar_list_shows_due_date_and_rag(admin_client):
    request = SubjectAccessRequestFactory(received_on=WED_3_SEP_2025)
    page = admin_client.get(reverse("admin:sar_subjectaccessrequest_changelist"), {"status": "received"})
    content = page.content.decode()
    assert request.reference in content
    assert "3 October 2025" in content
    assert "Red: overdue" in content


def test_sar_list_does_not_query_per_row(admin_client, django_assert_max_num_queries):
    for _ in range(10):
        RequestPauseFactory()
    with django_assert_max_num_queries(15):
        admin_client.get(reverse("admin:sar_subjectaccessrequest_changelist"))


def test_opening_a_request_in_the_console_is_access_logged(admin_client):
    request = SubjectAccessRequestFactory()
    page = admin_client.get(reverse("admin:sar_subjectaccessrequest_change", args=[request.pk]))
    assert page.status_code == 200
    entry = AccessLogEntry.objects.get(record_type="sar.subjectaccessrequest")
    assert entry.record_id == str(request.pk)
    assert entry.person_id == request.subject_id


def test_extension_after_the_first_month_is_refused_next_to_the_field_in_the_console(admin_client):
    request = SubjectAccessRequestFactory(received_on=WED_3_SEP_2025)
    url = reverse("admin:sar_subjectaccessrequest_change", args=[request.pk])
    data = {
        "status": Status.IN_PROGRESS,
        "received_on": "2025-09-03",
        "channel": SubjectAccessRequest.Channel.EMAIL,
        "requester_name": request.requester_name,
        "requester_contact": request.requester_contact,
        "requester_relationship": Relationship.SELF,
        "subject": request.subject_id,
        "extended": "on",
        "extension_reason": "Complex.",
        "extension_notified_on": "2025-10-06",
        "pauses-TOTAL_FORMS": "0",
        "pauses-INITIAL_FORMS": "0",
    }
    page = admin_client.post(url, data)
    assert page.status_code == 200
    assert "within the first month, by 3 October 2025" in page.content.decode()
    request.refresh_from_db()
    assert request.extended is False
