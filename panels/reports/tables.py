"""A report as titled tables of text, ready to show, download (CSV, XLSX) or print.

Every count in a :class:`ReportTable` has already been through :mod:`panels.suppression`:
a cell is a string, so a download cannot hold more than the page shows.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_UNSAFE_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ReportTable:
    """One table of a report: a caption, column headers, rows of text and a note."""

    key: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.headers):
                raise ValueError(
                    f"a row of {self.title!r} has {len(row)} cells; it must have "
                    f"{len(self.headers)}, one per header"
                )


@dataclass(frozen=True)
class Report:
    """A named report: its tables, in order."""

    slug: str
    title: str
    summary: str
    tables: tuple[ReportTable, ...]


def _safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (numbers are left as they are)."""
    if text.startswith(_UNSAFE_START) and not _NUMBER.match(text):
        return "'" + text
    return text


def as_csv(report: Report) -> str:
    """The report's tables one after another, each under its title, with a blank line between."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([report.title])
    for table in report.tables:
        writer.writerow([])
        writer.writerow([_safe(table.title)])
        writer.writerow([_safe(h) for h in table.headers])
        writer.writerows([_safe(c) for c in row] for row in table.rows)
        if table.note:
            writer.writerow([_safe(table.note)])
    return out.getvalue()


def as_xlsx(report: Report, tables: Sequence[ReportTable] | None = None) -> bytes:
    """The report as a workbook: a contents sheet, then one sheet a table; numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    contents = book.active
    assert contents is not None
    contents.title = "Contents"
    contents.append([report.title])
    contents["A1"].font = Font(bold=True, size=14)
    contents.append([_safe(report.summary)])
    contents.append([])
    used: set[str] = {"Contents"}
    for number, table in enumerate(tables if tables is not None else report.tables, start=1):
        name = _sheet_name(f"{number} {table.title}", used)
        contents.append([name, _safe(table.title)])
        sheet = book.create_sheet(name)
        sheet.append([_safe(table.title)])
        sheet["A1"].font = Font(bold=True)
        sheet.append([_safe(h) for h in table.headers])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_value(c) for c in row])
        if table.note:
            sheet.append([])
            sheet.append([_safe(table.note)])
        sheet.column_dimensions["A"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _value(text: str) -> str | int | float:
    if _NUMBER.match(text):
        return float(text) if "." in text else int(text)
    return _safe(text)


def _sheet_name(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or "Sheet"
    name, n = base, 2
    while name in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name
