"""Search by name finds the same people whether names are narrowed in the database (PostgreSQL's trigram
index, `cases.selectors._trigram_candidates`) or only compared in Python (SQLite). Run on PostgreSQL with
DATABASE_URL=postgres://... to exercise the trigram path; on SQLite the same assertions hold."""

import pytest
from django.db import connection

from cases.factories import FamilyFactory, MembershipFactory, PersonFactory
from cases.search_keys import name_key
from cases.selectors import SEARCH_TRIGRAM_THRESHOLD as THRESHOLD
from cases.selectors import _trigram_candidates, search_families

# Every tolerated difference the matching rule allows (tests/cases/test_search_keys.py), as searched for.
TOLERATED = [
    ("mask", "Mark", "Taylor"),
    ("ann taylor", "Anne", "Taylor"),
    ("jon taylor", "John", "Taylor"),
    ("jhon taylor", "John", "Taylor"),  # neighbours swapped in a 4-letter word: 1/5 of its trigrams kept
    ("taylor", "John", "Taylor"),
    ("smyth", "Zoë", "Smith"),
    ("jonhson", "Kai", "Johnson"),
    ("mueller", "Ina", "Müller"),
    ("muhammad ali", "Mohammed", "Ali"),
    ("fltechre", "Rosa", "Fletcher"),
    ("zoe obrian smyth", "Zoë", "O'Brien-Smith"),
    ("o brien", "Zoë", "O'Brien-Smith"),
    ("obriensmith", "Zoë", "O'Brien-Smith"),
    ("smith zoe", "Zoë", "O'Brien-Smith"),
    ("zoey", "Zoë", "O'Brien-Smith"),
    ("annemarie", "Anne-Marie", "Okafor"),
    ("de la cruz", "Maria", "Delacruz"),  # only the joined search is like the name
    ("lukasz", "Łukasz", "Nowak"),
]


@pytest.mark.parametrize(("query", "given", "family_name"), TOLERATED)
def test_tolerated_typos_are_found_on_every_database(caseworker, north_team, query, given, family_name):
    family = FamilyFactory(team=north_team)
    MembershipFactory(family=family, person=PersonFactory(given_name=given, family_name=family_name))
    # A fixed name: a random surname from the factory could be one of the names searched for.
    other = PersonFactory(given_name="Unrelated", family_name="Quennell", other_names="")
    MembershipFactory(family=FamilyFactory(team=north_team), person=other)
    assert [result.family for result in search_families(caseworker, name=query)] == [family], query


def test_a_name_too_far_off_is_not_found(caseworker, north_team):
    MembershipFactory(
        family=FamilyFactory(team=north_team), person=PersonFactory(given_name="Tom", family_name="Okafor")
    )
    assert search_families(caseworker, name="tim") == []  # 3 letters: no typo forgiven
    assert search_families(caseworker, name="robinson") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index is PostgreSQL only")
def test_postgresql_narrows_by_trigrams_before_comparing_in_python(caseworker, north_team):
    wanted = PersonFactory(given_name="Zoë", family_name="O'Brien-Smith")
    other = PersonFactory(given_name="Harry", family_name="Dodd")
    for person in (wanted, other):
        MembershipFactory(family=FamilyFactory(team=north_team), person=person)
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)", [str(THRESHOLD)])
    ids = {row["pk"] for row in _trigram_candidates(name_key("Zoe Obrein Smith"))}
    assert wanted.pk in ids
    assert other.pk not in ids
