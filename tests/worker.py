"""A real background worker for tests: `panels worker` in a process of its own, on the
test app's database and queue, and a way to follow a job through its JSON endpoint."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
"""The Redis database the queue tests use (and flush); CI starts redis-server."""


def require_redis(url: str = REDIS_URL) -> str:
    """The Redis URL, emptied, or a test failure saying how to start Redis (never a skip)."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        pytest.fail(
            f"Redis is not reachable at {url} ({error}). The job queue tests run on Redis as "
            "well as SQLite and never skip: start it with `redis-server --daemonize yes` "
            "(.ci/run does) or set TEST_REDIS_URL to a Redis database the tests may empty."
        )
    client.flushdb()
    client.close()
    return url


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the worker and every process it started, as a crashed machine would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop it as a service manager would (SIGTERM); then make sure that none of its
        processes outlives the test (a worker stopped while starting leaves its children)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=15)
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@contextmanager
def running_worker(app, log_dir: Path, processes: int = 1) -> Iterator[Worker]:
    """`panels worker` for ``app``'s database, instance folder, queue and stale threshold."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FLASK_", "JOBS_", "DATABASE_", "PANELS_"))
    }
    env.update(
        DATABASE_URL=app.config["DATABASE_URL"],
        SECRET_KEY=app.config["SECRET_KEY"],
        PANELS_INSTANCE_PATH=app.instance_path,
        JOBS_URL=app.config["JOBS_URL"],
        JOBS_STALE_SECONDS=str(app.config["JOBS_STALE_SECONDS"]),
        # The worker runs as in production (not in testing mode), where the base URL must be
        # https; the test app's is http://localhost, so the worker gets its https twin.
        PANELS_BASE_URL=app.config["PANELS_BASE_URL"].replace("http://", "https://", 1),
    )
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"worker-{time.monotonic_ns()}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "panels", "worker", "--processes", str(processes)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = Worker(process, log)
    try:
        yield worker
    finally:
        worker.stop()


def follow_job(
    client, job_id: int, until=("succeeded", "failed"), timeout: float = 60, worker=None
) -> dict:
    """Poll the job's JSON (as its page's script does) until its status is one of ``until``."""
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        response = client.get(f"/jobs/{job_id}.json")
        assert response.status_code == 200, response.get_data(as_text=True)
        seen = response.get_json()
        if seen["status"] in until:
            return seen
        time.sleep(0.2)
    log = f"\nworker output:\n{worker.output()}" if worker is not None else ""
    raise AssertionError(
        f"job {job_id} did not reach {until} in {timeout} s; last seen: {seen}{log}"
    )


def job_id_of(location: str) -> int:
    """The job id in a redirect to its page, /jobs/<id>."""
    assert location.startswith("/jobs/"), location
    return int(location.rsplit("/", 1)[1])
