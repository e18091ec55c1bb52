"""Server-rendered SVG charts: no script, readable at 320 CSS px, with an accessible name.

:func:`bar_chart` draws a horizontal bar per category: the bar is the panel's share and a
black line with a triangle marks the target share, so the target is shown by shape and not
by colour alone. Each row also says its figures in words. Colours are presentation
attributes (``fill``, ``stroke``), never ``style=``, because the CSP forbids inline styles;
each has the WCAG contrast against white that :data:`COLOURS` records and the tests check.

The chart is an image (``role="img"``) named by its ``<title>`` and described by its
``<desc>``; pages show the same figures as a table beside it.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 320
"""The viewBox width: one SVG unit is one CSS pixel on the narrowest screen we support."""
MARGIN = 4
LABEL_SIZE = 14
VALUE_SIZE = 13
LINE = 18
BAR_HEIGHT = 16
LABEL_CHARACTERS = 40
"""Labels wrap at this many characters (Arial at 14 px averages under 7.5 px a character)."""

COLOURS = {
    "text": "#0b0c0c",
    "bar": "#1d70b8",
    "target": "#0b0c0c",
    "axis": "#505a5f",
    "track": "#f3f2f1",
}
"""Text and marks are 4.5:1 or more against white; the bar is 3:1 or more against its track."""

SCALE_ENDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)
"""Ends of the axis whose halves are whole percentages."""

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Bar:
    """One category: its panel share (``None`` when the count is not shown) and target share."""

    label: str
    share: float | None
    target: float
    value_text: str


@dataclass(frozen=True)
class BarChart:
    """A chart of panel share against target share, one bar a category."""

    chart_id: str
    title: str
    description: str
    bars: tuple[Bar, ...]
    share_label: str = "Panel share"
    """The legend's words for the bar (a report of the register says "Register share")."""
    target_label: str = "Target share"

    def __post_init__(self) -> None:
        if not _ID.match(self.chart_id):
            raise ValueError(
                f"chart id {self.chart_id!r} is not valid; use a letter followed by letters, "
                "digits, hyphens or underscores"
            )
        for bar in self.bars:
            for name, value in (("share", bar.share), ("target", bar.target)):
                if value is not None and not (0 <= value <= 1):
                    raise ValueError(
                        f"the {name} of {bar.label!r} is {value!r}; shares must be 0 to 1"
                    )


