"""The one disclosure-control engine (domain-rules §9): every figure that leaves a case view goes
through it — the statistics pages, the quarterly progress summary, the anonymised return.

The rules, with the thresholds read from `DisclosureControlPolicy` (data, editable):
- a count of people or families from `suppress_from` to `suppress_to` (1–9) is
  shown as ``c``; other counts are rounded to the nearest `round_to` (5); zero
  is shown as 0;
- **secondary suppression**: in a table published with its totals, every row
  and column (totals included) is a sum; where exactly one of its members is
  suppressed it could be worked out by subtraction, so a second member is
  suppressed too — the smallest non-zero cell, else a zero cell, else the total
  — and the check repeats until no sum has a single suppressed member;
- no percentage where the denominator is below `min_denominator` (10); nor
  where the numerator, or the number not counted (denominator − numerator),
  would itself be suppressed, since the percentage and the published
  denominator would give it away;
- record-level files (the anonymised return): while some combination of the
  describing fields (age band, role, period) is shared by a suppressed number
  of records, those fields are coarsened in every record, in turn; records in
  groups still that small then have them replaced with ``c``.
Symbols: ``c`` confidential (suppressed), ``z`` not applicable, ``x`` not
available, ``k`` rounds to zero but is not zero.
"""

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sharing.statistics.models import DisclosureControlPolicy

CONFIDENTIAL = "c"
NOT_APPLICABLE = "z"
NOT_AVAILABLE = "x"
ROUNDS_TO_ZERO = "k"

SYMBOLS = {
    CONFIDENTIAL: "confidential: a small number, or one that would reveal a small number, is not shown",
    NOT_APPLICABLE: "not applicable",
    NOT_AVAILABLE: "not available",
    ROUNDS_TO_ZERO: "rounds to zero but is not zero",
}


@dataclass(frozen=True)
class Figure:
    """A published figure: a number, or a symbol in its place. Never the true value."""

    value: int | None = None
    symbol: str = ""
    percent: bool = False
    # Why it was suppressed: "primary", "secondary", "denominator", "complement" (for tests and notes).
    reason: str = ""

    def __str__(self) -> str:
        if self.symbol:
            return self.symbol
        return f"{self.value}%" if self.percent else f"{self.value:,}"

    @property
    def shown(self) -> bool:
        """Whether a number (not a symbol) is published."""
        return not self.symbol

    @property
    def csv(self) -> str:
        """As written to a file: no thousands separator, no per cent sign."""
        return self.symbol or str(self.value)


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class DisclosureControl:
    """The engine, bound to one policy version (which every output names)."""

    policy: DisclosureControlPolicy

    @classmethod
    def in_force(cls, on=None) -> "DisclosureControl":
        policy = DisclosureControlPolicy.objects.in_force(on)
        if policy is None:
            raise LookupError("No disclosure control policy is in force: nothing may be published.")
        return cls(policy)

    # --- single figures ---

    def is_small(self, count: int) -> bool:
        return self.policy.suppress_from <= count <= self.policy.suppress_to

    def rounded(self, count: int) -> int:
        base = self.policy.round_to
        return _half_up(Decimal(count) / base) * base

    def count(self, count: int | None) -> Figure:
        """One count of people or families: 0 as 0, small counts as c, others rounded."""
        if count is None:
            return Figure(symbol=NOT_AVAILABLE)
        if count < 0:
            raise ValueError("a count cannot be negative")
        if count == 0:
            return Figure(0)
        if self.is_small(count):
            return Figure(symbol=CONFIDENTIAL, reason="primary")
        value = self.rounded(count)
        if value == 0:
            return Figure(symbol=ROUNDS_TO_ZERO)
        return Figure(value)

    def rate(self, numerator: int | None, denominator: int | None) -> Figure:
        """The percentage numerator/denominator, whole per cent, or a symbol where it would disclose."""
        if numerator is None or denominator is None:
            return Figure(symbol=NOT_AVAILABLE, percent=True)
        if denominator == 0:
            return Figure(symbol=NOT_APPLICABLE, percent=True)
        if not 0 <= numerator <= denominator:
            raise ValueError("a numerator must be between zero and its denominator")
        if denominator < self.policy.min_denominator:
            return Figure(symbol=CONFIDENTIAL, percent=True, reason="denominator")
        if self.is_small(numerator):
            return Figure(symbol=CONFIDENTIAL, percent=True, reason="primary")
        if self.is_small(denominator - numerator):
            return Figure(symbol=CONFIDENTIAL, percent=True, reason="complement")
        value = _half_up(Decimal(100 * numerator) / denominator)
        if value == 0 and numerator > 0:
            return Figure(symbol=ROUNDS_TO_ZERO, percent=True)
        return Figure(value, percent=True)

    # --- tables with totals ---

    def table(
        self,
        counts: dict[tuple[Hashable, Hashable], int],
        *,
        rows: Sequence[Hashable],
        columns: Sequence[Hashable],
        totals: bool = True,
    ) -> "ProtectedTable":
        """A table of counts (missing cells are 0), with its totals, protected as a whole."""
        values: dict[tuple, int] = {(r, c): int(counts.get((r, c), 0)) for r in rows for c in columns}
        if totals:
            for r in rows:
                values[(r, TOTAL)] = sum(values[(r, c)] for c in columns)
            for c in columns:
                values[(TOTAL, c)] = sum(values[(r, c)] for r in rows)
            values[(TOTAL, TOTAL)] = sum(values[(r, c)] for r in rows for c in columns)
        suppressed = {key: "primary" for key, value in values.items() if self.is_small(value)}
        if totals and self.policy.secondary_suppression:
            self._secondary(values, suppressed, rows=list(rows), columns=list(columns))
        figures = {}
        for key, value in values.items():
            if key in suppressed:
                figures[key] = Figure(symbol=CONFIDENTIAL, reason=suppressed[key])
            else:
                figures[key] = self.count(value)
        return ProtectedTable(list(rows), list(columns), figures, totals, self.policy)

    @staticmethod
    def _secondary(values: dict, suppressed: dict, *, rows: list, columns: list) -> None:
        """Suppress more cells until no sum (row, column, or the totals' own sums) has exactly one
        suppressed member, which subtraction from the published others would reveal."""
        groups = [[(r, c) for c in columns] + [(r, TOTAL)] for r in rows]
        groups += [[(r, c) for r in rows] + [(TOTAL, c)] for c in columns]
        groups.append([(TOTAL, c) for c in columns] + [(TOTAL, TOTAL)])
        groups.append([(r, TOTAL) for r in rows] + [(TOTAL, TOTAL)])
        changed = True
        while changed:
            changed = False
            for group in groups:
                hidden = [key for key in group if key in suppressed]
                if len(hidden) != 1:
                    continue
                choice = _second_cell(group, values, suppressed)
                if choice is None:  # a one-member sum: nothing else to hide (the member is its own total)
                    continue
                suppressed[choice] = "secondary"
                changed = True

    # --- record-level files ---

    def generalise(
        self,
        records: list[dict],
        *,
        keys: Sequence[str],
        coarsen: Sequence[tuple[str, Callable[[str], str]]] = (),
    ) -> list[dict]:
        """Protect a record-level file: while a combination of the describing fields `keys` is shared by a
        suppressed number of records (1–9), coarsen the fields in turn in every record (`coarsen`: field
        and function); then replace every describing field of any group still that small with ``c``.

        Returns new records, with what was done in the returned list's `.notes`."""
        records = [dict(record) for record in records]
        notes: list[str] = []
        for name, function in coarsen:
            if not self._small_groups(records, keys):
                break
            # Global recoding: the field is coarsened in every record, so the categories stay consistent
            # (a coarse value beside fine ones would say which fine values it is not).
            for record in records:
                if record[name] != CONFIDENTIAL:
                    record[name] = function(record[name])
            notes.append(f"{name} coarsened in every row: some groups were too small")
        small = self._small_groups(records, keys)
        hidden = 0
        for record in records:
            if tuple(record[k] for k in keys) in small:
                for k in keys:
                    record[k] = CONFIDENTIAL
                hidden += 1
        if hidden:
            notes.append(
                f"{', '.join(keys)} shown as {CONFIDENTIAL} in {hidden} rows whose combination fewer than "
                f"{self.policy.suppress_to + 1} rows share"
            )
        return GeneralisedRecords(records, notes)

    def _small_groups(self, records: Iterable[dict], keys: Sequence[str]) -> set[tuple]:
        sizes = Counter(tuple(record[k] for k in keys) for record in records)
        return {combination for combination, size in sizes.items() if self.is_small(size)}


