"""The register's part of erasure: the member's row keeps only what is needed to count."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete

from models import Member, MemberAccessNeed, MemberCharacteristic, utcnow
from panels.errors import NotFound
from panels.uow import UnitOfWork


def erase_member_details(uow: UnitOfWork, member_id: int) -> None:
    """Blank the member's name, contact details, date of birth, answers, access needs and
    free text; the row stays as "former member N" with its panels-served count."""
    member = uow.session.get(Member, member_id)
    if member is None:
        raise NotFound(f"there is no member with id {member_id}")
    member.first_name = "Former"
    member.last_name = f"member {member_id}"
    member.preferred_name = None
    member.email = None
    member.phone = None
    member.address = None
    member.postcode = None
    member.preferred_contact = None
    member.date_of_birth = None
    member.referred_by = None
    member.access_needs_notes = None
    member.preferred_times = None
    if member.status != "left" or member.left_on is None:
        member.left_on = date.today()
    member.status = "left"
    member.paused_until = None
    member.consent_contact = False
    member.consent_selection = False
    member.consent_statistics = False
    member.consent_access_needs = False
    member.erased_at = utcnow()
    uow.session.execute(
        delete(MemberCharacteristic).where(MemberCharacteristic.member_id == member_id)
    )
    uow.session.execute(delete(MemberAccessNeed).where(MemberAccessNeed.member_id == member_id))
    uow.session.expire(member, ["characteristics", "access_needs"])
