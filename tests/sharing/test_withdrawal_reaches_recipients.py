"""When consent is withdrawn, a restriction placed or data rectified, earlier disclosures that relied on
it are flagged and a task is created to tell each recipient (SPEC §6.2; UK GDPR Arts 7(3), 18, 19)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from consent.models import ConsentRecord
from consent.services import record_consent, withdraw_consent
from sharing.check import ALLOWED, REFUSED, check_disclosure
from sharing.factories import DataSharingAgreementFactory
from sharing.models import DisclosureFlag, LawfulBasis, RecipientNotificationTask
from sharing.selectors import open_recipient_tasks
from sharing.services import flag_disclosures_relying_on, record_disclosure, record_recipient_told

pytestmark = pytest.mark.django_db

Reason = DisclosureFlag.Reason
LAST_MONTH = datetime.date.today() - datetime.timedelta(days=30)


@pytest.fixture
def consent_agreement(police):
    return DataSharingAgreementFactory(organisation=police, lawful_basis=LawfulBasis.CONSENT)


@pytest.fixture
def given(family, maya, caseworker):
    return record_consent(
        person=maya,
        family=family,
        purpose="partner:police",
        decision=ConsentRecord.Decision.GIVEN,
        decided_by=maya,
        capacity=ConsentRecord.Capacity.SELF,
        method=ConsentRecord.Method.WRITTEN,
        decided_on=LAST_MONTH,
        by=caseworker,
    )


def _share(family, people, police, caseworker, on, categories=("identity", "address")):
    return record_disclosure(
        family=family,
        people=people,
        recipient=police,
        categories=list(categories),
        purpose="early_help",
        on=on,
        by=caseworker,
        expected=None,
        family_told=True,
        transfer_method="secure_email",
    )


def _withdraw(family, maya, caseworker, on):
    return withdraw_consent(
        person=maya,
        family=family,
        purpose="partner:police",
        decided_by=maya,
        capacity=ConsentRecord.Capacity.SELF,
        method=ConsentRecord.Method.VERBAL,
        decided_on=on,
        by=caseworker,
    )


def test_a_withdrawal_in_the_consent_app_changes_the_next_checks_answer(
    consent_agreement, given, family, maya, police, caseworker, today
):
    ask = {
        "people": [maya],
        "recipient": police,
        "categories": ["identity"],
        "purpose": "early_help",
        "on": today,
    }
    assert check_disclosure(**ask).people[0].outcome == ALLOWED
    _withdraw(family, maya, caseworker, today)
    after = check_disclosure(**ask).people[0]
    assert after.outcome == REFUSED
    assert f"Maya Reid withdrew consent for “Sharing with the police” on {today.day} {today:%B %Y}." in (
        after.failed[0].explanation
    )


def test_withdrawal_flags_the_disclosures_that_relied_on_it_and_creates_a_task_each(
    consent_agreement, given, family, maya, police, caseworker, today
):
    earlier = _share(family, [maya], police, caseworker, LAST_MONTH + datetime.timedelta(days=1))
    later = _share(family, [maya], police, caseworker, today - datetime.timedelta(days=2))
    # Recording the withdrawal flags the disclosures itself (consent.services.withdraw_consent).
    withdrawal = _withdraw(family, maya, caseworker, today)
    flags = DisclosureFlag.objects.filter(reason=Reason.CONSENT_WITHDRAWN).order_by("disclosure__pk")
    assert [f.disclosure for f in flags] == [earlier[0], later[0]]
    again = flag_disclosures_relying_on(
        person=maya,
        purpose=withdrawal.record.purpose_id,
        on=today,
        reason=Reason.CONSENT_WITHDRAWN,
        by=caseworker,
    )
    assert again == []
    tasks = list(open_recipient_tasks(families=[family]))
    assert [t.organisation for t in tasks] == [police, police]
    assert {t.flag.reason for t in tasks} == {Reason.CONSENT_WITHDRAWN}


def test_flagging_twice_for_the_same_withdrawal_changes_nothing(
    consent_agreement, given, family, maya, police, caseworker, today
):
    _share(family, [maya], police, caseworker, today - datetime.timedelta(days=2))
    for _ in range(2):
        flag_disclosures_relying_on(
            person=maya, purpose="partner:police", on=today, reason=Reason.CONSENT_WITHDRAWN
        )
    assert DisclosureFlag.objects.count() == RecipientNotificationTask.objects.count() == 1


def test_only_disclosures_that_relied_on_that_consent_are_flagged(
    agreement, consent_agreement, given, family, maya, dan, police, caseworker, today
):
    # Agreements on public task and on consent both cover the purpose: the worker chose public task.
    record_disclosure(
        family=family,
        people=[maya],
        recipient=police,
        categories=["identity"],
        purpose="early_help",
        on=today - datetime.timedelta(days=3),
        by=caseworker,
        expected=None,
        basis_hint=LawfulBasis.PUBLIC_TASK,
        family_told=True,
        transfer_method="secure_email",
    )
    flags = flag_disclosures_relying_on(
        person=maya, purpose="partner:police", on=today, reason=Reason.CONSENT_WITHDRAWN
    )
    assert flags == []


def test_disclosures_after_the_withdrawal_date_or_not_shared_are_left_alone(
    consent_agreement, given, family, maya, dan, police, caseworker, today
):
    _share(family, [maya, dan], police, caseworker, today)  # Dan never consented: not shared
    flags = flag_disclosures_relying_on(
        person=dan, purpose="partner:police", on=today, reason=Reason.CONSENT_WITHDRAWN
    )
    assert flags == []
    assert (
        flag_disclosures_relying_on(
            person=maya,
            purpose="partner:police",
            on=today - datetime.timedelta(days=1),
            reason=Reason.CONSENT_WITHDRAWN,
        )
        == []
    )


def test_a_restriction_flags_every_earlier_share(agreement, family, maya, police, caseworker, today):
    [shared] = _share(family, [maya], police, caseworker, today - datetime.timedelta(days=5))
    [flag] = flag_disclosures_relying_on(person=maya, on=today, reason=Reason.RESTRICTION)
    assert flag.disclosure == shared
    assert flag.task.organisation == police


def test_rectification_flags_the_shares_that_sent_the_corrected_data(
    agreement, family, maya, police, caseworker, today
):
    [with_health] = _share(
        family, [maya], police, caseworker, today - datetime.timedelta(days=5), ["identity", "health_send"]
    )
    _share(family, [maya], police, caseworker, today - datetime.timedelta(days=4), ["address"])
    flags = flag_disclosures_relying_on(
        person=maya, on=today, reason=Reason.RECTIFICATION, categories=["health_send"]
    )
    assert [f.disclosure for f in flags] == [with_health]


def test_a_consent_withdrawal_names_its_purpose(maya, today):
    with pytest.raises(ValueError, match="names its purpose"):
        flag_disclosures_relying_on(person=maya, on=today, reason=Reason.CONSENT_WITHDRAWN)


def test_telling_the_recipient_closes_the_task_once(agreement, family, maya, police, caseworker, today):
    _share(family, [maya], police, caseworker, today - datetime.timedelta(days=5))
    [flag] = flag_disclosures_relying_on(person=maya, on=today, reason=Reason.RESTRICTION)
    task = record_recipient_told(task=flag.task, told_on=today, method="secure_email", by=caseworker)
    assert (task.is_done, task.told_by) == (True, caseworker)
    assert list(open_recipient_tasks(families=[family])) == []
    with pytest.raises(ValidationError, match="was already told on"):
        record_recipient_told(task=flag.task, told_on=today, method="secure_email", by=caseworker)


@pytest.mark.parametrize(
    ("told_on", "method", "field", "message"),
    [
        (
            datetime.date.today() - datetime.timedelta(days=1),
            "secure_email",
            "told_on",
            "cannot be told before",
        ),
        (
            datetime.date.today() + datetime.timedelta(days=1),
            "secure_email",
            "told_on",
            "cannot be in the future",
        ),
        (datetime.date.today(), "pigeon", "method", "Choose how the recipient was told."),
    ],
)
def test_telling_the_recipient_refusals(
    agreement, family, maya, police, caseworker, today, told_on, method, field, message
):
    _share(family, [maya], police, caseworker, today - datetime.timedelta(days=5))
    [flag] = flag_disclosures_relying_on(person=maya, on=today, reason=Reason.RESTRICTION)
    with pytest.raises(ValidationError) as error:
        record_recipient_told(task=flag.task, told_on=told_on, method=method, by=caseworker)
    assert message in " ".join(error.value.message_dict[field])
