"""Under-reached groups (short of the census share, or a high chance in a draw), partners
suggested for them, outreach actions logged through them, and their yield per group with
small counts protected for managers."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from models import Draw, OutreachAction
from panels.outreach.reach import people_to_reach_share, people_to_typical_chance


@pytest.mark.parametrize(
    ("observed", "n", "share", "needed"),
    [(0, 10, 0.5, 10), (30, 100, 0.4, 17), (50, 100, 0.4, 0), (4, 20, 0.25, 2)],
)
def test_people_needed_to_reach_a_share(observed, n, share, needed):
    assert people_to_reach_share(observed, n, share) == needed
    if needed:
        assert (observed + needed) / (n + needed) >= share
        assert (observed + needed - 1) / (n + needed - 1) < share


def test_people_needed_to_bring_a_chance_down_to_the_typical_one():
    # Two people with an 80% chance fill 1.6 seats; at 20% each that takes 8 people.
    assert people_to_typical_chance([0.8, 0.8], 0.2) == 6
    assert people_to_typical_chance([0.2, 0.2], 0.2) == 0


def _partner(app, **kwargs):
    from panels.db import open_unit_of_work
    from panels.outreach.partners import PartnerInput, create_partner
    from panels.uow import Actor

    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        return create_partner(uow, PartnerInput(**kwargs)).id


@pytest.fixture
def lead(make_user, sign_in):
    user = make_user("lead")
    sign_in(user)
    return user


def test_the_register_short_of_men_is_listed_with_the_people_it_needs(client, lead, make_member):
    for _ in range(10):
        make_member(sex="Female")
    page = client.get("/outreach/")
    assert page.status_code == 200
    assert "Sex: Male" in page.text
    assert "Male is 0% of the 10 people with an answer" in page.text
    assert "/outreach/suggestions?dimension=sex&amp;category=Male" in page.text


def test_a_group_with_a_high_chance_in_a_draw_is_listed(app, client, lead, make_member):
    from panels.db import open_unit_of_work
    from panels.projects.service import ProjectInput, create_project
    from panels.uow import Actor

    members = [make_member(sex="Female" if n else "Male") for n in range(5)]
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        project = create_project(
            uow, ProjectInput(title="Day centres", purpose="Change them", level="operational")
        )
        with uow:
            uow.session.add(
                Draw(
                    project_id=project.id,
                    number=1,
                    kind="first",
                    status="done",
                    algorithm="leximin",
                    engine_version="test",
                    seed=1,
                    k=2,
                    pool=[
                        {"id": str(m.id), "sex": "Male" if i == 0 else "Female"}
                        for i, m in enumerate(members)
                    ],
                    probabilities={
                        str(m.id): 1.0 if i == 0 else 0.25 for i, m in enumerate(members)
                    },
                    median_probability=0.25,
                    input_hash="x" * 64,
                    drawn_by="test",
                )
            )
    page = client.get("/outreach/")
    assert "Day centres" in page.text
    assert "had on average a 100% chance of being chosen, against a typical chance of 25%" in (
        page.text
    )
    # One seat on average at 25% each takes 4 people: 3 more than the 1 in the pool.
    assert "About 3 more people from this group" in page.text


def test_partners_are_ranked_for_a_group_and_an_action_is_logged_in_one_step(
    app, client, lead, session
):
    reaches = {"unpaid_carer": ["Provides 50 or more hours unpaid care a week"]}
    first = _partner(app, name="Carers Together", consent_to_contact=True, reaches=reaches)
    _partner(app, name="No Contact Group", consent_to_contact=False, reaches=reaches)
    _partner(app, name="Chess Club", consent_to_contact=True, reaches={"sex": ["Male"]})
    page = client.get(
        "/outreach/suggestions",
        query_string={
            "dimension": "unpaid_carer",
            "category": "Provides 50 or more hours unpaid care a week",
        },
    )
    assert page.status_code == 200
    assert "1. Carers Together" in page.text
    assert "No Contact Group" not in page.text and "Chess Club" not in page.text
    assert "Reaches this group" in page.text

    form = client.get(
        "/outreach/actions/new",
        query_string={
            "partner_id": first,
            "dimension": "unpaid_carer",
            "category": "Provides 50 or more hours unpaid care a week",
        },
    )
    assert "Group aimed at: Unpaid carer: Yes, 50 or more hours a week" in form.text
    today = date.today()
    logged = client.post(
        f"/outreach/actions/new?partner_id={first}",
        data={
            "partner_id": str(first),
            "dimension": "unpaid_carer",
            "category": "Provides 50 or more hours unpaid care a week",
            "done_on": [str(today.day), str(today.month), str(today.year)],
            "channel": "meeting",
            "description": "A talk at the carers' coffee morning",
        },
    )
    assert logged.status_code == 302, logged.text
    action = session.scalars(select(OutreachAction)).one()
    assert (action.partner_id, action.channel, action.done_on) == (first, "meeting", today)
    shown = client.get(f"/outreach/partners/{first}")
    assert "A talk at the carers&#39; coffee morning" in shown.text


def test_a_manager_sees_small_yields_of_special_category_groups_protected(
    app, client, make_user, sign_in, make_member
):
    partner_id = _partner(
        app,
        name="Mosque Women's Group",
        consent_to_contact=True,
        reaches={"ethnicity_5": ["Asian"]},
    )
    make_member(ethnicity="Pakistani", joined_via="partner", referred_by="Mosque Women's Group")
    sign_in(make_user("manager"))
    page = client.get(f"/outreach/partners/{partner_id}")
    # The partner reaches a special-category group, so even its total is protected.
    assert "fewer than 5 people have joined the register through Mosque Women" in page.text
    assert "Ethnic group (5 categories): Asian" in page.text or "Asian" in page.text
    assert "fewer than 5" in page.text


def test_a_small_special_category_group_is_protected_for_a_manager(
    app, client, make_user, sign_in, make_member
):
    for n in range(30):
        make_member(ethnicity="Indian" if n == 0 else "British")
    sign_in(make_user("manager"))
    page = client.get("/outreach/").text
    assert "fewer than 5 of the people with an answer to “Ethnic group (5 groups)” are Asian" in (
        page
    )
    # The number needed is a range over every count "fewer than 5" could be.
    row = page.split("are Asian")[1].split("</tr>")[0]
    assert "Between " in row and " more people from this group" in row
    assert "Asian Welsh is 3%" not in page

    lead = app.test_client()
    sign_in(make_user("lead"), client=lead)
    text = lead.get("/outreach/").text
    assert "Asian Welsh is 3% of the 30 people with an answer" in text
    assert "(1 person)" in text


def test_the_partner_list_shows_which_partnerships_work(
    app, client, make_user, sign_in, make_member
):
    from panels.db import open_unit_of_work
    from panels.outreach.partners import ActionInput, log_action
    from panels.uow import Actor

    carers = _partner(app, name="Carers Together", consent_to_contact=True)
    _partner(app, name="Quiet Club", consent_to_contact=True)
    for _ in range(6):
        make_member(joined_via="partner", referred_by="carers together")
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        log_action(
            uow,
            ActionInput(carers, date(2026, 3, 2), "newsletter", "A piece in the newsletter"),
        )
    sign_in(make_user("manager"))
    page = client.get("/outreach/partners").text
    carers_row = page.split(">Carers Together</a>")[1].split("</tr>")[0]
    quiet_row = page.split(">Quiet Club</a>")[1].split("</tr>")[0]
    assert ">6</td>" in carers_row and ">1</td>" in carers_row and "2 March 2026" in carers_row
    assert ">0</td>" in quiet_row and "None yet" in quiet_row
