"""Background jobs: one row a job, owned by the app (the queue only carries the job's id)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow

JOB_STATUSES: dict[str, str] = {
    "queued": "Waiting to start",
    "running": "In progress",
    "succeeded": "Finished",
    "failed": "Failed",
    "cancelled": "Cancelled",
}
"""Job statuses and the words people see."""

FINISHED_STATUSES = frozenset({"succeeded", "failed", "cancelled"})


class Job(Base):
    """A piece of long work, its progress and its outcome.

    ``attempts`` counts the times a worker claimed the job; a worker writes to the row only
    while the job is still ``running`` under its own attempt, so a job that the reaper gave
    up on (or handed to another worker) cannot be finished twice.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')",
            name="status_valid",
        ),
        CheckConstraint("done >= 0 AND total >= 0 AND done <= total", name="progress_valid"),
        CheckConstraint("attempts >= 0", name="attempts_valid"),
        Index("ix_jobs_status_heartbeat_at", "status", "heartbeat_at"),
        Index("ix_jobs_user_id_created_at", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    phase: Mapped[str] = mapped_column(String(200), default="")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    actor_name: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    repeatable: Mapped[bool] = mapped_column(Boolean, default=False)
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def status_name(self) -> str:
        return JOB_STATUSES[self.status]
