"""Documents and paper locations (SPEC §4.1): type and size limits, storage, access-checked download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from cases.factories import FamilyFactory, MembershipFactory
from cases.models import Document, PaperRecord
from fss.core.models import AccessLogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def _upload(client, family, **extra):
    data = {
        "kind": "letter",
        "title": "Letter from school",
        "file": SimpleUploadedFile(
            "Ada Smith school letter.pdf", b"%PDF-1.4 test", content_type="application/pdf"
        ),
    }
    data.update(extra)
    return client.post(reverse("cases:document_upload", args=[family.pk]), data)


def test_an_upload_is_stored_under_a_random_name_and_downloaded_through_the_access_check(
    client, caseworker, north_team
):
    family = FamilyFactory(team=north_team)
    client.force_login(caseworker)
    assert _upload(client, family).status_code == 302
    document = Document.objects.get()
    assert "Ada" not in document.file.name
    assert document.size == len(b"%PDF-1.4 test")
    response = client.get(reverse("cases:document_download", args=[family.pk, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert "Ada" not in response["Content-Disposition"]
    assert AccessLogEntry.objects.filter(record_type="cases.document", action="download").exists()


def test_a_document_of_another_team_cannot_be_downloaded(client, other_caseworker, north_team, caseworker):
    family = FamilyFactory(team=north_team)
    client.force_login(caseworker)
    _upload(client, family)
    document = Document.objects.get()
    client.force_login(other_caseworker)
    assert client.get(reverse("cases:document_download", args=[family.pk, document.pk])).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ", "File extension “exe” is not allowed"),
        ("big.pdf", b"x" * 2048, "The file must be smaller than"),
    ],
)
def test_wrong_type_or_too_large_is_refused_beside_the_field(
    client, caseworker, north_team, name, content, message
):
    family = FamilyFactory(team=north_team)
    client.force_login(caseworker)
    with override_settings(DOCUMENT_MAX_BYTES=1024):
        response = _upload(client, family, file=SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Document.objects.exists()


def test_a_document_about_someone_outside_the_family_is_refused(client, caseworker, north_team):
    family = FamilyFactory(team=north_team)
    member = MembershipFactory(family=family).person
    client.force_login(caseworker)
    response = _upload(client, family, person=member.pk + 999)
    assert response.status_code == 200
    assert not Document.objects.exists()


def test_paper_locations_are_recorded_for_the_family(client, caseworker, north_team):
    family = FamilyFactory(team=north_team)
    client.force_login(caseworker)
    response = client.post(
        reverse("cases:paper_record_add", args=[family.pk]),
        {"location": "Walton Street store, room 3", "box_or_barcode": "BX-1042"},
    )
    assert response.status_code == 302
    assert PaperRecord.objects.get().family == family
    html = client.get(reverse("cases:family_detail", args=[family.pk])).content.decode()
    assert "Walton Street store, room 3" in html
