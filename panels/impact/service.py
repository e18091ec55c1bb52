"""Ladder-of-co-production ratings and "you said, we did": one unit of work per function.

Members rate the projects whose panels they were on (an accepted invitation); staff rate
the projects they worked on. Both rate once the project has closed, and may change their
rating. A lead writes "you said, we did" items and publishes them to the panel's members.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from models import LADDER, FeedbackItem, Invitation, LadderRating, Member, Project, utcnow
from panels import audit
from panels.errors import InvalidInput, NotAllowed, NotFound
from panels.mail import queue_message
from panels.text import MULTI_LINE, reject_control_characters
from panels.uow import UnitOfWork

RUNGS = tuple(LADDER)
"""The ladder's rungs from the bottom (coercion) to the top (co-production)."""
PLAIN_RUNGS = {
    "coercion": "We were made to go along with decisions already made.",
    "educating": "We were told about the service so that we would understand it.",
    "informing": "We were told what was going to happen.",
    "consultation": "We were asked what we thought, but others decided.",
    "engagement": "We talked with staff and had some say, but they decided.",
    "co_design": "We helped design it with staff, but did not share the final decisions.",
    "co_production": "We worked with staff as equals from start to finish and shared decisions.",
}
"""Each rung in plain words, for members' pages."""


def _project(uow: UnitOfWork, project_id: int) -> Project:
    project = uow.session.get(Project, project_id)
    if project is None:
        raise NotFound(f"There is no project with id {project_id}.")
    return project


def member_projects(uow: UnitOfWork, member_id: int) -> list[Project]:
    """The projects whose panels the member was on (they accepted a place)."""
    with uow:
        return list(
            uow.session.scalars(
                select(Project)
                .join(Invitation, Invitation.project_id == Project.id)
                .where(Invitation.member_id == member_id, Invitation.status == "accepted")
                .order_by(Project.title)
            )
        )


def _check_rating(project: Project, rung: str, comment: str) -> str:
    if rung not in LADDER:
        raise InvalidInput(
            f"{rung!r} is not a rung of the ladder; valid rungs are: {', '.join(LADDER)}"
        )
    reject_control_characters("comment", comment, MULTI_LINE)
    if project.status != "closed":
        raise InvalidInput("The ladder is rated at the end of a project, once it has closed.")
    return comment.strip()


def rate_as_member(
    uow: UnitOfWork, member_id: int, project_id: int, rung: str, comment: str = ""
) -> LadderRating:
    """A panel member's rating of a project they were on (replacing their earlier one)."""
    with uow:
        project = _project(uow, project_id)
        if project.id not in {p.id for p in member_projects(uow, member_id)}:
            raise NotAllowed("You can only rate projects whose panel you were on.")
        comment = _check_rating(project, rung, comment)
        rating = uow.session.scalar(
            select(LadderRating).where(
                LadderRating.project_id == project_id, LadderRating.member_id == member_id
            )
        )
        if rating is None:
            rating = LadderRating(project_id=project_id, rater="member", member_id=member_id)
            uow.session.add(rating)
        rating.rung, rating.comment = rung, comment
        uow.session.flush()
        audit.record(uow, "rate_ladder", "project", project_id, rater="member")
    return rating


def rate_as_staff(uow: UnitOfWork, project_id: int, rung: str, comment: str = "") -> LadderRating:
    """The acting staff member's rating of a project (replacing their earlier one)."""
    user_id = uow.actor.user_id
    if user_id is None:
        raise NotAllowed("Only a signed-in member of staff can rate as staff.")
    with uow:
        project = _project(uow, project_id)
        comment = _check_rating(project, rung, comment)
        rating = uow.session.scalar(
            select(LadderRating).where(
                LadderRating.project_id == project_id, LadderRating.user_id == user_id
            )
        )
        if rating is None:
            rating = LadderRating(project_id=project_id, rater="staff", user_id=user_id)
            uow.session.add(rating)
        rating.rung, rating.comment = rung, comment
        uow.session.flush()
        audit.record(uow, "rate_ladder", "project", project_id, rater="staff")
    return rating


