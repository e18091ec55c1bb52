"""A job that only waits and reports, to check that background workers are running."""

from __future__ import annotations

import time

from panels.jobs.kinds import JobContext, JobOutcome

CHECK_KIND = "check_workers"
MAX_SECONDS = 600


def check_workers(context: JobContext) -> JobOutcome:
    """Count ``seconds`` seconds aloud through the progress bar, then succeed."""
    seconds = int(context.params.get("seconds", 1))
    if not 0 <= seconds <= MAX_SECONDS:
        raise ValueError(f"a check job waits 0 to {MAX_SECONDS} seconds, not {seconds}")
    for second in range(seconds):
        context.progress(second, seconds, "Waiting")
        time.sleep(1)
    context.progress(seconds, seconds, "Waiting")
    unit = "second" if seconds == 1 else "seconds"
    return JobOutcome(
        summary=f"A background worker ran this check for {seconds} {unit}: workers are running.",
        endpoint="home.index",
        link_text="Go to the home page",
    )
