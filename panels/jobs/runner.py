"""Running a job in a worker: claim it, beat, report progress, finish it; and the reaper.

Every write about a job's state (claim, heartbeat, progress, failure, reaping) is a
conditional ``UPDATE`` in a short transaction of its own, on its own connection, so the
job's page sees it while the job's main transaction is still open. The job's work and its
success are committed together, and only while the job is still ``running`` under this
worker's attempt: a worker that the reaper gave up on can never commit its work after all,
so a job (a lottery draw, say) never takes effect twice.

SQLite lets one connection write at a time: while a job's main transaction writes, the
heartbeat and progress updates are skipped rather than waited for (PostgreSQL shows them
live), and the reaper cannot fail the job before the job has committed or rolled back.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import ColumnElement, CursorResult, Engine, Update, select, update
from sqlalchemy.exc import OperationalError

from models import Job, User, utcnow
from panels import db
from panels.errors import DomainError
from panels.features import registry
from panels.jobs.kinds import JobContext, JobKind
from panels.uow import Actor

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
"""How many times a repeatable job is started before the reaper gives up on it."""

PROGRESS_EVERY_SECONDS = 0.5
"""Progress is written at most this often (and whenever the phase changes or work is done)."""

UNEXPECTED = (
    "Something went wrong in the service while running this job, so nothing it did was "
    "saved. Try again; if it happens again, tell your administrator the job number ({job_id})."
)
UNKNOWN_KIND = (
    "This service no longer knows how to run this kind of job ({kind}), so it was not run. "
    "Ask your administrator."
)


def worker_name() -> str:
    """Which machine and process runs a job, as the job's row records it."""
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def heartbeat_interval(stale_seconds: int) -> float:
    """Beat often enough that a live job never looks stale (four beats a stale period)."""
    return max(0.2, min(5.0, stale_seconds / 4))


def write_aside(engine: Engine, statement: Update, *, may_skip: bool = False) -> int | None:
    """Run one UPDATE in a transaction of its own; return the rows it changed.

    With ``may_skip`` (heartbeats, progress) a database that is busy writing something else
    is not waited for: the update is skipped and None returned, and the next one tries again.
    """
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        try:
            if may_skip and sqlite:
                connection.exec_driver_sql("PRAGMA busy_timeout=0")
            elif may_skip:
                connection.exec_driver_sql("SET LOCAL lock_timeout = '1s'")
            changed = connection.execute(statement).rowcount
            connection.commit()
            return changed
        except OperationalError as error:
            connection.rollback()
            if not may_skip:
                raise
            log.debug("skipped a job update while the database was busy: %s", error)
            return None
        finally:
            if may_skip and sqlite:
                connection.exec_driver_sql("PRAGMA busy_timeout=5000")


@dataclass(frozen=True)
class _Claim:
    job_id: int
    attempt: int
    kind: str
    params: Mapping[str, Any]
    repeatable: bool
    actor_name: str
    user_id: int | None

    @property
    def owned(self) -> tuple[ColumnElement[bool], ...]:
        """The job, while it is still running under this attempt."""
        return (Job.id == self.job_id, Job.status == "running", Job.attempts == self.attempt)


def claim(engine: Engine, job_id: int) -> _Claim | None:
    """Mark a queued job running for this worker; None if it is not queued (any more).

    Huey may deliver a job twice (a worker restarted, the reaper re-queued it): only the
    worker whose conditional UPDATE changes the row runs it.
    """
    now = utcnow()
    changed = write_aside(
        engine,
        update(Job)
        .where(Job.id == job_id, Job.status == "queued")
        .values(
            status="running",
            started_at=now,
            heartbeat_at=now,
            attempts=Job.attempts + 1,
            worker=worker_name(),
        ),
    )
    if changed != 1:
        return None
    with engine.connect() as connection:
        row = connection.execute(
            select(
                Job.attempts, Job.kind, Job.params, Job.repeatable, Job.actor_name, Job.user_id
            ).where(Job.id == job_id)
        ).one()
    return _Claim(
        job_id, row.attempts, row.kind, row.params, row.repeatable, row.actor_name, row.user_id
    )


