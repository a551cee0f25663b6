"""Bar charts of counts drawn on the server as inline SVG, for the DPO console (WCAG 2.2 AA).

No JavaScript (the CSP forbids inline scripts and none is needed): each chart is
an image (`role="img"`, `aria-labelledby` naming its `<title>` and `<desc>`),
its description says every figure in words, and the page puts the same figures
in a table beside it. Every bar carries its number as text and each series has
its own fill pattern as well as its colour, so nothing is told by colour alone
(WCAG 1.4.1); each colour keeps 3:1 against the white page (1.4.11, non-text
contrast) and text keeps 4.5:1 (1.4.3) — `tests/console/test_charts.py` checks both.

The statistics pages draw percentages after disclosure control with
`sharing.statistics.charts`; these are the DPO's own operational counts.
"""

import math
import textwrap
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BACKGROUND = "#ffffff"
TEXT = "#0b0c0c"  # GOV.UK black
SECONDARY = "#505a5f"  # GOV.UK dark grey
GRID = "#b1b4b6"  # decorative only: the numbers are written on the bars
# One colour per series: GOV.UK blue, green, dark blue, purple.
SERIES_COLOURS = ["#1d70b8", "#00703c", "#003078", "#4c2c92"]

WIDTH = 680
LABEL_WIDTH = 200
VALUE_WIDTH = 56
LINE = 17
BAR_HEIGHT = 18
BAR_GAP = 4
ROW_GAP = 12
FONT = 'font-family="GDS Transport, arial, sans-serif" font-size="14"'


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two "#rrggbb" colours (1 to 21)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _scale_max(largest: int) -> int:
    """A round top for the axis: 4, 10, 20, 50, 100, ... at or above the largest value."""
    if largest <= 4:
        return 4
    magnitude = 10 ** math.floor(math.log10(largest))
    for step in (1, 2, 5, 10):
        if largest <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def _patterns(chart_id: str, count: int) -> str:
    """A fill pattern per series: solid, diagonal hatching, dots, cross-hatching."""
    defs = []
    for n, colour in enumerate(SERIES_COLOURS[:count]):
        pid = f"{chart_id}-s{n}"
        if n == 0:
            body = f'<rect width="8" height="8" fill="{colour}"/>'
        elif n == 1:
            body = (
                f'<rect width="8" height="8" fill="{colour}"/>'
                f'<path d="M0,8 L8,0" stroke="{BACKGROUND}" stroke-width="1.5"/>'
            )
        elif n == 2:
            body = (
                f'<rect width="8" height="8" fill="{colour}"/>'
                f'<circle cx="4" cy="4" r="1.3" fill="{BACKGROUND}"/>'
            )
        else:
            body = (
                f'<rect width="8" height="8" fill="{colour}"/>'
                f'<path d="M0,4 L8,4 M4,0 L4,8" stroke="{BACKGROUND}" stroke-width="1"/>'
            )
        defs.append(
            f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">{body}</pattern>'
        )
    return f"<defs>{''.join(defs)}</defs>"


def describe(series: Sequence[str], rows: Sequence[tuple[str, Sequence[int]]]) -> str:
    """Every figure in words, so a screen reader hears what the eye sees."""
    if len(series) == 1:
        parts = [f"{label}: {values[0]:,}" for label, values in rows]
    else:
        parts = [
            f"{label}: " + ", ".join(f"{name} {value:,}" for name, value in zip(series, values, strict=True))
            for label, values in rows
        ]
    return "; ".join(parts) + "." if parts else "No figures."


def grouped_bar_chart(
    *, chart_id: str, title: str, series: Sequence[str], rows: Sequence[tuple[str, Sequence[int]]]
) -> SafeString:
    """A horizontal bar chart of counts: one row per label, one bar per series in each row."""
    if not 1 <= len(series) <= len(SERIES_COLOURS):
        raise ValueError(f"A chart has 1 to {len(SERIES_COLOURS)} series.")
    for label, values in rows:
        if len(values) != len(series):
            raise ValueError(f"Row {label!r} has {len(values)} values for {len(series)} series.")
        if any(v < 0 for v in values):
            raise ValueError("Counts cannot be negative.")
    top = _scale_max(max((v for _, values in rows for v in values), default=0))
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    legend_height = 26 if len(series) > 1 else 0
    y = 30 + legend_height
    shapes = []
    for label, values in rows:
        lines = textwrap.wrap(label, width=24)[:3] or [""]
        group = len(series) * BAR_HEIGHT + (len(series) - 1) * BAR_GAP
        height = max(group, LINE * len(lines))
        text_y = y + (height - LINE * len(lines)) / 2 + 13
        spans = "".join(
            f'<tspan x="{LABEL_WIDTH - 8}" y="{text_y + LINE * n:.0f}">{escape(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        shapes.append(f'<text text-anchor="end" fill="{TEXT}" {FONT}>{spans}</text>')
        bar_y = y + (height - group) / 2
        for n, value in enumerate(values):
            length = plot * value / top
            shapes.append(
                f'<rect x="{LABEL_WIDTH}" y="{bar_y:.0f}" width="{length:.1f}" height="{BAR_HEIGHT}" '
                f'fill="url(#{chart_id}-s{n})" stroke="{SERIES_COLOURS[n]}"/>'
            )
            shapes.append(
                f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{bar_y + 14:.0f}" fill="{TEXT}" {FONT}>'
                f"{value:,}</text>"
            )
            bar_y += BAR_HEIGHT + BAR_GAP
        y += height + ROW_GAP
    bottom = y - ROW_GAP + 4
    top_y = 22 + legend_height
    axis = [f'<line x1="{LABEL_WIDTH}" y1="{top_y}" x2="{LABEL_WIDTH}" y2="{bottom}" stroke="{GRID}"/>']
    for n in range(5):
        tick = top * n // 4
        x = LABEL_WIDTH + plot * n / 4
        axis.append(
            f'<text x="{x:.0f}" y="{16 + legend_height}" text-anchor="middle" fill="{SECONDARY}" {FONT}>'
            f"{tick:,}</text>"
        )
        if n:
            axis.append(
                f'<line x1="{x:.0f}" y1="{22 + legend_height}" x2="{x:.0f}" y2="{bottom}" stroke="{GRID}" '
                'stroke-dasharray="2 4"/>'
            )
    legend = []
    if len(series) > 1:
        x = LABEL_WIDTH
        for n, name in enumerate(series):
            legend.append(
                f'<rect x="{x}" y="4" width="16" height="16" fill="url(#{chart_id}-s{n})" '
                f'stroke="{SERIES_COLOURS[n]}"/>'
                f'<text x="{x + 22}" y="17" fill="{TEXT}" {FONT}>{escape(name)}</text>'
            )
            x += 30 + 8 * len(name)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="fss-chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {WIDTH} {y + 6:.0f}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(describe(series, rows))}</desc>'
        f"{_patterns(chart_id, len(series))}{''.join(legend)}{''.join(axis)}{''.join(shapes)}</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every piece of text above is escaped or a number


def bar_chart(
    *, chart_id: str, title: str, bars: Sequence[tuple[str, int]], series: str = "Count"
) -> SafeString:
    """A horizontal bar chart of counts from a list of (label, value)."""
    return grouped_bar_chart(
        chart_id=chart_id, title=title, series=[series], rows=[(label, [value]) for label, value in bars]
    )
