"""Box-ticking flags: signs that a project called co-production was not.

Each check is a small function from a project's facts to a :class:`Flag` (or None), listed
in :data:`CHECKS`; adding a check is adding a function to that tuple. Every project here is
run as co-production (the service exists for it), so every project is checked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from models import AuditEvent, FeedbackItem, LadderRating, PaymentClaim, Project
from panels.impact.service import RUNGS, LadderSummary, summarise_ratings
from panels.projects.composition import FamiliarVoices, histories, panel_member_ids
from panels.projects.pool import FAMILIAR_PANELS
from panels.uow import UnitOfWork

UNPAID_STATUSES = ("due", "submitted", "approved")
"""Claim statuses of money a member is still owed (not paid, rejected or declined)."""

LOW_RUNG = "consultation"
"""Ratings whose middle sits at this rung or below are flagged."""


@dataclass(frozen=True)
class Flag:
    check: str
    title: str
    reason: str
    """Why it was raised, in a sentence naming the facts."""


@dataclass(frozen=True)
class ProjectFacts:
    """What the checks look at for one project."""

    project: Project
    ladder: LadderSummary
    closed_at: datetime | None
    first_published: datetime | None
    familiar: FamiliarVoices | None
    today: date
    feedback_days: int
    unpaid_days: int = 30
    unpaid: tuple[int, int, date | None] = (0, 0, None)
    """Payments and expenses still unpaid after ``unpaid_days``: how many, their pence,
    and the oldest one's date."""


Check = Callable[[ProjectFacts], "Flag | None"]


def _day(moment: datetime) -> str:
    return moment.strftime("%-d %B %Y")


def low_on_the_ladder(facts: ProjectFacts) -> Flag | None:
    middle = facts.ladder.median()
    if middle is None or RUNGS.index(middle) > RUNGS.index(LOW_RUNG):
        return None
    return Flag(
        "low_on_the_ladder",
        "Rated as consultation or below",
        f"Called co-production, but the middle of its {facts.ladder.rated} ladder ratings is "
        f"“{middle.replace('_', '-')}” ({sum(facts.ladder.members.values())} from members, "
        f"{sum(facts.ladder.staff.values())} from staff): consultation or below.",
    )


def confirmed_after_decision(facts: ProjectFacts) -> Flag | None:
    project = facts.project
    if project.confirmed_at is None or project.decision_date is None:
        return None
    confirmed = project.confirmed_at.astimezone(UTC).date()
    if confirmed <= project.decision_date:
        return None
    late = (confirmed - project.decision_date).days
    return Flag(
        "confirmed_after_decision",
        "Panel confirmed after the decision",
        f"The panel was confirmed on {confirmed.strftime('%-d %B %Y')}, {late} "
        f"{'day' if late == 1 else 'days'} after the decision date "
        f"({project.decision_date.strftime('%-d %B %Y')}), so it could not shape the decision.",
    )


def no_feedback_after_closing(facts: ProjectFacts) -> Flag | None:
    if facts.closed_at is None:
        return None
    due = facts.closed_at + timedelta(days=facts.feedback_days)
    if facts.first_published is not None and facts.first_published <= due:
        return None
    if facts.first_published is None and facts.today <= due.date():
        return None
    if facts.first_published is None:
        told = "nothing has been published to its members"
    else:
        told = f"the first “you said, we did” was published on {_day(facts.first_published)}"
    return Flag(
        "no_feedback_after_closing",
        "No feedback to members",
        f"Closed on {_day(facts.closed_at)}; {told} within {facts.feedback_days} days of closing.",
    )


def familiar_voices(facts: ProjectFacts) -> Flag | None:
    familiar = facts.familiar
    if familiar is None or not familiar.seats or familiar.familiar * 2 <= familiar.seats:
        return None
    return Flag(
        "familiar_voices",
        "Most seats went to familiar voices",
        f"{familiar.familiar} of {familiar.seats} seats went to people who had served on "
        f"{FAMILIAR_PANELS} or more other panels in the last two years.",
    )


def payments_unpaid(facts: ProjectFacts) -> Flag | None:
    count, pence, oldest = facts.unpaid
    if not count or oldest is None:
        return None
    people = "payment or expense" if count == 1 else "payments and expenses"
    return Flag(
        "payments_unpaid",
        "Members not paid on time",
        f"{count} {people} to members (£{pence / 100:,.2f}) are still unpaid more than "
        f"{facts.unpaid_days} days on; the oldest is for {oldest.strftime('%-d %B %Y')}.",
    )


