"""The package (SPEC §8.1): a PDF cover letter with everything domain-rules §2 says goes with the copy,
the redacted records, a ZIP of JSON and CSV that opens only with the password, an expiring download for
the DPO who made it alone, and a purge when it expires."""

import csv
import datetime
import io
import json

import pypdf
import pytest
import pyzipper
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from fss.core.models import AccessLogEntry, JobHeartbeat
from retention.models import RetentionPolicy
from sar import package as packaging
from sar import services
from sar.factories import SarPackageFactory
from sar.models import Ground, Redaction, SarPackage
from sar.tasks import purge_expired_packages, render_package_pdf
from tests.sar.conftest import finish_searches

pytestmark = pytest.mark.django_db

Reason = Redaction.Reason


def _review(compilation, by):
    """Withhold other people's names, release the documents, withhold the sensitive note."""
    for r in Redaction.objects.filter(item__compilation=compilation, decisions__isnull=True):
        if r.reason == Reason.DOCUMENT:
            choice = services.Choice("disclose")
        elif r.reason == Reason.SENSITIVE:
            choice = services.Choice("withhold", Ground.CHILD_EXPECTATION)
        elif r.needs_decision:
            choice = services.Choice("withhold", Ground.THIRD_PARTY)
        else:
            continue
        services.decide_redactions(item=r.item, choices={r.pk: choice}, by=by)


@pytest.fixture
def signed_off(rich, dpo, compile_now):
    sar = rich["sar"]
    compilation = compile_now(sar, dpo)
    _review(compilation, dpo)
    finish_searches(sar, dpo)
    services.sign_off(request=sar, by=dpo)
    return sar


@pytest.fixture
def made(signed_off, dpo, django_capture_on_commit_callbacks):
    """A package with its PDF drawn by the worker task queued after the commit."""
    with django_capture_on_commit_callbacks(execute=True):
        package, password = services.make_package(request=signed_off, by=dpo)
    package.refresh_from_db()
    return package, password


