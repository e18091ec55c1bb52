"""The SVG bar chart: an accessible image, readable at 320 px, no inline styles, target by
shape, colours with WCAG contrast; and small-count suppression."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from panels.charts import (
    COLOURS,
    WIDTH,
    Bar,
    BarChart,
    bar_chart,
    contrast_ratio,
    scale_maximum,
)
from panels.suppression import SUPPRESSED_TEXT, is_small, shown_count

SVG = "{http://www.w3.org/2000/svg}"


def _chart(*bars: Bar, chart_id: str = "chart-ethnicity") -> BarChart:
    return BarChart(
        chart_id=chart_id,
        title="Ethnic group: the panel against the target",
        description="2 more people who are Asian would meet the target.",
        bars=bars
        or (
            Bar("White", 0.75, 0.82, "Panel 75% (9) · target 82%"),
            Bar("Asian", 0.0, 0.09, "Panel 0% (0) · target 9%"),
        ),
    )


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def test_the_chart_is_an_image_named_by_its_title_and_described():
    root = _parse(bar_chart(_chart()))
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == title.get("id") == "chart-ethnicity-title"
    assert root.get("aria-describedby") == desc.get("id")
    assert title.text == "Ethnic group: the panel against the target"
    assert "2 more people who are Asian" in desc.text
    assert root[0].tag == f"{SVG}title"  # the first child, as SVG asks


def test_the_view_box_is_320_units_wide_and_scales():
    root = _parse(bar_chart(_chart()))
    x, y, width, height = (float(v) for v in root.get("viewBox").split())
    assert (x, y, width) == (0, 0, WIDTH) and height > 0
    assert root.get("class") == "app-chart"
    for text in root.iter(f"{SVG}text"):
        assert int(text.get("font-size")) >= 13  # at least 11.7 px when shown 290 px wide


def test_no_inline_style_anywhere():
    markup = str(bar_chart(_chart(), standalone=True))
    assert "style" not in markup
    root = _parse(markup)
    for element in root.iter():
        assert "style" not in element.attrib


def _bars(root):
    """(width of the panel-share rect, target marker x) for each row, in order."""
    rects = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == COLOURS["bar"]][1:]
    markers = [
        line
        for line in root.iter(f"{SVG}line")
        if line.get("stroke") == COLOURS["target"] and line.get("stroke-width") == "3"
    ][1:]
    return rects, markers


def test_bars_and_target_markers_are_in_proportion():
    chart = _chart(
        Bar("A", 0.5, 0.25, "half"),
        Bar("B", 0.25, 0.5, "a quarter"),
    )
    root = _parse(bar_chart(chart))
    rects, markers = _bars(root)
    assert scale_maximum(chart.bars) == 0.5
    track = WIDTH - 8
    assert float(rects[0].get("width")) == pytest.approx(track, abs=0.1)
    assert float(rects[1].get("width")) == pytest.approx(track / 2, abs=0.1)
    assert float(markers[0].get("x1")) == pytest.approx(4 + track / 2, abs=0.1)
    assert float(markers[1].get("x1")) == pytest.approx(4 + track, abs=0.1)


def test_the_target_is_a_shape_not_only_a_colour():
    root = _parse(bar_chart(_chart()))
    paths = list(root.iter(f"{SVG}path"))
    assert len(paths) == 3  # the legend's marker and one per row
    assert all(p.get("d").endswith("Z") for p in paths)


def test_a_suppressed_share_draws_no_bar_and_says_so():
    chart = _chart(
        Bar("White", 0.8, 0.82, "Panel 80% (8)"),
        Bar("Black", None, 0.04, f"Panel: {SUPPRESSED_TEXT} people"),
    )
    root = _parse(bar_chart(chart))
    rects, markers = _bars(root)
    assert len(rects) == 1 and len(markers) == 2
    assert any(SUPPRESSED_TEXT in (t.text or "") for t in root.iter(f"{SVG}text"))


def test_labels_are_escaped_and_long_ones_wrap():
    long = "Asian, Asian British or Asian Welsh: Bangladeshi & <other>"
    root = _parse(bar_chart(_chart(Bar(long, 0.1, 0.1, "ok"))))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Asian, Asian British or Asian Welsh:" in texts
    assert "Bangladeshi & <other>" in texts


def test_colours_meet_wcag_contrast():
    white = "#ffffff"
    assert contrast_ratio(COLOURS["text"], white) >= 4.5
    assert contrast_ratio(COLOURS["axis"], white) >= 4.5
    assert contrast_ratio(COLOURS["target"], white) >= 3
    assert contrast_ratio(COLOURS["bar"], white) >= 4.5
    assert contrast_ratio(COLOURS["bar"], COLOURS["track"]) >= 3
    assert contrast_ratio(COLOURS["target"], COLOURS["bar"]) >= 3


def test_contrast_ratio_has_the_wcag_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    with pytest.raises(ValueError, match="#rrggbb"):
        contrast_ratio("blue", "#ffffff")


def test_a_standalone_chart_shows_its_title_as_text():
    root = _parse(bar_chart(_chart(), standalone=True))
    words = " ".join(t.text for t in root.iter(f"{SVG}text"))
    assert words.startswith("Ethnic group: the panel against the target 2 more people")
    assert root.get("xmlns") is None and root.tag == f"{SVG}svg"


@pytest.mark.parametrize("bad_id", ["1chart", "chart id", 'x"onload="'])
def test_chart_ids_are_checked(bad_id):
    with pytest.raises(ValueError, match="chart id"):
        _chart(chart_id=bad_id)


def test_shares_are_checked():
    with pytest.raises(ValueError, match="shares must be 0 to 1"):
        _chart(Bar("A", 1.5, 0.2, ""))


@pytest.mark.parametrize(
    ("count", "suppress", "shown"),
    [
        (0, True, "0"),
        (1, True, SUPPRESSED_TEXT),
        (4, True, SUPPRESSED_TEXT),
        (5, True, "5"),
        (3, False, "3"),
    ],
)
def test_small_counts_are_suppressed_only_when_asked(count, suppress, shown):
    result = shown_count(count, suppress=suppress)
    assert str(result) == shown
    assert result.suppressed == (shown == SUPPRESSED_TEXT)
    assert is_small(count) == (1 <= count <= 4)


def test_negative_counts_are_refused():
    with pytest.raises(ValueError, match="cannot be negative"):
        shown_count(-1, suppress=True)
