"""Statutory deadlines (domain-rules §2, §3, §10; SPEC §8, §12).

Every expected date is worked out by hand from a printed calendar and the
published bank holidays; the comment beside each case says how. None is
computed by the code under test.
"""

from datetime import date

import pytest

from sar.deadlines import (
    ENGLAND,
    SCOTLAND,
    bank_holidays,
    complaint_acknowledgement_due,
    extension_notice_deadline,
    foi_due_date,
    is_foi_working_day,
    is_sar_working_day,
    sar_due_date,
    sar_start_date,
)

# --- the one-month clock (SAR and other rights) ---


@pytest.mark.parametrize(
    ("start", "due", "extended_due"),
    [
        # The worked examples of domain-rules §2, exactly.
        (date(2025, 9, 3), date(2025, 10, 3), date(2025, 12, 3)),  # Wed -> Fri 3 Oct; Wed 3 Dec
        (date(2025, 1, 31), date(2025, 2, 28), date(2025, 4, 30)),  # no 31 Feb / 31 Apr: last day
        (date(2023, 4, 1), date(2023, 5, 2), date(2023, 7, 3)),  # Mon 1 May bank holiday; Sat 1 Jul -> Mon
    ],
)
def test_worked_examples_of_domain_rules(start, due, extended_due):
    assert sar_due_date(start) == due
    assert sar_due_date(start, extended=True) == extended_due


@pytest.mark.parametrize(
    ("start", "extended", "due"),
    [
        # Leap years: 31 Jan 2024 -> 31 Feb does not exist -> Thu 29 Feb 2024.
        (date(2024, 1, 31), False, date(2024, 2, 29)),
        # Common year: 31 Jan 2023 and 30 Jan 2023 both -> Tue 28 Feb 2023.
        (date(2023, 1, 31), False, date(2023, 2, 28)),
        (date(2023, 1, 30), False, date(2023, 2, 28)),
        # 29 Feb 2024 + 1 month = Fri 29 Mar 2024, Good Friday; Sat, Sun, Mon 1 Apr
        # Easter Monday -> Tue 2 Apr 2024.
        (date(2024, 2, 29), False, date(2024, 4, 2)),
        # 29 Feb 2024 + 3 months = Wed 29 May 2024 (the bank holiday was Mon 27 May).
        (date(2024, 2, 29), True, date(2024, 5, 29)),
        # Month ends: Sun 31 Aug 2025 (a request can arrive on a Sunday) -> Tue 30 Sep.
        (date(2025, 8, 31), False, date(2025, 9, 30)),
        # ... extended: 31 Nov does not exist -> Sun 30 Nov -> Mon 1 Dec 2025. Mon 1 Dec is
        # Scotland's St Andrew's Day substitute, which does not count for a SAR (E&W only).
        (date(2025, 8, 31), True, date(2025, 12, 1)),
        # Mon 31 Mar 2025 -> 31 Apr does not exist -> Wed 30 Apr; extended -> Mon 30 Jun.
        (date(2025, 3, 31), False, date(2025, 4, 30)),
        (date(2025, 3, 31), True, date(2025, 6, 30)),
    ],
)
def test_a_date_that_does_not_exist_falls_back_to_the_last_day_of_the_month(start, extended, due):
    assert sar_due_date(start, extended=extended) == due


@pytest.mark.parametrize(
    ("start", "due"),
    [
        # Easter 2025 in England: Fri 18 Apr Good Friday, Mon 21 Apr Easter Monday.
        (date(2025, 3, 18), date(2025, 4, 22)),  # 18 Apr Good Friday -> Sat, Sun, Easter Mon -> Tue
        (date(2025, 3, 21), date(2025, 4, 22)),  # 21 Apr Easter Monday -> Tue 22 Apr
        # Christmas 2025: Thu 25 Christmas, Fri 26 Boxing Day, weekend -> Mon 29 Dec.
        (date(2025, 11, 25), date(2025, 12, 29)),
        # 2026: Sat 26 Dec Boxing Day, its substitute is Mon 28 Dec -> Tue 29 Dec.
        (date(2026, 11, 26), date(2026, 12, 29)),
        # 2027: Sat 25 and Sun 26 Dec; substitutes Mon 27 and Tue 28 -> Wed 29 Dec.
        (date(2027, 11, 25), date(2027, 12, 29)),
        # 2022: Sun 25 Dec; Mon 26 Boxing Day, Tue 27 Christmas substitute -> Wed 28 Dec.
        (date(2022, 11, 25), date(2022, 12, 28)),
        # New Year 2023: Sun 1 Jan, substitute Mon 2 Jan -> Tue 3 Jan.
        (date(2022, 12, 1), date(2023, 1, 3)),
        # One-off bank holiday: Mon 8 May 2023 (the coronation) -> Tue 9 May.
        (date(2023, 4, 8), date(2023, 5, 9)),
    ],
)
def test_a_deadline_on_a_weekend_or_england_and_wales_bank_holiday_moves_to_the_next_working_day(start, due):
    assert sar_due_date(start) == due


