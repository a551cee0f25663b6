"""Privacy notice versions: drafted, published with an effective date, never edited after
(SPEC §5.3); and the installed version 1, corrected where domain-rules §1 says the notice is loose."""

import datetime
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from consent.factories import PrivacyNoticeSectionFactory, PrivacyNoticeVersionFactory
from consent.models import ImmutableRecordError, PrivacyNoticeSection, PrivacyNoticeVersion
from consent.notice import PLACEHOLDER
from consent.selectors import current_notice_version, render_notice
from consent.services import draft_notice_version, publish_notice_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def installed():
    return PrivacyNoticeVersion.objects.get(version=1)


def _text(rendered) -> str:
    """The rendered notice as plain text, as a reader sees it."""

    def block_text(block):
        if block.kind == "address":
            return "\n".join(block.lines)
        if block.kind == "list":
            return "\n".join("".join(part.text for part in item) for item in block.items)
        return "".join(part.text for part in block.parts)

    chunks = [rendered.title, *map(block_text, rendered.summary)]
    for section in rendered.sections:
        chunks += [section.heading, *map(block_text, section.blocks)]
    return "\n\n".join(chunks)


# --- which version is current


def test_the_current_version_is_the_latest_published_one_in_force(installed, notice_2020, today):
    assert current_notice_version() == installed
    assert current_notice_version(on=datetime.date(2024, 1, 1)) == notice_2020
    assert current_notice_version(on=datetime.date(2019, 12, 31)) is None


def test_a_version_published_for_a_later_date_is_current_only_from_that_date(installed, today):
    later = PrivacyNoticeVersionFactory(effective_from=today + timedelta(days=7))
    assert current_notice_version() == installed
    assert current_notice_version(on=today + timedelta(days=7)) == later


def test_a_draft_is_never_current(today):
    PrivacyNoticeVersionFactory(draft=True, effective_from=today - timedelta(days=1))
    assert current_notice_version().version == 1


# --- drafting and publishing


def test_a_draft_copies_the_current_version_with_the_next_number(installed, dpo):
    draft = draft_notice_version(by=dpo, change_summary="Update the retention wording")
    assert draft.status == PrivacyNoticeVersion.Status.DRAFT
    assert (
        draft.version == PrivacyNoticeVersion.objects.exclude(pk=draft.pk).order_by("-version")[0].version + 1
    )
    assert (draft.title, draft.summary, draft.created_by) == (installed.title, installed.summary, dpo)
    copied = list(draft.sections.values_list("position", "heading", "body"))
    assert copied == list(installed.sections.values_list("position", "heading", "body"))
    assert installed.sections.count() == 10  # the original is untouched


def test_publishing_a_draft_fixes_its_date_and_who_published_it(installed, dpo, today):
    draft = draft_notice_version(by=dpo)
    published = publish_notice_version(version=draft, by=dpo, effective_from=today + timedelta(days=14))
    assert published.status == PrivacyNoticeVersion.Status.PUBLISHED
    assert (published.effective_from, published.published_by) == (today + timedelta(days=14), dpo)
    assert published.published_at is not None
    assert current_notice_version() == installed
    assert current_notice_version(on=today + timedelta(days=14)) == published


def test_a_notice_cannot_take_effect_in_the_past(dpo, today):
    draft = draft_notice_version(by=dpo)
    with pytest.raises(ValidationError) as exc:
        publish_notice_version(version=draft, by=dpo, effective_from=today - timedelta(days=1))
    assert "cannot take effect in the past" in exc.value.message_dict["effective_from"][0]


def test_a_notice_cannot_take_effect_before_one_already_published(dpo, today):
    PrivacyNoticeVersionFactory(effective_from=today + timedelta(days=30))
    draft = draft_notice_version(by=dpo)
    with pytest.raises(ValidationError, match="must take effect on or after"):
        publish_notice_version(version=draft, by=dpo, effective_from=today + timedelta(days=29))


def test_a_published_version_cannot_be_published_again(installed, dpo, today):
    with pytest.raises(ValidationError, match="already published"):
        publish_notice_version(version=installed, by=dpo, effective_from=today)


def test_an_empty_notice_or_an_unknown_placeholder_is_not_published(dpo, today):
    empty = PrivacyNoticeVersionFactory(draft=True)
    with pytest.raises(ValidationError, match="at least one section"):
        publish_notice_version(version=empty, by=dpo, effective_from=today)
    typo = PrivacyNoticeSectionFactory(body="Email {dpo_mail}.").version
    with pytest.raises(ValidationError, match=r"Unknown placeholder \{dpo_mail\}"):
        publish_notice_version(version=typo, by=dpo, effective_from=today)


def test_an_unknown_placeholder_is_reported_next_to_the_field():
    section = PrivacyNoticeSectionFactory.build(
        version=PrivacyNoticeVersionFactory(draft=True), heading="{controler_name}", body="fine"
    )
    with pytest.raises(ValidationError) as exc:
        section.full_clean()
    assert "Unknown placeholder {controler_name}" in exc.value.message_dict["heading"][0]


