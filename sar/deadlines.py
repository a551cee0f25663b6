"""Statutory deadlines for subject access, other rights, FOI requests and complaints.

Pure date arithmetic: no database, no clock. The SPEC §12 entry points
(`sar_due_date`, `foi_due_date`) are stable; options are keyword-only and may
grow. The bank-holiday calendar comes from one function, `bank_holidays`, so
the source can be swapped (see docs/adr/0003-deadlines.md).

Two different calendars apply, and mixing them up is the classic bug:
- UK GDPR one-month clock (SAR and other rights): weekends and England & Wales
  bank holidays only move the deadline forward (domain-rules §2).
- FOIA working days: weekends, Christmas Day, Good Friday and a bank holiday in
  *any* part of the UK (domain-rules §10, FOIA s.10(6)).
"""

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from functools import cache

import holidays
from dateutil.easter import easter
from dateutil.relativedelta import relativedelta

# The holidays library's names for the four parts of the UK.
ENGLAND = "ENG"
WALES = "WLS"
SCOTLAND = "SCT"
NORTHERN_IRELAND = "NIR"

ENGLAND_AND_WALES = (ENGLAND, WALES)
WHOLE_UK = (ENGLAND, WALES, SCOTLAND, NORTHERN_IRELAND)

FOI_WORKING_DAYS = 20  # FOIA s.10(1)
COMPLAINT_ACKNOWLEDGEMENT_DAYS = 30  # DPA 2018 s.164A(3)

_SATURDAY = 5


@cache
def bank_holidays(year: int, region: str) -> frozenset[date]:
    """The bank holidays of one part of the UK in one year, substitute days included.

    The only place the calendar comes from: swap this body (GOV.UK's
    bank-holidays feed, a table of dates with effective dates) and every
    deadline follows. The holidays library lists both the date of a holiday
    and its substitute ("observed") day; a substitute day is a bank holiday in
    its own right (Banking and Financial Dealings Act 1971, Sch 1). Cached per
    year and region: each year is built once per process.
    """
    return frozenset(holidays.UK(subdiv=region, years=year, observed=True).keys())


def _is_bank_holiday(day: date, regions: Iterable[str]) -> bool:
    return any(day in bank_holidays(day.year, region) for region in regions)


def is_weekend(day: date) -> bool:
    return day.weekday() >= _SATURDAY


def is_sar_working_day(day: date) -> bool:
    """A day a one-month deadline may fall on: not a weekend or an England & Wales bank holiday.

    ICO: a deadline on a weekend or bank holiday moves to the next working day (domain-rules §2).
    """
    return not is_weekend(day) and not _is_bank_holiday(day, ENGLAND_AND_WALES)


def is_foi_working_day(day: date) -> bool:
    """A working day under FOIA s.10(6) (domain-rules §10).

    Not a Saturday or Sunday, not Christmas Day, not Good Friday, and not a
    bank holiday in any part of the UK: Scottish and Northern Irish holidays
    count for an English council. Christmas Day and Good Friday are named by
    the Act because they are common-law holidays, not bank holidays under the
    1971 Act in England and Wales; they are checked here whatever the calendar
    source says.
    """
    if is_weekend(day):
        return False
    if (day.month, day.day) == (12, 25) or day == easter(day.year) - timedelta(days=2):
        return False
    return not _is_bank_holiday(day, WHOLE_UK)


