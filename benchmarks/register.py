"""Benchmark the people register: import and export 100,000 members as CSV, refuse a file of
a million bad lines, and the register list page filtered on two dimensions.

    DATABASE_URL=postgresql+psycopg://user@host/db python benchmarks/register.py \
        [--members N] [--seed S]

Without DATABASE_URL it uses a temporary SQLite file. The database is migrated to the latest
schema and its members are deleted first, so do not point it at a register you need.

Times are wall-clock, with this process's CPU time beside them; on PostgreSQL on this machine
the import's server process's CPU time is shown too. The import time includes the VACUUM
ANALYZE that a large import runs on PostgreSQL, and the list page is timed after it. The
refusal's peak memory is what tracemalloc sees Python allocate while previewing the file
(timed in a second run, as tracing slows it down).
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask  # noqa: E402
from sqlalchemy import delete, text  # noqa: E402

from panels import create_app, db, migrate  # noqa: E402
from panels.register.member_csv import (  # noqa: E402
    CONSENT_COLUMNS,
    REGISTER_TABLES,
    columns,
    export_members,
    import_members,
    preview_import,
)
from panels.register.taxonomy import Taxonomy, load_taxonomy, sync_taxonomy  # noqa: E402
from panels.uow import Actor  # noqa: E402

FIRST_NAMES = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mohammed",
    "Noah",
    "Oliver",
    "George",
    "Leo",
    "Priya",
    "Aisha",
    "Chen",
    "Kwame",
    "Siobhan",
    "Dylan",
    "Margaret",
    "David",
    "Fatima",
]
LAST_NAMES = [
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Khan",
    "Patel",
    "Begum",
    "Ali",
    "Wilson",
    "Okafor",
    "Murphy",
    "Nowak",
    "Wright",
    "Hughes",
    "Chen",
]
POSTCODES = [
    "SW1A 1AA",
    "M1 1AE",
    "B33 8TH",
    "CR2 6XH",
    "LS1 4AP",
    "DN55 1PT",
    "EH1 1YZ",
    "BS1 5TR",
    "L1 8JQ",
    "NE1 7RU",
    "CF10 1EP",
    "G2 1DY",
]
# Rough shares from Census 2021 (England and Wales), in the taxonomy's category order;
# a small "prefer not to say" share is added to each.
SHARES: dict[str, list[float]] = {
    "sex": [51, 49],
    "gender_identity": [99.5, 0.5],
    "ethnicity": [
        3.1,
        2.7,
        1.1,
        0.7,
        1.6,
        2.5,
        1.0,
        0.5,
        0.8,
        0.3,
        0.8,
        0.6,
        74.4,
        0.9,
        0.1,
        0.2,
        6.2,
        0.6,
        1.6,
    ],
    "sexual_orientation": [89.4, 1.5, 1.3, 0.3],
    "religion": [37.2, 46.3, 0.5, 1.7, 0.5, 6.5, 0.9, 0.6],
    "disability": [7.5, 10.0, 82.5],
    "unpaid_carer": [91.1, 4.4, 1.8, 2.7],
    "support_reason": [35, 8, 12, 10, 20, 10, 5],
}
PREFER_NOT_TO_SAY = 0.03
CONSENT_RATES = {
    "consent_contact": 0.95,
    "consent_selection": 0.85,
    "consent_statistics": 0.9,
    "consent_access_needs": 0.4,
}
NEEDS = ["easy_read", "large_print", "bsl", "hearing_loop", "step_free", "breaks", "quiet_space"]


def _choose(rng: np.random.Generator, dimension, shares: list[float]) -> str:
    codes = [c.code for c in dimension.categories if not c.prefer_not_to_say]
    if rng.random() < PREFER_NOT_TO_SAY or len(shares) != len(codes):
        return (
            "prefer_not_to_say"
            if rng.random() < PREFER_NOT_TO_SAY or not codes
            else str(rng.choice(codes))
        )
    weights = np.asarray(shares, dtype=float)
    return codes[int(rng.choice(len(codes), p=weights / weights.sum()))]


def synthetic_csv(taxonomy: Taxonomy, n: int, seed: int, today: date | None = None) -> bytes:
    """A file of ``n`` plausible members in the import format, the same for the same seed."""
    import csv

    rng = np.random.default_rng(seed)
    today = today or date(2026, 1, 1)
    header = columns(taxonomy)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    impairments = [
        c.code for c in taxonomy["impairment_type"].categories if not c.prefer_not_to_say
    ]
    for i in range(n):
        row = dict.fromkeys(header, "")
        row.update(
            email=f"member{i:06d}@example.org",
            first_name=FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))],
            last_name=LAST_NAMES[int(rng.integers(len(LAST_NAMES)))],
            date_of_birth=(
                today - timedelta(days=int(rng.integers(19 * 366, 95 * 365)))
            ).isoformat(),
            postcode=POSTCODES[int(rng.integers(len(POSTCODES)))],
            status="active" if rng.random() < 0.9 else "paused",
            joined_via=str(rng.choice(["self", "staff", "partner"])),
            preferred_contact=str(rng.choice(["email", "phone", "text", "post"])),
        )
        for column, rate in CONSENT_RATES.items():
            row[column] = "yes" if rng.random() < rate else "no"
        for key, shares in SHARES.items():
            if key in row:
                row[key] = _choose(rng, taxonomy[key], shares)
        if row.get("disability") in ("Limited a lot", "Limited a little"):
            count = int(rng.integers(1, 4))
            row["impairment_type"] = ";".join(
                sorted(rng.choice(impairments, size=count, replace=False))
            )
        if row["consent_access_needs"] == "yes" and rng.random() < 0.5:
            row["access_needs"] = ";".join(
                rng.choice(NEEDS, size=int(rng.integers(1, 3)), replace=False)
            )
        writer.writerow([row[name] for name in header])
    assert set(CONSENT_COLUMNS) <= set(header)
    return out.getvalue().encode("utf-8")


BENCHMARK = Actor.command_line()


def empty_register(app) -> None:
    """Migrate the database and delete every member (and their answers, needs and consent).

    PostgreSQL truncates, so that dead rows from earlier runs (kept when autovacuum is off)
    do not slow the next one down."""
    migrate.upgrade("head", app=app)
    with app.app_context(), db.open_unit_of_work(BENCHMARK, app) as uow:
        sync_taxonomy(uow)
        with uow:
            session = uow.session
            if session.get_bind().dialect.name == "postgresql":
                names = ", ".join(model.__tablename__ for model in REGISTER_TABLES)
                session.execute(text(f"TRUNCATE {names} CASCADE"))  # projects refer to members
            else:
                for model in reversed(REGISTER_TABLES):  # children first
                    session.execute(delete(model))


def _server_process(session) -> Path | None:
    """The /proc stat file of the PostgreSQL process serving ``session`` (which then stays on
    that connection until it commits), when the server runs on this machine; else None."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    stat = Path(f"/proc/{session.scalar(text('SELECT pg_backend_pid()'))}/stat")
    return stat if stat.exists() else None


