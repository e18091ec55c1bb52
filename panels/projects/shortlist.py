"""Building a panel by hand: a lead adds people from the eligible pool one at a time.

The shortlist is the project's invitations with status "shortlisted" and no draw. It can
be built only before any draw, and a project with a hand-built shortlist cannot be drawn
by lottery until the lead clears it (:func:`refuse_draw_if_hand_built`, which the draw
calls), so a lottery never silently replaces people chosen by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import Session

from models import Invitation, Member, Project
from panels import audit
from panels.errors import InvalidInput, NotAllowed, NotFound
from panels.projects.composition import History, familiar_warning, histories
from panels.projects.pool import eligible_query
from panels.projects.service import draw_count, get_project, target_shares
from panels.register.queries import answers_for
from panels.register.taxonomy import load_taxonomy
from panels.text import reject_control_characters
from panels.uow import UnitOfWork

SEARCH_LIMIT = 20
"""At most this many people are offered for one search."""


def _hand_built(project_id: int) -> tuple[ColumnElement[bool], ...]:
    return (
        Invitation.project_id == project_id,
        Invitation.status == "shortlisted",
        Invitation.draw_id.is_(None),
    )


def hand_built_count(session: Session, project_id: int) -> int:
    """How many people are on the project's hand-built shortlist."""
    return int(
        session.scalar(select(func.count()).select_from(Invitation).where(*_hand_built(project_id)))
        or 0
    )


def refuse_draw_if_hand_built(session: Session, project_id: int) -> None:
    """Drawing is not possible while a hand-built shortlist exists."""
    count = hand_built_count(session, project_id)
    if count:
        raise NotAllowed(
            f"This panel is being built by hand ({count} "
            f"{'person is' if count == 1 else 'people are'} on the shortlist), so it cannot "
            "also be drawn by lottery. To draw it instead, clear the hand-built shortlist first."
        )


@dataclass(frozen=True)
class Candidate:
    """Someone on the shortlist, or offered for it, with what a lead needs to choose."""

    member_id: int
    name: str
    email: str
    answers: tuple[tuple[str, str], ...]
    """(characteristic, answer) for the characteristics that matter for the project."""
    history: History

    @property
    def warning(self) -> str | None:
        return familiar_warning(self.name, self.history)


@dataclass(frozen=True)
class ShortlistPage:
    shortlist: tuple[Candidate, ...]
    candidates: tuple[Candidate, ...]
    query: str
    more: bool
    """Whether more people matched the search than are shown."""
    can_build: bool
    reason: str
    """Why the panel cannot be built by hand, when it cannot."""
    panel_size: int | None


def _why_not(uow: UnitOfWork, project: Project) -> str:
    if project.confirmed_at is not None:
        return "The panel is confirmed, so no one can be added or taken off by hand."
    if draw_count(uow, project.id):
        return (
            "The panel has been drawn by lottery, so it cannot be built by hand: the draw "
            "stands. Replace people who decline with a replacement draw."
        )
    return ""