@pytest.mark.parametrize(
    ("start", "extended", "paused_days", "due"),
    [
        # Fri 3 Oct 2025 + 5 paused days = Wed 8 Oct.
        (date(2025, 9, 3), False, 5, date(2025, 10, 8)),
        # Fri 3 Oct + 1 = Sat 4 Oct -> Mon 6 Oct.
        (date(2025, 9, 3), False, 1, date(2025, 10, 6)),
        # Added BEFORE the roll-forward: 1 May 2023 + 2 = Wed 3 May. (Rolling first would
        # give Tue 2 May + 2 = Thu 4 May, which is wrong.)
        (date(2023, 4, 1), False, 2, date(2023, 5, 3)),
        # Fri 28 Feb 2025 + 3 = Mon 3 Mar.
        (date(2025, 1, 31), False, 3, date(2025, 3, 3)),
        # Extended: Wed 30 Apr 2025 + 3 = Sat 3 May -> Sun -> Mon 5 May bank holiday -> Tue 6 May.
        (date(2025, 1, 31), True, 3, date(2025, 5, 6)),
    ],
)
def test_paused_days_are_added_before_the_roll_forward(start, extended, paused_days, due):
    assert sar_due_date(start, extended=extended, paused_days=paused_days) == due


def test_paused_days_cannot_be_negative():
    with pytest.raises(ValueError, match="negative"):
        sar_due_date(date(2025, 9, 3), paused_days=-1)


@pytest.mark.parametrize(
    ("identity", "fee", "start"),
    [
        (None, None, date(2025, 9, 3)),  # day of receipt is day one
        (date(2025, 9, 3), None, date(2025, 9, 3)),  # identity came with the request
        (date(2025, 9, 10), None, date(2025, 9, 10)),  # clock starts when identity arrives
        (date(2025, 9, 10), date(2025, 9, 12), date(2025, 9, 12)),  # ... or the fee, if later
        (date(2025, 9, 12), date(2025, 9, 10), date(2025, 9, 12)),
    ],
)
def test_start_date_is_the_latest_of_receipt_identity_and_fee(identity, fee, start):
    assert sar_start_date(date(2025, 9, 3), identity_received=identity, fee_received=fee) == start


@pytest.mark.parametrize(
    ("start", "paused_days", "deadline"),
    [
        (date(2025, 9, 3), 0, date(2025, 10, 3)),
        (date(2023, 4, 1), 0, date(2023, 5, 2)),  # first month ends on a bank holiday -> Tue 2 May
        (date(2023, 4, 1), 2, date(2023, 5, 3)),  # a pause moves the first month on too
    ],
)
def test_extension_must_be_notified_within_the_first_month(start, paused_days, deadline):
    assert extension_notice_deadline(start, paused_days=paused_days) == deadline


