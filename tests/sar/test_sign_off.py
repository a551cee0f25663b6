"""Nothing leaves without a reviewer's sign-off (SPEC §8.1): undecided redactions, unfinished manual
searches and missing authority block it; once signed off the decisions are fixed. Duplicate requests from
the same requester about the same person are found and linked; the clock refuses bad dates."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sar import services
from sar.factories import RequestPauseFactory, SubjectAccessRequestFactory
from sar.models import Ground, Redaction, SarSearchTask, SarSignOff, SubjectAccessRequest
from sar.selectors import possible_duplicates
from tests.sar.conftest import decide_everything, finish_searches

pytestmark = pytest.mark.django_db


def test_sign_off_is_refused_until_every_redaction_needing_a_decision_is_decided(rich, dpo, compile_now):
    sar = rich["sar"]
    compilation = compile_now(sar, dpo)
    finish_searches(sar, dpo)
    with pytest.raises(ValidationError, match="still to be decided"):
        services.sign_off(request=sar, by=dpo)
    decide_everything(compilation, dpo)
    signed = services.sign_off(request=sar, statement="Checked.", by=dpo)
    assert signed.compilation == compilation
    assert signed.by == dpo


def test_staff_and_professionals_need_no_decision_to_sign_off(rich, dpo, compile_now):
    sar = rich["sar"]
    compilation = compile_now(sar, dpo)
    finish_searches(sar, dpo)
    decide_everything(compilation, dpo)
    undecided = Redaction.objects.filter(item__compilation=compilation, decisions__isnull=True)
    assert undecided.exists()
    assert {r.reason for r in undecided} <= {Redaction.Reason.STAFF, Redaction.Reason.PROFESSIONAL}
    services.sign_off(request=sar, by=dpo)


def test_unfinished_manual_searches_block_sign_off(rich, dpo, compile_now):
    sar = rich["sar"]
    compilation = compile_now(sar, dpo)
    decide_everything(compilation, dpo)
    with pytest.raises(ValidationError, match="2 manual searches are not finished"):
        services.sign_off(request=sar, by=dpo)
    assert not SarSignOff.objects.exists()
    finish_searches(sar, dpo)
    services.sign_off(request=sar, by=dpo)


def test_sign_off_needs_a_compilation(dpo):
    sar = SubjectAccessRequestFactory()
    assert "Compile the records first." in services.sign_off_blockers(sar, None)
    with pytest.raises(ValidationError):
        services.sign_off(request=sar, by=dpo)


def test_a_parents_request_needs_authority_and_the_childs_competence_considered(dpo):
    sar = SubjectAccessRequestFactory(requester_relationship=SubjectAccessRequest.Relationship.PARENT)
    blockers = services.sign_off_blockers(sar, None)
    assert "Note the evidence of the requester's authority to act for the subject." in blockers
    assert "Record how the child's competence and views were considered." in blockers


def test_once_signed_off_decisions_cannot_change_and_nothing_is_compiled_again(rich, dpo, compile_now):
    sar = rich["sar"]
    compilation = compile_now(sar, dpo)
    finish_searches(sar, dpo)
    decide_everything(compilation, dpo)
    services.sign_off(request=sar, by=dpo)
    r = Redaction.objects.filter(item__compilation=compilation).first()
    with pytest.raises(ValidationError, match="signed off"):
        services.decide_redactions(item=r.item, choices={r.pk: services.Choice("disclose")}, by=dpo)
    with pytest.raises(ValidationError, match="signed off"):
        services.add_redaction(item=r.item, whole_item=True, ground=Ground.THIRD_PARTY, by=dpo)
    with pytest.raises(ValidationError, match="signed off"):
        services.start_compilation(request=sar, by=dpo)
    with pytest.raises(ValidationError, match="already signed off"):
        services.sign_off(request=sar, by=dpo)


# --- Manual searches ---


def test_a_manual_search_is_assigned_tracked_and_finished_with_an_outcome(dpo, other_dpo):
    sar = SubjectAccessRequestFactory()
    task = services.add_search_task(
        request=sar,
        kind=SarSearchTask.Kind.PARTNER,
        description="Ask the school's DPO what it holds for us.",
        assigned_to=other_dpo,
        due_on=timezone.localdate() + datetime.timedelta(days=7),
        by=dpo,
    )
    assert not task.is_done
    done = services.update_search_task(
        task=task,
        assigned_to=other_dpo,
        outcome=SarSearchTask.Outcome.NOTHING_FOUND,
        outcome_note="Nothing held.",
        completed_on=timezone.localdate(),
        by=other_dpo,
    )
    assert done.is_done
    assert done.completed_by == other_dpo
    assert done.history.count() == 2


@pytest.mark.parametrize(
    "fields",
    [
        {"outcome": "found"},  # no date
        {"completed_on": datetime.date(2026, 1, 5)},  # no outcome
        {"outcome": "found", "completed_on": datetime.date(2999, 1, 1)},  # in the future
    ],
)
def test_a_search_cannot_be_finished_without_an_outcome_and_a_real_date(dpo, fields):
    sar = SubjectAccessRequestFactory()
    task = services.add_search_task(request=sar, kind="paper_file", description="Box 14", by=dpo)
    with pytest.raises(ValidationError):
        services.update_search_task(task=task, by=dpo, **fields)
    task.refresh_from_db()
    assert not task.is_done


# --- Duplicates ---


def test_a_repeat_request_from_the_same_requester_about_the_same_person_is_found_and_linked(dpo, maya):
    first = SubjectAccessRequestFactory(
        subject=maya, requester_name="Maya Reid", requester_contact="m@example.org"
    )
    again = SubjectAccessRequestFactory(
        subject=maya, requester_name="MAYA  reid", requester_contact="new@example.org"
    )
    by_email = SubjectAccessRequestFactory(
        subject=maya, requester_name="M. R.", requester_contact=" M@example.org "
    )
    someone_else = SubjectAccessRequestFactory(
        subject=maya, requester_name="Dan Cole", requester_contact="d@example.org"
    )
    SubjectAccessRequestFactory(
        requester_name="Maya Reid", requester_contact="m@example.org"
    )  # another subject

    assert possible_duplicates(first) == [again, by_email]  # same name; same email
    assert possible_duplicates(again) == [first]
    assert someone_else not in possible_duplicates(first)

    services.link_duplicate(request=again, original=first, by=dpo)
    again.refresh_from_db()
    assert again.duplicate_of == first
    assert list(first.duplicates.all()) == [again]


def test_an_unrelated_request_cannot_be_linked_as_a_duplicate(dpo, maya, dan):
    mine = SubjectAccessRequestFactory(subject=maya, requester_name="Maya Reid")
    other = SubjectAccessRequestFactory(subject=dan, requester_name="Maya Reid")
    with pytest.raises(ValidationError, match="same requester about the same person"):
        services.link_duplicate(request=mine, original=other, by=dpo)
    mine.refresh_from_db()
    assert mine.duplicate_of is None


# --- The clock: bad input refused, nothing lost ---


def test_an_extension_recorded_after_the_first_month_is_refused_and_nothing_changes(dpo):
    sar = SubjectAccessRequestFactory(received_on=datetime.date(2025, 9, 3))
    with pytest.raises(ValidationError) as refused:
        services.record_extension(
            request=sar, reason="Many records.", notified_on=datetime.date(2025, 10, 6), by=dpo
        )
    assert "within the first month, by 3 October 2025" in str(refused.value)
    sar.refresh_from_db()
    assert not sar.extended
    assert sar.extension_reason == ""


def test_an_extension_in_time_moves_the_due_date(dpo):
    sar = SubjectAccessRequestFactory(received_on=datetime.date(2025, 9, 3))
    services.record_extension(
        request=sar, reason="Many records.", notified_on=datetime.date(2025, 10, 3), by=dpo
    )
    sar.refresh_from_db()
    assert sar.due_date == datetime.date(2025, 12, 3)


def test_a_pause_ending_before_it_starts_is_refused_and_nothing_is_saved(dpo):
    sar = SubjectAccessRequestFactory(received_on=datetime.date(2025, 9, 3))
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        services.record_pause(
            request=sar,
            started_on=datetime.date(2025, 9, 10),
            ended_on=datetime.date(2025, 9, 8),
            reason="Which case?",
            by=dpo,
        )
    assert not sar.pauses.exists()
    assert sar.due_date == datetime.date(2025, 10, 3)


def test_a_pause_overlapping_another_is_refused(dpo):
    pause = RequestPauseFactory()
    with pytest.raises(ValidationError, match="overlaps"):
        services.record_pause(
            request=pause.request, started_on=pause.started_on, ended_on=None, reason="Again", by=dpo
        )
