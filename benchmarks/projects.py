"""Benchmark a project's pages on a large register: the project page with its panel's gap
analysis, and the eligible pool's count and gaps (``service.pool_view``).

    DATABASE_URL=postgresql+psycopg://user@host/db python benchmarks/projects.py [--members N]

Without DATABASE_URL it uses a temporary SQLite file. Like ``benchmarks/register.py`` (whose
``build_register`` makes the register) it migrates the database and deletes its members and
projects first, so do not point it at data you need.

The project's target is England and Wales (Census 2021) on sex, age band, ethnic group
(5 groups) and religion; its panel has 30 seats, built by hand from the eligible pool
(the page's work is the same for a drawn panel). Targets: project page p95 < 200 ms and
pool view p95 < 300 ms on PostgreSQL with 100,000 members. The eligibility page, which
shows the pool view, is timed too, and the load average is printed beside the times, as
this machine is shared.

``--reuse-register`` keeps a register of exactly ``--members`` members from an earlier run
instead of importing it again (the import takes minutes at 100,000).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, func, select  # noqa: E402
from sqlalchemy.exc import DatabaseError  # noqa: E402

from benchmarks.register import BENCHMARK, benchmark_app, build_register  # noqa: E402
from models import Member, Project  # noqa: E402
from panels import db  # noqa: E402
from panels.projects import service, shortlist  # noqa: E402
from panels.projects.pool import eligible_query  # noqa: E402
from panels.register.taxonomy import load_taxonomy  # noqa: E402

DIMENSIONS = ["sex", "age_band", "ethnicity_5", "religion"]
SEATS = 30


def register_size(app) -> int | None:
    """How many members the database holds, or None before it is migrated."""
    try:
        with app.app_context(), db.open_unit_of_work(BENCHMARK, app) as uow:
            return uow.session.scalar(select(func.count()).select_from(Member))
    except DatabaseError:
        return None


def make_project(app, seed: int) -> int:
    """A project with a target, an open pool and a 30-seat panel chosen at random from it."""
    with app.app_context(), db.open_unit_of_work(BENCHMARK, app) as uow:
        with uow:
            uow.session.execute(delete(Project))
        project = service.create_project(
            uow,
            service.ProjectInput(
                title="Benchmark project",
                purpose="Measure the project page on a large register",
                level="strategic",
            ),
        )
        service.set_builtin_target(uow, project.id, "england-and-wales")
        service.choose_dimensions(uow, project.id, DIMENSIONS)
        service.set_eligibility(uow, project.id, {})
        service.propose_quotas(uow, project.id, panel_size=SEATS, tolerance=1)
        project = service.get_project(uow, project.id)
        taxonomy = load_taxonomy(uow.session)
        pool = list(uow.session.scalars(eligible_query(project, taxonomy, date.today())))
        rng = np.random.default_rng(seed)
        for member_id in rng.choice(pool, size=SEATS, replace=False):
            shortlist.add_to_shortlist(uow, project.id, int(member_id))
        return project.id


def time_pages(
    app, url: str, requests: int, expect: bytes = b"How well the panel reflects the population"
) -> tuple[float, float]:
    """Median and 95th-percentile seconds of GET ``url``, signed in as a lead (one warm-up)."""
    from panels.auth.service import create_user

    password = secrets.token_urlsafe(16)
    email = f"bench-lead-{secrets.token_hex(4)}@benchmark.example"
    with app.app_context(), db.open_unit_of_work(BENCHMARK, app) as uow:
        create_user(uow, email, "lead", password)
    client = app.test_client()
    client.post("/auth/sign-in", data={"email": email, "password": password})
    times = []
    for i in range(requests + 1):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, (url, response.status_code)
        assert expect in response.data, url
        if i:
            times.append(elapsed)
    return float(np.median(times)), float(np.percentile(times, 95))


def time_pool_view(app, project_id: int, runs: int) -> tuple[float, float, int, int]:
    """Median and p95 seconds of ``service.pool_view``; the pool's size and dimensions."""
    times = []
    view = None
    for i in range(runs + 1):
        with app.app_context(), db.open_unit_of_work(BENCHMARK, app) as uow:
            started = time.perf_counter()
            view = service.pool_view(uow, project_id)
            elapsed = time.perf_counter() - started
        if i:
            times.append(elapsed)
    assert view is not None
    return (
        float(np.median(times)),
        float(np.percentile(times, 95)),
        view.size,
        len(view.summaries),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--pool-runs", type=int, default=20)
    parser.add_argument(
        "--reuse-register",
        action="store_true",
        help="keep the register if it already has exactly --members members (to time again)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = benchmark_app(folder)
        backend = db.database(app).engine.dialect.name
        if args.reuse_register and register_size(app) == args.members:
            imported = None
        else:
            imported, _cpu, _server = build_register(app, args.members, args.seed)
        project_id = make_project(app, args.seed)
        with app.app_context(), db.open_unit_of_work(BENCHMARK, app) as uow:
            assert uow.session.scalar(select(Project.id)) == project_id
        page_median, page_p95 = time_pages(app, f"/projects/{project_id}", args.requests)
        rep_median, rep_p95 = time_pages(
            app, f"/projects/{project_id}/representativeness", args.requests
        )
        eligibility_median, eligibility_p95 = time_pages(
            app, f"/projects/{project_id}/eligibility", args.requests, b"Who is eligible"
        )
        pool_median, pool_p95, pool_size, dimensions = time_pool_view(
            app, project_id, args.pool_runs
        )
        built = "kept from the last run" if imported is None else f"imported in {imported:.0f} s"
        print(f"database: {backend}; register of {args.members:,} members ({built})")
        print(
            f"project page with a {SEATS}-seat panel's gap analysis ({args.requests} requests): "
            f"median {page_median * 1000:.0f} ms, p95 {page_p95 * 1000:.0f} ms (target < 200 ms)"
        )
        print(
            f"representativeness page ({args.requests} requests): "
            f"median {rep_median * 1000:.0f} ms, p95 {rep_p95 * 1000:.0f} ms"
        )
        print(
            f"eligible pool's count and gaps, {pool_size:,} people on {dimensions} "
            f"characteristics ({args.pool_runs} runs): median {pool_median * 1000:.0f} ms, "
            f"p95 {pool_p95 * 1000:.0f} ms (target < 300 ms)"
        )
        print(
            f"eligibility page ({args.requests} requests): median "
            f"{eligibility_median * 1000:.0f} ms, p95 {eligibility_p95 * 1000:.0f} ms"
        )
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"load average at the end (1, 5, 15 minutes): {load} on {os.cpu_count()} CPUs")
        db.database(app).dispose()


if __name__ == "__main__":
    main()
