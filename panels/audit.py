"""The audit trail: who did what to which records. Helpers flush; the calling unit commits.

The actions and the sentences the audit log shows for them are declared by each feature
(``Feature.audit_actions``) and collected in :func:`panels.features.registry`.
"""

from __future__ import annotations

from typing import Any

from models import AuditEvent
from panels.features import registry
from panels.uow import UnitOfWork


def actions() -> dict[str, str]:
    """Every audit action the features declare, with its sentence."""
    return registry().audit_actions


def sentence(action: str) -> str:
    return actions().get(action, action)


def record(
    uow: UnitOfWork,
    action: str,
    subject_type: str,
    subject_id: int | None = None,
    record_count: int = 1,
    **details: Any,
) -> AuditEvent:
    """Add an audit event, by the unit's actor, to the unit of work (flushed with it)."""
    known = actions()
    if uow.actor.on_behalf_of_member is not None:
        details = {
            **details,
            "on_behalf_of_member": uow.actor.on_behalf_of_member,
            "note": "Done by a member of staff on behalf of the member",
        }
    if action not in known:
        raise ValueError(f"audit action {action!r} is not one of: {', '.join(known)}")
    event = AuditEvent(
        user_id=uow.actor.user_id,
        actor=uow.actor.name,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        record_count=record_count,
        details=details,
    )
    uow.session.add(event)
    return event
