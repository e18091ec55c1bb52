"""The public joining form: people ask to join the register; staff check each request.

A request is stored as it was sent, with the consent wording the form showed. Nothing on
the form's answer says whether someone is already on the register: a request from a known
email address is stored and answered like any other, and staff see the match when they
check it. Bots meet a rate limit per address (:mod:`panels.auth.throttle`) and a honeypot
field that people never see; a filled honeypot gets the same thank-you and saves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import (
    CONSENT_PURPOSES,
    ConsentRecord,
    ConsentWording,
    JoinLink,
    JoinRequest,
    Member,
    utcnow,
)
from panels import audit
from panels.auth import throttle
from panels.errors import InvalidInput, NotFound
from panels.register.members import (
    EMAIL_ON_REGISTER,
    InvalidMember,
    MemberInput,
    Problem,
    _email_taken,
    apply_member,
    check_member,
    current_wording,
)
from panels.register.taxonomy import load_taxonomy
from panels.text import MULTI_LINE, reject_control_characters
from panels.uow import UnitOfWork

REQUIRED_CONSENT = "contact"


class TooManyRequests(InvalidInput):
    status_code = 429


@dataclass
class JoinInput:
    """What someone typed on the joining form."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    postcode: str = ""
    preferred_contact: str = ""
    help_needed: str = ""
    consents: dict[str, bool] = field(default_factory=dict)
    wording_ids: dict[str, int] = field(default_factory=dict)
    """The id of the wording the form showed, per purpose."""
    honeypot: str = ""


def find_link(uow: UnitOfWork, token: str) -> JoinLink:
    with uow:
        link = uow.session.scalar(
            select(JoinLink).where(JoinLink.token == token).options(selectinload(JoinLink.partner))
        )
        if link is None:
            raise NotFound("This joining link is not known. Check the web address.")
        return link


def form_wordings(uow: UnitOfWork) -> dict[str, ConsentWording]:
    """The consent wording the form shows now, per purpose."""
    with uow:
        return {purpose: current_wording(uow.session, purpose) for purpose in CONSENT_PURPOSES}


def _wording_for(uow: UnitOfWork, purpose: str, wording_id: int | None) -> ConsentWording:
    """The wording the form showed (checked to be one of this purpose's), else the current one."""
    if wording_id is not None:
        wording = uow.session.get(ConsentWording, wording_id)
        if wording is not None and wording.purpose == purpose:
            return wording
    return current_wording(uow.session, purpose)


def submit_join_request(
    uow: UnitOfWork, data: JoinInput, token: str | None, address: str
) -> JoinRequest | None:
    """Store a request to join (or, if the honeypot is filled, nothing); rate limited per
    address (setting ``JOIN_REQUESTS_PER_HOUR``). Returns the request, or None when nothing
    was stored; callers answer the same way in both cases."""
    limit = int(uow.settings["JOIN_REQUESTS_PER_HOUR"])
    key = f"join:address:{address}"
    with uow:
        if not throttle.take(uow, key, limit, timedelta(hours=1)):
            minutes = throttle.minutes_to_wait(uow, [key], timedelta(hours=1))
            raise TooManyRequests(
                f"Too many requests to join have come from your connection. Wait {minutes} "
                f"{'minute' if minutes == 1 else 'minutes'}, then try again, or phone us."
            )
    if data.honeypot.strip():
        return None
    for name in ("first_name", "last_name", "email", "phone", "postcode", "preferred_contact"):
        reject_control_characters(name.replace("_", " "), getattr(data, name))
    reject_control_characters("help needed", data.help_needed, MULTI_LINE)
    reject_control_characters("address", data.address, MULTI_LINE)
    if not data.consents.get(REQUIRED_CONSENT):
        raise InvalidInput("We can only add you if you agree that we may contact you")
    with uow:
        link = find_link(uow, token) if token else None
        consents = {
            purpose: {
                "given": bool(data.consents.get(purpose)),
                "wording_id": _wording_for(uow, purpose, data.wording_ids.get(purpose)).id,
            }
            for purpose in CONSENT_PURPOSES
        }
        request = JoinRequest(
            link_id=link.id if link else None,
            first_name=data.first_name.strip(),
            last_name=data.last_name.strip(),
            email=data.email.strip().lower() or None,
            phone=data.phone.strip() or None,
            address=data.address.strip() or None,
            postcode=data.postcode.strip().upper() or None,
            preferred_contact=data.preferred_contact or None,
            help_needed=data.help_needed.strip() if consents["access_needs"]["given"] else "",
            consents=consents,
        )
        uow.session.add(request)
        uow.session.flush()
        audit.record(uow, "receive_join_request", "join_request", request.id)
    return request


@dataclass(frozen=True)
class WaitingRequest:
    request: JoinRequest
    source: str
    already_on_register: bool
    """Whether its email address is already a member's (shown to staff only)."""


