"""The register against a target population (built-in Census 2021 figures), by
characteristic, by local area and by the quarter people joined.

The register's counts come from the answers members allow for statistics
(:func:`panels.register.queries.count_answers`); the target is mapped to the register's
categories as a project's target is (:func:`panels.projects.targets.map_target`). Every
published table goes through :func:`panels.suppression.protect_table`.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from models import Member
from panels.charts import Bar, BarChart
from panels.errors import InvalidInput
from panels.projects.pool import UNKNOWN
from panels.projects.targets import (
    MappedDimension,
    MappedTarget,
    map_target,
    read_population_file,
)
from panels.register.queries import answers_for, count_answers
from panels.register.taxonomy import Taxonomy, load_taxonomy
from panels.reports.participation import quarter
from panels.reports.tables import Report, ReportTable
from panels.suppression import ProtectedTable, Unprotectable, protect_table, threshold_of
from panels.uow import UnitOfWork
from representativeness import builtin_target, gap_analysis
from representativeness.target import BUILTIN_TARGETS

AREA_KEY = "local_area"
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Characteristic:
    """One characteristic of the register against the target."""

    key: str
    label: str
    labels: tuple[str, ...]
    """Category labels, then "No answer"."""
    target: tuple[float, ...]
    register: ProtectedTable
    """One row: the register's people per category and with no answer."""
    by_area: ProtectedTable | None
    areas: tuple[str, ...]
    by_quarter: ProtectedTable | None
    quarters: tuple[str, ...]
    verdict: str
    breakdown_labels: tuple[str, ...] = ()
    """The breakdowns' columns: the groups shown, then the hidden ones merged."""
    by_left: ProtectedTable | None = None
    left_quarters: tuple[str, ...] = ()
    left_labels: tuple[str, ...] = ()

    def chart(self) -> BarChart:
        cells = self.register.cells[0]
        known = [c.value for c in cells[:-1]]
        total = sum(v for v in known if v is not None) if None not in known else None
        bars = []
        for j, label in enumerate(self.labels[:-1]):
            cell = cells[j]
            share = cell.value / total if total and cell.value is not None else None
            bars.append(
                Bar(
                    label=label,
                    share=share,
                    target=self.target[j],
                    value_text=(f"Register {cell}" if share is None else f"Register {share:.0%}")
                    + f" · population {self.target[j]:.0%}",
                )
            )
        return BarChart(
            chart_id=f"chart-register-{self.key.replace('_', '-')}",
            title=f"{self.label}: the register's share of each group against the population",
            description=self.verdict,
            bars=tuple(bars),
            share_label="Register share",
            target_label="Population share",
        )


@dataclass(frozen=True)
class RegisterReport:
    target_name: str
    target_key: str
    members: int
    characteristics: tuple[Characteristic, ...]
    notes: tuple[str, ...]
    threshold: int

    def characteristic(self, key: str) -> Characteristic:
        from panels.errors import NotFound

        for found in self.characteristics:
            if found.key == key:
                return found
        valid = ", ".join(c.key for c in self.characteristics)
        raise NotFound(f"{key!r} is not a characteristic of this report; valid ones are: {valid}")


UPLOADED = re.compile(r"^upload-([0-9a-f]{32})$")
"""How a report names an uploaded target: ``upload-`` and the token of its stored file."""


def _uploads(settings: Mapping[str, Any]) -> Path:
    return Path(settings["INSTANCE_PATH"]) / "reports" / "targets"


def save_uploaded_target(
    uow: UnitOfWork, path: Path, kind: str, file_name: str, area: str = ""
) -> str:
    """Read an area's population (an ONS custom dataset or a tidy CSV, as a project's target
    is read), map it to the register's categories and keep it; returns its target name."""
    population = read_population_file(path, kind, file_name, area)
    with uow:
        mapped = map_target(population, load_taxonomy(uow.session))
    token = secrets.token_hex(16)
    folder = _uploads(uow.settings)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stored = {"name": mapped.name, "dimensions": mapped.as_json(), "notes": list(mapped.notes)}
    (folder / f"{token}.json").write_text(json.dumps(stored), encoding="utf-8")
    return f"upload-{token}"


