"""The unit of work: only the outermost level commits, any failure rolls back everything."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import AuditEvent, Member
from panels import audit
from panels.db import open_unit_of_work
from panels.register.members import MemberInput, create_member
from panels.uow import Actor, UnitOfWork, UnitOfWorkFailed

PANELS = Path(__file__).resolve().parents[2] / "panels"


def _counts(session) -> tuple[int, int]:
    session.rollback()
    return (
        session.scalar(select(func.count()).select_from(Member)),
        session.scalar(select(func.count()).select_from(AuditEvent)),
    )


def _member(n: int = 1) -> MemberInput:
    return MemberInput(first_name=f"Nested{n}", last_name="Person", email=f"n{n}@uow.example")


def _outer_step(uow: UnitOfWork, fail: bool) -> None:
    """A composed use case: add a member (an inner service), audit, then maybe fail."""
    with uow:
        create_member(uow, _member())
        audit.record(uow, "export", "member", None, record_count=0, file="outer step")
        if fail:
            raise RuntimeError("the outer step failed after the inner service succeeded")


def test_outer_failure_after_inner_success_commits_nothing(app, session):
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        with pytest.raises(RuntimeError, match="outer step failed"):
            _outer_step(uow, fail=True)
        assert uow.commits == 0
    assert _counts(session) == (0, 0)


def test_success_commits_once_at_the_outermost_level(app, session):
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        _outer_step(uow, fail=False)
        assert uow.commits == 1
    assert _counts(session) == (1, 2)  # the member's creation and the outer step's export


def test_acting_as_changes_who_is_audited_for_a_block_and_still_commits_once(app, session):
    someone = Actor("user", "approver@uow.example", None, "manager")
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        with uow:
            audit.record(uow, "export", "member", None, record_count=0, file="before")
            with uow.acting_as(someone):
                audit.record(uow, "export", "member", None, record_count=0, file="as them")
            audit.record(uow, "export", "member", None, record_count=0, file="after")
        assert uow.commits == 1 and uow.actor.kind == "cli"
    session.rollback()
    actors = session.scalars(select(AuditEvent.actor).order_by(AuditEvent.id)).all()
    assert actors == ["command line", "approver@uow.example", "command line"]


def test_an_inner_failure_swallowed_by_the_caller_still_commits_nothing(app, session):
    with (
        app.app_context(),
        open_unit_of_work(Actor.command_line(), app) as uow,
        pytest.raises(UnitOfWorkFailed),
        uow,
    ):
        create_member(uow, _member(1))
        try:
            with uow:
                create_member(uow, _member(2))
                raise ValueError("inner step")
        except ValueError:
            pass  # a careless caller carries on
    assert _counts(session) == (0, 0)


def test_after_commit_runs_only_when_the_outermost_level_commits(app):
    ran: list[str] = []
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        with uow:
            with uow:
                uow.after_commit(lambda: ran.append("inner"))
            assert ran == []
        assert ran == ["inner"]
        with pytest.raises(RuntimeError), uow:
            uow.after_commit(lambda: ran.append("rolled back"))
            raise RuntimeError("no")
    assert ran == ["inner"]


def test_a_cli_command_and_a_job_record_their_own_actor(app, runner, session, tmp_path):
    path = tmp_path / "out.csv"
    assert runner.invoke(args=["members", "export", str(path)]).exit_code == 0
    job_actor = Actor.job("import", 41, Actor("user", "lead@uow.example", None, "lead"))
    with app.app_context(), open_unit_of_work(job_actor, app) as uow, uow:
        audit.record(uow, "export", "member", None, record_count=0)
    session.rollback()
    actors = session.scalars(select(AuditEvent.actor).order_by(AuditEvent.id)).all()
    assert actors == ["command line", "job 41 (import) for lead@uow.example"]


# Modules of the web layer, which alone may read the request's user and `flask.g`.
WEB_LAYER = {"web.py", "security.py", "navigation.py", "views.py", "transfer.py"}


def _reads_request_state(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module in {"flask", "flask_login"}:
            for alias in node.names:
                if alias.name in {"g", "current_user"}:
                    found.append(f"{path.relative_to(PANELS)}:{node.lineno} imports {alias.name}")
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"g", "current_user"}
            and isinstance(node.value, ast.Name)
            and node.value.id in {"flask", "flask_login"}
        ):
            found.append(f"{path.relative_to(PANELS)}:{node.lineno} uses {node.attr}")
    return found


def test_no_service_reads_the_signed_in_user_or_flask_g():
    offenders = []
    checked = 0
    for path in sorted(PANELS.rglob("*.py")):
        if path.name in WEB_LAYER or path.parts[-2:] == ("panels", "db.py"):
            continue
        checked += 1
        offenders.extend(_reads_request_state(path))
    assert checked >= 15
    assert offenders == []


def test_the_check_catches_a_service_that_reads_current_user(tmp_path):
    sneaky = tmp_path / "panels" / "sneaky.py"
    sneaky.parent.mkdir()
    sneaky.write_text("from flask_login import current_user\nimport flask\nflask.g.x = 1\n")
    global PANELS
    saved, PANELS = PANELS, tmp_path / "panels"
    try:
        assert len(_reads_request_state(sneaky)) == 2
    finally:
        PANELS = saved