def _source(request: JoinRequest) -> str:
    link = request.link
    if link is None:
        return "The joining form (no partner or campaign link)"
    if link.partner is not None:
        return f"Partner: {link.partner.name}"
    return f"Campaign: {link.campaign}"


def waiting_requests(uow: UnitOfWork) -> list[WaitingRequest]:
    """Requests not yet checked, oldest first."""
    with uow:
        requests = uow.session.scalars(
            select(JoinRequest)
            .where(JoinRequest.status == "waiting")
            .options(selectinload(JoinRequest.link).selectinload(JoinLink.partner))
            .order_by(JoinRequest.created_at, JoinRequest.id)
        ).all()
        return [WaitingRequest(r, _source(r), _email_taken(uow.session, r.email)) for r in requests]


def get_request(uow: UnitOfWork, request_id: int, *, waiting: bool = False) -> WaitingRequest:
    with uow:
        request = uow.session.scalar(
            select(JoinRequest)
            .where(JoinRequest.id == request_id)
            .options(selectinload(JoinRequest.link).selectinload(JoinLink.partner))
        )
        if request is None:
            raise NotFound(f"There is no request to join with id {request_id}.")
        if waiting and request.status != "waiting":
            raise InvalidInput("This request has been checked already.")
        return WaitingRequest(request, _source(request), _email_taken(uow.session, request.email))


def open_request(uow: UnitOfWork, request_id: int) -> WaitingRequest:
    """A request as staff check it; showing the help the person asked for (their access
    needs) is written to the audit log."""
    with uow:
        found = get_request(uow, request_id)
        if found.request.help_needed:
            audit.record(uow, "view_access_needs", "join_request", found.request.id)
        return found


def wordings_of(uow: UnitOfWork, request: JoinRequest) -> dict[str, ConsentWording]:
    """The wordings a request's consents were given under."""
    with uow:
        return {
            purpose: _wording_for(uow, purpose, int(answer["wording_id"]))
            for purpose, answer in request.consents.items()
        }


def accept_join_request(uow: UnitOfWork, request_id: int) -> Member:
    """Add the person to the register, with the consents they gave under the form's wording;
    joined through a partner's link, they count as that partner's yield."""
    with uow:
        session = uow.session
        found = get_request(uow, request_id, waiting=True)
        request = found.request
        session.refresh(request, with_for_update=True)
        if request.status != "waiting":
            raise InvalidInput("This request has been checked already.")
        link = request.link
        partner = link.partner if link else None
        consents = {p: bool(a["given"]) for p, a in request.consents.items()}
        data = MemberInput(
            first_name=request.first_name,
            last_name=request.last_name,
            email=request.email,
            phone=request.phone,
            address=request.address,
            postcode=request.postcode,
            preferred_contact=request.preferred_contact,
            joined_via="partner" if partner else "self",
            referred_by=partner.name if partner else (link.campaign if link else None),
            access_needs_notes=request.help_needed if consents.get("access_needs") else None,
            consents=consents,
        )
        taxonomy = load_taxonomy(session)
        problems = check_member(data, taxonomy)
        if _email_taken(session, data.email):
            problems.append(Problem("email", data.email or "", EMAIL_ON_REGISTER))
        if problems:
            raise InvalidMember(problems)
        member = Member(panels_served=0)
        session.add(member)
        apply_member(session, member, data, taxonomy)
        session.flush()
        for purpose, answer in request.consents.items():
            given = bool(answer["given"])
            setattr(member, f"consent_{purpose}", given)
            session.add(
                ConsentRecord(
                    member_id=member.id,
                    purpose=purpose,
                    given=given,
                    method="online",
                    wording_id=int(answer["wording_id"]),
                    recorded_by_id=None,
                    recorded_at=request.created_at,
                )
            )
        request.status = "accepted"
        request.member_id = member.id
        request.decided_by_id = uow.actor.user_id
        request.decided_at = utcnow()
        audit.record(uow, "create_member", "member", member.id, join_request=request.id)
        audit.record(uow, "accept_join_request", "join_request", request.id, member=member.id)
    return member


def reject_join_request(uow: UnitOfWork, request_id: int, reason: str) -> None:
    """Do not add the person (a duplicate, a test, someone outside the area)."""
    reason = reason.strip()
    reject_control_characters("reason", reason, MULTI_LINE)
    with uow:
        request = get_request(uow, request_id, waiting=True).request
        uow.session.refresh(request, with_for_update=True)
        if request.status != "waiting":
            raise InvalidInput("This request has been checked already.")
        request.status = "rejected"
        request.reason = reason
        request.decided_by_id = uow.actor.user_id
        request.decided_at = utcnow()
        audit.record(uow, "reject_join_request", "join_request", request.id)