def _pdf_text(package) -> str:
    with package.pdf.open("rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _zip(package, password):
    with package.archive.open("rb") as handle:
        data = handle.read()
    archive = pyzipper.AESZipFile(io.BytesIO(data))
    if password is not None:
        archive.setpassword(password.encode())
    return archive


def test_no_package_without_a_reviewers_sign_off(rich, dpo, compile_now):
    compile_now(rich["sar"], dpo)
    with pytest.raises(ValidationError, match="must sign off"):
        services.make_package(request=rich["sar"], by=dpo)
    assert not SarPackage.objects.exists()


def test_the_cover_letter_says_everything_that_must_go_with_the_copy(made, settings):
    package, _ = made
    text = _pdf_text(package)
    for words in [
        "Why we use this information",  # purposes
        "What kinds of information we hold",  # categories
        "Thames Valley Police",  # recipients, from the sharing register
        "Information will be stored securely for 7 years after our involvement",  # retention, from the policy
        "Where the information came from",  # source
        "A referral from another organisation or person",
        "correct",  # rectification
        "delete",  # erasure
        "limit what we do with it",  # restriction
        "stop using it",  # objection
        settings.ORGANISATION["ico_url"],  # the ICO
        "We will confirm we have your complaint within 30 days",  # the council's own complaints process
        "No decisions about you are made by computer alone",  # no automated decisions
        "We do not send your information outside the UK",  # no transfers abroad
        package.request.reference,
    ]:
        assert words in text, words


def test_the_pdf_has_the_records_with_other_people_withheld(made):
    package, _ = made
    text = _pdf_text(package)
    assert "Maya said" in text
    assert "helping with school runs" in text
    for withheld in ("Priya Shah", "Mrs Okafor", "Pat Jones", "Dan has been"):
        assert withheld not in text, withheld
    assert "Jane Whitfield" in text  # staff acting in their role are named
    assert "Leo told us something" not in text  # the sensitive note withheld whole
    assert "LEO-ONLY" not in text


def test_the_html_marks_each_withheld_passage_with_its_ground(signed_off):
    from sar.services import current_compilation

    html = packaging.render_html(
        request=signed_off, compilation=current_compilation(signed_off), made_on=timezone.localdate()
    )
    assert '<span class="withheld">A</span>' in html  # third party
    assert '<span class="withheld">C</span> We have not included this record.' in html  # child's expectation
    assert "Priya" not in html


def test_the_zip_opens_only_with_the_password(made):
    package, password = made
    with pytest.raises(RuntimeError, match="password"):
        _zip(package, None).read("records.json")
    with pytest.raises(RuntimeError, match="Bad password"):
        _zip(package, "WRONG-PASSWORD").read("records.json")
    names = set(_zip(package, password).namelist())
    assert {"README.txt", "records.json", "records.csv"} <= names
    assert any(name.startswith("documents/") and name.endswith(".pdf") for name in names)


def test_the_zip_holds_the_same_redacted_records_as_json_and_csv(made):
    package, password = made
    archive = _zip(package, password)
    data = json.loads(archive.read("records.json"))
    everything = json.dumps(data) + archive.read("records.csv").decode()
    assert "Priya Shah" not in everything
    assert "Pat Jones" not in everything
    assert "[withheld: A]" in everything
    note = next(
        r
        for r in data["records"]
        if r["source"]["record"] == "cases.casenote" and "school runs" in json.dumps(r)
    )
    assert note["fields"][0]["value"].startswith("Maya said [withheld: A] has been helping")
    rows = list(csv.reader(io.StringIO(archive.read("records.csv").decode("utf-8-sig"))))
    assert rows[0] == ["section", "record", "date", "source", "id", "field", "value"]
    document = next(name for name in archive.namelist() if name.startswith("documents/"))
    assert archive.read(document) == b"%PDF-1.4 letter to Maya"


def test_the_password_is_strong_and_never_stored(made):
    package, password = made
    assert len(password.replace("-", "")) == 20
    assert password not in json.dumps(list(SarPackage.objects.values()), default=str)


def test_the_download_expires_after_the_package_policy(made):
    package, _ = made
    policy = RetentionPolicy.objects.filter(record_kind=RetentionPolicy.RecordKind.SAR_PACKAGE).latest(
        "version"
    )
    assert package.expires_at == package.made_at + policy.period
    assert (package.expires_at - package.made_at).days == 30


def test_the_dpo_who_made_it_can_download_it_and_it_is_logged(made, dpo):
    package, _ = made
    handle = services.open_package_file(package=package, which="pdf", by=dpo)
    assert handle.read(4) == b"%PDF"
    handle.close()
    entry = AccessLogEntry.objects.filter(action=AccessLogEntry.Action.DOWNLOAD).get()
    assert (entry.user, entry.record_type, entry.person_id) == (
        dpo,
        "sar.sarpackage",
        package.request.subject_id,
    )


def test_another_user_cannot_download_it(made, other_dpo):
    package, _ = made
    with pytest.raises(PermissionDenied, match="Only the Data Protection Officer who made this package"):
        services.open_package_file(package=package, which="zip", by=other_dpo)
    assert not AccessLogEntry.objects.filter(action=AccessLogEntry.Action.DOWNLOAD).exists()


def test_a_download_after_expiry_is_refused_and_nothing_is_lost(made, dpo):
    package, _ = made
    package.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    package.save()
    with pytest.raises(services.PackageExpiredError, match="expired"):
        services.open_package_file(package=package, which="pdf", by=dpo)
    # The compilation and its sign-off are still there: a new package can be made.
    again, _ = services.make_package(request=package.request, by=dpo)
    assert again.pk != package.pk


def test_purge_deletes_expired_files_and_keeps_the_row(made, django_capture_on_commit_callbacks):
    package, _ = made
    storage, names = package.pdf.storage, [package.pdf.name, package.archive.name]
    assert all(storage.exists(name) for name in names)
    later = package.expires_at + datetime.timedelta(minutes=1)
    assert services.purge_expired_packages(now=later, dry_run=True) == [package]
    assert all(storage.exists(name) for name in names)  # a dry run changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        purged = services.purge_expired_packages(now=later)

    assert purged == [package]
    assert not any(storage.exists(name) for name in names)
    package.refresh_from_db()
    assert package.purged_at == later
    assert not package.pdf
    assert not package.archive
    assert services.purge_expired_packages(now=later) == []  # safe to run twice


def test_purge_leaves_packages_not_yet_expired(db):
    SarPackageFactory()
    assert services.purge_expired_packages() == []


def test_the_purge_task_and_command_report_what_they_purge(db, capsys):
    old = SarPackageFactory(expires_at=timezone.now() - datetime.timedelta(days=1))
    call_command("purge_sar_packages", "--dry-run")
    out = capsys.readouterr().out
    assert f"would purge package {old.pk} of {old.request.reference}" in out
    old.refresh_from_db()
    assert old.purged_at is None
    assert purge_expired_packages() == 1
    assert JobHeartbeat.objects.get(job="purge_sar_packages").summary == "purged 1 expired packages"
    call_command("purge_sar_packages")
    assert "0 expired packages purged." in capsys.readouterr().out


def test_the_pdf_is_drawn_by_a_worker_after_the_zip_is_made(
    signed_off, dpo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        package, _ = services.make_package(request=signed_off, by=dpo)
    assert package.archive
    assert not package.pdf
    with pytest.raises(services.PackageNotReadyError, match="still being made"):
        services.open_package_file(package=package, which="pdf", by=dpo)
    assert len(queued) == 1
    queued[0]()
    package.refresh_from_db()
    assert package.pdf_ready
    assert render_package_pdf(package.pk) == {"package": package.pk, "drawn": False}  # safe twice


def test_a_pdf_that_fails_to_draw_says_so_and_nothing_is_lost(signed_off, dpo, monkeypatch):
    package, _ = services.make_package(request=signed_off, by=dpo)

    def broken(html):
        raise OSError("no fonts")

    monkeypatch.setattr(packaging, "render_pdf", broken)
    with pytest.raises(OSError, match="no fonts"):
        render_package_pdf(package.pk)
    package.refresh_from_db()
    assert package.pdf_error == "OSError"
    assert not package.pdf
    with pytest.raises(services.PackageNotReadyError, match="failed"):
        services.open_package_file(package=package, which="pdf", by=dpo)
    assert services.open_package_file(package=package, which="zip", by=dpo).read(2) == b"PK"
