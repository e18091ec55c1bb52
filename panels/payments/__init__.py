"""Involvement payments and expenses: the rate card, payments due from attendance, the
member's choice of how to be paid, expenses with receipts, approval with dual control, an
append-only ledger and finance batches."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from panels.features import DataSection, Feature, NavItem, permission

if TYPE_CHECKING:
    from flask import Blueprint, Flask

    from panels.uow import UnitOfWork


def _blueprints() -> tuple[Blueprint, ...]:
    from panels.payments.views import member_bp, staff_bp

    return (member_bp, staff_bp)


def _init_app(app: Flask) -> None:
    from panels.payments.service import SETTINGS

    for name, default in SETTINGS.items():
        if name in app.config:
            continue
        raw = os.environ.get(name)
        if raw is None:
            app.config[name] = default
        elif isinstance(default, int):
            try:
                app.config[name] = int(raw)
            except ValueError:
                raise RuntimeError(f"{name}={raw!r} is not a whole number") from None
        else:
            app.config[name] = raw


def _personal_data(uow: UnitOfWork, member_id: int) -> list[DataSection]:
    from panels.payments.service import personal_data

    return personal_data(uow, member_id)


def _erase(uow: UnitOfWork, member_id: int) -> None:
    from panels.payments.service import erase

    erase(uow, member_id)


def _demo(uow: UnitOfWork, seed: int) -> list[str]:
    from panels.payments.demo import seed_demo_payments

    return seed_demo_payments(uow)


feature = Feature(
    name="payments",
    blueprints=_blueprints,
    navigation=(
        NavItem("My payments", "my_payments.index", "claim_payments", order=20),
        NavItem("Payments", "payments.index", "approve_payments", order=30),
    ),
    permissions=(
        permission(
            "claim_payments", "Choose how to be paid and claim expenses (their own)", "member"
        ),
        permission(
            "view_project_payments", "See the payments due for a project", "lead", "manager"
        ),
        permission(
            "record_payment_choices",
            "Record how a member wants to be paid, when they tell staff by phone, letter or in "
            "person",
            "lead",
            "manager",
            "admin",
        ),
        permission(
            "approve_payments", "Approve or reject payments and expenses", "manager", "admin"
        ),
        permission("manage_rates", "Change the payment rate card", "admin"),
        permission(
            "export_payments", "Send approved payments to finance and mark them paid", "admin"
        ),
    ),
    audit_actions={
        "payments_due": "Recorded payments due for a meeting",
        "choose_payment": "Chose how to receive a payment (or recorded a member's choice)",
        "set_payment_preference": "Changed whether to be told before payments (benefits)",
        "confirm_benefits": "Confirmed a payment after reading the benefits guidance",
        "submit_expense": "Claimed expenses",
        "approve_payment": "Approved a payment",
        "reject_payment": "Rejected a payment",
        "create_batch": "Made a finance batch of approved payments",
        "export_batch": "Downloaded a finance batch",
        "pay_batch": "Marked a finance batch paid",
        "set_rate": "Changed a payment rate",
        "set_project_payments": "Changed a project's payment budget or rates",
        "view_payments": "Looked at members' payments",
        "view_receipt": "Looked at a receipt",
        "erase_payments": "Removed a member's details from their payments",
    },
    init_app=_init_app,
    demo=_demo,
    personal_data=_personal_data,
    erase=_erase,
)
