"""Two-factor authentication: TOTP (RFC 6238) codes from an authenticator app, and
single-use recovery codes.

The TOTP secret is stored encrypted (Fernet, with a key derived from SECRET_KEY by HKDF),
so a copy of the database or a backup alone does not give away anyone's codes. Recovery
codes are stored as HMAC-SHA256 digests under another key derived the same way (they are
random, so a slow password hash would add nothing but time). Changing SECRET_KEY therefore
makes every enrolment unusable: an administrator then resets two-factor for each account.

A code is accepted for the current 30-second step or the one either side, and never for a
step at or before the last one accepted (one conditional UPDATE), so a code seen over
someone's shoulder cannot be used again. Attempts are throttled like passwords.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, func, or_, select, update

from models import RecoveryCode, User, utcnow
from models.user import new_session_token
from panels import audit
from panels.auth import throttle
from panels.errors import InvalidInput
from panels.uow import UnitOfWork

ISSUER = "Co-production Panels"
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
_STEP_SECONDS = 30


class CodeThrottled(InvalidInput):
    status_code = 429


@dataclass(frozen=True)
class Enrolment:
    """What the set-up page shows: the secret (grouped for reading aloud) and a QR code."""

    secret: str
    uri: str
    qr_data_uri: str

    @property
    def grouped_secret(self) -> str:
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))


def required(user: User, settings: Mapping[str, Any]) -> bool:
    """Whether this account must use two-factor authentication to sign in."""
    return user.role in settings["TWO_FACTOR_REQUIRED_ROLES"] and not user.two_factor_exempt


def asks_for_code(user: User, settings: Mapping[str, Any]) -> bool:
    """Whether signing in needs a second step (a code, or setting two-factor up first)."""
    return user.has_two_factor or required(user, settings)


def _derived_key(settings: Mapping[str, Any], purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        str(settings["SECRET_KEY"]).encode()
    )


def _fernet(settings: Mapping[str, Any]) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derived_key(settings, b"panels totp secret v1")))


def _secret_of(settings: Mapping[str, Any], user: User) -> str:
    if user.totp_secret is None:
        raise InvalidInput("Two-factor authentication is not set up for this account")
    try:
        return _fernet(settings).decrypt(user.totp_secret.encode()).decode()
    except InvalidToken:
        raise InvalidInput(
            "This account's two-factor set-up cannot be read (the service's SECRET_KEY has "
            "changed). Ask an administrator to reset your two-factor authentication."
        ) from None


def _recovery_hash(settings: Mapping[str, Any], code: str) -> str:
    key = _derived_key(settings, b"panels recovery codes v1")
    return hmac.new(key, normalise_code(code).encode(), hashlib.sha256).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _user(uow: UnitOfWork, user_id: int) -> User:
    user = uow.session.get(User, user_id)
    if user is None:
        raise InvalidInput(f"there is no account with id {user_id}")
    return user


def begin_enrolment(uow: UnitOfWork, user_id: int, secret: str | None = None) -> Enrolment:
    """Make (or keep, if set-up was started already) a secret for an account to confirm."""
    with uow:
        user = _user(uow, user_id)
        if user.has_two_factor:
            raise InvalidInput("Two-factor authentication is already set up for this account")
        if secret is None and user.totp_secret is not None:
            secret = _secret_of(uow.settings, user)
        secret = secret or pyotp.random_base32()
        user.totp_secret = _fernet(uow.settings).encrypt(secret.encode()).decode()
        user.totp_last_step = None
        email = user.email
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
    qr = segno.make(uri, error="m")
    return Enrolment(secret, uri, qr.svg_data_uri(scale=5, border=4, title="QR code"))


def _take_attempt(uow: UnitOfWork, user_id: int) -> str:
    key = f"two-factor:user:{user_id}"
    window = timedelta(minutes=int(uow.settings["LOGIN_WINDOW_MINUTES"]))
    with uow:
        if not throttle.take(uow, key, int(uow.settings["LOGIN_MAX_FAILURES"]), window):
            minutes = throttle.minutes_to_wait(uow, [key], window)
            raise CodeThrottled(
                f"Too many wrong codes. Wait {minutes} minute{'s' if minutes != 1 else ''}, "
                "then try again."
            )
    return key


def _accept_totp(uow: UnitOfWork, user: User, code: str) -> bool:
    """Whether ``code`` is a fresh TOTP code for ``user``; remembers its time step if so."""
    digits = "".join(ch for ch in code if ch.isdigit())
    if len(digits) != 6 or len(digits) != len(normalise_code(code)):
        return False
    totp = pyotp.TOTP(_secret_of(uow.settings, user))
    now = time.time()
    for drift in (0, -1, 1):
        at = now + drift * _STEP_SECONDS
        if hmac.compare_digest(totp.at(at), digits):
            step = int(at // _STEP_SECONDS)
            fresh = uow.session.execute(
                update(User)
                .where(
                    User.id == user.id,
                    or_(User.totp_last_step.is_(None), User.totp_last_step < step),
                )
                .values(totp_last_step=step)
                .execution_options(synchronize_session=False)
            )
            return fresh.rowcount == 1  # type: ignore[attr-defined]
    return False


def _accept_recovery_code(uow: UnitOfWork, user: User, code: str) -> bool:
    used = uow.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_hash(uow.settings, code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return used.rowcount == 1  # type: ignore[attr-defined]


def _new_recovery_codes(uow: UnitOfWork, user: User) -> list[str]:
    uow.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        uow.session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(uow.settings, raw)))
    return codes


_WRONG_CODE = "Enter the current code from your authenticator app, or an unused recovery code"


def confirm_enrolment(uow: UnitOfWork, user_id: int, code: str) -> list[str]:
    """Turn two-factor on once the first code matches; returns the recovery codes, once."""
    key = _take_attempt(uow, user_id)
    with uow:
        user = _user(uow, user_id)
        if user.has_two_factor:
            raise InvalidInput("Two-factor authentication is already set up for this account")
        if not _accept_totp(uow, user, code):
            raise InvalidInput("Enter the 6-digit code your authenticator app shows now")
        user.two_factor_enabled_at = utcnow()
        codes = _new_recovery_codes(uow, user)
        throttle.clear(uow, key)
        audit.record(uow, "two_factor_enabled", "user", user.id)
    return codes


def check_code(uow: UnitOfWork, user_id: int, code: str) -> bool:
    """Check the second step of a sign-in; True if a recovery code was used up.

    Raises InvalidInput for a wrong, used or replayed code and CodeThrottled after too many.
    """
    key = _take_attempt(uow, user_id)
    with uow:
        user = _user(uow, user_id)
        if not user.has_two_factor:
            raise InvalidInput("Two-factor authentication is not set up for this account")
        if _accept_totp(uow, user, code):
            used_recovery = False
        elif _accept_recovery_code(uow, user, code):
            used_recovery = True
            audit.record(uow, "recovery_code_used", "user", user.id)
        else:
            raise InvalidInput(_WRONG_CODE)
        throttle.clear(uow, key)
    return used_recovery


def recovery_codes_left(uow: UnitOfWork, user_id: int) -> int:
    return (
        uow.session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def renew_recovery_codes(uow: UnitOfWork, user_id: int, code: str) -> list[str]:
    """New recovery codes (the old ones stop working), after a current code."""
    check_code(uow, user_id, code)
    with uow:
        user = _user(uow, user_id)
        codes = _new_recovery_codes(uow, user)
        audit.record(uow, "recovery_codes_renewed", "user", user.id)
    return codes


def turn_off(uow: UnitOfWork, user_id: int, code: str) -> None:
    """Stop using two-factor, after a current code; only where the role does not need it."""
    with uow:
        user = _user(uow, user_id)
        if required(user, uow.settings):
            raise InvalidInput(
                f"Two-factor authentication is required for the {user.role_name.lower()} "
                "role, so it cannot be turned off"
            )
    check_code(uow, user_id, code)
    with uow:
        _clear(uow, _user(uow, user_id))
        audit.record(uow, "two_factor_disabled", "user", user_id)


def _clear(uow: UnitOfWork, user: User) -> None:
    user.totp_secret = None
    user.two_factor_enabled_at = None
    user.totp_last_step = None
    uow.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def reset_two_factor(uow: UnitOfWork, user_id: int) -> User:
    """An administrator's reset: two-factor is cleared and the account signed out everywhere;
    the next sign-in sets it up again where the role requires it."""
    with uow:
        user = _user(uow, user_id)
        _clear(uow, user)
        user.two_factor_exempt = False
        user.session_token = new_session_token()
        throttle.clear(uow, f"two-factor:user:{user.id}")
        audit.record(uow, "two_factor_reset", "user", user.id, email=user.email)
    return user
