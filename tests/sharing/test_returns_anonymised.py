"""The anonymised return (SPEC §6.3.4, domain-rules §9): no names, dates of birth, addresses, record
numbers or free text; a keyed pseudonym that differs in every return and whose key is never stored;
age bands; support and outcomes; small groups coarsened, then suppressed."""

import datetime
import hashlib
import re

import pytest
from dateutil.relativedelta import relativedelta

from cases.factories import FamilyAddressFactory, FamilyFactory, MembershipFactory, PersonFactory
from cases.models import FamilyAddress, Person
from sharing.returns.files import FORMATS
from sharing.returns.models import ReturnKind
from tests.sharing.test_returns_fixtures import programme_case, rows_of

# The fixtures these tests share with the other returns and statistics tests.
pytest_plugins = ["tests.sharing.test_returns_fixtures"]

pytestmark = pytest.mark.django_db

PSEUDONYM_COLUMNS = ("pseudonym", "family_pseudonym")
HEX = re.compile(r"^[0-9a-f]{20}$")


@pytest.fixture(autouse=True)
def _files(media):
    return media


@pytest.fixture
def more_families(north_team, today):
    """Two more programme families with every identifier the service holds, and one not on the programme."""
    families = []
    for number, (given, surname) in enumerate(
        [("Zephyrine", "Quillfeather"), ("Bartholomew", "Okonkwo-Smythe")]
    ):
        family = FamilyFactory(team=north_team)
        FamilyAddressFactory(
            family=family, line_1=f"{number + 3} Thornbury Rise", postcode=f"NT{number + 2} 9ZZ"
        )
        adult = PersonFactory(
            given_name=given,
            family_name=surname,
            date_of_birth=datetime.date(1984, 2, 29),
            ni_number=f"QQ12345{number}C",
            nhs_number="9434765919" if number == 0 else "",
        )
        child = PersonFactory(
            given_name=f"{given}ette", family_name=surname, age=9, upn="A123456789012" if number == 0 else ""
        )
        MembershipFactory(
            family=family, person=adult, role="parent_carer", start_date=datetime.date(2019, 1, 1)
        )
        MembershipFactory(family=family, person=child, role="child", start_date=datetime.date(2019, 1, 1))
        programme_case(family, opened=today - relativedelta(months=2 + number))
        families.append(family)
    outsider = FamilyFactory(team=north_team)
    FamilyAddressFactory(family=outsider)
    MembershipFactory(
        family=outsider, person=PersonFactory(given_name="Ottoline", family_name="Featherstonehaugh")
    )
    return families


def _identifiers(person: Person) -> set[str]:
    values = {person.given_name, person.family_name, person.preferred_name, person.ni_number, person.upn}
    values.add(person.nhs_number)
    if person.date_of_birth:
        born = person.date_of_birth
        values |= {born.isoformat(), born.strftime("%d/%m/%Y"), born.strftime("%Y%m%d")}
    return {value.lower() for value in values if value and len(value) >= 3}


def test_the_anonymised_file_holds_no_identifier_of_anyone_in_the_database(
    run,
    dfe,
    statistics_agreement,
    on_programme,
    more_families,
    quarter,
):
    made = run(ReturnKind.ANONYMISED, *quarter, dfe)

    with made.file.open("rb") as handle:
        text = handle.read().decode()
    body = text.split("\r\n", 1)[1].lower()
    rows = rows_of(made)
    assert len(rows) == 8
    forbidden = set()
    for person in Person.objects.all():
        forbidden |= _identifiers(person)
        forbidden.add(str(person.pk))
    for address in FamilyAddress.objects.select_related("family"):
        forbidden |= {
            address.line_1.lower(),
            address.postcode.lower(),
            address.postcode.replace(" ", "").lower(),
        }
        forbidden.add(address.family.reference.lower())
    for row in rows:
        for column, value in row.items():
            if column in PSEUDONYM_COLUMNS:
                assert HEX.match(value), value  # a keyed hash, nothing else
                continue
            cell = value.lower()
            assert not any(word in cell for word in forbidden if not word.isdigit()), (column, value)
            assert cell not in forbidden, (column, value)  # record numbers only as whole cells
    assert "maya" not in body
    assert "reid" not in body
    assert "nt1 4qx" not in body
    assert list(rows[0]) == FORMATS["anonymised"].header


