"""Writing the register to a file, one member a row, each cell built by its column's name."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ACCESS_NEEDS, Member, MemberAccessNeed, MemberCharacteristic
from panels import audit
from panels.register.member_csv.format import (
    CONSENT_COLUMNS,
    DATE_COLUMNS,
    DETAIL_COLUMNS,
    NEEDS_COLUMNS,
    NO,
    SEPARATOR,
    YES,
    columns,
    escape_cell,
)
from panels.register.taxonomy import Taxonomy, load_taxonomy
from panels.uow import UnitOfWork

CHUNK = 5000
"""Members read at a time."""
MEMBER_COLUMNS = (*DETAIL_COLUMNS, *(c for c in NEEDS_COLUMNS if c != "access_needs"))
"""The file's columns that are members' own columns of the same name (besides consent)."""


def _text(value: str | None) -> str:
    return escape_cell(value) if value else ""


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def _yes_no(value: bool) -> str:
    return YES if value else NO


def _formats() -> dict[str, Callable[[Any], str]]:
    formats: dict[str, Callable[[Any], str]] = {
        name: _day if name in DATE_COLUMNS else _text for name in MEMBER_COLUMNS
    }
    formats.update(dict.fromkeys(CONSENT_COLUMNS, _yes_no))
    return formats


def write_members_csv(session: Session, taxonomy: Taxonomy, out: TextIO) -> int:
    """Write every member to ``out`` in the file format, ordered by id; returns how many.

    Members are read in chunks by id, each with one query for their answers and one for their
    access needs; answers are written in the taxonomy's order of categories.
    """
    header = columns(taxonomy)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    dimensions = taxonomy.answerable
    category_of: dict[int, tuple[str, int, str]] = {
        category.id: (dimension.key, position, category.code)
        for dimension in dimensions
        for position, category in enumerate(dimension.categories)
    }
    need_order = {need: position for position, need in enumerate(ACCESS_NEEDS)}
    table = Member.__table__
    formats = _formats()
    characteristic = MemberCharacteristic.__table__
    need_table = MemberAccessNeed.__table__
    count = 0
    last_id = 0
    while True:
        members = session.execute(
            select(table.c.id, *(table.c[name] for name in formats))
            .where(table.c.id > last_id)
            .order_by(table.c.id)
            .limit(CHUNK)
        ).all()
        if not members:
            break
        low, high = members[0].id, members[-1].id
        answers: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
        for member_id, category_id in session.execute(
            select(characteristic.c.member_id, characteristic.c.category_id).where(
                characteristic.c.member_id.between(low, high)
            )
        ):
            if category_id in category_of:
                answers[member_id].append(category_of[category_id])
        needs: dict[int, list[str]] = defaultdict(list)
        for member_id, need in session.execute(
            select(need_table.c.member_id, need_table.c.need).where(
                need_table.c.member_id.between(low, high)
            )
        ):
            needs[member_id].append(need)
        for member in members:
            values = member._mapping
            cells = {name: format_(values[name]) for name, format_ in formats.items()}
            chosen: dict[str, list[tuple[int, str]]] = defaultdict(list)
            for key, position, code in answers.get(member.id, ()):
                chosen[key].append((position, code))
            for dimension in dimensions:
                codes = [code for _, code in sorted(chosen.get(dimension.key, ()))]
                cells[dimension.key] = _text(SEPARATOR.join(codes))
            cells["access_needs"] = SEPARATOR.join(
                sorted(needs.get(member.id, ()), key=need_order.__getitem__)
            )
            writer.writerow([cells[name] for name in header])
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
