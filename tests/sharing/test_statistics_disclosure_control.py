"""The one disclosure-control engine (domain-rules §9), table-driven: 1–9 shown as c, others rounded to
the nearest 5, zero as 0, secondary suppression so no suppressed cell can be worked out from the totals,
no percentage out of fewer than 10, and thresholds that are an editable policy, not constants."""

import itertools

import pytest

from sharing.statistics.disclosure_control import TOTAL, DisclosureControl
from sharing.statistics.models import DisclosureControlPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def control():
    return DisclosureControl.in_force()


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, "0"),
        (1, "c"),
        (5, "c"),
        (9, "c"),
        (10, "10"),
        (12, "10"),
        (13, "15"),
        (17, "15"),
        (18, "20"),
        (22, "20"),
        (23, "25"),
        (1234, "1,235"),
        (None, "x"),
    ],
)
def test_a_count(control, count, shown):
    assert str(control.count(count)) == shown


@pytest.mark.parametrize(
    ("numerator", "denominator", "shown", "reason"),
    [
        (5, 9, "c", "denominator"),  # no percentage out of fewer than 10
        (0, 9, "c", "denominator"),
        (10, 10, "100%", ""),
        (0, 20, "0%", ""),
        (12, 24, "50%", ""),
        (3, 40, "c", "primary"),  # the numerator itself is small
        (35, 40, "c", "complement"),  # 5 did not: the percentage would reveal it
        (30, 40, "75%", ""),
        (1, 1000, "c", "primary"),
        (11, 3000, "k", ""),  # rounds to 0% but is not zero
        (0, 0, "z", ""),  # not applicable
        (None, 10, "x", ""),
    ],
)
def test_a_percentage(control, numerator, denominator, shown, reason):
    figure = control.rate(numerator, denominator)
    assert str(figure) == shown
    assert figure.reason == reason


def _recoverable(table, values, rows, columns) -> list:
    """Cells a reader could work out exactly: the only suppressed member of a published sum."""
    groups = [[(r, c) for c in columns] + [(r, TOTAL)] for r in rows]
    groups += [[(r, c) for r in rows] + [(TOTAL, c)] for c in columns]
    groups.append([(TOTAL, c) for c in columns] + [(TOTAL, TOTAL)])
    groups.append([(r, TOTAL) for r in rows] + [(TOTAL, TOTAL)])
    found = []
    for group in groups:
        hidden = [key for key in group if not table.figures[key].shown]
        if len(hidden) == 1:
            found.append(hidden[0])
    return found


TABLES = [
    # rows of cells; the expected published grid (totals last), or None to check only the invariants
    (
        [[3, 40], [25, 30]],
        # 3 is small; 40 goes with it, then 25 and 30 so that neither column's total gives them away.
        [["c", "c", "45"], ["c", "c", "55"], ["30", "70", "100"]],
    ),
    (
        # One small cell in a row: the smallest other cell goes too, and so in its column.
        [[4, 20, 30], [15, 25, 35], [50, 60, 70]],
        [
            ["c", "c", "30", "55"],
            ["c", "c", "35", "75"],
            ["50", "60", "70", "180"],
            ["70", "105", "135", "310"],
        ],
    ),
    (
        # A zero stays 0; the small cell's column partner and then its row's total go with it.
        [[7, 0], [40, 45]],
        [["c", "0", "c"], ["c", "45", "c"], ["45", "45", "90"]],
    ),
    (
        # Two small cells in a row already protect each other (and their column sums).
        [[2, 3, 50], [2, 3, 50], [40, 40, 40]],
        None,
    ),
    (
        # Nothing small: nothing suppressed.
        [[10, 20], [30, 40]],
        [["10", "20", "30"], ["30", "40", "70"], ["40", "60", "100"]],
    ),
    (
        # A small total forces its cells out.
        [[3], [4]],
        [["c", "c"], ["c", "c"], ["c", "c"]],
    ),
    (
        [[12, 1, 0, 33], [0, 0, 0, 0], [5, 60, 14, 2], [19, 11, 8, 100]],
        None,
    ),
]


