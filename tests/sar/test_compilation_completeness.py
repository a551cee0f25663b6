"""Compilation completeness (SPEC §8.1): external data about the subject, requests to close their
family's case, merges of their records and complaints about them (with what they asked for and
the ICO's involvement) are compiled in their own sections; a sibling's external data is not."""

import pytest

from cases.factories import ExternalDataRecordFactory, PersonMergeFactory
from cases.models import Case, ClosureRequest
from sar.factories import ComplaintFactory
from sar.models import Section

pytestmark = pytest.mark.django_db


@pytest.fixture
def more(rich, family, maya, leo, worker, manager, today):
    case = Case.objects.filter(family=family).order_by("pk").first()
    return {
        "external": ExternalDataRecordFactory(
            family=family, person=maya, measure="Adult learning sessions", value="7 of 10 attended"
        ),
        "sibling": ExternalDataRecordFactory(
            family=family, person=leo, measure="Attendance %", value="61.5 sibling value"
        ),
        "closure": ClosureRequest.objects.create(
            case=case,
            closed_on=today,
            reason=Case.ClosureReason.choices[0][0],
            requested_by=worker,
            comment="Goals met; the family is ready to manage on its own.",
        ),
        "merge": PersonMergeFactory(kept_person=maya, merged_by=manager, reason="Recorded twice at referral"),
        "merged_away": PersonMergeFactory(merged_person_id=maya.pk, merged_by=manager, reason="Other way"),
        "complaint": ComplaintFactory(
            subject=maya,
            received_on=today,
            outcome_wanted="Tell the school to delete what it was sent.",
            ico_involved_on=today,
            ico_reference="IC-998877-Z9Y8",
        ),
    }


def _items(compilation, record):
    return list(compilation.items.filter(source_label=record._meta.label_lower, source_pk=str(record.pk)))


def _text(item) -> str:
    return f"{item.title} " + " ".join(f["value"] for f in item.fields)


def test_external_data_about_the_subject_is_compiled_and_a_siblings_is_not(more, rich, dpo, compile_now):
    compilation = compile_now(rich["sar"], dpo)
    [item] = _items(compilation, more["external"])
    assert item.section == Section.EXTERNAL
    assert "7 of 10 attended" in _text(item)
    assert "Education Service" in _text(item)
    assert _items(compilation, more["sibling"]) == []
    everything = " ".join(_text(i) for i in compilation.items.all())
    assert "61.5 sibling value" not in everything


def test_closure_requests_on_the_familys_case_are_compiled(more, rich, dpo, compile_now):
    compilation = compile_now(rich["sar"], dpo)
    [item] = _items(compilation, more["closure"])
    assert item.section == Section.CASES
    assert "Goals met" in _text(item)
    assert "Waiting for approval" in _text(item)


def test_merges_of_the_subjects_records_are_compiled_either_way(more, rich, dpo, compile_now):
    compilation = compile_now(rich["sar"], dpo)
    for merge in (more["merge"], more["merged_away"]):
        [item] = _items(compilation, merge)
        assert item.section == Section.ABOUT_YOU
    assert "Recorded twice at referral" in _text(_items(compilation, more["merge"])[0])


def test_complaints_carry_what_was_asked_for_and_the_icos_involvement(more, rich, dpo, compile_now):
    compilation = compile_now(rich["sar"], dpo)
    [item] = _items(compilation, more["complaint"])
    assert item.section == Section.REQUESTS
    assert "Tell the school to delete what it was sent." in _text(item)
    assert "IC-998877-Z9Y8" in _text(item)


def test_none_of_them_falls_back_to_other_records(more, rich, dpo, compile_now):
    compilation = compile_now(rich["sar"], dpo)
    other = set(compilation.items.filter(section=Section.OTHER).values_list("source_label", flat=True))
    assert not other & {"cases.externaldatarecord", "cases.closurerequest", "cases.personmerge"}
