"""Erasure: a member asks to be forgotten, an administrator approves, and every feature
removes what identifies them, keeping what the law and audit require.

What is kept: the member's row as "former member N" (so panels, draws, attendance and
payments still add up), the payment ledger, confirmed panel snapshots (characteristics
only, no names), draw records (member ids and quota categories, so a draw can be replayed)
and consent evidence (which purposes, when; no personal details). What goes: names, contact
details, date of birth, equality answers, access needs, free text, the member's account,
and their details in messages and the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select, update

from models import (
    AuditEvent,
    ErasureRequest,
    Job,
    LoginAttempt,
    Member,
    OutboxMessage,
    ThrottleCounter,
    utcnow,
)
from panels import audit
from panels.errors import InvalidInput, NotAllowed, NotFound
from panels.features import FEATURES, build
from panels.uow import UnitOfWork

ERASED = "(removed at the member's request)"


def _member(uow: UnitOfWork, member_id: int) -> Member:
    member = uow.session.get(Member, member_id)
    if member is None:
        raise NotFound(f"there is no member with id {member_id}")
    return member


def open_request(uow: UnitOfWork, member_id: int) -> ErasureRequest | None:
    """The member's request that waits for a decision, if there is one."""
    return uow.session.scalar(
        select(ErasureRequest).where(
            ErasureRequest.member_id == member_id, ErasureRequest.status == "requested"
        )
    )


def request_erasure(uow: UnitOfWork, member_id: int, *, on_behalf: bool) -> ErasureRequest:
    """Record a request to remove the member's details (by the member, or staff for them)."""
    with uow:
        member = _member(uow, member_id)
        if member.erased_at is not None:
            raise InvalidInput(f"member {member_id}'s details were already removed")
        existing = open_request(uow, member_id)
        if existing is not None:
            return existing
        request = ErasureRequest(
            member_id=member_id,
            requested_by=uow.actor.name,
            requested_by_id=uow.actor.user_id,
            on_behalf=on_behalf,
        )
        uow.session.add(request)
        uow.session.flush()
        audit.record(
            uow, "request_erasure", "member", member_id, request=request.id, on_behalf=on_behalf
        )
    return request


def pending_requests(uow: UnitOfWork) -> list[ErasureRequest]:
    return list(
        uow.session.scalars(
            select(ErasureRequest)
            .where(ErasureRequest.status == "requested")
            .order_by(ErasureRequest.requested_at)
        )
    )


def decided_requests(uow: UnitOfWork, limit: int = 50) -> list[ErasureRequest]:
    return list(
        uow.session.scalars(
            select(ErasureRequest)
            .where(ErasureRequest.status != "requested")
            .order_by(ErasureRequest.decided_at.desc())
            .limit(limit)
        )
    )


def get_request(uow: UnitOfWork, request_id: int) -> ErasureRequest:
    request = uow.session.get(ErasureRequest, request_id)
    if request is None:
        raise NotFound(f"there is no erasure request with id {request_id}")
    return request


def _decide(uow: UnitOfWork, request: ErasureRequest, status: str, reason: str = "") -> None:
    """Take the decision with one conditional update: only one decision ever wins."""
    if request.requested_by_id is not None and request.requested_by_id == uow.actor.user_id:
        raise NotAllowed(
            "You made this request, so someone else must decide it (two people check every "
            "erasure)."
        )
    taken = uow.session.execute(
        update(ErasureRequest)
        .where(ErasureRequest.id == request.id, ErasureRequest.status == "requested")
        .values(
            status=status,
            decided_at=utcnow(),
            decided_by=uow.actor.name,
            decided_by_id=uow.actor.user_id,
            refusal_reason=reason,
        )
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise NotAllowed("This request has already been decided.")
    uow.session.expire(request)


def approve_erasure(uow: UnitOfWork, request_id: int) -> None:
    """Approve the request and remove the member's details at once."""
    with uow:
        request = get_request(uow, request_id)
        member_id = request.member_id
        _decide(uow, request, "done")
        erase_member(uow, member_id)
        audit.record(uow, "approve_erasure", "member", member_id, request=request_id)


def refuse_erasure(uow: UnitOfWork, request_id: int, reason: str) -> None:
    """Refuse the request, with a reason the member can be told."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Say why the request is refused: the member will be told.")
    with uow:
        request = get_request(uow, request_id)
        _decide(uow, request, "refused", reason)
        audit.record(uow, "refuse_erasure", "member", request.member_id, request=request_id)


def _scrub(value: Any, secrets: Iterable[str]) -> Any:
    """``value`` (JSON) with every occurrence of the member's details replaced."""
    if isinstance(value, str):
        for secret in secrets:
            if secret.lower() in value.lower():
                return ERASED
        return value
    if isinstance(value, list):
        return [_scrub(item, secrets) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, secrets) for key, item in value.items()}
    return value


