"""Invitations, answers through the signed link, reminders, confirmation and attendance."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models import Attendance, Invitation, Member, OutboxMessage, PanelSnapshot, Project
from panels.errors import InvalidInput, NotAllowed
from panels.projects import invitations, service

LINK = "https://panels.example.org/invitation/{}"


def link_for(token: str) -> str:
    return LINK.format(token)


@pytest.fixture
def drawn(app, uow, make_member):
    """A project with a drawn panel of 4 from 10 members (one who prefers letters)."""
    for n in range(10):
        make_member(sex="Female" if n % 2 else "Male")
    make_member(
        sex="Female",
        email=None,
        preferred_contact="post",
        address="1 High Street",
        access_needs=["large_print"],
    )
    project = service.create_project(
        uow,
        service.ProjectInput(title="Home care", purpose="Improve home care", level="operational"),
    )
    service.set_builtin_target(uow, project.id, "england-and-wales")
    service.choose_dimensions(uow, project.id, ["sex"])
    service.set_eligibility(uow, project.id, {})
    service.propose_quotas(uow, project.id, panel_size=4, tolerance=1)
    service.draw_panel(uow, service.DrawRequest(project.id, seed=3))
    return project


def _tokens(session) -> list[str]:
    bodies = session.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id)).all()
    return [
        re.search(r"/invitation/(\S+)", body).group(1) for body in bodies if "/invitation/" in body
    ]


def test_invitations_go_out_by_email_with_a_link_from_the_base_url(drawn, uow, session):
    result = invitations.send_invitations(uow, drawn.id, link_for)
    assert result.emailed + result.tasks == 4
    session.expire_all()
    messages = session.scalars(select(OutboxMessage)).all()
    assert len(messages) == result.emailed
    assert all("https://panels.example.org/invitation/" in m.body for m in messages)
    assert all(i.status == "invited" for i in session.scalars(select(Invitation)))


def test_a_member_answers_once_through_the_link(drawn, uow, session):
    invitations.send_invitations(uow, drawn.id, link_for)
    token = _tokens(session)[0]
    invitation = invitations.invitation_for_token(uow, token)
    assert invitations.answer(uow, invitation.id, "accept") == "accepted"
    with pytest.raises(InvalidInput, match="already been used"):
        invitations.invitation_for_token(uow, token)


def test_the_answer_page_works_without_an_account(drawn, uow, session, client):
    invitations.send_invitations(uow, drawn.id, link_for)
    token = _tokens(session)[0]
    page = client.get(f"/invitation/{token}").get_data(as_text=True)
    assert "Home care" in page and "Would you like to be on the panel?" in page
    response = client.post(f"/invitation/{token}", data={"choice": "decline", "reason": "Busy"})
    assert "Thank you for letting us know" in response.get_data(as_text=True)
    again = client.get(f"/invitation/{token}")
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)
    assert client.get("/invitation/forged-token").status_code == 404
    session.expire_all()
    declined = session.scalars(select(Invitation).where(Invitation.status == "declined")).one()
    assert declined.reason == "Busy"


def test_a_letter_is_a_task_for_staff_in_large_print(drawn, uow, session):
    letter_person = session.scalar(select(Member).where(Member.preferred_contact == "post"))
    panel = session.scalars(select(Invitation).where(Invitation.project_id == drawn.id)).all()
    invitation = next((i for i in panel if i.member_id == letter_person.id), None)
    if invitation is None:  # put the letter person on the panel
        invitation = panel[0]
        invitation.member_id = letter_person.id
        session.commit()
    invitations.send_invitations(uow, drawn.id, link_for)
    session.expire_all()
    row = session.get(Invitation, invitation.id)
    assert (row.channel, row.format, row.invited_at) == ("post", "large_print", None)
    invitations.mark_contacted(uow, row.id)
    session.expire_all()
    assert session.get(Invitation, row.id).invited_at is not None


def test_reminder_once_then_no_answer_after_the_deadline(drawn, uow, session):
    today = date.today()
    invitations.send_invitations(uow, drawn.id, link_for, today=today)
    sent = session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()))
    soon = today + timedelta(days=drawn.response_days - 2)
    first = invitations.remind_and_expire(uow, link_for, today=soon)
    again = invitations.remind_and_expire(uow, link_for, today=soon)
    assert first.reminded >= 1 and again.reminded == 0
    assert session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc())) > sent
    late = invitations.remind_and_expire(
        uow, link_for, today=today + timedelta(days=drawn.response_days + 1)
    )
    assert late.expired == 4


def test_a_yes_after_the_panel_is_full_goes_on_the_reserve_list(drawn, uow, session):
    invitations.send_invitations(uow, drawn.id, link_for)
    rows = session.scalars(select(Invitation).order_by(Invitation.id)).all()
    invitations.answer(uow, rows[0].id, "decline")
    invitations.remind_and_expire(uow, link_for, today=date.today() + timedelta(days=30))
    replacement = service.draw_panel(
        uow,
        service.DrawRequest(
            drawn.id,
            kind="replacement",
            replace_invitation_ids=tuple(r.id for r in rows),
        ),
    )
    assert len(replacement.panel) == 4
    session.expire_all()
    fresh = session.scalars(select(Invitation).where(Invitation.status == "shortlisted")).all()
    for invitation in fresh:
        invitation.status = "invited"
    session.commit()
    for invitation in fresh:
        assert invitations.answer(uow, invitation.id, "accept") == "accepted"
    # Someone whose deadline passed (and who was replaced) says yes late: the panel is full.
    late = session.get(Invitation, rows[1].id)
    assert late.status == "replaced"
    assert invitations.answer(uow, late.id, "accept") == "reserve"


def test_confirming_keeps_a_snapshot_and_counts_the_panel_in_history(drawn, uow, session):
    invitations.send_invitations(uow, drawn.id, link_for)
    with pytest.raises(InvalidInput, match="not answered yet"):
        invitations.confirm_panel(uow, drawn.id)
    rows = session.scalars(select(Invitation)).all()
    for row in rows:
        invitations.answer(uow, row.id, "accept")
    snapshot = invitations.confirm_panel(uow, drawn.id)
    session.expire_all()
    stored = session.get(PanelSnapshot, snapshot.id)
    assert len(stored.members) == 4 and sum(stored.composition["sex"].values()) == 4
    assert stored.gaps["sex"]["n"] == 4 and stored.draw_ids
    served = session.scalars(
        select(Member.panels_served).where(Member.id.in_([r.member_id for r in rows]))
    ).all()
    assert served == [1, 1, 1, 1]
    with pytest.raises(NotAllowed):
        service.draw_panel(uow, service.DrawRequest(drawn.id, kind="redraw", reason="again"))
    meeting = invitations.record_meeting(
        uow,
        drawn.id,
        date.today(),
        "First meeting",
        {rows[0].member_id: 150, rows[1].member_id: None},
    )
    session.expire_all()
    attendance = session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting.id)
    ).all()
    assert sorted((a.attended, a.minutes) for a in attendance) == [
        (False, 0),
        (False, 0),
        (False, 0),
        (True, 150),
    ]
    invitations.close_project(uow, drawn.id)
    session.expire_all()
    assert session.get(Project, drawn.id).status == "closed"
