"""The register's background job: importing a confirmed CSV file of members."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from panels.jobs.kinds import JobContext, JobFailed, JobKind, JobOutcome
from panels.register import member_csv

IMPORT_KIND = "import_members"
SHOWN_PROBLEMS = 3


def imports_folder(settings: Mapping[str, Any]) -> Path:
    """Where uploaded files wait between their preview and their import."""
    return Path(settings["INSTANCE_PATH"]) / "imports"


def _stored_file(params: Mapping[str, Any], settings: Mapping[str, Any]) -> Path:
    stored = str(params["stored"])
    if Path(stored).name != stored:
        raise ValueError(f"stored file name {stored!r} must not name a folder")
    return imports_folder(settings) / stored


def run_import(context: JobContext) -> JobOutcome:
    """Import the file the user confirmed, reporting rows written."""
    name = str(context.params["name"])
    path = _stored_file(context.params, context.uow.settings)
    if not path.is_file():
        raise JobFailed(
            f"The uploaded file {name} is no longer on the server, so nothing was imported. "
            "Upload the file again."
        )
    context.progress(0, 0, "Checking the file")
    try:
        # Read from the file as a stream: memory stays bounded whatever its size.
        result = member_csv.import_members(
            context.uow,
            path,
            name,
            bool(context.params["update"]),
            add_categories=bool(context.params.get("add_categories", False)),
            progress=context.progress,
        )
    except member_csv.ImportRefused as error:
        problems = "; ".join(
            f"row {p.row}, {p.column}: {p.message}" for p in error.problems[:SHOWN_PROBLEMS]
        )
        more = " (and more)" if len(error.problems) > SHOWN_PROBLEMS else ""
        raise JobFailed(
            f"{error}, because the register changed after the file was checked: {problems}{more}. "
            f"Upload {name} again to see every problem."
        ) from None
    return JobOutcome(
        summary=(
            f"Imported {result.rows} {'member' if result.rows == 1 else 'members'} from {name}: "
            f"{result.created} added, {result.updated} updated."
        ),
        endpoint="register.index",
        link_text="Go to the people register",
    )


def delete_upload(params: Mapping[str, Any], settings: Mapping[str, Any]) -> None:
    _stored_file(params, settings).unlink(missing_ok=True)


def job_kinds() -> dict[str, JobKind]:
    # Not repeatable: a worker that dies mid-import leaves the job failed, never run twice.
    return {IMPORT_KIND: JobKind("Import members", run_import, cleanup=delete_upload)}
