"""Inviting the people drawn, their answers, reminders and deadlines, confirming the panel,
and its meetings.

Invitations go out in each member's preferred way and format (Accessible Information
Standard): email with a signed link; a letter or a phone call, which become tasks for staff
with the letter to print or a script to read. A member answers through the link (no account
needed; the link works once) or staff record the answer for them. Seats are counted under a
lock on the project row, so two people saying yes to the last seat at once get one seat and
one place on the reserve list.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from models import (
    Attendance,
    Draw,
    Invitation,
    Meeting,
    Member,
    PanelSnapshot,
    Project,
    User,
    utcnow,
)
from panels import audit
from panels.errors import InvalidInput, NotAllowed, NotFound
from panels.links import external_url
from panels.mail import queue_message
from panels.projects.pool import build_pool
from panels.projects.service import get_project, target_shares
from panels.register.taxonomy import load_taxonomy
from panels.text import reject_control_characters
from panels.uow import UnitOfWork
from representativeness import GapAnalysis, gap_analysis

TOKEN_SALT = "invitation-answer"
TOKEN_MAX_AGE = 120 * 24 * 60 * 60
REMIND_DAYS_BEFORE = 3
OPEN = ("invited",)
ANSWERS = ("accept", "decline", "question")
LinkFor = Callable[[str], str]


def answer_link(settings: Mapping[str, Any]) -> LinkFor:
    """Links in messages start with the configured base URL, never the request's host."""
    return lambda token: external_url(settings, "invitation.answer", token=token)


def _serializer(uow: UnitOfWork) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(uow.settings["SECRET_KEY"]), salt=TOKEN_SALT)


def token_for(uow: UnitOfWork, invitation: Invitation) -> str:
    if not invitation.token_nonce:
        invitation.token_nonce = secrets.token_urlsafe(16)
    return _serializer(uow).dumps({"i": invitation.id, "n": invitation.token_nonce})


def channel_and_format(member: Member) -> tuple[str, str]:
    """How to reach a member, and in which format, from what the register records."""
    needs = {n.need for n in member.access_needs}
    fmt = (
        "easy_read"
        if "easy_read" in needs
        else "large_print"
        if "large_print" in needs
        else "standard"
    )
    preferred = member.preferred_contact
    if preferred == "post" and member.address:
        return "post", fmt
    if preferred in ("phone", "text") and member.phone:
        return "phone", fmt
    if member.email and preferred in (None, "email"):
        return "email", fmt
    if member.email:
        return "email", fmt
    if member.phone:
        return "phone", fmt
    return "post", fmt


def _when(day: date | None) -> str:
    return day.strftime("%-d %B %Y") if day else "to be arranged"


def invitation_text(
    project: Project, member: Member, fmt: str, link: str | None, deadline: date
) -> str:
    """The invitation in the member's format: standard, or Easy Read (short sentences)."""
    name = member.display_name
    if fmt == "easy_read":
        lines = [
            f"Hello {name},",
            "",
            "We would like you to join a group.",
            "The group helps us make a service better.",
            "",
            f"The group is about: {project.title}.",
            f"What it is for: {project.purpose}",
            f"The first meeting is on: {_when(project.first_meeting)}.",
            "",
            "We will pay you for your time.",
            "We will pay for your travel.",
            "We can help you take part. Tell us what you need.",
            "",
            f"Please tell us yes or no by {_when(deadline)}.",
        ]
        if link:
            lines += ["", "To answer, open this link:", link]
        else:
            lines += ["", "To answer, phone us or send back the form with this letter."]
        lines += ["", "You do not have to say yes.", "Saying no is fine."]
        return "\n".join(lines)
    lines = [
        f"Dear {name},",
        "",
        f"You have been chosen by a fair lottery to be invited onto the co-production panel "
        f"for “{project.title}”.",
        "",
        project.purpose,
        "",
        f"First meeting: {_when(project.first_meeting)}.",
        "You will be paid for your time and your expenses will be repaid. Tell us about any "
        "support you need to take part (for example an interpreter, large print, step-free "
        "access or someone to come with you).",
        "",
        f"Please let us know by {_when(deadline)} whether you would like to take part.",
    ]
    if link:
        lines += ["", "Answer here (no account needed):", link]
    else:
        lines += ["", "To answer, phone us or return the reply slip."]
    lines += ["", "Saying no is fine and will not affect any care or support you receive."]
    return "\n".join(lines)


