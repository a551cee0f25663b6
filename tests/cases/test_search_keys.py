"""Name and postcode keys for tolerant search and the duplicate check (SPEC §4.4)."""

import pytest
from django.core.exceptions import ValidationError

from cases.search_keys import (
    allowed_typos,
    name_key,
    names_match,
    normalise_postcode,
    postcode_key,
    typo_distance,
    validate_postcode,
)

# --- Name keys ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Zoë O'Brien-Smith", "zoe obrien smith"),
        ("ZOE O\u2019BRIEN SMITH", "zoe obrien smith"),  # curly apostrophe
        ("  zoe   obrien\tsmith ", "zoe obrien smith"),
        ("D´Arcy", "darcy"),  # spacing acute typed as an apostrophe
        ("Anne\u2010Marie", "anne marie"),  # Unicode hyphen
        ("Mary\u2013Jane", "mary jane"),  # en dash
        ("St. John-Smythe", "st john smythe"),
        ("J.R. Hartley", "j r hartley"),
        ("François Núñez", "francois nunez"),
        ("Strauß", "strauss"),
        ("STRAUSS", "strauss"),
        ("Søren Kierkegaard", "soren kierkegaard"),
        ("Æthelflæd", "aethelflaed"),
        ("Łukasz Żółć", "lukasz zolc"),
        ("Đorđević", "dordevic"),
        ("İsmail Işık", "ismail isik"),
        ("Siobhán Ní Dhomhnaill", "siobhan ni dhomhnaill"),
        ("", ""),
        (" -'. ", ""),
    ],
)
def test_name_key_ignores_case_accents_and_punctuation(name, key):
    assert name_key(name) == key


@pytest.mark.parametrize(
    ("typed", "recorded"),
    [
        ("zoe obrien smith", "Zoë O'Brien-Smith"),
        ("ZOE O BRIEN", "Zoë O'Brien"),
        ("Lukasz", "Łukasz"),
        ("soren", "Søren"),
        ("anne marie", "Anne-Marie"),
        ("Obrien", "O’Brien"),
    ],
)
def test_name_typed_without_accents_or_punctuation_matches_the_recorded_name(typed, recorded):
    assert names_match(typed, recorded, max_typos=0)


# --- Typo distance ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("", "", 0),
        ("smith", "", 5),
        ("", "smith", 5),
        ("smith", "smith", 0),
        ("smith", "smyth", 1),  # letter changed
        ("smith", "smiths", 1),  # letter added
        ("smith", "smth", 1),  # letter dropped
        ("johnson", "jonhson", 1),  # neighbours swapped
        ("fletcher", "fltechre", 2),  # two swaps
        ("kitten", "sitting", 3),
        ("robertson", "robinson", 3),
        # Optimal string alignment: a swapped pair is not edited again.
        ("ca", "abc", 3),
    ],
)
def test_typo_distance_counts_additions_drops_changes_and_swaps(a, b, distance):
    assert typo_distance(a, b) == distance
    assert typo_distance(b, a) == distance


@pytest.mark.parametrize(
    ("length", "typos"),
    [(0, 0), (1, 0), (3, 0), (4, 1), (7, 1), (8, 2), (20, 2)],
)
def test_typos_allowed_grow_with_word_length(length, typos):
    assert allowed_typos(length) == typos


@pytest.mark.parametrize(
    ("query", "name", "matches"),
    [
        # Up to 3 letters: no typo forgiven.
        ("tim", "Tom", False),
        ("al", "Ali", False),
        # 4 to 7 letters: one.
        ("mask", "Mark", True),
        ("make", "Mark", False),
        ("ann", "Anne", True),  # judged on the longer word (4 letters)
        ("jon", "John", True),
        ("smyth", "Smith", True),
        ("smyht", "Smith", False),
        ("jonhson", "Johnson", True),
        ("jahnsen", "Johnson", False),
        ("mueller", "Müller", True),
        # 8 letters or more: two.
        ("muhammad", "Mohammed", True),
        ("fltechre", "Fletcher", True),
        ("robinson", "Robertson", False),
    ],
)
def test_typo_tolerance_is_scaled_by_word_length(query, name, matches):
    assert names_match(query, name) is matches


