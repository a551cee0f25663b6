"""Refusing a subject access request with a reasons letter (domain-rules §2), decisions on other rights
with a letter and Art 19 tasks to earlier recipients (§3), an FOI request for one's own data handled as a
SAR (§10), and a complaint's outcome letter (SPEC §8.4). The letters are PDFs: the tests read their text."""

import io
from datetime import date, timedelta

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.factories import PersonFactory
from fss.core.models import AccessLogEntry
from retention import selectors as retention_selectors
from sar import letters, services
from sar.factories import (
    ComplaintFactory,
    ComplaintUpdateFactory,
    FOIRequestFactory,
    RightsRequestFactory,
    SubjectAccessRequestFactory,
)
from sar.models import Complaint, FOIRequest, RightsRequest, SubjectAccessRequest
from sharing.check import REFUSED, check_disclosure
from sharing.factories import DisclosureFactory, OrganisationFactory
from sharing.models import DisclosureFlag, RecipientNotificationTask

pytestmark = pytest.mark.django_db

Ground = SubjectAccessRequest.RefusalGround
Status = SubjectAccessRequest.Status


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split())


def _ico_and_court(text: str) -> None:
    assert "Information Commissioner's Office" in text
    assert "https://ico.org.uk/make-a-complaint/" in text
    assert "ask a court" in text  # the judicial remedy
    assert "Data Protection Officer" in text


# --- Refusal ---


def test_a_refusal_records_the_ground_and_reasons_and_closes_the_request(dpo):
    today = timezone.localdate()
    sar = SubjectAccessRequestFactory(received_on=today - timedelta(days=5), requester_name="Ann Example")
    refused = services.refuse_request(
        request=sar,
        ground=Ground.MANIFESTLY_EXCESSIVE,
        reasons="You asked for the same records on 1 May and we answered on 20 May. Nothing has changed.",
        refused_on=today,
        by=dpo,
    )
    assert refused.status == Status.REFUSED
    assert refused.closed_on == today
    assert refused.refusal_ground == Ground.MANIFESTLY_EXCESSIVE
    assert not refused.is_open
    assert AccessLogEntry.objects.filter(
        user=dpo, record_type="sar.subjectaccessrequest", record_id=str(sar.pk), action="change"
    ).exists()


def test_the_refusal_letter_gives_the_reasons_the_ico_a_court_and_our_complaints_process(dpo):
    today = timezone.localdate()
    sar = SubjectAccessRequestFactory(
        received_on=today - timedelta(days=3), requester_name="Ann Example", requester_contact="1 High St"
    )
    services.refuse_request(
        request=sar,
        ground=Ground.MANIFESTLY_UNFOUNDED,
        reasons="Your letter says the request is made to disrupt the service.",
        refused_on=today,
        by=dpo,
    )
    sar.refresh_from_db()
    text = pdf_text(letters.refusal_letter_pdf(sar))
    assert sar.reference in text
    assert "Dear Ann Example" in text
    assert "clearly not a genuine request" in text  # the ground, in plain English
    assert "made to disrupt the service" in text  # the reasons recorded
    assert "within the one month" in text
    assert "We will confirm we have your complaint within 30 days" in text  # our own process
    _ico_and_court(text)


def test_a_late_refusal_says_so_and_apologises(dpo):
    sar = SubjectAccessRequestFactory(received_on=date(2025, 9, 3))  # due Fri 3 Oct 2025
    services.refuse_request(
        request=sar, ground=Ground.EXEMPTION, reasons="Serious harm.", refused_on=date(2025, 10, 6), by=dpo
    )
    sar.refresh_from_db()
    text = pdf_text(letters.refusal_letter_pdf(sar))
    assert "We should have told you by 3 October 2025, and we are sorry this letter is late." in text


def test_identity_not_proven_letter_says_how_to_have_the_request_answered(dpo):
    today = timezone.localdate()
    sar = SubjectAccessRequestFactory(
        received_on=today - timedelta(days=40),
        identity_requested_on=today - timedelta(days=39),
        status=Status.AWAITING_IDENTITY,
    )
    services.refuse_request(
        request=sar, ground=Ground.IDENTITY_NOT_PROVEN, reasons="No proof arrived.", refused_on=today, by=dpo
    )
    sar.refresh_from_db()
    text = pdf_text(letters.refusal_letter_pdf(sar))
    assert "proof of identity" in text
    assert "If you send us the proof of identity we asked for" in text
    assert "within the one month" in text  # the clock never started: not late


