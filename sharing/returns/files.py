"""The files each return produces, and their field lists (SPEC §6.3; domain-rules §6, §7, §9).

Every file is CSV (UTF-8, comma-separated, a header row, CRLF line ends, no
byte-order mark), one row per person included unless said otherwise. A column
belongs to one data category (`sharing.DataCategory`); a column whose category
the sharing check did not allow for a person is left empty in that person's
row (the education opt-out leaves only name, address and date of birth). Dates
are ISO 8601 (YYYY-MM-DD). Field lists follow the national formats as far as
this service holds the data; confirm the order and codes against the current
national data specification before go-live (domain-rules §7).

Participation of young people — monthly extract (``participation_monthly``), the
tracked cohort (academic age 16–17, or 16–24 with an EHC plan, living in a family
the service holds) as at the last day of the month (or today, mid-month):

====================  ====================  ==================================================
field                 category              meaning
====================  ====================  ==================================================
person_id             identifiers           the service's record number for the person
upn                   identifiers           unique pupil number, if known
surname               identity              family name
forename              identity              first name
date_of_birth         identity              date of birth
gender                gender                female, male, other, not_obtained, prefers_not_to_say
postcode              address               postcode of the family's current address
academic_age          identity              age on 31 August before the academic year began
year_group            education             12 or 13 for academic age 16 or 17, else empty
send                  health_send           Y when a special educational need or disability is recorded
ehc_plan              health_send           Y when an education, health and care plan is recorded
activity_code         education             the activity that counts: 810 when none or past review
activity_group        education             the code's group (education, employment, neet…)
date_confirmed        education             when that activity was confirmed (empty for 810)
review_date           education             when it must be confirmed again (next contact due)
lapsed                education             Y when the recorded activity is past its review date
as_at                 (always)              the date the extract describes
====================  ====================  ==================================================

September Guarantee (``september_guarantee``), 1–30 September: Year 11 and Year
12 leavers (academic age 16 and 17 in the new academic year) and the offer
recorded for them by the end of September: person_id, upn, surname, forename,
date_of_birth, postcode (as above), and

- ``year_group`` (education): 11 or 12, the year they left;
- ``offer`` (education): full_time_education, apprenticeship,
  employment_with_training, training, no_offer, not_appropriate or not_known
  (not_known when nothing is recorded);
- ``offer_recorded_on`` (education): when the offer was recorded;
- ``academic_year`` (always): e.g. 2026/27.

Activity survey at 1 November (``activity_survey``): Year 11 leavers (academic
age 16) and their activity as at 1 November: person_id, upn, surname, forename,
date_of_birth, gender, postcode, send, ehc_plan, activity_code, activity_group,
date_confirmed, review_date, lapsed, as_at (as in the monthly extract).

National programme return (``programme_return``): everyone in a family with a
case open in the period that meets the programme criteria on the last day:

====================  ====================  ==================================================
family_reference      family_circumstances  the family's reference in this service
relationship          family_circumstances  child, young_person, parent_carer or other_adult
forename              identity              first name
surname               identity              family name
date_of_birth         identity              date of birth
framework             support_outcomes      the programme framework version the case is judged on
support_started       support_outcomes      the date the case opened
support_ended         support_outcomes      the date the case closed, empty while open
needs_identified      support_outcomes      headline outcome codes identified, separated by ;
outcomes_achieved     support_outcomes      codes of those with a positive outcome recorded
successful_outcome    support_outcomes      Y when every condition of a successful family outcome is met
sustained_until       support_outcomes      closure + the sustain period (empty while open)
====================  ====================  ==================================================

Quarterly progress summary (``programme_progress``), a financial quarter: one row
per figure, every figure through the disclosure-control engine (``c`` for a
suppressed count): ``measure``, ``headline_outcome`` (a headline outcome code, or
empty), ``value``, ``policy_version``. Measures: families_on_programme,
families_started, families_ended, successful_family_outcomes, needs_identified
(per headline outcome), outcomes_achieved (per headline outcome).

ONS research matching extract (``ons_matching``), for a research project: the
identifiers of domain-rules §6 for everyone in a programme family in the period:

====================  ====================  ==================================================
row_id                (always)              1, 2, 3… in this file only
family_id             family_circumstances  F1, F2… in this file only: who lives together
relationship          family_circumstances  child, young_person, parent_carer or other_adult
forename              identity              first name
surname               identity              family name
date_of_birth         identity              date of birth
gender                gender                female, male, other, not_obtained, prefers_not_to_say
postcode              address               the family's last known postcode
ni_number             identifiers           National Insurance number, if known
support_started       support_outcomes      the date the case opened
support_ended         support_outcomes      the date the case closed, empty while open
====================  ====================  ==================================================

Anonymised return (``anonymised``) to the department running the programme: the
same people as the programme return, with no name, date of birth, address, record
number or free text:

====================  ====================  ==================================================
pseudonym             (always)              HMAC-SHA256 of the person's record number under a
                                            random key made for this run and never stored:
                                            differs in every return, cannot be reversed
family_pseudonym      family_circumstances  the same for the family
age_band              family_circumstances  0-4, 5-9, 10-15, 16-17, 18-24, 25-34, 35-49, 50-64, 65+
role                  family_circumstances  adult or child
support_started       support_outcomes      financial quarter, e.g. 2025/26 Q2
support_ended         support_outcomes      financial quarter, empty while open
needs_identified      support_outcomes      headline outcome codes, separated by ;
outcomes_achieved     support_outcomes      codes of those with a positive outcome
successful_outcome    support_outcomes      Y or N
====================  ====================  ==================================================

Small-number rule (domain-rules §9): while some combination of age_band, role,
support_started and support_ended is shared by 1–9 rows (the policy's range),
support_started, then support_ended, is reduced to its financial year in every
row, then age_band to 0-15/16-24/25+; rows in any group still that small have
all four shown as ``c``.
"""

