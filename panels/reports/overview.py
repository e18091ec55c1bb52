"""Across projects: each panel's gaps against its target, per characteristic, for managers.

Every project's panel is analysed as its own page does it (:func:`panels.projects.
composition.panel_member_ids`, :func:`representativeness.gap_analysis` with ``method=
"auto"``), then the counts of each characteristic are published as one table, projects by
category, through :func:`panels.suppression.protect_table`: counts of 1 to 4 say "fewer than
5" and enough others are hidden that none of them can be worked out from the totals. A
hidden cell's verdict (short, within, over) is not shown either, since it would narrow the
count down. A panel's size is shown (it is on the project's page), so panels of 1 to 4
seats are left out of the breakdowns altogether.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import Invitation, Project
from models.project import PROJECT_LEVELS, PROJECT_STATUSES
from panels.charts import Bar, BarChart
from panels.projects.composition import PANEL_STATUSES
from panels.projects.pool import UNKNOWN
from panels.projects.service import target_shares
from panels.register.queries import answers_for
from panels.register.taxonomy import load_taxonomy
from panels.reports.tables import Report, ReportTable
from panels.suppression import Cell, ProtectedTable, Unprotectable, protect_table, threshold_of
from panels.uow import UnitOfWork
from representativeness import GapAnalysis, gap_analysis

METHOD_NAMES = {"exact": "exact", "asymptotic": "chi-square", "monte-carlo": "Monte Carlo"}


@dataclass(frozen=True)
class Panel:
    """A project and its panel, as the overview lists it."""

    project_id: int
    title: str
    status: str
    level: str
    basis: str
    seats: int
    member_ids: tuple[int, ...]
    shares: dict[str, dict[str, float]]
    confirmed_at: datetime | None = None

    @property
    def status_name(self) -> str:
        return PROJECT_STATUSES[self.status]

    @property
    def level_name(self) -> str:
        return PROJECT_LEVELS[self.level].split(":")[0]


@dataclass(frozen=True)
class RowVerdict:
    """One project's row of a characteristic's table: what can be said without small counts."""

    project_id: int
    statuses: tuple[str | None, ...]
    """Per category: "under", "within", "over", "no target", or None when the cell is hidden."""
    short_groups: int
    short_people: int
    over_groups: int
    over_people: int
    hidden_groups: int
    method: str
    test: str
    """The test's verdict, or why it is not shown."""

    @property
    def state(self) -> str:
        """For the overview's cell: "met", "short", "over", "both" or "unclear"."""
        if self.short_groups and self.over_groups:
            return "both"
        if self.short_groups:
            return "short"
        if self.over_groups:
            return "over"
        return "unclear" if self.hidden_groups else "met"

    @property
    def text(self) -> str:
        parts = []
        if self.short_groups:
            parts.append(
                f"Short: {self.short_people} {_people(self.short_people)} in "
                f"{self.short_groups} {_groups(self.short_groups)}"
            )
        if self.over_groups:
            parts.append(
                f"Over: {self.over_people} {_people(self.over_people)} in "
                f"{self.over_groups} {_groups(self.over_groups)}"
            )
        if self.hidden_groups:
            parts.append(
                f"{self.hidden_groups} {_groups(self.hidden_groups)} not shown (small numbers)"
            )
        return ". ".join(parts) + "." if parts else "Meets the target."


def _people(n: int) -> str:
    return "person" if n == 1 else "people"


def _groups(n: int) -> str:
    return "group" if n == 1 else "groups"


@dataclass(frozen=True)
class CharacteristicTable:
    """One characteristic across projects: counts as published, and each row's verdict."""

    key: str
    label: str
    special_category: bool
    codes: tuple[str, ...]
    labels: tuple[str, ...]
    """Category labels, then "No answer"."""
    panels: tuple[Panel, ...]
    table: ProtectedTable | None
    verdicts: tuple[RowVerdict, ...]
    left_out: tuple[str, ...]
    """Why some panels with this characteristic in their target are not in the table."""
    pooled_target: tuple[float, ...]
    """Seat-weighted target share of each category over the panels in the table."""

    def verdict(self, project_id: int) -> RowVerdict | None:
        return next((v for v in self.verdicts if v.project_id == project_id), None)

    def chart(self) -> BarChart:
        assert self.table is not None
        total = self.table.total.value or 0
        bars = []
        for j, label in enumerate(self.labels[:-1]):
            cell = self.table.column_totals[j]
            share = cell.value / total if cell.value is not None and total else None
            bars.append(
                Bar(
                    label=label,
                    share=share,
                    target=self.pooled_target[j],
                    value_text=(
                        f"Panels {cell}" if share is None else f"Panels {share:.0%} ({cell})"
                    )
                    + f" · targets {self.pooled_target[j]:.0%}",
                )
            )
        return BarChart(
            chart_id=f"chart-{self.key.replace('_', '-')}",
            title=f"{self.label}: all panels together against their targets",
            description=self.summary,
            bars=tuple(bars),
            share_label="Panels' share",
            target_label="Their targets",
        )

    @property
    def summary(self) -> str:
        if self.table is None:
            return f"No panel can be shown for {self.label.lower()}."
        short = [v for v in self.verdicts if v.short_groups]
        met = [v for v in self.verdicts if v.state == "met"]
        text = (
            f"{len(self.verdicts)} {'panel' if len(self.verdicts) == 1 else 'panels'} with "
            f"{self.label.lower()} in their target: {len(met)} "
            f"{'meets' if len(met) == 1 else 'meet'} it in every group shown, {len(short)} "
            f"{'is' if len(short) == 1 else 'are'} short of people in at least one group."
        )
        if self.table.hidden_count:
            text += " Some counts are not shown, so that small numbers cannot be worked out."
        return text


