"""The members' own space: account set-up links, the days and times that suit, dates away."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow

WEEKDAYS = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
TIMES_OF_DAY = {"morning": "Morning", "afternoon": "Afternoon", "evening": "Evening"}


def _check_in(column: str, values: dict[str, str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class AccountInvite(Base):
    """A link sent to a member to set up their account: signed, expiring, used once.

    The link carries this row's id and nonce; it works while ``used_at`` is empty, the
    expiry has not passed and no newer link was sent to the member (``revoked_at``)."""

    __tablename__ = "account_invites"
    __table_args__ = (Index("ix_account_invites_member_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    sent_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class MemberAvailability(Base):
    """One part of a week that suits a member (e.g. Tuesday afternoons)."""

    __tablename__ = "member_availability"
    __table_args__ = (
        CheckConstraint(_check_in("weekday", WEEKDAYS), name="weekday_valid"),
        CheckConstraint(_check_in("time_of_day", TIMES_OF_DAY), name="time_of_day_valid"),
    )

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    weekday: Mapped[str] = mapped_column(String(3), primary_key=True)
    time_of_day: Mapped[str] = mapped_column(String(10), primary_key=True)


class MemberAway(Base):
    """Dates a member is away (first and last day, both included)."""

    __tablename__ = "member_away"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_not_before_start"),
        Index("ix_member_away_member_id", "member_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
