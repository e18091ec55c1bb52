"""Reading and checking a file, row by row, against the format and the register.

A file is read as a stream (never whole into memory): each row is checked as it is read and
then forgotten, except for what the plan needs (counts, the first few rows, the first
:data:`MAX_PROBLEMS` problems, and each email address, to find one given twice). Importing
reads the file a second time to write it, once the whole of it has been found good.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TextIO

from sqlalchemy import String, select
from sqlalchemy.orm import Session

from models import CONSENT_PURPOSES, Member
from panels.errors import InvalidInput
from panels.register.member_csv.format import (
    CONSENT_COLUMNS,
    DATE_COLUMNS,
    ISO_DATE,
    MULTI_LINE_COLUMNS,
    NO,
    REQUIRED_COLUMNS,
    SEPARATOR,
    UNDECODABLE,
    YES,
    Source,
    SourceFile,
    columns,
    open_source,
    undecodable_byte,
    unescape_cell,
)
from panels.register.members import SIMPLE_FIELDS, MemberInput, Problem, check_member
from panels.register.taxonomy import CODE_LENGTH, DimensionInfo, Taxonomy, load_taxonomy
from panels.text import (
    CONTROL_CHARACTERS,
    MULTI_LINE,
    control_character_message,
    find_control_character,
)
from panels.uow import UnitOfWork

MAX_PROBLEMS = 500
"""Problems listed in full; the rest are counted, up to STOP_AFTER."""
STOP_AFTER = 10_000
"""Problems after which checking stops, and the file is refused with "at least" that many:
checking a row costs tens of microseconds, so a file of a million bad lines would otherwise
take most of a minute to refuse."""
FIRST_ROWS = 5
"""Rows a plan keeps to show what the file holds."""
PROGRESS_EVERY = 1000
"""Rows between two progress reports."""

Progress = Callable[[int, int, str], None]
"""Told (rows done, rows in all, phase) as an import goes: (2000, 10000, "Checking rows")."""

CHECKING = "Checking rows"

_SUSPECT = re.compile("[" + re.escape(CONTROL_CHARACTERS) + "\udc80-\udcff]")
"""A control character, or a byte that is not UTF-8: rare, so a row is searched for them
once and only then cell by cell."""


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong with a file: the row as a spreadsheet numbers it (the header is row 1),
    the column, the value found and what is allowed."""

    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}, column {self.column}, value {self.value!r}: {self.message}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word if count == 1 else word + 's'}"


def _found(total: int, rows: int, stopped_at: int | None) -> str:
    if stopped_at is not None:
        return f"at least {_plural(total, 'problem')}"
    return f"{_plural(total, 'problem')} in {_plural(rows, 'row')}"


def _more_problems(more: int, stopped_at: int | None) -> str:
    if stopped_at is not None:
        return f"at least {_plural(more, 'more problem')} (checking stopped at row {stopped_at:,})"
    return _plural(more, "more problem") if more else ""


class ImportRefused(InvalidInput):
    """The file has problems, so nothing was imported. ``problems`` holds the first
    :data:`MAX_PROBLEMS`; ``more_problems`` counts the rest, and ``stopped_at`` is the row
    where checking stopped once there were :data:`STOP_AFTER` (None if the whole file was)."""

    def __init__(
        self,
        problems: tuple[RowProblem, ...],
        more_problems: int = 0,
        rows: int | None = None,
        stopped_at: int | None = None,
    ) -> None:
        self.problems = tuple(problems)
        self.more_problems = more_problems
        self.rows = len({p.row for p in self.problems}) if rows is None else rows
        self.stopped_at = stopped_at
        found = _found(len(self.problems) + more_problems, self.rows, stopped_at)
        super().__init__(f"Nothing was imported: the file has {found}")

    @property
    def more_problems_text(self) -> str:
        """What is not listed, for a sentence ("700 more problems"); empty when nothing."""
        return _more_problems(self.more_problems, self.stopped_at)


@dataclass(frozen=True)
class ImportRow:
    row: int
    data: MemberInput
    member_id: int | None = None
    """The existing member this row replaces (update mode), or None for a new member."""


@dataclass(frozen=True)
class NewCategories:
    """Answers a file gives to an extensible dimension that it does not have yet."""

    dimension: str
    label: str
    codes: tuple[str, ...]

    @property
    def plural(self) -> str:
        """What they are, for a sentence: "local areas"."""
        return f"{self.label.lower()}s"