def _mapped_target(uow: UnitOfWork, target: str, taxonomy: Taxonomy) -> MappedTarget:
    if target in BUILTIN_TARGETS:
        return map_target(builtin_target(target), taxonomy)
    match = UPLOADED.match(target)
    stored = _uploads(uow.settings) / f"{match.group(1)}.json" if match else None
    if stored is None or not stored.exists():
        raise InvalidInput(
            f"target {target!r} is not a built-in population ({', '.join(BUILTIN_TARGETS)}) "
            "or a file uploaded for this report; upload the area's file again"
        )
    data = json.loads(stored.read_text(encoding="utf-8"))
    return MappedTarget(
        name=data["name"],
        dimensions=tuple(
            MappedDimension(
                key=key,
                label=taxonomy[key].label,
                shares=value["categories"],
                source=value["source"],
                notes=tuple(value["notes"]),
            )
            for key, value in data["dimensions"].items()
        ),
        notes=tuple(data["notes"]),
    )


def register_against_population(
    uow: UnitOfWork,
    target: str = "england-and-wales",
    *,
    today: date | None = None,
    progress: Progress | None = None,
) -> RegisterReport:
    """The register (members who have not left and allow statistics) against ``target``: a
    built-in population's name or an uploaded one's (:func:`save_uploaded_target`)."""
    today = today or date.today()
    threshold = threshold_of(uow.settings)
    step = progress or (lambda done, total, phase: None)
    with uow:
        taxonomy = load_taxonomy(uow.session)
        mapped = _mapped_target(uow, target, taxonomy)
        keys = [d.key for d in mapped.dimensions]
        members = select(Member.id).where(Member.status != "left")
        step(0, 3, "Counting the register")
        counted = count_answers(
            uow.session, taxonomy, members, keys, purpose="statistics", today=today
        )
        step(1, 3, "Counting by local area and by quarter")
        joined = dict(
            uow.session.execute(
                select(Member.id, Member.created_at).where(Member.status != "left")
            ).all()
        )
        answers = answers_for(
            uow.session,
            taxonomy,
            list(joined),
            purpose="statistics",
            today=today,
        )
        left_on: dict[int, date] = {
            member_id: day
            for member_id, day in uow.session.execute(
                select(Member.id, Member.left_on).where(Member.status == "left")
            )
            if day is not None
        }
        left_answers = answers_for(
            uow.session, taxonomy, list(left_on), purpose="statistics", today=today
        )
    has_area = any(d.key == AREA_KEY for d in taxonomy.dimensions)
    area_labels = {c.code: c.label for c in taxonomy[AREA_KEY].categories} if has_area else {}
    people = [m for m in joined if m in answers]

    def area_of(member_id: int) -> str:
        area = answers[member_id].get(AREA_KEY, ())
        return area_labels.get(area[0], "No answer") if len(area) == 1 else "No answer"

    def quarter_of(member_id: int) -> str:
        return quarter(joined[member_id].date())

    def left_quarter_of(member_id: int) -> str:
        return quarter(left_on[member_id])

    leavers = [m for m in left_on if m in left_answers]
    left_names = _margin(leavers, left_quarter_of, "Other quarters", threshold)
    area_names = _margin(people, area_of, "Other areas", threshold) if has_area else None
    quarter_names = _margin(people, quarter_of, "Other quarters", threshold)
    step(2, 3, "Hiding small numbers")
    characteristics = []
    # The number counted is published once; with fewer than the threshold nothing is shown.
    shown_dimensions = mapped.dimensions if counted.total >= threshold else ()
    for dimension in shown_dimensions:
        info = taxonomy[dimension.key]
        categories = [c for c in info.categories if not c.prefer_not_to_say]
        codes = [c.code for c in categories]
        columns = (*codes, UNKNOWN)
        counts = dict(counted.counts.get(dimension.key, {}))
        row = [counts.get(code, 0) for code in codes]
        row.append(counted.total - sum(row))
        register = protect_table([row], threshold=threshold, lock_row_totals=True)
        gap = gap_analysis(
            dict(zip(codes, row[:-1], strict=True)),
            {c: dimension.shares.get(c, 0.0) for c in codes},
            unknown=row[-1],
            method="asymptotic",
        )
        if any(c.hidden for c in register.cells[0]):
            verdict = (
                f"{info.label}: some counts are small, so they are not shown and the test is left "
                "out."
            )
        elif gap.method == "none":
            verdict = f"{info.label}: too few answers to compare."
        else:
            off = [
                f"{labels} {c.share:.0%} against {c.target_share:.0%}"
                for c in gap.categories
                for labels in [next(x.label for x in categories if x.code == c.category)]
                if abs(c.share - c.target_share) >= 0.05
            ]
            verdict = (
                f"{info.label}: "
                + ("; ".join(off) if off else "every group within 5 points of the population")
                + (
                    f". The difference is larger than chance would give (p = {gap.pvalue:.3f})."
                    if gap.significant
                    else ". The difference is within what chance would give."
                )
            )
        # Breakdowns keep the register's published margins: the groups hidden above are
        # merged into one column, small areas and quarters into one row, and each breakdown's
        # totals are locked, so no table tells more about another's hidden cells.
        merged = [j for j, cell in enumerate(register.cells[0]) if cell.hidden]
        kept = [j for j in range(len(columns)) if j not in merged]
        labels = [(*(c.label for c in categories), "No answer")[j] for j in kept]
        if merged:
            labels.append("Not shown separately")
        by_area, areas = _breakdown(
            joined, answers, dimension.key, columns, kept, merged, area_of, area_names, threshold
        )
        by_quarter, quarters = _breakdown(
            joined,
            answers,
            dimension.key,
            columns,
            kept,
            merged,
            quarter_of,
            quarter_names,
            threshold,
        )
        # Leavers are not on the register now: their groups are published by this table alone,
        # so its column totals are protected first, as the register's are.
        left_row = [0] * len(columns)
        for member_id in leavers:
            given = left_answers[member_id].get(dimension.key, ())
            code = given[0] if len(given) == 1 and given[0] in columns else UNKNOWN
            left_row[columns.index(code)] += 1
        left_groups = protect_table([left_row], threshold=threshold) if leavers else None
        left_merged = (
            [j for j, cell in enumerate(left_groups.cells[0]) if cell.hidden] if left_groups else []
        )
        left_kept = [j for j in range(len(columns)) if j not in left_merged]
        left_labels = [(*(c.label for c in categories), "No answer")[j] for j in left_kept]
        if left_merged:
            left_labels.append("Not shown separately")
        by_left, left_quarters = _breakdown(
            left_on,
            left_answers,
            dimension.key,
            columns,
            left_kept,
            left_merged,
            left_quarter_of,
            left_names,
            threshold,
        )
        characteristics.append(
            Characteristic(
                key=dimension.key,
                label=info.label,
                labels=(*(c.label for c in categories), "No answer"),
                target=tuple(dimension.shares.get(c, 0.0) for c in codes),
                register=register,
                by_area=by_area,
                areas=areas,
                by_quarter=by_quarter,
                quarters=quarters,
                breakdown_labels=tuple(labels),
                by_left=by_left,
                left_quarters=left_quarters,
                left_labels=tuple(left_labels),
                verdict=verdict,
            )
        )
    step(3, 3, "Done")
    return RegisterReport(
        target_name=mapped.name,
        target_key=target,
        members=counted.total,
        characteristics=tuple(characteristics),
        notes=(
            *mapped.notes,
            "People on the register are counted by the quarter their record was made, and "
            "people who left by the quarter they left (recorded since reports began; earlier "
            "leavers have no date and are not counted).",
        ),
        threshold=threshold,
    )


