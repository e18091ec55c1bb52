"""Managers' reports: panels across projects, the register against the population, familiar
voices and time given; counts only, small numbers hidden (with secondary suppression), every
view and download audited."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from models import AuditEvent
from panels.projects import invitations, service, shortlist
from panels.reports.overview import cross_project_overview, overview_report
from panels.reports.population import population_report, register_against_population
from panels.reports.tables import as_csv
from panels.uow import Actor
from tests.unit.test_suppression import primary_only, published_intervals


def _project(uow, title: str, level: str = "operational") -> int:
    return service.create_project(
        uow, service.ProjectInput(title=title, purpose="Hear from people", level=level)
    ).id


def _panel(uow, project_id: int, members) -> None:
    for member in members:
        shortlist.add_to_shortlist(uow, project_id, member.id)


@pytest.fixture
def two_panels(uow, make_member):
    """Home care: 3 women, 9 men (target 50:50); Day centres: 6 women, 6 men, all White
    but one Asian and one with no answer (ethnic group target 80:10:10)."""
    home = _project(uow, "Home care review")
    service.set_manual_shares(uow, home, "sex", {"Female": 50, "Male": 50}, "Our users")
    _panel(
        uow,
        home,
        [make_member(sex="Female") for _ in range(3)] + [make_member(sex="Male") for _ in range(9)],
    )
    day = _project(uow, "Day centres", level="strategic")
    service.set_manual_shares(uow, day, "sex", {"Female": 50, "Male": 50}, "Our users")
    service.set_manual_shares(
        uow, day, "ethnicity_5", {"White": 80, "Asian": 10, "Black": 10}, "Our users"
    )
    people = [make_member(sex="Female", ethnicity="British") for _ in range(5)]
    people += [make_member(sex="Male", ethnicity="British") for _ in range(5)]
    people += [make_member(sex="Female", ethnicity="Indian"), make_member(sex="Male")]
    _panel(uow, day, people)
    empty = _project(uow, "Carers' strategy", level="strategic")
    return home, day, empty


def _numbers(cells):
    return [int(c) for c in cells if re.fullmatch(r"\d+", c)]


def test_the_overview_shows_each_projects_gaps_status_and_level(app, uow, two_panels):
    overview = cross_project_overview(uow)
    assert [p.title for p in overview.panels] == [
        "Carers' strategy",
        "Day centres",
        "Home care review",
    ]
    home = next(p for p in overview.panels if p.title == "Home care review")
    assert (home.status_name, home.level_name, home.seats) == ("Planning", "Operational", 12)
    state, text = overview.cell(home, "sex")
    # 3 women is a small count, and the men's 9 would give it away from the 12 seats: the
    # verdicts of neither are shown.
    assert (state, text) == ("unclear", "2 groups not shown (small numbers).")
    day = next(p for p in overview.panels if p.title == "Day centres")
    assert overview.cell(day, "sex") == ("met", "Meets the target.")
    carers = next(p for p in overview.panels if p.title == "Carers' strategy")
    assert overview.cell(carers, "sex") == ("none", "Not in the target.")
    sex = overview.characteristic("sex")
    home_row = sex.panels.index(home)
    assert str(sex.table.cells[home_row][0]) == "fewer than 5"
    # Secondary suppression: the men's count would give the women's away from the 12 seats.
    assert str(sex.table.cells[home_row][1]) == "not shown"


def test_no_published_count_is_small_and_none_can_be_worked_out(app, uow, two_panels):
    overview = cross_project_overview(uow)
    report = overview_report(overview)
    for table in report.tables[1:]:
        for row in table.rows:
            assert not [n for n in _numbers(c.split(" (")[0] for c in row[1:]) if 0 < n < 5]
    for c in overview.characteristics:
        for key, (low, high) in published_intervals(c.table).items():
            assert low < high, (c.key, key)


def test_primary_suppression_alone_would_give_counts_away(app, uow, two_panels):
    overview = cross_project_overview(uow)
    sex = overview.characteristic("sex")
    counts = (
        [[3, 9, 0], [6, 6, 0]]
        if sex.panels[0].title == "Home care review"
        else [[6, 6, 0], [3, 9, 0]]
    )
    pinned = [
        k for k, (low, high) in published_intervals(primary_only(counts)).items() if low == high
    ]
    assert pinned


def test_a_larger_threshold_hides_more(app, uow, two_panels):
    from panels.uow import UnitOfWork

    strict = UnitOfWork(uow.session, uow.actor, {**uow.settings, "SUPPRESSION_THRESHOLD": 10})
    overview = cross_project_overview(strict)
    sex = overview.characteristic("sex")
    assert {str(c) for row in sex.table.cells for c in row} >= {"fewer than 10"}
    assert "6" not in {str(c) for row in sex.table.cells for c in row}


def test_the_manager_reads_and_downloads_it_and_each_is_audited(
    app, client, make_user, sign_in, two_panels
):
    sign_in(make_user("manager"))
    page = client.get("/reports/projects")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Where panels miss people" in html
    assert "app-gap--met" in html and "app-gap--unclear" in html
    assert "Person" not in html  # no names, only counts
    assert "fewer than 5" in html and "not shown" in html
    got = client.get("/reports/projects.csv")
    assert got.status_code == 200 and got.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(got.get_data(as_text=True))))
    assert rows[0] == ["Panels across projects"]
    assert any(r and r[0] == "Home care review" for r in rows)
    for row in rows:
        assert not [n for n in _numbers(c.split(" (")[0] for c in row[1:]) if 0 < n < 5]
    book = load_workbook(io.BytesIO(client.get("/reports/projects.xlsx").data))
    assert book.sheetnames[0] == "Contents"
    for sheet in book.worksheets[1:]:
        for row in sheet.iter_rows(min_row=3, values_only=True):
            for value in row[1:]:
                assert not (isinstance(value, int) and 0 < value < 5), (sheet.title, row)
    svg = client.get("/reports/projects/charts/sex.svg")
    assert svg.mimetype == "image/svg+xml" and b"all panels together" in svg.data
    png = client.get("/reports/projects/charts/sex.png")
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    with app.app_context():
        from panels.db import open_unit_of_work

        with open_unit_of_work(Actor.command_line(), app) as uow:
            formats = sorted(
                e.details.get("format", "view")
                for e in uow.session.scalars(
                    select(AuditEvent).where(
                        AuditEvent.action.in_(("view_report", "download_report"))
                    )
                )
            )
    assert formats == ["csv", "png", "svg", "view", "xlsx"]


def test_leads_see_their_own_projects_and_members_nothing(
    app, client, make_user, sign_in, make_member, two_panels
):
    lead = make_user("lead")
    with app.app_context():
        from panels.db import open_unit_of_work

        with open_unit_of_work(Actor.for_user(lead), app) as uow:
            mine = _project(uow, "Leads own project")
            service.set_manual_shares(uow, mine, "sex", {"Female": 50, "Male": 50}, "Users")
    sign_in(lead)
    html = client.get("/reports/projects").get_data(as_text=True)
    assert "Leads own project" in html and "Home care review" not in html
    assert client.get("/reports/register").status_code == 403
    assert client.get("/reports/register.csv").status_code == 404
    other = app.test_client()
    sign_in(make_user("member"), client=other)
    assert other.get("/reports/projects").status_code == 403
    assert other.get("/reports/projects.csv").status_code == 403


def test_familiar_voices_and_time_given(app, uow, client, make_user, sign_in, two_panels):
    from datetime import UTC, datetime

    from models import Project

    home, day, _ = two_panels
    with uow:
        members = []
        for invitation in invitations_of(uow, day):
            invitation.status = "accepted"
            members.append(invitation.member_id)
        uow.session.get(Project, day).confirmed_at = datetime.now(UTC)
    invitations.record_meeting(
        uow, day, date(2026, 2, 3), "First meeting", {m: 90 for m in members[:7]}
    )
    sign_in(make_user("manager"))
    html = client.get("/reports/familiar-voices").get_data(as_text=True)
    assert "Gini coefficient" in html and "Home care review" in html
    time = client.get("/reports/time-given").get_data(as_text=True)
    assert "2026 Q1" in time and "10.5" in time
    assert client.get("/reports/time-given.xlsx").status_code == 200


def invitations_of(uow, project_id):
    from models import Invitation

    return uow.session.scalars(
        select(Invitation).where(Invitation.project_id == project_id).order_by(Invitation.id)
    ).all()


def test_the_register_against_the_population(app, uow, client, make_user, sign_in, make_member):
    for _ in range(12):
        make_member(sex="Female", ethnicity="British")
    for _ in range(9):
        make_member(sex="Male", ethnicity="British")
    make_member(sex="Male", ethnicity="Indian")
    make_member(sex="Male", consents=("contact",))  # no statistics consent: not counted
    found = register_against_population(uow)
    assert found.members == 22
    sex = found.characteristic("sex")
    assert [str(c) for c in sex.register.cells[0]] == ["12", "10", "0"]
    ethnicity = found.characteristic("ethnicity_5")
    shown = [str(c) for c in ethnicity.register.cells[0]]
    assert "fewer than 5" in shown and shown.count("not shown") >= 1
    assert all(low < high for low, high in published_intervals(ethnicity.register).values())
    report = population_report(found)
    assert "joined, by quarter" in as_csv(report)
    sign_in(make_user("manager"))
    page = client.get("/reports/register")
    assert page.status_code == 200 and b"the register&#39;s share" in page.data
    assert client.get("/reports/register/charts/sex.png").data.startswith(b"\x89PNG")
    england = client.get("/reports/register?target=england").get_data(as_text=True)
    assert "England, Census 2021" in england
    assert "England, Census 2021" in client.get("/reports/register.csv?target=england").get_data(
        as_text=True
    )
    assert client.get("/reports/register?target=mars").status_code == 400


def test_the_workbook_is_built_in_the_background_for_a_large_register(
    migrated_database, tmp_path, make_member
):
    from tests.conftest import TEST_PASSWORD, make_test_app
    from tests.worker import follow_job, running_worker

    app = make_test_app(migrated_database, str(tmp_path / "instance"), REPORTS_JOB_MEMBERS=0)
    try:
        from panels.auth.service import create_user
        from panels.db import open_unit_of_work

        with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
            create_user(uow, "boss@test.example", "manager", TEST_PASSWORD)
            _project(uow, "Home care review")
        client = app.test_client()
        client.post("/auth/sign-in", data={"email": "boss@test.example", "password": TEST_PASSWORD})
        assert b"built in the background" in client.get("/reports/").data
        started = client.post("/reports/workbook")
        assert started.status_code == 302 and "/jobs/" in started.location
        job_id = int(started.location.rsplit("/", 1)[1])
        with running_worker(app, tmp_path / "worker") as worker:
            finished = follow_job(client, job_id, worker=worker)
            assert finished["status"] == "succeeded", worker.output()
        page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
        assert "Download the reports workbook" in page
        got = client.get(f"/reports/workbook/{job_id}.xlsx")
        assert got.status_code == 200
        book = load_workbook(io.BytesIO(got.data))
        assert any(
            "Where panels miss people" in name or "Where panels" in name for name in book.sheetnames
        )
    finally:
        from panels.db import database

        database(app).dispose()
        from tests.conftest import _empty_tables

        _empty_tables(migrated_database)


def test_the_threshold_setting_is_checked_at_start_up(tmp_path):
    from panels import create_app
    from panels.config import ConfigurationError
    from tests.conftest import TEST_SECRET

    with pytest.raises(ConfigurationError, match="SUPPRESSION_THRESHOLD is 2"):
        create_app(
            {
                "TESTING": True,
                "SECRET_KEY": TEST_SECRET,
                "INSTANCE_PATH": str(tmp_path),
                "SUPPRESSION_THRESHOLD": 2,
            }
        )


def test_familiar_and_new_voices_on_a_confirmed_panel(app, uow, make_member):
    from datetime import UTC, datetime, timedelta

    from models import Invitation, Project
    from panels.reports.participation import familiar_voices_report

    people = [make_member() for _ in range(10)]
    now = datetime.now(UTC)
    with uow:
        # Six of them served on three earlier panels, confirmed within the two years.
        for n in range(3):
            earlier = Project(
                title=f"Earlier {n}",
                purpose="Earlier work",
                level="operational",
                confirmed_at=now - timedelta(days=100 + n),
                eligibility={},
                quotas={},
                new_voices={},
            )
            uow.session.add(earlier)
            uow.session.flush()
            for member in people[:6]:
                uow.session.add(
                    Invitation(project_id=earlier.id, member_id=member.id, status="accepted")
                )
    current = _project(uow, "Current panel")
    _panel(uow, current, people)
    report = familiar_voices_report(uow)
    projects = {row[0]: row for row in report.tables[1].rows}
    # 6 familiar voices (three other recent panels each), 4 new voices: shown as "fewer than 5",
    # and the familiar count is hidden too, as seats minus it would give the 4 away.
    assert projects["Current panel"][2:4] == ("10", "not shown")
    assert projects["Current panel"][5] == "fewer than 5"
    # On an earlier panel, the other two are its members' other recent panels.
    assert projects["Earlier 0"][2:] == ("6", "0", "0%", "0", "0%", "6")


def test_the_register_against_an_uploaded_area_file(app, client, make_user, sign_in, make_member):
    for n in range(12):
        make_member(sex="Female" if n < 7 else "Male")
    sign_in(make_user("manager"))
    tidy = (
        "dimension,category,value,unit,source\n"
        "sex,Female,60,percent,Our area's survey 2025\n"
        "sex,Male,40,percent,Our area's survey 2025\n"
    )
    sent = client.post(
        "/reports/register/area",
        data={
            "upload-kind": "tidy",
            "upload-area": "",
            "upload-file": (io.BytesIO(tidy.encode()), "our-area.csv"),
        },
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302 and "target=upload-" in sent.location
    page = client.get(sent.location).get_data(as_text=True)
    assert "our-area.csv" in page and "60%" in page
    target = sent.location.split("target=")[1]
    got = client.get(f"/reports/register.csv?target={target}").get_data(as_text=True)
    assert "our-area.csv" in got
    bad = client.post(
        "/reports/register/area",
        data={"upload-kind": "tidy", "upload-file": (io.BytesIO(b"nonsense\n"), "bad.csv")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and "could not be used" in bad.get_data(as_text=True)
    assert client.get("/reports/register?target=upload-../../etc").status_code == 400


def test_leavers_are_counted_by_the_quarter_they_left(app, uow, make_member):
    from models import Member
    from panels.register.members import MemberInput, update_member

    people = [make_member(sex="Female" if n < 8 else "Male") for n in range(16)]
    for member in people[:5] + people[8:13]:
        with uow:
            found = uow.session.get(Member, member.id)
            assert found.left_on is None
        data = MemberInput(
            first_name=member.first_name,
            last_name=member.last_name,
            email=member.email,
            date_of_birth=member.date_of_birth,
            status="left",
            answers={"sex": ["Female" if member in people[:8] else "Male"]},
            consents={p: True for p in ("contact", "selection", "statistics", "access_needs")},
        )
        update_member(uow, member.id, data)
    with uow:
        assert uow.session.get(Member, people[0].id).left_on == date.today()
    found = register_against_population(uow)
    sex = found.characteristic("sex")
    assert found.members == 6  # the six who stayed
    assert sex.by_left is not None
    assert [str(c) for c in sex.by_left.cells[0]] == ["5", "5", "0"]
    from panels.reports.participation import quarter

    assert sex.left_quarters == (quarter(date.today()),)
    assert "people who left, by quarter" in as_csv(population_report(found))


def test_resourcing_shows_what_was_paid_by_quarter_and_spending_against_budget(
    app, uow, client, make_user, sign_in, two_panels
):
    from datetime import UTC, datetime

    from models import PaymentClaim, Project
    from panels.db import open_unit_of_work
    from panels.payments import batches, rates
    from panels.payments import service as payments
    from panels.uow import Actor

    _home, day, _ = two_panels
    with uow:
        members = []
        for invitation in invitations_of(uow, day):
            invitation.status = "accepted"
            members.append(invitation.member_id)
        uow.session.get(Project, day).confirmed_at = datetime.now(UTC)
        rates.project_payments(uow, day, create=True).budget_pence = 30_000
    invitations.record_meeting(
        uow, day, date(2026, 2, 3), "First meeting", {m: 60 for m in members[:6]}
    )
    claims = uow.session.scalars(select(PaymentClaim).order_by(PaymentClaim.id)).all()
    assert len(claims) == 6
    for claim in claims:
        payments.choose(uow, claim.member_id, claim.id, "bank")
    manager, admin = make_user("manager"), make_user("admin")
    with app.app_context(), open_unit_of_work(Actor.for_user(manager), app) as unit:
        for claim in claims[:5]:
            payments.approve(unit, claim.id, unit.session.get(PaymentClaim, claim.id).version)
    with app.app_context(), open_unit_of_work(Actor.for_user(admin), app) as unit:
        batch = batches.create_batch(unit)
        batches.confirm_batch_paid(unit, batch.id)
    sign_in(manager)
    html = client.get("/reports/time-given").get_data(as_text=True)
    assert "Resourcing: time and money" in html
    paid = html.split("Paid to members, by project and quarter")[2].split("</table>")[0]
    quarter = f"{date.today().year} Q{(date.today().month - 1) // 3 + 1}"
    # five people paid £27.50 each for an hour: £137.50, all fees
    assert quarter in paid and "£137.50" in paid and ">5<" in paid
    budgets = html.split("Spending against budgets")[2].split("</table>")[0]
    # budget £300: £137.50 paid, one £27.50 payment waiting, £135.00 left
    assert "£300.00" in budgets and "£137.50" in budgets and "£27.50" in budgets
    assert "£135.00" in budgets
    assert client.get("/reports/time-given.csv").status_code == 200
