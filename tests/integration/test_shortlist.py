"""Building a panel by hand: search the eligible pool, add and take people off one at a time,
with audit, familiar-voice warnings, and no mixing with a lottery draw."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models import AuditEvent, Invitation, Project
from panels.errors import InvalidInput, NotAllowed
from panels.projects import service, shortlist


def _project(uow, panel_size: int | None = None) -> int:
    project_id = service.create_project(
        uow,
        service.ProjectInput(
            title="My support plan review",
            purpose="Review how support plans are written",
            level="individual",
        ),
    ).id
    service.set_manual_shares(uow, project_id, "sex", {"Female": 50, "Male": 50}, "Our users")
    service.set_eligibility(uow, project_id, {})
    if panel_size:
        service.propose_quotas(uow, project_id, panel_size=panel_size, tolerance=0)
    return project_id


@pytest.fixture
def people(make_member):
    return {
        "sam": make_member(first_name="Sam", last_name="Okafor", sex="Male"),
        "ana": make_member(first_name="Ana", last_name="Silva", sex="Female"),
        "ann": make_member(first_name="Ann", last_name="Baker", sex="Female", email="ab@x.example"),
        "no_contact": make_member(first_name="Anabel", last_name="Hidden", consents=("selection",)),
    }


def _actions(session, action):
    session.rollback()
    return session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_add_and_take_off_are_audited(app, uow, session, people):
    project_id = _project(uow)
    added = shortlist.add_to_shortlist(uow, project_id, people["sam"].id)
    assert added.name == "Sam Okafor" and added.warning is None
    (row,) = session.scalars(select(Invitation)).all()
    assert (row.status, row.draw_id, row.member_id) == ("shortlisted", None, people["sam"].id)
    shortlist.remove_from_shortlist(uow, project_id, people["sam"].id)
    assert session.scalars(select(Invitation)).all() == []
    assert [e.details["member"] for e in _actions(session, "shortlist_add")] == [people["sam"].id]
    assert [e.details["member"] for e in _actions(session, "shortlist_remove")] == [
        people["sam"].id
    ]


def test_search_finds_eligible_people_by_name_or_email(app, uow, people):
    project_id = _project(uow)
    found = shortlist.shortlist_page(uow, project_id, "an").candidates
    assert [c.name for c in found] == ["Ann Baker", "Ana Silva"]  # not Anabel: no contact
    assert dict(found[0].answers) == {"Sex": "Female"}
    assert [c.name for c in shortlist.shortlist_page(uow, project_id, "AB@X").candidates] == [
        "Ann Baker"
    ]
    assert [c.name for c in shortlist.shortlist_page(uow, project_id, "ana silva").candidates] == [
        "Ana Silva"
    ]
    shortlist.add_to_shortlist(uow, project_id, people["ann"].id)
    page = shortlist.shortlist_page(uow, project_id, "an")
    assert [c.name for c in page.candidates] == ["Ana Silva"]
    assert [c.name for c in page.shortlist] == ["Ann Baker"]
    # wildcards are taken literally
    assert shortlist.shortlist_page(uow, project_id, "%").candidates == ()


def test_only_eligible_people_can_be_added(app, uow, session, people):
    project_id = _project(uow)
    with pytest.raises(InvalidInput, match="Anabel Hidden is not in this project's eligible pool"):
        shortlist.add_to_shortlist(uow, project_id, people["no_contact"].id)
    shortlist.add_to_shortlist(uow, project_id, people["ana"].id)
    with pytest.raises(InvalidInput, match="already on the shortlist"):
        shortlist.add_to_shortlist(uow, project_id, people["ana"].id)
    assert len(_actions(session, "shortlist_add")) == 1


def test_a_full_shortlist_refuses_more_and_writes_nothing(app, uow, session, people):
    project_id = _project(uow, panel_size=2)
    shortlist.add_to_shortlist(uow, project_id, people["ana"].id)
    shortlist.add_to_shortlist(uow, project_id, people["sam"].id)
    with pytest.raises(InvalidInput, match="The shortlist is full: the panel has 2 seats"):
        shortlist.add_to_shortlist(uow, project_id, people["ann"].id)
    assert len(session.scalars(select(Invitation)).all()) == 2
    assert len(_actions(session, "shortlist_add")) == 2


def test_no_draw_while_a_hand_built_shortlist_exists(app, uow, session, people):
    project_id = _project(uow, panel_size=2)
    shortlist.add_to_shortlist(uow, project_id, people["ana"].id)
    with pytest.raises(NotAllowed, match=r"being built by hand \(1 person is on the shortlist\)"):
        service.draw_panel(uow, service.DrawRequest(project_id))
    with pytest.raises(NotAllowed, match="clear the hand-built shortlist first"):
        service.draw_panel(uow, service.DrawRequest(project_id, kind="redraw", reason="x"))
    assert shortlist.clear_shortlist(uow, project_id) == 1
    assert [e.record_count for e in _actions(session, "shortlist_clear")] == [1]
    draw = service.draw_panel(uow, service.DrawRequest(project_id))
    assert len(draw.panel) == 2


def test_no_building_by_hand_after_a_draw(app, uow, people):
    project_id = _project(uow, panel_size=2)
    service.draw_panel(uow, service.DrawRequest(project_id))
    with pytest.raises(NotAllowed, match="drawn by lottery, so it cannot be built by hand"):
        shortlist.add_to_shortlist(uow, project_id, people["ann"].id)
    drawn = uow.session.scalar(select(Invitation.member_id))
    with pytest.raises(NotAllowed, match="drawn by lottery"):
        shortlist.remove_from_shortlist(uow, project_id, drawn)
    with pytest.raises(NotAllowed, match="drawn by lottery"):
        shortlist.clear_shortlist(uow, project_id)
    page = shortlist.shortlist_page(uow, project_id, "an")
    assert not page.can_build and page.candidates == ()


def test_someone_who_served_often_comes_with_a_warning(app, uow, session, people):
    now = datetime.now(UTC)
    for months in (1, 5, 9, 13):
        project = Project(
            title=f"Panel {months}",
            purpose="Earlier",
            level="operational",
            confirmed_at=now - timedelta(days=30 * months),
            eligibility={},
            quotas={},
            new_voices={},
        )
        session.add(project)
        session.flush()
        sam = people["sam"].id
        session.add(Invitation(project_id=project.id, member_id=sam, status="accepted"))
    session.commit()
    project_id = _project(uow)
    added = shortlist.add_to_shortlist(uow, project_id, people["sam"].id)
    assert added.warning == (
        "Sam Okafor has been on 4 panels in the last two years: consider someone new."
    )


# --- the page --------------------------------------------------------------------------------


@pytest.fixture
def lead(make_user, sign_in):
    user = make_user("lead")
    sign_in(user)
    return user


def test_the_page_updates_the_verdict_after_each_add_and_take_off(app, client, lead, people):
    from panels import db
    from panels.uow import Actor

    with app.app_context(), db.open_unit_of_work(Actor.command_line(), app) as uow:
        project_id = _project(uow)
    page = client.get(f"/projects/{project_id}/shortlist?q=okafor").get_data(as_text=True)
    assert "<title>Build the panel by hand – My support plan review" in page
    assert "1 person matches “okafor”" in page
    response = client.post(
        f"/projects/{project_id}/shortlist?q=okafor",
        data={"action": "add", "shortlist-target": str(people["sam"].id)},
    )
    assert response.status_code == 302
    assert re.search(r"added=\d+", response.headers["Location"])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sam Okafor is on the shortlist." in page
    assert "The panel meets the target for sex (all 1)" in page

    def add(who):
        client.post(
            f"/projects/{project_id}/shortlist",
            data={"action": "add", "shortlist-target": str(people[who].id)},
        )
        return client.get(f"/projects/{project_id}/shortlist").get_data(as_text=True)

    add("ana")
    page = add("ann")
    assert "The panel meets the target for sex (all 3)" in page
    client.post(
        f"/projects/{project_id}/shortlist",
        data={"action": "remove", "shortlist-target": str(people["sam"].id)},
    )
    page = client.get(f"/projects/{project_id}/shortlist").get_data(as_text=True)
    assert "1 person fewer who is female would meet the target" in page
    assert "1 more person who is male would meet the target" in page
    assert "Sam Okafor" not in page.split('id="search"')[0]


def test_a_refused_add_shows_the_reason(app, client, lead, people):
    from panels import db
    from panels.uow import Actor

    with app.app_context(), db.open_unit_of_work(Actor.command_line(), app) as uow:
        project_id = _project(uow)
    response = client.post(
        f"/projects/{project_id}/shortlist",
        data={"action": "add", "shortlist-target": str(people["no_contact"].id)},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<title>Error: Build the panel by hand" in page
    assert "Anabel Hidden is not in this project&#39;s eligible pool" in page


def test_clearing_the_shortlist_asks_first(app, client, lead, people, session):
    from panels import db
    from panels.uow import Actor

    with app.app_context(), db.open_unit_of_work(Actor.command_line(), app) as uow:
        project_id = _project(uow)
        shortlist.add_to_shortlist(uow, project_id, people["ana"].id)
        shortlist.add_to_shortlist(uow, project_id, people["sam"].id)
    page = client.post(f"/projects/{project_id}/shortlist", data={"action": "clear"})
    assert page.status_code == 200
    assert "This takes all 2 people off the shortlist" in page.get_data(as_text=True)
    assert len(session.scalars(select(Invitation)).all()) == 2
    done = client.post(
        f"/projects/{project_id}/shortlist", data={"action": "clear", "confirm": "yes"}
    )
    assert done.status_code == 302
    session.rollback()
    assert session.scalars(select(Invitation)).all() == []


def test_a_failure_after_an_add_rolls_the_add_back(app, uow, session, people):
    project_id = _project(uow)
    with pytest.raises(RuntimeError), uow:
        shortlist.add_to_shortlist(uow, project_id, people["ana"].id)
        raise RuntimeError("the rest of the request failed")
    assert session.scalars(select(Invitation)).all() == []
    assert _actions(session, "shortlist_add") == []
