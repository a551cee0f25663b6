"""UPN, NHS number and National Insurance number: normalising, validating, formatting (SPEC §4.1)."""

import pytest
from django.core.exceptions import ValidationError

from cases.identifiers import (
    format_nhs_number,
    format_ni_number,
    is_temporary_upn,
    nhs_number_check_digit,
    normalise_nhs_number,
    normalise_ni_number,
    normalise_upn,
    upn_check_letter,
    validate_nhs_number,
    validate_ni_number,
    validate_upn,
)


def assert_rejected(validator, value, *, code, message):
    with pytest.raises(ValidationError) as excinfo:
        validator(value)
    assert excinfo.value.code == code
    assert excinfo.value.messages == [message]


# --- UPN ----------------------------------------------------------------------------------------
#
# Check letter = UPN_LETTERS[sum(weight * value) % 23], weights 2-13 over characters 2-13,
# table A B C D E F G H J K L M N P Q R T U V W X Y Z = 0..22 (no I, O, S). Worked by hand:
#
# A123456789012  2*1 + 3*2 + 4*3 + 5*4 + 6*5 + 7*6 + 8*7 + 9*8 + 10*9 + 11*0 + 12*1 + 13*2
#                = 2+6+12+20+30+42+56+72+90+0+12+26 = 368 = 16*23 + 0    -> 0  -> A
# J825200124123  2*8 + 3*2 + 4*5 + 5*2 + 6*0 + 7*0 + 8*1 + 9*2 + 10*4 + 11*1 + 12*2 + 13*3
#                = 16+6+20+10+0+0+8+18+40+11+24+39 = 192 = 8*23 + 8      -> 8  -> J (no I)
# B801200005001  (python-stdnum's example) 2*8 + 4*1 + 5*2 + 10*5 + 13*1
#                = 16+4+10+50+13 = 93 = 4*23 + 1                          -> 1  -> B
# X00180001701A  (temporary; the DfE guide's example) 4*1 + 5*8 + 9*1 + 10*7 + 12*1 + 13*A(0)
#                = 4+40+9+70+12+0 = 135 = 5*23 + 20                       -> 20 -> X
# T82520012412T  (temporary) 16+6+20+10+0+0+8+18+40+11+24 = 153, + 13*T(16) = 208
#                = 361 = 15*23 + 16                                       -> 16 -> T
# P207000016049  2*2 + 4*7 + 9*1 + 10*6 + 12*4 + 13*9
#                = 4+28+9+60+48+117 = 266 = 11*23 + 13                    -> 13 -> P
#                (school-census help pages print this example as Q207000016049, having
#                added the same products to 267; 266 is the right total, so Q is wrong.)


@pytest.mark.parametrize(
    "upn",
    [
        "A123456789012",
        "J825200124123",
        "B801200005001",
        "X00180001701A",
        "T82520012412T",
        "P207000016049",
    ],
)
def test_upn_with_the_dfe_check_letter_is_accepted(upn):
    validate_upn(upn)
    assert upn_check_letter(upn[1:]) == upn[0]


@pytest.mark.parametrize(
    "typed", ["a123456789012", " A123 4567 89012 ", "a123-456-789-012", "A123456789012\n"]
)
def test_upn_is_accepted_as_typed_and_normalised_for_storage(typed):
    validate_upn(typed)
    assert normalise_upn(typed) == "A123456789012"


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("", "upn_length", "Enter a UPN that is 13 characters long, like A123456789012"),
        ("A12345678901", "upn_length", "Enter a UPN that is 13 characters long, like A123456789012"),
        ("A1234567890123", "upn_length", "Enter a UPN that is 13 characters long, like A123456789012"),
        (
            "1123456789012",
            "upn_format",
            "Enter a UPN in the correct format: a letter, 11 numbers, then a number or a letter, "
            "like A123456789012",
        ),
        (
            "A1234567890A2",
            "upn_format",
            "Enter a UPN in the correct format: a letter, 11 numbers, then a number or a letter, "
            "like A123456789012",
        ),
        (
            "A12345678901.",
            "upn_format",
            "Enter a UPN in the correct format: a letter, 11 numbers, then a number or a letter, "
            "like A123456789012",
        ),
        ("I123456789012", "upn_letter", "A UPN never uses the letters I, O or S: check the UPN"),
        ("S123456789012", "upn_letter", "A UPN never uses the letters I, O or S: check the UPN"),
        ("A00180001701O", "upn_letter", "A UPN never uses the letters I, O or S: check the UPN"),
        (
            "B123456789012",
            "upn_check_letter",
            "The check letter (the first character) does not match the rest of the UPN: check the UPN",
        ),
        (
            "Q207000016049",
            "upn_check_letter",
            "The check letter (the first character) does not match the rest of the UPN: check the UPN",
        ),
        (
            "X00180001701B",
            "upn_check_letter",
            "The check letter (the first character) does not match the rest of the UPN: check the UPN",
        ),
        (
            # Two neighbouring digits swapped: the weighted sum catches it.
            "A213456789012",
            "upn_check_letter",
            "The check letter (the first character) does not match the rest of the UPN: check the UPN",
        ),
    ],
)
def test_invalid_upn_is_refused_with_a_message_saying_why(value, code, message):
    assert_rejected(validate_upn, value, code=code, message=message)