def next_working_day(day: date, *, is_working_day: Callable[[date], bool] = is_sar_working_day) -> date:
    """`day` itself if it is a working day, otherwise the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


# --- UK GDPR: subject access and the other rights (domain-rules §2, §3) ---


def sar_start_date(
    received: date, *, identity_received: date | None = None, fee_received: date | None = None
) -> date:
    """The day the one-month clock starts: the latest of receipt, identity evidence and fee.

    ICO: the day of receipt is day one (domain-rules §2), so the start date is
    itself a day of the month allowed. Identity evidence or a permitted fee
    that arrives later starts the clock on the day it arrives (UK GDPR Art 12).
    """
    return max(d for d in (received, identity_received, fee_received) if d is not None)


def _one_month_deadline(start: date, months: int, paused_days: int) -> date:
    if paused_days < 0:
        raise ValueError("paused_days cannot be negative.")
    # Same calendar date `months` months on; relativedelta clamps a date that
    # does not exist to the month's last day (31 January -> 28/29 February).
    # Counted from the start date, never month by month: 31 January + 3 months
    # is 30 April, not 28 February + 2 months (domain-rules §2 worked example).
    nominal = start + relativedelta(months=months)
    # Paused days go on before the weekend/holiday roll-forward (domain-rules §2).
    return next_working_day(nominal + timedelta(days=paused_days))


def sar_due_date(start: date, *, extended: bool = False, paused_days: int = 0) -> date:
    """The date a subject access (or other rights) request must be answered by.

    Domain-rules §2: the same calendar date in the following month (three
    months from the start when extended for complex or numerous requests, Art
    12(3)); if that date does not exist, the last day of that month; then the
    days the clock was stopped for clarification; then, if that lands on a
    weekend or an England & Wales bank holiday, the next working day.
    """
    return _one_month_deadline(start, 3 if extended else 1, paused_days)


def extension_notice_deadline(start: date, *, paused_days: int = 0) -> date:
    """The last day the requester can be told, with reasons, that the deadline is extended.

    Art 12(3): within one month of receipt, i.e. by the unextended due date
    (domain-rules §2).
    """
    return sar_due_date(start, extended=False, paused_days=paused_days)


# --- Freedom of Information (domain-rules §10) ---


def add_foi_working_days(day: date, count: int, *, disregard: tuple[date, date] | None = None) -> date:
    """The `count`-th FOIA working day after `day`, skipping working days inside `disregard`.

    `day` itself is day 0 and is never counted, working day or not. `disregard`
    is an inclusive (first, last) range whose working days do not count
    (FOIA s.10(2), the fees-notice period).
    """
    if count < 0:
        raise ValueError("count cannot be negative.")
    counted = 0
    while counted < count:
        day += timedelta(days=1)
        if disregard and disregard[0] <= day <= disregard[1]:
            continue
        if is_foi_working_day(day):
            counted += 1
    return day


def foi_due_date(
    received: date,
    *,
    clarification_received: date | None = None,
    fee_notice_given: date | None = None,
    fee_received: date | None = None,
    extension_working_days: int = 0,
) -> date:
    """The date an FOI request must be answered by: the 20th working day following receipt.

    Domain-rules §10 and FOIA s.10:
    - the day of receipt is day 0, even if it is not a working day (s.10(1));
    - clarification restarts the clock: the day it arrives becomes day 0
      (s.10(6)(b), "the date of receipt" is then the later day);
    - a fees notice stops the clock: the working days from the day the notice
      is given to the day the fee arrives, both inclusive, are disregarded
      (s.10(2)); a fee not yet paid leaves no due date, so it is an error here;
    - `extension_working_days` adds a public interest extension (s.10(3)) after
      the 20th day; the ICO expects at most 20 more. The refusal notice that
      announces it is still due by the unextended date.
    """
    if clarification_received is not None and clarification_received < received:
        raise ValueError("Clarification cannot arrive before the request.")
    if (fee_notice_given is None) != (fee_received is None):
        raise ValueError("Give both the fees notice date and the date the fee arrived, or neither.")
    if fee_notice_given is not None and fee_received < fee_notice_given:
        raise ValueError("A fee cannot arrive before the fees notice was given.")
    if extension_working_days < 0:
        raise ValueError("extension_working_days cannot be negative.")
    day_zero = max(received, clarification_received or received)
    disregard = (fee_notice_given, fee_received) if fee_notice_given is not None else None
    return add_foi_working_days(day_zero, FOI_WORKING_DAYS + extension_working_days, disregard=disregard)


# --- Data-protection complaints (domain-rules §1.6) ---


def complaint_acknowledgement_due(received: date) -> date:
    """The last day to acknowledge a data-protection complaint.

    DPA 2018 s.164A(3): within 30 days. ICO complaints guidance: the 30 days
    start the day after receipt, and a deadline on a weekend or public holiday
    moves to the next working day (England & Wales calendar, as for a SAR).
    """
    return next_working_day(received + timedelta(days=COMPLAINT_ACKNOWLEDGEMENT_DAYS))