import csv
import hashlib
import hmac
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sharing.statistics.selectors import financial_year_of, quarter_of


@dataclass(frozen=True)
class Column:
    name: str
    category: str  # a DataCategory code; "" when the column is always filled (no data about the person)


@dataclass(frozen=True)
class ReturnFormat:
    """What a return sends, to whom and why: its columns, the data categories the check is asked
    about, the sharing purpose and the kinds of organisation that may receive it."""

    purpose: str
    recipient_categories: tuple[str, ...]
    columns: tuple[Column, ...]
    per_person: bool = True

    @property
    def categories(self) -> tuple[str, ...]:
        seen = []
        for column in self.columns:
            if column.category and column.category not in seen:
                seen.append(column.category)
        return tuple(seen)

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]

    def gate(self, values: dict, allowed: Iterable[str]) -> dict:
        """One person's row with every column outside the categories the check allowed left empty."""
        allowed = set(allowed)
        return {
            c.name: (values.get(c.name, "") if not c.category or c.category in allowed else "")
            for c in self.columns
        }


def _columns(spec: str) -> tuple[Column, ...]:
    """ "name category" per line; a name alone is a column always filled."""
    columns = []
    for line in spec.strip().splitlines():
        name, *category = line.split()
        columns.append(Column(name, category[0] if category else ""))
    return tuple(columns)


PARTICIPATION_COLUMNS = _columns(
    """
    person_id identifiers
    upn identifiers
    surname identity
    forename identity
    date_of_birth identity
    gender gender
    postcode address
    academic_age identity
    year_group education
    send health_send
    ehc_plan health_send
    activity_code education
    activity_group education
    date_confirmed education
    review_date education
    lapsed education
    as_at
    """
)

PARTICIPATION_RECIPIENTS = ("government_department", "programme_department")

