"""Accounts linked to the register: staff send a member a signed, expiring, single-use link
to set up their account; the member chooses a password. There is no open sign-up."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update

from models import AccountInvite, Member, User, utcnow
from panels import audit
from panels.auth.service import check_password_rules, normalise_email
from panels.errors import InvalidInput, NotFound
from panels.links import external_url
from panels.mail import queue_message
from panels.security import hash_password
from panels.uow import UnitOfWork

TOKEN_SALT = "member-account-set-up"
LINK_DAYS = 7
"""How long a set-up link works."""


class InvalidLink(InvalidInput):
    """A set-up link that is not genuine, has expired or was used."""


EXPIRED = "This link is too old. Links work for 7 days. Please ask us for a new one."
USED = "This link has been used already. You can sign in. Or ask us for a new link."
TAMPERED = "This link does not work. Check you copied all of it. Or ask us for a new link."


def _serializer(uow: UnitOfWork) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(uow.settings["SECRET_KEY"]), salt=TOKEN_SALT)


@dataclass(frozen=True)
class AccountStatus:
    """Whether a member has an account, and the last set-up link sent to them."""

    member: Member
    user: User | None
    last_invite: AccountInvite | None


def account_status(uow: UnitOfWork, member_id: int) -> AccountStatus:
    with uow:
        member = uow.session.get(Member, member_id)
        if member is None:
            raise NotFound(f"There is no member with id {member_id}.")
        user = uow.session.get(User, member.user_id) if member.user_id else None
        last = uow.session.scalars(
            select(AccountInvite)
            .where(AccountInvite.member_id == member_id)
            .order_by(AccountInvite.created_at.desc(), AccountInvite.id.desc())
        ).first()
        return AccountStatus(member, user, last)


def invite_member_account(uow: UnitOfWork, member_id: int) -> AccountInvite:
    """Email a member a link to set up their account; an earlier link stops working."""
    with uow:
        session = uow.session
        member = session.get(Member, member_id)
        if member is None:
            raise NotFound(f"There is no member with id {member_id}.")
        if member.user_id is not None:
            raise InvalidInput(f"{member.display_name} already has an account.")
        if not member.email:
            raise InvalidInput(
                f"{member.display_name} has no email address, so we cannot send a link. "
                "Act on their behalf instead."
            )
        if session.scalar(select(User.id).where(User.email == member.email)) is not None:
            raise InvalidInput(
                f"An account with the email address {member.email} already exists, so it "
                "cannot be used for a member's account."
            )
        now = utcnow()
        session.execute(
            update(AccountInvite)
            .where(
                AccountInvite.member_id == member_id,
                AccountInvite.used_at.is_(None),
                AccountInvite.revoked_at.is_(None),
            )
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )
        invite = AccountInvite(
            member_id=member_id,
            nonce=secrets.token_urlsafe(24),
            email=member.email,
            sent_by_id=uow.actor.user_id,
            created_at=now,
            expires_at=now + timedelta(days=LINK_DAYS),
        )
        session.add(invite)
        session.flush()
        token = _serializer(uow).dumps({"i": invite.id, "n": invite.nonce})
        easy_read = any(need.need == "easy_read" for need in member.access_needs)
        link = external_url(
            uow.settings,
            "account_setup.join_easy_read" if easy_read else "account_setup.join",
            token=token,
        )
        queue_message(
            uow,
            recipient=member.email,
            subject="Set up your account",
            body="\n".join(
                [
                    f"Hello {member.display_name},",
                    "",
                    "You can now see and change your own details online.",
                    "You can answer invitations and see the panels you are on.",
                    "",
                    "To set up your account, open this link.",
                    f"The link works for {LINK_DAYS} days. It works once.",
                    "",
                    link,
                    "",
                    "The page has an Easy Read version"
                    + (" (this link opens it)." if easy_read else "."),
                    "If you did not expect this email, you can ignore it.",
                ]
            ),
            member_id=member.id,
        )
        audit.record(uow, "invite_member_account", "member", member.id)
    return invite


def invite_for_token(uow: UnitOfWork, token: str, now: datetime | None = None) -> AccountInvite:
    """The set-up link's invite, if the link is genuine, not expired and not used."""
    now = now or utcnow()
    try:
        data = _serializer(uow).loads(token, max_age=LINK_DAYS * 24 * 60 * 60)
    except SignatureExpired:
        raise InvalidLink(EXPIRED) from None
    except BadSignature:
        raise InvalidLink(TAMPERED) from None
    invite = uow.session.get(AccountInvite, data.get("i")) if isinstance(data, dict) else None
    if invite is None or not secrets.compare_digest(invite.nonce, str(data.get("n", ""))):
        raise InvalidLink(TAMPERED)
    if invite.used_at is not None:
        raise InvalidLink(USED)
    if invite.revoked_at is not None:
        raise InvalidLink(
            "We sent you a newer link. Please use the newest email from us. "
            "Or ask us for a new link."
        )
    if invite.expires_at < now:
        raise InvalidLink(EXPIRED)
    return invite


def set_up_account(uow: UnitOfWork, token: str, password: str) -> User:
    """Create the member's account from their link, with the password they chose."""
    check_password_rules(password)
    password_hash = hash_password(password)
    with uow:
        session = uow.session
        invite = invite_for_token(uow, token)
        # One conditional UPDATE: of two uses of one link at once, exactly one goes through.
        used = session.execute(
            update(AccountInvite)
            .where(AccountInvite.id == invite.id, AccountInvite.used_at.is_(None))
            .values(used_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if used.rowcount != 1:  # type: ignore[attr-defined]
            raise InvalidLink(USED)
        member = session.get(Member, invite.member_id)
        if member is None or member.user_id is not None:
            raise InvalidLink(USED)
        if member.email != invite.email:
            raise InvalidLink(
                "This link was sent to an email address we no longer have for you. "
                "Please ask us for a new link."
            )
        email = normalise_email(invite.email)
        if session.scalar(select(User.id).where(User.email == email)) is not None:
            raise InvalidLink(
                "There is already an account with this email address. Please contact us."
            )
        user = User(
            email=email,
            role="member",
            display_name=member.display_name,
            password_hash=password_hash,
        )
        session.add(user)
        session.flush()
        member.user_id = user.id
        audit.record(uow, "set_up_member_account", "member", member.id, user=user.id)
    return user
