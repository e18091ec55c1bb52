"""The member pages are in plain English, and the Easy Read pages easier still, by the
Flesch reading ease and Flesch-Kincaid grade of the words on each page as rendered
(scripts/readability.py prints the figures)."""

from __future__ import annotations

from scripts.readability import measure, member_pages

PLAIN_ENGLISH = {"reading_ease": 65.0, "grade": 7.0}
EASY_READ = {"reading_ease": 80.0, "grade": 4.0}


def test_every_member_page_reads_as_plain_english_and_easy_read_pages_more_easily(app):
    figures = [measure(name, html) for name, html in member_pages(app)]
    assert len(figures) == 22
    too_hard = []
    for f in figures:
        bound = EASY_READ if "Easy Read" in f.page else PLAIN_ENGLISH
        if f.reading_ease < bound["reading_ease"] or f.grade > bound["grade"]:
            too_hard.append(f)
    assert too_hard == [], too_hard
