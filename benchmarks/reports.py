"""Benchmark the managers' cross-project overview on a large register.

    DATABASE_URL=postgresql+psycopg://user@host/db python benchmarks/reports.py \
        [--members N] [--projects P] [--requests R] [--reuse-register]

Without DATABASE_URL it uses a temporary SQLite file. Like ``benchmarks/projects.py`` it
migrates the database, deletes its projects (and, unless ``--reuse-register`` finds a
register of exactly ``--members``, its members) first, so do not point it at data you need.

Each project has Census 2021 (England and Wales) as its target on sex, age band, ethnic group
(5 groups) and religion, and a 30-seat panel chosen at random from the register by hand.
The overview page (``/reports/projects``) is then timed as a manager: every panel's gap
analysis on every characteristic, secondary suppression of each characteristic's table
(integer programmes), the chart and the tables. Target: under 2 s on PostgreSQL with
100,000 members. The load average is printed beside the times, as this machine is shared.
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

from sqlalchemy import delete  # noqa: E402

from benchmarks.projects import DIMENSIONS, SEATS, register_size  # noqa: E402
from benchmarks.register import BENCHMARK, benchmark_app, build_register  # noqa: E402
from models import Project  # noqa: E402
from panels import db  # noqa: E402
from panels.projects import service, shortlist  # noqa: E402
from panels.projects.pool import eligible_query  # noqa: E402
from panels.register.taxonomy import load_taxonomy  # noqa: E402

LEVELS = ("individual", "operational", "strategic")


def make_projects(app, count: int, seed: int) -> None:
    """``count`` projects with a target and a 30-seat panel each, drawn at random by hand."""
    rng = np.random.default_rng(seed)
    with app.app_context(), db.open_unit_of_work(BENCHMARK, app) as uow:
        with uow:
            uow.session.execute(delete(Project))
        pool: list[int] | None = None
        for n in range(count):
            project = service.create_project(
                uow,
                service.ProjectInput(
                    title=f"Benchmark project {n + 1:02d}",
                    purpose="Measure the reports on a large register",
                    level=LEVELS[n % len(LEVELS)],
                ),
            )
            service.set_builtin_target(uow, project.id, "england-and-wales")
            service.choose_dimensions(uow, project.id, DIMENSIONS)
            service.set_eligibility(uow, project.id, {})
            if pool is None:  # everyone eligible: the same pool for every project
                found = service.get_project(uow, project.id)
                taxonomy = load_taxonomy(uow.session)
                pool = list(uow.session.scalars(eligible_query(found, taxonomy, date.today())))
            for member_id in rng.choice(pool, size=SEATS, replace=False):
                shortlist.add_to_shortlist(uow, project.id, int(member_id))


def time_overview(app, requests: int) -> tuple[float, float]:
    """Median and 95th-percentile seconds of GET /reports/projects as a manager (one warm-up)."""
    from panels.auth.service import create_user

    password = secrets.token_urlsafe(16)
    email = f"bench-manager-{secrets.token_hex(4)}@benchmark.example"
    with app.app_context(), db.open_unit_of_work(BENCHMARK, app) as uow:
        create_user(uow, email, "manager", password)
    client = app.test_client()
    client.post("/auth/sign-in", data={"email": email, "password": password})
    times = []
    for i in range(requests + 1):
        started = time.perf_counter()
        response = client.get("/reports/projects")
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        assert b"Where panels miss people" in response.data
        if i:
            times.append(elapsed)
    return float(np.median(times)), float(np.percentile(times, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--requests", type=int, default=30)
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
        started = time.perf_counter()
        make_projects(app, args.projects, args.seed)
        made = time.perf_counter() - started
        median, p95 = time_overview(app, args.requests)
        built = "kept from the last run" if imported is None else f"imported in {imported:.0f} s"
        print(f"database: {backend}; register of {args.members:,} members ({built})")
        print(
            f"{args.projects} projects with {SEATS}-seat panels on {len(DIMENSIONS)} "
            f"characteristics (made in {made:.0f} s), {date.today()}"
        )
        print(
            f"cross-project overview ({args.requests} requests): median {median * 1000:.0f} ms, "
            f"p95 {p95 * 1000:.0f} ms (target < 2000 ms)"
        )
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"load average at the end (1, 5, 15 minutes): {load} on {os.cpu_count()} CPUs")
        db.database(app).dispose()


if __name__ == "__main__":
    main()