@dataclass(frozen=True)
class ImportPlan:
    """What importing a file would do; nothing is written until it is carried out."""

    problems: tuple[RowProblem, ...]
    update: bool
    total: int = 0
    """Members in the file (rows with problems included)."""
    created: int = 0
    updated: int = 0
    first_rows: tuple[ImportRow, ...] = ()
    more_problems: int = 0
    """Problems found after the first :data:`MAX_PROBLEMS`, which are not listed."""
    problem_rows: int = 0
    stopped_at: int | None = None
    """The row where checking stopped after :data:`STOP_AFTER` problems (None: it did not)."""
    new_categories: tuple[NewCategories, ...] = ()
    """Answers to be added to extensible dimensions (only when asked for)."""

    @property
    def problem_count(self) -> int:
        return len(self.problems) + self.more_problems

    @property
    def problems_found(self) -> str:
        """How many problems, for a sentence: "1,200 problems in 1,200 rows"."""
        return _found(self.problem_count, self.problem_rows, self.stopped_at)

    @property
    def more_problems_text(self) -> str:
        return _more_problems(self.more_problems, self.stopped_at)

    def refused(self) -> ImportRefused:
        return ImportRefused(self.problems, self.more_problems, self.problem_rows, self.stopped_at)


class Problems:
    """The first MAX_PROBLEMS problems, and how many more there were and in how many rows."""

    def __init__(self) -> None:
        self.listed: list[RowProblem] = []
        self.more = 0
        self.rows = 0
        self.stopped_at: int | None = None

    def add_row(self, problems: list[RowProblem]) -> None:
        if not problems:
            return
        self.rows += 1
        room = MAX_PROBLEMS - len(self.listed)
        self.listed.extend(problems[:room])
        self.more += max(0, len(problems) - room)

    @property
    def enough(self) -> bool:
        """Whether there are so many problems that the rest of the file need not be checked."""
        return len(self.listed) + self.more >= STOP_AFTER

    def __bool__(self) -> bool:
        return bool(self.listed)

    def refused(self) -> ImportRefused:
        return ImportRefused(tuple(self.listed), self.more, self.rows, self.stopped_at)


_LENGTHS = {
    column.name: column.type.length
    for column in Member.__table__.columns
    if column.name in SIMPLE_FIELDS and isinstance(column.type, String) and column.type.length
}


class _Answers:
    """Checks answers with check_member itself, once for each distinct (column, cell): a file
    repeats the same few answers thousands of times. The codes returned are shared; read only.

    With ``add_categories``, answers an extensible dimension does not have are taken as new
    codes (spelled as first seen, matched without regard to case) and noted in ``new``."""

    def __init__(self, taxonomy: Taxonomy, today: date, add_categories: bool) -> None:
        self.taxonomy = taxonomy
        self.today = today
        self.add_categories = add_categories
        self.dimensions = {d.key: d for d in taxonomy.answerable}
        self.cache: dict[tuple[str, str], tuple[list[str] | None, tuple[Problem, ...]]] = {}
        self.new: dict[str, dict[str, str]] = {}

    def check(self, key: str, raw: str) -> tuple[list[str] | None, tuple[Problem, ...]]:
        found = self.cache.get((key, raw))
        if found is None:
            found = self.cache[(key, raw)] = self._check(self.dimensions[key], raw)
        return found

    def _unknown(self, dimension: DimensionInfo, values: list[str]) -> set[str]:
        unknown = set()
        for value in values:
            try:
                dimension.find(value)
            except InvalidInput:
                unknown.add(value.strip())
        unknown.discard("")
        return unknown

    def _check(
        self, dimension: DimensionInfo, raw: str
    ) -> tuple[list[str] | None, tuple[Problem, ...]]:
        key = dimension.key
        values = raw.split(SEPARATOR)
        probe = MemberInput(first_name="-", last_name="-", answers={key: values})
        problems = [p for p in check_member(probe, self.taxonomy, self.today) if p.field == key]
        codes = probe.answers.get(key)
        unknown = self._unknown(dimension, values) if dimension.extensible else set()
        if not unknown:
            return codes, tuple(problems)
        unknown_problems = [p for p in problems if p.value in unknown]
        problems = [p for p in problems if p.value not in unknown]
        if not self.add_categories:
            hint = (
                f"; to add it as a new {dimension.label.lower()}, import with the option to "
                f"add new {dimension.label.lower()}s (--add-categories on the command line)"
            )
            problems.extend(Problem(p.field, p.value, p.message + hint) for p in unknown_problems)
            return codes, tuple(problems)
        new = self.new.setdefault(key, {})
        added = []
        for value in sorted(unknown):
            if len(value) > CODE_LENGTH:
                problems.append(
                    Problem(
                        key,
                        value,
                        f"A new {dimension.label.lower()} must be {CODE_LENGTH} characters or "
                        f"fewer; this one has {len(value)}",
                    )
                )
                continue
            added.append(new.setdefault(value.casefold(), value))
        if problems:
            return None, tuple(problems)
        return sorted({*(codes or ()), *added}), ()

    def new_categories(self) -> tuple[NewCategories, ...]:
        return tuple(
            NewCategories(key, self.dimensions[key].label, tuple(codes.values()))
            for key, codes in self.new.items()
            if codes
        )


