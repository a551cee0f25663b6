"""Recording a sharing decision: one immutable Disclosure per person, to share or not, with every field
of domain-rules §5 and the check's stored answer; the check runs again inside the transaction."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from consent.models import ConsentRecord
from fss.core.models import AccessLogEntry
from sharing.check import Safeguarding, check_disclosure
from sharing.models import Disclosure, DisclosureApproval, ImmutableRecordError
from sharing.selectors import stored_check
from sharing.services import CHANGED_MESSAGE, record_disclosure

pytestmark = pytest.mark.django_db

WITHDRAWN = ConsentRecord.Decision.WITHDRAWN


@pytest.fixture
def share(family, police, caseworker, today):
    """record_disclosure with sensible defaults; `expected` is the fingerprint of the check shown."""

    def _share(people, **kwargs):
        question = {
            "people": people,
            "recipient": police,
            "categories": ["identity", "address"],
            "purpose": "early_help",
            "on": today,
        }
        for name in (
            "recipient",
            "categories",
            "purpose",
            "on",
            "safeguarding",
            "override_reason",
            "basis_hint",
        ):
            if name in kwargs:
                question[name] = kwargs.pop(name)
        kwargs.setdefault("expected", check_disclosure(family=family, **question).fingerprint())
        kwargs.setdefault("family_told", True)
        kwargs.setdefault("transfer_method", "secure_email")
        return record_disclosure(family=family, by=kwargs.pop("by", caseworker), **question, **kwargs)

    return _share


def test_a_share_records_every_field_and_the_stored_answer(
    share, agreement, maya, police, caseworker, manager, today
):
    [disclosure] = share(
        [maya],
        items_description="Current address for a joint visit.",
        onward_use_limits="Not to be passed on without our agreement.",
        manager_consulted=manager,
    )
    assert disclosure.decision == Disclosure.Decision.SHARED
    assert (disclosure.organisation, disclosure.agreement, disclosure.basis) == (
        police,
        agreement,
        "public_task",
    )
    assert disclosure.categories_shared == ["identity", "address"]
    assert disclosure.direction == Disclosure.Direction.OUT
    assert (disclosure.decided_by, disclosure.manager_consulted, disclosure.decided_on) == (
        caseworker,
        manager,
        today,
    )
    assert disclosure.legal_power == agreement.legal_power
    assert disclosure.consent_purpose == "partner:police"
    assert disclosure.relied_on_consent is False
    assert disclosure.onward_use_limits.startswith("Not to be passed on")
    result = stored_check(disclosure)
    assert result.agreement_reference == agreement.reference
    assert "Maya Reid: name and date of birth, address may be shared" in disclosure.check_summary
    entry = AccessLogEntry.objects.get(record_type="sharing.disclosure")
    assert (entry.action, entry.family_id, entry.person_id) == ("change", disclosure.family_id, maya.pk)


def test_one_disclosure_per_person_including_those_not_shared(share, agreement, maya, dan, consent):
    consent(dan, "partner:police", WITHDRAWN)
    shared, not_shared = share([maya, dan])
    assert shared.decision_id == not_shared.decision_id
    assert (shared.decision, not_shared.decision) == ("shared", "not_shared")
    assert not_shared.categories_shared == []
    assert not_shared.categories_withheld == ["identity", "address"]
    assert "Give your reason for sharing against Dan Cole's wishes" in not_shared.check_summary


def test_a_decision_not_to_share_is_recorded_for_everyone(share, agreement, maya, dan):
    disclosures = share([maya, dan], share=False, not_sharing_reason="Not needed: the police already know.")
    assert {d.decision for d in disclosures} == {"not_shared"}
    assert all(d.not_sharing_reason == "Not needed: the police already know." for d in disclosures)
    assert all(d.transfer_method == "" for d in disclosures)


def test_without_an_agreement_the_decision_is_not_shared_and_says_why(share, maya, police):
    [disclosure] = share([maya], transfer_method="")  # nothing may go, so no method is needed
    assert disclosure.decision == "not_shared"
    assert "There is no data sharing agreement with Thames Valley Police." in disclosure.check_summary


def test_an_education_opt_out_makes_it_a_partial_share(share, agreement, tia, opt_out, today):
    opt_out(tia, today - datetime.timedelta(days=1))
    [disclosure] = share([tia], categories=["identity", "health_send"])
    assert disclosure.decision == Disclosure.Decision.PARTLY
    assert (disclosure.categories_shared, disclosure.categories_withheld) == (["identity"], ["health_send"])
    assert disclosure.conditions == {}


def test_special_category_records_its_condition(share, agreement, maya):
    [disclosure] = share([maya], categories=["health_send"])
    assert disclosure.conditions == {"health_send": "sch1_para2"}


def test_going_against_wishes_waits_for_a_manager(share, agreement, maya, consent):
    consent(maya, "partner:police", WITHDRAWN)
    [disclosure] = share([maya], override_reason="Police need the address to protect Leo.")
    assert disclosure.needs_manager_approval is True
    assert disclosure.approval_timing == "before"
    assert disclosure.override_reason == "Police need the address to protect Leo."
    assert disclosure.was_sent is None
    assert disclosure.dpo_review_required is False


def test_immediate_safeguarding_is_shared_now_and_approved_afterwards(share, maya, today):
    safe = Safeguarding("Threat to the children last night.", immediate_risk=True)
    [disclosure] = share(
        [maya],
        safeguarding=safe,
        purpose="safeguarding",
        family_told=False,
        family_not_told_reason="Telling the family would put the children at risk.",
    )
    assert (disclosure.basis, disclosure.is_safeguarding, disclosure.without_agreement) == (
        "safeguarding",
        True,
        True,
    )
    assert (disclosure.approval_timing, disclosure.dpo_review_required) == ("retrospective", True)
    assert disclosure.was_sent is True
    assert disclosure.safeguarding_justification == "Threat to the children last night."


# --- refusals, each with its message --------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"people": []}, "people", "Choose who the information is about."),
        (
            {"safeguarding": Safeguarding("  ")},
            "safeguarding_justification",
            "Give a written justification: why sharing is needed to protect a child or adult at risk.",
        ),
        ({"family_told": False}, "family_not_told_reason", "Say why the family was not told"),
        ({"share": False}, "not_sharing_reason", "Say why you decided not to share."),
        ({"transfer_method": ""}, "transfer_method", "Choose how the information will be sent."),
        ({"on": datetime.date.today() + datetime.timedelta(days=1)}, "on", "cannot be in the future"),
    ],
    ids=[
        "no one",
        "empty justification",
        "family not told",
        "not shared without reason",
        "no method",
        "future",
    ],
)
def test_bad_input_is_refused_with_a_clear_message(share, agreement, maya, changes, field, message):
    people = changes.pop("people", [maya])
    changes.setdefault("expected", None)
    with pytest.raises(ValidationError) as error:
        share(people, **changes)
    assert any(message in m for m in error.value.message_dict[field])
    assert not Disclosure.objects.exists()


def test_someone_not_in_the_family_is_refused(share, agreement, maya, other_person):
    with pytest.raises(ValidationError) as error:
        share([maya, other_person], expected=None)
    today = datetime.date.today()
    family = maya.memberships.get().family
    expected = f"{other_person} is not a member of family {family} on {today.day} {today:%B %Y}."
    assert error.value.message_dict["people"] == [expected]
    assert not Disclosure.objects.exists()


@pytest.fixture
def other_person():
    from cases.factories import PersonFactory

    return PersonFactory(given_name="Zed", family_name="Stranger")


def test_a_manager_consulted_must_be_a_manager(share, agreement, maya, colleague):
    with pytest.raises(ValidationError) as error:
        share([maya], manager_consulted=colleague)
    assert error.value.message_dict["manager_consulted"] == [f"{colleague} is not a team manager."]


def test_a_changed_answer_is_refused(share, agreement, maya, family, police, consent, today):
    shown = check_disclosure(
        people=[maya],
        recipient=police,
        categories=["identity"],
        purpose="early_help",
        on=today,
        family=family,
    ).fingerprint()
    agreement.revoked_on = today
    agreement.revocation_reason = "Partner breach"
    agreement.save()
    with pytest.raises(ValidationError) as error:
        share([maya], categories=["identity"], expected=shown)
    assert error.value.messages == [CHANGED_MESSAGE]
    assert not Disclosure.objects.exists()


# --- immutability ----------------------------------------------------------------------------------


def test_a_disclosure_cannot_be_changed_or_deleted(share, agreement, maya):
    [disclosure] = share([maya])
    disclosure.decision = "not_shared"
    with pytest.raises(ImmutableRecordError):
        disclosure.save()
    with pytest.raises(ImmutableRecordError):
        disclosure.delete()
    with pytest.raises(ImmutableRecordError):
        Disclosure.objects.filter(pk=disclosure.pk).update(decision="not_shared")
    with pytest.raises(ImmutableRecordError):
        Disclosure.objects.filter(pk=disclosure.pk).delete()
    disclosure.refresh_from_db()
    assert disclosure.decision == "shared"


def test_an_approval_cannot_be_changed(share, agreement, maya, consent, manager):
    consent(maya, "partner:police", WITHDRAWN)
    [disclosure] = share([maya], override_reason="Needed.")
    approval = DisclosureApproval.objects.create(
        disclosure=disclosure, outcome="approved", decided_by=manager
    )
    approval.outcome = "declined"
    with pytest.raises(ImmutableRecordError):
        approval.save()


def test_destroying_the_family_takes_its_disclosures_with_it(share, agreement, maya, family):
    share([maya])
    family.delete()
    assert not Disclosure.objects.exists()


def test_a_sar_lists_every_decision_about_the_person_as_recipients(share, agreement, maya, dan, consent):
    from sharing.selectors import disclosures_about

    consent(maya, "partner:police", WITHDRAWN)
    share([maya, dan])
    share([dan])
    assert [d.decision for d in disclosures_about(person=maya)] == ["not_shared"]
    assert [str(d.organisation) for d in disclosures_about(person=dan)] == ["Thames Valley Police"] * 2


def test_the_family_page_history_takes_two_queries_whatever_its_length(
    share, agreement, maya, dan, family, django_assert_num_queries
):
    from sharing.selectors import family_sharing_history

    for _ in range(3):
        share([maya, dan])
    with django_assert_num_queries(2):
        history = family_sharing_history(family=family, limit=10)
        for disclosure in history:
            assert disclosure.approval_state == "not needed"
            list(disclosure.flags.all())
            str(disclosure.person), str(disclosure.organisation), str(disclosure.decided_by)
    assert len(history) == 6
