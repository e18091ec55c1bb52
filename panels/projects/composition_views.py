"""Pages for a panel's representativeness, familiar voices and building a panel by hand."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from panels.charts import bar_chart
from panels.errors import DomainError, InvalidInput, NotFound
from panels.features import registry
from panels.projects import composition, service, shortlist
from panels.projects.forms import ActionForm
from panels.projects.pool import FAMILIAR_PANELS
from panels.security import requires
from panels.web import unit_of_work

bp = Blueprint("composition", __name__, url_prefix="/projects")


def _suppress() -> bool:
    """Readers who may not see special-category answers get small counts hidden."""
    return not registry().allows(unit_of_work().actor.role, "see_special_category")


def _composition(project_id: int) -> composition.Composition:
    return composition.panel_composition(unit_of_work(), project_id, suppress_special=_suppress())


@bp.app_template_global()
def panel_composition(project_id: int) -> composition.Composition:
    """The panel's composition for the project page's section (names-free)."""
    return _composition(project_id)


@bp.app_template_global()
def svg_chart(dimension: composition.DimensionComposition, chart_id: str | None = None) -> Markup:
    return bar_chart(dimension.chart(chart_id))


@bp.route("/<int:project_id>/representativeness")
@requires("view_projects")
def representativeness(project_id: int) -> str:
    uow = unit_of_work()
    project = service.get_project(uow, project_id)
    return render_template(
        "projects/representativeness.html",
        project=project,
        composition=_composition(project_id),
        familiar_panels=FAMILIAR_PANELS,
    )


@bp.route("/<int:project_id>/representativeness/<key>.svg")
@requires("view_projects")
def chart(project_id: int, key: str) -> ResponseReturnValue:
    found = _composition(project_id).dimension(key)
    svg = '<?xml version="1.0" encoding="UTF-8"?>\n' + str(
        bar_chart(found.chart(), standalone=True)
    )
    return Response(
        svg,
        mimetype="image/svg+xml",
        headers={
            "Content-Disposition": f'attachment; filename="project-{project_id}-{key}.svg"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@bp.route("/familiar-voices")
@requires("view_projects")
def familiar_voices() -> str:
    return render_template(
        "projects/familiar_voices.html",
        register=composition.register_familiarity(unit_of_work()),
        projects=composition.projects_familiarity(unit_of_work()),
        familiar_panels=FAMILIAR_PANELS,
    )


@bp.route("/<int:project_id>/shortlist", methods=["GET", "POST"])
@requires("manage_projects")
def build_by_hand(project_id: int) -> ResponseReturnValue:
    uow = unit_of_work()
    form = ActionForm(prefix="shortlist")
    action = request.form.get("action")
    query = request.values.get("q", "")
    if request.method == "POST":
        if not form.validate_on_submit():
            raise InvalidInput("The form has expired; go back, reload the page and try again.")
        anchor = "#shortlist"
        added = None
        try:
            if action == "add":
                member_id = _member_id(form.target.data)
                candidate = shortlist.add_to_shortlist(uow, project_id, member_id)
                flash(f"{candidate.name} is on the shortlist.")
                added = member_id
            elif action == "remove":
                shortlist.remove_from_shortlist(uow, project_id, _member_id(form.target.data))
                flash("They are off the shortlist.")
            elif action == "clear" and request.form.get("confirm") != "yes":
                return _page(project_id, query, confirm_clear=True)
            elif action == "clear":
                removed = shortlist.clear_shortlist(uow, project_id)
                flash(f"The shortlist has been cleared ({removed} taken off).")
            else:
                raise InvalidInput(f"action {action!r} is not one of: add, remove, clear")
        except (InvalidInput, NotFound) as error:
            return _page(project_id, query, error=str(error), status=400)
        return redirect(
            url_for(".build_by_hand", project_id=project_id, q=query or None, added=added) + anchor
        )
    added_id = request.args.get("added", type=int)
    return _page(project_id, query, added=added_id)


def _member_id(raw: str | None) -> int:
    if not raw or not raw.isdigit():
        raise InvalidInput(f"register number {raw!r} is not valid; it must be a whole number")
    return int(raw)


def _page(
    project_id: int,
    query: str,
    *,
    error: str = "",
    added: int | None = None,
    confirm_clear: bool = False,
    status: int = 200,
) -> ResponseReturnValue:
    uow = unit_of_work()
    project = service.get_project(uow, project_id)
    try:
        page = shortlist.shortlist_page(uow, project_id, query)
    except DomainError as problem:
        error = error or str(problem)
        page = shortlist.shortlist_page(uow, project_id, "")
    just_added = next((c for c in page.shortlist if c.member_id == added), None)
    form = ActionForm(prefix="shortlist")
    return (
        render_template(
            "projects/shortlist.html",
            project=project,
            page=page,
            composition=_composition(project_id),
            action_form=form,
            error=error,
            just_added=just_added,
            confirm_clear=confirm_clear,
        ),
        status,
    )
