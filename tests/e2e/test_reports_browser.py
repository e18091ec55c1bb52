"""Reports in a real browser, as a manager: the cross-project overview (axe-clean, also at
320 CSS px), a chart with its table, and the CSV and XLSX downloads with their contents."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.test_browser import sign_in

pytestmark = pytest.mark.browser


def _seed(app) -> None:
    """Two projects: one with a panel of 12 (3 women, 9 men), one of 10 (5 and 5)."""
    from panels.db import open_unit_of_work
    from panels.projects import service, shortlist
    from panels.register.members import MemberInput, create_member
    from panels.uow import Actor

    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        for title, women, men in (("Home care review", 3, 9), ("Day centres", 5, 5)):
            project = service.create_project(
                uow, service.ProjectInput(title=title, purpose="Hear people", level="operational")
            )
            service.set_manual_shares(uow, project.id, "sex", {"Female": 50, "Male": 50}, "Users")
            for n in range(women + men):
                member = create_member(
                    uow,
                    MemberInput(
                        first_name=f"{title.split()[0]}{n}",
                        last_name="Example",
                        email=f"{title.split()[0].lower()}{n}@members.example",
                        date_of_birth=date(1960, 1, 1),
                        answers={"sex": ["Female" if n < women else "Male"]},
                        consents={p: True for p in ("contact", "selection", "statistics")},
                    ),
                )
                shortlist.add_to_shortlist(uow, project.id, member.id)


def test_a_manager_reads_the_overview_a_chart_and_downloads_it(page, live_server, demo_server):
    _, app = live_server
    _seed(app)
    sign_in(page, demo_server, "manager@demo.example")
    page.get_by_role("link", name="Reports").first.click()
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Panels across projects").click()
    expect(page.get_by_role("heading", name="Where panels miss people")).to_be_visible()
    grid = page.get_by_test_id("overview")
    text = grid.inner_text()
    assert "Home care review" in text and "Day centres" in text and "Operational" in text
    assert "Meets the target." in text  # the state is said in words, not by colour alone
    main = page.locator("main").inner_text()
    assert "fewer than 5" in main and "Example" not in main  # counts, never names
    # No count from 1 to 4 anywhere in the report's tables.
    for cell in page.locator("main td").all_inner_texts():
        assert not re.fullmatch(r"[1-4]( \(\w+\))?", cell.strip()), cell
    chart = page.get_by_role("img", name="Sex: all panels together against their targets")
    assert chart.is_visible()
    table = page.get_by_role("table", name=re.compile("^Sex: people on each panel"))
    assert "Day centres" in table.inner_text()
    assert_accessible(page)

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download “Panels across projects” as CSV").click()
    rows = list(
        csv.reader(io.StringIO(Path(csv_download.value.path()).read_text(encoding="utf-8")))
    )
    assert rows[0] == ["Panels across projects"]
    assert any(row[:1] == ["Day centres"] for row in rows)
    with page.expect_download() as xlsx_download:
        page.get_by_role(
            "link", name="Download “Panels across projects” as an Excel workbook (XLSX)"
        ).click()
    book = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()))
    overview = book.worksheets[1]
    values = [row for row in overview.iter_rows(values_only=True)]
    assert values[0][0] == "Where panels miss people: each project against its target"
    assert any(row[0] == "Home care review" for row in values[2:])
    for sheet in book.worksheets[1:]:
        for row in sheet.iter_rows(min_row=3, values_only=True):
            assert not any(isinstance(v, int) and 0 < v < 5 for v in row[1:]), row
    with page.expect_download() as png_download:
        page.get_by_role("link", name="Download the Sex chart as a PNG image").click()
    assert Path(png_download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # Printed, the report is its content: no navigation, no download links.
    page.emulate_media(media="print")
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    expect(page.get_by_role("link", name="Download the Sex chart as a PNG image")).to_be_hidden()
    expect(page.get_by_role("heading", name="Where panels miss people")).to_be_visible()
    page.emulate_media(media="screen")

    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    assert_accessible(page)


def test_the_register_report_and_familiar_voices_are_accessible(page, live_server, demo_server):
    _, app = live_server
    _seed(app)
    sign_in(page, demo_server, "manager@demo.example")
    page.goto(f"{demo_server}/reports/register")
    expect(
        page.get_by_role(
            "img", name="Sex: the register's share of each group against the population"
        )
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_label("England, Census 2021, usual residents").check()
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**target=england**")
    assert "England, Census 2021" in page.locator("main").inner_text()
    assert_accessible(page)
    page.goto(f"{demo_server}/reports/familiar-voices")
    expect(page.get_by_role("heading", name="Familiar voices", exact=True)).to_be_visible()
    assert_accessible(page)
    page.goto(f"{demo_server}/reports/time-given")
    assert_accessible(page)