def _cpu_seconds(stat: Path) -> float:
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def build_register(app, n: int = 100_000, seed: int = 2026) -> tuple[float, float, float | None]:
    """Empty the register and import ``n`` synthetic members into it.

    Returns the import's wall-clock seconds, this process's CPU seconds and the database
    server process's CPU seconds (None when it cannot be read)."""
    empty_register(app)
    with app.app_context(), db.open_unit_of_work(BENCHMARK, app) as uow:
        content = synthetic_csv(load_taxonomy(uow.session), n, seed)
    with app.app_context(), db.open_unit_of_work(BENCHMARK, app) as uow:
        stat = _server_process(uow.session)  # the import runs in this session's transaction
        server = _cpu_seconds(stat) if stat else None
        started, cpu = time.perf_counter(), time.process_time()
        result = import_members(uow, content, f"synthetic-{n}-{seed}.csv")
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        server = _cpu_seconds(stat) - server if stat and server is not None else None
    assert result.created == n, result
    return elapsed, cpu, server


def time_export(app) -> tuple[float, float, int]:
    """Wall-clock and CPU seconds to export the whole register to a temporary file, and its size."""
    with (
        app.app_context(),
        db.open_unit_of_work(BENCHMARK, app) as uow,
        tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as out,
    ):
        started, cpu = time.perf_counter(), time.process_time()
        export_members(uow, out, "benchmark")
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        return elapsed, cpu, out.tell()


