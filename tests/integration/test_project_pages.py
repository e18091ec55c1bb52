"""The project pages a lead walks through, and what managers may see."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from models import AuditEvent, Project

ONS_FILE = (
    "Lower tier local authorities Code,Lower tier local authorities,"
    "Sex (2 categories) Code,Sex (2 categories),Observation\n"
    "E08000035,Leeds,1,Female,417000\n"
    "E08000035,Leeds,2,Male,395000\n"
)


def _born(age: int) -> date:
    today = date.today()
    return date(today.year - age - 1, 3, 1)


@pytest.fixture
def lead(make_user, sign_in):
    user = make_user("lead")
    sign_in(user)
    return user


@pytest.fixture
def pool(make_member):
    return [
        make_member(sex="Female" if n % 2 else "Male", date_of_birth=_born(25 + n * 3))
        for n in range(16)
    ]


def _start(client) -> int:
    response = client.post(
        "/projects/new",
        data={
            "title": "Carers' breaks",
            "purpose": "Design short breaks with unpaid carers",
            "level": "operational",
            "status": "planning",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/projects/(\d+)", response.headers["Location"]).group(1))


def test_a_lead_sets_up_a_project_to_the_point_of_drawing(client, lead, pool, session):
    project_id = _start(client)
    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "Carers&#39; breaks" in page and "You have done 0 of 6 steps" in page

    response = client.post(
        f"/projects/{project_id}/target",
        data={"action": "builtin", "builtin-builtin": "england-and-wales"},
    )
    assert response.status_code == 302
    page = client.get(f"/projects/{project_id}/target").get_data(as_text=True)
    assert "England and Wales, Census 2021" in page
    response = client.post(
        f"/projects/{project_id}/target",
        data={"action": "choose", "choose-dimensions": ["sex", "age_band"]},
    )
    assert response.status_code == 302

    page = client.get(f"/projects/{project_id}/eligibility").get_data(as_text=True)
    assert re.search(r"<strong>16</strong> people are eligible", page)
    client.post(
        f"/projects/{project_id}/eligibility", data={"action": "filters", "f_sex": ["Female"]}
    )
    page = client.get(f"/projects/{project_id}/eligibility").get_data(as_text=True)
    assert re.search(r"<strong>8</strong> people are eligible", page)
    client.post(f"/projects/{project_id}/eligibility", data={"action": "filters"})

    response = client.post(
        f"/projects/{project_id}/quotas",
        data={"action": "size", "size-panel_size": "6", "size-tolerance": "1"},
    )
    assert response.status_code == 302
    page = client.get(f"/projects/{project_id}/quotas").get_data(as_text=True)
    assert "Quotas for a panel of 6" in page
    assert "Yes: at least one panel from the eligible pool meets every quota" in page
    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "You have done 3 of 6 steps" in page


def test_an_ons_download_sets_the_target(client, lead, pool):
    project_id = _start(client)
    response = client.post(
        f"/projects/{project_id}/target",
        data={
            "action": "upload",
            "upload-kind": "ons",
            "upload-area": "",
            "upload-file": (__import__("io").BytesIO(ONS_FILE.encode()), "leeds.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(f"/projects/{project_id}/target").get_data(as_text=True)
    assert "Leeds" in page and "51.4%" in page  # 417,000 of 812,000 are female


def test_a_bad_target_file_is_refused_with_a_reason(client, lead):
    project_id = _start(client)
    response = client.post(
        f"/projects/{project_id}/target",
        data={
            "action": "upload",
            "upload-kind": "tidy",
            "upload-file": (__import__("io").BytesIO(b"a,b\n1,2\n"), "bad.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Error:" in page and "bad.csv" in page and "could not be used" in page


def test_infeasible_quotas_are_relaxed_with_one_action(client, lead, make_member, session):
    for n in range(8):
        make_member(sex="Female", date_of_birth=_born(30 + n))
    project_id = _start(client)
    client.post(
        f"/projects/{project_id}/target",
        data={"action": "builtin", "builtin-builtin": "england-and-wales"},
    )
    client.post(
        f"/projects/{project_id}/target", data={"action": "choose", "choose-dimensions": ["sex"]}
    )
    client.post(f"/projects/{project_id}/eligibility", data={"action": "filters"})
    client.post(
        f"/projects/{project_id}/quotas",
        data={"action": "size", "size-panel_size": "4", "size-tolerance": "0"},
    )
    page = client.get(f"/projects/{project_id}/quotas").get_data(as_text=True)
    assert "No panel from the eligible pool can meet these quotas" in page
    assert "Make this change" in page
    client.post(f"/projects/{project_id}/quotas", data={"action": "relax"})
    page = client.get(f"/projects/{project_id}/quotas").get_data(as_text=True)
    assert "Yes: at least one panel" in page
    relaxed = session.scalars(select(AuditEvent).where(AuditEvent.action == "set_quotas")).all()
    assert any("relaxed" in event.details for event in relaxed)


def test_manual_shares_must_add_up(client, lead):
    project_id = _start(client)
    url = f"/projects/{project_id}/target/by-hand"
    response = client.post(
        url,
        data={
            "dimension": "sex",
            "share_Female": "70",
            "share_Male": "20",
            "source": "Service records, 2026",
        },
    )
    assert "add up to 90%" in response.get_data(as_text=True)
    response = client.post(
        url,
        data={
            "dimension": "sex",
            "share_Female": "62",
            "share_Male": "38",
            "source": "Service records, 2026",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/projects/{project_id}/target").get_data(as_text=True)
    assert "62.0%" in page and "Service records, 2026" in page


def test_managers_see_projects_but_not_who_is_on_a_panel(app, client, make_user, sign_in, session):
    session.add(Project(title="Strategy", purpose="Plan", level="strategic", eligibility={}))
    session.commit()
    project_id = session.scalar(select(Project.id))
    sign_in(make_user("manager"))
    assert client.get("/projects/").status_code == 200
    assert client.get(f"/projects/{project_id}").status_code == 200
    assert client.get(f"/projects/{project_id}/panel").status_code == 403
    assert client.get(f"/projects/{project_id}/target").status_code == 403
    assert client.post("/projects/new", data={}).status_code == 403


def test_control_characters_in_a_title_are_refused(client, lead):
    response = client.post(
        "/projects/new",
        data={"title": "Bad\x00title", "purpose": "x", "level": "individual", "status": "planning"},
    )
    assert response.status_code == 400
    assert "control character (U+0000)" in response.get_data(as_text=True)


def test_the_draw_runs_as_a_job_on_a_real_worker(client, lead, pool, worker, session):
    from tests.worker import follow_job, job_id_of

    project_id = _start(client)
    client.post(
        f"/projects/{project_id}/target",
        data={"action": "builtin", "builtin-builtin": "england-and-wales"},
    )
    client.post(
        f"/projects/{project_id}/target", data={"action": "choose", "choose-dimensions": ["sex"]}
    )
    client.post(f"/projects/{project_id}/eligibility", data={"action": "filters"})
    client.post(
        f"/projects/{project_id}/quotas",
        data={"action": "size", "size-panel_size": "6", "size-tolerance": "1"},
    )
    response = client.post(f"/projects/{project_id}/draw", data={"action": "first"})
    assert response.status_code == 302
    job = follow_job(client, job_id_of(response.headers["Location"]), worker=worker)
    assert job["status"] == "succeeded", job
    record = client.get(f"/projects/{project_id}/draws/1").get_data(as_text=True)
    assert "Draw 1 of 1: first draw" in record and "Lowest chance in the pool" in record
    # A redraw without a reason is refused on the page; with one it is kept beside the first.
    refused = client.post(f"/projects/{project_id}/draw", data={"action": "redraw"})
    assert "Give the reason for drawing again" in refused.get_data(as_text=True)
    response = client.post(
        f"/projects/{project_id}/draw",
        data={"action": "redraw", "redraw-reason": "The wrong area was chosen"},
    )
    job = follow_job(client, job_id_of(response.headers["Location"]), worker=worker)
    assert job["status"] == "succeeded", job
    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "2 (the first draw and 1 more)" in page
    second = client.get(f"/projects/{project_id}/draws/2").get_data(as_text=True)
    assert "The wrong area was chosen" in second
