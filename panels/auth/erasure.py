"""The accounts' part of erasure: a member's account is closed and its details removed."""

from __future__ import annotations

import secrets

from sqlalchemy import delete, select

from models import Member, RecoveryCode, User, new_session_token
from panels.security import hash_password
from panels.uow import UnitOfWork


def close_member_account(uow: UnitOfWork, member_id: int) -> None:
    """Close the member's account (if any): no email, no name, no way to sign in."""
    user_id = uow.session.scalar(select(Member.user_id).where(Member.id == member_id))
    if user_id is None:
        return
    account = uow.session.get(User, user_id)
    if account is None:
        return
    account.email = f"former-member-{member_id}@erased.invalid"
    account.display_name = f"Former member {member_id}"
    account.password_hash = hash_password(secrets.token_urlsafe(32))
    account.session_token = new_session_token()
    account.is_active = False
    account.totp_secret = None
    account.two_factor_enabled_at = None
    account.totp_last_step = None
    uow.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