def _remove_control_characters(value: str, allowed: str) -> str:
    return "".join(c for c in value if c in allowed or c not in CONTROL_CHARACTERS)


class _Undecodable(Exception):
    def __init__(self, problem: RowProblem) -> None:
        self.problem = problem


def _not_utf8(row: int, column: str, cell: str) -> _Undecodable:
    byte = undecodable_byte(UNDECODABLE.search(cell).group())  # type: ignore[union-attr]
    return _Undecodable(
        RowProblem(
            row,
            column,
            f"byte 0x{byte:02x}",
            "The file is not UTF-8 text; save it from your spreadsheet as 'CSV UTF-8'",
        )
    )


class Checker:
    """Checks one file's rows against the format, the taxonomy and the register."""

    def __init__(
        self,
        session: Session,
        taxonomy: Taxonomy,
        update: bool,
        today: date,
        add_categories: bool = False,
    ) -> None:
        self.taxonomy = taxonomy
        self.update = update
        self.today = today
        self.answers = _Answers(taxonomy, today, add_categories)
        self.existing = dict(
            session.execute(select(Member.email, Member.id).where(Member.email.is_not(None))).all()
        )
        self.first_row: dict[str, int] = {}
        self.rows = 0
        """Member rows read so far."""

    def header(self, header_row: list[str] | None) -> tuple[tuple[str, ...], list[RowProblem]]:
        """The header's column names, and its problems."""
        if header_row is None or not any(cell.strip() for cell in header_row):
            return (), [
                RowProblem(
                    1,
                    "",
                    "",
                    "The file is empty; its first row must name "
                    f"the columns: {', '.join(columns(self.taxonomy))}",
                )
            ]
        for cell in header_row:
            if UNDECODABLE.search(cell):
                raise _not_utf8(1, "", cell)
        header = [cell.strip().lower() for cell in header_row]
        allowed = columns(self.taxonomy)
        problems = []
        seen: set[str] = set()
        for name in header:
            if name in seen:
                problems.append(
                    RowProblem(
                        1,
                        name,
                        name,
                        f"The column {name!r} appears more than once; each column must appear once",
                    )
                )
            seen.add(name)
            if name not in allowed:
                problems.append(
                    RowProblem(
                        1,
                        name,
                        name,
                        f"{name!r} is not a column the register "
                        f"imports; allowed columns are: {', '.join(allowed)}",
                    )
                )
        required = allowed if self.update else REQUIRED_COLUMNS
        for name in required:
            if name not in seen:
                why = (
                    "update mode needs every column"
                    if self.update
                    else "these columns are required"
                )
                problems.append(
                    RowProblem(
                        1,
                        name,
                        "",
                        f"The file has no {name!r} column; {why}: {', '.join(required)}",
                    )
                )
        return tuple(header), problems

    def row(
        self, row: int, header: tuple[str, ...], record: list[str]
    ) -> tuple[ImportRow, list[RowProblem]]:
        """One member row, checked and normalised, and its problems (empty if none)."""
        problems: list[RowProblem] = []
        values = dict(zip(header, record, strict=False))
        if _SUSPECT.search("".join(record)):
            self._control_characters(row, values, problems)
        if "\x00'" in "\x00" + "\x00".join(record):
            values = {name: unescape_cell(cell) for name, cell in values.items()}
        data = self._member_input(row, values, problems)
        member_id = None
        email = data.email
        if email is not None:
            if email in self.first_row:
                problems.append(
                    RowProblem(
                        row,
                        "email",
                        email,
                        f"The email address {email!r} is "
                        f"also on row {self.first_row[email]}; each member must appear once",
                    )
                )
            else:
                self.first_row[email] = row
            member_id = self.existing.get(email)
            if member_id is not None and not self.update:
                problems.append(
                    RowProblem(
                        row,
                        "email",
                        email,
                        "A member with this "
                        "email address is already on the register; to replace their "
                        "details with the file's, choose update mode",
                    )
                )
        return ImportRow(row, data, member_id), problems

    def _control_characters(
        self, row: int, values: dict[str, str], problems: list[RowProblem]
    ) -> None:
        for name, cell in values.items():
            if UNDECODABLE.search(cell):
                raise _not_utf8(row, name, cell)
            allowed = MULTI_LINE if name in MULTI_LINE_COLUMNS else ""
            found = find_control_character(cell, allowed)
            if found is not None:
                problems.append(
                    RowProblem(row, name, cell, f"{name} {control_character_message(found)}")
                )
                # Reported once; the rest of the row is checked without it.
                values[name] = _remove_control_characters(cell, allowed)

    def _member_input(
        self, row: int, values: dict[str, str], problems: list[RowProblem]
    ) -> MemberInput:
        """A member from one row's values; problems with the row's format are added to
        ``problems``."""

        def get(name: str, lookup: Callable[[str, str], str] = values.get) -> str:
            return lookup(name, "")

        data = MemberInput(
            first_name=get("first_name"),
            last_name=get("last_name"),
            preferred_name=get("preferred_name"),
            email=get("email"),
            phone=get("phone"),
            address=get("address"),
            postcode=get("postcode"),
            preferred_contact=get("preferred_contact").strip().lower(),
            status=get("status").strip().lower() or "active",
            joined_via=get("joined_via").strip().lower() or "staff",
            referred_by=get("referred_by"),
            access_needs_notes=get("access_needs_notes"),
            preferred_times=get("preferred_times"),
            access_needs=[
                n.strip().lower() for n in get("access_needs").split(SEPARATOR) if n.strip()
            ],
        )
        for name in DATE_COLUMNS:
            raw = get(name).strip()
            if not raw:
                continue
            try:
                if not ISO_DATE.match(raw):
                    raise ValueError(raw)
                setattr(data, name, date.fromisoformat(raw))
            except ValueError:
                problems.append(
                    RowProblem(
                        row,
                        name,
                        raw,
                        f"{raw!r} is not a real date; enter dates as YYYY-MM-DD, like 1970-01-31",
                    )
                )
        answers_given = {}
        for dimension in self.taxonomy.answerable:
            raw = get(dimension.key)
            if raw.strip():
                codes, answer_problems = self.answers.check(dimension.key, raw)
                if codes:
                    answers_given[dimension.key] = codes
                if answer_problems:
                    problems.extend(
                        RowProblem(row, p.field, p.value, p.message) for p in answer_problems
                    )
        unreadable_consent = False
        for purpose, column in zip(CONSENT_PURPOSES, CONSENT_COLUMNS, strict=True):
            raw = get(column).strip()
            if raw.lower() in (YES, NO):
                data.consents[purpose] = raw.lower() == YES
                continue
            data.consents[purpose] = False
            unreadable_consent = unreadable_consent or purpose == "access_needs"
            problems.append(
                RowProblem(
                    row,
                    column,
                    raw,
                    f"Enter {YES} or {NO} for {column}" + (f", not {raw!r}" if raw else ""),
                )
            )
        for problem in check_member(data, self.taxonomy, self.today):
            if unreadable_consent and problem.message.startswith("Access needs can only be kept"):
                continue  # the unreadable consent_access_needs value is already reported
            problems.append(RowProblem(row, problem.field, problem.value, problem.message))
        data.answers = answers_given
        for name, limit in _LENGTHS.items():
            value = getattr(data, name)
            if value and len(value) > limit:
                problems.append(
                    RowProblem(
                        row,
                        name,
                        value,
                        f"{name} must be {limit} characters or fewer; this one has {len(value)}",
                    )
                )
        return data