def phone_script(project: Project, member: Member, deadline: date) -> str:
    return "\n".join(
        [
            f"Ask for {member.display_name}. Say who you are and where you are calling from.",
            f"Say: “You have been chosen by a fair lottery to be invited to a panel about "
            f"{project.title}.”",
            f"Explain what it is for: {project.purpose}",
            f"Say when the first meeting is: {_when(project.first_meeting)}.",
            "Say they will be paid for their time, and their expenses repaid.",
            "Ask what support they would need to take part.",
            f"Ask if they would like to take part. If they need time, ask them to let you "
            f"know by {_when(deadline)}.",
            "Say that saying no is fine and will not affect their care or support.",
            "Record their answer on the panel page.",
        ]
    )


@dataclass(frozen=True)
class InviteResult:
    emailed: int
    tasks: int


def send_invitations(
    uow: UnitOfWork, project_id: int, link_for: LinkFor, today: date | None = None
) -> InviteResult:
    """Invite everyone on the shortlist: email with a link, or a task for staff."""
    today = today or date.today()
    emailed = tasks = 0
    with uow:
        project = get_project(uow, project_id, for_update=True)
        if project.confirmed_at is not None:
            raise NotAllowed("The panel is confirmed; there is no one left to invite.")
        rows = uow.session.execute(
            select(Invitation, Member)
            .join(Member, Member.id == Invitation.member_id)
            .where(Invitation.project_id == project.id, Invitation.status == "shortlisted")
        ).all()
        if not rows:
            raise InvalidInput("There is no one on the shortlist to invite")
        deadline = today + timedelta(days=project.response_days)
        for invitation, member in rows:
            channel, fmt = channel_and_format(member)
            invitation.status = "invited"
            invitation.channel, invitation.format = channel, fmt
            invitation.deadline = deadline
            uow.session.flush()
            if channel == "email":
                link = link_for(token_for(uow, invitation))
                queue_message(
                    uow,
                    recipient=member.email or "",
                    subject=f"You are invited: {project.title}",
                    body=invitation_text(project, member, fmt, link, deadline),
                    member_id=member.id,
                )
                invitation.invited_at = utcnow()
                emailed += 1
            else:
                token_for(uow, invitation)
                tasks += 1
        if project.status == "planning":
            project.status = "recruiting"
        audit.record(
            uow,
            "invite",
            "project",
            project.id,
            emailed=emailed,
            tasks=tasks,
            record_count=len(rows),
        )
    return InviteResult(emailed, tasks)


def mark_contacted(uow: UnitOfWork, invitation_id: int) -> None:
    """Staff say the letter was posted or the call was made."""
    with uow:
        invitation = _invitation(uow, invitation_id, lock_project=True)
        if invitation.status != "invited" or invitation.channel == "email":
            raise InvalidInput("Only letters and phone calls still to do can be marked as done")
        invitation.invited_at = utcnow()
        audit.record(
            uow,
            "invite",
            "project",
            invitation.project_id,
            contacted=invitation.member_id,
            channel=invitation.channel,
        )


def _invitation(uow: UnitOfWork, invitation_id: int, *, lock_project: bool) -> Invitation:
    invitation = uow.session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound(f"There is no invitation with id {invitation_id}.")
    if lock_project:
        get_project(uow, invitation.project_id, for_update=True)
        uow.session.refresh(invitation)
    return invitation


