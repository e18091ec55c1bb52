"""The unit of work: one database session and the actor on whose behalf it runs.

Every service takes a :class:`UnitOfWork` from its caller (a view, a CLI command or a
job) and runs inside ``with uow:``. Units of work nest: entering one that is already open
only deepens it, and only the outermost ``with`` commits. An exception that leaves any
level rolls back everything the unit wrote, audit events included, and marks the unit
failed so that an outer level that swallowed the exception cannot commit half of it.
Helpers flush, never commit.

Nothing here reads ``flask.g`` or ``flask_login.current_user``: the caller says who acts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal

from sqlalchemy.orm import Session

ActorKind = Literal["user", "cli", "job", "public"]


@dataclass(frozen=True)
class Actor:
    """Who a unit of work acts for: a signed-in user, the command line, a job or the public."""

    kind: ActorKind
    name: str
    user_id: int | None = None
    role: str | None = None
    on_behalf_of_member: int | None = None
    """A member for whom a staff user acts (a member with no email, helped by staff); the
    audit log records every change as done by the staff user on that member's behalf."""

    @classmethod
    def for_user(cls, user: Any) -> Actor:
        """A signed-in account (anything with ``id``, ``email`` and ``role``)."""
        return cls("user", user.email, user.id, user.role)

    @classmethod
    def command_line(cls) -> Actor:
        return cls("cli", "command line")

    @classmethod
    def job(cls, kind: str, job_id: int, on_behalf_of: Actor | None = None) -> Actor:
        """A background job; it keeps the user who started it, if any, for the audit log."""
        started_by = f" for {on_behalf_of.name}" if on_behalf_of else ""
        return cls(
            "job",
            f"job {job_id} ({kind}){started_by}",
            on_behalf_of.user_id if on_behalf_of else None,
            on_behalf_of.role if on_behalf_of else None,
        )

    def acting_for(self, member_id: int) -> Actor:
        """This user, acting on behalf of the member ``member_id``."""
        return Actor(
            self.kind,
            f"{self.name} on behalf of member {member_id}",
            self.user_id,
            self.role,
            member_id,
        )

    @classmethod
    def anonymous(cls, what: str = "the public") -> Actor:
        """Someone who is not signed in (a sign-in attempt, a signed link)."""
        return cls("public", what)


class UnitOfWorkFailed(RuntimeError):
    """An inner level raised, so the unit of work can no longer commit."""


class UnitOfWork:
    """A session and an actor; commits once, when the outermost ``with`` ends cleanly.

    Parameters
    ----------
    session:
        The SQLAlchemy session to work in. The unit never closes it: its owner does.
    actor:
        Who acts, written to every audit event.
    settings:
        The application's settings (read-only), so that services need no app context.
    """

    def __init__(
        self, session: Session, actor: Actor, settings: Mapping[str, Any] | None = None
    ) -> None:
        self.session = session
        self.actor = actor
        self.settings: Mapping[str, Any] = settings or {}
        self._depth = 0
        self._failed = False
        self._after_commit: list[Callable[[], None]] = []
        self.commits = 0

    @property
    def active(self) -> bool:
        return self._depth > 0

    def __enter__(self) -> UnitOfWork:
        if self._depth == 0:
            self._failed = False
            self._after_commit = []
        self._depth += 1
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if exc_type is not None:
            self._failed = True
            self._after_commit = []
            self.session.rollback()
            return
        if self._depth > 0:
            self.session.flush()
            return
        if self._failed:
            self.session.rollback()
            raise UnitOfWorkFailed(
                "a step of this unit of work failed, so nothing it wrote was saved"
            )
        self.session.commit()
        self.commits += 1
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the outermost level has committed (never if it rolls back).

        For work that must see committed data or cannot run in a transaction: queueing a
        job, sending mail, ``VACUUM``.
        """
        if not self.active:
            raise RuntimeError("after_commit needs an open unit of work (use `with uow:`)")
        self._after_commit.append(callback)

    @contextmanager
    def acting_as(self, actor: Actor) -> Iterator[UnitOfWork]:
        """The same unit of work (same transaction, same commit) acting for ``actor``
        inside the block: for seeding demo data in which several people act."""
        before, self.actor = self.actor, actor
        try:
            yield self
        finally:
            self.actor = before

    def rollback(self) -> None:
        """Throw away everything written so far (for a preview or a dry run)."""
        self.session.rollback()