def _is_blank(record: list[str]) -> bool:
    return not any(cell.strip() for cell in record)


def count_rows(source: SourceFile) -> int:
    """How many member rows the file has (not checked; a quick first read for progress)."""
    count = -1  # the header
    with source.text() as text:
        try:
            for record in csv.reader(text, strict=True):
                count += not _is_blank(record)
        except csv.Error:
            pass
    return max(count, 0)


def scan(
    text: TextIO, checker: Checker, problems: Problems, progress: Callable[[int], None] | None
) -> Iterator[ImportRow]:
    """Every member row of the file, checked, in file order; problems go to ``problems``.

    A row with problems is reported but not yielded. Reading stops at a problem with the
    header, at text that is not UTF-8 or at CSV that cannot be read; otherwise every row is
    checked, however many problems there are."""
    reader = csv.reader(text, strict=True)
    rows = 0
    try:
        header, header_problems = checker.header(next(reader, None))
        problems.add_row(header_problems)
        if not header or header_problems:
            return
        width = len(header)
        for row, record in enumerate(reader, start=2):
            if _is_blank(record):
                continue  # spreadsheets leave empty rows at the end
            rows += 1
            checker.rows = rows
            if progress is not None and rows % PROGRESS_EVERY == 0:
                progress(rows)
            if len(record) > width and not _is_blank(record[width:]):
                problems.add_row(
                    [
                        RowProblem(
                            row,
                            "",
                            ",".join(record[width:]),
                            f"This row has {len(record)} values but the first "
                            f"row names {width} columns",
                        )
                    ]
                )
                if problems.enough:
                    problems.stopped_at = row
                    return
                continue
            item, row_problems = checker.row(row, header, record)
            if row_problems:
                problems.add_row(row_problems)
                if problems.enough:
                    problems.stopped_at = row
                    return
            else:
                yield item
        if not rows and not problems:
            problems.add_row(
                [
                    RowProblem(
                        2,
                        "",
                        "",
                        "The file has no members: add one row for "
                        "each member below the row that names the columns",
                    )
                ]
            )
    except _Undecodable as error:
        problems.add_row([error.problem])
    except csv.Error as error:
        problems.add_row(
            [
                RowProblem(
                    reader.line_num,
                    "",
                    "",
                    f"The file is not valid CSV near line {reader.line_num}: {error}",
                )
            ]
        )
    finally:
        if progress is not None:
            progress(rows)


