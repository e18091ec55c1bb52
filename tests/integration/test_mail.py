"""Messages reach a real SMTP server (aiosmtpd on this machine) once their work commits."""

from __future__ import annotations

import socket
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from models import OutboxMessage
from panels.db import open_unit_of_work
from panels.mail import queue_message
from panels.uow import Actor
from tests.conftest import make_test_app


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def sending_app(migrated_database, tmp_path, smtp_server):
    _inbox, port = smtp_server
    app = make_test_app(
        migrated_database,
        str(tmp_path / "mail"),
        MAIL_OUTBOX_ONLY=False,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        MAIL_FROM="Panels <panels@council.example>",
    )
    yield app
    from panels.db import database

    database(app).dispose()


def test_a_committed_message_is_sent_over_smtp(sending_app, smtp_server, app, session):
    inbox, _port = smtp_server
    with (
        sending_app.app_context(),
        open_unit_of_work(Actor.command_line(), sending_app) as uow,
        uow,
    ):
        queue_message(uow, recipient="sam@example.org", subject="Hello", body="A link: x")
    assert [(to, m["Subject"], m["From"]) for to, m in inbox.messages] == [
        (["sam@example.org"], "Hello", "Panels <panels@council.example>")
    ]
    assert "A link: x" in inbox.messages[0][1].get_payload()
    session.rollback()
    stored = session.scalars(select(OutboxMessage)).one()
    assert stored.sent_at is not None and stored.attempts == 1


def test_a_rolled_back_message_is_never_sent(sending_app, smtp_server, app, session):
    inbox, _port = smtp_server
    with (
        sending_app.app_context(),
        open_unit_of_work(Actor.command_line(), sending_app) as uow,
        pytest.raises(RuntimeError),
        uow,
    ):
        queue_message(uow, recipient="sam@example.org", subject="Hello", body="x")
        raise RuntimeError("the work failed")
    assert inbox.messages == []
    session.rollback()
    assert session.scalars(select(OutboxMessage)).all() == []


def test_a_failed_send_is_kept_and_retried_by_the_command(
    migrated_database, tmp_path, smtp_server, app
):
    # No `session` fixture here: its app context would be the one the command runs in.
    inbox, port = smtp_server
    down = make_test_app(
        migrated_database,
        str(tmp_path / "down"),
        MAIL_OUTBOX_ONLY=False,
        SMTP_PORT=_free_port(),
        SMTP_HOST="127.0.0.1",
    )
    with down.app_context(), open_unit_of_work(Actor.command_line(), down) as uow, uow:
        queue_message(uow, recipient="kim@example.org", subject="Retry me", body="x")
    from panels.db import database

    with database(down).sessionmaker() as check:
        stored = check.scalars(select(OutboxMessage)).one()
        assert stored.sent_at is None and stored.attempts == 1
        assert "connect" in stored.last_error
    up = make_test_app(
        migrated_database,
        str(tmp_path / "up"),
        MAIL_OUTBOX_ONLY=False,
        SMTP_PORT=port,
        SMTP_HOST="127.0.0.1",
    )
    result = up.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 messages" in result.output
    assert [m["Subject"] for _to, m in inbox.messages] == ["Retry me"]
    database(down).dispose()
    database(up).dispose()


def test_a_password_reset_email_is_sent_over_smtp(sending_app, smtp_server, make_user):
    from panels.auth.service import request_password_reset

    inbox, _port = smtp_server
    user = make_user("lead")
    with sending_app.app_context(), open_unit_of_work(Actor.anonymous(), sending_app) as uow:
        request_password_reset(uow, user.email, "127.0.0.1")
    assert [(to, m["Subject"]) for to, m in inbox.messages] == [
        ([user.email], "Reset your password")
    ]
    assert "/auth/reset-password/" in inbox.messages[0][1].get_payload()
