"""Messages: written to the outbox in the sender's unit of work, sent over SMTP after it commits.

With ``MAIL_OUTBOX_ONLY`` on (the default, for development) messages stay in the outbox,
where administrators can read them. Otherwise each message is sent over SMTP
(``SMTP_HOST``, ``SMTP_PORT``, ``SMTP_STARTTLS``, ``SMTP_USERNAME``, ``SMTP_PASSWORD``, from
``MAIL_FROM``) once the unit of work that wrote it has committed, so a message is never
sent for work that was rolled back. A message that could not be sent keeps its error and is
tried again by ``panels mail send``.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from models import OutboxMessage, utcnow
from panels.uow import UnitOfWork

log = logging.getLogger(__name__)
SMTP_TIMEOUT_SECONDS = 15
MAX_ATTEMPTS = 5


def queue_message(
    uow: UnitOfWork,
    *,
    recipient: str,
    subject: str,
    body: str,
    member_id: int | None = None,
    user_id: int | None = None,
) -> OutboxMessage:
    """Write a message to the outbox; it is sent once the outermost unit commits."""
    with uow:
        message = OutboxMessage(
            recipient=recipient,
            subject=subject,
            body=body,
            member_id=member_id,
            user_id=user_id,
            attempts=0,
        )
        uow.session.add(message)
        uow.session.flush()
        if not uow.settings.get("MAIL_OUTBOX_ONLY", True):
            bind = uow.session.get_bind()
            engine = bind if isinstance(bind, Engine) else bind.engine
            settings, message_id = uow.settings, message.id

            def send() -> None:
                deliver(engine, settings, [message_id])

            uow.after_commit(send)
        else:
            log.info("message %s to %s kept in the outbox: %s", message.id, recipient, subject)
    return message


@dataclass(frozen=True)
class Delivery:
    sent: int
    failed: int


def _email(message: OutboxMessage, settings: Mapping[str, Any]) -> EmailMessage:
    email = EmailMessage()
    email["From"] = str(settings.get("MAIL_FROM") or "co-production@localhost")
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain=str(settings.get("MAIL_DOMAIN") or "localhost"))
    email.set_content(message.body)
    return email


def _connect(settings: Mapping[str, Any]) -> smtplib.SMTP:
    host = str(settings.get("SMTP_HOST") or "localhost")
    port = int(settings.get("SMTP_PORT") or 25)
    smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_SECONDS)
    if settings.get("SMTP_STARTTLS"):
        smtp.starttls(context=ssl.create_default_context())
    if settings.get("SMTP_USERNAME"):
        smtp.login(str(settings["SMTP_USERNAME"]), str(settings.get("SMTP_PASSWORD") or ""))
    return smtp


def deliver(
    engine: Engine, settings: Mapping[str, Any], ids: Sequence[int] | None = None
) -> Delivery:
    """Send unsent messages (those in ``ids``, or all that have attempts left) over SMTP.

    Each result is written at once in its own transaction, so a message sent is never sent
    again, and a failure is kept with its error for the next try.
    """
    with Session(engine) as session:
        query = select(OutboxMessage).where(
            OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS
        )
        if ids is not None:
            query = query.where(OutboxMessage.id.in_(list(ids) or [-1]))
        messages = list(session.scalars(query.order_by(OutboxMessage.id)))
        session.expunge_all()
    sent = failed = 0
    if not messages:
        return Delivery(0, 0)
    try:
        smtp = _connect(settings)
    except (OSError, smtplib.SMTPException) as error:
        _record_failure(engine, [m.id for m in messages], f"could not connect: {error}")
        return Delivery(0, len(messages))
    with smtp:
        for message in messages:
            try:
                smtp.send_message(_email(message, settings))
            except (OSError, smtplib.SMTPException) as error:
                _record_failure(engine, [message.id], str(error))
                failed += 1
                continue
            with engine.begin() as connection:
                connection.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == message.id)
                    .values(
                        sent_at=utcnow(),
                        attempts=OutboxMessage.attempts + 1,
                        last_error=None,
                    )
                )
            sent += 1
    return Delivery(sent, failed)


def _record_failure(engine: Engine, ids: Sequence[int], error: str) -> None:
    log.warning("could not send messages %s: %s", list(ids), error)
    with engine.begin() as connection:
        connection.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(list(ids)))
            .values(attempts=OutboxMessage.attempts + 1, last_error=error[:1000])
        )


@click.group("mail", help="Send the messages waiting in the outbox.")
def mail_cli() -> None:
    """The outbox."""


@mail_cli.command("send")
@with_appcontext
def send_command() -> None:
    """Send every unsent message over SMTP (those that failed are tried again)."""
    from flask import current_app

    from panels.db import database

    if current_app.config.get("MAIL_OUTBOX_ONLY", True):
        raise click.ClickException(
            "MAIL_OUTBOX_ONLY is on, so messages stay in the outbox; set MAIL_OUTBOX_ONLY=no "
            "and SMTP_HOST to send them"
        )
    result = deliver(database().engine, current_app.config)
    click.echo(f"Sent {result.sent} messages; {result.failed} could not be sent.")
    if result.failed:
        raise SystemExit(1)
