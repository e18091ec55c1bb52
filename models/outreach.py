"""Outreach and impact: partner organisations, their joining links, outreach actions,
requests to join the register, ladder-of-co-production ratings and "you said, we did"."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow

OUTREACH_CHANNELS = {
    "meeting": "A talk or stall at the organisation's group or event",
    "leaflet": "Leaflets or posters passed on by the organisation",
    "newsletter": "The organisation's newsletter, mailing list or social media",
    "one_to_one": "One-to-one conversations through the organisation's staff",
    "other": "Something else",
}
JOIN_REQUEST_STATUSES = {
    "waiting": "Waiting to be checked",
    "accepted": "Added to the register",
    "rejected": "Not added",
}
LADDER = {
    "coercion": "Coercion",
    "educating": "Educating",
    "informing": "Informing",
    "consultation": "Consultation",
    "engagement": "Engagement",
    "co_design": "Co-design",
    "co_production": "Co-production",
}
"""Think Local Act Personal's ladder of co-production, from the bottom rung to the top."""
RATER_KINDS = {"member": "Panel member", "staff": "Staff"}
FEEDBACK_STATUSES = {"draft": "Draft", "published": "Published to the panel"}


def _check_in(column: str, values: Iterable[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Partner(Base):
    """A grassroots or community organisation that reaches people the register misses."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    # The groups and areas it reaches, in the register's categories: {dimension: [codes]}.
    reaches: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    consent_to_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    links: Mapped[list[JoinLink]] = relationship(back_populates="partner", order_by="JoinLink.id")


class JoinLink(Base):
    """A link to the joining form for one partner or campaign, so that its yield is measured."""

    __tablename__ = "join_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), nullable=True
    )
    campaign: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partner: Mapped[Partner | None] = relationship(back_populates="links")


class OutreachAction(Base):
    """Something done through a partner to reach a group: when, how and what."""

    __tablename__ = "outreach_actions"
    __table_args__ = (
        CheckConstraint(_check_in("channel", OUTREACH_CHANNELS), name="channel_valid"),
        Index("ix_outreach_actions_partner", "partner_id", "done_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    done_on: Mapped[date] = mapped_column(Date)
    # The group aimed at, in the register's categories (blank when aimed at everyone).
    dimension: Mapped[str] = mapped_column(String(64), default="")
    category: Mapped[str] = mapped_column(String(64), default="")
    channel: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class JoinRequest(Base):
    """Someone asking to join the register through the public form; staff check it first."""

    __tablename__ = "join_requests"
    __table_args__ = (
        CheckConstraint(_check_in("status", JOIN_REQUEST_STATUSES), name="status_valid"),
        Index("ix_join_requests_status", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int | None] = mapped_column(
        ForeignKey("join_links.id", ondelete="SET NULL"), nullable=True
    )
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    address: Mapped[str | None] = mapped_column(Text, nullable=True)
    postcode: Mapped[str | None] = mapped_column(String(10), nullable=True)
    preferred_contact: Mapped[str | None] = mapped_column(String(10), nullable=True)
    help_needed: Mapped[str] = mapped_column(Text, default="")
    # {purpose: {"given": bool, "wording_id": int}}: the wording the form showed.
    consents: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    reason: Mapped[str] = mapped_column(Text, default="")
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), nullable=True
    )
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    link: Mapped[JoinLink | None] = relationship()


class LadderRating(Base):
    """Where one person felt a project's work sat on the ladder of co-production."""

    __tablename__ = "ladder_ratings"
    __table_args__ = (
        UniqueConstraint("project_id", "member_id", name="uq_ladder_ratings_project_member"),
        UniqueConstraint("project_id", "user_id", name="uq_ladder_ratings_project_user"),
        CheckConstraint(_check_in("rung", LADDER), name="rung_valid"),
        CheckConstraint(_check_in("rater", RATER_KINDS), name="rater_valid"),
        CheckConstraint(
            "(rater = 'member' AND member_id IS NOT NULL) OR (rater = 'staff' AND user_id IS NOT "
            "NULL) OR (member_id IS NULL AND user_id IS NULL)",
            name="rater_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    rater: Mapped[str] = mapped_column(String(10))
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), nullable=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    rung: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class FeedbackItem(Base):
    """One "you said, we did" item: what the panel said, what changed, what did not and why."""

    __tablename__ = "feedback_items"
    __table_args__ = (
        CheckConstraint(_check_in("status", FEEDBACK_STATUSES), name="status_valid"),
        Index("ix_feedback_items_project", "project_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    you_said: Mapped[str] = mapped_column(Text)
    we_did: Mapped[str] = mapped_column(Text, default="")
    not_done: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    written_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
