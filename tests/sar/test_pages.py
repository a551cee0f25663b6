"""The DPO's SAR pages: only the DPO gets in, every page is access-logged, progress shows on the request
page, decisions and sign-off go through forms with clear errors, and the password is shown once."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from fss.core.models import AccessLogEntry
from sar import services
from sar.factories import SarPackageFactory, SubjectAccessRequestFactory
from sar.models import Redaction, SarCompilation, SarPackage
from tests.sar.conftest import decide_everything, finish_searches

pytestmark = pytest.mark.django_db


def _urls(sar, item_pk=1, task_pk=1, package_pk=1):
    return [
        ("get", reverse("sar:request_list")),
        ("get", reverse("sar:request_detail", args=[sar.pk])),
        ("post", reverse("sar:compile", args=[sar.pk])),
        ("get", reverse("sar:review", args=[sar.pk])),
        ("get", reverse("sar:review_item", args=[sar.pk, item_pk])),
        ("get", reverse("sar:manual_redaction", args=[sar.pk, item_pk])),
        ("post", reverse("sar:bulk_decision", args=[sar.pk])),
        ("get", reverse("sar:redaction_log", args=[sar.pk])),
        ("get", reverse("sar:sign_off", args=[sar.pk])),
        ("get", reverse("sar:search_task_new", args=[sar.pk])),
        ("get", reverse("sar:search_task_update", args=[sar.pk, task_pk])),
        ("post", reverse("sar:link_duplicate", args=[sar.pk])),
        ("get", reverse("sar:extension", args=[sar.pk])),
        ("get", reverse("sar:pause", args=[sar.pk])),
        ("post", reverse("sar:package_new", args=[sar.pk])),
        ("get", reverse("sar:package_made", args=[sar.pk, package_pk])),
        ("get", reverse("sar:package_pdf", args=[sar.pk, package_pk])),
        ("get", reverse("sar:package_zip", args=[sar.pk, package_pk])),
    ]


@pytest.mark.parametrize(
    "persona", ["caseworker", "manager", "records_officer", "analyst", "sysadmin"], indirect=True
)
def test_no_one_but_the_dpo_gets_in(client, persona):
    sar = SubjectAccessRequestFactory()
    client.force_login(persona)
    for method, url in _urls(sar):
        assert getattr(client, method)(url).status_code == 403, url
    assert not SarCompilation.objects.exists()


def test_the_request_page_is_access_logged_and_shows_no_compilation_yet(client, dpo):
    sar = SubjectAccessRequestFactory()
    client.force_login(dpo)
    response = client.get(reverse("sar:request_detail", args=[sar.pk]))
    assert response.status_code == 200
    assert b"Nothing compiled yet." in response.content
    entry = AccessLogEntry.objects.get(view_name="sar:request_detail")
    assert (entry.user, entry.record_id, entry.person_id) == (dpo, str(sar.pk), sar.subject_id)
    assert "no-store" in response["Cache-Control"]


def test_the_request_list_reads_a_constant_number_of_queries(client, dpo, django_assert_max_num_queries):
    for _ in range(5):
        SubjectAccessRequestFactory()
    client.force_login(dpo)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("sar:request_list")).status_code == 200


def test_progress_shows_while_the_records_are_being_compiled(client, dpo):
    sar = SubjectAccessRequestFactory()
    SarCompilation.objects.create(
        request=sar, requested_by=dpo, status=SarCompilation.Status.RUNNING, stage="Case notes", percent=42
    )
    client.force_login(dpo)
    page = client.get(reverse("sar:request_detail", args=[sar.pk])).content.decode()
    assert re.search(r'<progress[^>]*max="100" value="42"', page)
    assert "Compiling: Case notes (42%)" in page
    assert ">Refresh</a>" in page
    assert "<script" not in page.split("<main", 1)[1]  # no inline script: a plain refresh


def test_compiling_from_the_page_runs_the_task_after_the_commit(
    client, rich, dpo, django_capture_on_commit_callbacks
):
    client.force_login(dpo)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sar:compile", args=[rich["sar"].pk]), follow=True)
    assert "Compiling the records" in response.content.decode()
    assert services.current_compilation(rich["sar"]).status == SarCompilation.Status.DONE
    assert "Review redactions" in response.content.decode()


def test_compiling_a_request_with_no_subject_says_why_on_the_page(client, dpo):
    sar = SubjectAccessRequestFactory(subject=None, subject_not_found=True)
    client.force_login(dpo)
    response = client.post(reverse("sar:compile", args=[sar.pk]), follow=True)
    assert "There is no record to compile" in response.content.decode()
    assert not SarCompilation.objects.exists()


def test_review_pages_highlight_names_and_record_decisions(
    client, rich, dpo, compile_now, django_assert_max_num_queries
):
    compilation = compile_now(rich["sar"], dpo)
    client.force_login(dpo)
    with django_assert_max_num_queries(20):
        review = client.get(reverse("sar:review", args=[rich["sar"].pk]))
    assert review.status_code == 200
    assert "<mark" in review.content.decode()
    assert "Priya Shah" in review.content.decode()

    r = Redaction.objects.filter(item__compilation=compilation, text="Priya Shah").first()
    url = reverse("sar:review_item", args=[rich["sar"].pk, r.item_id])
    missing_ground = client.post(url, {f"decision_{r.pk}": "withhold"})
    assert missing_ground.status_code == 200
    assert "Choose the ground for withholding it" in missing_ground.content.decode()
    assert not r.decisions.exists()

    saved = client.post(url, {f"decision_{r.pk}": "withhold", f"ground_{r.pk}": "third_party"})
    assert saved.status_code == 302
    assert r.decisions.get().by == dpo
    log = client.get(reverse("sar:redaction_log", args=[rich["sar"].pk])).content.decode()
    assert "Information about another person" in log


def test_the_sign_off_page_lists_what_blocks_it(client, rich, dpo, compile_now):
    compile_now(rich["sar"], dpo)
    client.force_login(dpo)
    page = client.get(reverse("sar:sign_off", args=[rich["sar"].pk])).content.decode()
    assert "still to be decided" in page
    assert "manual searches are not finished" in page
    refused = client.post(reverse("sar:sign_off", args=[rich["sar"].pk]), {"confirm": "on"})
    assert refused.status_code == 200
    assert not hasattr(services.current_compilation(rich["sar"]), "sign_off")


def test_the_password_is_shown_once_and_only_the_maker_can_download(
    client, rich, dpo, other_dpo, compile_now, django_capture_on_commit_callbacks
):
    sar = rich["sar"]
    compilation = compile_now(sar, dpo)
    decide_everything(compilation, dpo)
    finish_searches(sar, dpo)
    client.force_login(dpo)
    client.post(reverse("sar:sign_off", args=[sar.pk]), {"confirm": "on"})
    with django_capture_on_commit_callbacks(execute=True):
        made = client.post(reverse("sar:package_new", args=[sar.pk]), follow=True).content.decode()
    password = re.search(r'class="fss-password">([0-9A-Z-]{24})<', made).group(1)
    package = SarPackage.objects.get()
    again = client.get(reverse("sar:package_made", args=[sar.pk, package.pk])).content.decode()
    assert password not in again
    assert "shown once" in again

    pdf = client.get(reverse("sar:package_pdf", args=[sar.pk, package.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Disposition"].startswith("attachment")
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert "no-store" in pdf["Cache-Control"]

    client.force_login(other_dpo)
    refused = client.get(reverse("sar:package_zip", args=[sar.pk, package.pk]))
    assert refused.status_code == 403
    assert "Only the Data Protection Officer who made this package" in refused.content.decode()


def test_an_expired_package_is_refused_with_a_clear_page(client, dpo):
    package = SarPackageFactory(made_by=dpo, expires_at=timezone.now() - datetime.timedelta(days=1))
    client.force_login(dpo)
    response = client.get(reverse("sar:package_pdf", args=[package.request.pk, package.pk]))
    assert response.status_code == 410
    assert "can no longer be downloaded" in response.content.decode()


def test_an_extension_after_the_first_month_is_refused_next_to_the_field(client, dpo):
    sar = SubjectAccessRequestFactory(received_on=datetime.date(2025, 9, 3))
    client.force_login(dpo)
    response = client.post(
        reverse("sar:extension", args=[sar.pk]),
        {"reason": "Many records", "notified_on_0": "6", "notified_on_1": "10", "notified_on_2": "2025"},
    )
    assert response.status_code == 200
    assert "within the first month, by 3 October 2025" in response.content.decode()
    sar.refresh_from_db()
    assert not sar.extended


def test_a_pause_ending_before_it_starts_is_refused_on_the_page(client, dpo):
    sar = SubjectAccessRequestFactory(received_on=datetime.date(2025, 9, 3))
    client.force_login(dpo)
    response = client.post(
        reverse("sar:pause", args=[sar.pk]),
        {
            "started_on_0": "10",
            "started_on_1": "9",
            "started_on_2": "2025",
            "ended_on_0": "8",
            "ended_on_1": "9",
            "ended_on_2": "2025",
            "reason": "Which case?",
        },
    )
    assert response.status_code == 200
    assert "A pause cannot end before it starts." in response.content.decode()
    assert not sar.pauses.exists()


def test_a_repeat_request_is_offered_for_linking_on_the_page(client, dpo, maya):
    first = SubjectAccessRequestFactory(subject=maya, requester_name="Maya Reid")
    again = SubjectAccessRequestFactory(subject=maya, requester_name="Maya Reid")
    client.force_login(dpo)
    page = client.get(reverse("sar:request_detail", args=[again.pk])).content.decode()
    assert f"Link as a repeat of {first.reference}" in page
    client.post(reverse("sar:link_duplicate", args=[again.pk]), {"original": first.pk})
    again.refresh_from_db()
    assert again.duplicate_of == first


def test_the_console_links_a_request_to_its_pages(admin_client):
    sar = SubjectAccessRequestFactory()
    page = admin_client.get(reverse("admin:sar_subjectaccessrequest_change", args=[sar.pk])).content.decode()
    assert reverse("sar:request_detail", args=[sar.pk]) in page


def test_the_request_page_of_a_compiled_request_reads_a_bounded_number_of_queries(
    client, rich, dpo, compile_now, django_assert_max_num_queries
):
    compile_now(rich["sar"], dpo)
    SarPackageFactory(compilation=services.current_compilation(rich["sar"]), made_by=dpo)
    client.force_login(dpo)
    with django_assert_max_num_queries(30):
        page = client.get(reverse("sar:request_detail", args=[rich["sar"].pk]))
    assert page.status_code == 200
    assert "2 manual searches are not finished." in page.content.decode()