@dataclass(frozen=True)
class Overview:
    panels: tuple[Panel, ...]
    characteristics: tuple[CharacteristicTable, ...]
    threshold: int

    def characteristic(self, key: str) -> CharacteristicTable:
        from panels.errors import NotFound

        for found in self.characteristics:
            if found.key == key:
                return found
        valid = ", ".join(c.key for c in self.characteristics) or "none"
        raise NotFound(f"{key!r} is not a characteristic in the report; valid ones are: {valid}")

    def seats_text(self, panel: Panel) -> str:
        if panel.seats and panel.seats < self.threshold:
            return str(Cell(None, "small", self.threshold))
        return str(panel.seats)

    def cell(self, panel: Panel, key: str) -> tuple[str, str]:
        """The overview's cell for a project and a characteristic: (state, text)."""
        if key not in panel.shares:
            return "none", "Not in the target."
        if not panel.seats:
            return "none", "No panel yet."
        if panel.seats < self.threshold:
            return "none", f"Panel of fewer than {self.threshold}: not shown."
        table = self.characteristic(key)
        verdict = table.verdict(panel.project_id)
        if verdict is None:
            return "unclear", "Not shown (small numbers in every group)."
        return verdict.state, verdict.text


def project_panels(uow: UnitOfWork, owner_id: int | None = None) -> list[Panel]:
    """Every project (or only ``owner_id``'s) with its panel's member ids."""
    query = select(Project).options(selectinload(Project.target)).order_by(Project.title)
    if owner_id is not None:
        query = query.where(Project.owner_id == owner_id)
    projects = list(uow.session.scalars(query))
    rows = uow.session.execute(
        select(Invitation.project_id, Invitation.member_id, Invitation.status, Invitation.draw_id)
        .where(Invitation.status.in_(PANEL_STATUSES))
        .order_by(Invitation.member_id)
    ).all()
    by_project: dict[int, list[tuple[int, str, int | None]]] = {}
    for project_id, member_id, status, draw_id in rows:
        by_project.setdefault(project_id, []).append((member_id, status, draw_id))
    found = []
    for project in projects:
        mine = by_project.get(project.id, [])
        if project.confirmed_at is not None:
            ids = [m for m, status, _ in mine if status == "accepted"]
            basis = "confirmed"
        else:
            ids = [m for m, _, _ in mine]
            basis = (
                "none"
                if not mine
                else "drawn"
                if any(d is not None for _, _, d in mine)
                else "hand-built"
            )
        found.append(
            Panel(
                project_id=project.id,
                title=project.title,
                status=project.status,
                level=project.level,
                basis=basis,
                seats=len(ids),
                member_ids=tuple(ids),
                shares=target_shares(project),
                confirmed_at=(
                    project.confirmed_at.replace(tzinfo=UTC)
                    if project.confirmed_at is not None and project.confirmed_at.tzinfo is None
                    else project.confirmed_at
                ),
            )
        )
    return found


def _verdict(
    panel: Panel, codes: Sequence[str], cells: Sequence[Cell], gap: GapAnalysis
) -> RowVerdict:
    statuses: list[str | None] = []
    short = [0, 0]
    over = [0, 0]
    hidden = 0
    by_code = {c.category: c for c in gap.categories}
    for code, cell in zip(codes, cells, strict=False):
        found = by_code.get(code)
        if cell.hidden:
            statuses.append(None)
            hidden += 1
        elif found is None:
            statuses.append("no target")
        else:
            statuses.append(found.status)
            if found.status == "under":
                short[0] += 1
                short[1] += found.shortfall
            elif found.status == "over":
                over[0] += 1
                over[1] += found.excess
    method = METHOD_NAMES.get(gap.method, gap.method)
    if gap.method == "none":
        test = "No test: too few answers."
    elif any(c.hidden for c in cells):
        test = f"{method.capitalize()} test: not shown, as it would give small numbers away."
    elif gap.significant:
        test = f"{method.capitalize()} test: larger than chance would give (p = {gap.pvalue:.3f})."
    else:
        test = f"{method.capitalize()} test: within chance (p = {gap.pvalue:.2f})."
    return RowVerdict(
        project_id=panel.project_id,
        statuses=tuple(statuses),
        short_groups=short[0],
        short_people=short[1],
        over_groups=over[0],
        over_people=over[1],
        hidden_groups=hidden,
        method=method,
        test=test,
    )


