"""The audit trail: who did what to which records. Helpers flush; the calling service commits."""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_login import current_user

from models import AuditEvent
from panels import db

ACTIONS = {
    "view_characteristics": "Viewed equality information",
    "export": "Exported",
    "import": "Imported",
    "create_member": "Added a member",
    "update_member": "Changed a member",
    "consent": "Recorded consent",
    "taxonomy": "Changed the equality categories",
}


def actor() -> tuple[int | None, str]:
    """The signed-in user, or the command line when there is no request."""
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.email
    return None, "command line"


def record(
    action: str,
    subject_type: str,
    subject_id: int | None = None,
    record_count: int = 1,
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the current unit of work."""
    if action not in ACTIONS:
        raise ValueError(f"audit action {action!r} is not one of: {', '.join(ACTIONS)}")
    user_id, name = actor()
    event = AuditEvent(
        user_id=user_id,
        actor=name,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        record_count=record_count,
        details=details,
    )
    db.session().add(event)
    return event
