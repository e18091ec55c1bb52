"""Familiar voices and time given, as reports for managers (counts only, small ones hidden).

Familiar voices reuse :mod:`panels.projects.composition` (its two-year window and its
"familiar" rule) and :func:`representativeness.concentration`. Resourcing is the hours
people spent in panel meetings (``Attendance.minutes``), by project and quarter, beside the
money: fees and expenses paid, from the payment ledger, and each project's spending against
its budget.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from models import Attendance, LedgerEntry, Meeting, PaymentClaim, Project, ProjectPayments
from panels.projects.composition import WINDOW_MONTHS, histories, register_familiarity
from panels.projects.pool import FAMILIAR_PANELS, months_before
from panels.reports.overview import project_panels
from panels.reports.tables import Report, ReportTable
from panels.suppression import (
    ProtectedTable,
    Unprotectable,
    protect_table,
    shown_count,
    threshold_of,
)
from panels.uow import UnitOfWork


def _share(part: str, whole: int) -> str:
    return f"{int(part) / whole:.0%}" if part.isdigit() and whole else "not shown"


def familiar_voices_report(
    uow: UnitOfWork, today: date | None = None, owner_id: int | None = None
) -> Report:
    """Concentration across the register, and familiar and new voices on each panel."""
    today = today or date.today()
    threshold = threshold_of(uow.settings)
    register = register_familiarity(uow, today)
    c = register.concentration
    since = months_before(today, WINDOW_MONTHS)
    with uow:
        panels = [p for p in project_panels(uow, owner_id) if p.seats]
        everyone = sorted({m for p in panels for m in p.member_ids})
        history = histories(uow.session, everyone, today)
    # The register's figures: the two familiar counts and the seats they hold go together.
    table = protect_table(
        [[register.familiar_seats, register.recent_seats - register.familiar_seats]],
        threshold=threshold,
    )
    familiar_seats, other_seats = (str(x) for x in table.cells[0])
    members = str(shown_count(register.familiar_members, suppress=True, threshold=threshold))
    summary = ReportTable(
        key="register",
        title="Across the register",
        headers=("Measure", "Figure"),
        rows=(
            ("Members counted (including those who have never served)", _count(c.n, threshold)),
            ("Seats held on all panels ever served", _count(c.seats, threshold)),
            (
                f"Share of those seats held by the most involved 10% ({c.top_people} members)",
                f"{c.top_share:.0%}" if c.seats else "No seats yet",
            ),
            (
                "Gini coefficient of panels served (0 equal, near 1 one person holds all)",
                f"{c.gini:.2f}",
            ),
            ("Seats on panels confirmed in the last two years", str(table.total)),
            (f"Members with {FAMILIAR_PANELS} or more of those seats", members),
            ("Seats they hold", familiar_seats),
            ("Their share of recent seats", _share(familiar_seats, register.recent_seats)),
        ),
        note=(
            f"A familiar voice has served on {FAMILIAR_PANELS} or more panels in the last two "
            "years. Counts from 1 to "
            f"{threshold - 1} are shown as 'fewer than {threshold}'."
        ),
    )
    rows = []
    counts = []
    kept = []
    for panel in panels:
        if panel.seats < threshold:
            continue
        mine = [history[m] for m in panel.member_ids]
        # A panel confirmed in the window counts among its own members' recent panels; it is
        # not one of their *other* panels (an open panel's members have not served on it yet).
        this = 1 if panel.confirmed_at is not None and panel.confirmed_at >= since else 0
        familiar = sum(h.recent - this >= FAMILIAR_PANELS for h in mine)
        new = sum(h.recent - this <= 0 and h.undated == 0 for h in mine)
        counts.append([familiar, new, panel.seats - familiar - new])
        kept.append(panel)
    protected: ProtectedTable | None = None
    while kept:
        try:
            protected = protect_table(
                counts, threshold=threshold, lock_row_totals=True, hide_totals_first=True
            )
            break
        except Unprotectable as refused:
            for i in sorted(refused.rows, reverse=True):
                del kept[i], counts[i]
    for i, panel in enumerate(kept):
        assert protected is not None
        shown_familiar, shown_new, shown_other = (str(x) for x in protected.cells[i])
        rows.append(
            (
                panel.title,
                panel.status_name,
                str(panel.seats),
                shown_familiar,
                _share(shown_familiar, panel.seats),
                shown_new,
                _share(shown_new, panel.seats),
                shown_other,
            )
        )
    per_project = ReportTable(
        key="projects",
        title="Familiar and new voices on each panel",
        headers=(
            "Project",
            "Status",
            "Seats",
            "Familiar voices",
            "Share familiar",
            "New voices",
            "Share new",
            "Others",
        ),
        rows=tuple(rows),
        note=(
            "New voices have had no other panel in the last two years and none recorded "
            "without a date. Panels of fewer than "
            f"{threshold} seats are left out."
        ),
    )
    return Report(
        slug="familiar-voices",
        title="Familiar voices",
        summary="Are the same few people on every panel? Counts only, small numbers hidden.",
        tables=(summary, per_project),
    )


def quarter(day: date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class _Time:
    hours: float
    meetings: int


def _pounds(pence: int) -> str:
    return f"£{pence / 100:,.2f}"


def time_given_report(uow: UnitOfWork, owner_id: int | None = None) -> Report:
    """Resourcing: hours given in panel meetings, fees and expenses paid (from the ledger)
    by project and quarter, and each project's spending against its budget."""
    threshold = threshold_of(uow.settings)
    with uow:
        query = (
            select(
                Project.title,
                Meeting.held_on,
                func.count(func.distinct(Meeting.id)),
                func.coalesce(func.sum(Attendance.minutes), 0),
            )
            .join(Meeting, Meeting.project_id == Project.id)
            .outerjoin(
                Attendance,
                (Attendance.meeting_id == Meeting.id) & Attendance.attended.is_(True),
            )
            .group_by(Project.title, Meeting.held_on)
        )
        paid_query = (
            select(
                Project.title,
                LedgerEntry.entry_date,
                LedgerEntry.category,
                LedgerEntry.member_id,
                func.sum(LedgerEntry.amount_pence),
            )
            .join(Project, Project.id == LedgerEntry.project_id)
            .where(LedgerEntry.account == "paid")
            .group_by(
                Project.title, LedgerEntry.entry_date, LedgerEntry.category, LedgerEntry.member_id
            )
        )
        spend_query = (
            select(
                Project.id,
                Project.title,
                ProjectPayments.budget_pence,
                PaymentClaim.status,
                func.coalesce(func.sum(PaymentClaim.amount_pence), 0),
            )
            .outerjoin(ProjectPayments, ProjectPayments.project_id == Project.id)
            .outerjoin(PaymentClaim, PaymentClaim.project_id == Project.id)
            .group_by(Project.id, Project.title, ProjectPayments.budget_pence, PaymentClaim.status)
        )
        if owner_id is not None:
            query = query.where(Project.owner_id == owner_id)
            paid_query = paid_query.where(Project.owner_id == owner_id)
            spend_query = spend_query.where(Project.owner_id == owner_id)
        found = uow.session.execute(query).all()
        paid = uow.session.execute(paid_query).all()
        spend = uow.session.execute(spend_query).all()
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for title, held_on, meetings, minutes in found:
        cell = cells[title, quarter(held_on)]
        cell[0] += int(meetings)
        cell[1] += int(minutes)
    rows = tuple(
        (title, when, str(meetings), f"{minutes / 60:.1f}")
        for (title, when), (meetings, minutes) in sorted(cells.items())
    )
    money: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    people: dict[tuple[str, str], set[int]] = defaultdict(set)
    for title, day, category, member_id, pence in paid:
        key = (title, quarter(day))
        money[key][category] += int(pence or 0)
        if pence:
            people[key].add(member_id)
    paid_rows = tuple(
        (
            title,
            when,
            _count(len(people[title, when]), threshold),
            _pounds(amounts.get("fee", 0)),
            _pounds(amounts.get("expense", 0)),
            _pounds(amounts.get("fee", 0) + amounts.get("expense", 0)),
        )
        for (title, when), amounts in sorted(money.items())
    )
    titles: dict[int, str] = {}
    budgets: dict[int, int | None] = {}
    by_status: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for project_id, title, budget_pence, status, pence in spend:
        titles[project_id], budgets[project_id] = title, budget_pence
        if status is not None:
            by_status[project_id][str(status)] += int(pence or 0)
    budget_rows = []
    for project_id in sorted(titles, key=lambda p: titles[p]):
        spent = by_status[project_id]
        committed = spent["approved"] + spent["paid"]
        waiting = spent["due"] + spent["submitted"]
        budget = budgets[project_id]
        if budget is None:
            left = "No budget set"
        else:
            over = " (over budget)" if budget < committed + waiting else ""
            left = _pounds(budget - committed - waiting) + over
        budget_rows.append(
            (
                titles[project_id],
                "Not set" if budget is None else _pounds(budget),
                _pounds(spent["paid"]),
                _pounds(spent["approved"]),
                _pounds(waiting),
                left,
            )
        )
    return Report(
        slug="time-given",
        title="Resourcing: time and money",
        summary=(
            "Hours people with lived experience gave in panel meetings, what they were paid "
            "for their time and expenses, by project and quarter, and each project's spending "
            "against its budget."
        ),
        tables=(
            ReportTable(
                key="time",
                title="Time given in panel meetings",
                headers=("Project", "Quarter", "Meetings", "Hours given"),
                rows=rows,
                note="From the attendance recorded for each meeting.",
            ),
            ReportTable(
                key="paid",
                title="Paid to members, by project and quarter",
                headers=("Project", "Quarter", "People paid", "Fees", "Expenses", "Total"),
                rows=paid_rows,
                note=(
                    "From the payment ledger (what finance batches marked paid, less anything "
                    f"returned), by the day it was paid. People paid: fewer than {threshold} "
                    "is not shown as a number."
                ),
            ),
            ReportTable(
                key="budgets",
                title="Spending against budgets",
                headers=(
                    "Project",
                    "Budget",
                    "Paid",
                    "Approved, not yet paid",
                    "Waiting for choice or approval",
                    "Left",
                ),
                rows=tuple(budget_rows),
                note="Fees and expenses together; a declined or rejected claim costs nothing.",
            ),
        ),
    )


def _count(count: int, threshold: int) -> str:
    return str(shown_count(count, suppress=True, threshold=threshold))
