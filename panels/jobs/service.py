"""Starting a job and reading how it is going."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, update

from models import Job, utcnow
from panels.errors import NotFound
from panels.features import registry
from panels.jobs.queue import queue_for
from panels.jobs.runner import write_aside
from panels.uow import UnitOfWork

log = logging.getLogger(__name__)

MAX_PARAMS_BYTES = 4096
"""Parameters say where the work is (a file name, a panel id), never carry the work itself."""

NOT_QUEUED = (
    "The job could not be handed to the background workers (the job queue did not answer), "
    "so it was not started. Try again in a few minutes; if it keeps happening, ask your "
    "administrator to check the job queue (JOBS_URL)."
)


def start_job(
    uow: UnitOfWork, kind: str, params: Mapping[str, Any], *, repeatable: bool | None = None
) -> Job:
    """Record a job for ``uow.actor`` and queue it once the unit of work commits."""
    declared = registry().job_kind(kind)
    encoded = json.dumps(dict(params))
    if len(encoded) > MAX_PARAMS_BYTES:
        raise ValueError(
            f"job parameters are {len(encoded)} bytes; keep them under {MAX_PARAMS_BYTES} "
            "(pass a reference to the data, not the data)"
        )
    with uow:
        job = Job(
            kind=kind,
            status="queued",
            phase="",
            done=0,
            total=0,
            actor_name=uow.actor.name,
            user_id=uow.actor.user_id,
            params=dict(params),
            repeatable=declared.repeatable if repeatable is None else repeatable,
            attempts=0,
        )
        uow.session.add(job)
        uow.session.flush()
        bind = uow.session.get_bind()
        engine = bind if isinstance(bind, Engine) else bind.engine
        job_id, settings = job.id, uow.settings

        def enqueue() -> None:
            try:
                queue_for(settings).enqueue(job_id)
            except Exception:
                log.exception("could not queue job %s", job_id)
                write_aside(
                    engine,
                    update(Job)
                    .where(Job.id == job_id, Job.status == "queued")
                    .values(status="failed", error=NOT_QUEUED, finished_at=utcnow()),
                )

        uow.after_commit(enqueue)
    return job


@dataclass(frozen=True)
class JobView:
    """A job as its page and its JSON show it."""

    job: Job
    title: str
    stalled: bool
    now: datetime

    @property
    def status(self) -> str:
        return self.job.status

    @property
    def finished(self) -> bool:
        return self.job.finished

    @property
    def status_line(self) -> str:
        """One sentence saying where the job is; read out by screen readers as it changes."""
        job = self.job
        if job.status == "queued":
            return "Waiting for a background worker to start this job."
        if job.status == "running":
            phase = job.phase or "Starting"
            line = f"{phase}: {job.done:,} of {job.total:,}." if job.total else f"{phase}."
            if self.stalled:
                line += (
                    " The job has not reported for a while. If nothing changes in a few "
                    "minutes, ask your administrator to check the background workers."
                )
            return line
        if job.status == "succeeded":
            return f"Finished. {(job.result or {}).get('summary', '')}".strip()
        if job.status == "failed":
            return f"The job did not finish. {job.error or ''}".strip()
        return "The job was cancelled."

    def as_json(self, result_url: str | None) -> dict[str, Any]:
        job = self.job
        return {
            "id": job.id,
            "kind": job.kind,
            "title": self.title,
            "status": job.status,
            "finished": self.finished,
            "phase": job.phase,
            "done": job.done,
            "total": job.total,
            "status_line": self.status_line,
            "stalled": self.stalled,
            "error": job.error,
            "result": None
            if job.result is None
            else {
                "summary": job.result.get("summary"),
                "url": result_url,
                "link_text": job.result.get("link_text"),
            },
        }


def find_job(uow: UnitOfWork, job_id: int, *, anyone_s: bool = False) -> JobView:
    """The job, if the actor started it (or ``anyone_s``: may see everyone's); else NotFound."""
    with uow:
        job = uow.session.get(Job, job_id, populate_existing=True)
        if job is None or (not anyone_s and job.user_id != uow.actor.user_id):
            raise NotFound(f"There is no job {job_id} of yours.")
        kind = registry().job_kinds.get(job.kind)
        now = utcnow()
        stale = timedelta(seconds=int(uow.settings.get("JOBS_STALE_SECONDS", 60)))
        stalled = (
            job.status == "running"
            and job.heartbeat_at is not None
            and now - job.heartbeat_at > stale
        )
        return JobView(job, kind.title if kind else job.kind, stalled, now)