FORMATS: dict[str, ReturnFormat] = {
    "participation_monthly": ReturnFormat("participation", PARTICIPATION_RECIPIENTS, PARTICIPATION_COLUMNS),
    "september_guarantee": ReturnFormat(
        "participation",
        PARTICIPATION_RECIPIENTS,
        _columns(
            """
            person_id identifiers
            upn identifiers
            surname identity
            forename identity
            date_of_birth identity
            postcode address
            year_group education
            offer education
            offer_recorded_on education
            academic_year
            """
        ),
    ),
    "activity_survey": ReturnFormat(
        "participation",
        PARTICIPATION_RECIPIENTS,
        tuple(c for c in PARTICIPATION_COLUMNS if c.name not in ("academic_age", "year_group")),
    ),
    "programme_return": ReturnFormat(
        "programme_return",
        ("programme_department",),
        _columns(
            """
            family_reference family_circumstances
            relationship family_circumstances
            forename identity
            surname identity
            date_of_birth identity
            framework support_outcomes
            support_started support_outcomes
            support_ended support_outcomes
            needs_identified support_outcomes
            outcomes_achieved support_outcomes
            successful_outcome support_outcomes
            sustained_until support_outcomes
            """
        ),
    ),
    "programme_progress": ReturnFormat(
        "programme_return",
        ("programme_department",),
        # The check is asked about support and outcomes; the file holds only protected counts.
        (
            Column("measure", ""),
            Column("headline_outcome", ""),
            Column("value", ""),
            Column("policy_version", ""),
        ),
        per_person=False,
    ),
    "ons_matching": ReturnFormat(
        "research",
        ("ons",),
        _columns(
            """
            row_id
            family_id family_circumstances
            relationship family_circumstances
            forename identity
            surname identity
            date_of_birth identity
            gender gender
            postcode address
            ni_number identifiers
            support_started support_outcomes
            support_ended support_outcomes
            """
        ),
    ),
    "anonymised": ReturnFormat(
        "statistics",
        ("programme_department",),
        _columns(
            """
            pseudonym
            family_pseudonym family_circumstances
            age_band family_circumstances
            role family_circumstances
            support_started support_outcomes
            support_ended support_outcomes
            needs_identified support_outcomes
            outcomes_achieved support_outcomes
            successful_outcome support_outcomes
            """
        ),
    ),
}

# The categories the quarterly summary's check asks about (its columns hold no data about a person).
PROGRESS_CATEGORIES = ("support_outcomes",)


# --- values --------------------------------------------------------------------------------------


def iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def yes_no(value: bool) -> str:
    return "Y" if value else "N"


def financial_quarter_label(day: date | None) -> str:
    if day is None:
        return ""
    year = financial_year_of(day)
    return f"{year}/{(year + 1) % 100:02d} Q{quarter_of(day)}"


def financial_year_label(quarter_label: str) -> str:
    """ "2025/26 Q2" → "2025/26" (the coarser period the small-number rule falls back to)."""
    return quarter_label.split(" ")[0] if quarter_label else quarter_label


AGE_BANDS = ((0, 4), (5, 9), (10, 15), (16, 17), (18, 24), (25, 34), (35, 49), (50, 64))
BROAD_BANDS = {"0-4": "0-15", "5-9": "0-15", "10-15": "0-15", "16-17": "16-24", "18-24": "16-24"}


def age_band(age: int | None) -> str:
    if age is None:
        return "x"  # not available
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}-{high}"
    return "65+"


def broad_band(band: str) -> str:
    return BROAD_BANDS.get(band, "25+" if band not in ("x", "c") else band)


@dataclass
class Pseudonymiser:
    """Keyed pseudonyms for one return (domain-rules §9): HMAC-SHA256 under a random key made for the
    run. The key is never stored — only its SHA-256, to show which key a file used — so neither the
    recipient nor the council can reverse a pseudonym or link it to another return's."""

    key: bytes = field(repr=False)

    @property
    def key_fingerprint(self) -> str:
        return hashlib.sha256(self.key).hexdigest()

    def __call__(self, kind: str, pk: int) -> str:
        return hmac.new(self.key, f"{kind}:{pk}".encode(), hashlib.sha256).hexdigest()[:20]


# --- writing -------------------------------------------------------------------------------------


def write_csv(header: list[str], rows: Iterable[dict]) -> bytes:
    """The file's bytes: a header row, then one row per dict, in header order."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\r\n", extrasaction="raise")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