@dataclass(frozen=True)
class Margin:
    """A breakdown's rows: each person's row name, with small rows merged; and the table of
    people per row as published on its own."""

    names: dict[str, str]
    """Row name to the published row it falls in."""
    rows: tuple[str, ...]
    table: ProtectedTable


def _margin(
    people: list[int], name_of: Callable[[int], str], other: str, threshold: int
) -> Margin | None:
    """People per row (area, quarter), published on its own; hidden rows merged into
    ``other``. None when there is no one to count."""
    if not people:
        return None
    counts: dict[str, int] = {}
    for member_id in people:
        name = name_of(member_id)
        counts[name] = counts.get(name, 0) + 1
    names = sorted(counts, key=lambda n: (n == "No answer", n))
    first = protect_table([[counts[n] for n in names]], threshold=threshold)
    hidden = {n for n, cell in zip(names, first.cells[0], strict=True) if cell.hidden}
    mapping = {n: (other if n in hidden else n) for n in names}
    rows = tuple(n for n in names if n not in hidden) + ((other,) if hidden else ())
    merged = [sum(counts[n] for n in names if mapping[n] == row) for row in rows]
    return Margin(mapping, rows, protect_table([merged], threshold=threshold))


def _breakdown(
    joined: Mapping[int, object],
    answers: dict[int, dict[str, tuple[str, ...]]],
    key: str,
    columns: tuple[str, ...],
    kept: list[int],
    merged: list[int],
    row_of: Callable[[int], str],
    margin: Margin | None,
    threshold: int,
) -> tuple[ProtectedTable | None, tuple[str, ...]]:
    """People by row (area, quarter) and group, with both margins as already published."""
    if margin is None or any(c.hidden for c in margin.table.cells[0]):
        return None, ()
    width = len(kept) + (1 if merged else 0)
    where = {j: i for i, j in enumerate(kept)} | {j: len(kept) for j in merged}
    rows = {name: [0] * width for name in margin.rows}
    for member_id in joined:
        mine = answers.get(member_id)
        if mine is None:
            continue
        given = mine.get(key, ())
        code = given[0] if len(given) == 1 and given[0] in columns else UNKNOWN
        rows[margin.names[row_of(member_id)]][where[columns.index(code)]] += 1
    try:
        table = protect_table(
            [rows[name] for name in margin.rows],
            threshold=threshold,
            lock_row_totals=True,
            lock_column_totals=True,
        )
    except Unprotectable:
        return None, ()
    return table, margin.rows


