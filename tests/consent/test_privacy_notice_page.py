"""GET /privacy-notice/: the current published notice, public, filled from settings and the
retention policy so the notice and the software cannot disagree (SPEC §5.3, §12)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from consent.factories import PrivacyNoticeSectionFactory, PrivacyNoticeVersionFactory
from consent.models import PrivacyNoticeVersion
from consent.notice import PLACEHOLDER
from retention.models import RetentionPolicy

pytestmark = pytest.mark.django_db

URL = "/privacy-notice/"


def _html(client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_the_notice_has_a_stable_public_address():
    assert reverse("consent:privacy_notice") == URL


def test_anyone_can_read_the_notice_without_signing_in(client):
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["consent/privacy_notice.html", "base.html"]
    assert '<h1 class="govuk-heading-xl">Family Support Service privacy notice</h1>' in html
    assert "Version 1, in effect from 26 November 2026." in html


def test_the_page_has_a_contents_list_linking_to_a_heading_for_each_section(client):
    html = _html(client)
    anchors = re.findall(r'<a class="govuk-link" href="#([a-z0-9-]+)">', html)
    headings = re.findall(r'<h2 class="govuk-heading-l" id="([a-z0-9-]+)">', html)
    assert anchors == headings
    assert len(headings) == 10
    assert "what-is-the-family-support-service" in headings


def test_the_notice_is_filled_from_the_organisation_settings(client, settings):
    default = _html(client)
    assert '<a class="govuk-link" href="mailto:dataprotection@buckinghamshire.gov.uk">' in default
    assert "Walton Street Offices<br>Walton Street<br>Aylesbury" in default

    settings.ORGANISATION = {
        "controller_name": "Northshire Council",
        "service_name": "Early Help Service",
        "dpo_email": "dpo@northshire.example",
        "foi_email": "foi@northshire.example",
        "address": ["Northshire Council", "1 High Street", "Northtown", "NO1 1AA"],
        "ico_url": "https://ico.org.uk/make-a-complaint/data-protection-complaints/",
    }
    html = _html(client)
    assert "Early Help Service privacy notice" in html
    assert "Northshire Council is the Data Controller" in html
    assert '<a class="govuk-link" href="mailto:dpo@northshire.example">dpo@northshire.example</a>' in html
    assert '<a class="govuk-link" href="mailto:foi@northshire.example">foi@northshire.example</a>' in html
    assert "Northshire Council<br>1 High Street<br>Northtown<br>NO1 1AA" in html
    assert 'href="https://ico.org.uk/make-a-complaint/data-protection-complaints/"' in html
    for old in ("Buckinghamshire", "Walton Street", "Family Support Service", "dataprotection@"):
        assert old not in html


def test_the_retention_sentence_follows_the_policy_in_force(client, today):
    assert (
        "Information will be stored securely for 7 years after our involvement with you has ended."
        in _html(client)
    )
    RetentionPolicy.objects.create(
        record_kind=RetentionPolicy.RecordKind.FAMILY_CASE_FILE,
        version=2,
        effective_from=today,
        trigger=RetentionPolicy.Trigger.LATEST_CASE_CLOSURE,
        period_years=8,
        period_months=6,
    )
    html = _html(client)
    assert "stored securely for 8 years and 6 months after our involvement" in html
    assert "7 years" not in html


def test_no_placeholder_is_left_unfilled(client):
    html = _html(client)
    assert not PLACEHOLDER.search(html)
    assert "{" not in re.sub(r"<script.*?</script>", "", html, flags=re.S)


def test_drafts_and_versions_not_yet_in_force_are_never_shown(client, dpo, today):
    draft = PrivacyNoticeVersionFactory(draft=True, title="DRAFT TITLE", effective_from=today)
    PrivacyNoticeSectionFactory(version=draft, heading="Draft heading", body="Unpublished words")
    later = PrivacyNoticeVersionFactory(draft=True, title="LATER TITLE")
    PrivacyNoticeSectionFactory(version=later, body="Words for next month")
    from consent.services import publish_notice_version

    publish_notice_version(version=later, by=dpo, effective_from=today + timedelta(days=30))
    html = _html(client)
    for hidden in ("DRAFT TITLE", "Unpublished words", "LATER TITLE", "Words for next month"):
        assert hidden not in html
    assert "Version 1," in html


def test_with_no_published_notice_the_page_says_so_with_a_503(client):
    PrivacyNoticeVersion.objects.all().delete()
    PrivacyNoticeVersionFactory(draft=True, title="Draft only")
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 503
    assert "Privacy notice not published yet" in html
    assert "Draft only" not in html


def test_without_a_retention_policy_the_notice_is_withheld_not_shown_half_filled(client):
    RetentionPolicy.objects.filter(record_kind=RetentionPolicy.RecordKind.FAMILY_CASE_FILE).delete()
    response = client.get(URL)
    assert response.status_code == 503


def test_the_page_answers_get_only(client):
    assert client.post(URL).status_code == 405


def test_the_page_has_no_inline_script_or_style(client):
    html = _html(client)
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    assert "style=" not in html
    assert "<style" not in html


def test_the_page_takes_a_fixed_number_of_queries(client, django_assert_num_queries):
    # The version, its sections, and the retention policy.
    with django_assert_num_queries(3):
        client.get(URL)


def test_the_notice_links_to_the_public_complaint_form(client):
    html = _html(client)
    form = reverse("sar:complaint_public")
    assert f'href="{form}"' in html
    # The form it links to is itself public (SPEC §8.4).
    assert client.get(form).status_code == 200
