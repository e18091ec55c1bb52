"""Requests to be forgotten: a member (or staff for them) asks, an administrator decides."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow

ERASURE_STATUSES = {
    "requested": "Waiting for a decision",
    "done": "Done: the member's details were removed",
    "refused": "Refused",
}


class ErasureRequest(Base):
    """A request to remove a member's personal details, and what was decided.

    At most one request per member waits for a decision (a partial unique index), and the
    decision is taken with a conditional update, so a request is never carried out twice.
    """

    __tablename__ = "erasure_requests"
    __table_args__ = (
        CheckConstraint("status IN ('requested', 'done', 'refused')", name="status_valid"),
        CheckConstraint(
            "status <> 'refused' OR length(refusal_reason) > 0", name="reason_for_refusal"
        ),
        Index(
            "uq_erasure_requests_open_per_member",
            "member_id",
            unique=True,
            sqlite_where=text("status = 'requested'"),
            postgresql_where=text("status = 'requested'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), default="requested")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_by: Mapped[str] = mapped_column(String(254))
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    # Whether staff made the request for the member (by phone, letter, in person).
    on_behalf: Mapped[bool] = mapped_column(default=False)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(254), nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
