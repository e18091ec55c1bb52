"""The readability measure behind scripts/readability.py: which words count, and the figures."""

from __future__ import annotations

import pytest

from scripts.readability import measure, readable_text

PAGE = """<html><head><title>Not read</title></head><body>
<header><p>Service name</p></header>
<main>
  <h1>Your details</h1>
  <p>Check your details. Choose <a href="#">Change</a> to change one</p>
  <svg role="img"><title>A key</title></svg>
  <ul><li>One thing</li><li>Another thing</li></ul>
  <fieldset><legend>When are you free?</legend>
    <label class="govuk-label govuk-checkboxes__label">Wednesday afternoon</label>
  </fieldset>
  <label class="govuk-label">Phone number</label>
  <button>Save</button>
</main>
<footer><p>Footer words</p></footer></body></html>"""


def test_only_the_words_in_main_are_read_one_sentence_per_block():
    assert readable_text(PAGE) == (
        "Your details. Check your details. Choose Change to change one. One thing. "
        "Another thing. When are you free? Phone number. Save."
    )


def test_pictures_alternatives_and_options_are_left_out():
    text = readable_text(PAGE)
    assert "A key" not in text and "Wednesday" not in text and "Footer" not in text


@pytest.mark.parametrize(
    ("text", "reading_ease", "grade"),
    [
        # One sentence of six one-syllable words: 206.835 - 1.015 * 6 - 84.6 * 1 = 116.1,
        # and 0.39 * 6 + 11.8 * 1 - 15.59 = -1.45.
        ("The cat sat on the mat.", 116.1, -1.5),
    ],
)
def test_the_figures_are_flesch_reading_ease_and_flesch_kincaid_grade(text, reading_ease, grade):
    figures = measure("page", f"<main><p>{text}</p></main>")
    assert figures.words == 6
    assert figures.reading_ease == pytest.approx(reading_ease, abs=0.6)
    assert figures.grade == pytest.approx(grade, abs=0.6)


def test_plain_words_score_easier_than_long_ones():
    plain = measure("plain", "<main><p>You can say no. That is fine.</p></main>")
    hard = measure(
        "hard",
        "<main><p>Notwithstanding the aforementioned considerations, participation "
        "remains entirely discretionary.</p></main>",
    )
    assert plain.reading_ease > hard.reading_ease + 50
    assert plain.grade < hard.grade - 10
