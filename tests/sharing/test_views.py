"""Sharing pages: who may see each, what they show, the two-step share with the check's answer before
anything is recorded, access logging, no personal data in URLs and query counts that do not grow."""

import datetime
import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consent.models import ConsentRecord
from fss.core.models import AccessLogEntry
from sharing.check import Safeguarding
from sharing.models import Disclosure, DisclosureApproval, DpoReview
from sharing.selectors import family_sharing_history
from sharing.services import record_disclosure

pytestmark = pytest.mark.django_db

WITHDRAWN = ConsentRecord.Decision.WITHDRAWN


@pytest.fixture
def shared(agreement, family, maya, dan, police, caseworker, today):
    return record_disclosure(
        family=family,
        people=[maya, dan],
        recipient=police,
        categories=["identity", "address"],
        purpose="early_help",
        on=today,
        by=caseworker,
        expected=None,
        family_told=True,
        transfer_method="secure_email",
    )


@pytest.fixture
def pending(agreement, family, maya, police, caseworker, consent, today):
    consent(maya, "partner:police", WITHDRAWN)
    return record_disclosure(
        family=family,
        people=[maya],
        recipient=police,
        categories=["identity"],
        purpose="early_help",
        on=today,
        by=caseworker,
        expected=None,
        override_reason="Police must find Leo's father today.",
        family_told=True,
        transfer_method="secure_email",
    )


@pytest.fixture
def safeguarding(family, maya, police, caseworker, today):
    return record_disclosure(
        family=family,
        people=[maya],
        recipient=police,
        categories=["identity"],
        purpose="safeguarding",
        on=today,
        by=caseworker,
        expected=None,
        safeguarding=Safeguarding("Threats to the children.", immediate_risk=True),
        family_told=True,
        transfer_method="phone",
    )


def _date(prefix, value):
    return {f"{prefix}_0": value.day, f"{prefix}_1": value.month, f"{prefix}_2": value.year}


# --- who may see what ------------------------------------------------------------------------------

FAMILY_PAGES = ["history", "disclosure_new", "disclosure_detail"]


@pytest.mark.parametrize(
    ("persona", "page", "status"),
    [
        ("caseworker", "history", 200),
        ("caseworker", "disclosure_new", 200),
        ("caseworker", "disclosure_detail", 200),
        ("colleague", "disclosure_new", 200),
        ("manager", "history", 200),
        ("manager", "disclosure_new", 200),
        ("other_caseworker", "history", 404),  # another team: never a hint it exists
        ("other_caseworker", "disclosure_new", 404),
        ("other_caseworker", "disclosure_detail", 404),
        ("dpo", "history", 200),  # reads everything, logged
        ("dpo", "disclosure_detail", 200),
        ("dpo", "disclosure_new", 403),  # the DPO does not share
        ("analyst", "history", 403),
        ("analyst", "disclosure_detail", 403),
        ("records_officer", "history", 403),
        ("sysadmin", "disclosure_new", 403),
    ],
    indirect=["persona"],
)
def test_family_sharing_pages_per_role(client, persona, page, status, family, shared):
    client.force_login(persona)
    args = [family.pk, shared[0].pk] if page == "disclosure_detail" else [family.pk]
    assert client.get(reverse(f"sharing:{page}", args=args)).status_code == status


@pytest.mark.parametrize(
    ("persona", "page", "status"),
    [
        ("manager", "approval_queue", 200),
        ("manager", "approval_decide", 200),
        ("caseworker", "approval_queue", 403),
        ("caseworker", "approval_decide", 403),
        ("dpo", "approval_queue", 403),
        ("dpo", "dpo_review_queue", 200),
        ("dpo", "dpo_review", 200),
        ("manager", "dpo_review_queue", 403),
        ("analyst", "dpo_review", 403),
    ],
    indirect=["persona"],
)
def test_queue_pages_per_role(client, persona, page, status, safeguarding):
    client.force_login(persona)
    args = [] if page.endswith("queue") else [safeguarding[0].decision_id]
    assert client.get(reverse(f"sharing:{page}", args=args)).status_code == status


