"""The rate card: what each kind of activity pays, seeded from the NIHR figures; a
project's own rates, budget and cost code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from models import (
    MAX_CLAIM_PENCE,
    PaymentRate,
    Project,
    ProjectPayments,
)
from panels import audit
from panels.errors import InvalidInput, NotFound
from panels.payments.money import format_pence
from panels.text import reject_control_characters
from panels.uow import UnitOfWork

SOURCE = (
    "NIHR Payment guidance for researchers and professionals, version 1.6 (August 2024): "
    "£25 an hour for involvement, raised by 10% from 16 December 2025 to £27.50. The half "
    "day (3 hours) and day (6 hours) figures are that hourly rate times the hours. "
    "Check the current figures with NIHR before use."
)
DEFAULT_RATES = (
    ("panel_meeting", "Panel or committee meeting", 60),
    ("workshop", "Workshop or event", 30),
    ("reading", "Reading and commenting on documents", 0),
    ("interview_panel", "Sitting on an interview panel", 30),
)
"""The seeded rate card: activity key, label, usual preparation minutes."""
DEFAULT_HOURLY_PENCE = 2750
SOURCE_DATE = date(2025, 12, 16)


def ensure_rate_card(uow: UnitOfWork) -> None:
    """Seed the organisation's rate card from the NIHR figures if it has no lines yet."""
    with uow:
        has_card = uow.session.scalar(
            select(func.count()).select_from(PaymentRate).where(PaymentRate.project_id.is_(None))
        )
        if has_card:
            return
        for activity, label, preparation in DEFAULT_RATES:
            uow.session.add(
                PaymentRate(
                    project_id=None,
                    activity=activity,
                    label=label,
                    hourly_pence=DEFAULT_HOURLY_PENCE,
                    half_day_pence=DEFAULT_HOURLY_PENCE * 3,
                    day_pence=DEFAULT_HOURLY_PENCE * 6,
                    preparation_minutes=preparation,
                    source=SOURCE,
                    source_date=SOURCE_DATE,
                )
            )


def rate_card(uow: UnitOfWork, project_id: int | None = None) -> list[PaymentRate]:
    ensure_rate_card(uow)
    condition = (
        PaymentRate.project_id.is_(None)
        if project_id is None
        else PaymentRate.project_id == project_id
    )
    return list(uow.session.scalars(select(PaymentRate).where(condition).order_by(PaymentRate.id)))


def activities(uow: UnitOfWork) -> dict[str, str]:
    """The kinds of activity on the organisation's card, by key."""
    return {rate.activity: rate.label for rate in rate_card(uow)}


def project_payments(uow: UnitOfWork, project_id: int, *, create: bool = False) -> ProjectPayments:
    """A project's payment settings (unsaved defaults if it has none, unless ``create``)."""
    settings = uow.session.get(ProjectPayments, project_id)
    if settings is None:
        if uow.session.get(Project, project_id) is None:
            raise NotFound(f"There is no project with id {project_id}.")
        settings = ProjectPayments(project_id=project_id, cost_code="", own_rates=False)
        if create:
            uow.session.add(settings)
    return settings


def rate_for(uow: UnitOfWork, project_id: int, activity: str) -> PaymentRate:
    """The project's own rate for the activity if it uses its own rates, else the card's."""
    card = {rate.activity: rate for rate in rate_card(uow)}
    settings = uow.session.get(ProjectPayments, project_id)
    if settings is not None and settings.own_rates:
        own = {rate.activity: rate for rate in rate_card(uow, project_id)}
        if activity in own:
            return own[activity]
    if activity in card:
        return card[activity]
    raise InvalidInput(
        f"activity {activity!r} is not on the rate card; the activities are: "
        f"{', '.join(sorted(card))}"
    )