@pytest.mark.parametrize(
    ("query", "name", "matches"),
    [
        ("zoe obrien smith", "Zoë O'Brien-Smith", True),
        ("smith zoe", "Zoë O'Brien-Smith", True),  # any order
        ("obrien", "Zoë O'Brien-Smith", True),  # one part of a double-barrelled name
        ("brien smith", "Zoë O'Brien-Smith", True),
        ("o brien", "Zoë O'Brien-Smith", True),  # words joined
        ("obriensmith", "Zoë O'Brien-Smith", True),
        ("zoe obrian smyth", "Zoë O'Brien-Smith", True),  # a typo in each of two words
        ("zoe brown", "Zoë O'Brien-Smith", False),  # every word must match
        ("zoey", "Zoë O'Brien-Smith", True),
        ("", "Zoë O'Brien-Smith", False),
        ("zoe", "", False),
        ("-", "Zoë", False),
    ],
)
def test_every_word_of_the_search_must_match_a_word_of_the_name(query, name, matches):
    assert names_match(query, name) is matches


@pytest.mark.parametrize(
    ("query", "name", "max_typos", "matches"),
    [
        ("smyth", "Smith", 0, False),
        ("zoe o'brien smith", "Zoë O'Brien-Smith", 0, True),
        ("muhammad", "Mohammed", 1, False),
        ("muhamed", "Mohammed", 2, True),
        ("smyth", "Smith", 5, True),  # a cap, never more than the length allows
        ("tim", "Tom", 5, False),
    ],
)
def test_max_typos_caps_the_allowance(query, name, max_typos, matches):
    assert names_match(query, name, max_typos=max_typos) is matches


# --- Postcodes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "key", "shown"),
    [
        ("hp20 1ua", "HP201UA", "HP20 1UA"),
        ("HP201UA", "HP201UA", "HP20 1UA"),
        ("  hp20   1ua ", "HP201UA", "HP20 1UA"),
        ("ec1a\u00a01bb", "EC1A1BB", "EC1A 1BB"),
        ("m11aa", "M11AA", "M1 1AA"),
        ("b338th", "B338TH", "B33 8TH"),
        ("w1a0ax", "W1A0AX", "W1A 0AX"),
        ("dn551pt", "DN551PT", "DN55 1PT"),
        # An outward code alone has no inward code to split off.
        ("hp20", "HP20", "HP20"),
    ],
)
def test_postcode_key_drops_spaces_and_display_puts_one_before_the_inward_code(typed, key, shown):
    assert postcode_key(typed) == key
    assert normalise_postcode(typed) == shown


@pytest.mark.parametrize(
    "postcode",
    ["HP20 1UA", "hp201ua", "M1 1AA", "M60 1NW", "CR2 6XH", "DN55 1PT", "W1A 1HQ", "EC1A 1BB", "GY1 1AA"],
)
def test_full_uk_postcode_is_accepted(postcode):
    validate_postcode(postcode)


@pytest.mark.parametrize(
    "postcode",
    [
        "",
        "HP20",  # outward code only
        "HP20 1U",
        "HP20 1UAA",
        "HP20 1CA",  # C, I, K, M, O and V never appear in the inward code
        "HP20 1UI",
        "HP20 AUA",
        "1P20 1UA",
        "HPP20 1UA",
        "HP201 1UA",
        "HP20-1UA",
    ],
)
def test_postcode_not_in_uk_format_is_refused_with_a_clear_message(postcode):
    with pytest.raises(ValidationError) as excinfo:
        validate_postcode(postcode)
    assert excinfo.value.code == "postcode_format"
    assert excinfo.value.messages == ["Enter a full UK postcode, like HP20 1UA"]