def invitation_for_token(uow: UnitOfWork, token: str) -> Invitation:
    """The invitation a link belongs to, if the link is genuine and not yet used."""
    try:
        data = _serializer(uow).loads(token, max_age=TOKEN_MAX_AGE)
    except SignatureExpired:
        raise InvalidInput("This link has expired. Please contact us to answer.") from None
    except BadSignature:
        raise NotFound("This link is not valid. Check you copied all of it.") from None
    invitation = uow.session.get(Invitation, data.get("i"))
    if invitation is None or not invitation.token_nonce or invitation.token_nonce != data.get("n"):
        raise InvalidInput(
            "This link has already been used to answer. If you want to change your answer, "
            "please contact us."
        )
    return invitation


def _accept(uow: UnitOfWork, project: Project, invitation: Invitation) -> str:
    taken = (
        uow.session.scalar(
            select(func.count())
            .select_from(Invitation)
            .where(Invitation.project_id == project.id, Invitation.status == "accepted")
        )
        or 0
    )
    if project.panel_size and taken >= project.panel_size:
        invitation.status = "reserve"
        return "reserve"
    invitation.status = "accepted"
    return "accepted"


def answer(
    uow: UnitOfWork,
    invitation_id: int,
    choice: str,
    *,
    reason: str = "",
    question: str = "",
) -> str:
    """Record a member's answer (accept, decline or a question); returns the new status."""
    if choice not in ANSWERS:
        raise InvalidInput(f"answer {choice!r} is not one of: {', '.join(ANSWERS)}")
    reject_control_characters("reason", reason)
    reject_control_characters("question", question)
    with uow:
        # The project's row lock first, then the invitation as it is now, under that lock.
        invitation = _invitation(uow, invitation_id, lock_project=True)
        project = get_project(uow, invitation.project_id)
        if project.confirmed_at is not None and choice != "question":
            raise NotAllowed("The panel has been confirmed, so answers can no longer change it.")
        if choice == "question":
            if not question.strip():
                raise InvalidInput("Write your question")
            invitation.question = question.strip()[:2000]
            status = invitation.status
            owner = uow.session.get(User, project.owner_id) if project.owner_id else None
            if owner is not None:
                queue_message(
                    uow,
                    recipient=owner.email,
                    subject=f"A question about the invitation to {project.title}",
                    body=(
                        f"Someone invited to the panel for “{project.title}” asked:\n\n"
                        f"{invitation.question}\n\nSee the panel page to answer them."
                    ),
                    user_id=owner.id,
                )
        else:
            if invitation.status not in ("invited", "no_answer", "replaced"):
                raise InvalidInput("This invitation has already been answered.")
            if choice == "accept":
                status = _accept(uow, project, invitation)
            else:
                invitation.status = status = "declined"
                invitation.reason = reason.strip()[:2000]
            invitation.token_nonce = None
            invitation.responded_at = utcnow()
        audit.record(
            uow,
            "answer_invitation",
            "project",
            project.id,
            member=invitation.member_id,
            answer=choice,
            status=status,
        )
    return status


def record_answer_for_member(
    uow: UnitOfWork, invitation_id: int, choice: str, reason: str = ""
) -> str:
    """Staff record an answer given by phone, letter or in person."""
    return answer(uow, invitation_id, choice, reason=reason)


def withdraw(uow: UnitOfWork, invitation_id: int, reason: str = "") -> None:
    """Someone who had accepted leaves the panel before it is confirmed."""
    reject_control_characters("reason", reason)
    with uow:
        invitation = _invitation(uow, invitation_id, lock_project=True)
        if invitation.status != "accepted":
            raise InvalidInput("Only someone who accepted can withdraw")
        invitation.status = "withdrawn"
        invitation.reason = reason.strip()
        audit.record(
            uow,
            "answer_invitation",
            "project",
            invitation.project_id,
            member=invitation.member_id,
            answer="withdraw",
            status="withdrawn",
        )


@dataclass(frozen=True)
class Tick:
    reminded: int
    expired: int