# --- FOI working days (whole UK) ---


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # No holidays in June 2025: Mon 2 Jun is day 0; Tue 3 is day 1 ... Mon 30 Jun is day 20.
        (date(2025, 6, 2), date(2025, 6, 30)),
        # Received on Sat 7 Jun: still day 0. Mon 9 Jun is day 1 ... Fri 4 Jul is day 20.
        (date(2025, 6, 7), date(2025, 7, 4)),
        # Fri 6 and Sun 8 Jun give the same answer: day 1 is Mon 9 Jun either way.
        (date(2025, 6, 6), date(2025, 7, 4)),
        (date(2025, 6, 8), date(2025, 7, 4)),
        # Mon 9 Jun is day 0 -> Tue 10 is day 1 ... Mon 7 Jul is day 20.
        (date(2025, 6, 9), date(2025, 7, 7)),
    ],
)
def test_foi_due_on_the_twentieth_working_day_following_receipt(received, due):
    assert foi_due_date(received) == due


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Across Christmas 2025: Mon 1 Dec is day 0. 2-5 Dec = days 1-4, 8-12 = 5-9, 15-19 = 10-14,
        # 22-24 = 15-17, Thu 25 Christmas and Fri 26 Boxing Day skipped, 29-31 = 18-20.
        (date(2025, 12, 1), date(2025, 12, 31)),
        # Scotland's 2 January: Mon 8 Dec 2025 day 0. 9-12 Dec = 1-4, 15-19 = 5-9, 22-24 = 10-12,
        # 29-31 = 13-15, Thu 1 Jan skipped, Fri 2 Jan (Scotland only) skipped, 5-9 Jan = 16-20.
        # With England's holidays alone it would be Thu 8 Jan.
        (date(2025, 12, 8), date(2026, 1, 9)),
        # St Andrew's Day substitute: Sat 30 Nov 2024 -> Mon 2 Dec 2024 in Scotland only.
        # Mon 18 Nov day 0; 19-22 = 1-4, 25-29 = 5-9, Mon 2 Dec skipped, 3-6 = 10-13,
        # 9-13 = 14-18, Mon 16 = 19, Tue 17 Dec = 20. (England alone: Mon 16 Dec.)
        (date(2024, 11, 18), date(2024, 12, 17)),
        # St Patrick's Day, Tue 17 Mar 2026, Northern Ireland only. Mon 2 Mar day 0; 3-6 = 1-4,
        # 9-13 = 5-9, Mon 16 = 10, Tue 17 skipped, 18-20 = 11-13, 23-27 = 14-18, Mon 30 = 19,
        # Tue 31 Mar = 20. (England alone: Mon 30 Mar.)
        (date(2026, 3, 2), date(2026, 3, 31)),
        # Battle of the Boyne, Fri 12 Jul 2024, Northern Ireland only. Mon 1 Jul day 0; 2-5 = 1-4,
        # 8-11 = 5-8, Fri 12 skipped, 15-19 = 9-13, 22-26 = 14-18, Mon 29 = 19, Tue 30 Jul = 20.
        (date(2024, 7, 1), date(2024, 7, 30)),
        # ... and its substitute: Sat 12 Jul 2025 -> Mon 14 Jul 2025. Mon 30 Jun day 0; 1-4 Jul =
        # 1-4, 7-11 = 5-9, Mon 14 skipped, 15-18 = 10-13, 21-25 = 14-18, Mon 28 = 19, Tue 29 = 20.
        (date(2025, 6, 30), date(2025, 7, 29)),
        # Easter 2025: Mon 14 Apr day 0; 15-17 = 1-3, Good Friday 18 and England's Easter Monday
        # 21 skipped, 22-25 = 4-7, 28 Apr-2 May = 8-12, Mon 5 May bank holiday skipped,
        # 6-9 = 13-16, 12-15 = 17-20 -> Thu 15 May.
        (date(2025, 4, 14), date(2025, 5, 15)),
    ],
)
def test_foi_working_days_exclude_bank_holidays_in_any_part_of_the_uk(received, due):
    assert foi_due_date(received) == due


@pytest.mark.parametrize(
    ("day", "sar_working", "foi_working"),
    [
        (date(2025, 12, 1), True, False),  # St Andrew's Day substitute (Scotland)
        (date(2026, 1, 2), True, False),  # 2 January (Scotland)
        (date(2026, 3, 17), True, False),  # St Patrick's Day (Northern Ireland)
        (date(2025, 7, 14), True, False),  # Battle of the Boyne substitute (Northern Ireland)
        (date(2025, 8, 4), True, False),  # Scotland's summer bank holiday, first Monday of August
        (date(2025, 8, 25), False, False),  # England's late summer bank holiday: also NI, so FOI too
        (date(2025, 4, 18), False, False),  # Good Friday
        (date(2025, 12, 25), False, False),  # Christmas Day
        (date(2025, 12, 24), True, True),
        (date(2025, 12, 27), False, False),  # Saturday
    ],
)
def test_sar_uses_england_and_wales_holidays_and_foi_the_whole_uk(day, sar_working, foi_working):
    assert is_sar_working_day(day) is sar_working
    assert is_foi_working_day(day) is foi_working