def personal_strings(member: Member) -> list[str]:
    """The member's own details, as they could appear in free text elsewhere."""
    values = [
        member.email,
        member.phone,
        member.address,
        member.postcode,
        member.referred_by,
        f"{member.first_name} {member.last_name}",
        f"{member.preferred_name} {member.last_name}" if member.preferred_name else None,
    ]
    return [v.strip() for v in values if v and len(v.strip()) >= 3]


def erase_member(uow: UnitOfWork, member_id: int) -> None:
    """Remove what identifies the member, in every feature; the member becomes "former
    member N". Called by :func:`approve_erasure`; one unit of work, all or nothing."""
    with uow:
        member = _member(uow, member_id)
        if member.erased_at is not None:
            raise InvalidInput(f"member {member_id}'s details were already removed")
        secrets = personal_strings(member)
        email = member.email
        user_id = member.user_id
        features = build(tuple(uow.settings.get("FEATURES", FEATURES)))
        for feature in features.features:
            if feature.erase is not None:
                feature.erase(uow, member_id)
        uow.session.flush()
        _erase_messages_and_traces(uow, member_id, user_id, email, secrets)
        uow.session.flush()


def _erase_messages_and_traces(
    uow: UnitOfWork, member_id: int, user_id: int | None, email: str | None, secrets: list[str]
) -> None:
    """Messages to the member, sign-in traces, and their details in the audit log and jobs."""
    session = uow.session
    label = f"former member {member_id}"
    to_member = [OutboxMessage.member_id == member_id]
    if user_id is not None:
        to_member.append(OutboxMessage.user_id == user_id)
    if email:
        to_member.append(OutboxMessage.recipient == email)
    session.execute(
        update(OutboxMessage)
        .where(or_(*to_member))
        .values(recipient=label, body=ERASED)
        .execution_options(synchronize_session=False)
    )
    if email:
        session.execute(
            update(ErasureRequest)
            .where(ErasureRequest.member_id == member_id, ErasureRequest.requested_by == email)
            .values(requested_by=label)
            .execution_options(synchronize_session=False)
        )
        session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
        session.execute(delete(ThrottleCounter).where(ThrottleCounter.key.contains(email)))
    about_member: list[ColumnElement[bool]] = [
        (AuditEvent.subject_type == "member") & (AuditEvent.subject_id == member_id)
    ]
    if user_id is not None:
        about_member.append(AuditEvent.user_id == user_id)
        about_member.append(
            (AuditEvent.subject_type == "user") & (AuditEvent.subject_id == user_id)
        )
    if email:
        about_member.append(AuditEvent.actor == email)
    for event in session.scalars(select(AuditEvent).where(or_(*about_member))):
        if email and event.actor == email:
            event.actor = label
        scrubbed = _scrub(event.details, secrets)
        if scrubbed != event.details:
            event.details = scrubbed
    if email or user_id is not None:
        by_member: list[ColumnElement[bool]] = []
        if email:
            by_member.append(Job.actor_name.contains(email))
        if user_id is not None:
            by_member.append(Job.user_id == user_id)
        for job in session.scalars(select(Job).where(or_(*by_member))):
            job.actor_name = label
            job.params = _scrub(job.params, secrets)
            job.result = _scrub(job.result, secrets)