def test_the_anonymised_file_has_age_bands_support_and_outcomes(
    run,
    dfe,
    statistics_agreement,
    on_programme,
    quarter,
):
    rows = rows_of(run(ReturnKind.ANONYMISED, *quarter, dfe))
    assert {r["needs_identified"] for r in rows} == {"education;crime;housing"}
    assert {r["successful_outcome"] for r in rows} == {"N"}
    assert {r["role"] for r in rows} == {"c"}  # four people, each in a group of fewer than ten: suppressed


def test_pseudonyms_differ_in_every_return_and_the_key_is_not_stored(
    run,
    dfe,
    statistics_agreement,
    on_programme,
    quarter,
):
    first = run(ReturnKind.ANONYMISED, *quarter, dfe)
    again = run(ReturnKind.ANONYMISED, *quarter, dfe, supersede=True)
    start, end = quarter
    other_period = run(ReturnKind.ANONYMISED, start + relativedelta(days=1), end, dfe)

    sets = [{row["pseudonym"] for row in rows_of(r)} for r in (first, again, other_period)]
    assert all(len(s) == 4 for s in sets)
    assert not (sets[0] & sets[1])
    assert not (sets[0] & sets[2])
    assert not (sets[1] & sets[2])
    families = [{row["family_pseudonym"] for row in rows_of(r)} for r in (first, again)]
    assert len(families[0]) == 1
    assert not (families[0] & families[1])
    # Only a hash of each key is kept; the keys differ, and no column of the run holds the key itself.
    assert len({r.pseudonym_key_sha256 for r in (first, again, other_period)}) == 3
    for made in (first, again):
        assert re.fullmatch(r"[0-9a-f]{64}", made.pseudonym_key_sha256)
        pseudonyms = {row["pseudonym"] for row in rows_of(made)}
        stored = " ".join(str(v) for v in made.parameters.values()) + made.pseudonym_key_sha256
        assert not any(p in stored for p in pseudonyms)


def test_a_pseudonym_cannot_be_made_again_without_the_key(
    run,
    dfe,
    statistics_agreement,
    on_programme,
    quarter,
    maya,
):
    made = run(ReturnKind.ANONYMISED, *quarter, dfe)
    pseudonyms = {row["pseudonym"] for row in rows_of(made)}
    # Unkeyed hashes of the record number, in any obvious form, are not what was sent.
    guesses = {hashlib.sha256(f"{prefix}{maya.pk}".encode()).hexdigest()[:20] for prefix in ("", "person:")}
    assert not (guesses & pseudonyms)


def test_a_small_group_is_merged_by_coarsening_every_row(
    run,
    dfe,
    statistics_agreement,
    north_team,
    today,
    quarter,
):
    opened = today - relativedelta(months=2)
    for number in range(11):
        family = FamilyFactory(team=north_team)
        FamilyAddressFactory(family=family)
        MembershipFactory(family=family, person=PersonFactory(age=30), role="parent_carer", start_date=opened)
        if number == 0:
            MembershipFactory(
                family=family, person=PersonFactory(age=70), role="other_adult", start_date=opened
            )
        programme_case(family, opened=opened)

    rows = rows_of(run(ReturnKind.ANONYMISED, *quarter, dfe))

    groups = {(r["age_band"], r["role"], r["support_started"]) for r in rows}
    assert len(rows) == 12
    # The one adult of 70 would stand out: the period becomes the year and the bands broad, for everyone.
    [(band, role, started)] = groups
    assert (band, role) == ("25+", "adult")
    assert re.fullmatch(r"\d{4}/\d{2}", started)


def test_a_large_group_keeps_its_detail(run, dfe, statistics_agreement, north_team, today, quarter):
    opened = today - relativedelta(months=2)
    for _ in range(10):
        family = FamilyFactory(team=north_team)
        FamilyAddressFactory(family=family)
        MembershipFactory(family=family, person=PersonFactory(age=30), role="parent_carer", start_date=opened)
        programme_case(family, opened=opened)

    rows = rows_of(run(ReturnKind.ANONYMISED, *quarter, dfe))

    assert {(r["age_band"], r["role"]) for r in rows} == {("25-34", "adult")}
    assert {r["support_started"] for r in rows} == {rows[0]["support_started"]}
    assert " Q" in rows[0]["support_started"]


def test_row_order_does_not_follow_record_order(
    run,
    dfe,
    statistics_agreement,
    on_programme,
    quarter,
):
    rows = rows_of(run(ReturnKind.ANONYMISED, *quarter, dfe))
    assert [r["pseudonym"] for r in rows] == sorted(r["pseudonym"] for r in rows)
