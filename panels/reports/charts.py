"""Report charts as files: the SVG of :func:`panels.charts.bar_chart`, and the same as PNG.

PNG is rendered by resvg (the ``resvg-py`` wheel bundles it, so no system library is
needed) with the machine's fonts; "Arial, Helvetica, sans-serif" falls back to the system
sans-serif.
"""

from __future__ import annotations

from panels.charts import BarChart, bar_chart

SCALE = 2
"""PNG pixels per SVG unit (the SVG is 320 units wide: a 640-pixel-wide image)."""


def chart_svg(chart: BarChart) -> str:
    """The chart as a standalone SVG file (its title and description drawn as text)."""
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + str(bar_chart(chart, standalone=True))


def chart_png(chart: BarChart) -> bytes:
    """The standalone chart as a PNG image on white."""
    import resvg_py

    return bytes(
        resvg_py.svg_to_bytes(svg_string=chart_svg(chart), background="#ffffff", zoom=SCALE)
    )
