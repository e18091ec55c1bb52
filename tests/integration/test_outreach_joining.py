"""The public joining form: a request waits for staff; a honeypot and a rate limit keep bots
out; the answer never says whether someone is already on the register; a request through a
partner's link counts as that partner's yield once staff accept it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import ConsentRecord, ConsentWording, JoinRequest, Member


@pytest.fixture
def partner(app, make_user):
    from panels.db import open_unit_of_work
    from panels.outreach.partners import PartnerInput, create_partner
    from panels.uow import Actor

    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        found = create_partner(
            uow,
            PartnerInput(
                name="Leeds Carers Network",
                consent_to_contact=True,
                reaches={"unpaid_carer": ["Provides 50 or more hours unpaid care a week"]},
            ),
        )
        return found.id, found.links[0].token


def _form(**overrides):
    data = {
        "first_name": "Ada",
        "last_name": "Okafor",
        "preferred_contact": "email",
        "email": "ada@people.example",
        "phone": "",
        "postcode": "LS1 4AP",
        "consent_contact": "y",
        "consent_selection": "y",
        "website": "",
    }
    data.update(overrides)
    return data


def test_a_request_waits_for_staff_with_the_wording_shown(client, session):
    page = client.get("/join/")
    assert page.status_code == 200
    assert "Join our people register" in page.text
    wording = session.scalars(
        select(ConsentWording)
        .where(ConsentWording.purpose == "contact")
        .order_by(ConsentWording.version.desc())
    ).first()
    assert wording.text in page.text
    response = client.post("/join/", data=_form(wording_contact=str(wording.id)))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/join/thanks")
    request = session.scalars(select(JoinRequest)).one()
    assert request.status == "waiting"
    assert request.consents["contact"] == {"given": True, "wording_id": wording.id}
    assert request.consents["statistics"]["given"] is False
    assert session.scalar(select(Member.id)) is None


def test_the_form_needs_consent_to_contact_and_a_way_to_reach_them(client, session):
    response = client.post("/join/", data=_form(consent_contact="", email=""))
    assert response.status_code == 200
    assert "Tick the box to say we may contact you" in response.text
    assert "Enter your email address, so that we can email you" in response.text
    assert session.scalar(select(JoinRequest.id)) is None


def test_a_filled_honeypot_is_thanked_and_nothing_is_saved(client, session):
    response = client.post("/join/", data=_form(website="http://spam.example"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/join/thanks")
    assert session.scalar(select(JoinRequest.id)) is None


def test_requests_from_one_address_are_rate_limited(app, client, session):
    app.config["JOIN_REQUESTS_PER_HOUR"] = 2
    for n in range(2):
        ok = client.post("/join/", data=_form(email=f"person{n}@people.example"))
        assert ok.status_code == 302
    refused = client.post("/join/", data=_form(email="third@people.example"))
    assert refused.status_code == 429
    assert "Too many requests to join" in refused.text
    assert len(session.scalars(select(JoinRequest)).all()) == 2


def test_a_known_email_gets_the_same_answer(client, make_member, session):
    make_member(email="known@people.example")
    known = client.post("/join/", data=_form(email="known@people.example"))
    new = client.post("/join/", data=_form(email="new@people.example"))
    assert known.status_code == new.status_code == 302
    assert known.headers["Location"] == new.headers["Location"]
    assert client.get(known.headers["Location"]).text == client.get(new.headers["Location"]).text


def test_an_unknown_link_is_not_found(client):
    assert client.get("/join/not-a-real-token").status_code == 404


def test_an_accepted_request_through_a_partner_link_is_its_yield(
    app, client, make_user, sign_in, partner, session
):
    partner_id, token = partner
    client.post(f"/join/{token}", data=_form(consent_statistics="y", consent_selection=""))
    request = session.scalars(select(JoinRequest)).one()
    session.close()

    lead = make_user("lead")
    sign_in(lead)
    before = client.get(f"/outreach/partners/{partner_id}")
    assert "0 people have joined the register through Leeds Carers Network" in before.text
    waiting = client.get("/outreach/requests")
    assert "Ada Okafor" in waiting.text and "Partner: Leeds Carers Network" in waiting.text
    accepted = client.post(f"/outreach/requests/{request.id}", data={"accept": "y"})
    assert accepted.status_code == 302

    member = session.scalars(select(Member)).one()
    assert (member.joined_via, member.referred_by) == ("partner", "Leeds Carers Network")
    assert member.consent_contact and member.consent_statistics and not member.consent_selection
    records = session.scalars(
        select(ConsentRecord).where(ConsentRecord.member_id == member.id)
    ).all()
    assert {r.purpose: r.wording_id for r in records} == {
        p: a["wording_id"] for p, a in request.consents.items()
    }
    after = client.get(f"/outreach/partners/{partner_id}")
    assert "1 person has joined the register through Leeds Carers Network" in after.text

    # A manager sees the partner's yield too, and nothing of the request itself.
    other = app.test_client()
    sign_in(make_user("manager"), client=other)
    assert "1 person has joined" in other.get(f"/outreach/partners/{partner_id}").text
    assert other.get("/outreach/requests").status_code == 403


def test_a_request_from_someone_on_the_register_cannot_be_added_twice(
    app, client, make_user, sign_in, make_member, session
):
    make_member(email="known@people.example")
    client.post("/join/", data=_form(email="known@people.example"))
    request_id = session.scalar(select(JoinRequest.id))
    session.close()
    sign_in(make_user("lead"))
    page = client.get(f"/outreach/requests/{request_id}")
    assert "already on the register" in page.text
    client.post(f"/outreach/requests/{request_id}", data={"accept": "y"})
    assert len(session.scalars(select(Member)).all()) == 1
    rejected = client.post(
        f"/outreach/requests/{request_id}", data={"reject": "y", "reason": "Already a member"}
    )
    assert rejected.status_code == 302
    assert session.get(JoinRequest, request_id).status == "rejected"


def test_a_members_joining_request_is_in_their_data_and_erased_with_them(
    app, client, make_user, sign_in, partner, session
):
    from panels.db import open_unit_of_work
    from panels.outreach import joining
    from panels.outreach.personal import erase, personal_data
    from panels.outreach.reach import partner_members
    from panels.uow import Actor

    partner_id, token = partner
    client.post(f"/join/{token}", data=_form())
    request_id = session.scalar(select(JoinRequest.id))
    session.close()
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        member_id = joining.accept_join_request(uow, request_id).id
        [section] = personal_data(uow, member_id)
        assert section.rows[0][1:5] == (
            "Ada Okafor",
            "ada@people.example",
            "",
            "Leeds Carers Network",
        )
        erase(uow, member_id)
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        request = uow.session.get(JoinRequest, request_id)
        assert (request.first_name, request.email, request.postcode) == ("", None, None)
        # The partner's yield still counts them.
        assert partner_members(uow)[partner_id] == {member_id}


def test_reading_the_help_someone_asked_for_is_audited(client, make_user, sign_in, session):
    from models import AuditEvent

    client.post("/join/", data=_form(consent_access_needs="y", help_needed="A BSL interpreter"))
    request_id = session.scalar(select(JoinRequest.id))
    session.close()
    sign_in(make_user("lead"))
    page = client.get(f"/outreach/requests/{request_id}")
    assert "A BSL interpreter" in page.text
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "view_access_needs")
    ).all()
    assert [(e.subject_type, e.subject_id) for e in events] == [("join_request", request_id)]


def test_someone_who_wants_letters_gives_an_address_and_is_added_with_it(app, client, session):
    from panels.db import open_unit_of_work
    from panels.outreach.joining import accept_join_request
    from panels.uow import Actor

    missing = client.post("/join/", data=_form(preferred_contact="post", email="", postcode=""))
    assert "Enter your postal address, so that we can write to you" in missing.text
    assert "Enter your postcode, so that we can write to you" in missing.text
    sent = client.post(
        "/join/",
        data=_form(preferred_contact="post", email="", address="1 Park Row\nLeeds"),
    )
    assert sent.status_code == 302
    request_id = session.scalar(select(JoinRequest.id))
    session.close()
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        member = accept_join_request(uow, request_id)
        assert (member.address, member.postcode, member.preferred_contact) == (
            "1 Park Row\nLeeds",
            "LS1 4AP",
            "post",
        )