def fee_pence(rate: PaymentRate, minutes: int) -> int:
    """What ``minutes`` of time pay at ``rate``.

    By the hour (to the nearest penny), or the half-day rate from 3 hours and the day rate
    from 5 hours when those are more, and never more than the day rate for one day's work.
    """
    if minutes <= 0:
        return 0
    pence = (rate.hourly_pence * minutes + 30) // 60
    if minutes >= 180:
        pence = max(pence, rate.half_day_pence)
    if minutes >= 300:
        pence = max(pence, rate.day_pence)
    if rate.day_pence:
        pence = min(pence, rate.day_pence)
    return pence


@dataclass(frozen=True)
class RateInput:
    activity: str
    label: str
    hourly_pence: int
    half_day_pence: int
    day_pence: int
    preparation_minutes: int
    source: str
    source_date: date | None


def set_rate(uow: UnitOfWork, data: RateInput, project_id: int | None = None) -> PaymentRate:
    """Add or change one line of the card (or of a project's own rates)."""
    for name in ("activity", "label", "source"):
        reject_control_characters(name, getattr(data, name))
    for name in ("hourly_pence", "half_day_pence", "day_pence"):
        value = getattr(data, name)
        if not 0 <= value <= MAX_CLAIM_PENCE:
            raise InvalidInput(
                f"{name.replace('_pence', '').replace('_', ' ')} rate {format_pence(value)} is "
                f"not between £0.00 and {format_pence(MAX_CLAIM_PENCE)}"
            )
    if not 0 <= data.preparation_minutes <= 1440:
        raise InvalidInput(
            f"{data.preparation_minutes} minutes of preparation is not within one day (0 to 1440)"
        )
    with uow:
        ensure_rate_card(uow)
        condition = (
            PaymentRate.project_id.is_(None)
            if project_id is None
            else PaymentRate.project_id == project_id
        )
        rate = uow.session.scalar(
            select(PaymentRate).where(condition, PaymentRate.activity == data.activity)
        )
        if rate is None:
            rate = PaymentRate(project_id=project_id, activity=data.activity)
            uow.session.add(rate)
        before = (rate.hourly_pence, rate.half_day_pence, rate.day_pence)
        rate.label = data.label.strip() or data.activity
        rate.hourly_pence, rate.half_day_pence = data.hourly_pence, data.half_day_pence
        rate.day_pence, rate.preparation_minutes = data.day_pence, data.preparation_minutes
        rate.source, rate.source_date = data.source.strip(), data.source_date
        uow.session.flush()
        audit.record(
            uow,
            "set_rate",
            "project" if project_id else "rate_card",
            project_id or rate.id,
            activity=data.activity,
            before=list(before),
            after=[data.hourly_pence, data.half_day_pence, data.day_pence],
        )
    return rate


def set_project_payments(
    uow: UnitOfWork, project_id: int, budget_pence: int | None, cost_code: str, own_rates: bool
) -> ProjectPayments:
    reject_control_characters("cost code", cost_code)
    if budget_pence is not None and not 0 <= budget_pence <= MAX_CLAIM_PENCE * 100:
        raise InvalidInput(f"a budget of {format_pence(budget_pence)} is out of range")
    with uow:
        settings = project_payments(uow, project_id, create=True)
        settings.budget_pence, settings.cost_code = budget_pence, cost_code.strip()[:40]
        settings.own_rates = own_rates
        if own_rates and not rate_card(uow, project_id):
            for rate in rate_card(uow):
                uow.session.add(
                    PaymentRate(
                        project_id=project_id,
                        activity=rate.activity,
                        label=rate.label,
                        hourly_pence=rate.hourly_pence,
                        half_day_pence=rate.half_day_pence,
                        day_pence=rate.day_pence,
                        preparation_minutes=rate.preparation_minutes,
                        source=f"Copied from the organisation's rate card. {rate.source}",
                        source_date=rate.source_date,
                    )
                )
        audit.record(
            uow,
            "set_project_payments",
            "project",
            project_id,
            budget_pence=budget_pence,
            own_rates=own_rates,
        )
    return settings
