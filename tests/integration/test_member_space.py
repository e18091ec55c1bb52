"""The members' own space: set-up links, a member sees only their own record, staff acting
on a member's behalf (audited as such), consent, access needs, availability, invitations,
chances of selection and "Download my data"."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models import (
    AccountInvite,
    AuditEvent,
    ConsentRecord,
    Invitation,
    Member,
    MemberAccessNeed,
    MemberAvailability,
    MemberAway,
    OutboxMessage,
    User,
    utcnow,
)
from panels.errors import InvalidInput
from panels.members import accounts
from panels.projects import invitations, service

NEW_PASSWORD = "a long new member password"


# This module's session and unit of work hold no application context while the test runs:
# a request made inside a held context shares its `g` (and so flask-login's cached user and
# the request's database session) with every other request, and these tests use several
# clients signed in as different people.
@pytest.fixture
def session(app):
    from panels.db import database

    with database(app).sessionmaker() as db_session:
        yield db_session


@pytest.fixture
def uow(app, session):
    from panels.uow import Actor, UnitOfWork

    return UnitOfWork(session, Actor.command_line(), app.config)


def _link_path(session, member_id: int) -> str:
    """The path of the newest set-up link emailed to the member (from the outbox)."""
    body = session.scalars(
        select(OutboxMessage.body)
        .where(OutboxMessage.member_id == member_id)
        .order_by(OutboxMessage.id.desc())
    ).first()
    match = re.search(r"http://localhost(/set-up-account/\S+)", body or "")
    assert match, body
    return match.group(1)


@pytest.fixture
def lead(make_user):
    return make_user("lead")


@pytest.fixture
def invited(app, client, lead, sign_in, make_member, session):
    """A member who has been sent a set-up link by a lead (the client is signed out)."""
    member = make_member(first_name="Asha", last_name="Khan", email="asha@members.example")
    sign_in(lead)
    response = client.post(f"/member-accounts/{member.id}/link")
    assert response.status_code == 302
    client.post("/auth/sign-out")
    return member


def _set_up(client, path: str, password: str = NEW_PASSWORD):
    return client.post(path, data={"new_password": password, "confirm_password": password})


@pytest.fixture
def member_client(app, invited, session):
    """A client signed in as the invited member, after setting up their account."""
    client = app.test_client()
    response = _set_up(client, _link_path(session, invited.id))
    assert response.status_code == 302 and response.headers["Location"] == "/my/"
    return client


def test_a_lead_sends_a_link_and_the_member_sets_up_their_account(app, client, invited, session):
    message = session.scalars(
        select(OutboxMessage).where(OutboxMessage.member_id == invited.id)
    ).one()
    assert message.recipient == "asha@members.example"
    assert "works for 7 days" in message.body
    path = _link_path(session, invited.id)
    page = client.get(path).get_data(as_text=True)
    assert "Set up your account" in page and "asha@members.example" in page
    response = _set_up(client, path)
    assert response.status_code == 302 and response.headers["Location"] == "/my/"
    session.expire_all()
    user = session.scalars(select(User).where(User.email == "asha@members.example")).one()
    assert user.role == "member" and user.password_hash.startswith("$argon2")
    assert session.get(Member, invited.id).user_id == user.id
    start = client.get("/my/").get_data(as_text=True)
    assert "Your involvement" in start and "Hello Asha Khan" in start
    # The link works once.
    again = app.test_client().get(path)
    assert again.status_code == 400
    assert "This link has been used already" in again.get_data(as_text=True)


def test_an_expired_link_is_refused_with_a_clear_sentence(app, invited, session):
    path = _link_path(session, invited.id)
    invite = session.scalars(select(AccountInvite)).one()
    invite.expires_at = utcnow() - timedelta(minutes=1)
    session.commit()
    response = app.test_client().get(path)
    assert response.status_code == 400
    assert "This link is too old. Links work for 7 days." in response.get_data(as_text=True)
    assert _set_up(app.test_client(), path).status_code == 400
    session.expire_all()
    assert session.get(Member, invited.id).user_id is None


def test_a_tampered_link_or_an_older_link_is_refused(app, client, lead, sign_in, invited, session):
    first = _link_path(session, invited.id)
    tampered = first[:-3] + ("AAA" if not first.endswith("AAA") else "BBB")
    response = app.test_client().get(tampered)
    assert response.status_code == 400
    assert "This link does not work" in response.get_data(as_text=True)
    sign_in(lead)
    client.post(f"/member-accounts/{invited.id}/link")
    second = _link_path(session, invited.id)
    assert second != first
    older = app.test_client().get(first)
    assert older.status_code == 400 and "newer link" in older.get_data(as_text=True)
    assert app.test_client().get(second).status_code == 200


def test_there_is_no_open_sign_up_and_no_link_without_an_email(
    app, uow, make_member, client, lead, sign_in
):
    assert client.get("/set-up-account/not-a-real-token").status_code == 400
    no_email = make_member(email=None, phone="0123 456789", preferred_contact="phone")
    with pytest.raises(InvalidInput, match="has no email address"):
        accounts.invite_member_account(uow, no_email.id)
    sign_in(lead)
    page = client.get(f"/member-accounts/{no_email.id}").get_data(as_text=True)
    assert "act on their behalf" in page


def test_members_and_other_roles_cannot_send_links(app, make_user, sign_in, make_member):
    member = make_member()
    manager = make_user("manager")
    client = app.test_client()
    sign_in(manager, client=client)
    assert client.post(f"/member-accounts/{member.id}/link").status_code == 403
    after = client.get("/my/")
    assert after.status_code == 403, after.get_data(as_text=True)


def _other_member_with_things(make_member, session):
    other = make_member(first_name="Ben", email="ben@members.example")
    away = MemberAway(member_id=other.id, starts_on=date(2030, 1, 1), ends_on=date(2030, 1, 5))
    session.add(away)
    session.commit()
    return other, away


@pytest.fixture
def drawn(app, uow, make_member):
    """A project whose panel of 4 was drawn from 10 members, invitations sent."""
    for n in range(10):
        make_member(sex="Female" if n % 2 else "Male")
    with app.app_context():
        return _draw(uow)


def _draw(uow):
    project = service.create_project(
        uow,
        service.ProjectInput(title="Home care", purpose="Improve home care", level="operational"),
    )
    service.set_builtin_target(uow, project.id, "england-and-wales")
    service.choose_dimensions(uow, project.id, ["sex"])
    service.set_eligibility(uow, project.id, {})
    service.propose_quotas(uow, project.id, panel_size=4, tolerance=1)
    service.draw_panel(uow, service.DrawRequest(project.id, seed=3))
    invitations.send_invitations(uow, project.id, lambda token: f"http://localhost/{token}")
    return project


@pytest.fixture
def chosen(app, drawn, lead, sign_in, session):
    """(member, client): a member drawn for the panel, signed in to their new account."""
    from models import Draw

    draw = session.scalars(select(Draw)).one()
    member = session.get(Member, int(draw.panel[0]))
    staff = app.test_client()
    sign_in(lead, client=staff)
    assert staff.post(f"/member-accounts/{member.id}/link").status_code == 302
    client = app.test_client()
    assert _set_up(client, _link_path(session, member.id)).status_code == 302
    return member, client


def test_a_member_only_ever_sees_their_own_record(
    app, member_client, invited, make_member, uow, session, drawn
):
    other, away = _other_member_with_things(make_member, session)
    theirs = session.scalars(select(Invitation).where(Invitation.member_id != invited.id)).first()
    assert theirs is not None
    assert member_client.get(f"/my/invitations/{theirs.id}").status_code == 404
    assert (
        member_client.post(f"/my/invitations/{theirs.id}", data={"choice": "accept"}).status_code
        == 404
    )
    assert member_client.get(f"/my/profile/away/{away.id}/remove").status_code == 404
    assert member_client.post(f"/my/profile/away/{away.id}/remove").status_code == 404
    assert member_client.get(f"/my/panels/{drawn.id + 1000}").status_code == 404
    assert member_client.get(f"/register/members/{other.id}").status_code == 403
    assert member_client.get(f"/member-accounts/{other.id}").status_code == 403
    assert member_client.post(f"/member-accounts/{other.id}/act-for").status_code == 403
    session.expire_all()
    assert session.get(MemberAway, away.id) is not None
    data = member_client.get("/my/data/my-data.json").get_data(as_text=True)
    assert "ben@members.example" not in data and "asha@members.example" in data


def test_a_lead_acts_for_a_member_with_no_email_and_every_change_is_audited_as_such(
    app, client, lead, sign_in, make_member, session
):
    member = make_member(
        first_name="Cyril",
        email=None,
        phone="0123 456789",
        preferred_contact="phone",
        sexual_orientation="Bisexual",
    )
    sign_in(lead)
    assert client.post(f"/member-accounts/{member.id}/act-for").status_code == 302
    start = client.get("/my/").get_data(as_text=True)
    assert "You are using these pages on behalf of Cyril Tester" in start
    response = client.post("/my/profile/availability", data={"tue": ["morning", "evening"]})
    assert response.status_code == 302
    # Consent on their behalf: staff say how the member told them.
    refused = client.post("/my/consent/contact", data={"given": "no"})
    assert refused.status_code == 400 and "Choose how they told you" in refused.get_data(
        as_text=True
    )
    client.post("/my/consent/contact", data={"given": "no", "method": "phone"})
    session.expire_all()
    slots = session.scalars(
        select(MemberAvailability).where(MemberAvailability.member_id == member.id)
    ).all()
    assert {(s.weekday, s.time_of_day) for s in slots} == {("tue", "morning"), ("tue", "evening")}
    record = session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.member_id == member.id, ConsentRecord.purpose == "contact")
        .order_by(ConsentRecord.id.desc())
    ).first()
    assert record.given is False and record.method == "phone" and record.recorded_by_id == lead.id
    events = session.scalars(
        select(AuditEvent).where(
            AuditEvent.subject_id == member.id,
            AuditEvent.action.in_(["change_availability", "consent", "act_for_member"]),
        )
    ).all()
    assert {e.action for e in events} == {"change_availability", "consent", "act_for_member"}
    for event in events:
        assert event.user_id == lead.id
    for event in events:
        if event.action != "act_for_member":
            assert event.details["on_behalf_of_member"] == member.id
            assert "on behalf of the member" in event.details["note"]
            assert event.actor == f"{lead.email} on behalf of member {member.id}"
    # Their profile shows their answers and needs to staff: that view is audited.
    client.get("/my/profile")
    session.expire_all()
    assert (
        session.scalars(
            select(AuditEvent).where(
                AuditEvent.subject_id == member.id, AuditEvent.action == "view_characteristics"
            )
        ).first()
        is not None
        or not session.get(Member, member.id).characteristics
    )
    stopped = client.post("/my/stop-acting")
    assert stopped.status_code == 302, stopped.get_data(as_text=True)
    after = client.get("/my/")
    assert after.status_code == 403, after.get_data(as_text=True)


def test_withdrawing_consent_to_keep_access_needs_deletes_them_after_confirmation(
    member_client, invited, session
):
    saved = member_client.post(
        "/my/profile/access-needs", data={"needs": ["bsl", "breaks"], "notes": "Mornings"}
    )
    assert saved.status_code == 302
    session.expire_all()
    assert {n.need for n in session.get(Member, invited.id).access_needs} == {"bsl", "breaks"}
    confirm = member_client.get("/my/consent/access_needs").get_data(as_text=True)
    assert "Take back your agreement?" in confirm
    assert "We will delete the help you told us you need" in confirm
    assert "British Sign Language interpreter" in confirm and "Regular breaks" in confirm
    response = member_client.post("/my/consent/access_needs", data={"given": "no"})
    assert response.status_code == 302
    session.expire_all()
    member = session.get(Member, invited.id)
    assert member.consent_access_needs is False
    assert member.access_needs == [] and member.access_needs_notes is None
    record = session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.member_id == invited.id, ConsentRecord.purpose == "access_needs")
        .order_by(ConsentRecord.id.desc())
    ).first()
    assert record.given is False and record.method == "online"
    # Without consent, needs are not stored.
    page = member_client.post("/my/profile/access-needs", data={"needs": ["bsl"]})
    assert "only keep a record of the help you need if you agree" in page.get_data(as_text=True)
    assert (
        session.scalars(
            select(MemberAccessNeed).where(MemberAccessNeed.member_id == invited.id)
        ).all()
        == []
    )


def test_consent_page_shows_each_purpose_with_its_wording_and_when(member_client, session):
    from html import escape

    from panels.register.members import current_wording

    page = member_client.get("/my/consent").get_data(as_text=True)
    for purpose in ("contact", "selection", "statistics", "access_needs"):
        assert escape(current_wording(session, purpose).text) in page
    assert page.count("You agreed</strong>") == 4
    assert utcnow().strftime("on %-d %B %Y") in page


def test_dates_away_must_not_end_before_they_start(member_client, invited, session):
    response = member_client.post(
        "/my/profile/away/new",
        data={
            "starts_on": ["10", "6", "2031"],
            "ends_on": ["2", "6", "2031"],
        },
    )
    assert response.status_code == 200
    assert "The last day must be the same as or after the first day" in response.get_data(
        as_text=True
    )
    assert session.scalars(select(MemberAway)).all() == []
    ok = member_client.post(
        "/my/profile/away/new",
        data={"starts_on": ["2", "6", "2031"], "ends_on": ["10", "6", "2031"]},
    )
    assert ok.status_code == 302
    away = session.scalars(select(MemberAway)).one()
    assert (away.starts_on, away.ends_on) == (date(2031, 6, 2), date(2031, 6, 10))
    profile = member_client.get("/my/profile").get_data(as_text=True)
    assert "2 June 2031 to 10 June 2031" in profile
    confirm = member_client.get(f"/my/profile/away/{away.id}/remove").get_data(as_text=True)
    assert "Remove these dates?" in confirm
    member_client.post(f"/my/profile/away/{away.id}/remove")
    session.expire_all()
    assert session.scalars(select(MemberAway)).all() == []


def test_a_member_changes_an_equality_answer_or_prefers_not_to_say(member_client, invited, session):
    page = member_client.get("/my/profile").get_data(as_text=True)
    assert "Your equality answers" in page and "/my/profile/answers/sex" in page
    assert (
        member_client.post("/my/profile/answers/sex", data={"answer": "Female"}).status_code == 302
    )
    member_client.post("/my/profile/answers/sex", data={"answer": "prefer_not_to_say"})
    session.expire_all()
    from panels.register.taxonomy import load_taxonomy

    taxonomy = load_taxonomy(session)
    labels = {
        taxonomy.category_by_id(c.category_id)[1].code
        for c in session.get(Member, invited.id).characteristics
        if taxonomy.category_by_id(c.category_id)[0].key == "sex"
    }
    assert labels == {"prefer_not_to_say"}
    derived = [d.key for d in taxonomy.dimensions if d.is_derived]
    for key in derived:
        assert member_client.get(f"/my/profile/answers/{key}").status_code == 400


def test_contact_details_are_checked_before_anything_is_written(member_client, invited, session):
    response = member_client.post(
        "/my/profile/contact",
        data={"phone": "", "postcode": "ZZ99 ZZZ", "preferred_contact": "text"},
    )
    text = response.get_data(as_text=True)
    assert "is not a UK postcode" in text
    response = member_client.post(
        "/my/profile/contact", data={"phone": "", "preferred_contact": "text"}
    )
    assert "Enter a phone number" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Member, invited.id).preferred_contact is None
    ok = member_client.post(
        "/my/profile/contact",
        data={"phone": "07700 900123", "postcode": "sw1a 1aa", "preferred_contact": "text"},
    )
    assert ok.status_code == 302
    session.expire_all()
    member = session.get(Member, invited.id)
    assert (member.phone, member.postcode, member.preferred_contact) == (
        "07700 900123",
        "SW1A 1AA",
        "text",
    )


def test_a_member_accepts_an_invitation_and_sees_their_chance(chosen, session, drawn):
    invited, member_client = chosen
    start = member_client.get("/my/").get_data(as_text=True)
    assert "Answer your invitation: Home care" in start
    mine = session.scalars(select(Invitation).where(Invitation.member_id == invited.id)).one()
    page = member_client.get(f"/my/invitations/{mine.id}").get_data(as_text=True)
    assert "Would you like to be on the panel?" in page
    response = member_client.post(f"/my/invitations/{mine.id}", data={"choice": "accept"})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Invitation, mine.id).status == "accepted"
    again = member_client.post(f"/my/invitations/{mine.id}", data={"choice": "decline"})
    assert again.status_code == 200
    session.expire_all()
    assert session.get(Invitation, mine.id).status == "accepted"
    chances = member_client.get("/my/chances").get_data(as_text=True)
    assert re.search(r"<strong>about \d+ in \d+</strong> \(\d+(\.\d)?%\)", chances), chances
    assert "Everyone in the pool has a chance" in chances
    panels = member_client.get("/my/panels").get_data(as_text=True)
    assert "Home care" in panels
    panel = member_client.get(f"/my/panels/{drawn.id}").get_data(as_text=True)
    assert "You said, we did" in panel


def test_download_my_data_holds_everything_and_is_audited(
    app, chosen, session, drawn, lead, sign_in
):
    invited, member_client = chosen
    member_client.post("/my/profile/availability", data={"mon": ["afternoon"]})
    member_client.post(
        "/my/profile/away/new",
        data={"starts_on": ["2", "6", "2031"], "ends_on": ["10", "6", "2031"]},
    )
    member_client.post("/my/profile/access-needs", data={"needs": ["quiet_space"]})
    # A lead looks at their equality and access information.
    staff = app.test_client()
    sign_in(lead, client=staff)
    staff.get(f"/register/members/{invited.id}")
    response = member_client.get("/my/data/my-data.json")
    assert response.status_code == 200, response.get_data(as_text=True)[-3000:]
    assert response.headers["Content-Disposition"] == 'attachment; filename="my-data.json"'
    document = json.loads(response.get_data(as_text=True))
    sections = {s["title"]: s for s in document["sections"]}
    assert {
        "Your details",
        "Your equality answers",
        "Your communication and access needs",
        "What you agreed to, and when",
        "Who looked at your equality or access information",
        "Your invitations",
        "Lotteries you were in",
        "Your account",
        "Days and times that suit you",
        "Dates you are away",
    } <= set(sections)
    details = {r["What"]: r["What we hold"] for r in sections["Your details"]["rows"]}
    assert details["Email address"] == invited.email
    assert sections["Your communication and access needs"]["rows"] == [{"Need": "A quiet space"}]
    consent = sections["What you agreed to, and when"]["rows"]
    assert len(consent) == 4 and all(r["The words we used"] for r in consent)
    looked = sections["Who looked at your equality or access information"]["rows"]
    assert any(r["Who"] == lead.email for r in looked)
    assert sections["Days and times that suit you"]["rows"] == [
        {"Day": "Monday", "Times": "Afternoon"}
    ]
    assert sections["Dates you are away"]["rows"] == [
        {"First day": "2 June 2031", "Last day": "10 June 2031"}
    ]
    assert sections["Your invitations"]["rows"][0]["Panel"] == "Home care"
    assert sections["Lotteries you were in"]["rows"][0]["Chosen"] == "Yes"
    page = member_client.get("/my/data").get_data(as_text=True)
    assert "Who looked at your equality or access information" in page
    import csv
    import io
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(member_client.get("/my/data/my-data.zip").data))
    assert "03-your-communication-and-access-needs.csv" in archive.namelist()
    away_file = next(n for n in archive.namelist() if n.endswith("dates-you-are-away.csv"))
    rows = list(csv.reader(io.StringIO(archive.read(away_file).decode())))
    assert rows == [["First day", "Last day"], ["2 June 2031", "10 June 2031"]]
    session.expire_all()
    downloads = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "download_my_data")
    ).all()
    assert sorted(e.details["format"] for e in downloads) == ["csv", "json", "page"]
    assert all(e.subject_id == invited.id for e in downloads)


def test_the_member_start_page_is_where_a_member_lands(app, member_client):
    assert member_client.get("/member/").headers["Location"] == "/my/"
    assert member_client.get("/").headers["Location"] == "/my/"


def test_easy_read_pages_link_to_and_from_their_standard_versions(chosen, session):
    invited, member_client = chosen
    consent = member_client.get("/my/consent").get_data(as_text=True)
    assert "/my/consent/easy-read" in consent
    easy = member_client.get("/my/consent/easy-read").get_data(as_text=True)
    assert 'role="img"' in easy and "<title" in easy and 'href="/my/consent"' in easy
    mine = session.scalars(select(Invitation).where(Invitation.member_id == invited.id)).one()
    easy_invite = member_client.get(f"/my/invitations/{mine.id}/easy-read").get_data(as_text=True)
    assert "We would like you to join a group." in easy_invite
    assert f'href="/my/invitations/{mine.id}"' in easy_invite
    withdraw = member_client.get("/my/consent/contact/easy-read").get_data(as_text=True)
    assert "We will stop asking you to join panels." in withdraw


def test_a_member_account_not_linked_to_the_register_is_told_so(client, make_user, sign_in):
    sign_in(make_user("member"))
    page = client.get("/my/")
    assert page.status_code == 200
    assert "not linked to the people register yet" in page.get_data(as_text=True)
    assert client.get("/my/profile").status_code == 404


def test_the_demo_member_account_is_a_register_member_with_an_invitation(app, runner):
    result = runner.invoke(args=["demo", "--password", "demo-pass-123"])
    assert result.exit_code == 0, result.output
    assert "The demo member account member@demo.example is" in result.output
    client = app.test_client()
    client.post("/auth/sign-in", data={"email": "member@demo.example", "password": "demo-pass-123"})
    start = client.get("/my/").get_data(as_text=True)
    assert "Answer your invitation:" in start
    again = runner.invoke(args=["demo", "--password", "demo-pass-123"])
    assert again.exit_code == 0 and again.output.count("The demo member account") == 1


def test_a_member_sees_only_the_lotteries_whose_pool_they_were_in(
    app, member_client, invited, make_member, uow, session
):
    from panels.register.members import change_consent

    # Without consent to selection use they are in no pool.
    change_consent(uow, invited.id, "selection", False)
    for n in range(10):
        make_member(sex="Female" if n % 2 else "Male")
    with app.app_context():
        _draw(uow)
    page = member_client.get("/my/chances").get_data(as_text=True)
    assert "You have not been in a lottery yet." in page
    document = json.loads(member_client.get("/my/data/my-data.json").get_data(as_text=True))
    lotteries = next(s for s in document["sections"] if s["title"] == "Lotteries you were in")
    assert lotteries["rows"] == []


def test_erasing_a_member_deletes_their_availability_dates_away_and_links(
    app, member_client, invited, uow, session
):
    from panels.features import registry

    member_client.post("/my/profile/availability", data={"wed": ["morning"]})
    member_client.post(
        "/my/profile/away/new",
        data={"starts_on": ["2", "6", "2031"], "ends_on": ["10", "6", "2031"]},
    )
    with app.app_context():
        members = next(f for f in registry().features if f.name == "members")
        members.erase(uow, invited.id)
    session.expire_all()
    for model in (MemberAvailability, MemberAway, AccountInvite):
        assert session.scalars(select(model).where(model.member_id == invited.id)).all() == []


def test_a_member_who_needs_easy_read_is_sent_the_easy_read_set_up_page(
    app, client, lead, sign_in, make_member, session
):
    member = make_member(access_needs=["easy_read"])
    sign_in(lead)
    client.post(f"/member-accounts/{member.id}/link")
    path = _link_path(session, member.id)
    assert path.endswith("/easy-read")
    page = app.test_client().get(path).get_data(as_text=True)
    assert 'role="img"' in page and "Choose a password." in page


def test_a_link_sent_to_an_address_the_member_no_longer_has_is_refused(app, invited, session):
    path = _link_path(session, invited.id)
    session.get(Member, invited.id).email = "asha.new@members.example"
    session.commit()
    response = _set_up(app.test_client(), path)
    assert response.status_code == 400
    assert "an email address we no longer have for you" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Member, invited.id).user_id is None


def test_one_set_up_link_used_in_parallel_makes_one_account(app, invited, session):
    from tests.integration.test_auth_concurrency import _in_parallel

    path = _link_path(session, invited.id)

    def use(i: int) -> int:
        return _set_up(app.test_client(), path, f"{NEW_PASSWORD} {i}").status_code

    codes = _in_parallel(6, use)
    assert sorted(codes) == [302, 400, 400, 400, 400, 400], codes
    accounts_made = session.scalars(select(User).where(User.role == "member")).all()
    assert len(accounts_made) == 1
    session.expire_all()
    assert session.get(Member, invited.id).user_id == accounts_made[0].id


@pytest.mark.parametrize(
    ("probability", "words", "percent"),
    [
        (1 / 7, "about 1 in 7", "14%"),
        (0.04, "about 1 in 25", "4.0%"),
        (0.8, "about 8 in 10", "80%"),
        (1.0, "certain", "100%"),
        (0.0, "no chance", "0.0%"),
    ],
)
def test_a_chance_is_said_in_plain_words(probability, words, percent):
    from datetime import UTC, datetime

    from models import Project
    from panels.members.involvement import Chance

    chance = Chance(Project(), 1, datetime.now(UTC), probability, False, 10)
    assert (chance.in_words, chance.percent) == (words, percent)


def test_prefer_not_to_say_stands_alone_in_a_question_with_several_answers(
    member_client, invited, session
):
    response = member_client.post(
        "/my/profile/answers/impairment_type", data={"answer": ["Mobility", "prefer_not_to_say"]}
    )
    assert response.status_code == 200
    assert "Choose “Prefer not to say” on its own" in response.get_data(as_text=True)
    ok = member_client.post(
        "/my/profile/answers/impairment_type", data={"answer": ["Mobility", "Hearing"]}
    )
    assert ok.status_code == 302
    page = member_client.get("/my/profile").get_data(as_text=True)
    assert "Hearing, such as deafness or partial hearing<br>Mobility, such as" in page


def test_the_profile_lists_several_needs_one_per_line(member_client):
    member_client.post("/my/profile/access-needs", data={"needs": ["bsl", "breaks"]})
    page = member_client.get("/my/profile").get_data(as_text=True)
    assert "British Sign Language interpreter<br>Regular breaks" in page
    assert "&lt;br&gt;" not in page
