"""What a feature declares about each kind of job, and what a running job is handed.

A feature lists its job kinds in ``Feature(jobs=lambda: {"kind": JobKind(...)})``. A job
function receives a :class:`JobContext` and returns a :class:`JobOutcome`; it raises
:class:`JobFailed` with a sentence for the user when it cannot do its work.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from panels.errors import DomainError
from panels.uow import UnitOfWork

INTERRUPTED = (
    "The job stopped before it finished because the background worker running it stopped, "
    "so nothing it was doing was saved. Start it again; if it keeps happening, ask your "
    "administrator to check the background workers."
)


@dataclass(frozen=True)
class JobOutcome:
    """What a finished job tells its user: a sentence and a link to what it made."""

    summary: str
    endpoint: str
    link_text: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def as_result(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "endpoint": self.endpoint,
            "values": dict(self.values),
            "link_text": self.link_text,
        }


class JobFailed(DomainError):
    """The job could not do its work; the message (what went wrong and what to do) is shown."""


Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class JobContext:
    """What a job function gets: its id and parameters, a unit of work acting as the job,
    and ``progress(done, total, phase)``, which the job's page shows at once."""

    job_id: int
    kind: str
    params: Mapping[str, Any]
    uow: UnitOfWork
    progress: Progress


@dataclass(frozen=True)
class JobKind:
    """A kind of job a feature runs in the background.

    Parameters
    ----------
    title:
        What the job does, as the job's page heads it ("Import members").
    run:
        The job function. Its work and the job's success are committed together.
    repeatable:
        Whether a run that a dead worker left unfinished may simply be started again
        (the default for jobs of this kind; each job row keeps its own flag).
    cleanup:
        Called with ``(params, settings)`` once the job has finished, whether it succeeded
        or failed, even when the reaper gave up on it (to delete an uploaded file, say).
    interrupted:
        The error shown when a worker died while running a job of this kind.
    """

    title: str
    run: Callable[[JobContext], JobOutcome]
    repeatable: bool = False
    cleanup: Callable[[Mapping[str, Any], Mapping[str, Any]], None] | None = None
    interrupted: str = INTERRUPTED
