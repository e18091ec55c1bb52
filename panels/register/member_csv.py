"""Members to and from CSV: one fixed format for export and import; imports are all-or-nothing.

The format has one row per member and these columns, in this order: the member's details,
one column per dimension a member answers (named by its key, in the taxonomy's order; several
answers separated by ``;``), their access needs (``;``-separated codes) and one ``yes``/``no``
column per consent purpose. An export imported into an empty register exports the same bytes.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter, itemgetter
from typing import TextIO

from sqlalchemy import (
    Boolean,
    Date,
    Engine,
    Integer,
    String,
    bindparam,
    delete,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from models import (
    ACCESS_NEEDS,
    CONSENT_PURPOSES,
    ConsentRecord,
    Member,
    MemberAccessNeed,
    MemberCharacteristic,
)
from models.base import UTCDateTime, utcnow
from panels import audit
from panels.errors import InvalidInput
from panels.register.members import (
    SIMPLE_FIELDS,
    MemberInput,
    Problem,
    check_member,
    current_wording,
)
from panels.register.taxonomy import Taxonomy, load_taxonomy
from panels.uow import UnitOfWork

log = logging.getLogger(__name__)

DETAIL_COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "phone",
    "address",
    "postcode",
    "preferred_contact",
    "status",
    "paused_until",
    "joined_via",
    "referred_by",
)
NEEDS_COLUMNS = ("access_needs", "access_needs_notes", "preferred_times")
CONSENT_COLUMNS = tuple(f"consent_{purpose}" for purpose in CONSENT_PURPOSES)
REQUIRED_COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "date_of_birth",
    "postcode",
    *CONSENT_COLUMNS,
)
"""Columns every file must have; in update mode every column is required, so that a missing
column never silently blanks what the register holds."""
DATE_COLUMNS = ("date_of_birth", "paused_until")
SEPARATOR = ";"
YES, NO = "yes", "no"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these (or with ``'``) is written with a leading ``'`` so that a
spreadsheet shows it as text instead of running it as a formula; imports remove that ``'``."""
_ESCAPED_FIRST = frozenset("".join(FORMULA_START) + "'")
CHUNK = 5000
TIDY_AFTER = 1000
REGISTER_TABLES = (Member, MemberCharacteristic, MemberAccessNeed, ConsentRecord)
"""The tables an import writes, parents first."""
"""After an import of at least this many members, PostgreSQL's VACUUM ANALYZE runs on the
tables it wrote (what autovacuum would do a minute later), so that searches straight away are
planned for the register's new size and can answer from the indexes alone."""


def columns(taxonomy: Taxonomy) -> tuple[str, ...]:
    """The file's columns, in the order exports write them."""
    return (
        *DETAIL_COLUMNS,
        *(d.key for d in taxonomy.answerable),
        *NEEDS_COLUMNS,
        *CONSENT_COLUMNS,
    )


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


