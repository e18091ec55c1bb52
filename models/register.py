"""The people register: members, their characteristics (taxonomy as data), consent, audit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow

MEMBER_STATUSES = {"active": "Active", "paused": "Paused", "left": "Left"}
JOINED_VIA = {
    "self": "Registered themselves",
    "staff": "Added by staff",
    "partner": "Referred by a partner organisation",
}
CONTACT_METHODS = {"email": "Email", "phone": "Phone call", "text": "Text message", "post": "Post"}
CONSENT_PURPOSES = {
    "contact": "Contact me about opportunities to take part",
    "selection": "Use my equality information to select people for panels",
    "statistics": "Use my equality information in anonymous statistics",
    "access_needs": "Keep a record of my communication and access needs",
}
CONSENT_METHODS = {
    "online": "Online",
    "paper": "Paper form",
    "phone": "Phone",
    "in_person": "In person",
    "import": "Imported file",
}
ACCESS_NEEDS = {
    "easy_read": "Easy Read",
    "large_print": "Large print",
    "braille": "Braille",
    "audio": "Audio or recorded information",
    "bsl": "British Sign Language interpreter",
    "lipspeaker": "Lipspeaker or speech-to-text reporter",
    "hearing_loop": "Hearing loop",
    "step_free": "Step-free access",
    "accessible_toilet": "Accessible toilet",
    "companion": "Someone to come with me (a carer, supporter or advocate)",
    "breaks": "Regular breaks",
    "quiet_space": "A quiet space",
    "online_only": "Taking part online only",
    "translation": "An interpreter or translated information (not BSL)",
}
"""Communication and access needs, after the Accessible Information Standard."""


def _check_in(column: str, values: Iterable[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Dimension(Base):
    """A characteristic (ethnicity, sex, local area...) and its published question."""

    __tablename__ = "dimensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text)
    why_asked: Mapped[str] = mapped_column(Text, default="")
    multiple: Mapped[bool] = mapped_column(Boolean, default=False)
    special_category: Mapped[bool] = mapped_column(Boolean, default=False)
    extensible: Mapped[bool] = mapped_column(Boolean, default=False)
    """Whether an import may add new answers (categories) to it, such as a new local area."""
    derived_from: Mapped[str | None] = mapped_column(String(64), nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(Text, default="")
    taxonomy_version: Mapped[str] = mapped_column(String(32), default="")

    categories: Mapped[list[Category]] = relationship(
        back_populates="dimension",
        order_by="Category.position",
        foreign_keys="Category.dimension_id",
    )

    @property
    def is_derived(self) -> bool:
        return self.derived_from is not None


class Category(Base):
    """One answer to a dimension's question; may roll up to a category of another dimension."""

    __tablename__ = "categories"
    __table_args__ = (
        UniqueConstraint("dimension_id", "code", name="uq_categories_dimension_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dimension_id: Mapped[int] = mapped_column(ForeignKey("dimensions.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    prefer_not_to_say: Mapped[bool] = mapped_column(Boolean, default=False)
    rolls_up_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL"), nullable=True
    )
    min_age: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_age: Mapped[int | None] = mapped_column(Integer, nullable=True)

    dimension: Mapped[Dimension] = relationship(
        back_populates="categories", foreign_keys=[dimension_id]
    )
    rolls_up_to: Mapped[Category | None] = relationship(remote_side=[id])


class Member(Base):
    """A person with lived experience on the register."""

    __tablename__ = "members"
    __table_args__ = (
        CheckConstraint(_check_in("status", MEMBER_STATUSES), name="status_valid"),
        CheckConstraint(_check_in("joined_via", JOINED_VIA), name="joined_via_valid"),
        CheckConstraint(
            f"preferred_contact IS NULL OR {_check_in('preferred_contact', CONTACT_METHODS)}",
            name="preferred_contact_valid",
        ),
        CheckConstraint("email IS NULL OR email = lower(email)", name="email_lowercase"),
        CheckConstraint("panels_served >= 0", name="panels_served_not_negative"),
        Index("ix_members_last_first", "last_name", "first_name"),
        Index("ix_members_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    preferred_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True, nullable=True)
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    address: Mapped[str | None] = mapped_column(Text, nullable=True)
    postcode: Mapped[str | None] = mapped_column(String(10), nullable=True)
    preferred_contact: Mapped[str | None] = mapped_column(String(10), nullable=True)
    date_of_birth: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="active")
    paused_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    # The day the member's status last became "left" (None while they have not left), so
    # that reports can count leavers by quarter.
    left_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    joined_via: Mapped[str] = mapped_column(String(10), default="staff")
    referred_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    access_needs_notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    preferred_times: Mapped[str | None] = mapped_column(Text, nullable=True)
    panels_served: Mapped[int] = mapped_column(Integer, default=0)
    # Current consent, kept in step with consent_records by the consent service so that
    # the register can be filtered on it quickly; consent_records is the evidence.
    consent_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_selection: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_statistics: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_access_needs: Mapped[bool] = mapped_column(Boolean, default=False)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True, nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Set when the member's personal details were removed at their request (panels.erasure);
    # the row stays, as "former member N", so that panels and payments still add up.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    characteristics: Mapped[list[MemberCharacteristic]] = relationship(
        back_populates="member", cascade="all, delete-orphan"
    )
    access_needs: Mapped[list[MemberAccessNeed]] = relationship(
        back_populates="member", cascade="all, delete-orphan"
    )

    @property
    def display_name(self) -> str:
        if self.erased_at is not None:
            return f"Former member {self.id}"
        return f"{self.preferred_name or self.first_name} {self.last_name}"

    def age_on(self, day: date) -> int | None:
        if self.date_of_birth is None:
            return None
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class MemberCharacteristic(Base):
    """A member's answer: one row per category chosen (several for multi-answer dimensions).

    The category determines the dimension, so the dimension is not stored again here."""

    __tablename__ = "member_characteristics"
    __table_args__ = (
        Index("ix_member_characteristics_category_member", "category_id", "member_id"),
    )

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True
    )

    member: Mapped[Member] = relationship(back_populates="characteristics")
    category: Mapped[Category] = relationship()