def _candidates(
    uow: UnitOfWork, project: Project, members: Sequence[Member], today: date
) -> list[Candidate]:
    taxonomy = load_taxonomy(uow.session)
    keys = list(target_shares(project))
    ids = [m.id for m in members]
    answers = answers_for(uow.session, taxonomy, ids, purpose="selection", today=today)
    history = histories(uow.session, ids, today)
    found = []
    for member in members:
        mine = answers.get(member.id, {})
        shown = []
        for key in keys:
            dimension = taxonomy[key]
            codes = mine.get(key, ())
            labels = [dimension.find(code).label for code in codes]
            shown.append((dimension.label, "; ".join(labels) or "Not answered"))
        found.append(
            Candidate(
                member_id=member.id,
                name=member.display_name,
                email=member.email or "",
                answers=tuple(shown),
                history=history[member.id],
            )
        )
    return found


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def shortlist_page(
    uow: UnitOfWork, project_id: int, query: str = "", today: date | None = None
) -> ShortlistPage:
    """The hand-built shortlist and, for a search, eligible people matching a name or email.

    Showing people's equality answers is written to the audit log.
    """
    today = today or date.today()
    query = (query or "").strip()
    reject_control_characters("search", query)
    if len(query) > 100:
        raise InvalidInput(f"Search for 100 characters or fewer; this search has {len(query)}")
    with uow:
        project = get_project(uow, project_id)
        taxonomy = load_taxonomy(uow.session)
        on_list = list(
            uow.session.scalars(
                select(Member)
                .join(Invitation, Invitation.member_id == Member.id)
                .where(*_hand_built(project_id))
                .order_by(Member.last_name, Member.first_name, Member.id)
            )
        )
        found: list[Member] = []
        reason = _why_not(uow, project)
        if query and not reason:
            pattern = _like(query.casefold())
            full_name = func.lower(Member.first_name + " " + Member.last_name)
            preferred = func.lower(
                func.coalesce(Member.preferred_name, "") + " " + Member.last_name
            )
            found = list(
                uow.session.scalars(
                    select(Member)
                    .where(
                        Member.id.in_(eligible_query(project, taxonomy, today)),
                        Member.id.not_in(
                            select(Invitation.member_id).where(Invitation.project_id == project_id)
                        ),
                        or_(
                            full_name.like(pattern, escape="\\"),
                            preferred.like(pattern, escape="\\"),
                            func.lower(func.coalesce(Member.email, "")).like(pattern, escape="\\"),
                        ),
                    )
                    .order_by(Member.last_name, Member.first_name, Member.id)
                    .limit(SEARCH_LIMIT + 1)
                )
            )
        more = len(found) > SEARCH_LIMIT
        found = found[:SEARCH_LIMIT]
        shortlist = _candidates(uow, project, on_list, today)
        candidates = _candidates(uow, project, found, today)
        shown = len(shortlist) + len(candidates)
        if shown and any(taxonomy[k].special_category for k in target_shares(project)):
            audit.record(
                uow,
                "view_characteristics",
                "project",
                project.id,
                record_count=shown,
                shortlist=True,
                search=bool(query),
            )
    return ShortlistPage(
        shortlist=tuple(shortlist),
        candidates=tuple(candidates),
        query=query,
        more=more,
        can_build=not reason,
        reason=reason,
        panel_size=project.panel_size,
    )


def add_to_shortlist(
    uow: UnitOfWork, project_id: int, member_id: int, today: date | None = None
) -> Candidate:
    """Put one eligible person on the hand-built shortlist; returns them with any warning."""
    today = today or date.today()
    with uow:
        project = get_project(uow, project_id, for_update=True)
        reason = _why_not(uow, project)
        if reason:
            raise NotAllowed(reason)
        member = uow.session.get(Member, member_id)
        if member is None:
            raise NotFound(f"There is no member with register number {member_id}.")
        taxonomy = load_taxonomy(uow.session)
        eligible = uow.session.scalar(
            eligible_query(project, taxonomy, today).where(Member.id == member_id)
        )
        if eligible is None:
            raise InvalidInput(
                f"{member.display_name} is not in this project's eligible pool: they may not "
                "have agreed to be contacted or to their equality information being used for "
                "selection, be paused or have left, not match who is eligible, or be left out "
                "by name."
            )
        already = uow.session.scalar(
            select(Invitation.id).where(
                Invitation.project_id == project_id, Invitation.member_id == member_id
            )
        )
        if already is not None:
            raise InvalidInput(f"{member.display_name} is already on the shortlist.")
        size = hand_built_count(uow.session, project_id)
        if project.panel_size and size >= project.panel_size:
            raise InvalidInput(
                f"The shortlist is full: the panel has {project.panel_size} seats and "
                f"{size} people are on it. Take someone off first, or change the panel size."
            )
        uow.session.add(Invitation(project_id=project_id, member_id=member_id, draw_id=None))
        uow.session.flush()
        audit.record(uow, "shortlist_add", "project", project_id, member=member_id)
        (candidate,) = _candidates(uow, project, [member], today)
    return candidate


def remove_from_shortlist(uow: UnitOfWork, project_id: int, member_id: int) -> None:
    """Take one person off the hand-built shortlist."""
    with uow:
        project = get_project(uow, project_id, for_update=True)
        reason = _why_not(uow, project)
        if reason:
            raise NotAllowed(reason)
        invitation = uow.session.scalar(
            select(Invitation).where(*_hand_built(project_id), Invitation.member_id == member_id)
        )
        if invitation is None:
            raise NotFound(f"Register number {member_id} is not on this project's shortlist.")
        uow.session.delete(invitation)
        uow.session.flush()
        audit.record(uow, "shortlist_remove", "project", project_id, member=member_id)


def clear_shortlist(uow: UnitOfWork, project_id: int) -> int:
    """Take everyone off the hand-built shortlist (so that the panel can be drawn instead)."""
    with uow:
        project = get_project(uow, project_id, for_update=True)
        reason = _why_not(uow, project)
        if reason:
            raise NotAllowed(reason)
        removed = hand_built_count(uow.session, project_id)
        uow.session.execute(delete(Invitation).where(*_hand_built(project_id)))
        if removed:
            audit.record(uow, "shortlist_clear", "project", project_id, record_count=removed)
    return removed