@pytest.mark.parametrize(("cells", "expected"), TABLES)
def test_secondary_suppression_leaves_no_suppressed_cell_recoverable_from_totals(control, cells, expected):
    rows, columns = list(range(len(cells))), list(range(len(cells[0])))
    values = {(r, c): cells[r][c] for r in rows for c in columns}

    table = control.table(values, rows=rows, columns=columns)

    assert _recoverable(table, values, rows, columns) == []
    for (r, c), value in values.items():
        if 1 <= value <= 9:
            assert table.cell(r, c).symbol == "c"  # every small cell is hidden
    if expected is not None:
        assert table.grid() == expected


@pytest.mark.parametrize("seed", range(25))
def test_secondary_suppression_holds_for_many_tables(control, seed):
    import random

    rng = random.Random(seed)  # noqa: S311 - test data
    rows, columns = list(range(rng.randint(1, 5))), list(range(rng.randint(1, 5)))
    values = {
        (r, c): rng.choice([0, 0, 1, 3, 8, 10, 14, 26, 50]) for r, c in itertools.product(rows, columns)
    }

    table = control.table(values, rows=rows, columns=columns)

    assert _recoverable(table, values, rows, columns) == []
    for key, value in values.items():
        figure = table.figures[key]
        assert figure.symbol == "c" or figure.value == control.rounded(value)


def test_a_table_without_totals_needs_no_secondary_suppression(control):
    table = control.table({(0, 0): 3, (0, 1): 40}, rows=[0], columns=[0, 1], totals=False)
    assert [str(f) for f in table.body[0]["cells"]] == ["c", "40"]


def test_secondary_suppression_can_be_switched_off_by_the_policy(control):
    DisclosureControlPolicy.objects.filter(version=1).update(secondary_suppression=False)
    table = DisclosureControl.in_force().table({(0, 0): 3, (0, 1): 40}, rows=[0], columns=[0, 1])
    assert table.grid()[0] == ["c", "40", "45"]


def test_the_thresholds_are_data_and_a_new_version_changes_every_figure(today):
    from sharing.returns.factories import DisclosureControlPolicyFactory

    assert str(DisclosureControl.in_force().count(12)) == "10"
    DisclosureControlPolicyFactory(
        version=2, effective_from=today, suppress_to=20, round_to=10, min_denominator=50
    )

    control = DisclosureControl.in_force()

    assert control.policy.version == 2
    assert [str(control.count(n)) for n in (0, 12, 20, 21, 26)] == ["0", "c", "c", "20", "30"]
    assert str(control.rate(30, 45)) == "c"
    assert DisclosureControl.in_force(today.replace(year=today.year - 1)).policy.version == 1


def test_without_a_policy_nothing_is_published():
    DisclosureControlPolicy.objects.all().delete()
    with pytest.raises(LookupError):
        DisclosureControl.in_force()


def test_a_record_level_file_is_coarsened_then_suppressed_where_groups_are_small(control):
    records = [
        {"age": "16-17", "role": "child", "when": "2025/26 Q1", "pseudonym": f"p{n}"} for n in range(10)
    ]
    records += [{"age": "16-17", "role": "child", "when": "2025/26 Q2", "pseudonym": "q"}]
    records += [{"age": "65+", "role": "adult", "when": "2025/26 Q1", "pseudonym": "r"}]

    protected = control.generalise(
        records, keys=("age", "role", "when"), coarsen=[("when", lambda q: q.split(" ")[0])]
    )

    # Coarsened in every row (a coarse value beside fine ones would give them away): eleven alike now.
    assert {r["when"] for r in protected[:11]} == {"2025/26"}
    assert [r["pseudonym"] for r in protected] == [r["pseudonym"] for r in records]
    assert protected[11] == {"age": "c", "role": "c", "when": "c", "pseudonym": "r"}  # still alone
    assert len(protected.notes) == 2


def test_a_record_level_file_with_no_small_group_is_left_alone(control):
    records = [{"age": "16-17", "role": "child", "when": "Q1"} for _ in range(10)]
    assert control.generalise(records, keys=("age", "role", "when"), coarsen=[("when", str.lower)]) == records