def test_a_published_version_and_its_sections_cannot_be_edited_or_deleted(installed):
    installed.title = "Something else"
    with pytest.raises(ImmutableRecordError, match="draft a new version"):
        installed.save()
    section = installed.sections.first()
    section.body = "Changed"
    with pytest.raises(ImmutableRecordError):
        section.save()
    with pytest.raises(ImmutableRecordError):
        section.delete()
    with pytest.raises(ImmutableRecordError):
        PrivacyNoticeSection.objects.create(version=installed, position=99, heading="Extra", body="Extra")
    with pytest.raises(ImmutableRecordError):
        installed.delete()


def test_a_draft_can_be_edited_and_its_history_is_kept(dpo):
    draft = draft_notice_version(by=dpo)
    draft.title = "{service_name}: how we use your information"
    draft.save()
    section = draft.sections.first()
    section.body = "New words"
    section.save()
    assert draft.history.count() == 2
    assert PrivacyNoticeSection.objects.get(pk=section.pk).body == "New words"


# --- the installed notice: the service's text, corrected (domain-rules §1)


@pytest.mark.parametrize(
    "says",
    [
        # Lawful bases with their paragraphs (§1.1), and consent only where an agreement relies on it (§1.2).
        "Article 6(1)(e) UK GDPR, public task",
        "Article 6(1)(c) UK GDPR, legal obligation",
        "consent: only where a data sharing agreement with a partner relies on your consent",
        "Getting help from this service is voluntary",
        "whether you agree to work with us, and whether you agree to us gathering and storing information",
        "Agreeing to work with us is not the legal reason we are allowed to use your information",
        # Special category (§1.4).
        "your racial or ethnic origin",
        "your religious beliefs",
        "your health, including any special educational needs or disability (SEND)",
        "Gender is not special category data in law, but we protect it in the same way",
        'criminal offence data" (Article 10 UK GDPR)',
        # The programme (§1.5).
        "Supporting Families",
        "Since 1 April 2024 the programme has been run by the Department for Education",
        "shared with the government department that runs the Supporting Families programme, "
        "which is currently the Department for Education",
        # Rights and complaints (§1.6, domain-rules §3).
        "(rectification)",
        "(erasure)",
        "(restriction)",
        "object to how we use your information",
        "withdraw your consent at any time",
        "We will acknowledge your complaint within 30 days",
        "complain to the Information Commissioner's Office (ICO)",
        # Safeguarding and the participation duty, kept from the original.
        "with or without your agreement",
        "Education Act 1996 and the Education and Skills Act 2008",
        "no more than their name, address and date of birth",
    ],
)
def test_the_installed_notice_says_it_properly(installed, says):
    assert says in _text(render_notice(version=installed))


@pytest.mark.parametrize(
    "no_longer",
    [
        "Ministry of Housing, Communities and Local Government",
        "The lawful basis for this is Article 6 of the General Data Protection Regulation",
        "such as your gender, ethnic origin and religion",  # gender called special category
        "called ‘Troubled Families’",
    ],
)
def test_the_installed_notice_no_longer_says_what_was_wrong(installed, no_longer):
    assert no_longer not in _text(render_notice(version=installed))


@pytest.mark.parametrize(
    "hard_coded",
    [
        "Buckinghamshire",
        "dataprotection@",
        "access2information@",
        "Walton Street",
        "HP20",
        "7 years",
        "ico.org.uk",
    ],
)
def test_the_installed_notice_stores_no_contact_address_or_period(installed, hard_coded):
    sections = [f"{heading} {body}" for heading, body in installed.sections.values_list("heading", "body")]
    stored = " ".join([installed.title, installed.summary, *sections])
    assert hard_coded not in stored


def test_the_installed_notice_uses_every_placeholder_and_renders_none_unfilled(installed):
    stored = " ".join(body for body in installed.sections.values_list("body", flat=True))
    used = set(PLACEHOLDER.findall(stored + installed.title + installed.summary))
    assert used == {
        "controller_name",
        "service_name",
        "dpo_email",
        "foi_email",
        "address",
        "retention_sentence",
        "ico_url",
    }
    assert not re.search(PLACEHOLDER, _text(render_notice(version=installed)))


def test_the_installed_notice_keeps_the_original_sections_and_adds_other_rights(installed):
    headings = [section.heading for section in render_notice(version=installed).sections]
    assert headings == [
        "What is the Family Support Service?",
        "Where is my personal information stored?",
        "Who is my information being shared with?",
        "How will this affect me?",
        "How do I access my information?",
        "Your other rights",
        "Who is the Data Controller and Data Protection Officer?",
        "Why does the Family Support Service collect your information?",
        "How long will your information be kept?",
        "Complaints",
    ]