@pytest.mark.parametrize(
    ("fields", "kwargs", "field", "message"),
    [
        ({}, {"reasons": "  "}, "reasons", "Give the reasons in plain English"),
        ({}, {"ground": "bored"}, "ground", "Choose why the request is refused."),
        ({}, {"ground": Ground.IDENTITY_NOT_PROVEN}, "ground", "Identity evidence was never asked for."),
        ({}, {"ground": Ground.NO_AUTHORITY}, "ground", "they need no authority"),
        ({}, {"refused_on": date(2099, 1, 1)}, "refused_on", "cannot be in the future"),
        ({}, {"refused_on": date(2020, 1, 1)}, "refused_on", "cannot be refused before it was received"),
    ],
)
def test_a_refusal_with_bad_input_is_refused_and_nothing_changes(dpo, fields, kwargs, field, message):
    sar = SubjectAccessRequestFactory(received_on=timezone.localdate() - timedelta(days=2), **fields)
    arguments = {
        "ground": Ground.MANIFESTLY_UNFOUNDED,
        "reasons": "Reasons.",
        "refused_on": timezone.localdate(),
        **kwargs,
    }
    with pytest.raises(ValidationError) as refused:
        services.refuse_request(request=sar, by=dpo, **arguments)
    assert any(message in m for m in refused.value.message_dict[field])
    sar.refresh_from_db()
    assert sar.status == Status.RECEIVED
    assert sar.closed_on is None


def test_a_closed_request_cannot_be_refused(dpo):
    sar = SubjectAccessRequestFactory(status=Status.WITHDRAWN, closed_on=timezone.localdate())
    with pytest.raises(ValidationError, match="already withdrawn"):
        services.refuse_request(
            request=sar, ground=Ground.EXEMPTION, reasons="x", refused_on=timezone.localdate(), by=dpo
        )