def relative_luminance(colour: str) -> float:
    """WCAG 2.2 relative luminance of a ``#rrggbb`` colour."""
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        raise ValueError(f"colour {colour!r} is not of the form #rrggbb")
    channels = []
    for i in (1, 3, 5):
        c = int(colour[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours, from 1 to 21."""
    a, b = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def scale_maximum(bars: Sequence[Bar]) -> float:
    """The axis's end: the first of :data:`SCALE_ENDS` that holds every share and target."""
    largest = max([0.0, *(b.target for b in bars), *(b.share or 0.0 for b in bars)])
    return next(end for end in SCALE_ENDS if largest <= end + 1e-9)


def _text(x: float, y: float, content: str, size: int, **attributes: str) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{escape(v)}"' for name, v in attributes.items())
    return (
        f'<text x="{x:g}" y="{y:g}" font-size="{size}" fill="{COLOURS["text"]}"{extra}>'
        f"{escape(content)}</text>"
    )


def bar_chart(chart: BarChart, *, standalone: bool = False) -> Markup:
    """The chart as SVG markup, to embed inline or (``standalone``) to download as a file.

    A standalone chart also shows its title and description as text, since it is seen
    without the page around it.
    """
    track = WIDTH - 2 * MARGIN
    top = 0.0
    parts: list[str] = []
    if standalone:
        for line in textwrap.wrap(chart.title, LABEL_CHARACTERS) or [""]:
            top += LINE + 2
            parts.append(_text(MARGIN, top, line, 16, font_weight="bold"))
        for line in textwrap.wrap(chart.description, 46):
            top += LINE
            parts.append(_text(MARGIN, top, line, VALUE_SIZE))
        top += 10
    # The legend: what the bar and the marker mean, by shape as well as colour.
    top += 8
    parts.append(f'<rect x="{MARGIN}" y="{top:g}" width="24" height="12" fill="{COLOURS["bar"]}"/>')
    parts.append(_text(MARGIN + 30, top + 11, chart.share_label, VALUE_SIZE))
    marker_x = MARGIN + 150
    parts.append(_marker(marker_x, top - 2, 16))
    parts.append(_text(marker_x + 10, top + 11, chart.target_label, VALUE_SIZE))
    top += 26
    maximum = scale_maximum(chart.bars)
    for bar in chart.bars:
        for line in textwrap.wrap(bar.label, LABEL_CHARACTERS) or [""]:
            top += LINE
            parts.append(_text(MARGIN, top, line, LABEL_SIZE, font_weight="bold"))
        top += 16
        parts.append(
            f'<rect x="{MARGIN}" y="{top:g}" width="{track}" height="{BAR_HEIGHT}" '
            f'fill="{COLOURS["track"]}"/>'
        )
        if bar.share is not None and bar.share > 0:
            width = track * min(bar.share, maximum) / maximum
            parts.append(
                f'<rect x="{MARGIN}" y="{top:g}" width="{width:.1f}" height="{BAR_HEIGHT}" '
                f'fill="{COLOURS["bar"]}"/>'
            )
        target_x = MARGIN + track * min(bar.target, maximum) / maximum
        parts.append(_marker(target_x, top - 4, BAR_HEIGHT + 8))
        top += BAR_HEIGHT + 4
        for line in textwrap.wrap(bar.value_text, 46) or [""]:
            top += LINE - 2
            parts.append(_text(MARGIN, top, line, VALUE_SIZE))
        top += 6
    # The axis: 0, half way and the end of the scale.
    top += 4
    parts.append(
        f'<line x1="{MARGIN}" y1="{top:g}" x2="{MARGIN + track}" y2="{top:g}" '
        f'stroke="{COLOURS["axis"]}" stroke-width="1"/>'
    )
    for fraction, anchor in ((0.0, "start"), (0.5, "middle"), (1.0, "end")):
        x = MARGIN + track * fraction
        parts.append(
            f'<line x1="{x:g}" y1="{top:g}" x2="{x:g}" y2="{top + 5:g}" '
            f'stroke="{COLOURS["axis"]}" stroke-width="1"/>'
        )
        parts.append(
            _text(x, top + 20, f"{maximum * fraction:.0%}", VALUE_SIZE, text_anchor=anchor)
        )
    height = math.ceil(top + 28)
    title_id, desc_id = f"{chart.chart_id}-title", f"{chart.chart_id}-desc"
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 {WIDTH} '
        f'{height}" width="{WIDTH * 3 // 2}" height="{height * 3 // 2}" role="img" '
        f'aria-labelledby="{title_id}" aria-describedby="{desc_id}" '
        f'font-family="Arial, Helvetica, sans-serif" id="{chart.chart_id}">'
        f'<title id="{title_id}">{escape(chart.title)}</title>'
        f'<desc id="{desc_id}">{escape(chart.description)}</desc>' + "".join(parts) + "</svg>"
    )


def _marker(x: float, top: float, height: float) -> str:
    """The target marker: a downward triangle on a thick vertical line."""
    colour = COLOURS["target"]
    return (
        f'<line x1="{x:.1f}" y1="{top:g}" x2="{x:.1f}" y2="{top + height:g}" '
        f'stroke="{colour}" stroke-width="3"/>'
        f'<path d="M{x - 5:.1f} {top - 6:g} L{x + 5:.1f} {top - 6:g} L{x:.1f} {top:g} Z" '
        f'fill="{colour}"/>'
    )
