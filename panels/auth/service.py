"""Accounts: create, authenticate (throttled), change and reset passwords."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import ROLES, LoginAttempt, User, utcnow
from models.user import new_session_token
from panels.auth import throttle
from panels.errors import InvalidInput
from panels.links import external_url
from panels.mail import queue_message
from panels.security import hash_password, password_needs_rehash, verify_password
from panels.uow import UnitOfWork

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10
_RESET_SALT = "password-reset"
# A fixed hash to verify against when the account does not exist, so that the
# time taken does not reveal whether an email address has an account.
_DUMMY_HASH = hash_password("not-a-real-password-000")
_DUMMY_FINGERPRINT = hashlib.sha256(_DUMMY_HASH.encode()).hexdigest()[:16]


class Throttled(InvalidInput):
    """Too many failed sign-ins for this account or address."""

    status_code = 429


@dataclass(frozen=True)
class SignInFailure:
    message: str
    throttled: bool = False


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"Password must be at least {MIN_PASSWORD_LENGTH} characters long")


def create_user(
    uow: UnitOfWork, email: str, role: str, password: str, display_name: str | None = None
) -> User:
    """Create an account; the email must be new and the role one of ROLES."""
    email = normalise_email(email)
    if role not in ROLES:
        raise InvalidInput(f"role {role!r} is not valid; valid roles are: {', '.join(ROLES)}")
    if "@" not in email:
        raise InvalidInput(f"email {email!r} is not an email address")
    check_password_rules(password)
    user = User(
        email=email,
        role=role,
        display_name=display_name or email.split("@")[0],
        password_hash=hash_password(password),
    )
    with uow:
        session = uow.session
        if session.scalar(select(User.id).where(User.email == email)) is not None:
            raise InvalidInput(f"an account with the email {email!r} already exists")
        session.add(user)
        try:
            session.flush()
        except IntegrityError:
            raise InvalidInput(f"an account with the email {email!r} already exists") from None
    return user


def set_password(uow: UnitOfWork, user_id: int, password: str) -> None:
    """Set a new password and sign the account out everywhere else."""
    check_password_rules(password)
    with uow:
        session = uow.session
        user = session.get(User, user_id)
        if user is None:
            raise InvalidInput(f"there is no account with id {user_id}")
        _apply_new_password(user, password)


def sign_out_everywhere(uow: UnitOfWork, user_id: int) -> None:
    """End every session of the account: cookies issued before now stop working."""
    with uow:
        user = uow.session.get(User, user_id)
        if user is not None:
            user.session_token = new_session_token()


def _apply_new_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.session_token = new_session_token()


def _window(uow: UnitOfWork) -> timedelta:
    return timedelta(minutes=int(uow.settings["LOGIN_WINDOW_MINUTES"]))


def _throttled(uow: UnitOfWork, keys: list[str], what: str, advice: str) -> Throttled:
    minutes = throttle.minutes_to_wait(uow, keys, _window(uow))
    plural = "minute" if minutes == 1 else "minutes"
    return Throttled(f"Too many {what}. Wait {minutes} {plural}, then try again{advice}.")


def authenticate(uow: UnitOfWork, email: str, password: str, address: str) -> User:
    """Return the account if the email and password match; record the attempt either way.

    Each attempt is counted against the account and the address before the password is
    checked (committed at once when this is the outermost unit, so parallel attempts see
    it); a success hands both back. Raises Throttled once either has LOGIN_MAX_FAILURES
    counted in the window, and InvalidInput with one generic message for any other failure.
    """
    email = normalise_email(email)
    limit = int(uow.settings["LOGIN_MAX_FAILURES"])
    keys = [f"sign-in:account:{email}", f"sign-in:address:{address}"]
    with uow:
        if not all(throttle.take(uow, key, limit, _window(uow)) for key in keys):
            error = _throttled(uow, keys, "failed attempts to sign in", ", or reset your password")
            raise error
    now = utcnow()
    with uow:
        session = uow.session
        user = session.scalar(select(User).where(User.email == email))
        valid = verify_password(user.password_hash if user else _DUMMY_HASH, password)
        succeeded = bool(user and valid and user.is_active)
        session.add(
            LoginAttempt(email=email, address=address, succeeded=succeeded, attempted_at=now)
        )
        if succeeded:
            assert user is not None
            user.last_login_at = now
            if password_needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            throttle.clear(uow, keys[0])
            throttle.give_back(uow, keys[1])
    if not succeeded:
        raise InvalidInput("Enter a correct email address and password")
    assert user is not None
    return user


def change_password(
    uow: UnitOfWork, user_id: int, current_password: str, new_password: str
) -> User:
    """Change a password after checking the current one (throttled); signs out everywhere."""
    check_password_rules(new_password)
    key = f"change-password:user:{user_id}"
    with uow:
        if not throttle.take(uow, key, int(uow.settings["LOGIN_MAX_FAILURES"]), _window(uow)):
            raise _throttled(uow, [key], "wrong current passwords", "")
    with uow:
        session = uow.session
        user = session.get(User, user_id)
        if user is None or not verify_password(user.password_hash, current_password):
            raise InvalidInput("Your current password is not correct")
        _apply_new_password(user, new_password)
        throttle.clear(uow, key)
    return user


def _serializer(uow: UnitOfWork) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(uow.settings["SECRET_KEY"], salt=_RESET_SALT)


def _password_fingerprint(user: User) -> str:
    # Part of the token: once the password changes the token no longer matches,
    # which makes every reset link single use.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def request_password_reset(uow: UnitOfWork, email: str, address: str) -> None:
    """Write a reset link to the outbox if the account exists; say nothing either way.

    Throttled per email address and per client address. Both paths do the same work (the
    throttle's writes, the look-up, the token and the message) and differ only in adding
    the message to the outbox, so the time taken does not tell whether an account exists.
    """
    email = normalise_email(email)
    settings = uow.settings
    keys = [
        (f"reset:email:{email}", int(settings["PASSWORD_RESET_MAX_PER_EMAIL"])),
        (f"reset:address:{address}", int(settings["PASSWORD_RESET_MAX_PER_ADDRESS"])),
    ]
    with uow:  # one transaction, so both paths commit the same writes but the outbox row
        if not all(throttle.take(uow, key, limit, _window(uow)) for key, limit in keys):
            raise _throttled(uow, [key for key, _ in keys], "requests to reset a password", "")
        session = uow.session
        user = session.scalar(select(User).where(User.email == email, User.is_active.is_(True)))
        payload = (
            {"uid": user.id, "fp": _password_fingerprint(user)}
            if user
            else {"uid": 0, "fp": _DUMMY_FINGERPRINT}
        )
        token = _serializer(uow).dumps(payload)
        minutes = int(settings["PASSWORD_RESET_MAX_AGE_MINUTES"])
        body = (
            f"Hello {user.display_name if user else email},\n\n"
            "Someone asked to reset the password for your Co-production Panels account. "
            f"To choose a new password, open this link within {minutes} minutes:\n\n"
            f"{external_url(settings, 'auth.reset_password', token=token)}\n\n"
            "If you did not ask for this, you can ignore this message."
        )
        if user is None:
            log.info("password reset asked for an address with no account")
            return
        queue_message(
            uow, recipient=user.email, subject="Reset your password", body=body, user_id=user.id
        )
    if settings.get("MAIL_OUTBOX_ONLY"):
        log.info("password reset message for user %s written to the outbox:\n%s", user.id, body)
    else:
        log.info("password reset message for user %s written to the outbox", user.id)


def user_for_reset_token(uow: UnitOfWork, token: str) -> User:
    """The account a reset token belongs to, if it is genuine, unexpired and unused."""
    max_age = int(uow.settings["PASSWORD_RESET_MAX_AGE_MINUTES"]) * 60
    try:
        payload = _serializer(uow).loads(token, max_age=max_age)
    except SignatureExpired:
        raise InvalidInput("This link has expired. Ask for a new one.") from None
    except BadSignature:
        raise InvalidInput("This link is not valid. Ask for a new one.") from None
    user = uow.session.get(User, payload.get("uid"))
    if user is None or not user.is_active or payload.get("fp") != _password_fingerprint(user):
        raise InvalidInput("This link has already been used. Ask for a new one.")
    return user


def reset_password(uow: UnitOfWork, token: str, new_password: str) -> User:
    """Set a new password from a reset token; the token cannot be used again.

    The new password is written only if the password is still the one the token was made
    for (one conditional UPDATE), so of many requests using one link at once exactly one
    succeeds; the others get "already been used".
    """
    check_password_rules(new_password)
    new_hash = hash_password(new_password)
    with uow:
        user = user_for_reset_token(uow, token)
        written = uow.session.execute(
            update(User)
            .where(User.id == user.id, User.password_hash == user.password_hash)
            .values(
                password_hash=new_hash,
                password_changed_at=utcnow(),
                session_token=new_session_token(),
            )
            .execution_options(synchronize_session=False)
        )
        if written.rowcount != 1:  # type: ignore[attr-defined]
            raise InvalidInput("This link has already been used. Ask for a new one.")
        throttle.clear(uow, f"sign-in:account:{user.email}")
    uow.session.refresh(user)
    return user


def load_user(session: Session, session_id: str) -> User | None:
    """flask-login's loader: the id is '<user id>:<session token>'."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_token != token:
        return None
    return user
