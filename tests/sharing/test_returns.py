"""Statutory and research returns (SPEC §6.3): every run asks the one sharing check about its cohort,
leaves a Disclosure per person and a transfer record, lists who was left out and why, says when a
period was already run and supersedes it on request, gives an empty valid file for an empty cohort,
and keeps its file for the DPO alone to download again until it expires."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.factories import FamilyAddressFactory, FamilyFactory, MembershipFactory, PersonFactory
from consent.models import ConsentRecord
from fss.core.models import AccessLogEntry
from sharing.models import Disclosure, ReturnRun, TransferRecord
from sharing.returns import selectors, services
from sharing.returns.files import FORMATS, sha256
from sharing.returns.models import ReturnKind
from sharing.selectors import stored_check
from tests.sharing.test_returns_fixtures import programme_case, rows_of

# The fixtures these tests share with the other returns and statistics tests.
pytest_plugins = ["tests.sharing.test_returns_fixtures"]

pytestmark = pytest.mark.django_db

REFUSED = ConsentRecord.Decision.REFUSED


@pytest.fixture(autouse=True)
def _files(media):
    return media


def test_programme_return_has_a_row_and_a_disclosure_per_person_and_a_transfer_record(
    run,
    dfe,
    programme_agreement,
    on_programme,
    quarter,
    maya,
    dan,
    tia,
    leo,
    family,
):
    made = run(ReturnKind.PROGRAMME_RETURN, *quarter, dfe)

    rows = rows_of(made)
    assert sorted(r["forename"] for r in rows) == ["Dan", "Leo", "Maya", "Tia"]
    assert {r["needs_identified"] for r in rows} == {"education;crime;housing"}
    assert {r["family_reference"] for r in rows} == {family.reference}
    assert list(rows[0]) == FORMATS["programme_return"].header
    disclosures = Disclosure.objects.filter(decision_id=made.decision_id)
    assert disclosures.count() == 4
    assert set(disclosures.values_list("decision", flat=True)) == {"shared"}
    assert {d.agreement for d in disclosures} == {programme_agreement}
    with made.file.open("rb") as handle:
        assert sha256(handle.read()) == made.file_sha256
    transfer = TransferRecord.objects.get(run=made)
    assert (transfer.recipient, transfer.agreement, transfer.method) == (
        dfe,
        programme_agreement,
        "secure_portal",
    )
    assert (transfer.file_sha256, transfer.row_count, transfer.sent_on) == (made.file_sha256, 4, None)
    assert (made.cohort_count, made.included_count, made.excluded_count) == (4, 4, 0)
    assert made.parameters["kind"] == "programme_return"


def test_each_disclosure_stores_the_checks_answer_for_its_own_person_only(
    run,
    dfe,
    programme_agreement,
    on_programme,
    quarter,
    maya,
):
    made = run(ReturnKind.PROGRAMME_RETURN, *quarter, dfe)
    disclosure = Disclosure.objects.get(decision_id=made.decision_id, person=maya)
    answer = stored_check(disclosure)
    assert [p.person_id for p in answer.people] == [maya.pk]
    assert disclosure.family_told is False
    assert "privacy notice" in disclosure.family_not_told_reason
    assert "Fields: family_reference, relationship, forename" in disclosure.items_description


def test_a_person_whose_basis_fails_is_left_out_and_listed_with_the_reason(
    run,
    dfe,
    programme_agreement,
    on_programme,
    quarter,
    dan,
    consent,
    client,
    dpo,
):
    consent(dan, "programme", REFUSED)

    made = run(ReturnKind.PROGRAMME_RETURN, *quarter, dfe)

    assert "Dan" not in {r["forename"] for r in rows_of(made)}
    assert (made.included_count, made.excluded_count, made.row_count) == (3, 1, 3)
    [left_out] = selectors.run_excluded(made)
    assert left_out.person == dan
    assert left_out.decision == Disclosure.Decision.NOT_SHARED
    assert "Dan Cole refused consent" in left_out.check_summary
    assert any("left out" in warning for warning in made.warnings)
    client.force_login(dpo)
    html = client.get(reverse("sharing:return_detail", args=[made.pk])).content.decode()
    assert "Dan Cole refused consent" in html
    assert AccessLogEntry.objects.filter(view_name="sharing:return_detail", person_id=dan.pk).exists()


def test_a_return_run_twice_for_the_same_period_says_so_and_a_rerun_supersedes_the_first(
    run,
    dfe,
    programme_agreement,
    on_programme,
    quarter,
):
    first = run(ReturnKind.PROGRAMME_RETURN, *quarter, dfe)

    with pytest.raises(ValidationError) as refused:
        run(ReturnKind.PROGRAMME_RETURN, *quarter, dfe)
    [error] = refused.value.error_dict["supersede"]
    assert error.code == services.ALREADY_RUN
    assert "already run" in error.message

    second = run(ReturnKind.PROGRAMME_RETURN, *quarter, dfe, supersede=True)

    first.refresh_from_db()
    assert second.supersedes == first
    assert not first.is_current
    assert second.is_current
    assert list(ReturnRun.objects.current()) == [second]
    assert second.parameters["supersede"] is True
    # The earlier decisions stay as they were made.
    assert Disclosure.objects.filter(decision_id=first.decision_id).count() == 4
    # A superseded run's file is not sent.
    with pytest.raises(ValidationError, match="superseded"):
        services.record_transfer_sent(transfer=first.transfer, sent_on=first.checked_on, by=second.run_by)


def test_another_period_is_not_a_rerun(run, dfe, programme_agreement, on_programme, quarter):
    start, end = quarter
    run(ReturnKind.PROGRAMME_RETURN, start, end, dfe)
    other = run(ReturnKind.PROGRAMME_RETURN, start - relativedelta(days=1), end, dfe)
    assert other.supersedes is None


def test_the_rerun_page_offers_to_supersede(client, dpo, dfe, programme_agreement, on_programme, quarter):
    start, end = quarter
    data = {
        "kind": "programme_return",
        "period_start_0": start.day,
        "period_start_1": start.month,
        "period_start_2": start.year,
        "period_end_0": end.day,
        "period_end_1": end.month,
        "period_end_2": end.year,
        "recipient": dfe.pk,
    }
    client.force_login(dpo)
    assert client.post(reverse("sharing:return_new"), data).status_code == 302
    again = client.post(reverse("sharing:return_new"), data)
    html = again.content.decode()
    assert "This return was already run" in html
    assert "Run it again and supersede the earlier run" in html
    assert ReturnRun.objects.count() == 1
    response = client.post(reverse("sharing:return_new"), data | {"supersede": "on"})
    assert response.status_code == 302
    assert ReturnRun.objects.current().get().supersedes is not None


def test_an_empty_cohort_gives_an_empty_valid_file_and_a_warning(run, dfe, programme_agreement, quarter):
    made = run(ReturnKind.PROGRAMME_RETURN, *quarter, dfe)

    with made.file.open("rb") as handle:
        assert handle.read().decode() == ",".join(FORMATS["programme_return"].header) + "\r\n"
    assert made.row_count == 0
    assert made.warnings == ["No one is in the cohort for this period: the file has only its header row."]
    assert TransferRecord.objects.filter(run=made, row_count=0).exists()


def test_no_agreement_in_force_refuses_the_run_and_leaves_nothing(run, dfe, on_programme, quarter, media):
    with pytest.raises(ValidationError) as refused:
        run(ReturnKind.PROGRAMME_RETURN, *quarter, dfe)
    assert "no data sharing agreement" in str(refused.value.error_dict["recipient"]).lower()
    assert not ReturnRun.objects.exists()
    assert not Disclosure.objects.exists()
    assert not list(media.rglob("*.csv"))


def test_only_the_dpo_runs_returns(run, caseworker, dfe, programme_agreement, quarter):
    with pytest.raises(ValidationError, match="Only the Data Protection Officer"):
        run(ReturnKind.PROGRAMME_RETURN, *quarter, dfe, by=caseworker)


@pytest.mark.parametrize(
    ("kind", "start", "end", "ok"),
    [
        ("participation_monthly", datetime.date(2025, 2, 1), datetime.date(2025, 2, 28), True),
        ("participation_monthly", datetime.date(2024, 2, 1), datetime.date(2024, 2, 29), True),
        ("participation_monthly", datetime.date(2024, 2, 1), datetime.date(2024, 2, 28), False),
        ("participation_monthly", datetime.date(2025, 2, 2), datetime.date(2025, 3, 1), False),
        ("september_guarantee", datetime.date(2025, 9, 1), datetime.date(2025, 9, 30), True),
        ("september_guarantee", datetime.date(2025, 9, 1), datetime.date(2025, 10, 31), False),
        ("activity_survey", datetime.date(2025, 11, 1), datetime.date(2025, 11, 1), True),
        ("activity_survey", datetime.date(2025, 10, 31), datetime.date(2025, 10, 31), False),
        ("programme_progress", datetime.date(2025, 1, 1), datetime.date(2025, 3, 31), True),
        ("programme_progress", datetime.date(2025, 4, 1), datetime.date(2025, 6, 30), True),
        ("programme_progress", datetime.date(2025, 3, 1), datetime.date(2025, 5, 31), False),
        ("programme_return", datetime.date(2025, 3, 5), datetime.date(2025, 3, 4), False),
    ],
)
def test_each_return_covers_its_own_kind_of_period(kind, start, end, ok):
    errors = services._period_errors(kind, start, end, datetime.date(2026, 1, 1))
    assert (errors == {}) is ok


def test_a_recipient_of_the_wrong_kind_is_refused(run, ons, ons_agreement, quarter):
    with pytest.raises(ValidationError) as refused:
        run(ReturnKind.PROGRAMME_RETURN, *quarter, ons)
    assert "cannot receive this return" in str(refused.value.error_dict["recipient"])


# --- the ONS research matching extract -------------------------------------------------------------


def test_ons_extract_sends_the_identifiers_for_the_research_project(
    run,
    ons,
    project,
    on_programme,
    quarter,
    maya,
):
    maya.ni_number = "QQ123456C"
    maya.gender = "female"
    maya.save()

    made = run(ReturnKind.ONS_MATCHING, *quarter, ons, research_project=project)

    row = next(r for r in rows_of(made) if r["forename"] == "Maya")
    assert (row["surname"], row["date_of_birth"], row["gender"]) == (
        "Reid",
        maya.date_of_birth.isoformat(),
        "female",
    )
    assert (row["postcode"], row["ni_number"], row["family_id"]) == ("NT1 4QX", "QQ123456C", "F1")
    transfer = made.transfer
    assert transfer.research_project == project
    assert transfer.destruction_confirmation_due_on == project.destruction_confirmation_due_on
    assert made.file_expires_on is None  # kept until ONS confirms destruction


def test_an_ons_extract_needs_its_research_project(run, ons, ons_agreement, quarter):
    with pytest.raises(ValidationError) as refused:
        run(ReturnKind.ONS_MATCHING, *quarter, ons)
    assert "research project" in str(refused.value.error_dict["research_project"])


def test_overdue_destruction_confirmations_are_listed_until_confirmed_then_the_file_goes(
    run,
    ons,
    project,
    on_programme,
    quarter,
    dpo,
    today,
    client,
):
    made = run(ReturnKind.ONS_MATCHING, *quarter, ons, research_project=project)
    services.record_transfer_sent(transfer=made.transfer, sent_on=today, by=dpo)
    later = project.destruction_confirmation_due_on + relativedelta(days=1)

    assert selectors.destruction_confirmations_overdue(on=project.destruction_confirmation_due_on) == []
    assert selectors.destruction_confirmations_overdue(on=later) == [made.transfer]
    client.force_login(dpo)
    assert "Nothing is overdue." in client.get(reverse("sharing:returns")).content.decode()  # not due yet

    services.confirm_destruction(
        transfer=made.transfer, confirmed_on=today, evidence="ONS certificate 42", by=dpo
    )

    assert selectors.destruction_confirmations_overdue(on=later) == []
    assert services.purge_expired_return_files(on=today + relativedelta(days=1)) == [made.pk]
    made.refresh_from_db()
    assert not made.file_available
    assert made.file_destroyed_at is not None


# --- files: the DPO alone downloads them again, until they expire ----------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("dpo", 200), ("caseworker", 403), ("manager", 403), ("analyst", 403), ("sysadmin", 403)],
    indirect=["persona"],
)
def test_only_the_dpo_downloads_a_return_file_again(
    client,
    persona,
    status,
    run,
    dfe,
    programme_agreement,
    on_programme,
    quarter,
):
    made = run(ReturnKind.PROGRAMME_RETURN, *quarter, dfe)
    client.force_login(persona)
    response = client.get(reverse("sharing:return_download", args=[made.pk]))
    assert response.status_code == status
    if status == 200:
        assert sha256(b"".join(response.streaming_content)) == made.file_sha256
        assert response["X-Checksum-SHA256"] == made.file_sha256
        logged = AccessLogEntry.objects.filter(action="download", record_id=str(made.pk))
        assert logged.count() == 4


def test_an_expired_file_is_destroyed_and_no_longer_downloadable(
    client,
    dpo,
    run,
    dfe,
    programme_agreement,
    on_programme,
    quarter,
    media,
    today,
):
    made = run(ReturnKind.PROGRAMME_RETURN, *quarter, dfe)
    assert made.file_expires_on == today + relativedelta(days=30)
    path = media / made.file.name
    assert path.exists()

    assert services.purge_expired_return_files(on=made.file_expires_on) == []
    assert services.purge_expired_return_files(
        on=made.file_expires_on + relativedelta(days=1), dry_run=True
    ) == [made.pk]
    assert services.purge_expired_return_files(on=made.file_expires_on + relativedelta(days=1)) == [made.pk]
    assert services.purge_expired_return_files(on=made.file_expires_on + relativedelta(days=1)) == []

    assert not path.exists()
    client.force_login(dpo)
    assert client.get(reverse("sharing:return_download", args=[made.pk])).status_code == 410
    made.refresh_from_db()
    assert made.file_sha256
    assert made.row_count == 4


@pytest.mark.parametrize(
    ("persona", "status"),
    [("dpo", 200), ("caseworker", 403), ("manager", 403), ("analyst", 403), ("records_officer", 403)],
    indirect=["persona"],
)
@pytest.mark.parametrize("page", ["returns", "return_new", "research_project_new"])
def test_return_pages_are_the_dpos(client, persona, status, page):
    client.force_login(persona)
    assert client.get(reverse(f"sharing:{page}")).status_code == status


def test_the_transfer_is_recorded_as_sent_once(
    run, dfe, programme_agreement, on_programme, quarter, dpo, today
):
    made = run(ReturnKind.PROGRAMME_RETURN, *quarter, dfe)
    with pytest.raises(ValidationError):
        services.record_transfer_sent(transfer=made.transfer, sent_on=today + relativedelta(days=1), by=dpo)
    services.record_transfer_sent(transfer=made.transfer, sent_on=today, by=dpo)
    with pytest.raises(ValidationError, match="already recorded as sent"):
        services.record_transfer_sent(transfer=made.transfer, sent_on=today, by=dpo)


def test_the_run_detail_page_has_a_constant_number_of_queries(
    client,
    dpo,
    run,
    dfe,
    programme_agreement,
    on_programme,
    quarter,
    django_assert_max_num_queries,
    consent,
    dan,
):
    consent(dan, "programme", REFUSED)
    made = run(ReturnKind.PROGRAMME_RETURN, *quarter, dfe)
    client.force_login(dpo)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("sharing:return_detail", args=[made.pk])).status_code == 200


# --- the quarterly progress summary ------------------------------------------------------------------


def test_progress_summary_publishes_only_protected_figures(
    run,
    dfe,
    programme_agreement,
    family,
    home,
    maya,
    leo,
    today,
):
    from sharing.statistics.selectors import financial_quarter, financial_year_of, quarter_of

    start, end = financial_quarter(financial_year_of(today), quarter_of(today))
    programme_case(family, opened=start)

    made = run(ReturnKind.PROGRAMME_PROGRESS, start, end, dfe)

    rows = {(r["measure"], r["headline_outcome"]): r["value"] for r in rows_of(made)}
    assert rows[("families_on_programme", "")] == "c"  # one family: suppressed
    assert rows[("families_ended", "")] == "0"
    assert rows[("needs_identified", "crime")] == "c"
    assert {r["policy_version"] for r in rows_of(made)} == {"1"}
    assert made.disclosure_control.version == 1
    # Each member still has a decision recorded, saying nothing identifying was sent.
    assert all(
        "nothing identifying" in d.items_description
        for d in Disclosure.objects.filter(decision_id=made.decision_id)
    )


# --- participation returns ---------------------------------------------------------------------------


@pytest.fixture
def amir(family, home, today):
    """Academic age 17 this academic year, in the family the service holds."""
    born = datetime.date(selectors.academic_year_start(today) - 17, 3, 1)
    person = PersonFactory(given_name="Amir", family_name="Reid", date_of_birth=born, upn="A123456789012")
    MembershipFactory(person=person, family=family, role="young_person", start_date=datetime.date(2019, 1, 1))
    return person


def test_participation_extract_counts_a_lapsed_activity_as_not_known(
    run,
    dfe,
    participation_agreement,
    amir,
    today,
):
    from sharing.returns.factories import ActivityRecordFactory

    ActivityRecordFactory(
        person=amir,
        activity="230",
        confirmed_on=today - relativedelta(months=8),
        review_on=today - relativedelta(days=1),
    )
    start = today.replace(day=1)
    made = run(ReturnKind.PARTICIPATION_MONTHLY, start, start + relativedelta(months=1, days=-1), dfe)

    [row] = rows_of(made)
    assert (row["forename"], row["academic_age"], row["year_group"]) == ("Amir", "17", "13")
    assert (row["activity_code"], row["activity_group"], row["lapsed"]) == ("810", "not_known", "Y")
    assert row["date_confirmed"] == ""
    assert row["as_at"] == today.isoformat()


def test_the_education_opt_out_leaves_only_name_address_and_date_of_birth(
    run,
    dfe,
    participation_agreement,
    amir,
    today,
    opt_out,
):
    opt_out(amir, today - relativedelta(months=1))
    start = today.replace(day=1)

    made = run(ReturnKind.PARTICIPATION_MONTHLY, start, start + relativedelta(months=1, days=-1), dfe)

    [row] = rows_of(made)
    filled = {name for name, value in row.items() if value}
    assert filled == {"surname", "forename", "date_of_birth", "postcode", "academic_age", "as_at"}
    disclosure = Disclosure.objects.get(decision_id=made.decision_id)
    assert disclosure.decision == Disclosure.Decision.PARTLY


def test_a_young_person_outside_the_area_is_not_in_the_extract(run, dfe, participation_agreement, today):
    elsewhere = FamilyFactory()
    FamilyAddressFactory(
        family=elsewhere, start_date=datetime.date(2019, 1, 1), end_date=datetime.date(2020, 1, 1)
    )
    born = datetime.date(selectors.academic_year_start(today) - 16, 10, 1)
    MembershipFactory(
        family=elsewhere, person=PersonFactory(date_of_birth=born), start_date=datetime.date(2019, 1, 1)
    )
    start = today.replace(day=1)

    made = run(ReturnKind.PARTICIPATION_MONTHLY, start, start + relativedelta(months=1, days=-1), dfe)

    assert made.cohort_count == 0
    assert made.row_count == 0
