"""Carrying out an import: check the whole file, then write it in bulk in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from operator import attrgetter, itemgetter
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    Date,
    Engine,
    Integer,
    String,
    Table,
    bindparam,
    delete,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from models import CONSENT_PURPOSES, ConsentRecord, Member, MemberAccessNeed, MemberCharacteristic
from models.base import UTCDateTime, utcnow
from panels import audit
from panels.errors import InvalidInput
from panels.register.member_csv.format import CONSENT_COLUMNS, Source, open_source
from panels.register.member_csv.planning import (
    Checker,
    ImportRow,
    Problems,
    Progress,
    plan_file,
    scan,
)
from panels.register.members import SIMPLE_FIELDS, MemberInput, current_wording, lock_members
from panels.register.taxonomy import Taxonomy, add_imported_categories, load_taxonomy
from panels.uow import UnitOfWork

log = logging.getLogger(__name__)

MEMBERS = cast(Table, Member.__table__)
CHARACTERISTICS = cast(Table, MemberCharacteristic.__table__)
NEEDS = cast(Table, MemberAccessNeed.__table__)
CONSENT_RECORDS = cast(Table, ConsentRecord.__table__)

CHUNK = 5000
"""New members written at a time."""
REPLACE_CHUNK = 1000
"""Existing members replaced at a time."""
TIDY_AFTER = 1000
"""After an import of at least this many members, PostgreSQL's VACUUM ANALYZE runs on the
tables it wrote (what autovacuum would do a minute later), so that searches straight away are
planned for the register's new size and can answer from the indexes alone."""
REGISTER_TABLES = (Member, MemberCharacteristic, MemberAccessNeed, ConsentRecord)
"""The tables an import writes, parents first."""