def test_the_refuse_page_records_the_refusal_and_the_letter_downloads(client, dpo):
    client.force_login(dpo)
    sar = SubjectAccessRequestFactory(received_on=timezone.localdate() - timedelta(days=1))
    page = client.get(reverse("sar:refuse", args=[sar.pk]))
    assert page.status_code == 200
    assert "Manifestly unfounded" in page.content.decode()
    today = timezone.localdate()
    response = client.post(
        reverse("sar:refuse", args=[sar.pk]),
        {
            "ground": Ground.MANIFESTLY_EXCESSIVE,
            "reasons": "A repeat of a request answered last week.",
            "refused_on_0": today.day,
            "refused_on_1": today.month,
            "refused_on_2": today.year,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    detail = client.get(reverse("sar:request_detail", args=[sar.pk])).content.decode()
    assert "Download the refusal letter" in detail
    letter = client.get(reverse("sar:refusal_letter", args=[sar.pk]))
    assert letter.status_code == 200
    assert letter["Content-Type"] == "application/pdf"
    assert "A repeat of a request answered last week." in pdf_text(letter.content)
    assert AccessLogEntry.objects.filter(record_id=str(sar.pk), action="export").exists()


def test_an_open_request_has_no_refusal_letter(client, dpo):
    client.force_login(dpo)
    sar = SubjectAccessRequestFactory()
    assert client.get(reverse("sar:refusal_letter", args=[sar.pk])).status_code == 404


def test_a_caseworker_cannot_refuse_or_read_a_refusal_letter(client, caseworker, dpo):
    sar = SubjectAccessRequestFactory()
    services.refuse_request(
        request=sar, ground=Ground.EXEMPTION, reasons="x", refused_on=timezone.localdate(), by=dpo
    )
    client.force_login(caseworker)
    assert client.get(reverse("sar:refuse", args=[sar.pk])).status_code == 403
    assert client.get(reverse("sar:refusal_letter", args=[sar.pk])).status_code == 403


# --- Other rights: the decision, Art 19 tasks, the letter ---


@pytest.fixture
def shared_twice(today):
    """Maya's name and address went to the police and to a school before; a share declined by a manager
    (nothing sent) does not count."""
    maya = PersonFactory(given_name="Maya", family_name="Reid")
    police = OrganisationFactory(name="Thames Valley Police")
    school = OrganisationFactory(name="Oakfield Academy")
    earlier = today - timedelta(days=30)
    DisclosureFactory(person=maya, organisation=police, decided_on=earlier)
    DisclosureFactory(person=maya, organisation=school, decided_on=earlier)
    DisclosureFactory(person=PersonFactory(), organisation=school, decided_on=earlier)  # someone else
    return maya


@pytest.fixture
def today():
    return timezone.localdate()


def test_a_rectification_granted_makes_a_task_per_earlier_disclosure(shared_twice, dpo, today):
    rights = RightsRequestFactory(subject=shared_twice, kind=RightsRequest.Kind.RECTIFICATION)
    services.decide_rights_request(
        rights=rights, decision=RightsRequest.Decision.GRANTED, decided_on=today, by=dpo
    )
    tasks = RecipientNotificationTask.objects.filter(flag__disclosure__person=shared_twice)
    assert sorted(str(t.organisation) for t in tasks) == ["Oakfield Academy", "Thames Valley Police"]
    assert {t.flag.reason for t in tasks} == {DisclosureFlag.Reason.RECTIFICATION}
    assert all(rights.reference in t.flag.note for t in tasks)
    # Safe twice: deciding again is refused, and notifying again adds nothing.
    rights.refresh_from_db()
    assert services.notify_recipients_of_decision(rights=rights, by=dpo) == []
    assert RecipientNotificationTask.objects.count() == 2
    with pytest.raises(ValidationError, match="already decided"):
        services.decide_rights_request(
            rights=rights, decision=RightsRequest.Decision.GRANTED, decided_on=today, by=dpo
        )


@pytest.mark.parametrize(
    ("kind", "decision", "tasks"),
    [
        (RightsRequest.Kind.RECTIFICATION, RightsRequest.Decision.PARTLY, 2),
        (RightsRequest.Kind.RECTIFICATION, RightsRequest.Decision.REFUSED, 0),
        (RightsRequest.Kind.RESTRICTION, RightsRequest.Decision.GRANTED, 2),
        (RightsRequest.Kind.ERASURE, RightsRequest.Decision.REFUSED, 0),
    ],
)
def test_only_a_granted_correction_or_restriction_tells_recipients(
    shared_twice, dpo, today, kind, decision, tasks
):
    rights = RightsRequestFactory(subject=shared_twice, kind=kind)
    services.decide_rights_request(
        rights=rights, decision=decision, reason="Reasons given.", decided_on=today, by=dpo
    )
    assert RecipientNotificationTask.objects.count() == tasks


def test_a_restriction_decided_through_the_service_stops_the_next_share(shared_twice, dpo, today):
    """Restriction is enforced by the sharing check (also tested in tests/sharing/test_check.py)."""
    rights = RightsRequestFactory(subject=shared_twice, kind=RightsRequest.Kind.RESTRICTION)
    services.decide_rights_request(
        rights=rights, decision=RightsRequest.Decision.GRANTED, decided_on=today, by=dpo
    )
    police = OrganisationFactory(name="Another force")
    from cases.factories import FamilyFactory, MembershipFactory

    family = FamilyFactory()
    MembershipFactory(family=family, person=shared_twice, start_date=date(2019, 1, 1))
    result = check_disclosure(
        people=[shared_twice], recipient=police, categories=["identity"], purpose="early_help", on=today
    )
    maya = result.person(shared_twice.pk)
    assert maya.outcome == REFUSED
    assert "restriction" in [c.code for c in maya.failed]


def test_a_rectification_decided_in_the_console_tells_recipients(admin_client, shared_twice, today):
    rights = RightsRequestFactory(subject=shared_twice, kind=RightsRequest.Kind.RECTIFICATION)
    url = reverse("admin:sar_rightsrequest_change", args=[rights.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(
        {
            "kind": rights.kind,
            "received_on": rights.received_on.isoformat(),
            "subject": shared_twice.pk,
            "decision": RightsRequest.Decision.GRANTED,
            "decided_on": today.isoformat(),
            "handled_by": "",
            "lifted_on": "",
            "identity_requested_on": "",
            "identity_received_on": "",
            "fee_requested_on": "",
            "fee_received_on": "",
            "extension_notified_on": "",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert RecipientNotificationTask.objects.filter(flag__disclosure__person=shared_twice).count() == 2


def test_the_rights_decision_letter_names_the_recipients_to_be_told(client, dpo, shared_twice, today):
    rights = RightsRequestFactory(
        subject=shared_twice, kind=RightsRequest.Kind.RECTIFICATION, requester_name="Maya Reid"
    )
    services.decide_rights_request(
        rights=rights,
        decision=RightsRequest.Decision.PARTLY,
        reason="The date of birth was wrong and is corrected; "
        "the worker's opinion stays, with your statement.",
        decided_on=today,
        by=dpo,
    )
    client.force_login(dpo)
    response = client.get(reverse("sar:rights_letter", args=[rights.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Our decision on your request to correct" in text
    assert "We have agreed to part of your request" in text
    assert "the worker's opinion stays" in text
    assert "Oakfield Academy, Thames Valley Police" in text
    _ico_and_court(text)


def test_an_undecided_rights_request_has_no_letter(client, dpo):
    client.force_login(dpo)
    rights = RightsRequestFactory()
    assert client.get(reverse("sar:rights_letter", args=[rights.pk])).status_code == 404


# --- FOI for the requester's own data becomes a SAR ---


def test_an_foi_request_for_own_data_becomes_a_sar_received_the_same_day(dpo):
    foi = FOIRequestFactory(
        received_on=date(2025, 1, 31), requester_name="Sam Person", reply_address="sam@example.org"
    )
    sar = services.convert_foi_to_sar(foi=foi, by=dpo, on=date(2025, 2, 3))
    foi.refresh_from_db()
    assert sar.received_on == date(2025, 1, 31)
    assert sar.requester_name == "Sam Person"
    assert sar.requester_contact == "sam@example.org"
    assert sar.due_date == date(2025, 2, 28)  # SAR rules (domain-rules §2), not 20 working days
    assert foi.handled_as_sar == sar
    assert list(sar.converted_from_foi.all()) == [foi]
    assert foi.outcome == FOIRequest.Outcome.CONVERTED
    assert foi.answered_on == date(2025, 2, 3)
    assert not foi.is_open
    assert sar.is_open


def test_an_foi_request_cannot_be_converted_twice_or_after_an_answer(dpo):
    foi = FOIRequestFactory(received_on=date(2025, 1, 31))
    services.convert_foi_to_sar(foi=foi, by=dpo, on=date(2025, 2, 3))
    with pytest.raises(ValidationError, match="already handled as SAR-"):
        services.convert_foi_to_sar(foi=foi, by=dpo)
    answered = FOIRequestFactory(
        received_on=date(2025, 1, 31), outcome=FOIRequest.Outcome.FULL, answered_on=date(2025, 2, 5)
    )
    with pytest.raises(ValidationError, match="has been answered"):
        services.convert_foi_to_sar(foi=answered, by=dpo)
    assert SubjectAccessRequest.objects.count() == 1


def test_a_converted_foi_needs_its_sar():
    foi = FOIRequestFactory.build(
        received_on=date(2025, 1, 31), outcome=FOIRequest.Outcome.CONVERTED, answered_on=date(2025, 2, 3)
    )
    with pytest.raises(ValidationError) as refused:
        foi.full_clean()
    assert refused.value.message_dict["handled_as_sar"] == [
        "Link the subject access request that handles it."
    ]


def test_the_console_action_converts_an_foi(admin_client):
    foi = FOIRequestFactory()
    response = admin_client.post(
        reverse("admin:sar_foirequest_changelist"),
        {"action": "handle_as_sar", "_selected_action": [foi.pk]},
        follow=True,
    )
    assert response.status_code == 200
    foi.refresh_from_db()
    assert foi.handled_as_sar is not None
    assert f"is now handled as {foi.handled_as_sar.reference}" in response.content.decode()


# --- Complaints ---


def test_a_complaint_outcome_letter_tells_the_story_and_the_ico(client, dpo):
    complaint = ComplaintFactory(
        received_on=date(2025, 6, 5),
        complainant_name="Dan Cole",
        summary="My address was sent to the wrong school.",
        acknowledged_on=date(2025, 6, 9),
        outcome=Complaint.Outcome.UPHELD,
        outcome_details="The school deleted the letter; staff have had extra training.",
        outcome_on=date(2025, 7, 20),
    )
    ComplaintUpdateFactory(
        complaint=complaint, sent_on=date(2025, 7, 1), note="We asked the school to delete it."
    )
    client.force_login(dpo)
    response = client.get(reverse("sar:complaint_letter", args=[complaint.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "The outcome of your complaint" in text
    assert "We confirmed we had it on 9 June 2025." in text
    assert "1 July 2025: We asked the school to delete it." in text  # the progress log
    assert "We agree with your complaint" in text
    assert "extra training" in text
    assert "20 July 2025" in text
    _ico_and_court(text)


def test_an_open_complaint_has_no_outcome_letter(client, dpo):
    client.force_login(dpo)
    complaint = ComplaintFactory()
    assert client.get(reverse("sar:complaint_letter", args=[complaint.pk])).status_code == 404


def test_a_complaint_about_a_person_holds_them_until_its_outcome():
    person = PersonFactory()
    complaint = ComplaintFactory(subject=person, received_on=date(2025, 6, 5))
    assert [b.code for b in retention_selectors.holds_on_people([person.pk])] == [
        retention_selectors.BlockerCode.AUTOMATIC_HOLD
    ]
    complaint.outcome = Complaint.Outcome.NOT_UPHELD
    complaint.outcome_on = date(2025, 7, 1)
    complaint.save()
    assert retention_selectors.holds_on_people([person.pk]) == []


def test_the_complaint_page_shows_the_acknowledgement_rag(admin_client):
    complaint = ComplaintFactory(received_on=timezone.localdate() - timedelta(days=40))
    page = admin_client.get(reverse("admin:sar_complaint_change", args=[complaint.pk])).content.decode()
    assert "Red: overdue" in page
    assert "Record the outcome and save first." in page