def remind_and_expire(uow: UnitOfWork, link_for: LinkFor, today: date | None = None) -> Tick:
    """Send the one reminder before a deadline, and mark answers not given by it."""
    today = today or date.today()
    reminded = expired = 0
    with uow:
        rows = uow.session.execute(
            select(Invitation, Member, Project)
            .join(Member, Member.id == Invitation.member_id)
            .join(Project, Project.id == Invitation.project_id)
            .where(Invitation.status == "invited", Project.confirmed_at.is_(None))
            .with_for_update(of=Invitation)
        ).all()
        for invitation, member, project in rows:
            if invitation.deadline is None:
                continue
            if invitation.deadline < today:
                invitation.status = "no_answer"
                expired += 1
                continue
            due = invitation.deadline - timedelta(days=REMIND_DAYS_BEFORE)
            if (
                invitation.channel == "email"
                and invitation.reminded_at is None
                and invitation.invited_at is not None
                and today >= due
                and member.email
            ):
                link = link_for(token_for(uow, invitation))
                queue_message(
                    uow,
                    recipient=member.email,
                    subject=f"Reminder: please answer by {_when(invitation.deadline)}",
                    body=invitation_text(
                        project, member, invitation.format, link, invitation.deadline
                    ),
                    member_id=member.id,
                )
                invitation.reminded_at = utcnow()
                reminded += 1
        if reminded or expired:
            audit.record(uow, "invite", "project", None, reminded=reminded, expired=expired)
    return Tick(reminded, expired)


# --- confirmation ---------------------------------------------------------------------------


def seat_counts(uow: UnitOfWork, project_id: int) -> Counter[str]:
    return Counter(
        dict(
            uow.session.execute(
                select(Invitation.status, func.count())
                .where(Invitation.project_id == project_id)
                .group_by(Invitation.status)
            ).all()
        )
    )


def _gap_json(gap: GapAnalysis) -> dict[str, Any]:
    return {
        "n": gap.n,
        "unknown": gap.unknown,
        "pvalue": None if gap.pvalue != gap.pvalue else gap.pvalue,
        "method": gap.method,
        "categories": [
            {
                "category": c.category,
                "observed": c.observed,
                "target_share": c.target_share,
                "min_seats": c.min_seats,
                "max_seats": c.max_seats,
                "shortfall": c.shortfall,
                "excess": c.excess,
            }
            for c in gap.categories
        ],
    }


def confirm_panel(uow: UnitOfWork, project_id: int, today: date | None = None) -> PanelSnapshot:
    """Confirm the panel: keep an immutable snapshot, and count the panel in members' history."""
    today = today or date.today()
    with uow:
        project = get_project(uow, project_id, for_update=True)
        if project.confirmed_at is not None:
            raise NotAllowed("The panel is already confirmed.")
        counts = seat_counts(uow, project.id)
        if counts.get("invited") or counts.get("shortlisted"):
            raise InvalidInput(
                f"{counts.get('invited', 0) + counts.get('shortlisted', 0)} people have not "
                "answered yet; wait for their answers (or their deadline) before confirming"
            )
        accepted_ids = list(
            uow.session.scalars(
                select(Invitation.member_id).where(
                    Invitation.project_id == project.id, Invitation.status == "accepted"
                )
            )
        )
        if not accepted_ids:
            raise InvalidInput("No one has accepted yet, so there is no panel to confirm")
        taxonomy = load_taxonomy(uow.session)
        dims = list(project.target.chosen if project.target else ())
        pool = build_pool(uow.session, project, taxonomy, dims, today, member_ids=accepted_ids)
        members = pool.frame.to_dict("records")
        composition = {d: dict(pool.counts(d)) for d in dims}
        shares = target_shares(project)
        gaps = {}
        for key in dims:
            if key in shares:
                counts_known = {c: composition[key].get(c, 0) for c in shares[key]}
                unknown = sum(v for c, v in composition[key].items() if c not in shares[key])
                gaps[key] = _gap_json(gap_analysis(counts_known, shares[key], unknown=unknown))
        draw_ids = list(
            uow.session.scalars(
                select(Draw.id).where(Draw.project_id == project.id).order_by(Draw.number)
            )
        )
        snapshot = PanelSnapshot(
            project_id=project.id,
            members=members,
            composition=composition,
            gaps=gaps,
            draw_ids=draw_ids,
            confirmed_by=uow.actor.name,
            confirmed_by_id=uow.actor.user_id,
        )
        uow.session.add(snapshot)
        project.confirmed_at = snapshot.confirmed_at = utcnow()
        project.status = "running"
        for member in uow.session.scalars(select(Member).where(Member.id.in_(accepted_ids))):
            member.panels_served = (member.panels_served or 0) + 1
        audit.record(
            uow,
            "confirm_panel",
            "project",
            project.id,
            record_count=len(accepted_ids),
            draws=len(draw_ids),
        )
    return snapshot