def test_a_manager_of_another_team_cannot_open_the_decision(client, safeguarding, south_team):
    from fss.core import roles
    from fss.core.factories import UserFactory

    client.force_login(UserFactory(roles=[roles.TEAM_MANAGER], team=south_team))
    assert (
        client.get(reverse("sharing:approval_decide", args=[safeguarding[0].decision_id])).status_code == 404
    )


def test_no_personal_data_in_sharing_urls():
    from sharing.urls import urlpatterns

    for pattern in urlpatterns:
        converters = re.findall(r"<(\w+):", str(pattern.pattern))
        assert set(converters) <= {"int", "uuid"}, pattern


# --- the pages' content ----------------------------------------------------------------------------


def test_history_lists_each_decision_and_logs_the_read(client, caseworker, family, shared):
    client.force_login(caseworker)
    html = client.get(reverse("sharing:history", args=[family.pk])).content.decode()
    assert "Thames Valley Police" in html
    assert "Maya Reid" in html
    assert "Dan Cole" in html
    assert html.count("Why?") == 2
    entry = AccessLogEntry.objects.filter(view_name="sharing:history").get()
    assert (entry.user, entry.family_id, entry.action) == (caseworker, family.pk, "view")


def test_why_page_replays_the_stored_decision_not_a_new_check(
    client, caseworker, family, maya, shared, consent
):
    consent(maya, "partner:police", WITHDRAWN)  # would change a new check's answer
    client.force_login(caseworker)
    response = client.get(reverse("sharing:disclosure_detail", args=[family.pk, shared[0].pk]))
    html = response.content.decode()
    assert "It is never re-run or changed." in html
    assert "Maya Reid: name and date of birth, address may be shared" in html
    assert "withdrew" not in html
    assert "Every condition checked for Maya Reid" in html
    entry = AccessLogEntry.objects.filter(view_name="sharing:disclosure_detail").get()
    assert (entry.person_id, entry.record_type) == (maya.pk, "sharing.disclosure")


def test_why_page_of_another_familys_disclosure_is_404(client, caseworker, shared, north_team):
    from cases.factories import FamilyFactory

    other = FamilyFactory(team=north_team)
    client.force_login(caseworker)
    assert client.get(reverse("sharing:disclosure_detail", args=[other.pk, shared[0].pk])).status_code == 404


def test_the_family_page_fragment_shows_the_history(client, caseworker, family, shared, rf):
    html = render_to_string(
        "sharing/_family_sharing_history.html",
        {"family": family, "sharing_history": family_sharing_history(family=family, limit=10)},
    )
    assert "Thames Valley Police" in html
    assert reverse("sharing:disclosure_detail", args=[family.pk, shared[0].pk]) in html
    assert reverse("sharing:history", args=[family.pk]) in html


# --- sharing in two steps --------------------------------------------------------------------------


@pytest.fixture
def share_form(family, maya, dan, police, today):
    return {
        "step": "check",
        "recipient": police.pk,
        "purpose": "early_help",
        "categories": ["identity", "address"],
        "people": [maya.pk, dan.pk],
        **_date("decided_on", today),
    }


def test_the_check_answers_per_person_before_anything_is_recorded(
    client, caseworker, family, agreement, consent, dan, share_form
):
    consent(dan, "partner:police", WITHDRAWN)
    client.force_login(caseworker)
    response = client.post(reverse("sharing:disclosure_new", args=[family.pk]), share_form)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Check before sharing" in html
    assert "Maya Reid: name and date of birth, address may be shared" in html
    assert "Dan Cole: not to be shared. Dan Cole withdrew consent for “Sharing with the police”" in html
    assert 'name="record-fingerprint"' in html
    assert not Disclosure.objects.exists()


