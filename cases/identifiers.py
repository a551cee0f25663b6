"""The identifiers used to match a person across services (SPEC §4.1): UPN, NHS number, NI number.

Each identifier has:

- ``normalise_*`` — the form we store and compare: separators removed, upper case;
- ``validate_*`` — a Django validator: it normalises first, so it accepts what a person
  types ("943 476 5919") as well as the stored form, and raises ``ValidationError`` with a
  message that says what is wrong and a ``code`` a form or import report can key on;
- ``format_*`` — the form we show on screen.

All are optional on a person and none is ever derived from another record.
``format_*`` never raises: a page showing an old, invalid value shows it as stored.
"""

import re

from django.core.exceptions import ValidationError

# Spaces (including non-breaking ones) and the dashes that word processors put in when
# a number is pasted from a letter or a referral form.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]+")


def _compact(value: str) -> str:
    return _SEPARATORS.sub("", value).upper()


# --- Unique Pupil Number (UPN) ------------------------------------------------------------------
#
# Source: DfE, "Unique pupil numbers (UPNs): a guide for schools and local authorities"
# (v1.2, June 2019), Annex A "The national UPN formula"; the same rule is published in the
# UK Government Data Standards Catalogue entry "Unique Pupil Number" v2.0 (govtalk.gov.uk)
# and as school census validation rule 1510. In short:
#
# - 13 characters. Character 1 is a check letter; characters 2-4 are the LA number,
#   5-8 the establishment (DfE) number, 9-10 the last two digits of the academic year
#   of allocation, 11-13 a serial number.
# - A temporary UPN (issued while a school waits for the pupil's real one) has two serial
#   digits and then a letter: "AnnnnnnnnnnnA".
# - Check letter: multiply characters 2-13 by weights 2-13, add, take the remainder
#   modulo 23 and map 0-22 to A-Z without I, O and S. A temporary UPN's final letter
#   counts as its value in that same table (A=0, B=1, ...).
# - I, O and S are never used as the check letter or as a temporary UPN's final letter.
#
# We do not check characters 2-4 against the list of LA numbers (census rule 1530): the
# list changes whenever councils reorganise (Northamptonshire split in 2021, Cumbria in
# 2023), and such values belong in data with effective dates, not in code (STYLE).

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # index = value, 0-22; no I, O or S
_UPN_SHAPE = re.compile(r"[A-Z][0-9]{11}[0-9A-Z]")


def normalise_upn(value: str) -> str:
    """The stored form of a UPN: no spaces, upper case ("a123 4567 89012" -> "A123456789012")."""
    return _compact(value)


def upn_check_letter(body: str) -> str:
    """The check letter for characters 2-13 of a UPN (12 characters: 12 digits, or 11 and a letter)."""
    if not re.fullmatch(rf"[0-9]{{11}}[0-9{UPN_LETTERS}]", body):
        raise ValueError("characters 2-13 of a UPN are 11 digits and then a digit or a check-table letter")
    total = 0
    for weight, char in enumerate(body, start=2):
        total += weight * (int(char) if char.isdigit() else UPN_LETTERS.index(char))
    return UPN_LETTERS[total % 23]


def is_temporary_upn(value: str) -> bool:
    """True for a temporary UPN (final character a letter); schools replace these with a permanent one."""
    upn = normalise_upn(value)
    return len(upn) == 13 and upn[-1].isalpha()


def validate_upn(value: str) -> None:
    """Raise ValidationError unless value is a permanent or temporary UPN with the right check letter."""
    upn = normalise_upn(value)
    if len(upn) != 13:
        raise ValidationError(
            "Enter a UPN that is 13 characters long, like A123456789012",
            code="upn_length",
        )
    if not _UPN_SHAPE.fullmatch(upn):
        raise ValidationError(
            "Enter a UPN in the correct format: a letter, 11 numbers, then a number or a letter, "
            "like A123456789012",
            code="upn_format",
        )
    if upn[0] not in UPN_LETTERS or (upn[-1].isalpha() and upn[-1] not in UPN_LETTERS):
        raise ValidationError(
            "A UPN never uses the letters I, O or S: check the UPN",
            code="upn_letter",
        )
    if upn_check_letter(upn[1:]) != upn[0]:
        raise ValidationError(
            "The check letter (the first character) does not match the rest of the UPN: check the UPN",
            code="upn_check_letter",
        )


# --- NHS number ---------------------------------------------------------------------------------
#
# Source: NHS Data Dictionary, attribute "NHS NUMBER" (also GDSC "NHS Number" v2.0): 10
# digits, the tenth a Modulus 11 check digit, "the use of this algorithm is mandatory".
# Multiply digits 1-9 by weights 10 down to 2, add, take the remainder modulo 11 and
# subtract it from 11: 11 means check digit 0; 10 means the number is invalid and never
# issued. Shown in a 3-3-4 grouping ("943 476 5919").
#
# We apply only that rule, not the allocation ranges: Scottish CHI and Northern Irish H&C
# numbers share the format and check digit, and families move.