class ImportRefused(InvalidInput):
    """The file has problems, so nothing was imported."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        self.problems = tuple(problems)
        rows = len({p.row for p in self.problems})
        super().__init__(
            f"Nothing was imported: the file has {len(self.problems)} "
            f"{'problem' if len(self.problems) == 1 else 'problems'} in {rows} "
            f"{'row' if rows == 1 else 'rows'}"
        )


@dataclass(frozen=True)
class ImportRow:
    row: int
    data: MemberInput
    member_id: int | None = None
    """The existing member this row replaces (update mode), or None for a new member."""


@dataclass(frozen=True)
class ImportPlan:
    """What importing a file would do; nothing is written until it is carried out."""

    rows: tuple[ImportRow, ...]
    problems: tuple[RowProblem, ...]
    update: bool

    @property
    def created(self) -> int:
        return sum(1 for row in self.rows if row.member_id is None)

    @property
    def updated(self) -> int:
        return sum(1 for row in self.rows if row.member_id is not None)


@dataclass(frozen=True)
class ImportResult:
    rows: int
    created: int
    updated: int


@dataclass
class _Parsed:
    header: tuple[str, ...] = ()
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise ImportRefused(
            [
                RowProblem(
                    line,
                    "",
                    f"byte 0x{content[error.start]:02x}",
                    "The file is not UTF-8 text; save it from your spreadsheet as 'CSV UTF-8'",
                )
            ]
        ) from None


def _unescape(value: str) -> str:
    if value.startswith("'") and value[1:].startswith((*FORMULA_START, "'")):
        return value[1:]
    return value


def _escape(value: str) -> str:
    return "'" + value if value[:1] in _ESCAPED_FIRST else value


def _check_header(header: list[str], taxonomy: Taxonomy, update: bool) -> list[RowProblem]:
    allowed = columns(taxonomy)
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
    required = allowed if update else REQUIRED_COLUMNS
    for name in required:
        if name not in seen:
            why = "update mode needs every column" if update else "these columns are required"
            problems.append(
                RowProblem(
                    1, name, "", f"The file has no {name!r} column; {why}: {', '.join(required)}"
                )
            )
    return problems


class _Answers:
    """Checks answers with check_member itself, once for each distinct (column, cell): a file
    repeats the same few answers thousands of times. The codes returned are shared; read only."""

    def __init__(self, taxonomy: Taxonomy, today: date) -> None:
        self.taxonomy = taxonomy
        self.today = today
        self.cache: dict[tuple[str, str], tuple[list[str] | None, tuple[Problem, ...]]] = {}

    def check(self, key: str, raw: str) -> tuple[list[str] | None, tuple[Problem, ...]]:
        found = self.cache.get((key, raw))
        if found is None:
            probe = MemberInput(first_name="-", last_name="-", answers={key: raw.split(SEPARATOR)})
            problems = tuple(
                p for p in check_member(probe, self.taxonomy, self.today) if p.field == key
            )
            found = self.cache[(key, raw)] = (probe.answers.get(key), problems)
        return found


def _member_input(
    row: int,
    values: dict[str, str],
    taxonomy: Taxonomy,
    today: date,
    problems: list[RowProblem],
    answers: _Answers,
) -> MemberInput:
    """A member from one row's values; problems with the row's format are added to ``problems``."""

    def get(name: str, lookup=values.get) -> str:
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
        access_needs=[n.strip().lower() for n in get("access_needs").split(SEPARATOR) if n.strip()],
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
    for dimension in taxonomy.answerable:
        raw = get(dimension.key)
        if raw.strip():
            codes, answer_problems = answers.check(dimension.key, raw)
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
    for problem in check_member(data, taxonomy, today):
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


_LENGTHS = {
    column.name: column.type.length
    for column in Member.__table__.columns
    if column.name in SIMPLE_FIELDS and isinstance(column.type, String) and column.type.length
}


def _parse(text: str, taxonomy: Taxonomy, update: bool, today: date) -> _Parsed:
    parsed = _Parsed()
    answers = _Answers(taxonomy, today)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header_row = next(reader, None)
        if header_row is None or not any(cell.strip() for cell in header_row):
            parsed.problems.append(
                RowProblem(
                    1,
                    "",
                    "",
                    "The file is empty; its first row must name "
                    f"the columns: {', '.join(columns(taxonomy))}",
                )
            )
            return parsed
        header = [cell.strip().lower() for cell in header_row]
        parsed.header = tuple(header)
        parsed.problems.extend(_check_header(header, taxonomy, update))
        if parsed.problems:
            return parsed
        for row, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue  # spreadsheets leave empty rows at the end
            if len(record) > len(header) and any(cell.strip() for cell in record[len(header) :]):
                parsed.problems.append(
                    RowProblem(
                        row,
                        "",
                        ",".join(record[len(header) :]),
                        f"This row has {len(record)} values but the first "
                        f"row names {len(header)} columns",
                    )
                )
                continue
            values = dict(zip(header, record, strict=False))
            if "\x00'" in "\x00" + "\x00".join(record):
                values = {name: _unescape(cell) for name, cell in values.items()}
            data = _member_input(row, values, taxonomy, today, parsed.problems, answers)
            parsed.rows.append(ImportRow(row, data))
        if not parsed.rows and not parsed.problems:
            parsed.problems.append(
                RowProblem(
                    2,
                    "",
                    "",
                    "The file has no members: add one row for "
                    "each member below the row that names the columns",
                )
            )
    except csv.Error as error:
        parsed.problems.append(
            RowProblem(
                reader.line_num,
                "",
                "",
                f"The file is not valid CSV near line {reader.line_num}: {error}",
            )
        )
    return parsed


def _existing_emails(session: Session) -> dict[str, int]:
    return dict(
        session.execute(select(Member.email, Member.id).where(Member.email.is_not(None))).all()
    )


def plan_import(
    session: Session,
    content: bytes,
    update: bool,
    taxonomy: Taxonomy | None = None,
    today: date | None = None,
) -> ImportPlan:
    """Check a whole file against the format and the register, writing nothing."""
    taxonomy = taxonomy or load_taxonomy(session)
    try:
        text = _decode(content)
    except ImportRefused as error:
        return ImportPlan(rows=(), problems=error.problems, update=update)
    parsed = _parse(text, taxonomy, update, today or date.today())
    problems = parsed.problems
    first_row: dict[str, int] = {}
    for item in parsed.rows:
        email = item.data.email
        if email is None:
            continue
        if email in first_row:
            problems.append(
                RowProblem(
                    item.row,
                    "email",
                    email,
                    f"The email address {email!r} is "
                    f"also on row {first_row[email]}; each member must appear once",
                )
            )
        else:
            first_row[email] = item.row
    existing = _existing_emails(session) if first_row else {}
    rows = []
    for item in parsed.rows:
        member_id = existing.get(item.data.email) if item.data.email else None
        if member_id is not None and not update:
            problems.append(
                RowProblem(
                    item.row,
                    "email",
                    item.data.email or "",
                    "A member with this "
                    "email address is already on the register; to replace their "
                    "details with the file's, choose update mode",
                )
            )
        rows.append(ImportRow(item.row, item.data, member_id))
    problems.sort(key=lambda p: p.row)
    return ImportPlan(rows=tuple(rows), problems=tuple(problems), update=update)


def preview_import(uow: UnitOfWork, content: bytes, update: bool) -> ImportPlan:
    """What importing ``content`` would do (reads the register, writes nothing)."""
    with uow:
        return plan_import(uow.session, content, update)


def _batches(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _details(data: MemberInput) -> dict:
    values = {name: getattr(data, name) for name in SIMPLE_FIELDS}
    for purpose in CONSENT_PURPOSES:
        values[f"consent_{purpose}"] = data.consents[purpose]
    return values


MEMBER_INSERT_COLUMNS = (
    *SIMPLE_FIELDS,
    *CONSENT_COLUMNS,
    "panels_served",
    "created_at",
    "updated_at",
)
_SIMPLE_VALUES = attrgetter(*SIMPLE_FIELDS)
_CONSENT_VALUES = itemgetter(*CONSENT_PURPOSES)
CHARACTERISTIC_COLUMNS = ("member_id", "category_id")
NEED_COLUMNS = ("member_id", "need")
CONSENT_RECORD_COLUMNS = (
    "member_id",
    "purpose",
    "given",
    "method",
    "wording_id",
    "recorded_by_id",
    "recorded_at",
)


def _pg_type(column_type) -> str:
    """The PostgreSQL type name a binary COPY sends for a column."""
    if isinstance(column_type, Boolean):
        return "bool"
    if isinstance(column_type, Integer):
        return "int4"
    if isinstance(column_type, Date):
        return "date"
    if isinstance(column_type, String):
        return "text"
    if isinstance(column_type, UTCDateTime):
        return "timestamptz"
    raise TypeError(f"no COPY type for {column_type!r}")


class _Writer:
    """Bulk writes for one import inside the caller's transaction (never commits).

    PostgreSQL gets ids from the members' sequence and rows by COPY; SQLite gets the driver's
    executemany (Core's per-row parameter handling cost more than the inserts themselves).
    Either way rows go in file order, so new members' ids follow the file. Updates of existing
    members use Core UPDATE and DELETE statements, a thousand members at a time.
    """

    def __init__(
        self, session: Session, taxonomy: Taxonomy, now: datetime, user_id: int | None
    ) -> None:
        self.session = session
        self.now = now
        self.postgresql = session.get_bind().dialect.name == "postgresql"
        self.category_ids = {
            d.key: {category.code: category.id for category in d.categories}
            for d in taxonomy.answerable
        }
        self.wordings = {p: current_wording(session, p).id for p in CONSENT_PURPOSES}
        self.user_id = user_id

    def _rows(self, table, names: Sequence[str], rows: list[tuple]) -> None:
        if not rows:
            return
        if self.postgresql:
            cursor = self.session.connection().connection.dbapi_connection.cursor()
            with cursor.copy(
                f"COPY {table.name} ({', '.join(names)}) FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.set_types([_pg_type(table.c[name].type) for name in names])
                for row in rows:
                    copy.write_row(row)
            cursor.close()
        else:
            self.session.connection().exec_driver_sql(
                self._insert_sql(table, names), self._driver_values(table, names, rows)
            )

    @staticmethod
    def _insert_sql(table, names: Sequence[str]) -> str:
        return (
            f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        )

    def _driver_values(self, table, names: Sequence[str], rows: list[tuple]) -> list[tuple]:
        """Rows as the driver takes them: each column's bind processor applied (once per distinct
        value), skipping Core's per-row parameter handling, which costs more than SQLite's
        insert."""
        dialect = self.session.get_bind().dialect
        active = [
            (index, process, {})
            for index, name in enumerate(names)
            if (process := table.c[name].type._cached_bind_processor(dialect)) is not None
        ]
        if not active:
            return rows
        converted = []
        for row in rows:
            values = list(row)
            for index, process, cache in active:
                value = values[index]
                if value in cache:
                    values[index] = cache[value]
                else:
                    values[index] = cache[value] = process(value)
            converted.append(tuple(values))
        return converted

    def _children(self, pairs: Sequence[tuple[int, MemberInput]]) -> None:
        characteristics = []
        needs = []
        for member_id, data in pairs:
            for key, codes in data.answers.items():
                ids = self.category_ids[key]
                characteristics.extend((member_id, ids[code]) for code in codes)
            needs.extend((member_id, need) for need in data.access_needs)
        self._rows(MemberCharacteristic.__table__, CHARACTERISTIC_COLUMNS, characteristics)
        self._rows(MemberAccessNeed.__table__, NEED_COLUMNS, needs)

    def _consents(self, decisions: list[tuple[int, str, bool]]) -> None:
        self._rows(
            ConsentRecord.__table__,
            CONSENT_RECORD_COLUMNS,
            [
                (
                    member_id,
                    purpose,
                    given,
                    "import",
                    self.wordings[purpose],
                    self.user_id,
                    self.now,
                )
                for member_id, purpose, given in decisions
            ],
        )

    def create(self, rows: Sequence[ImportRow]) -> None:
        table = Member.__table__
        # In MEMBER_INSERT_COLUMNS order: details, consents, panels_served, created_at, updated_at.
        fixed = (0, self.now, self.now)
        values = [_SIMPLE_VALUES(r.data) + _CONSENT_VALUES(r.data.consents) + fixed for r in rows]
        if self.postgresql:
            ids = sorted(
                self.session.scalars(
                    text(
                        "SELECT nextval(pg_get_serial_sequence('members', 'id')) "
                        "FROM generate_series(1, :n)"
                    ),
                    {"n": len(rows)},
                )
            )
            self._rows(
                table,
                ("id", *MEMBER_INSERT_COLUMNS),
                [(i, *v) for i, v in zip(ids, values, strict=True)],
            )
        else:
            # SQLite gives a new row max(id) + 1. The first insert takes the database's write
            # lock, held until commit, so the rest of the batch gets the ids that follow it.
            names = MEMBER_INSERT_COLUMNS
            prepared = self._driver_values(table, names, values)
            connection = self.session.connection()
            first = connection.exec_driver_sql(
                self._insert_sql(table, names), prepared[0]
            ).lastrowid
            if len(prepared) > 1:
                connection.exec_driver_sql(self._insert_sql(table, names), prepared[1:])
            ids = self.session.scalars(
                select(table.c.id).where(table.c.id >= first).order_by(table.c.id)
            ).all()
            if ids != list(range(first, first + len(rows))):
                raise RuntimeError(
                    f"new members did not get consecutive ids from {first}; nothing was imported"
                )
        pairs = list(zip(ids, (r.data for r in rows), strict=True))
        self._children(pairs)
        self._consents([(i, p, data.consents[p]) for i, data in pairs for p in CONSENT_PURPOSES])

    def replace(self, rows: Sequence[ImportRow]) -> None:
        table = Member.__table__
        ids = [r.member_id for r in rows]
        consent_columns = [table.c[f"consent_{p}"] for p in CONSENT_PURPOSES]
        current = {
            row[0]: row[1:]
            for row in self.session.execute(
                select(table.c.id, *consent_columns).where(table.c.id.in_(ids))
            )
        }
        recorded = set(
            self.session.execute(
                select(ConsentRecord.member_id, ConsentRecord.purpose)
                .where(ConsentRecord.member_id.in_(ids))
                .distinct()
            )
        )
        self.session.execute(
            update(table).where(table.c.id == bindparam("target_id")),
            [{**_details(r.data), "updated_at": self.now, "target_id": r.member_id} for r in rows],
        )
        for child in (MemberCharacteristic.__table__, MemberAccessNeed.__table__):
            self.session.execute(delete(child).where(child.c.member_id.in_(ids)))
        self._children([(r.member_id, r.data) for r in rows])
        # Consent is recorded again only where the decision changed (or was never recorded).
        self._consents(
            [
                (r.member_id, purpose, r.data.consents[purpose])
                for r in rows
                for index, purpose in enumerate(CONSENT_PURPOSES)
                if current[r.member_id][index] != r.data.consents[purpose]
                or (r.member_id, purpose) not in recorded
            ]
        )


def import_members(
    uow: UnitOfWork,
    content: bytes,
    file_name: str,
    update: bool = False,
    *,
    progress: Callable[[int, int, str], None] | None = None,
) -> ImportResult:
    """Add (and in update mode replace) members from a CSV file, all or nothing.

    ``progress(done, total, phase)``, if given, is told how many rows are written so far.
    """
    report = progress or (lambda done, total, phase: None)
    with uow:
        session = uow.session
        taxonomy = load_taxonomy(session)
        plan = plan_import(session, content, update, taxonomy)
        if plan.problems:
            raise ImportRefused(plan.problems)
        writer = _Writer(session, taxonomy, utcnow(), uow.actor.user_id)
        total, done = len(plan.rows), 0
        try:
            report(done, total, "Adding new members")
            for batch in _batches([r for r in plan.rows if r.member_id is None]):
                writer.create(batch)
                done += len(batch)
                report(done, total, "Adding new members")
            for batch in _batches([r for r in plan.rows if r.member_id is not None], 1000):
                writer.replace(batch)
                done += len(batch)
                report(done, total, "Replacing members' details")
            session.flush()
        except (IntegrityError, session.get_bind().dialect.loaded_dbapi.IntegrityError):
            raise InvalidInput(
                "The register changed while the file was being imported (someone added or "
                "changed a member with an email address in the file), so nothing was imported; "
                "import the file again"
            ) from None
        audit.record(
            uow,
            "import",
            "member",
            None,
            record_count=len(plan.rows),
            file=file_name,
            created=plan.created,
            updated=plan.updated,
            update_mode=update,
        )
        if len(plan.rows) >= TIDY_AFTER:
            engine = session.get_bind()
            uow.after_commit(lambda: _vacuum_register(engine))
    return ImportResult(rows=len(plan.rows), created=plan.created, updated=plan.updated)


def _vacuum_register(engine: Engine) -> None:
    """VACUUM ANALYZE the register's tables on PostgreSQL (outside any transaction, as VACUUM
    must be). The import has committed by now, so a failure here is logged, not raised."""
    if engine.dialect.name != "postgresql":
        return
    tables = ", ".join(model.__tablename__ for model in REGISTER_TABLES)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f"VACUUM (ANALYZE) {tables}")
    except DBAPIError as error:
        log.warning(
            "imported members, but VACUUM ANALYZE of %s failed (autovacuum will do it later): %s",
            tables,
            error,
        )


def _text(value: str | None) -> str:
    return _escape(value) if value else ""


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def _yes_no(value: bool) -> str:
    return YES if value else NO


def write_members_csv(session: Session, taxonomy: Taxonomy, out: TextIO) -> int:
    """Write every member to ``out`` in the file format, ordered by id; returns how many.

    Members are read in chunks by id, each with one query for their answers and one for their
    access needs; answers are written in the taxonomy's order of categories.
    """
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns(taxonomy))
    dimensions = taxonomy.answerable
    category_of: dict[int, tuple[int, int, str]] = {
        category.id: (index, position, category.code)
        for index, dimension in enumerate(dimensions)
        for position, category in enumerate(dimension.categories)
    }
    need_order = {need: position for position, need in enumerate(ACCESS_NEEDS)}
    table = Member.__table__
    details = [table.c[name] for name in DETAIL_COLUMNS]
    after = [table.c.access_needs_notes, table.c.preferred_times]
    formats = [_day if name in DATE_COLUMNS else _text for name in DETAIL_COLUMNS]
    characteristic = MemberCharacteristic.__table__
    need_table = MemberAccessNeed.__table__
    count = 0
    last_id = 0
    while True:
        members = session.execute(
            select(table.c.id, *details, *after, *(table.c[name] for name in CONSENT_COLUMNS))
            .where(table.c.id > last_id)
            .order_by(table.c.id)
            .limit(CHUNK)
        ).all()
        if not members:
            break
        low, high = members[0][0], members[-1][0]
        answers: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
        for member_id, category_id in session.execute(
            select(characteristic.c.member_id, characteristic.c.category_id).where(
                characteristic.c.member_id.between(low, high)
            )
        ).all():
            if category_id in category_of:
                answers[member_id].append(category_of[category_id])
        needs: dict[int, list[str]] = defaultdict(list)
        for member_id, need in session.execute(
            select(need_table.c.member_id, need_table.c.need).where(
                need_table.c.member_id.between(low, high)
            )
        ).all():
            needs[member_id].append(need)
        for member in members:
            cells = [fmt(value) for fmt, value in zip(formats, member[1:14], strict=True)]
            answer_cells = [""] * len(dimensions)
            for index, _, code in sorted(answers.get(member[0], ())):
                answer_cells[index] = (
                    f"{answer_cells[index]}{SEPARATOR}{code}" if answer_cells[index] else code
                )
            cells.extend(_text(cell) for cell in answer_cells)
            cells.append(
                SEPARATOR.join(sorted(needs.get(member[0], ()), key=need_order.__getitem__))
            )
            cells.append(_text(member[14]))
            cells.append(_text(member[15]))
            cells.extend(_yes_no(value) for value in member[16:])
            writer.writerow(cells)
        count += len(members)
        last_id = high
    return count


def export_members(uow: UnitOfWork, out: TextIO, file_name: str | None = None) -> int:
    """Write the whole register to ``out`` as CSV and record the export; returns how many."""
    with uow:
        session = uow.session
        taxonomy = load_taxonomy(session)
        count = write_members_csv(session, taxonomy, out)
        audit.record(
            uow, "export", "member", None, record_count=count, file=file_name, format="csv"
        )
    return count
