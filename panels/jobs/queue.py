"""The queue that carries job ids to the workers: Huey, on SQLite or Redis.

``JOBS_URL`` unset gives the embedded queue, a ``SqliteHuey`` in ``<instance>/jobs.sqlite3``
(one machine); ``redis://...`` gives a ``RedisHuey`` shared by workers on several machines.
The same two tasks run on both: ``run_job(job_id)`` and the periodic ``reap_jobs``. Huey
does the queueing, the scheduling and the worker processes; the app's ``jobs`` table holds
everything about a job, so the queue carries nothing but its id.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey, crontab

log = logging.getLogger(__name__)

QUEUE_NAME = "panels"
SQLITE_FILE = "jobs.sqlite3"


def build_huey(settings: Mapping[str, Any]) -> Huey:
    """The Huey instance ``JOBS_URL`` names (validated at start-up by :mod:`panels.config`)."""
    url = str(settings.get("JOBS_URL") or "")
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(QUEUE_NAME, url=url, results=False)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
    else:
        path = Path(settings["INSTANCE_PATH"]) / SQLITE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(QUEUE_NAME, filename=str(path), results=False)


def describe(settings: Mapping[str, Any]) -> str:
    """Where the queue is, for log lines (without any password in the URL)."""
    url = str(settings.get("JOBS_URL") or "")
    if not url:
        return f"SQLite file {Path(settings['INSTANCE_PATH']) / SQLITE_FILE}"
    if "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
    return url


class JobQueue:
    """A Huey instance with our two tasks; a worker attaches its app to run them."""

    def __init__(self, huey: Huey) -> None:
        self.huey = huey
        self.app: Flask | None = None
        self._run = huey.task(name="run_job")(self._run_job)
        huey.periodic_task(crontab(minute="*"), name="reap_jobs")(self._reap_jobs)
        huey.on_startup(name="panels")(self._worker_process_started)

    def enqueue(self, job_id: int) -> None:
        """Hand a job to the workers (its row must be committed first)."""
        self._run(job_id)

    def attach(self, app: Flask) -> None:
        """Run tasks with this app (the worker's, made once by ``panels worker``)."""
        self.app = app

    def _require_app(self) -> Flask:
        if self.app is None:
            raise RuntimeError(
                "no app is attached to this queue; start workers with `panels worker`"
            )
        return self.app

    def _worker_process_started(self) -> None:
        # Each worker is a forked process: drop the database connections it inherited, so
        # it never shares a socket with its parent or its siblings.
        from panels.db import database

        database(self._require_app()).engine.dispose(close=False)

    def _run_job(self, job_id: int) -> None:
        from panels.jobs.runner import execute

        app = self._require_app()
        with app.app_context():
            execute(app, job_id)

    def _reap_jobs(self) -> None:
        from panels.jobs.runner import reap_stale_jobs

        app = self._require_app()
        with app.app_context():
            reap_stale_jobs(app)


_queues: dict[tuple[str, str], JobQueue] = {}
_lock = threading.Lock()


def queue_for(settings: Mapping[str, Any]) -> JobQueue:
    """The queue for these settings, made on first use and kept for the process."""
    key = (str(settings.get("JOBS_URL") or ""), str(settings["INSTANCE_PATH"]))
    with _lock:
        found = _queues.get(key)
        if found is None:
            found = _queues[key] = JobQueue(build_huey(settings))
        return found
