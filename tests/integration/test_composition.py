"""A panel's representativeness (verdicts in people, charts, small counts for managers) and
familiar voices, on the project and across the register."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from models import Invitation, Member, Project
from panels.projects import composition, service, shortlist
from panels.projects.composition import History, familiar_warning
from tests.conftest import TEST_PASSWORD

SVG = "{http://www.w3.org/2000/svg}"


def _born(age: int) -> date:
    today = date.today()
    return date(today.year - age - 1, 1, 15)


def _project(uow, title="Home care review") -> int:
    return service.create_project(
        uow,
        service.ProjectInput(
            title=title, purpose="Decide how home care visits work", level="individual"
        ),
    ).id


def _shares(uow, project_id, key, percentages):
    service.set_manual_shares(uow, project_id, key, percentages, "Our service's users, 2025")


def _confirmed_panel(session, members, when: datetime, title="Earlier panel") -> Project:
    """A confirmed project whose panel is ``members`` (all accepted)."""
    project = Project(
        title=title,
        purpose="Earlier work",
        level="operational",
        confirmed_at=when,
        eligibility={"filters": {}},
        quotas={},
        new_voices={},
    )
    session.add(project)
    session.flush()
    for member in members:
        session.add(Invitation(project_id=project.id, member_id=member.id, status="accepted"))
    session.commit()
    return project


@pytest.fixture
def women(make_member):
    return [make_member(sex="Female", date_of_birth=_born(30 + n)) for n in range(4)]


def test_the_verdict_is_in_people(app, uow, women):
    project_id = _project(uow)
    _shares(uow, project_id, "sex", {"Female": 50, "Male": 50})
    for member in women:
        shortlist.add_to_shortlist(uow, project_id, member.id)
    found = composition.panel_composition(uow, project_id, suppress_special=False)
    assert found.basis == "hand-built" and found.seats == 4
    (sex,) = found.dimensions
    assert sex.gap.method == "exact"  # a panel of 4: the exact test, chosen by "auto"
    assert sex.verdicts == (
        "2 people fewer who are female would meet the target",
        "2 more people who are male would meet the target",
    )
    assert sex.summary.startswith("For sex (all 4): 2 people fewer who are female")
    female = next(r for r in sex.rows if r.code == "Female")
    assert (female.observed.value, female.min_seats, female.max_seats) == (4, 2, 2)


def test_age_bands_and_one_person(app, uow, make_member):
    people = [make_member(date_of_birth=_born(age)) for age in (40, 41, 70)]
    project_id = _project(uow)
    _shares(uow, project_id, "age_band", {"18-24": 34, "35-44": 33, "65-74": 33})
    for member in people:
        shortlist.add_to_shortlist(uow, project_id, member.id)
    (age,) = composition.panel_composition(uow, project_id, suppress_special=False).dimensions
    assert "1 more person aged 18-24 would meet the target" in age.verdicts
    assert "1 person fewer aged 35-44 would meet the target" in age.verdicts


def test_unknown_answers_are_not_counted_against_the_target(app, uow, make_member):
    people = [make_member(sex="Female"), make_member(sex="Male"), make_member()]
    project_id = _project(uow)
    _shares(uow, project_id, "sex", {"Female": 50, "Male": 50})
    for member in people:
        shortlist.add_to_shortlist(uow, project_id, member.id)
    (sex,) = composition.panel_composition(uow, project_id, suppress_special=False).dimensions
    assert sex.within_target and sex.unknown.value == 1 and sex.gap.n == 2
    assert sex.summary.startswith("The panel meets the target for sex (2 of the 3 with an answer)")


def test_suppression_hides_small_counts_everywhere_they_show(app, uow):
    from panels.register.taxonomy import load_taxonomy

    ethnicity = load_taxonomy(uow.session)["ethnicity_5"]
    shares = {"White": 0.8, "Asian": 0.1, "Black": 0.1}
    counts = {"White": 7, "Asian": 2, "prefer_not_to_say": 2}
    shown = composition.analyse_dimension(ethnicity, counts, shares, 11, suppress=True)
    assert shown.suppressed and str(shown.unknown) == "fewer than 5"
    assert shown.summary.startswith("For ethnic group (5 groups) (11 people, fewer than 5 of")
    asian = next(r for r in shown.rows if r.code == "Asian")
    assert (str(asian.observed), asian.share) == ("fewer than 5", None)
    black = next(r for r in shown.rows if r.code == "Black")
    assert str(black.observed) == "0"  # zero points at no one
    assert black.verdict.startswith("Within the target for people who are Black")
    assert "2" not in " ".join(b.value_text for b in shown.chart().bars if b.label.startswith("As"))
    full = composition.analyse_dimension(ethnicity, counts, shares, 11, suppress=False)
    assert full.summary.startswith("For ethnic group (5 groups) (9 of the 11 with an answer)")
    sex = load_taxonomy(uow.session)["sex"]
    plain = composition.analyse_dimension(sex, {"Female": 2}, {"Female": 1.0}, 2, suppress=True)
    assert not plain.suppressed and str(plain.rows[0].observed) == "2"


def test_a_drawn_panel_and_then_a_confirmed_one(app, uow, session, make_member):
    for n in range(12):
        make_member(sex="Female" if n % 2 else "Male")
    project_id = _project(uow)
    _shares(uow, project_id, "sex", {"Female": 50, "Male": 50})
    service.set_eligibility(uow, project_id, {})
    service.propose_quotas(uow, project_id, panel_size=6, tolerance=0)
    service.draw_panel(uow, service.DrawRequest(project_id))
    drawn = composition.panel_composition(uow, project_id, suppress_special=False)
    assert (drawn.basis, drawn.seats) == ("drawn", 6)
    assert drawn.dimensions[0].within_target
    invitations = uow.session.scalars(select(Invitation).order_by(Invitation.id)).all()
    for invitation, status in zip(
        invitations, ["accepted"] * 4 + ["declined", "invited"], strict=True
    ):
        invitation.status = status
    uow.session.get(Project, project_id).confirmed_at = datetime.now(UTC)
    uow.session.commit()
    confirmed = composition.panel_composition(uow, project_id, suppress_special=False)
    assert (confirmed.basis, confirmed.seats) == ("confirmed", 4)


def test_familiar_voices_on_a_panel(app, uow, session, make_member):
    sam, pat, lee, new = (
        make_member(first_name=name, sex="Female") for name in ("Sam", "Pat", "Lee", "Ana")
    )
    now = datetime.now(UTC)
    for months in (2, 6, 10, 20):  # four panels in two years
        _confirmed_panel(session, [sam], now - timedelta(days=30 * months))
    _confirmed_panel(session, [lee], now - timedelta(days=30 * 30))  # three years ago: not recent
    _confirmed_panel(session, [lee, pat], now - timedelta(days=30))
    # Pat has 3 more panels with no date (imported history); Lee's total is exactly dated.
    session.get(Member, pat.id).panels_served = 4
    session.get(Member, lee.id).panels_served = 2
    session.commit()
    project_id = _project(uow)
    _shares(uow, project_id, "sex", {"Female": 100})
    for member in (sam, pat, lee, new):
        shortlist.add_to_shortlist(uow, project_id, member.id)
    found = composition.panel_composition(uow, project_id, suppress_special=False)
    assert (found.familiar.familiar, found.familiar.maybe, found.familiar.seats) == (1, 1, 4)
    (listed,) = [p for p in composition.projects_familiarity(uow) if p.project_id == project_id]
    assert listed.familiar == found.familiar
    assert found.familiar.sentence.startswith(
        "1 of 4 seats (25%) are held by people who have served on 3 or more other panels"
    )
    assert "1 more person has panels recorded without a date" in found.familiar.sentence
    history = composition.histories(session, [sam.id, pat.id, lee.id], date.today())
    assert history[sam.id] == History(recent=4, undated=0)
    assert history[pat.id] == History(recent=1, undated=3)
    assert history[lee.id] == History(recent=1, undated=0)


def test_a_confirmed_panel_is_not_one_of_its_members_other_panels(app, uow, session, make_member):
    sam = make_member(first_name="Sam")
    now = datetime.now(UTC)
    for months in (3, 9):
        _confirmed_panel(session, [sam], now - timedelta(days=30 * months))
    project = _confirmed_panel(session, [sam], now - timedelta(days=5), title="This one")
    history = composition.histories(session, [sam.id], date.today(), leave_out=project)
    assert history[sam.id].recent == 2 and not history[sam.id].familiar
    listed = composition.projects_familiarity(uow)
    assert [(p.title, p.familiar.seats, p.familiar.familiar) for p in listed] == [
        ("Earlier panel", 1, 0),
        ("Earlier panel", 1, 0),
        ("This one", 1, 0),
    ]


def test_the_warning_names_the_person_and_their_panels():
    assert familiar_warning("Sam", History(recent=4, undated=0)) == (
        "Sam has been on 4 panels in the last two years: consider someone new."
    )
    assert "1 panel in the last two years and 2 more with no date" in familiar_warning(
        "Pat", History(recent=1, undated=2)
    )
    assert familiar_warning("Ana", History(recent=2, undated=0)) is None


def test_register_concentration(app, uow, session, make_member):
    people = [make_member() for _ in range(10)]
    now = datetime.now(UTC)
    for _ in range(3):
        _confirmed_panel(session, people[:1], now - timedelta(days=60))
    _confirmed_panel(session, people[1:3], now - timedelta(days=60))
    _confirmed_panel(session, people[3:4], now - timedelta(days=900))
    served = [3, 1, 1, 1, 0, 0, 0, 0, 0, 6]  # the last has 6 undated panels
    for member, count in zip(people, served, strict=True):
        session.get(Member, member.id).panels_served = count
    session.commit()
    found = composition.register_familiarity(uow)
    assert (found.recent_seats, found.familiar_members, found.familiar_seats) == (5, 1, 3)
    assert found.familiar_share == pytest.approx(0.6)
    assert found.undated_seats == 12 - 6
    assert found.concentration.n == 10 and found.concentration.seats == 12
    assert found.concentration.top_share == pytest.approx(0.5)  # 6 of 12, one person


# --- pages ---------------------------------------------------------------------------------


@pytest.fixture
def mixed_panel(uow, make_member):
    """A hand-built panel of 10: 7 White, 3 Asian (special category); 6 women, 4 men."""
    project_id = _project(uow)
    _shares(uow, project_id, "ethnicity_5", {"White": 80, "Asian": 10, "Black": 10})
    _shares(uow, project_id, "sex", {"Female": 50, "Male": 50})
    for n in range(10):
        member = make_member(
            ethnicity="British" if n < 7 else "Indian", sex="Female" if n < 6 else "Male"
        )
        shortlist.add_to_shortlist(uow, project_id, member.id)
    return project_id


def test_a_lead_sees_counts_and_a_chart_with_its_table(client, make_user, sign_in, mixed_panel):
    sign_in(make_user("lead"))
    page = client.get(f"/projects/{mixed_panel}/representativeness").get_data(as_text=True)
    assert "<title>Representativeness – Home care review" in page
    assert "1 more person who is Black, Black British" in page
    assert "2 more people who are Asian" not in page
    assert 'role="img"' in page and 'aria-labelledby="chart-ethnicity-5-title"' in page
    assert "style=" not in page
    assert "fewer than 5" not in page
    # the data as a table beside the chart, with the Asian count shown to a lead
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">3</td>' in page
    assert "Person" not in page  # names-free


def test_managers_see_small_special_category_counts_suppressed(
    client, make_user, sign_in, mixed_panel
):
    sign_in(make_user("manager"))
    page = client.get(f"/projects/{mixed_panel}/representativeness").get_data(as_text=True)
    assert "fewer than 5" in page
    assert "Counts of 1 to 4 people are shown as" in page
    # sex is not a special category: its counts stay (4 men)
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">4</td>' in page
    svg = client.get(f"/projects/{mixed_panel}/representativeness/ethnicity_5.svg")
    assert "fewer than 5" in svg.get_data(as_text=True)
    assert client.get(f"/projects/{mixed_panel}/shortlist").status_code == 403


def test_the_chart_downloads_as_svg(client, make_user, sign_in, mixed_panel):
    sign_in(make_user("lead"))
    response = client.get(f"/projects/{mixed_panel}/representativeness/sex.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "attachment" in response.headers["Content-Disposition"]
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text.startswith("Sex: the panel's share")
    missing = client.get(f"/projects/{mixed_panel}/representativeness/religion.svg")
    assert missing.status_code == 404
    assert "valid ones are: ethnicity_5, sex" in missing.get_data(as_text=True)


def test_the_project_page_has_the_section(client, make_user, sign_in, mixed_panel):
    sign_in(make_user("manager"))
    page = client.get(f"/projects/{mixed_panel}").get_data(as_text=True)
    assert "How well the panel reflects the population" in page
    assert "The panel as built by hand so far" in page
    assert 'id="chart-show-sex-title"' in page
    assert "0 of 10 seats (0%) are held by people who have served on 3 or more" in page
    assert "Build the panel by hand" not in page  # managers do not build panels


def test_familiar_voices_page(app, client, make_user, sign_in, make_member):
    from panels import db

    sam = make_member()
    with app.app_context():  # closed before the requests, so each request signs its user in
        session = db.session()
        for months in (1, 2, 3):
            _confirmed_panel(session, [sam], datetime.now(UTC) - timedelta(days=30 * months))
        session.get(Member, sam.id).panels_served = 3
        session.commit()
    sign_in(make_user("manager"))
    page = client.get("/projects/familiar-voices").get_data(as_text=True)
    assert "<title>Familiar voices – Projects" in page
    assert "SCIE" in page and "familiar voices" in page
    assert "100%" in page  # the only member with panels holds every seat
    assert "No open project has anyone on its panel yet." not in page  # the three confirmed
    assert page.count('href="/projects/') >= 3
    other = app.test_client()
    member = make_user("member")
    other.post("/auth/sign-in", data={"email": member.email, "password": TEST_PASSWORD})
    assert other.get("/projects/familiar-voices").status_code == 403
