"""SQLAlchemy models. The schema itself comes only from the Alembic migrations."""

from .base import Base, UTCDateTime, utcnow
from .job import FINISHED_STATUSES, JOB_STATUSES, Job
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
from .user import ROLES, LoginAttempt, OutboxMessage, RecoveryCode, ThrottleCounter, User

__all__ = [
    "ACCESS_NEEDS",
    "CONSENT_METHODS",
    "CONSENT_PURPOSES",
    "CONTACT_METHODS",
    "FINISHED_STATUSES",
    "JOB_STATUSES",
    "JOINED_VIA",
    "MEMBER_STATUSES",
    "ROLES",
    "AuditEvent",
    "Base",
    "Category",
    "ConsentRecord",
    "ConsentWording",
    "Dimension",
    "Job",
    "LoginAttempt",
    "Member",
    "MemberAccessNeed",
    "MemberCharacteristic",
    "OutboxMessage",
    "RecoveryCode",
    "ThrottleCounter",
    "Page",
    "UTCDateTime",
    "User",
    "utcnow",
]
