"""Demo data: one account per role (and, as features arrive, the data they need)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select

from models import User
from panels import db
from panels.auth.service import _apply_new_password, check_password_rules, normalise_email
from panels.security import hash_password

DEMO_ACCOUNTS = (
    ("admin@demo.example", "admin", "Alex Admin"),
    ("manager@demo.example", "manager", "Morgan Manager"),
    ("lead@demo.example", "lead", "Lee Lead"),
    ("member@demo.example", "member", "Mo Member"),
)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    password: str


def seed_demo_accounts(password: str | None = None) -> list[DemoAccount]:
    """Create (or reset) the demo accounts; a random password each unless one is given."""
    if password is not None:
        check_password_rules(password)
    created = []
    with db.transaction() as session:
        for email, role, name in DEMO_ACCOUNTS:
            email = normalise_email(email)
            account_password = password or secrets.token_urlsafe(12)
            user = session.scalar(select(User).where(User.email == email))
            if user is None:
                session.add(
                    User(
                        email=email,
                        role=role,
                        display_name=name,
                        password_hash=hash_password(account_password),
                    )
                )
            else:
                user.role = role
                user.is_active = True
                _apply_new_password(user, account_password)
            created.append(DemoAccount(email, role, account_password))
    return created
