"""Projects: target, eligibility, quotas, draws, redraws and replay."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from models import AuditEvent, Draw, Invitation, Member, Project
from panels.errors import InvalidInput, NotAllowed
from panels.projects import service
from panels.projects.targets import age_range, map_dimension
from panels.register.taxonomy import load_taxonomy


def _born(age: int) -> date:
    today = date.today()
    return date(today.year - age - 1, 1, 15)


@pytest.fixture
def register(make_member):
    """40 members: a mix of ages, sexes and ethnic groups, all consenting."""
    people = []
    groups = ["British", "Indian", "African", "Caribbean", "Pakistani"]
    for n in range(40):
        people.append(
            make_member(
                sex="Female" if n % 2 else "Male",
                ethnicity=groups[n % 5] if n % 4 else "British",
                date_of_birth=_born(20 + (n * 7) % 65),
            )
        )
    return people


def _project(uow, **overrides):
    data = service.ProjectInput(
        title=overrides.pop("title", "Day services review"),
        purpose=overrides.pop("purpose", "Decide how the day centres should change"),
        level=overrides.pop("level", "operational"),
    )
    return service.create_project(uow, data)


def _ready_to_draw(uow, dimensions, *, panel_size, tolerance):
    """A project with the built-in Census target, everyone eligible, and quotas."""
    project = _project(uow)
    service.set_builtin_target(uow, project.id, "england-and-wales")
    service.choose_dimensions(uow, project.id, dimensions)
    service.set_eligibility(uow, project.id, {})
    service.propose_quotas(uow, project.id, panel_size=panel_size, tolerance=tolerance)
    return project


def test_age_bands_share_years():
    assert age_range("15-19") == (15, 19)
    assert age_range("85+") == (85, 120)
    assert age_range("Not answered") is None


def test_builtin_ages_map_to_adult_bands_by_years_shared(app, uow):
    taxonomy = load_taxonomy(uow.session)
    mapped = map_dimension(
        "age_band", {"0-14": 0.2, "15-19": 0.1, "20-24": 0.1, "25-34": 0.6}, taxonomy
    )
    # 18-24 takes all of 20-24 and two fifths of 15-19: 0.1 + 0.04 of the 0.74 that is adult.
    assert mapped.shares["18-24"] == pytest.approx(0.14 / 0.74)
    assert mapped.shares["25-34"] == pytest.approx(0.6 / 0.74)
    assert any("0-14" in note for note in mapped.notes)


def test_a_first_draw_stands_and_a_redraw_needs_a_reason(app, uow, register, session):
    project = _ready_to_draw(uow, ["sex", "ethnicity_5"], panel_size=8, tolerance=1)
    first = service.draw_panel(uow, service.DrawRequest(project.id))
    assert len(first.panel) == 8
    assert first.min_probability > 0
    with pytest.raises(NotAllowed, match="first draw stands"):
        service.draw_panel(uow, service.DrawRequest(project.id))
    with pytest.raises(InvalidInput, match="reason"):
        service.draw_panel(uow, service.DrawRequest(project.id, kind="redraw", reason="  "))
    second = service.draw_panel(
        uow, service.DrawRequest(project.id, kind="redraw", reason="Two people had moved away")
    )
    session.rollback()
    draws = session.scalars(select(Draw).order_by(Draw.number)).all()
    assert [(d.number, d.kind) for d in draws] == [(1, "first"), (2, "redraw")]
    assert draws[1].reason == "Two people had moved away"
    invited = session.scalars(select(Invitation.member_id)).all()
    assert sorted(str(m) for m in invited) == sorted(second.panel)
    reasons = [
        e.details.get("reason")
        for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "draw"))
    ]
    assert reasons == ["", "Two people had moved away"]


def test_a_recorded_draw_replays_to_the_same_panel(app, uow, register, runner):
    project = _ready_to_draw(uow, ["sex", "age_band"], panel_size=6, tolerance=1)
    draw = service.draw_panel(uow, service.DrawRequest(project.id))
    check = service.verify_draw(uow, draw.id)
    assert check.confirmed and tuple(sorted(check.replayed_panel)) == tuple(sorted(draw.panel))
    result = runner.invoke(args=["draw", "verify", str(draw.id)])
    assert result.exit_code == 0, result.output
    assert "the same people as recorded" in result.output


def test_a_draw_recorded_before_the_relaxation_replays_with_column_generation(
    app, uow, register, session
):
    import pandas as pd

    from representativeness.selection import select_panel

    project = _ready_to_draw(uow, ["sex", "age_band"], panel_size=6, tolerance=1)
    draw = service.draw_panel(uow, service.DrawRequest(project.id))
    stored = session.get(Draw, draw.id)
    assert stored.engine_version == service.engine_version() != "coproduction-panels 0.1.0"
    rows = list(stored.pool)
    quotas = {d: {c: tuple(v) for c, v in cats.items()} for d, cats in stored.quotas.items()}

    def replay(relaxation: bool) -> list[str]:
        result = select_panel(
            pd.DataFrame(rows, columns=list(rows[0])),
            quotas,
            stored.k,
            seed=int(stored.seed),
            relaxation=relaxation,
        )
        return sorted(result.panel)

    # the record of an engine that used column generation only, with its panel
    stored.engine_version = "coproduction-panels 0.1.0"
    stored.panel = replay(relaxation=False)
    session.commit()
    uow.session.expire_all()
    check = service.verify_draw(uow, draw.id)
    assert check.confirmed
    assert sorted(check.replayed_panel) == replay(relaxation=False)


def test_a_tampered_record_fails_verification(app, uow, register, runner, session):
    project = _ready_to_draw(uow, ["sex"], panel_size=6, tolerance=0)
    draw = service.draw_panel(uow, service.DrawRequest(project.id))
    stored = session.get(Draw, draw.id)
    others = [row["id"] for row in stored.pool if row["id"] not in stored.panel]
    stored.panel = [*stored.panel[:-1], others[0]]
    session.commit()
    result = runner.invoke(args=["draw", "verify", str(draw.id)])
    assert result.exit_code == 1
    assert "DIFFERENT from the record" in result.output


def test_infeasible_quotas_are_explained_and_relaxed_in_one_step(app, uow, make_member):
    for n in range(10):
        make_member(sex="Female", date_of_birth=_born(30 + n))
    make_member(sex="Male", date_of_birth=_born(40))
    project = _ready_to_draw(uow, ["sex"], panel_size=6, tolerance=0)
    report = service.check_quotas(uow, project.id)
    assert not report.feasible
    assert report.reasons and report.changes
    relaxed = service.accept_relaxation(uow, project.id)
    assert relaxed["sex"]["Male"][0] <= 1
    assert service.check_quotas(uow, project.id).feasible


def test_replacements_keep_the_seats_already_held(app, uow, register, session):
    project = _ready_to_draw(uow, ["sex"], panel_size=6, tolerance=0)
    draw = service.draw_panel(uow, service.DrawRequest(project.id))
    invitations = session.scalars(select(Invitation)).all()
    for invitation in invitations:
        invitation.status = "accepted"
    invitations[0].status = "declined"
    session.commit()
    replacement = service.draw_panel(
        uow,
        service.DrawRequest(
            project.id, kind="replacement", replace_invitation_ids=(invitations[0].id,)
        ),
    )
    session.expire_all()
    seats = session.scalars(
        select(Invitation.member_id).where(
            Invitation.status.in_(("invited", "accepted", "shortlisted"))
        )
    ).all()
    assert len(seats) == 6
    kept = {str(i.member_id) for i in invitations[1:]}
    assert kept <= set(replacement.panel)
    assert str(invitations[0].member_id) not in replacement.panel
    assert set(replacement.panel) - kept and len(set(draw.panel) | set(replacement.panel)) == 7
    check = service.verify_draw(uow, replacement.id)
    assert check.confirmed


def test_only_consenting_members_are_in_the_pool(app, uow, make_member):
    make_member(sex="Female")
    make_member(sex="Female", consents=("contact", "statistics"))
    make_member(sex="Male", consents=("selection",))
    project = _project(uow)
    service.set_builtin_target(uow, project.id, "england-and-wales")
    service.choose_dimensions(uow, project.id, ["sex"])
    assert service.pool_view(uow, project.id).size == 1


def test_eligibility_filters_and_exclusions_shape_the_pool(app, uow, register):
    project = _project(uow)
    service.set_builtin_target(uow, project.id, "england-and-wales")
    service.choose_dimensions(uow, project.id, ["sex"])
    service.set_eligibility(uow, project.id, {"sex": ["Female"]})
    assert service.pool_view(uow, project.id).size == 20
    service.exclude_member(uow, project.id, register[1].id, "Works for the service")
    assert service.pool_view(uow, project.id).size == 19
    service.include_member(uow, project.id, register[1].id)
    assert service.pool_view(uow, project.id).size == 20


def test_a_thin_group_is_flagged_before_the_draw(app, uow, make_member):
    for n in range(12):
        make_member(sex="Female", ethnicity="British", date_of_birth=_born(30 + n))
    make_member(sex="Male", ethnicity="African", date_of_birth=_born(40))
    make_member(sex="Male", ethnicity="Indian", date_of_birth=_born(40))
    project = _ready_to_draw(uow, ["sex"], panel_size=4, tolerance=0)
    view = service.pool_view(uow, project.id)
    warnings = [w for s in view.summaries for w in s.warnings]
    assert (
        "Male: only 2 eligible people for at least 1 seat, so each would be chosen with a "
        "chance of 50% or more." in " ".join(warnings)
    )
    # the same counts as the pool the draw takes
    pool = service.project_pool(uow, service.get_project(uow, project.id))
    assert {s.key: s.counts for s in view.summaries} == {"sex": dict(pool.counts("sex"))}


def test_new_voices_quota_counts_panels_served(app, uow, make_member, session):
    members = [make_member(sex="Female" if n % 2 else "Male") for n in range(8)]
    for member in members[4:]:
        session.get(Member, member.id).panels_served = 3
    session.commit()
    project = _project(uow)
    service.set_builtin_target(uow, project.id, "england-and-wales")
    service.choose_dimensions(uow, project.id, ["sex"])
    service.set_eligibility(uow, project.id, {})
    service.propose_quotas(uow, project.id, panel_size=4, tolerance=1, new_voices_share=0.75)
    draw = service.draw_panel(uow, service.DrawRequest(project.id))
    new = {str(m.id) for m in members[:4]}
    assert len(set(draw.panel) & new) >= 3


def test_settings_are_locked_once_drawn(app, uow, register):
    project = _ready_to_draw(uow, ["sex"], panel_size=4, tolerance=1)
    service.draw_panel(uow, service.DrawRequest(project.id))
    with pytest.raises(NotAllowed, match="already been drawn"):
        service.propose_quotas(uow, project.id, panel_size=5, tolerance=1)
    assert service.draw_count(uow, project.id) == 1
    assert uow.session.scalar(select(func.count()).select_from(Draw)) == 1


def test_the_demo_has_projects_at_each_level_and_in_each_state(app, uow, register, session):
    from panels.projects.demo import seed_demo_projects

    lines = seed_demo_projects(uow, seed=5)
    assert lines and "4 demo projects" in lines[0]
    session.rollback()
    projects = {p.title: p for p in session.scalars(select(Project))}
    states = {(p.level, p.status, p.confirmed_at is not None) for p in projects.values()}
    assert ("strategic", "planning", False) in states
    assert ("operational", "recruiting", False) in states
    assert ("individual", "running", True) in states
    assert ("operational", "closed", True) in states
    out = projects["Day services review"]
    statuses = session.scalars(
        select(Invitation.status).where(Invitation.project_id == out.id)
    ).all()
    assert statuses.count("declined") + statuses.count("replaced") >= 1
    assert "accepted" in statuses and "invited" in statuses
    assert seed_demo_projects(uow, seed=5) == []  # only once
