"""Races on payments, run as real concurrent transactions: exactly one outcome each, nothing
paid twice, and the ledger still reconciles.

On PostgreSQL the claim's or batch's row lock (``SELECT ... FOR UPDATE``) queues them; on
SQLite the database has one writer at a time. Each thread has its own session and unit of
work, acting for its own user.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import func, select

from models import LedgerEntry, PaymentBatch, PaymentClaim
from panels.db import open_unit_of_work
from panels.errors import DomainError
from panels.payments import batches, service
from panels.uow import Actor
from tests.integration.test_payments import (
    _approved,
    _submitted,
    assert_ledger_reconciles,
    confirmed_project,
    version,
)


def _race(app, jobs: list[tuple[object, Callable]]) -> list[object]:
    """Run each job(uow), acting for its user, at the same moment in its own thread."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(index: int, user: object, job: Callable) -> None:
        with app.app_context(), open_unit_of_work(Actor.for_user(user), app) as uow:
            barrier.wait()
            try:
                results[index] = job(uow)
            except DomainError as error:
                results[index] = error

    threads = [
        threading.Thread(target=run, args=(i, user, job)) for i, (user, job) in enumerate(jobs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _failures(outcomes: list[object]) -> int:
    return sum(isinstance(o, DomainError) for o in outcomes)


def _ledger_count(session, **where) -> int:
    session.expire_all()
    query = select(func.count()).select_from(LedgerEntry)
    for name, value in where.items():
        query = query.where(getattr(LedgerEntry, name) == value)
    return session.scalar(query)


def test_two_approvers_approving_the_same_claim_approve_it_once(
    app, make_member, make_user, session
):
    panel = confirmed_project(app, make_member, make_user)
    claim_id = _submitted(app, panel, session)
    seen = version(session, claim_id)
    first, second = make_user(role="manager"), make_user(role="admin")
    outcomes = _race(
        app,
        [
            (first, lambda u: service.approve(u, claim_id, seen)),
            (second, lambda u: service.approve(u, claim_id, seen)),
        ],
    )
    assert _failures(outcomes) == 1, outcomes
    assert "approved" in outcomes
    assert _ledger_count(session) == 1
    claim = session.get(PaymentClaim, claim_id)
    assert claim.status == "approved" and claim.second_approver_id is None
    assert_ledger_reconciles(session)


def test_two_first_approvals_above_the_limit_at_once_leave_one_first_approval(
    app, make_member, make_user, session
):
    app.config["PAYMENTS_SECOND_APPROVAL_ABOVE_PENCE"] = 1000
    panel = confirmed_project(app, make_member, make_user)
    claim_id = _submitted(app, panel, session)
    seen = version(session, claim_id)
    first, second = make_user(role="manager"), make_user(role="admin")
    outcomes = _race(
        app,
        [
            (first, lambda u: service.approve(u, claim_id, seen)),
            (second, lambda u: service.approve(u, claim_id, seen)),
        ],
    )
    # The second saw the claim before the first approval: it must look again, not approve.
    assert _failures(outcomes) == 1 and "first approval" in outcomes, outcomes
    session.expire_all()
    assert session.get(PaymentClaim, claim_id).status == "submitted"
    assert _ledger_count(session) == 0


def test_a_claim_approved_twice_at_once_by_one_approver_is_approved_once(
    app, make_member, make_user, session
):
    panel = confirmed_project(app, make_member, make_user)
    claim_id = _submitted(app, panel, session)
    seen = version(session, claim_id)
    manager = make_user(role="manager")
    outcomes = _race(
        app,
        [(manager, lambda u: service.approve(u, claim_id, seen)) for _ in range(3)],
    )
    assert outcomes.count("approved") == 1 and _failures(outcomes) == 2, outcomes
    assert _ledger_count(session, account="owed") == 1
    assert_ledger_reconciles(session)


def test_a_batch_paid_twice_at_once_is_paid_once(app, make_member, make_user, session):
    panel = confirmed_project(app, make_member, make_user)
    manager, admin, other_admin = (
        make_user(role="manager"),
        make_user(role="admin"),
        make_user(role="admin"),
    )
    for index in range(3):
        _approved(app, panel, session, manager, member_index=index)
    with app.app_context(), open_unit_of_work(Actor.for_user(admin), app) as uow:
        batch_id = batches.create_batch(uow).id
    outcomes = _race(
        app,
        [
            (admin, lambda u: batches.confirm_batch_paid(u, batch_id)),
            (other_admin, lambda u: batches.confirm_batch_paid(u, batch_id)),
        ],
    )
    assert _failures(outcomes) == 1, outcomes
    assert _ledger_count(session, account="paid") == 3
    session.expire_all()
    assert session.get(PaymentBatch, batch_id).status == "paid"
    assert_ledger_reconciles(session)


def test_two_batches_made_at_once_never_share_an_item(app, make_member, make_user, session):
    panel = confirmed_project(app, make_member, make_user)
    manager, admin, other_admin = (
        make_user(role="manager"),
        make_user(role="admin"),
        make_user(role="admin"),
    )
    for index in range(3):
        _approved(app, panel, session, manager, member_index=index)
    outcomes = _race(
        app,
        [(admin, batches.create_batch), (other_admin, batches.create_batch)],
    )
    assert _failures(outcomes) == 1, outcomes
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(PaymentBatch)) == 1
    assert session.scalar(select(PaymentBatch.item_count)) == 3


def test_a_member_changing_their_choice_while_it_is_approved_gives_one_outcome(
    app, make_member, make_user, session
):
    panel = confirmed_project(app, make_member, make_user)
    member, account = panel[2][0]
    claim_id = _submitted(app, panel, session)
    seen = version(session, claim_id)
    manager = make_user(role="manager")
    outcomes = _race(
        app,
        [
            (manager, lambda u: service.approve(u, claim_id, seen)),
            (account, lambda u: service.choose(u, member.id, claim_id, "lower", lower_pence=1000)),
        ],
    )
    assert _failures(outcomes) == 1, outcomes
    session.expire_all()
    claim = session.get(PaymentClaim, claim_id)
    if "approved" in outcomes:
        # Approved first: the member's change came too late, the full amount is owed.
        assert (claim.status, claim.amount_pence) == ("approved", 5500)
        assert _ledger_count(session) == 1
    else:
        # The change came first: the approver saw an older version, so nothing was approved.
        assert (claim.status, claim.amount_pence) == ("submitted", 1000)
        assert _ledger_count(session) == 0
    assert_ledger_reconciles(session)