CHECKS: tuple[Check, ...] = (
    low_on_the_ladder,
    confirmed_after_decision,
    no_feedback_after_closing,
    familiar_voices,
    payments_unpaid,
)
"""The box-ticking checks, in the order their flags are listed."""


@dataclass(frozen=True)
class ProjectFlags:
    project: Project
    flags: tuple[Flag, ...]


def closed_times(uow: UnitOfWork, project_ids: Sequence[int]) -> dict[int, datetime]:
    """When each project was last closed, from the audit log."""
    found: dict[int, datetime] = {}
    for subject_id, at, details in uow.session.execute(
        select(AuditEvent.subject_id, AuditEvent.at, AuditEvent.details)
        .where(
            AuditEvent.action == "update_project",
            AuditEvent.subject_type == "project",
            AuditEvent.subject_id.in_(list(project_ids) or [-1]),
        )
        .order_by(AuditEvent.at)
    ):
        if subject_id is not None and (details or {}).get("status") == "closed":
            found[subject_id] = at
    return found


def unpaid_payments(
    uow: UnitOfWork, project_ids: Sequence[int], before: date
) -> dict[int, tuple[int, int, date | None]]:
    """Per project: the payments and expenses for days before ``before`` that are still
    waiting (for the member's choice, approval or payment), their pence, the oldest day."""
    rows = uow.session.execute(
        select(
            PaymentClaim.project_id,
            func.count(),
            func.coalesce(func.sum(PaymentClaim.amount_pence), 0),
            func.min(PaymentClaim.occurred_on),
        )
        .where(
            PaymentClaim.project_id.in_(list(project_ids) or [-1]),
            PaymentClaim.status.in_(UNPAID_STATUSES),
            PaymentClaim.occurred_on < before,
        )
        .group_by(PaymentClaim.project_id)
    )
    return {pid: (int(n), int(pence), oldest) for pid, n, pence, oldest in rows}


def project_flags(
    uow: UnitOfWork,
    *,
    today: date | None = None,
    checks: Sequence[Check] = CHECKS,
) -> list[ProjectFlags]:
    """Every project with the flags its checks raise (projects without flags included);
    feedback is due within the setting ``IMPACT_FEEDBACK_DAYS`` of closing."""
    today = today or date.today()
    days = int(uow.settings["IMPACT_FEEDBACK_DAYS"])
    with uow:
        session = uow.session
        projects = session.scalars(select(Project).order_by(Project.title)).all()
        ids = [p.id for p in projects]
        ratings: dict[int, list[LadderRating]] = {}
        for rating in session.scalars(
            select(LadderRating).where(LadderRating.project_id.in_(ids or [-1]))
        ):
            ratings.setdefault(rating.project_id, []).append(rating)
        published: dict[int, datetime] = {}
        for project_id, at in session.execute(
            select(FeedbackItem.project_id, FeedbackItem.published_at).where(
                FeedbackItem.project_id.in_(ids or [-1]), FeedbackItem.published_at.is_not(None)
            )
        ):
            if at is not None and (project_id not in published or at < published[project_id]):
                published[project_id] = at
        closed = closed_times(uow, ids)
        unpaid_days = int(uow.settings.get("IMPACT_UNPAID_DAYS", 30))
        unpaid = unpaid_payments(uow, ids, today - timedelta(days=unpaid_days))
        found = []
        for project in projects:
            basis, member_ids = panel_member_ids(session, project)
            familiar = None
            if basis == "confirmed" and member_ids:
                history = histories(session, member_ids, today, leave_out=project)
                familiar = FamiliarVoices(
                    seats=len(member_ids),
                    familiar=sum(h.familiar for h in history.values()),
                    maybe=sum(h.maybe_familiar for h in history.values()),
                )
            facts = ProjectFacts(
                project=project,
                ladder=summarise_ratings(project.id, ratings.get(project.id, [])),
                closed_at=closed.get(project.id) if project.status == "closed" else None,
                first_published=published.get(project.id),
                familiar=familiar,
                today=today,
                feedback_days=days,
                unpaid_days=unpaid_days,
                unpaid=unpaid.get(project.id, (0, 0, None)),
            )
            flags = tuple(flag for check in checks if (flag := check(facts)) is not None)
            found.append(ProjectFlags(project, flags))
    return found