def test_calendar_source_includes_substitute_days_per_part_of_the_uk():
    assert date(2026, 12, 28) in bank_holidays(2026, ENGLAND)  # Boxing Day substitute
    assert date(2024, 12, 2) in bank_holidays(2024, SCOTLAND)  # St Andrew's Day substitute
    assert date(2024, 12, 2) not in bank_holidays(2024, ENGLAND)


@pytest.mark.parametrize(
    ("options", "due"),
    [
        # Clarification restarts the clock: Wed 11 Jun 2025 is day 0; 12-13 = 1-2, 16-20 = 3-7,
        # 23-27 = 8-12, 30 Jun-4 Jul = 13-17, 7-9 Jul = 18-20 -> Wed 9 Jul.
        ({"clarification_received": date(2025, 6, 11)}, date(2025, 7, 9)),
        # Fees notice Wed 4 Jun, paid Tue 10 Jun: working days 4, 5, 6, 9, 10 Jun (5) do not count.
        # Tue 3 = 1, 11-13 = 2-4, 16-20 = 5-9, 23-27 = 10-14, 30 Jun-4 Jul = 15-19, Mon 7 Jul = 20.
        ({"fee_notice_given": date(2025, 6, 4), "fee_received": date(2025, 6, 10)}, date(2025, 7, 7)),
        # Notice given on the day of receipt (day 0), paid Wed 4 Jun: 3 and 4 Jun do not count.
        # Thu 5 = 1, Fri 6 = 2, 9-13 = 3-7, 16-20 = 8-12, 23-27 = 13-17, 30 Jun-2 Jul = 18-20.
        ({"fee_notice_given": date(2025, 6, 2), "fee_received": date(2025, 6, 4)}, date(2025, 7, 2)),
        # A fees notice after the deadline (1-3 Jul) cannot move it: still Mon 30 Jun.
        ({"fee_notice_given": date(2025, 7, 1), "fee_received": date(2025, 7, 3)}, date(2025, 6, 30)),
        # Public interest extension of 20 working days after Mon 30 Jun: 1-4 Jul = 1-4,
        # 7-11 = 5-9, Mon 14 Jul (Boyne substitute, NI) skipped, 15-18 = 10-13, 21-25 = 14-18,
        # Mon 28 = 19, Tue 29 Jul = 20.
        ({"extension_working_days": 20}, date(2025, 7, 29)),
    ],
)
def test_foi_clarification_restarts_and_a_fees_notice_pauses_the_clock(options, due):
    assert foi_due_date(date(2025, 6, 2), **options) == due


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"clarification_received": date(2025, 6, 1)}, "Clarification cannot arrive before"),
        ({"fee_notice_given": date(2025, 6, 4)}, "or neither"),
        ({"fee_received": date(2025, 6, 4)}, "or neither"),
        (
            {"fee_notice_given": date(2025, 6, 4), "fee_received": date(2025, 6, 3)},
            "fee cannot arrive before",
        ),
        ({"extension_working_days": -1}, "negative"),
    ],
)
def test_foi_due_date_refuses_impossible_dates(options, message):
    with pytest.raises(ValueError, match=message):
        foi_due_date(date(2025, 6, 2), **options)


# --- data-protection complaints ---


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2025, 6, 2), date(2025, 7, 2)),  # 30 days from the day after receipt: Wed 2 Jul
        (date(2025, 6, 5), date(2025, 7, 7)),  # Sat 5 Jul -> Mon 7 Jul (ICO complaints guidance)
        (date(2025, 11, 25), date(2025, 12, 29)),  # Thu 25 Dec, Fri 26 Boxing Day, weekend -> Mon 29
    ],
)
def test_complaint_acknowledged_within_thirty_days(received, due):
    assert complaint_acknowledgement_due(received) == due