def normalise_nhs_number(value: str) -> str:
    """The stored form of an NHS number: digits only ("943-476-5919" -> "9434765919")."""
    return _compact(value)


def nhs_number_check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for the first nine digits, or None if no check digit can make them valid."""
    if not re.fullmatch(r"[0-9]{9}", first_nine):
        raise ValueError("the first nine digits of an NHS number are needed")
    total = sum(weight * int(digit) for weight, digit in zip(range(10, 1, -1), first_nine, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def validate_nhs_number(value: str) -> None:
    """Raise ValidationError unless value is 10 digits whose last digit is the Modulus 11 check digit."""
    number = normalise_nhs_number(value)
    if not re.fullmatch(r"[0-9]*", number):
        raise ValidationError(
            "Enter an NHS number using numbers only, like 943 476 5919",
            code="nhs_number_format",
        )
    if len(number) != 10:
        raise ValidationError(
            "Enter an NHS number that is 10 digits long, like 943 476 5919",
            code="nhs_number_length",
        )
    if nhs_number_check_digit(number[:9]) != int(number[9]):
        raise ValidationError(
            "This is not a valid NHS number: check each digit has been entered correctly",
            code="nhs_number_check_digit",
        )


def format_nhs_number(value: str) -> str:
    """An NHS number as people read it: "943 476 5919". A value that is not 10 digits is shown as stored."""
    number = normalise_nhs_number(value)
    if not re.fullmatch(r"[0-9]{10}", number):
        return number
    return f"{number[:3]} {number[3:6]} {number[6:]}"


# --- National Insurance number (NINO) -----------------------------------------------------------
#
# Source: HMRC National Insurance Manual NIM39110 "What a NINO looks like": 2 prefix
# letters, 6 digits and a suffix "which is always A, B, C, or D".
# - D, F, I, Q, U and V are never the first or second letter; O is never the second.
# - The prefixes BG, GB, KN, NK, NT, TN and ZZ are not used.
# - OO, CR, FY, MW and NC are administrative references that "do not use valid prefixes"
#   (same page), so we refuse them too.
# Shown grouped as "QQ 12 34 56 C" (HMRC's own example, which itself fails the prefix rule
# on purpose: Q is never used).
#
# Decision: the suffix is required. HMRC says it is always present; only the retired GDSC
# 2.1 schema let a space stand in for an unknown suffix. A number without one gets its
# own message asking for the last letter, rather than being stored incomplete.

_NI_NEVER_IN_PREFIX = frozenset("DFIQUV")
_NI_UNUSED_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
_NI_ADMINISTRATIVE_PREFIXES = frozenset({"OO", "CR", "FY", "MW", "NC"})


def normalise_ni_number(value: str) -> str:
    """The stored form of an NI number: no spaces, upper case ("qq 12 34 56 c" -> "QQ123456C")."""
    return _compact(value)


def validate_ni_number(value: str) -> None:
    """Raise ValidationError unless value follows HMRC's format for a National Insurance number."""
    number = normalise_ni_number(value)
    if re.fullmatch(r"[A-Z]{2}[0-9]{6}", number):
        raise ValidationError(
            "Enter the whole National Insurance number, including the letter at the end, like QQ 12 34 56 C",
            code="ni_number_suffix_missing",
        )
    if not re.fullmatch(r"[A-Z]{2}[0-9]{6}[A-Z]", number):
        raise ValidationError(
            "Enter a National Insurance number in the correct format, like QQ 12 34 56 C",
            code="ni_number_format",
        )
    prefix, suffix = number[:2], number[8]
    if (
        prefix[0] in _NI_NEVER_IN_PREFIX
        or prefix[1] in _NI_NEVER_IN_PREFIX
        or prefix[1] == "O"
        or prefix in _NI_UNUSED_PREFIXES
        or prefix in _NI_ADMINISTRATIVE_PREFIXES
    ):
        raise ValidationError(
            "A National Insurance number cannot start with %(prefix)s: check the first 2 letters",
            code="ni_number_prefix",
            params={"prefix": prefix},
        )
    if suffix not in "ABCD":
        raise ValidationError(
            "The letter at the end of a National Insurance number must be A, B, C or D",
            code="ni_number_suffix",
        )


def format_ni_number(value: str) -> str:
    """A National Insurance number as HMRC prints it: "QQ 12 34 56 C". Any other value is shown as stored."""
    number = normalise_ni_number(value)
    if not re.fullmatch(r"[A-Z]{2}[0-9]{6}[A-Z]", number):
        return number
    return f"{number[:2]} {number[2:4]} {number[4:6]} {number[6:8]} {number[8]}"