def record_meeting(
    uow: UnitOfWork,
    project_id: int,
    held_on: date,
    title: str,
    attendance: dict[int, int | None],
    *,
    activity: str = "panel_meeting",
    preparation_minutes: int = 0,
) -> Meeting:
    """A meeting of a confirmed panel: who came (minutes given) and who did not (None).

    Everyone who came gets a payment due for their time and the preparation time, at the
    rate for the kind of activity (see :mod:`panels.payments`).
    """
    from panels.payments.service import create_payments_due

    reject_control_characters("title", title)
    if not 0 <= preparation_minutes <= 1440:
        raise InvalidInput(
            f"{preparation_minutes} minutes of preparation is not a time within one day (0 to 1440)"
        )
    with uow:
        project = get_project(uow, project_id, for_update=True)
        if project.confirmed_at is None:
            raise InvalidInput("Confirm the panel before recording its meetings")
        members = set(
            uow.session.scalars(
                select(Invitation.member_id).where(
                    Invitation.project_id == project.id, Invitation.status == "accepted"
                )
            )
        )
        strangers = [m for m in attendance if m not in members]
        if strangers:
            raise InvalidInput(f"register numbers {strangers} are not on this panel")
        for minutes in attendance.values():
            if minutes is not None and not 0 <= minutes <= 1440:
                raise InvalidInput(f"{minutes} minutes is not a time within one day (0 to 1440)")
        title = title.strip() or "Panel meeting"
        if uow.session.scalar(
            select(Meeting.id).where(
                Meeting.project_id == project.id,
                Meeting.held_on == held_on,
                Meeting.title == title,
            )
        ):
            # Recording the same meeting again (a second click) must not pay anyone twice.
            raise InvalidInput(
                f"The meeting “{title}” on {_when(held_on)} is already recorded; give a "
                "different title if it was another meeting that day"
            )
        meeting = Meeting(
            project_id=project.id,
            held_on=held_on,
            title=title,
            activity=activity,
            preparation_minutes=preparation_minutes,
        )
        uow.session.add(meeting)
        uow.session.flush()
        for member_id in sorted(members):
            minutes = attendance.get(member_id)
            uow.session.add(
                Attendance(
                    meeting_id=meeting.id,
                    member_id=member_id,
                    attended=minutes is not None,
                    minutes=minutes or 0,
                )
            )
        audit.record(
            uow,
            "record_attendance",
            "project",
            project.id,
            meeting=meeting.id,
            attended=sum(1 for m in attendance.values() if m is not None),
        )
        create_payments_due(uow, meeting.id)
    return meeting


def close_project(uow: UnitOfWork, project_id: int) -> None:
    with uow:
        project = get_project(uow, project_id, for_update=True)
        if project.status == "closed":
            raise InvalidInput("The project is already closed")
        project.status = "closed"
        audit.record(
            uow, "update_project", "project", project.id, changed=["status"], status="closed"
        )


def snapshot_of(uow: UnitOfWork, project_id: int) -> PanelSnapshot | None:
    return uow.session.scalar(select(PanelSnapshot).where(PanelSnapshot.project_id == project_id))


def erase_member_answers(uow: UnitOfWork, member_id: int) -> None:
    """The projects' part of erasure: free text the member wrote in answers to invitations.

    Invitations, draws (member ids and quota categories) and panel snapshots stay, so that
    panels and draws still add up and can be replayed."""
    for invitation in uow.session.scalars(
        select(Invitation).where(Invitation.member_id == member_id)
    ):
        invitation.reason = ""
        invitation.question = ""
