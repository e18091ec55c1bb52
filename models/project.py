"""Projects and their panels: target population, eligibility, quotas, draws, invitations,
confirmed panels and meetings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow

PROJECT_LEVELS = {
    "individual": "Individual: people's own care and support",
    "operational": "Operational: how a service is designed and run",
    "strategic": "Strategic: plans, priorities and commissioning",
}
"""SCIE's three levels of co-production."""

PROJECT_STATUSES = {
    "planning": "Planning",
    "recruiting": "Recruiting",
    "running": "Running",
    "closed": "Closed",
}
DRAW_KINDS = {
    "first": "First draw",
    "redraw": "Redraw",
    "replacement": "Replacement",
}
DRAW_STATUSES = {"running": "Running", "done": "Done", "failed": "Failed"}
INVITATION_STATUSES = {
    "shortlisted": "Chosen, not yet invited",
    "invited": "Invited",
    "accepted": "Accepted",
    "declined": "Declined",
    "no_answer": "No answer by the deadline",
    "withdrawn": "Withdrew",
    "replaced": "Replaced",
    "reserve": "On the reserve list (the panel was full when they said yes)",
}
INVITATION_CHANNELS = {"email": "Email", "post": "Letter", "phone": "Phone call", "text": "Text"}
INVITATION_FORMATS = {
    "standard": "Standard",
    "easy_read": "Easy Read",
    "large_print": "Large print",
}
SEATED = ("invited", "accepted")
"""Invitation statuses that hold a seat on the panel (an invited person may still accept)."""


def _check_in(column: str, values: Iterable[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Project(Base):
    """A piece of co-production work that needs a panel of people with lived experience."""

    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint(_check_in("level", PROJECT_LEVELS), name="level_valid"),
        CheckConstraint(_check_in("status", PROJECT_STATUSES), name="status_valid"),
        CheckConstraint("panel_size IS NULL OR panel_size >= 1", name="panel_size_positive"),
        CheckConstraint("tolerance >= 0", name="tolerance_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(20))
    service: Mapped[str] = mapped_column(String(200), default="")
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    first_meeting: Mapped[date | None] = mapped_column(Date, nullable=True)
    decision_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="planning")
    # Who is eligible: register filters ({dimension: [codes]}) and people left out by name.
    eligibility: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    eligibility_set: Mapped[bool] = mapped_column(Boolean, default=False)
    panel_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tolerance: Mapped[int] = mapped_column(Integer, default=1)
    # {dimension: {category: [min, max]}}, in the register's categories.
    quotas: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # {"months": 24, "min_share": 0.5} or {} for no new-voices quota.
    new_voices: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    response_days: Mapped[int] = mapped_column(Integer, default=14)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    target: Mapped[ProjectTarget | None] = relationship(
        back_populates="project", cascade="all, delete-orphan", uselist=False
    )
    exclusions: Mapped[list[ProjectExclusion]] = relationship(
        cascade="all, delete-orphan", order_by="ProjectExclusion.id"
    )


class ProjectTarget(Base):
    """The population a project affects: shares by characteristic, with their sources."""

    __tablename__ = "project_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), unique=True
    )
    # builtin, ons, tidy or manual; name is e.g. "england-and-wales" or the file's name.
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(String(200), default="")
    # {dimension: {"categories": {category: share}, "source": str}} in the register's
    # categories (after mapping), shares summing to 1 per dimension.
    dimensions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Which characteristics matter for this project (dimension keys), in order.
    chosen: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="target")


class ProjectExclusion(Base):
    """Someone a lead left out of a project's pool by name, with the reason."""

    __tablename__ = "project_exclusions"
    __table_args__ = (UniqueConstraint("project_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(500), default="")


class Draw(Base):
    """One lottery draw for a project, kept so that anyone can replay it.

    The pool is stored as the draw saw it (member ids and the quota categories only), with a
    hash of pool and quotas, the algorithm and its version, and the seed.
    """

    __tablename__ = "draws"
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        CheckConstraint(_check_in("kind", DRAW_KINDS), name="kind_valid"),
        CheckConstraint(_check_in("status", DRAW_STATUSES), name="status_valid"),
        CheckConstraint("kind <> 'redraw' OR length(reason) > 0", name="reason_for_redraw"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="running")
    reason: Mapped[str] = mapped_column(Text, default="")
    algorithm: Mapped[str] = mapped_column(String(20))
    engine_version: Mapped[str] = mapped_column(String(40))
    seed: Mapped[int] = mapped_column(BigInteger)
    k: Mapped[int] = mapped_column(Integer)
    pool: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    quotas: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    must_include: Mapped[list[str]] = mapped_column(JSON, default=list)
    excluded: Mapped[list[str]] = mapped_column(JSON, default=list)
    input_hash: Mapped[str] = mapped_column(String(64))
    panel: Mapped[list[str]] = mapped_column(JSON, default=list)
    probabilities: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    min_probability: Mapped[float | None] = mapped_column(nullable=True)
    median_probability: Mapped[float | None] = mapped_column(nullable=True)
    complete: Mapped[bool] = mapped_column(Boolean, default=True)
    job_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    drawn_by: Mapped[str] = mapped_column(String(254))
    drawn_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Invitation(Base):
    """A member's place on a project's panel, from being chosen to accepting or leaving."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("project_id", "member_id"),
        CheckConstraint(_check_in("status", INVITATION_STATUSES), name="status_valid"),
        CheckConstraint(_check_in("channel", INVITATION_CHANNELS), name="channel_valid"),
        CheckConstraint(_check_in("format", INVITATION_FORMATS), name="format_valid"),
        Index("ix_invitations_project_status", "project_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    draw_id: Mapped[int | None] = mapped_column(
        ForeignKey("draws.id", ondelete="SET NULL"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(20), default="shortlisted")
    channel: Mapped[str] = mapped_column(String(20), default="email")
    format: Mapped[str] = mapped_column(String(20), default="standard")
    # A random nonce in the signed link; cleared once the member answers (single use).
    token_nonce: Mapped[str | None] = mapped_column(String(64), nullable=True)
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    question: Mapped[str] = mapped_column(Text, default="")
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PanelSnapshot(Base):
    """A confirmed panel, kept as it was: who is on it, its composition and gaps, its draws."""

    __tablename__ = "panel_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), unique=True
    )
    members: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    composition: Mapped[dict[str, Any]] = mapped_column(JSON)
    gaps: Mapped[dict[str, Any]] = mapped_column(JSON)
    draw_ids: Mapped[list[int]] = mapped_column(JSON)
    confirmed_by: Mapped[str] = mapped_column(String(254))
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Meeting(Base):
    """A panel meeting, with who attended and for how long (payments use it)."""

    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint(
            "preparation_minutes >= 0 AND preparation_minutes <= 1440",
            name="preparation_in_a_day",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    held_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200), default="Panel meeting")
    # The kind of activity (a key of the payments rate card) and the preparation time paid
    # to everyone who came, beside the time each gave at the meeting.
    activity: Mapped[str] = mapped_column(
        String(40), default="panel_meeting", server_default="panel_meeting"
    )
    preparation_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attendance(Base):
    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("meeting_id", "member_id"),
        CheckConstraint("minutes >= 0 AND minutes <= 1440", name="minutes_in_a_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    attended: Mapped[bool] = mapped_column(Boolean, default=True)
    minutes: Mapped[int] = mapped_column(Integer, default=0)