@pytest.mark.parametrize(
    ("upn", "temporary"),
    [("X00180001701A", True), ("t82520012412t", True), ("A123456789012", False), ("A12", False)],
)
def test_temporary_upn_is_one_ending_in_a_letter(upn, temporary):
    assert is_temporary_upn(upn) is temporary


@pytest.mark.parametrize("body", ["12345678901", "1234567890123", "12345678901I", "1234567890A2"])
def test_upn_check_letter_needs_eleven_digits_then_a_digit_or_table_letter(body):
    with pytest.raises(ValueError, match="characters 2-13"):
        upn_check_letter(body)


# --- NHS number ---------------------------------------------------------------------------------
#
# 943 476 5919 (the NHS's published example): 9*10 + 4*9 + 3*8 + 4*7 + 7*6 + 6*5 + 5*4 + 9*3 + 1*2
#   = 90+36+24+28+42+30+20+27+2 = 299; 299 % 11 = 2; 11 - 2 = 9 = the tenth digit.
# 943 476 5900: the same but digit 9 is 0, so the total is 297 = 27*11; 11 - 0 = 11 -> check digit 0.
# 123 456 789x: 10+18+24+28+30+30+28+24+18 = 210; 210 % 11 = 1; 11 - 1 = 10 -> never issued.


@pytest.mark.parametrize(
    "typed",
    ["9434765919", "943 476 5919", "943-476-5919", " 943 476 5919 ", "943\u00a0476\u00a05919", "9434765900"],
)
def test_nhs_number_with_the_modulus_11_check_digit_is_accepted(typed):
    validate_nhs_number(typed)


@pytest.mark.parametrize(
    ("first_nine", "check_digit"),
    [("943476591", 9), ("943476590", 0), ("123456789", None)],
)
def test_nhs_check_digit_is_11_minus_the_weighted_remainder_with_11_as_0_and_10_never_issued(
    first_nine, check_digit
):
    assert nhs_number_check_digit(first_nine) == check_digit


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("943 476 591A", "nhs_number_format", "Enter an NHS number using numbers only, like 943 476 5919"),
        ("943.476.5919", "nhs_number_format", "Enter an NHS number using numbers only, like 943 476 5919"),
        ("", "nhs_number_length", "Enter an NHS number that is 10 digits long, like 943 476 5919"),
        ("943 476 591", "nhs_number_length", "Enter an NHS number that is 10 digits long, like 943 476 5919"),
        (
            "943 476 59190",
            "nhs_number_length",
            "Enter an NHS number that is 10 digits long, like 943 476 5919",
        ),
        (
            "943 476 5918",
            "nhs_number_check_digit",
            "This is not a valid NHS number: check each digit has been entered correctly",
        ),
        (
            # Two neighbouring digits swapped.
            "934 476 5919",
            "nhs_number_check_digit",
            "This is not a valid NHS number: check each digit has been entered correctly",
        ),
        *(
            (
                f"123456789{last}",
                "nhs_number_check_digit",
                "This is not a valid NHS number: check each digit has been entered correctly",
            )
            for last in range(10)
        ),
    ],
)
def test_invalid_nhs_number_is_refused_with_a_message_saying_why(value, code, message):
    assert_rejected(validate_nhs_number, value, code=code, message=message)


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("9434765919", "9434765919", "943 476 5919"),
        ("943 476 5919", "9434765919", "943 476 5919"),
        ("943-476-5919", "9434765919", "943 476 5919"),
        ("94 34 76 59 19", "9434765919", "943 476 5919"),
        # Not a whole NHS number: shown as stored rather than breaking the page.
        ("12345", "12345", "12345"),
    ],
)
def test_nhs_number_is_stored_as_digits_and_shown_in_3_3_4_groups(typed, stored, shown):
    assert normalise_nhs_number(typed) == stored
    assert format_nhs_number(typed) == shown


