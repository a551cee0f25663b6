"""The document for a recorded share, made for its transfer method (SPEC §6.2): a CSV file for electronic
methods, a letter for post, a record sheet for phone or meetings — holding only the people and items the
check allowed, with the agreement's reference and the onward-use limits; access-logged; only for people
who may see the family."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from cases.factories import FamilyAddressFactory
from consent.models import ConsentRecord
from fss.core.models import AccessLogEntry
from sharing import transfer
from sharing.check import check_disclosure
from sharing.factories import DisclosureApprovalFactory
from sharing.services import record_disclosure

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def people(family, maya, tia, leo, consent, opt_out, restrict, today):
    """Maya shares in full; Tia has the education opt-out (name, address, DOB only); Leo is restricted."""
    maya.send_details = "Maya-health-detail"
    maya.has_send = True
    maya.save()
    tia.send_details = "Tia-health-detail"
    tia.has_send = True
    tia.save()
    leo.send_details = "Leo-health-detail"
    leo.save()
    opt_out(tia, today)
    restrict(leo, today)
    FamilyAddressFactory(family=family, line_1="12 Elm Road", postcode="HP20 1AA", start_date=today)
    return [maya, tia, leo]


@pytest.fixture
def share(family, police, caseworker, agreement, today, people):
    def _share(method, *, onward="", by=None):
        question = {
            "people": people,
            "recipient": police,
            "categories": ["identity", "address", "health_send"],
            "purpose": "early_help",
            "on": today,
        }
        expected = check_disclosure(family=family, **question).fingerprint()
        return record_disclosure(
            family=family,
            by=by or caseworker,
            expected=expected,
            family_told=True,
            transfer_method=method,
            onward_use_limits=onward,
            **question,
        )

    return _share


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_secure_email_gives_a_csv_of_exactly_the_items_allowed(share, family, people, agreement):
    maya, tia, leo = people
    disclosures = share("secure_email", onward="Not to be passed to any third party.")
    document = transfer.build(family=family, decision_id=disclosures[0].decision_id)
    assert document.kind == transfer.FILE
    assert document.filename.endswith(".csv")
    rows = _rows(document.content)
    terms = {row[0]: row[1] for row in rows if len(row) == 2}
    assert terms["Agreement"].startswith(agreement.reference)
    assert terms["Onward use"] == "Not to be passed to any third party."
    header = next(row for row in rows if row and row[0] == "Record number")
    body = {row[0]: dict(zip(header, row, strict=True)) for row in rows[rows.index(header) + 1 :]}
    # The restricted person is not in the file at all.
    assert set(body) == {str(maya.pk), str(tia.pk)}
    assert body[str(maya.pk)]["Name and date of birth: Given name"] == "Maya"
    assert body[str(maya.pk)]["Health, disability and SEND: SEND and health details"] == "Maya-health-detail"
    assert "12 Elm Road" in body[str(maya.pk)]["Address: Address"]
    # The education opt-out: name, address and date of birth only.
    assert body[str(tia.pk)]["Name and date of birth: Given name"] == "Tia"
    assert body[str(tia.pk)]["Health, disability and SEND: SEND and health details"] == ""
    text = document.content.decode("utf-8")
    assert "Tia-health-detail" not in text
    assert "Leo" not in text


def test_post_gives_a_letter_pdf_to_the_recipient_with_only_the_allowed_items(
    share, family, agreement, police
):
    police.contact_name = "Sgt Ada Cole"
    police.save()
    disclosures = share("recorded_post")
    document = transfer.build(family=family, decision_id=disclosures[0].decision_id)
    assert (document.kind, document.content_type) == (transfer.LETTER, "application/pdf")
    assert document.content.startswith(b"%PDF")
    text = _pdf_text(document.content)
    assert "Dear Sgt Ada Cole" in text
    assert agreement.reference in text
    assert "Limits on onward use" in text
    # No limits on the decision or the agreement: the standing limits apply.
    assert "Use this information only for the purpose stated" in text
    assert "Maya-health-detail" in text
    assert "Tia-health-detail" not in text
    assert "Leo-health-detail" not in text


def test_phone_gives_a_record_sheet(share, family):
    disclosures = share("phone")
    document = transfer.build(family=family, decision_id=disclosures[0].decision_id)
    assert document.kind == transfer.RECORD_SHEET
    text = _pdf_text(document.content)
    assert "Record of information shared by phone" in text
    assert "Spoken to" in text
    assert "Leo-health-detail" not in text


def test_nothing_to_send_until_a_manager_approves(
    family, police, agreement, caseworker, manager, maya, consent, today
):
    consent(maya, "partner:police", ConsentRecord.Decision.WITHDRAWN)
    question = {
        "people": [maya],
        "recipient": police,
        "categories": ["identity"],
        "purpose": "early_help",
        "on": today,
        "override_reason": "Needed to arrange a joint visit.",
    }
    [disclosure] = record_disclosure(
        family=family,
        by=caseworker,
        expected=check_disclosure(family=family, **question).fingerprint(),
        family_told=True,
        transfer_method="secure_email",
        **question,
    )
    with pytest.raises(ValidationError, match="has not approved this share yet"):
        transfer.build(family=family, decision_id=disclosure.decision_id)
    DisclosureApprovalFactory(disclosure=disclosure, decided_by=manager)
    document = transfer.build(family=family, decision_id=disclosure.decision_id)
    assert "Maya" in document.content.decode("utf-8")


def test_a_decision_not_to_share_has_nothing_to_send(family, police, agreement, caseworker, maya, today):
    question = {
        "people": [maya],
        "recipient": police,
        "categories": ["identity"],
        "purpose": "early_help",
        "on": today,
    }
    [disclosure] = record_disclosure(
        family=family,
        by=caseworker,
        expected=None,
        family_told=True,
        share=False,
        not_sharing_reason="Not proportionate.",
        **question,
    )
    with pytest.raises(ValidationError, match="decision not to share"):
        transfer.build(family=family, decision_id=disclosure.decision_id)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_download_is_logged_per_person_and_only_for_those_who_see_the_family(
    share, family, people, caseworker, other_caseworker, analyst
):
    maya, tia, leo = people
    disclosures = share("secure_email")
    url = reverse("sharing:transfer_document", args=[family.pk, disclosures[0].decision_id])
    response = _client(caseworker).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    logged = set(
        AccessLogEntry.objects.filter(user=caseworker, action=AccessLogEntry.Action.EXPORT).values_list(
            "person_id", flat=True
        )
    )
    assert logged == {maya.pk, tia.pk}
    assert _client(other_caseworker).get(url).status_code == 404
    assert _client(analyst).get(url).status_code == 403


def test_the_detail_page_offers_the_document_for_the_method(share, family, caseworker):
    disclosures = share("recorded_post")
    response = _client(caseworker).get(
        reverse("sharing:disclosure_detail", args=[family.pk, disclosures[0].pk])
    )
    assert "Download the letter to the recipient (PDF)" in response.content.decode()