def cross_project_overview(
    uow: UnitOfWork, today: date | None = None, owner_id: int | None = None
) -> Overview:
    """Every project's panel (or only ``owner_id``'s) against its target, per characteristic,
    with small counts hidden."""
    today = today or date.today()
    threshold = threshold_of(uow.settings)
    with uow:
        taxonomy = load_taxonomy(uow.session)
        panels = project_panels(uow, owner_id)
        everyone = sorted({m for p in panels for m in p.member_ids})
        answers = answers_for(uow.session, taxonomy, everyone, purpose="selection", today=today)
    keys = [d.key for d in taxonomy.dimensions if any(d.key in p.shares for p in panels)]
    characteristics = []
    for key in keys:
        dimension = taxonomy[key]
        categories = [c for c in dimension.categories if not c.prefer_not_to_say]
        codes = tuple(c.code for c in categories)
        rows: list[Panel] = []
        left_out: list[str] = []
        for panel in panels:
            if key not in panel.shares or not panel.seats:
                continue
            if panel.seats < threshold:
                left_out.append(f"{panel.title}: a panel of fewer than {threshold}.")
                continue
            rows.append(panel)
        counts = []
        for panel in rows:
            row = dict.fromkeys((*codes, UNKNOWN), 0)
            for member_id in panel.member_ids:
                mine = answers.get(member_id, {}).get(key, ())
                code = mine[0] if len(mine) == 1 and mine[0] in row else UNKNOWN
                row[code] += 1
            counts.append([row[c] for c in (*codes, UNKNOWN)])
        table = None
        while rows:
            try:
                table = protect_table(
                    counts, threshold=threshold, lock_row_totals=True, hide_totals_first=True
                )
                break
            except Unprotectable as refused:
                for i in sorted(refused.rows, reverse=True):
                    left_out.append(f"{rows[i].title}: small numbers in every group, so not shown.")
                    del rows[i], counts[i]
        verdicts = []
        pooled = [0.0] * len(codes)
        for i, panel in enumerate(rows):
            assert table is not None
            shares = panel.shares[key]
            known = {code: counts[i][codes.index(code)] for code in shares if code in codes}
            gap = gap_analysis(
                known, shares, unknown=panel.seats - sum(known.values()), method="auto"
            )
            verdicts.append(_verdict(panel, codes, table.cells[i], gap))
            for j, code in enumerate(codes):
                pooled[j] += panel.seats * shares.get(code, 0.0)
        total_seats = sum(p.seats for p in rows)
        characteristics.append(
            CharacteristicTable(
                key=key,
                label=dimension.label,
                special_category=dimension.special_category,
                codes=codes,
                labels=(*(c.label for c in categories), "No answer"),
                panels=tuple(rows),
                table=table,
                verdicts=tuple(verdicts),
                left_out=tuple(left_out),
                pooled_target=tuple(p / total_seats if total_seats else 0.0 for p in pooled),
            )
        )
    return Overview(tuple(panels), tuple(characteristics), threshold)


STATUS_WORDS = {"under": "short", "within": "within", "over": "over", "no target": "no target"}


def overview_report(overview: Overview) -> Report:
    """The overview as tables: the at-a-glance grid, then one table per characteristic."""
    keys = [c.key for c in overview.characteristics]
    grid = ReportTable(
        key="overview",
        title="Where panels miss people: each project against its target",
        headers=(
            "Project",
            "Status",
            "Level",
            "Panel",
            "Seats",
            *(c.label for c in overview.characteristics),
        ),
        rows=tuple(
            (
                p.title,
                p.status_name,
                p.level_name,
                p.basis,
                overview.seats_text(p),
                *(overview.cell(p, key)[1] for key in keys),
            )
            for p in overview.panels
        ),
        note=(
            f"Counts from 1 to {overview.threshold - 1} are shown as 'fewer than "
            f"{overview.threshold}'; some others are 'not shown' so that they cannot be "
            "worked out from the totals."
        ),
    )
    tables = [grid]
    for c in overview.characteristics:
        if c.table is None:
            continue
        rows = []
        for i, panel in enumerate(c.panels):
            verdict = c.verdicts[i]
            cells = c.table.cells[i]
            by_category = tuple(
                str(cell) if status is None else f"{cell} ({STATUS_WORDS[status]})"
                for cell, status in zip(cells, verdict.statuses, strict=False)
            )
            rows.append(
                (
                    panel.title,
                    *by_category,
                    str(cells[-1]),
                    str(c.table.row_totals[i]),
                    verdict.test,
                )
            )
        rows.append(
            (
                "All these panels",
                *(str(cell) for cell in c.table.column_totals),
                str(c.table.total),
                "",
            )
        )
        tables.append(
            ReportTable(
                key=c.key,
                title=f"{c.label}: people on each panel (short, within or over its target)",
                headers=("Project", *c.labels, "Seats", "Test"),
                rows=tuple(rows),
                note=" ".join(c.left_out),
            )
        )
    return Report(
        slug="projects",
        title="Panels across projects",
        summary=(
            "Each project's panel against its target population, by characteristic, with "
            "small numbers hidden."
        ),
        tables=tuple(tables),
    )