# --- National Insurance number ------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "AB123456C",
        "ab 12 34 56 c",
        "AB 12 34 56 C",
        "AB-12-34-56-C",
        "JG103759A",
        "BN102966D",
        "OA123456B",  # O is only barred as the second letter
        "NA123456A",  # N and A are each fine; only the listed pairs are barred
    ],
)
def test_ni_number_in_hmrc_format_is_accepted(typed):
    validate_ni_number(typed)


PREFIX_MESSAGE = "A National Insurance number cannot start with {}: check the first 2 letters"


@pytest.mark.parametrize(
    "prefix",
    [
        # D, F, I, Q, U and V are never the first or the second letter (NIM39110).
        *(f"{letter}A" for letter in "DFIQUV"),
        *(f"A{letter}" for letter in "DFIQUV"),
        "QQ",  # HMRC's own example number, deliberately unusable
        # O is never the second letter.
        "AO",
        "OO",
        # Prefixes that are not used.
        "BG",
        "GB",
        "KN",
        "NK",
        "NT",
        "TN",
        "ZZ",
        # Administrative references that look like NINOs.
        "CR",
        "FY",
        "MW",
        "NC",
    ],
)
def test_ni_number_with_a_prefix_hmrc_never_issues_is_refused(prefix):
    assert_rejected(
        validate_ni_number,
        f"{prefix}123456A",
        code="ni_number_prefix",
        message=PREFIX_MESSAGE.format(prefix),
    )


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        (
            "AB123456",
            "ni_number_suffix_missing",
            "Enter the whole National Insurance number, including the letter at the end, like QQ 12 34 56 C",
        ),
        (
            "AB 12 34 56",
            "ni_number_suffix_missing",
            "Enter the whole National Insurance number, including the letter at the end, like QQ 12 34 56 C",
        ),
        (
            "AB123456E",
            "ni_number_suffix",
            "The letter at the end of a National Insurance number must be A, B, C or D",
        ),
        (
            "AB123456M",
            "ni_number_suffix",
            "The letter at the end of a National Insurance number must be A, B, C or D",
        ),
        (
            "",
            "ni_number_format",
            "Enter a National Insurance number in the correct format, like QQ 12 34 56 C",
        ),
        (
            "A1234567C",
            "ni_number_format",
            "Enter a National Insurance number in the correct format, like QQ 12 34 56 C",
        ),
        (
            "AB12345C",
            "ni_number_format",
            "Enter a National Insurance number in the correct format, like QQ 12 34 56 C",
        ),
        (
            "AB1234567",
            "ni_number_format",
            "Enter a National Insurance number in the correct format, like QQ 12 34 56 C",
        ),
        (
            "AB123456CD",
            "ni_number_format",
            "Enter a National Insurance number in the correct format, like QQ 12 34 56 C",
        ),
    ],
)
def test_invalid_ni_number_is_refused_with_a_message_saying_why(value, code, message):
    assert_rejected(validate_ni_number, value, code=code, message=message)


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("qq123456c", "QQ123456C", "QQ 12 34 56 C"),
        ("AB 12 34 56 C", "AB123456C", "AB 12 34 56 C"),
        (" ab 123456 c ", "AB123456C", "AB 12 34 56 C"),
        ("ab-12-34-56-c", "AB123456C", "AB 12 34 56 C"),
        # Not a whole NI number: shown as stored rather than breaking the page.
        ("AB 12 34 56", "AB123456", "AB123456"),
    ],
)
def test_ni_number_is_stored_compact_in_upper_case_and_shown_grouped(typed, stored, shown):
    assert normalise_ni_number(typed) == stored
    assert format_ni_number(typed) == shown
