"""Redaction (SPEC §8.1, domain-rules §2): other people named in the material are highlighted, each
decision has a ground and a reviewer, and what is withheld never reaches the output."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from sar import redaction, services
from sar.factories import RedactionFactory, SarItemFactory
from sar.models import Ground, Redaction, RedactionDecision

pytestmark = pytest.mark.django_db

Reason = Redaction.Reason


def _index(**names):
    index = redaction.NameIndex()
    index.exclude("Maya Reid")
    index.exclude("Maya")
    for name, reason in names.items():
        index.add(name.replace("_", " "), redaction.Named(reason, "withhold"))
    return index


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Zoë O'Brien-Smith came", ["Zoë O'Brien-Smith"]),
        ("zoe obrien smith came", ["zoe obrien smith"]),  # case, accents, apostrophes and hyphens
        ("Saw ZOE O\u2019BRIEN SMITH", ["ZOE O\u2019BRIEN SMITH"]),
        ("Zoë, O'Brien", []),  # words of one name stand together
    ],
)
def test_names_are_found_whatever_the_case_accents_and_punctuation(text, found):
    index = _index(**{"Zoë O'Brien-Smith": Reason.FAMILY_MEMBER})
    assert [m.text for m in redaction.find_names(text, index)] == found


def test_a_first_name_alone_matches_only_with_a_capital():
    index = _index(Will=Reason.FAMILY_MEMBER)
    assert [m.text for m in redaction.find_names("Will said he will come.", index)] == ["Will"]


def test_the_subjects_own_names_are_never_proposed():
    index = _index(Maya_Reid=Reason.FAMILY_MEMBER, Maya=Reason.FAMILY_MEMBER)
    assert redaction.find_names("Maya Reid and Maya", index) == []


def test_the_longest_name_wins_and_matches_do_not_overlap():
    index = _index(Dan=Reason.FAMILY_MEMBER, Dan_Cole=Reason.FAMILY_MEMBER)
    assert [m.text for m in redaction.find_names("Dan Cole and Dan", index)] == ["Dan Cole", "Dan"]


def test_a_titled_name_the_system_does_not_know_is_proposed():
    titled = redaction.Named(Reason.NAME_IN_TEXT, "withhold")
    found = redaction.find_names("Mrs Okafor came round.", _index(), titled=titled)
    assert [(m.text, m.named.reason) for m in found] == [("Mrs Okafor", Reason.NAME_IN_TEXT)]


def test_withheld_text_is_replaced_by_its_mark_and_never_shown():
    spans = [(0, 3, "A"), (8, 13, "A"), (10, 13, "B")]
    parts = redaction.segments("Dan and Priya came", spans)
    assert [(p.text, p.withheld, p.mark) for p in parts] == [
        ("", True, "A"),
        (" and ", False, ""),
        ("", True, "A, B"),
        (" came", False, ""),
    ]
    assert redaction.redacted_text("Dan and Priya came", spans) == "[withheld: A] and [withheld: A, B] came"


def _proposals(compilation):
    return {(r.text, r.reason, r.suggestion) for r in Redaction.objects.filter(item__compilation=compilation)}


def test_other_people_in_the_material_are_highlighted_for_review(rich, dpo, compile_now, dan, priya):
    compilation = compile_now(rich["sar"], dpo)
    found = _proposals(compilation)
    assert ("Dan", Reason.FAMILY_MEMBER, "withhold") in found
    assert ("Priya Shah", Reason.KNOWN_PERSON, "withhold") in found
    assert ("Mrs Okafor", Reason.NAME_IN_TEXT, "withhold") in found
    assert ("Pat Jones", Reason.REFERRER, "withhold") in found  # a neighbour, not a professional
    # Staff and professionals acting in their role: highlighted, disclosed unless decided otherwise.
    assert ("Jane Whitfield", Reason.STAFF, "disclose") in found
    assert ("Ruth Abara", Reason.PROFESSIONAL, "disclose") in found
    # The subject is never a third party in her own records.
    assert not any(text.startswith("Maya") for text, _, _ in found)
    person_ids = set(Redaction.objects.filter(text="Priya Shah").values_list("person_id", flat=True))
    assert person_ids == {priya.pk}


def test_documents_and_sensitive_records_must_be_checked(rich, dpo, compile_now):
    compilation = compile_now(rich["sar"], dpo)
    whole = Redaction.objects.filter(item__compilation=compilation, field_index__isnull=True)
    assert {(r.item.source_label, r.reason) for r in whole} >= {
        ("cases.document", Reason.DOCUMENT),
        ("cases.casenote", Reason.SENSITIVE),
    }
    assert all(r.needs_decision for r in whole)


def test_each_decision_records_its_ground_and_reviewer(dpo):
    r = RedactionFactory()
    services.decide_redactions(
        item=r.item, choices={r.pk: services.Choice("withhold", Ground.THIRD_PARTY)}, by=dpo
    )
    decision = r.decisions.get()
    assert (decision.decision, decision.ground, decision.by) == ("withhold", Ground.THIRD_PARTY, dpo)


def test_withholding_without_a_ground_is_refused(dpo):
    r = RedactionFactory()
    with pytest.raises(ValidationError, match="ground"):
        services.decide_redactions(item=r.item, choices={r.pk: services.Choice("withhold", "")}, by=dpo)
    assert not r.decisions.exists()


def test_the_database_refuses_a_withholding_without_a_ground(dpo):
    r = RedactionFactory()
    with pytest.raises(IntegrityError):
        RedactionDecision.objects.create(redaction=r, decision="withhold", ground="", by=dpo)


def test_a_change_of_mind_is_a_new_row_in_the_log(dpo, other_dpo):
    r = RedactionFactory()
    services.decide_redactions(
        item=r.item, choices={r.pk: services.Choice("withhold", "third_party")}, by=dpo
    )
    services.decide_redactions(item=r.item, choices={r.pk: services.Choice("disclose")}, by=other_dpo)
    assert list(r.decisions.values_list("decision", "by__username")) == [
        ("withhold", dpo.username),
        ("disclose", other_dpo.username),
    ]


def test_a_decision_on_another_records_redaction_is_refused(dpo):
    r = RedactionFactory()
    other_item = SarItemFactory(compilation=r.item.compilation)
    with pytest.raises(ValidationError):
        services.decide_redactions(item=other_item, choices={r.pk: services.Choice("disclose")}, by=dpo)


def test_a_name_can_be_decided_everywhere_at_once(rich, dpo, compile_now):
    compilation = compile_now(rich["sar"], dpo)
    count = services.decide_all_naming(
        compilation=compilation, text="priya shah", choice=services.Choice("withhold", "third_party"), by=dpo
    )
    assert count == Redaction.objects.filter(item__compilation=compilation, text="Priya Shah").count() >= 1


def test_the_reviewer_can_withhold_text_the_system_did_not_highlight(dpo):
    item = SarItemFactory(
        fields=[{"label": "Note", "value": "The dog is called Rex; Rex bites.", "scan": True}]
    )
    made = services.add_redaction(item=item, text="rex", ground=Ground.THIRD_PARTY, by=dpo)
    assert [(r.start, r.end, r.reason) for r in made] == [(18, 21, Reason.MANUAL), (23, 26, Reason.MANUAL)]
    assert all(r.decisions.get().decision == "withhold" for r in made)


def test_withholding_text_that_is_not_there_is_refused(dpo):
    item = SarItemFactory()
    with pytest.raises(ValidationError, match="not in this record"):
        services.add_redaction(item=item, text="Nobody", ground=Ground.THIRD_PARTY, by=dpo)
    assert not item.redactions.exists()


def test_compiling_again_keeps_the_decisions_already_made(rich, dpo, compile_now):
    first = compile_now(rich["sar"], dpo)
    priya = Redaction.objects.filter(item__compilation=first, text="Priya Shah").first()
    services.decide_redactions(
        item=priya.item, choices={priya.pk: services.Choice("withhold", Ground.THIRD_PARTY)}, by=dpo
    )
    note = priya.item
    services.add_redaction(item=note, text="school runs", ground=Ground.THIRD_PARTY, by=dpo)

    second = compile_now(rich["sar"], dpo)

    assert second.pk != first.pk
    assert not type(first).objects.filter(pk=first.pk).exists()  # the old working copy is gone
    carried = Redaction.objects.get(
        item__compilation=second, text="Priya Shah", item__source_pk=note.source_pk
    )
    assert carried.decisions.get().ground == Ground.THIRD_PARTY
    manual = Redaction.objects.get(item__compilation=second, reason=Reason.MANUAL)
    assert manual.text == "school runs"
    assert manual.decisions.get().decision == "withhold"
