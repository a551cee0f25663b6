"""The charts' tables as CSV files, after disclosure control (domain-rules §9).

On screen the DPO sees the exact counts (inside the service, like a case view).
A file leaves the case view, so every figure in it goes through the one
disclosure-control engine (`sharing.statistics.disclosure_control`): small
counts become ``c``, others are rounded, and a second cell is suppressed
wherever a total would give a suppressed one away. The file names the policy
version it was protected with.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date

from console import selectors
from retention import selectors as retention_selectors
from sharing.statistics.disclosure_control import SYMBOLS, TOTAL, DisclosureControl


@dataclass(frozen=True)
class CountTable:
    title: str
    row_heading: str
    rows: list[str]
    columns: list[str]
    counts: dict[tuple[str, str], int]
    totals: bool = True  # whether the columns add up to something (then a total row and column)


def _requests(today: date) -> CountTable:
    # Received and answered are different requests (answers count in the month answered): no total.
    columns = ["Received", "Answered in time", "Answered late"]
    rows, counts = [], {}
    for month in selectors.requests_by_month(today=today):
        label = f"{month.month:%B %Y}"
        rows.append(label)
        for column, value in zip(
            columns, [month.received, month.answered_in_time, month.answered_late], strict=True
        ):
            counts[(label, column)] = value
    return CountTable(
        "Requests (subject access, rights, FOI) received, and answered in time or late, by month",
        "Month",
        rows,
        columns,
        counts,
        totals=False,
    )


def _destructions(today: date) -> CountTable:
    rows, counts = [], {}
    for month, n in retention_selectors.retention_pipeline(today).destroyed_by_month:
        label = f"{month:%B %Y}"
        rows.append(label)
        counts[(label, "Families destroyed")] = n
    return CountTable("Families destroyed each month", "Month", rows, ["Families destroyed"], counts)


def _disclosures(today: date) -> CountTable:
    cells = selectors.disclosures_by_category_and_basis(today=today)
    rows = sorted({cell.category for cell in cells})
    columns = sorted({cell.basis for cell in cells})
    counts = {(cell.category, cell.basis): cell.decisions for cell in cells}
    return CountTable(
        "Sharing decisions sent out in the last 12 months, by partner category and lawful basis",
        "Partner category",
        rows,
        columns,
        counts,
    )


def _pipeline(today: date) -> CountTable:
    by_month = selectors.due_by_month(today=today)
    return CountTable(
        "Families falling due for destruction, by month",
        "When due",
        [label for label, _ in by_month],
        ["Families due"],
        {(label, "Families due"): n for label, n in by_month},
    )


CHART_TABLES = {
    "requests": _requests,
    "destructions": _destructions,
    "disclosures": _disclosures,
    "pipeline": _pipeline,
}


def protected_csv(chart: str, *, today: date) -> str:
    """The chart's table, disclosure-controlled, as CSV text with its totals and the policy version."""
    table = CHART_TABLES[chart](today)
    control = DisclosureControl.in_force(today)
    protected = control.table(table.counts, rows=table.rows, columns=table.columns, totals=table.totals)
    out = io.StringIO()
    writer = csv.writer(out)
    columns = [*table.columns, TOTAL] if table.totals else list(table.columns)
    writer.writerow([table.row_heading, *table.columns, *(["Total"] if table.totals else [])])
    for row in [*table.rows, TOTAL] if table.totals else table.rows:
        label = "Total" if row is TOTAL else row
        writer.writerow([label, *[protected.cell(row, c).csv for c in columns]])
    writer.writerow([])
    writer.writerow([f"{table.title}. Disclosure control policy version {control.policy.version}."])
    for symbol, meaning in SYMBOLS.items():
        writer.writerow([f"{symbol}: {meaning}"])
    return out.getvalue()