@dataclass
class Planned:
    """A plan, and what carrying it out needs: the members it replaces."""

    plan: ImportPlan
    replaced_ids: list[int] = field(default_factory=list)


def plan_file(
    session: Session,
    source: SourceFile,
    update: bool,
    taxonomy: Taxonomy,
    today: date,
    *,
    add_categories: bool = False,
    progress: Progress | None = None,
) -> Planned:
    """Check the whole file (first read), writing nothing."""
    checker = Checker(session, taxonomy, update, today, add_categories)
    problems = Problems()
    total = count_rows(source) if progress is not None else 0
    report = (lambda done: progress(min(done, total), total, CHECKING)) if progress else None
    if progress is not None:
        progress(0, total, CHECKING)
    created = 0
    first_rows: list[ImportRow] = []
    replaced: list[int] = []
    with source.text() as text:
        for item in scan(text, checker, problems, report):
            if len(first_rows) < FIRST_ROWS:
                first_rows.append(item)
            if problems:
                continue  # counted in the problems, and the file will not be imported
            if item.member_id is None:
                created += 1
            else:
                replaced.append(item.member_id)
    plan = ImportPlan(
        problems=tuple(problems.listed),
        update=update,
        total=checker.rows,
        created=created if not problems else 0,
        updated=len(replaced) if not problems else 0,
        first_rows=tuple(first_rows),
        more_problems=problems.more,
        problem_rows=problems.rows,
        stopped_at=problems.stopped_at,
        new_categories=checker.answers.new_categories(),
    )
    return Planned(plan, replaced if not problems else [])


def plan_import(
    session: Session,
    source: Source,
    update: bool,
    taxonomy: Taxonomy | None = None,
    today: date | None = None,
    *,
    add_categories: bool = False,
) -> ImportPlan:
    """Check a whole file against the format and the register, writing nothing."""
    with open_source(source) as opened:
        return plan_file(
            session,
            opened,
            update,
            taxonomy or load_taxonomy(session),
            today or date.today(),
            add_categories=add_categories,
        ).plan


def preview_import(
    uow: UnitOfWork, source: Source, update: bool, *, add_categories: bool = False
) -> ImportPlan:
    """What importing ``source`` would do (reads the register, writes nothing)."""
    with uow:
        return plan_import(uow.session, source, update, add_categories=add_categories)
