"""SQLAlchemy models. The schema itself comes only from the Alembic migrations."""

from .base import Base, UTCDateTime, utcnow
from .user import ROLES, LoginAttempt, OutboxMessage, User

__all__ = ["ROLES", "Base", "LoginAttempt", "OutboxMessage", "UTCDateTime", "User", "utcnow"]