def time_refusal(app, folder: str, lines: int = 1_000_000) -> tuple[float, float, int, int, object]:
    """Wall-clock and CPU seconds, and peak Python memory in bytes, to preview (and so refuse)
    a file of ``lines`` bad lines; the file's size; and the plan."""
    path = Path(folder) / "bad-lines.csv"
    with app.app_context(), db.open_unit_of_work(BENCHMARK, app) as uow:
        header = ",".join(columns(load_taxonomy(uow.session)))
    with path.open("wb") as out:
        out.write(header.encode() + b"\n" + b"x\n" * lines)
    with app.app_context(), db.open_unit_of_work(BENCHMARK, app) as uow:
        started, cpu = time.perf_counter(), time.process_time()
        plan = preview_import(uow, path, update=False)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    with app.app_context(), db.open_unit_of_work(BENCHMARK, app) as uow:
        tracemalloc.start()
        try:
            preview_import(uow, path, update=False)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert plan.problems, "the bad file was not refused"
    return elapsed, cpu, peak, path.stat().st_size, plan


LIST_QUERIES = [
    "f_ethnicity_5=Black&f_age_band=25-34",
    "f_ethnicity_5=Asian&f_sex=Female",
    "f_disability=Limited+a+lot&f_age_band=75-84",
    "f_support_reason=Learning+disability&f_unpaid_carer=Provides+no+unpaid+care",
    "f_religion=Muslim&f_age_band=18-24&sort=-panels",
    "f_ethnicity=Caribbean&f_sex=Male&page=3",
]


def time_list_page(app, requests: int = 120) -> tuple[float, float, float, int]:
    """Median and 95th-percentile seconds of the register list filtered on two dimensions,
    through the whole application (routing, sign-in session, query, template, audit), and
    this process's mean CPU seconds a request."""
    from panels.auth.service import create_user

    password = secrets.token_urlsafe(16)
    email = f"bench-lead-{secrets.token_hex(4)}@benchmark.example"
    with app.app_context(), db.open_unit_of_work(BENCHMARK, app) as uow:
        create_user(uow, email, "lead", password)
    client = app.test_client()
    client.post("/auth/sign-in", data={"email": email, "password": password})
    times = []
    cpu = 0.0
    for i in range(requests + len(LIST_QUERIES)):
        url = "/register/?" + LIST_QUERIES[i % len(LIST_QUERIES)]
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        elapsed, used = time.perf_counter() - started, time.process_time() - started_cpu
        assert response.status_code == 200, (url, response.status_code)
        if i >= len(LIST_QUERIES):  # the first round warms caches
            times.append(elapsed)
            cpu += used
    return float(np.median(times)), float(np.percentile(times, 95)), cpu / len(times), len(times)


def benchmark_app(folder: str) -> Flask:
    """The app on ``$DATABASE_URL`` (or a SQLite file in ``folder``), set up so the test
    client can sign a lead in with a password alone."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(folder) / 'bench.sqlite'}"
    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(48),
            "INSTANCE_PATH": folder,
            "WTF_CSRF_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            "PANELS_BASE_URL": "https://panels.benchmark.example",
            "PANELS_TRUSTED_HOSTS": ("localhost",),  # the test client's host
            "TWO_FACTOR_REQUIRED_ROLES": (),  # the lead signs in with a password alone
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = benchmark_app(folder)
        backend = db.database(app).engine.dialect.name
        imported, import_cpu, server_cpu = build_register(app, args.members, args.seed)
        exported, export_cpu, size = time_export(app)
        refused, refuse_cpu, refuse_peak, bad_size, bad_plan = time_refusal(app, folder)
        median, p95, list_cpu, count = time_list_page(app)
        print(f"database: {backend}")
        server = "" if server_cpu is None else f", {server_cpu:.1f} s CPU in the database server"
        print(
            f"import {args.members:,} members: {imported:.1f} s "
            f"({import_cpu:.1f} s CPU in Python{server})"
        )
        print(
            f"export {args.members:,} members: {exported:.1f} s ({export_cpu:.1f} s CPU in Python, "
            f"{size / 1e6:.1f} MB)"
        )
        print(
            f"refuse a file of 1,000,000 bad lines ({bad_size / 1e6:.1f} MB): {refused:.2f} s "
            f"({refuse_cpu:.2f} s CPU in Python), peak {refuse_peak / 2**20:.1f} MiB of Python "
            f"memory; the file has {bad_plan.problems_found}"  # type: ignore[attr-defined]
        )
        print(
            f"register list filtered on two dimensions ({count} requests): "
            f"median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms "
            f"({list_cpu * 1000:.0f} ms CPU in Python a request)"
        )
        db.database(app).dispose()


if __name__ == "__main__":
    main()
