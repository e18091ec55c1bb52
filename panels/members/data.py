""" "Download my data": everything the features hold about a member, from their
``personal_data`` hooks, as a page and as a JSON file."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import date, datetime

from sqlalchemy import select

from models import TIMES_OF_DAY, WEEKDAYS, AccountInvite, Member, User, utcnow
from panels import audit
from panels.features import DataSection, registry
from panels.members.profile import availability_of, away_of
from panels.uow import UnitOfWork


def _day(day: date | datetime | None) -> str:
    return day.strftime("%-d %B %Y") if day else ""


def members_personal_data(uow: UnitOfWork, member_id: int) -> list[DataSection]:
    """Their account, the days and times that suit them, and their dates away."""
    with uow:
        member = uow.session.get(Member, member_id)
        user = uow.session.get(User, member.user_id) if member and member.user_id else None
        links = uow.session.scalars(
            select(AccountInvite)
            .where(AccountInvite.member_id == member_id)
            .order_by(AccountInvite.created_at, AccountInvite.id)
        ).all()
        availability = availability_of(uow, member_id)
        away = away_of(uow, member_id)
    account_rows: list[tuple[str, ...]] = []
    if user is not None:
        account_rows += [
            ("Your sign-in email address", user.email),
            ("Account set up", _day(user.created_at)),
            ("Last signed in", _day(user.last_login_at)),
        ]
    account_rows += [
        ("Set-up link sent", f"{_day(link.created_at)} to {link.email}") for link in links
    ]
    return [
        DataSection("Your account", ("What", "What we hold"), tuple(account_rows)),
        DataSection(
            "Days and times that suit you",
            ("Day", "Times"),
            tuple(
                (WEEKDAYS[day], ", ".join(TIMES_OF_DAY[p] for p in parts))
                for day, parts in availability.items()
            ),
        ),
        DataSection(
            "Dates you are away",
            ("First day", "Last day"),
            tuple((_day(a.starts_on), _day(a.ends_on)) for a in away),
        ),
    ]


def collect(uow: UnitOfWork, member_id: int) -> list[DataSection]:
    """Every feature's sections about the member, in the features' order."""
    sections: list[DataSection] = []
    with uow:
        for feature in registry().features:
            if feature.personal_data is not None:
                sections.extend(feature.personal_data(uow, member_id))
    return sections


def download_my_data(uow: UnitOfWork, member_id: int, file_format: str) -> list[DataSection]:
    """The member's data for a page or a file; every download is written to the audit log."""
    with uow:
        sections = collect(uow, member_id)
        audit.record(
            uow,
            "download_my_data",
            "member",
            member_id,
            record_count=sum(len(s.rows) for s in sections),
            format=file_format,
        )
    return sections


def as_json(member_id: int, sections: list[DataSection]) -> str:
    """The sections as a JSON document: each row an object keyed by its column names."""
    return json.dumps(
        {
            "register_number": member_id,
            "made_at": utcnow().isoformat(timespec="seconds"),
            "sections": [
                {
                    "title": s.title,
                    "note": s.note,
                    "rows": [dict(zip(s.headers, row, strict=True)) for row in s.rows],
                }
                for s in sections
            ],
        },
        indent=2,
        ensure_ascii=False,
    )


def _file_name(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") + ".csv"


def as_csv_zip(sections: list[DataSection]) -> bytes:
    """The sections as a zip of CSV files, one per section, each with its column names."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, section in enumerate(sections, start=1):
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(section.headers)
            writer.writerows(section.rows)
            archive.writestr(f"{number:02d}-{_file_name(section.title)}", text.getvalue())
    return buffer.getvalue()


def erase_member_space(uow: UnitOfWork, member_id: int) -> None:
    """Delete what the member space holds about a member: the days and times that suit them,
    their dates away and their set-up links (the erasure flow decides about the account)."""
    from sqlalchemy import delete

    from models import MemberAvailability, MemberAway

    with uow:
        for model in (MemberAvailability, MemberAway, AccountInvite):
            uow.session.execute(
                delete(model)
                .where(model.member_id == member_id)
                .execution_options(synchronize_session=False)
            )
