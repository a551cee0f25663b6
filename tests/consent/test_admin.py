"""The DPO console's consent registers: records read only, notices drafted and published
through the services (SPEC §1, §5)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from consent.factories import ConsentRecordFactory, PrivacyNoticeSectionFactory, PrivacyNoticeVersionFactory
from consent.models import ConsentRecord, PrivacyNoticeVersion
from fss.core.factories import UserFactory
from fss.core.models import AccessLogEntry

pytestmark = pytest.mark.django_db

# The DPO role is given the consent permissions in fss/core/roles.py (not yet); a superuser
# stands in for it here.


@pytest.fixture
def console(client):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


def test_consent_records_are_read_only_in_the_console(console):
    made = ConsentRecordFactory()
    change_url = reverse("admin:consent_consentrecord_change", args=[made.pk])
    assert console.get(reverse("admin:consent_consentrecord_changelist")).status_code == 200
    assert console.get(reverse("admin:consent_consentrecord_add")).status_code == 403
    page = console.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    console.post(change_url, {"decision": "refused"})
    assert ConsentRecord.objects.get(pk=made.pk).decision == ConsentRecord.Decision.GIVEN
    assert console.post(reverse("admin:consent_consentrecord_delete", args=[made.pk])).status_code == 403


def test_opening_a_consent_record_in_the_console_is_access_logged(console):
    made = ConsentRecordFactory()
    console.get(reverse("admin:consent_consentrecord_change", args=[made.pk]))
    entry = AccessLogEntry.objects.get(record_type="consent.consentrecord", record_id=str(made.pk))
    assert (entry.action, entry.family_id, entry.person_id) == (
        AccessLogEntry.Action.VIEW,
        made.family_id,
        made.person_id,
    )


def test_the_console_drafts_a_new_version_from_a_published_one(console):
    changelist = reverse("admin:consent_privacynoticeversion_changelist")
    installed = PrivacyNoticeVersion.objects.get(version=1)
    response = console.post(changelist, {"action": "draft_from_selected", "_selected_action": [installed.pk]})
    draft = PrivacyNoticeVersion.objects.order_by("-version").first()
    assert draft.status == PrivacyNoticeVersion.Status.DRAFT
    assert response["Location"] == reverse("admin:consent_privacynoticeversion_change", args=[draft.pk])
    assert draft.sections.count() == installed.sections.count()


def test_the_console_publishes_a_draft_from_its_planned_date(console):
    draft = PrivacyNoticeVersionFactory(draft=True, effective_from=timezone.localdate())
    PrivacyNoticeSectionFactory(version=draft)
    console.post(
        reverse("admin:consent_privacynoticeversion_changelist"),
        {"action": "publish_selected", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.is_published
    assert draft.published_by.username == "root"


def test_the_console_explains_why_a_draft_was_not_published(console):
    draft = PrivacyNoticeVersionFactory(draft=True)
    response = console.post(
        reverse("admin:consent_privacynoticeversion_changelist"),
        {"action": "publish_selected", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "was not published: A notice needs at least one section." in response.content.decode()
    draft.refresh_from_db()
    assert not draft.is_published


def test_a_published_version_is_view_only_and_cannot_be_deleted_in_the_console(console):
    installed = PrivacyNoticeVersion.objects.get(version=1)
    page = console.get(reverse("admin:consent_privacynoticeversion_change", args=[installed.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="_save"' not in html
    assert 'name="sections-0-body"' not in html
    assert (
        console.post(reverse("admin:consent_privacynoticeversion_delete", args=[installed.pk])).status_code
        == 403
    )
    changelist = console.get(reverse("admin:consent_privacynoticeversion_changelist")).content.decode()
    assert "delete_selected" not in changelist


def test_a_draft_is_edited_in_the_console_and_an_unknown_placeholder_is_refused(console):
    draft = PrivacyNoticeVersionFactory(draft=True, title="Old title")
    section = PrivacyNoticeSectionFactory(version=draft, position=1)
    url = reverse("admin:consent_privacynoticeversion_change", args=[draft.pk])
    form = {
        "title": "{service_name} privacy notice",
        "summary": "",
        "change_summary": "",
        "effective_from": "",
        "sections-TOTAL_FORMS": "1",
        "sections-INITIAL_FORMS": "1",
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "1000",
        "sections-0-id": str(section.pk),
        "sections-0-version": str(draft.pk),
        "sections-0-position": "1",
        "sections-0-heading": "Contact",
        "sections-0-body": "Email {dpo_mail}.",
    }
    refused = console.post(url, form)
    assert refused.status_code == 200
    assert "Unknown placeholder {dpo_mail}" in refused.content.decode()
    form["sections-0-body"] = "Email {dpo_email}."
    assert console.post(url, form).status_code == 302
    section.refresh_from_db()
    assert section.body == "Email {dpo_email}."


def test_the_console_previews_a_draft_that_the_public_page_does_not_show(console, client):
    draft = PrivacyNoticeVersionFactory(draft=True, title="Our new notice")
    PrivacyNoticeSectionFactory(version=draft, heading="What changes", body="Write to {dpo_email}.")
    preview = console.get(reverse("admin:consent_privacynoticeversion_preview", args=[draft.pk]))
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Preview of draft version" in html
    assert "Our new notice" in html
    assert 'Write to <a class="govuk-link" href="mailto:' in html
    assert "Our new notice" not in console.get("/privacy-notice/").content.decode()
