"""Keys for finding people by name and postcode (SPEC §4.4: search tolerant of case, accents,
hyphens and typos; duplicate check on similar names).

``name_key`` turns a name into a comparison key; ``names_match`` says whether a search
matches a name; ``postcode_key`` and ``normalise_postcode`` give the comparison and display
forms of a postcode. All are pure functions: the database stores the keys, these make them.

The matching rule, in words a caseworker can be told:

1. Both sides become name keys: lower case, accents dropped (Zoë = Zoe, Łukasz = Lukasz,
   Søren = Soren, Strauß = Strauss), apostrophes removed (O'Brien = OBrien), and every
   other mark — hyphen, dot, comma, slash — a break between words (Brien-Smith = Brien Smith).
2. A search matches a name when every word of the search matches a word of the name, in
   any order, or when the whole search with its spaces taken out does. A "word of the name"
   is also any run of its words joined together, so "O Brien" finds "O'Brien" and
   "obriensmith" finds "O'Brien-Smith".
3. Two words match when they differ by no more typos than ``allowed_typos`` gives for the
   longer of the two: none up to 3 letters, 1 up to 7, 2 beyond. A typo is one letter
   added, dropped or changed, or two neighbouring letters swapped (Damerau–Levenshtein).
"""

import re
import unicodedata

from django.core.exceptions import ValidationError

# Apostrophes sit inside a name (O'Brien, D'Arcy, N'Golo), so they are removed rather than
# turned into a word break. Removed before NFKD, which would split the spacing accents
# (´ `) into a space and a combining mark.
_APOSTROPHES = str.maketrans(dict.fromkeys("'\u2018\u2019\u201b\u02bc\u02b9\u0060\u00b4\u2032", ""))

# Letters that carry their "accent" as part of the letter, so NFKD does not split them.
# (ß needs no entry: casefold already turns it into "ss".)
_LETTERS_WITHOUT_DECOMPOSITION = str.maketrans(
    {
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "ħ": "h",
        "ŧ": "t",
    }
)


def name_key(text: str) -> str:
    """The comparison key for a name: "Zoë O'Brien-Smith" -> "zoe obrien smith" (rule 1 above)."""
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_APOSTROPHES))
    chars = []
    for char in folded:
        category = unicodedata.category(char)
        if category in ("Mn", "Me"):
            continue  # the accent split off by NFKD
        # Spacing marks (Mc) are vowel signs in Indic scripts: part of the word, not a break.
        chars.append(char if char.isalnum() or category == "Mc" else " ")
    return " ".join("".join(chars).translate(_LETTERS_WITHOUT_DECOMPOSITION).split())


def typo_distance(a: str, b: str) -> int:
    """How many typos turn a into b: letters added, dropped or changed, or neighbours swapped.

    Damerau–Levenshtein distance in its "optimal string alignment" form (no substring is
    edited twice), row by row in O(len(a) * len(b)): names are short.
    """
    if a == b:
        return 0
    if not a or not b:
        return len(a) + len(b)
    before_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            current[j] = min(
                previous[j] + 1,  # drop char_a
                current[j - 1] + 1,  # add char_b
                previous[j - 1] + (char_a != char_b),  # keep or change
            )
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], before_previous[j - 2] + 1)  # swap neighbours
        before_previous, previous = previous, current
    return previous[-1]


def allowed_typos(length: int) -> int:
    """Typos forgiven in a word of this many letters: 0 up to 3, 1 up to 7, 2 from 8."""
    if length <= 3:
        return 0
    if length <= 7:
        return 1
    return 2


def _words_match(a: str, b: str, max_typos: int | None) -> bool:
    allowance = allowed_typos(max(len(a), len(b)))
    if max_typos is not None:
        allowance = min(allowance, max_typos)
    # Cheap test first: the distance is at least the difference in length.
    return abs(len(a) - len(b)) <= allowance and typo_distance(a, b) <= allowance


def names_match(query: str, name: str, *, max_typos: int | None = None) -> bool:
    """Whether a search for query should find name (rules 1-3 in the module docstring).

    max_typos caps the allowance for every word (0 = exact match of keys only); None leaves
    it scaled by word length.
    """
    query_words = name_key(query).split()
    name_words = name_key(name).split()
    if not query_words or not name_words:
        return False
    candidates = {
        "".join(name_words[start:end])
        for start in range(len(name_words))
        for end in range(start + 1, len(name_words) + 1)
    }

    def found(word: str) -> bool:
        return any(_words_match(word, candidate, max_typos) for candidate in candidates)

    return found("".join(query_words)) or all(found(word) for word in query_words)


# --- Postcodes ----------------------------------------------------------------------------------
#
# Source: Royal Mail's postcode formats (outward code A9, A99, A9A, AA9, AA99 or AA9A;
# inward code a digit and two letters, never C, I, K, M, O or V), as applied by the DfE/ESFA
# Individualised Learner Record rule Postcode_15
# (guidance.submit-learner-data.service.gov.uk/24-25/validation-rules/rule/Postcode_15).
# Royal Mail's finer per-position letter conventions are left out: it says they "may
# change", and districts such as N1P and E1W already fall outside older lists. Whether a
# postcode really exists is a question for an address lookup, not a format check.

_UK_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][ABD-HJLNP-UW-Z]{2}")


def postcode_key(text: str) -> str:
    """The comparison key for a postcode: upper case, no spaces ("hp20 1ua" -> "HP201UA")."""
    return "".join(text.split()).upper()


def normalise_postcode(text: str) -> str:
    """A postcode as Royal Mail prints it, one space before the inward code: "HP20 1UA".

    Anything too short to hold an inward code (an outward code alone, "HP20") is returned
    as its key.
    """
    key = postcode_key(text)
    if len(key) < 5:
        return key
    return f"{key[:-3]} {key[-3:]}"


def validate_postcode(text: str) -> None:
    """Raise ValidationError unless text is a full UK postcode in the Royal Mail format."""
    if not _UK_POSTCODE.fullmatch(postcode_key(text)):
        raise ValidationError("Enter a full UK postcode, like HP20 1UA", code="postcode_format")