def test_recording_the_decision_after_the_check(client, caseworker, family, agreement, share_form):
    client.force_login(caseworker)
    url = reverse("sharing:disclosure_new", args=[family.pk])
    preview = client.post(url, share_form).content.decode()
    fingerprint = re.search(r'name="record-fingerprint" value="([0-9a-f]+)"', preview).group(1)
    response = client.post(
        url,
        {
            **share_form,
            "step": "record",
            "record-share": "yes",
            "record-transfer_method": "secure_email",
            "record-family_told": "yes",
            "record-fingerprint": fingerprint,
        },
    )
    assert response.status_code == 302
    assert Disclosure.objects.count() == 2
    first = Disclosure.objects.order_by("pk").first()
    assert response["Location"] == reverse("sharing:disclosure_detail", args=[family.pk, first.pk])


def test_a_changed_answer_is_shown_again_with_the_reason(
    client, caseworker, family, agreement, share_form, maya, consent
):
    client.force_login(caseworker)
    url = reverse("sharing:disclosure_new", args=[family.pk])
    preview = client.post(url, share_form).content.decode()
    fingerprint = re.search(r'name="record-fingerprint" value="([0-9a-f]+)"', preview).group(1)
    consent(maya, "partner:police", WITHDRAWN, on=datetime.date.today())
    record = {
        **share_form,
        "step": "record",
        "record-share": "yes",
        "record-transfer_method": "secure_email",
        "record-family_told": "yes",
        "record-fingerprint": fingerprint,
    }
    html = client.post(url, record).content.decode()
    assert "The answer of the check has changed since you saw it" in html
    assert "Maya Reid: not to be shared" in html
    assert not Disclosure.objects.exists()
    fresh = re.search(r'name="record-fingerprint" value="([0-9a-f]+)"', html).group(1)
    assert fresh != fingerprint
    assert client.post(url, {**record, "record-fingerprint": fresh}).status_code == 302


def test_errors_are_shown_beside_the_fields(client, caseworker, family, agreement, share_form):
    client.force_login(caseworker)
    url = reverse("sharing:disclosure_new", args=[family.pk])
    html = client.post(url, {**share_form, "is_safeguarding": "on"}).content.decode()
    assert "There is a problem" in html
    assert "Give a written justification" in html
    preview = client.post(url, share_form).content.decode()
    fingerprint = re.search(r'name="record-fingerprint" value="([0-9a-f]+)"', preview).group(1)
    html = client.post(
        url,
        {
            **share_form,
            "step": "record",
            "record-share": "yes",
            "record-transfer_method": "secure_email",
            "record-family_told": "no",
            "record-fingerprint": fingerprint,
        },
    ).content.decode()
    assert "Say why the family was not told" in html
    assert not Disclosure.objects.exists()


def test_a_person_from_another_family_cannot_be_chosen(client, caseworker, family, agreement, share_form):
    from cases.factories import PersonFactory

    client.force_login(caseworker)
    stranger = PersonFactory()
    html = client.post(
        reverse("sharing:disclosure_new", args=[family.pk]), {**share_form, "people": [stranger.pk]}
    ).content.decode()
    assert f"Select a valid choice. {stranger.pk} is not one of the available choices." in html


# --- approval and review pages ---------------------------------------------------------------------


def test_manager_approves_from_the_queue(client, manager, pending):
    client.force_login(manager)
    queue = client.get(reverse("sharing:approval_queue")).content.decode()
    assert "Against recorded wishes" in queue
    url = reverse("sharing:approval_decide", args=[pending[0].decision_id])
    page = client.get(url).content.decode()
    assert "Police must find Leo&#x27;s father today." in page
    response = client.post(url, {"outcome": "approve", "comment": ""})
    assert response.status_code == 302
    assert DisclosureApproval.objects.get().outcome == "approved"


def test_a_manager_sees_why_they_cannot_approve_their_own_share(
    client, manager, agreement, family, maya, police, consent, today
):
    consent(maya, "partner:police", WITHDRAWN)
    [disclosure] = record_disclosure(
        family=family,
        people=[maya],
        recipient=police,
        categories=["identity"],
        purpose="early_help",
        on=today,
        by=manager,
        expected=None,
        override_reason="Court order.",
        family_told=True,
        transfer_method="secure_email",
    )
    client.force_login(manager)
    assert "Another manager must approve" in client.get(reverse("sharing:approval_queue")).content.decode()
    html = client.post(
        reverse("sharing:approval_decide", args=[disclosure.decision_id]), {"outcome": "approve"}
    ).content.decode()
    assert "You recorded this share, so you cannot approve it yourself" in html
    assert not DisclosureApproval.objects.exists()


