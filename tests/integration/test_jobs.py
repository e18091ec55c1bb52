"""Background jobs run by a real `panels worker` on the SQLite queue and on Redis: the
import through the upload page, progress read through the job's page, a worker killed with
SIGKILL mid-job, a job delivered twice, and who may see a job."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import Job, Member
from panels.config import ConfigurationError
from panels.jobs.check import CHECK_KIND
from panels.jobs.kinds import INTERRUPTED
from panels.jobs.queue import queue_for
from panels.jobs.service import NOT_QUEUED, start_job
from panels.uow import Actor
from tests.conftest import TEST_PASSWORD, make_test_app
from tests.worker import follow_job, job_id_of, require_redis, running_worker

HEADER = (
    "email,first_name,last_name,date_of_birth,postcode,ethnicity,"
    "consent_contact,consent_selection,consent_statistics,consent_access_needs"
)
ROWS = [
    "ann@example.org,Ann,Smith,1970-01-31,SW1A 1AA,British,yes,yes,yes,no",
    "bob@example.org,Bob,Jones,1985-06-15,M1 1AE,indian,yes,no,no,no",
]
STALE_SECONDS = 2


@pytest.fixture(params=["sqlite", "redis"])
def queue_app(request, migrated_database, tmp_path):
    """The app with its job queue on SQLite (the embedded default) or on Redis."""
    jobs_url = "" if request.param == "sqlite" else require_redis()
    app = make_test_app(
        migrated_database,
        str(tmp_path / "instance"),
        JOBS_URL=jobs_url,
        JOBS_STALE_SECONDS=STALE_SECONDS,
    )
    yield app
    from panels.db import database
    from tests.conftest import _empty_tables

    database(app).dispose()
    _empty_tables(migrated_database)


def signed_in_client(app, user):
    client = app.test_client()
    response = client.post("/auth/sign-in", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def make_account(app, role: str, email: str):
    from panels.auth.service import create_user
    from panels.db import open_unit_of_work

    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        return create_user(uow, email, role, TEST_PASSWORD)


def start_check(app, seconds: int, user=None, repeatable: bool | None = None) -> int:
    from panels.db import open_unit_of_work

    actor = Actor.for_user(user) if user is not None else Actor.command_line()
    with app.app_context(), open_unit_of_work(actor, app) as uow:
        return start_job(uow, CHECK_KIND, {"seconds": seconds}, repeatable=repeatable).id


def job_row(app, job_id: int) -> Job:
    from panels.db import open_unit_of_work

    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        job = uow.session.get(Job, job_id)
        uow.session.expunge(job)
        return job


def upload_and_confirm(client, content: str):
    preview = client.post(
        "/register/import",
        data={"file": (io.BytesIO(content.encode()), "members.csv"), "mode": "add"},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', preview).group(1)
    return client.post("/register/import/confirm", data={"token": token})


def test_an_import_through_the_web_runs_as_a_job_with_a_progress_bar(queue_app, tmp_path):
    lead = make_account(queue_app, "lead", "lead@jobs.example")
    client = signed_in_client(queue_app, lead)
    confirmed = upload_and_confirm(client, "\n".join([HEADER, *ROWS]) + "\n")
    assert confirmed.status_code == 302
    job_id = job_id_of(confirmed.headers["Location"])

    # No worker yet: the page says the job is waiting, with a bar and a button to check.
    waiting = client.get(f"/jobs/{job_id}")
    page = waiting.get_data(as_text=True)
    assert waiting.status_code == 200
    assert "<title>Import members: waiting to start" in page
    assert re.search(r'<progress id="job-progress"[^>]*>0 of 0</progress>', page)
    assert re.search(r'aria-live="polite"[^>]*>Waiting for a background worker', page)
    assert ">Check progress</button>" in page
    assert 'http-equiv="refresh"' not in page.lower()
    assert "<script>" not in page and "<style" not in page
    assert "script-src 'self'" in waiting.headers["Content-Security-Policy"]

    with running_worker(queue_app, tmp_path / "logs") as worker:
        finished = follow_job(client, job_id, worker=worker)
    assert finished["status"] == "succeeded", finished
    assert finished["done"] == finished["total"] == 2
    assert finished["result"] == {
        "summary": "Imported 2 members from members.csv: 2 added, 0 updated.",
        "url": "/register/",
        "link_text": "Go to the people register",
    }
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "govuk-notification-banner--success" in page
    assert re.search(r'<a [^>]*href="/register/"[^>]*>Go to the people register</a>', page)
    assert ">Check progress</button>" in page  # kept, but hidden
    assert re.search(r"<form [^>]*data-job-check hidden", page)
    from panels import db

    with queue_app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Member)) == 2
    assert list((Path(queue_app.instance_path) / "imports").iterdir()) == []


def test_a_worker_killed_mid_job_leaves_the_job_failed_not_running(queue_app, tmp_path):
    lead = make_account(queue_app, "lead", "lead@jobs.example")
    client = signed_in_client(queue_app, lead)
    job_id = start_check(queue_app, 60, user=lead, repeatable=False)

    with running_worker(queue_app, tmp_path / "logs") as worker:
        running = follow_job(client, job_id, until=("running",), worker=worker, timeout=30)
        deadline = time.monotonic() + 20
        while running["done"] < 1 and time.monotonic() < deadline:
            time.sleep(0.2)
            running = client.get(f"/jobs/{job_id}.json").get_json()
        # Progress written in its own transaction shows while the job's own is still open.
        assert running["status_line"].startswith("Waiting: "), running
        assert re.search(r"of 60\.$", running["status_line"]), running
        worker.kill()

    time.sleep(STALE_SECONDS + 1)
    stalled = client.get(f"/jobs/{job_id}.json").get_json()
    assert stalled["status"] == "running" and stalled["stalled"] is True
    assert "has not reported for a while" in stalled["status_line"]

    # The next worker to start reaps it: a job that is not safe to repeat is failed, not rerun.
    with running_worker(queue_app, tmp_path / "logs") as worker:
        failed = follow_job(client, job_id, until=("failed", "succeeded", "queued"), worker=worker)
    assert failed["status"] == "failed"
    assert failed["error"] == INTERRUPTED
    assert job_row(queue_app, job_id).attempts == 1
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Check the background workers did not finish" in page
    assert "Start it again" in page


def test_a_job_delivered_twice_runs_once(queue_app, tmp_path):
    job_id = start_check(queue_app, 0)
    queue = queue_for(queue_app.config)
    queue.enqueue(job_id)
    queue.enqueue(job_id)
    admin = make_account(queue_app, "admin", "admin@jobs.example")
    client = signed_in_client(queue_app, admin)
    with running_worker(queue_app, tmp_path / "logs") as worker:
        assert follow_job(client, job_id, worker=worker)["status"] == "succeeded"
        deadline = time.monotonic() + 20
        while worker.output().count("is not waiting to run") < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert worker.output().count("is not waiting to run") == 2, worker.output()
    assert job_row(queue_app, job_id).attempts == 1


def test_a_repeatable_job_whose_worker_died_runs_again(app, client, make_user, tmp_path):
    app.config["JOBS_STALE_SECONDS"] = STALE_SECONDS
    lead = make_user("lead")
    client.post("/auth/sign-in", data={"email": lead.email, "password": TEST_PASSWORD})
    job_id = start_check(app, 3, user=lead, repeatable=True)
    with running_worker(app, tmp_path / "logs") as worker:
        follow_job(client, job_id, until=("running",), worker=worker)
        worker.kill()
    time.sleep(STALE_SECONDS + 1)
    with running_worker(app, tmp_path / "logs") as worker:
        finished = follow_job(client, job_id, worker=worker)
    assert finished["status"] == "succeeded"
    assert job_row(app, job_id).attempts == 2


def test_an_import_refused_by_the_job_says_what_went_wrong(
    app, client, make_user, make_member, sign_in, worker
):
    sign_in(make_user("lead"))
    preview = client.post(
        "/register/import",
        data={
            "file": (io.BytesIO(("\n".join([HEADER, *ROWS]) + "\n").encode()), "m.csv"),
            "mode": "add",
        },
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', preview).group(1)
    # Someone adds Ann between the preview and the confirmation.
    make_member(email="ann@example.org")
    confirmed = client.post("/register/import/confirm", data={"token": token})
    job = follow_job(client, job_id_of(confirmed.headers["Location"]), worker=worker)
    assert job["status"] == "failed"
    assert job["error"].startswith("Nothing was imported: the file has 1 problem in 1 row,")
    assert "row 2, email:" in job["error"] and "Upload m.csv again" in job["error"]
    page = client.get(confirmed.headers["Location"]).get_data(as_text=True)
    assert "Import members did not finish" in page and "Upload m.csv again" in page
    assert list((Path(app.instance_path) / "imports").iterdir()) == []
    # The same preview cannot start a second job.
    assert client.post("/register/import/confirm", data={"token": token}).status_code == 400


def test_only_whoever_started_a_job_or_an_admin_sees_it(app, make_user):
    starter, other, admin = make_user("lead"), make_user("lead"), make_user("admin")
    job_id = start_check(app, 0, user=starter)
    for user, status in ((starter, 200), (other, 404), (admin, 200), (make_user("member"), 404)):
        client = signed_in_client(app, user)
        assert client.get(f"/jobs/{job_id}").status_code == status, user.role
        assert client.get(f"/jobs/{job_id}.json").status_code == status, user.role
    assert app.test_client().get(f"/jobs/{job_id}.json").status_code == 302


def test_a_job_the_queue_cannot_take_is_marked_failed(migrated_database, tmp_path):
    app = make_test_app(
        migrated_database, str(tmp_path / "instance"), JOBS_URL="redis://127.0.0.1:1/0"
    )
    try:
        job_id = start_check(app, 0)
        job = job_row(app, job_id)
        assert (job.status, job.error) == ("failed", NOT_QUEUED)
    finally:
        from panels.db import database
        from tests.conftest import _empty_tables

        database(app).dispose()
        _empty_tables(migrated_database)


def test_jobs_check_command_waits_for_a_worker(app, runner, worker):
    result = runner.invoke(args=["jobs", "check", "--seconds", "1"])
    assert result.exit_code == 0, result.output + worker.output()
    assert "Finished. A background worker ran this check for 1 second:" in result.output


def test_a_bad_jobs_url_is_named(tmp_path, migrated_database):
    with pytest.raises(ConfigurationError, match="JOBS_URL='amqp://x' is not a queue"):
        make_test_app(migrated_database, str(tmp_path), JOBS_URL="amqp://x")
