"""Server-rendered SVG bar charts (no JavaScript), each with a table of the same numbers for screen readers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

# Geometry in px at 100 % zoom; the SVG scales with the page (viewBox), so it stays sharp at 200 %.
BAR_HEIGHT = 28
BAR_GAP = 12
# The drawing is about as wide as a phone or a 200 %-zoomed window, so its text is never scaled below ~18 px.
LABEL_WIDTH = 210
VALUE_WIDTH = 100
PLOT_WIDTH = 290
FONT_SIZE = 18
# Bar and text colours are the console palette's (static/console/console.css --bar and --fg); both pass
# WCAG 2.1 AA against white: 3:1 for graphics (SC 1.4.11) and 4.5:1 for text (SC 1.4.3).
BAR_COLOUR = "#1f5f99"
TEXT_COLOUR = "#1a1a1a"


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value, and the value as people read it ("42 %", "3.5 h")."""

    label: str
    value: float
    shown: str


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar], *, empty_text: str) -> Markup:
    """A horizontal bar chart as inline SVG; labels left, value right, bars scaled to the largest value."""
    if not bars:
        return Markup(f'<p class="chart-empty" id="{escape(chart_id)}">{escape(empty_text)}</p>')
    top = max((bar.value for bar in bars), default=0) or 1
    height = len(bars) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
    ]
    for index, bar in enumerate(bars):
        y = BAR_GAP + index * (BAR_HEIGHT + BAR_GAP)
        length = 0.0 if bar.value <= 0 else max(2.0, PLOT_WIDTH * bar.value / top)
        text_y = y + BAR_HEIGHT / 2
        parts.append(
            f'<text x="{LABEL_WIDTH - 10}" y="{text_y}" text-anchor="end" dominant-baseline="middle" '
            f'font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">{escape(_fit(bar.label))}</text>'
        )
        parts.append(
            f'<rect class="bar" x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{BAR_COLOUR}" data-value="{bar.value:g}"></rect>'
        )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 8:.1f}" y="{text_y}" dominant-baseline="middle" '
            f'font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">{escape(bar.shown)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


COLUMN_PLOT_HEIGHT = 160
COLUMN_AREA_WIDTH = 560
# Beyond a fortnight the labels would overlap: label every week, and the values only in the table.
MAX_LABELLED_COLUMNS = 14


def column_chart(chart_id: str, title: str, bars: Sequence[Bar], *, empty_text: str) -> Markup:
    """A column chart for a series over time (days left to right); every label when few, else weekly."""
    if not bars or not any(bar.value for bar in bars):
        return Markup(f'<p class="chart-empty" id="{escape(chart_id)}">{escape(empty_text)}</p>')
    top = max(bar.value for bar in bars)
    step = COLUMN_AREA_WIDTH / len(bars)
    width = max(4.0, step * 0.7)
    every = 1 if len(bars) <= MAX_LABELLED_COLUMNS else 7
    base = 30 + COLUMN_PLOT_HEIGHT  # room for the value above the tallest column
    height = base + 56
    parts = [
        f'<svg class="chart chart-columns" id="{escape(chart_id)}" viewBox="0 0 {COLUMN_AREA_WIDTH} {height}" '
        f'role="img" aria-labelledby="{escape(chart_id)}-title" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<line x1="0" y1="{base}" x2="{COLUMN_AREA_WIDTH}" y2="{base}" stroke="{TEXT_COLOUR}"></line>',
    ]
    for index, bar in enumerate(bars):
        column = 0.0 if bar.value <= 0 else max(2.0, COLUMN_PLOT_HEIGHT * bar.value / top)
        x = index * step + (step - width) / 2
        middle = x + width / 2
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{base - column:.1f}" width="{width:.1f}" height="{column:.1f}" '
            f'fill="{BAR_COLOUR}" data-value="{bar.value:g}">'
            f"<title>{escape(bar.label)}: {escape(bar.shown)}</title></rect>"
        )
        if len(bars) <= MAX_LABELLED_COLUMNS and bar.value:
            parts.append(
                f'<text x="{middle:.1f}" y="{base - column - 8:.1f}" text-anchor="middle" font-size="{FONT_SIZE}" '
                f'fill="{TEXT_COLOUR}">{escape(bar.shown)}</text>'
            )
        if index % every == 0 or index == len(bars) - 1:
            first, _, second = bar.label.partition(" ")
            parts.append(
                f'<text x="{middle:.1f}" y="{base + 22}" text-anchor="middle" font-size="{FONT_SIZE - 2}" '
                f'fill="{TEXT_COLOUR}">{escape(first)}</text>'
            )
            if second:
                parts.append(
                    f'<text x="{middle:.1f}" y="{base + 44}" text-anchor="middle" font-size="{FONT_SIZE - 2}" '
                    f'fill="{TEXT_COLOUR}">{escape(second)}</text>'
                )
    parts.append("</svg>")
    return Markup("".join(parts))


def chart_table(chart_id: str, caption: str, bars: Sequence[Bar], headers: tuple[str, str]) -> Markup:
    """The chart's numbers as a table (the accessible alternative; shown under the chart on demand)."""
    rows = "".join(f"<tr><th scope='row'>{escape(b.label)}</th><td>{escape(b.shown)}</td></tr>" for b in bars)
    return Markup(
        f'<table class="chart-table" id="{escape(chart_id)}-table"><caption>{escape(caption)}</caption>'
        f"<thead><tr><th scope='col'>{escape(headers[0])}</th><th scope='col'>{escape(headers[1])}</th></tr>"
        f"</thead><tbody>{rows}</tbody></table>"
    )


def _fit(label: str, limit: int = 20) -> str:
    """Keep a label inside the label column (the full label is in the table)."""
    return label if len(label) <= limit else label[: limit - 1] + "…"