def test_dpo_reviews_a_safeguarding_share(client, dpo, safeguarding):
    client.force_login(dpo)
    assert "None (one-off)" in client.get(reverse("sharing:dpo_review_queue")).content.decode()
    response = client.post(
        reverse("sharing:dpo_review", args=[safeguarding[0].decision_id]), {"note": "Proportionate."}
    )
    assert response.status_code == 302
    assert DpoReview.objects.get().reviewed_by == dpo


# --- query counts ----------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _more_decisions(family, people, police, caseworker, today, n):
    for _ in range(n):
        record_disclosure(
            family=family,
            people=people,
            recipient=police,
            categories=["identity"],
            purpose="early_help",
            on=today,
            by=caseworker,
            expected=None,
            family_told=True,
            transfer_method="secure_email",
        )


def test_history_query_count_does_not_grow(client, caseworker, family, shared, maya, dan, police, today):
    client.force_login(caseworker)
    url = reverse("sharing:history", args=[family.pk])
    one = _queries(client, url)
    _more_decisions(family, [maya, dan], police, caseworker, today, 4)
    assert _queries(client, url) == one


def test_why_page_query_count_does_not_grow(client, caseworker, family, shared, maya, dan, police, today):
    client.force_login(caseworker)
    url = reverse("sharing:disclosure_detail", args=[family.pk, shared[0].pk])
    one = _queries(client, url)
    _more_decisions(family, [maya, dan], police, caseworker, today, 3)
    assert _queries(client, url) == one


def test_approval_queue_query_count_does_not_grow(
    client, manager, pending, agreement, family, maya, police, caseworker, today
):
    client.force_login(manager)
    url = reverse("sharing:approval_queue")
    one = _queries(client, url)
    for _ in range(3):
        record_disclosure(
            family=family,
            people=[maya],
            recipient=police,
            categories=["identity"],
            purpose="early_help",
            on=today,
            by=caseworker,
            expected=None,
            override_reason="Again.",
            family_told=True,
            transfer_method="secure_email",
        )
    assert _queries(client, url) == one


# --- referrals and recipients to tell ------------------------------------------------------------


def test_referral_pages(client, caseworker, family, shared, today):
    client.force_login(caseworker)
    url = reverse("sharing:referral_new", args=[family.pk, shared[0].decision_id])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"service_requested": "Youth diversion", "reason": "Asked for help.", **_date("sent_on", today)}
    )
    assert response.status_code == 302
    referral = family.partner_referrals.get()
    update = reverse("sharing:referral_update", args=[family.pk, referral.pk])
    html = client.post(update, {"status": "declined", **_date("on", today)}).content.decode()
    assert "Give the partner&#x27;s reason for declining." in html
    assert client.post(update, {"status": "accepted", **_date("on", today)}).status_code == 302
    history = client.get(reverse("sharing:history", args=[family.pk])).content.decode()
    assert "Youth diversion" in history
    assert "Accepted" in history


def test_recipient_told_page(client, caseworker, family, maya, shared, today):
    from sharing.services import flag_disclosures_relying_on

    [flag] = flag_disclosures_relying_on(person=maya, on=today, reason="restriction")
    client.force_login(caseworker)
    assert "Recipients to tell" in client.get(reverse("sharing:history", args=[family.pk])).content.decode()
    url = reverse("sharing:recipient_told", args=[family.pk, flag.task.pk])
    response = client.post(url, {"method": "secure_email", **_date("told_on", today)})
    assert response.status_code == 302
    flag.task.refresh_from_db()
    assert flag.task.told_by == caseworker


def test_another_teams_worker_cannot_reach_the_referral_or_task_pages(
    client, other_caseworker, family, shared
):
    client.force_login(other_caseworker)
    url = reverse("sharing:referral_new", args=[family.pk, shared[0].decision_id])
    assert client.get(url).status_code == 404