@dataclass(frozen=True)
class LadderSummary:
    """How members and staff rated one project, side by side (counts per rung)."""

    project_id: int
    members: Counter[str]
    staff: Counter[str]
    member_comments: tuple[str, ...]
    staff_comments: tuple[str, ...]

    @property
    def rated(self) -> int:
        return sum(self.members.values()) + sum(self.staff.values())

    def median(self, who: str | None = None) -> str | None:
        """The middle rung (the lower middle for an even count) of members, staff or both."""
        counts = self.members + self.staff if who is None else getattr(self, who)
        ranks = sorted(RUNGS.index(r) for r in counts.elements())
        return RUNGS[ranks[(len(ranks) - 1) // 2]] if ranks else None


def ladder_summary(uow: UnitOfWork, project_id: int) -> LadderSummary:
    with uow:
        ratings = uow.session.scalars(
            select(LadderRating)
            .where(LadderRating.project_id == project_id)
            .order_by(LadderRating.created_at, LadderRating.id)
        ).all()
    return summarise_ratings(project_id, ratings)


def summarise_ratings(project_id: int, ratings: Sequence[LadderRating]) -> LadderSummary:
    return LadderSummary(
        project_id=project_id,
        members=Counter(r.rung for r in ratings if r.rater == "member"),
        staff=Counter(r.rung for r in ratings if r.rater == "staff"),
        member_comments=tuple(r.comment for r in ratings if r.rater == "member" and r.comment),
        staff_comments=tuple(r.comment for r in ratings if r.rater == "staff" and r.comment),
    )


def own_rating(
    uow: UnitOfWork, project_id: int, *, member_id: int | None = None, user_id: int | None = None
) -> LadderRating | None:
    with uow:
        query = select(LadderRating).where(LadderRating.project_id == project_id)
        if member_id is not None:
            query = query.where(LadderRating.member_id == member_id)
        else:
            query = query.where(LadderRating.user_id == user_id)
        return uow.session.scalar(query)


# --- you said, we did -------------------------------------------------------------------------


def _check_feedback(you_said: str, we_did: str, not_done: str) -> tuple[str, str, str]:
    for name, value in (("you said", you_said), ("we did", we_did), ("not done", not_done)):
        reject_control_characters(name, value, MULTI_LINE)
    you_said, we_did, not_done = you_said.strip(), we_did.strip(), not_done.strip()
    if not you_said:
        raise InvalidInput("Say what the panel said")
    if not we_did and not not_done:
        raise InvalidInput("Say what changed, or what did not change and why")
    return you_said, we_did, not_done


def add_feedback(
    uow: UnitOfWork, project_id: int, you_said: str, we_did: str, not_done: str
) -> FeedbackItem:
    """A draft "you said, we did" item for a project."""
    you_said, we_did, not_done = _check_feedback(you_said, we_did, not_done)
    with uow:
        _project(uow, project_id)
        item = FeedbackItem(
            project_id=project_id,
            you_said=you_said,
            we_did=we_did,
            not_done=not_done,
            written_by_id=uow.actor.user_id,
        )
        uow.session.add(item)
        uow.session.flush()
        audit.record(uow, "write_feedback", "project", project_id, item=item.id)
    return item


def get_feedback(uow: UnitOfWork, project_id: int, item_id: int) -> FeedbackItem:
    with uow:
        item = uow.session.get(FeedbackItem, item_id)
        if item is None or item.project_id != project_id:
            raise NotFound(f"There is no “you said, we did” item {item_id} on this project.")
        return item


def feedback_message(project: Project, item: FeedbackItem, name: str) -> str:
    """The email telling a panel member what changed, in plain words."""
    parts = [
        f"Dear {name},",
        f"Thank you for being on the panel for “{project.title}”. Here is what happened "
        "because of what the panel said.",
        f"You said: {item.you_said}",
    ]
    if item.we_did:
        parts.append(f"We did: {item.we_did}")
    if item.not_done:
        parts.append(f"What we did not change, and why: {item.not_done}")
    parts.append("If you have a question, reply to this email or phone us.")
    return "\n\n".join(parts)


def publish_feedback(uow: UnitOfWork, project_id: int, item_id: int) -> FeedbackItem:
    """Show the item to the panel's members (it cannot be taken back, only added to), and
    email it to those who agreed to be contacted and have an email address."""
    with uow:
        project = _project(uow, project_id)
        item = get_feedback(uow, project_id, item_id)
        if item.status == "published":
            raise InvalidInput("This item has been published already.")
        item.status = "published"
        item.published_at = utcnow()
        panel = uow.session.scalars(
            select(Member)
            .join(Invitation, Invitation.member_id == Member.id)
            .where(
                Invitation.project_id == project_id,
                Invitation.status == "accepted",
                Member.consent_contact.is_(True),
                Member.email.is_not(None),
            )
            .order_by(Member.id)
        ).all()
        for member in panel:
            assert member.email is not None
            queue_message(
                uow,
                recipient=member.email,
                subject=f"What changed: {project.title}",
                body=feedback_message(project, item, member.preferred_name or member.first_name),
                member_id=member.id,
            )
        audit.record(uow, "publish_feedback", "project", project_id, len(panel), item=item.id)
    return item


def project_feedback(uow: UnitOfWork, project_id: int) -> list[FeedbackItem]:
    with uow:
        return list(
            uow.session.scalars(
                select(FeedbackItem)
                .where(FeedbackItem.project_id == project_id)
                .order_by(FeedbackItem.created_at, FeedbackItem.id)
            )
        )


@dataclass(frozen=True)
class PublishedFeedback:
    project_id: int
    project_title: str
    you_said: str
    we_did: str
    not_done: str
    published_at: datetime


def published_for_member(
    uow: UnitOfWork, member_id: int, project_id: int | None = None
) -> list[PublishedFeedback]:
    """Published "you said, we did" items of the projects whose panels the member was on
    (or of ``project_id`` only), newest first (for the members' own space)."""
    query = (
        select(FeedbackItem, Project.title)
        .join(Project, Project.id == FeedbackItem.project_id)
        .join(Invitation, Invitation.project_id == Project.id)
        .where(
            Invitation.member_id == member_id,
            Invitation.status == "accepted",
            FeedbackItem.status == "published",
        )
        .order_by(FeedbackItem.published_at.desc(), FeedbackItem.id.desc())
    )
    if project_id is not None:
        query = query.where(FeedbackItem.project_id == project_id)
    with uow:
        rows = uow.session.execute(query).all()
    return [
        PublishedFeedback(
            item.project_id, title, item.you_said, item.we_did, item.not_done, item.published_at
        )
        for item, title in rows
        if item.published_at is not None
    ]