class GeneralisedRecords(list):
    """Records after `generalise`, with notes on what was coarsened or hidden."""

    def __init__(self, records, notes):
        super().__init__(records)
        self.notes = notes


def _second_cell(group: list, values: dict, suppressed: dict):
    """The member to suppress next: the smallest non-zero cell, else a zero cell, else the total."""
    open_cells = [key for key in group[:-1] if key not in suppressed]
    nonzero = [key for key in open_cells if values[key] > 0]
    if nonzero:
        return min(nonzero, key=lambda key: values[key])
    if open_cells:
        return open_cells[0]
    total = group[-1]
    return total if total not in suppressed else None


class _Total:
    """The key of a totals row or column (a singleton, never equal to a label)."""

    def __repr__(self) -> str:
        return "TOTAL"


TOTAL = _Total()


@dataclass
class ProtectedTable:
    """A table after disclosure control: only published figures, never the true counts."""

    rows: list
    columns: list
    figures: dict
    totals: bool
    policy: DisclosureControlPolicy
    row_labels: dict = field(default_factory=dict)
    column_labels: dict = field(default_factory=dict)

    def cell(self, row, column) -> Figure:
        return self.figures[(row, column)]

    def row_total(self, row) -> Figure:
        return self.figures[(row, TOTAL)]

    def column_total(self, column) -> Figure:
        return self.figures[(TOTAL, column)]

    @property
    def grand_total(self) -> Figure:
        return self.figures[(TOTAL, TOTAL)]

    def grid(self) -> list[list[str]]:
        """The published table as strings, totals last: what a template or a file writes."""
        columns = self.columns + ([TOTAL] if self.totals else [])
        rows = self.rows + ([TOTAL] if self.totals else [])
        return [[str(self.figures[(r, c)]) for c in columns] for r in rows]

    @property
    def body(self) -> list[dict]:
        """Rows for a template: label, figures, total."""
        return [
            {
                "label": self.row_labels.get(row, row),
                "cells": [self.figures[(row, c)] for c in self.columns],
                "total": self.figures[(row, TOTAL)] if self.totals else None,
            }
            for row in self.rows
        ]

    @property
    def footer(self) -> dict | None:
        if not self.totals:
            return None
        return {
            "cells": [self.figures[(TOTAL, c)] for c in self.columns],
            "total": self.figures[(TOTAL, TOTAL)],
        }

    @property
    def header(self) -> list:
        return [self.column_labels.get(c, c) for c in self.columns]