class Heartbeat:
    """A thread that marks the job alive every few seconds, even through a long step."""

    def __init__(self, engine: Engine, claimed: _Claim, interval: float) -> None:
        self._engine = engine
        self._claimed = claimed
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"heartbeat-job-{claimed.job_id}", daemon=True
        )

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _beat(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                write_aside(
                    self._engine,
                    update(Job).where(*self._claimed.owned).values(heartbeat_at=utcnow()),
                    may_skip=True,
                )
            except Exception:  # pragma: no cover - a lost connection; the next beat retries
                log.exception("heartbeat of job %s failed", self._claimed.job_id)


class ProgressReporter:
    """``progress(done, total, phase)`` for a job function: written at once, in its own
    transaction, at most every half second unless the phase changes or the work is done."""

    def __init__(self, engine: Engine, claimed: _Claim) -> None:
        self._engine = engine
        self._claimed = claimed
        self._last_written = 0.0
        self._last_phase: str | None = None

    def __call__(self, done: int, total: int, phase: str) -> None:
        if not 0 <= done <= total and not (total == 0 and done == 0):
            raise ValueError(f"progress {done} of {total} is impossible; need 0 <= done <= total")
        now = time.monotonic()
        if (
            phase == self._last_phase
            and done < total
            and now - self._last_written < PROGRESS_EVERY_SECONDS
        ):
            return
        written = write_aside(
            self._engine,
            update(Job)
            .where(*self._claimed.owned)
            .values(done=done, total=total, phase=phase[:200], heartbeat_at=utcnow()),
            may_skip=True,
        )
        if written is not None:
            self._last_written, self._last_phase = now, phase


class _TakenOver(RuntimeError):
    """The job is no longer this worker's (the reaper gave up on it while it ran)."""


def _starter(engine: Engine, claimed: _Claim) -> Actor | None:
    if claimed.user_id is None:
        return None
    with engine.connect() as connection:
        role = connection.scalar(select(User.role).where(User.id == claimed.user_id))
    return Actor("user", claimed.actor_name, claimed.user_id, role)


def execute(app: Flask, job_id: int) -> str | None:
    """Run one job (in an app context, in a worker); returns the status it ended with."""
    engine = db.database(app).engine
    claimed = claim(engine, job_id)
    if claimed is None:
        log.info("job %s is not waiting to run (already run or cancelled); skipped", job_id)
        return None
    kind = registry().job_kinds.get(claimed.kind)
    if kind is None:
        _fail(engine, claimed, UNKNOWN_KIND.format(kind=claimed.kind))
        return "failed"
    actor = Actor.job(claimed.kind, job_id, on_behalf_of=_starter(engine, claimed))
    interval = heartbeat_interval(int(app.config["JOBS_STALE_SECONDS"]))
    status = "failed"
    try:
        with Heartbeat(engine, claimed, interval):
            _run_and_finish(app, engine, kind, claimed, actor)
        status = "succeeded"
    except _TakenOver:
        log.warning("job %s was given up on while it ran; its work was rolled back", job_id)
        return None
    except DomainError as error:
        _fail(engine, claimed, str(error))
    except KeyboardInterrupt:
        # The worker is being stopped: treat the job as the reaper would a dead worker's.
        log.warning("job %s interrupted by the worker stopping", job_id)
        give_up(app, claimed.job_id, claimed.attempt)
        raise
    except Exception:
        log.exception("job %s (%s) failed", job_id, claimed.kind)
        _fail(engine, claimed, UNEXPECTED.format(job_id=job_id))
    _clean_up(app, kind, claimed.params)
    return status


def _run_and_finish(
    app: Flask, engine: Engine, kind: JobKind, claimed: _Claim, actor: Actor
) -> None:
    """Run the job function and mark the job succeeded in the same transaction as its work,
    provided the job is still this attempt's; otherwise roll the work back."""
    with db.open_unit_of_work(actor, app) as uow, uow:
        progress = ProgressReporter(engine, claimed)
        outcome = kind.run(JobContext(claimed.job_id, claimed.kind, claimed.params, uow, progress))
        finished: CursorResult[Any] = uow.session.execute(  # type: ignore[assignment]
            update(Job)
            .where(*claimed.owned)
            .values(
                status="succeeded",
                finished_at=utcnow(),
                heartbeat_at=utcnow(),
                done=Job.total,
                result=outcome.as_result(),
            )
            .execution_options(synchronize_session=False)
        )
        if finished.rowcount != 1:
            raise _TakenOver(claimed.job_id)


def _fail(engine: Engine, claimed: _Claim, error: str) -> None:
    write_aside(
        engine,
        update(Job)
        .where(*claimed.owned)
        .values(status="failed", error=error, finished_at=utcnow(), heartbeat_at=utcnow()),
    )


def _clean_up(app: Flask, kind: JobKind | None, params: Mapping[str, Any]) -> None:
    if kind is None or kind.cleanup is None:
        return
    try:
        kind.cleanup(params, app.config)
    except Exception:  # the job's outcome stands; leftovers are only logged
        log.exception("cleaning up after a job failed")


@dataclass(frozen=True)
class Reaped:
    failed: tuple[int, ...] = ()
    requeued: tuple[int, ...] = ()


def give_up(app: Flask, job_id: int, attempt: int, stale_before: Any = None) -> str | None:
    """A running job's worker is gone: queue it again if it is safe to repeat, else fail it.

    Returns ``"queued"`` or ``"failed"``, or None if the job had moved on meanwhile (it
    finished, or another worker reaped it first).
    """
    from panels.jobs.queue import queue_for

    engine = db.database(app).engine
    with engine.connect() as connection:
        row = connection.execute(
            select(Job.kind, Job.repeatable, Job.params).where(Job.id == job_id)
        ).one_or_none()
    if row is None:
        return None
    conditions = [Job.id == job_id, Job.status == "running", Job.attempts == attempt]
    if stale_before is not None:
        conditions.append(Job.heartbeat_at < stale_before)
    kind = registry().job_kinds.get(row.kind)
    if row.repeatable and attempt < MAX_ATTEMPTS and kind is not None:
        changed = write_aside(
            engine,
            update(Job)
            .where(*conditions)
            .values(status="queued", worker=None, phase="Waiting to start again"),
        )
        if changed == 1:
            queue_for(app.config).enqueue(job_id)
            log.warning("job %s lost its worker; queued it again", job_id)
            return "queued"
        return None
    error = kind.interrupted if kind is not None else UNKNOWN_KIND.format(kind=row.kind)
    changed = write_aside(
        engine,
        update(Job).where(*conditions).values(status="failed", error=error, finished_at=utcnow()),
    )
    if changed != 1:
        return None
    log.warning("job %s lost its worker; marked it failed", job_id)
    _clean_up(app, kind, row.params)
    return "failed"


def reap_stale_jobs(app: Flask) -> Reaped:
    """Find running jobs whose heartbeat is older than ``JOBS_STALE_SECONDS`` and give up on
    each (see :func:`give_up`). Runs every minute in the workers and when a worker starts."""
    engine = db.database(app).engine
    cutoff = utcnow() - timedelta(seconds=int(app.config["JOBS_STALE_SECONDS"]))
    with engine.connect() as connection:
        stale = connection.execute(
            select(Job.id, Job.attempts).where(Job.status == "running", Job.heartbeat_at < cutoff)
        ).all()
    failed, requeued = [], []
    for job_id, attempt in stale:
        try:
            outcome = give_up(app, job_id, attempt, stale_before=cutoff)
        except OperationalError as error:  # SQLite busy with the job's own writes: next time
            log.info("could not reap job %s yet: %s", job_id, error)
            continue
        if outcome == "failed":
            failed.append(job_id)
        elif outcome == "queued":
            requeued.append(job_id)
    return Reaped(tuple(failed), tuple(requeued))
