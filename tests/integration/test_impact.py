"""Impact: members and staff rate the ladder of co-production at a project's end, side by
side; "you said, we did" published to the panel's members; box-ticking flags with reasons."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from models import FeedbackItem, Invitation, LadderRating, Member, OutboxMessage, Project


def _project(app, title, member_ids, *, closed=True, confirmed_at=None, decision_date=None):
    """A project whose panel is ``member_ids`` (accepted), confirmed, and closed if asked."""
    from panels.db import open_unit_of_work
    from panels.projects.invitations import close_project
    from panels.uow import Actor

    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        with uow:
            project = Project(
                title=title,
                purpose="Work on it together",
                level="operational",
                status="running",
                eligibility={"filters": {}},
                confirmed_at=confirmed_at or datetime.now(UTC) - timedelta(days=30),
                decision_date=decision_date,
            )
            uow.session.add(project)
            uow.session.flush()
            for member_id in member_ids:
                uow.session.add(
                    Invitation(project_id=project.id, member_id=member_id, status="accepted")
                )
        if closed:
            close_project(uow, project.id)
        return project.id


@pytest.fixture
def member_user(app, make_user, make_member, session):
    """A member's account linked to a member of the register."""
    user = make_user("member")
    member = make_member(first_name="Mo")
    row = session.get(Member, member.id)
    row.user_id = user.id
    session.commit()
    return user, member.id


def test_a_member_rates_only_the_panels_they_were_on_once_closed(
    app, client, sign_in, member_user, make_member, session
):
    user, member_id = member_user
    mine = _project(app, "Carers' short breaks", [member_id])
    running = _project(app, "Day services", [member_id], closed=False)
    other = _project(app, "Someone else's panel", [make_member().id])
    sign_in(user)
    page = client.get("/impact/member/")
    assert page.status_code == 200
    assert "Carers&#39; short breaks" in page.text and "Someone else" not in page.text
    assert "This panel is still going" in page.text
    form = client.get(f"/impact/member/projects/{mine}/rate")
    assert "We were asked what we thought, but others decided." in form.text
    sent = client.post(
        f"/impact/member/projects/{mine}/rate", data={"rung": "co_design", "comment": "Good"}
    )
    assert sent.status_code == 302
    rating = session.scalars(select(LadderRating)).one()
    assert (rating.rater, rating.member_id, rating.rung) == ("member", member_id, "co_design")
    assert client.get(f"/impact/member/projects/{other}/rate").status_code == 403
    refused = client.post(f"/impact/member/projects/{running}/rate", data={"rung": "informing"})
    assert refused.status_code == 400
    assert "once it has closed" in refused.text


def test_members_and_staff_ratings_are_shown_side_by_side(
    app, client, make_user, sign_in, make_member
):
    from panels.db import open_unit_of_work
    from panels.impact.service import rate_as_member
    from panels.uow import Actor

    members = [make_member().id for _ in range(3)]
    project_id = _project(app, "Short breaks", members)
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        for member_id, rung in zip(
            members, ("co_production", "co_design", "co_design"), strict=True
        ):
            rate_as_member(uow, member_id, project_id, rung)
    sign_in(make_user("lead"))
    rated = client.post(
        f"/impact/projects/{project_id}",
        data={"action": "rate", "ladder-rung": "consultation", "ladder-comment": "We led it"},
    )
    assert rated.status_code == 302
    page = client.get(f"/projects/{project_id}")
    assert "Ladder of co-production: panel members beside staff" in page.text
    row = page.text.split(">Co-design</th>")[1].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in row.split("</td>")[:2]] == ["2", "0"]
    overview = client.get("/impact/")
    assert "Co-design (3 rated)" in overview.text and "Consultation (1 rated)" in overview.text


def test_you_said_we_did_is_published_to_the_panel(
    app, client, make_user, sign_in, member_user, session
):
    from panels.db import open_unit_of_work
    from panels.impact.service import published_for_member
    from panels.uow import Actor

    user, member_id = member_user
    project_id = _project(app, "Short breaks", [member_id])
    lead_client = app.test_client()
    sign_in(make_user("lead"), client=lead_client)
    saved = lead_client.post(
        f"/impact/projects/{project_id}",
        data={
            "action": "feedback",
            "feedback-you_said": "Breaks must be bookable at short notice",
            "feedback-we_did": "A same-week booking line opens in May",
            "feedback-not_done": "Weekend breaks: no provider could staff them this year",
        },
    )
    assert saved.status_code == 302
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        assert published_for_member(uow, member_id) == []
    item = session.scalars(select(FeedbackItem)).one()
    page = lead_client.get(f"/impact/projects/{project_id}")
    assert f"/impact/projects/{project_id}/feedback/{item.id}/publish" in page.text
    confirm = lead_client.get(f"/impact/projects/{project_id}/feedback/{item.id}/publish")
    assert "Publish this to the panel?" in confirm.text
    assert "cannot be taken back" in confirm.text
    assert (
        lead_client.post(f"/impact/projects/{project_id}/feedback/{item.id}/publish").status_code
        == 302
    )

    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        [published] = published_for_member(uow, member_id)
        assert published.we_did == "A same-week booking line opens in May"
    messages = session.scalars(select(OutboxMessage)).all()
    assert [m.recipient for m in messages] == [session.get(Member, member_id).email]
    assert "You said: Breaks must be bookable at short notice" in messages[0].body
    assert "What we did not change, and why: Weekend breaks" in messages[0].body
    sign_in(user)
    mine = client.get("/impact/member/")
    assert "Breaks must be bookable at short notice" in mine.text
    # ... and on the member's own page for that panel, and it is reached from their start page
    start = client.get("/my/")
    assert "/impact/member/" in start.text and "/my/payments/" in start.text
    panel = client.get(f"/my/panels/{project_id}")
    assert panel.status_code == 200, panel.text
    said = panel.text.split('data-testid="you-said-we-did"')[1]
    assert "A same-week booking line opens in May" in said
    assert "Weekend breaks: no provider could staff them this year" in said
    assert "no provider could staff them this year" in mine.text