class MemberAccessNeed(Base):
    __tablename__ = "member_access_needs"
    __table_args__ = (CheckConstraint(_check_in("need", ACCESS_NEEDS), name="need_valid"),)

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    need: Mapped[str] = mapped_column(String(32), primary_key=True)

    member: Mapped[Member] = relationship(back_populates="access_needs")


class ConsentWording(Base):
    """The words shown when consent was asked for; versioned, never edited in place."""

    __tablename__ = "consent_wordings"
    __table_args__ = (
        UniqueConstraint("purpose", "version", name="uq_consent_wordings_purpose_version"),
        CheckConstraint(_check_in("purpose", CONSENT_PURPOSES), name="purpose_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsentRecord(Base):
    """Evidence of one decision: given or withdrawn, when, how, by whom, under which wording."""

    __tablename__ = "consent_records"
    __table_args__ = (
        CheckConstraint(_check_in("purpose", CONSENT_PURPOSES), name="purpose_valid"),
        CheckConstraint(_check_in("method", CONSENT_METHODS), name="method_valid"),
        Index("ix_consent_records_member_purpose", "member_id", "purpose", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(20))
    given: Mapped[bool] = mapped_column(Boolean)
    method: Mapped[str] = mapped_column(String(10))
    wording_id: Mapped[int] = mapped_column(ForeignKey("consent_wordings.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    wording: Mapped[ConsentWording] = relationship()


class AuditEvent(Base):
    """Who did what to which records, and when: views of special-category data, exports,
    imports, changes."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_at", "at"),
        Index("ix_audit_events_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    record_count: Mapped[int] = mapped_column(Integer, default=1)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
