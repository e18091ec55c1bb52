"""Demo data: one account per role (and, as features arrive, the data they need)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select

from models import User
from panels.auth.service import _apply_new_password, check_password_rules, normalise_email
from panels.errors import InvalidInput
from panels.security import hash_password
from panels.uow import UnitOfWork

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


def seed_demo_accounts(uow: UnitOfWork, password: str | None = None) -> list[DemoAccount]:
    """Create (or reset) the demo accounts; a random password each unless one is given.

    They are the only accounts marked ``two_factor_exempt``, so that a newcomer can try each
    role at once; the accounts page shows the mark and resetting two-factor removes it.
    """
    if password is not None:
        check_password_rules(password)
    created = []
    with uow:
        session = uow.session
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
                        two_factor_exempt=True,
                    )
                )
            else:
                user.role = role
                user.is_active = True
                user.two_factor_exempt = True
                _apply_new_password(user, account_password)
            created.append(DemoAccount(email, role, account_password))
    return created


def seed_demo_members(uow: UnitOfWork, count: int | None = None, seed: int | None = None) -> int:
    """Add the synthetic demo members (and demo local areas) unless they are already there.

    Returns how many members were added.
    """
    import numpy as np
    from sqlalchemy import func

    from models import Category, Dimension, Member
    from panels import audit
    from panels.demo_register import (
        DEMO_AREAS,
        DEMO_EMAIL_DOMAIN,
        DEMO_MEMBERS,
        DEMO_SEED,
        generate_members,
    )
    from panels.register.members import (
        CONSENT_PURPOSES,
        InvalidMember,
        apply_member,
        check_member,
        set_consent,
    )
    from panels.register.taxonomy import load_taxonomy

    count = DEMO_MEMBERS if count is None else count
    seed = DEMO_SEED if seed is None else seed
    with uow:
        session = uow.session
        area = session.scalar(select(Dimension).where(Dimension.key == "local_area"))
        if area is None:
            raise InvalidInput(
                "the taxonomy has no local_area question; run `panels db upgrade` first"
            )
        have = {c.code for c in area.categories}
        for position, name in enumerate(DEMO_AREAS):
            if name not in have:
                session.add(
                    Category(dimension_id=area.id, code=name, label=name, position=position)
                )
        already = session.scalar(
            select(func.count())
            .select_from(Member)
            .where(Member.email.like(f"%@{DEMO_EMAIL_DOMAIN}"))
        )
    if already:
        return 0
    rng = np.random.default_rng(seed + 1)
    members = generate_members(count, seed)
    with uow:
        session = uow.session
        taxonomy = load_taxonomy(session)
        for data in members:
            problems = check_member(data, taxonomy)
            if problems:
                raise InvalidMember(problems)
            served = int(min(rng.geometric(0.45) - 1, 12)) if rng.random() > 0.45 else 0
            member = Member(panels_served=served)
            session.add(member)
            apply_member(session, member, data, taxonomy)
            session.flush()
            for purpose in CONSENT_PURPOSES:
                set_consent(session, member, purpose, data.consents[purpose], "online", None)
        audit.record(uow, "import", "member", None, len(members), source="demo data", seed=seed)
    return len(members)
