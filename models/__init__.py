"""SQLAlchemy models. The schema itself comes only from the Alembic migrations."""

from .base import Base, UTCDateTime, utcnow
from .pages import Page
from .register import (
    ACCESS_NEEDS,
    CONSENT_METHODS,
    CONSENT_PURPOSES,
    CONTACT_METHODS,
    JOINED_VIA,
    MEMBER_STATUSES,
    AuditEvent,
    Category,
    ConsentRecord,
    ConsentWording,
    Dimension,
    Member,
    MemberAccessNeed,
    MemberCharacteristic,
)
from .user import ROLES, LoginAttempt, OutboxMessage, User

__all__ = [
    "ACCESS_NEEDS",
    "CONSENT_METHODS",
    "CONSENT_PURPOSES",
    "CONTACT_METHODS",
    "JOINED_VIA",
    "MEMBER_STATUSES",
    "ROLES",
    "AuditEvent",
    "Base",
    "Category",
    "ConsentRecord",
    "ConsentWording",
    "Dimension",
    "LoginAttempt",
    "Member",
    "MemberAccessNeed",
    "MemberCharacteristic",
    "OutboxMessage",
    "Page",
    "UTCDateTime",
    "User",
    "utcnow",
]