def _table_rows(names: tuple[str, ...], table: ProtectedTable) -> tuple[tuple[str, ...], ...]:
    rows = [
        (name, *(str(c) for c in table.cells[i]), str(table.row_totals[i]))
        for i, name in enumerate(names)
    ]
    rows.append(("All", *(str(c) for c in table.column_totals), str(table.total)))
    return tuple(rows)


def population_report(report: RegisterReport) -> Report:
    tables = []
    for c in report.characteristics:
        cells = c.register.cells[0]
        tables.append(
            ReportTable(
                key=c.key,
                title=f"{c.label}: the register against {report.target_name}",
                headers=("Group", "People on the register", "Population share"),
                rows=tuple(
                    (label, str(cells[j]), f"{c.target[j]:.1%}" if j < len(c.target) else "")
                    for j, label in enumerate(c.labels)
                ),
                note=c.verdict,
            )
        )
        if c.by_area is not None:
            tables.append(
                ReportTable(
                    key=f"{c.key}-area",
                    title=f"{c.label} by local area",
                    headers=("Local area", *c.breakdown_labels, "All"),
                    rows=_table_rows(c.areas, c.by_area),
                )
            )
        if c.by_quarter is not None:
            tables.append(
                ReportTable(
                    key=f"{c.key}-joined",
                    title=f"{c.label}: people who joined, by quarter",
                    headers=("Quarter joined", *c.breakdown_labels, "All"),
                    rows=_table_rows(c.quarters, c.by_quarter),
                )
            )
        if c.by_left is not None:
            tables.append(
                ReportTable(
                    key=f"{c.key}-left",
                    title=f"{c.label}: people who left, by quarter",
                    headers=("Quarter left", *c.left_labels, "All"),
                    rows=_table_rows(c.left_quarters, c.by_left),
                )
            )
    return Report(
        slug="register",
        title="The register against the population",
        summary=(
            f"Members who allow their answers to be used for statistics, against "
            f"{report.target_name}. " + " ".join(report.notes)
        ),
        tables=tuple(tables),
    )
