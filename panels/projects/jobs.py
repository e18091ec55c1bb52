"""The draw as a background job: it reports its progress and links to the draw's record."""

from __future__ import annotations

from panels.errors import DomainError
from panels.jobs.kinds import JobContext, JobFailed, JobOutcome
from panels.projects import service


def run_draw_job(context: JobContext) -> JobOutcome:
    params = context.params
    request = service.DrawRequest(
        project_id=int(params["project_id"]),
        kind=str(params.get("kind", "first")),
        reason=str(params.get("reason", "")),
        replace_invitation_ids=tuple(int(i) for i in params.get("replace", ())),
    )
    try:
        draw = service.draw_panel(context.uow, request, progress=context.progress)
    except DomainError as error:
        raise JobFailed(str(error)) from None
    chance = f"{draw.min_probability:.1%}" if draw.min_probability is not None else "unknown"
    what = "Replacements drawn" if draw.kind == "replacement" else "Panel drawn"
    return JobOutcome(
        summary=(
            f"{what}: {len(draw.panel)} people from a pool of {len(draw.pool)}. "
            f"The lowest chance of selection in the pool was {chance}."
        ),
        endpoint="projects.draw_record",
        link_text=f"See draw {draw.number} and who was chosen",
        values={"project_id": draw.project_id, "number": draw.number},
    )
