"""Charts drawn on the server as accessible SVG (SPEC §6.4; WCAG 2.2 AA), no JavaScript.

Each chart is an image with a title and a description that says what it shows
(`role="img"`, `aria-labelledby`), and the page always puts the same figures in
a table beside it: the chart never holds a figure the table does not. Only
published figures (after disclosure control) reach a chart: a suppressed bar is
drawn as no bar, with its symbol written in its place.
"""

import textwrap

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sharing.statistics.disclosure_control import (
    CONFIDENTIAL,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    ROUNDS_TO_ZERO,
    Figure,
)

# GOV.UK Design System colours: blue bars, black text, dark grey secondary text (all AA on white).
BAR = "#1d70b8"
TEXT = "#0b0c0c"
SECONDARY = "#505a5f"
GRID = "#b1b4b6"

WIDTH = 680
LABEL_WIDTH = 270
VALUE_WIDTH = 60
LINE = 17
BAR_HEIGHT = 22
GAP = 14
FONT = 'font-family="GDS Transport, arial, sans-serif" font-size="14"'

# What is written where a bar cannot be drawn.
IN_WORDS = {
    CONFIDENTIAL: "c (not shown)",
    NOT_APPLICABLE: "z (not applicable)",
    NOT_AVAILABLE: "x (not available)",
    ROUNDS_TO_ZERO: "k (rounds to 0%)",
}


def in_words(figure: Figure) -> str:
    return str(figure) if figure.shown else IN_WORDS.get(figure.symbol, figure.symbol)


def bar_chart(*, chart_id: str, title: str, description: str, bars: list[tuple[str, Figure]]) -> SafeString:
    """A horizontal bar chart of percentages (0–100), one bar per label."""
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    rows = []
    y = 30
    for label, figure in bars:
        lines = textwrap.wrap(label, width=34)[:3] or [""]
        height = max(BAR_HEIGHT, LINE * len(lines))
        text_y = y + (height - LINE * len(lines)) / 2 + 13
        spans = "".join(
            f'<tspan x="{LABEL_WIDTH - 8}" y="{text_y + LINE * n:.0f}">{escape(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        rows.append(f'<text text-anchor="end" fill="{TEXT}" {FONT}>{spans}</text>')
        bar_y = y + (height - BAR_HEIGHT) / 2
        if figure.shown:
            length = plot * max(0, min(100, figure.value)) / 100
            rows.append(
                f'<rect x="{LABEL_WIDTH}" y="{bar_y:.0f}" width="{length:.1f}" height="{BAR_HEIGHT}" '
                f'fill="{BAR}"/>'
            )
            rows.append(
                f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{bar_y + 16:.0f}" fill="{TEXT}" {FONT}>'
                f"{escape(str(figure))}</text>"
            )
        else:
            rows.append(
                f'<text x="{LABEL_WIDTH + 6}" y="{bar_y + 16:.0f}" fill="{SECONDARY}" {FONT}>'
                f"{escape(in_words(figure))}</text>"
            )
        y += height + GAP
    height = y + 10
    axis = [
        f'<line x1="{LABEL_WIDTH}" y1="22" x2="{LABEL_WIDTH}" y2="{y - GAP + 4}" stroke="{GRID}"/>',
    ]
    for tick in (0, 25, 50, 75, 100):
        x = LABEL_WIDTH + plot * tick / 100
        axis.append(f'<text x="{x:.0f}" y="16" text-anchor="middle" fill="{SECONDARY}" {FONT}>{tick}%</text>')
        if tick:
            axis.append(
                f'<line x1="{x:.0f}" y1="22" x2="{x:.0f}" y2="{y - GAP + 4}" stroke="{GRID}" '
                'stroke-dasharray="2 4"/>'
            )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="fss-chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
        f"{''.join(axis)}{''.join(rows)}</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every piece of text above is escaped


def describe(bars: list[tuple[str, Figure]]) -> str:
    """The chart's description: every bar in words, so a screen reader hears the same as the eye sees."""
    parts = [
        f"{label}: {figure if figure.shown else f'{figure.symbol} (not shown)'}" for label, figure in bars
    ]
    return "; ".join(parts) + "."