@dataclass(frozen=True)
class ImportResult:
    rows: int
    created: int
    updated: int
    new_categories: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(dimension label, codes) of the answers the import added."""


def _details(data: MemberInput) -> dict[str, Any]:
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


def _pg_type(column_type: object) -> str:
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
    members use Core UPDATE and DELETE statements, a thousand members at a time; the caller
    has locked those members (:func:`lock_members`), so the consent they hold is current.
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

    def _rows(self, table: Table, names: Sequence[str], rows: list[tuple]) -> None:
        if not rows:
            return
        if self.postgresql:
            cursor = self.session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
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
    def _insert_sql(table: Table, names: Sequence[str]) -> str:
        return (
            f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        )

    def _driver_values(self, table: Table, names: Sequence[str], rows: list[tuple]) -> list[tuple]:
        """Rows as the driver takes them: each column's bind processor applied (once per distinct
        value), skipping Core's per-row parameter handling, which costs more than SQLite's
        insert."""
        dialect = self.session.get_bind().dialect
        active: list[tuple[int, Any, dict[Any, Any]]] = [
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
        characteristics: list[tuple[int, int]] = []
        needs: list[tuple[int, str]] = []
        for member_id, data in pairs:
            for key, codes in data.answers.items():
                ids = self.category_ids[key]
                characteristics.extend((member_id, ids[code]) for code in codes)
            needs.extend((member_id, need) for need in data.access_needs)
        self._rows(CHARACTERISTICS, CHARACTERISTIC_COLUMNS, characteristics)
        self._rows(NEEDS, NEED_COLUMNS, needs)

    def _consents(self, decisions: list[tuple[int, str, bool]]) -> None:
        self._rows(
            CONSENT_RECORDS,
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
        table = MEMBERS
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
            ids = list(
                self.session.scalars(
                    select(table.c.id).where(table.c.id >= first).order_by(table.c.id)
                )
            )
            if ids != list(range(first, first + len(rows))):
                raise RuntimeError(
                    f"new members did not get consecutive ids from {first}; nothing was imported"
                )
        pairs = list(zip(ids, (r.data for r in rows), strict=True))
        self._children(pairs)
        self._consents([(i, p, data.consents[p]) for i, data in pairs for p in CONSENT_PURPOSES])

    def replace(self, rows: Sequence[ImportRow]) -> None:
        table = MEMBERS
        ids = [r.member_id for r in rows]
        consent_columns = [table.c[f"consent_{p}"] for p in CONSENT_PURPOSES]
        current = {
            row.id: {p: row._mapping[f"consent_{p}"] for p in CONSENT_PURPOSES}
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
        for child in (CHARACTERISTICS, NEEDS):
            self.session.execute(delete(child).where(child.c.member_id.in_(ids)))
        self._children([(r.member_id, r.data) for r in rows if r.member_id is not None])
        # Consent is recorded again only where the decision changed (or was never recorded).
        self._consents(
            [
                (r.member_id, purpose, r.data.consents[purpose])
                for r in rows
                if r.member_id is not None
                for purpose in CONSENT_PURPOSES
                if current[r.member_id][purpose] != r.data.consents[purpose]
                or (r.member_id, purpose) not in recorded
            ]
        )


def _writing_phase(created: int, updated: int) -> str:
    if not updated:
        return "Adding members"
    if not created:
        return "Updating members"
    return "Adding and updating members"


def import_members(
    uow: UnitOfWork,
    source: Source,
    file_name: str,
    update: bool = False,
    *,
    add_categories: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Add (and in update mode replace) members from a CSV file, all or nothing.

    ``source`` is the file's bytes, its path or a binary file object. The whole file is
    checked first (``ImportRefused`` if anything is wrong), then read again and written in
    one transaction. With ``add_categories``, answers that extensible dimensions (local
    area) do not have yet are added to them first. ``progress`` is told (rows done, rows in
    all, phase) as the rows are checked ("Checking rows") and written ("Adding members").
    """
    with uow, open_source(source) as opened:
        session = uow.session
        taxonomy = load_taxonomy(session)
        today = date.today()
        planned = plan_file(
            session,
            opened,
            update,
            taxonomy,
            today,
            add_categories=add_categories,
            progress=progress,
        )
        plan = planned.plan
        if plan.problems:
            raise plan.refused()
        integrity_errors = (IntegrityError, session.get_bind().dialect.loaded_dbapi.IntegrityError)
        if plan.new_categories:
            try:
                add_imported_categories(
                    uow, {new.dimension: new.codes for new in plan.new_categories}, file_name
                )
            except integrity_errors:
                raise InvalidInput(
                    "Someone added one of the file's new answers (such as a local area) while "
                    "it was being checked, so nothing was imported; import the file again"
                ) from None
            taxonomy = load_taxonomy(session)
        # Concurrent imports and consent changes to these members wait for this one.
        lock_members(session, planned.replaced_ids)
        writer = _Writer(session, taxonomy, utcnow(), uow.actor.user_id)
        total = plan.created + plan.updated
        phase = _writing_phase(plan.created, plan.updated)
        written = 0

        def write(batch: list[ImportRow], how) -> None:  # type: ignore[no-untyped-def]
            nonlocal written
            if batch:
                how(batch)
                written += len(batch)
                if progress is not None:
                    progress(written, total, phase)
                batch.clear()

        # The second read: the new answers are categories by now, and the rows are known good.
        checker = Checker(session, taxonomy, update, today)
        problems = Problems()
        creating: list[ImportRow] = []
        replacing: list[ImportRow] = []
        try:
            with opened.text() as text:
                for item in scan(text, checker, problems, None):
                    if item.member_id is None:
                        creating.append(item)
                        if len(creating) == CHUNK:
                            write(creating, writer.create)
                    else:
                        replacing.append(item)
                        if len(replacing) == REPLACE_CHUNK:
                            write(replacing, writer.replace)
            write(creating, writer.create)
            write(replacing, writer.replace)
            if problems:  # someone changed the register between the two reads
                raise problems.refused()
            session.flush()
        except integrity_errors:
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
            record_count=total,
            file=file_name,
            created=plan.created,
            updated=plan.updated,
            update_mode=update,
        )
        if total >= TIDY_AFTER:
            engine = session.get_bind()
            uow.after_commit(lambda: _vacuum_register(engine))  # type: ignore[arg-type]
    return ImportResult(
        rows=total,
        created=plan.created,
        updated=plan.updated,
        new_categories=tuple((new.plural, new.codes) for new in plan.new_categories),
    )


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