def test_box_ticking_flags_are_raised_with_their_reasons(
    app, client, make_user, sign_in, make_member
):
    from panels.db import open_unit_of_work
    from panels.impact.flags import project_flags
    from panels.impact.service import rate_as_member
    from panels.uow import Actor

    people = [make_member().id for _ in range(4)]
    familiar = people[:3]
    for n in range(3):
        _project(app, f"Earlier panel {n}", familiar, closed=False)
    crowded = _project(app, "Same faces again", [*familiar, people[3]], closed=False)
    late = _project(
        app,
        "Too late to matter",
        [people[3]],
        closed=False,
        confirmed_at=datetime(2026, 3, 20, 12, tzinfo=UTC),
        decision_date=date(2026, 3, 1),
    )
    low = _project(app, "Charging policy", [people[3]])
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        rate_as_member(uow, people[3], low, "informing")

    app.config["IMPACT_FEEDBACK_DAYS"] = 5
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        now = {f.project.id: f.flags for f in project_flags(uow)}
        later = {
            f.project.id: f.flags for f in project_flags(uow, today=date.today() + timedelta(6))
        }
    assert {f.check for f in now[crowded]} == {"familiar_voices"}
    assert "3 of 4 seats went to people who had served on 3 or more other panels" in (
        now[crowded][0].reason
    )
    assert {f.check for f in now[late]} == {"confirmed_after_decision"}
    assert "confirmed on 20 March 2026, 19 days after the decision date (1 March 2026)" in (
        now[late][0].reason
    )
    assert {f.check for f in now[low]} == {"low_on_the_ladder"}
    assert "“informing” (1 from members, 0 from staff)" in now[low][0].reason
    assert {f.check for f in later[low]} == {"low_on_the_ladder", "no_feedback_after_closing"}
    [no_feedback] = [f for f in later[low] if f.check == "no_feedback_after_closing"]
    assert "nothing has been published to its members within 5 days of closing" in (
        no_feedback.reason
    )

    sign_in(make_user("manager"))
    page = client.get("/impact/")
    assert "Most seats went to familiar voices." in page.text
    assert "Panel confirmed after the decision." in page.text
    assert "Rated as consultation or below." in page.text


def test_a_members_ratings_are_in_their_data_and_erased_to_an_anonymous_count(app, make_member):
    from panels.db import open_unit_of_work
    from panels.impact.personal import erase, personal_data
    from panels.impact.service import ladder_summary, rate_as_member
    from panels.uow import Actor

    member_id = make_member().id
    project_id = _project(app, "Short breaks", [member_id])
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        rate_as_member(uow, member_id, project_id, "co_design", "We shaped the booking line")
        [section] = personal_data(uow, member_id)
        assert section.rows == (("Short breaks", "Co-design", "We shaped the booking line"),)
        erase(uow, member_id)
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        assert personal_data(uow, member_id) == []
        summary = ladder_summary(uow, project_id)
        assert summary.members["co_design"] == 1 and summary.member_comments == ()


def test_payments_still_unpaid_after_the_set_time_are_flagged(app, make_member, session):
    from panels.db import open_unit_of_work
    from panels.impact.flags import project_flags
    from panels.projects.invitations import record_meeting
    from panels.uow import Actor

    people = [make_member().id for _ in range(2)]
    slow = _project(app, "Paid late", people, closed=False)
    prompt = _project(app, "Paid on time", people, closed=False)
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        held = date.today() - timedelta(days=40)
        record_meeting(uow, slow, held, "Workshop", {people[0]: 120, people[1]: 60})
        record_meeting(uow, prompt, date.today() - timedelta(days=3), "Workshop", {people[0]: 60})
        flags = {f.project.id: f.flags for f in project_flags(uow)}
    [unpaid] = [f for f in flags[slow] if f.check == "payments_unpaid"]
    assert "2 payments and expenses to members" in unpaid.reason
    assert "still unpaid more than 30 days on" in unpaid.reason
    assert held.strftime("%-d %B %Y") in unpaid.reason
    assert not [f for f in flags[prompt] if f.check == "payments_unpaid"]
    # Once the members decline them (or they are paid), the flag goes.
    from models import PaymentClaim
    from panels.payments.service import choose

    claims = session.execute(
        select(PaymentClaim.id, PaymentClaim.member_id).where(PaymentClaim.project_id == slow)
    ).all()
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        for claim_id, member_id in claims:
            choose(uow, member_id, claim_id, "decline")
        again = {f.project.id: f.flags for f in project_flags(uow)}
    assert not [f for f in again[slow] if f.check == "payments_unpaid"]
