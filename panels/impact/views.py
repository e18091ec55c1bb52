"""Impact pages: staff see ratings, feedback and flags; members rate and read what changed."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from models import LADDER
from panels.errors import InvalidInput, NotAllowed
from panels.impact import flags, service
from panels.impact.forms import FeedbackForm, LadderForm, MemberLadderForm, PublishForm
from panels.projects.service import get_project
from panels.register.queries import member_for_user
from panels.security import can, requires
from panels.web import unit_of_work

bp = Blueprint("impact", __name__, url_prefix="/impact")


def impact_summary(project_id: int) -> service.LadderSummary:
    """The project's ladder ratings, for the project page."""
    return service.ladder_summary(unit_of_work(), project_id)


@bp.route("/")
@requires("see_impact")
def index() -> str:
    uow = unit_of_work()
    found = flags.project_flags(uow)
    return render_template(
        "impact/index.html",
        found=found,
        summaries={p.project.id: service.ladder_summary(uow, p.project.id) for p in found},
        ladder=LADDER,
    )


@bp.route("/projects/<int:project_id>", methods=["GET", "POST"])
@requires("see_impact")
def project(project_id: int) -> ResponseReturnValue:
    uow = unit_of_work()
    found = get_project(uow, project_id)
    own = service.own_rating(uow, project_id, user_id=current_user.id)
    rating = LadderForm(prefix="ladder", obj=own)
    feedback = FeedbackForm(prefix="feedback")
    action = request.form.get("action")
    if action == "rate" and can(current_user, "rate_coproduction") and rating.validate_on_submit():
        service.rate_as_staff(uow, project_id, rating.rung.data or "", rating.comment.data or "")
        flash("Your rating has been saved.")
        return redirect(url_for("impact.project", project_id=project_id))
    if (
        action == "feedback"
        and can(current_user, "write_feedback")
        and feedback.validate_on_submit()
    ):
        try:
            service.add_feedback(
                uow,
                project_id,
                feedback.you_said.data or "",
                feedback.we_did.data or "",
                feedback.not_done.data or "",
            )
        except InvalidInput as error:
            feedback.we_did.errors = [*feedback.we_did.errors, str(error)]
        else:
            flash("The item has been saved as a draft. Members see it once you publish it.")
            return redirect(url_for("impact.project", project_id=project_id))
    return render_template(
        "impact/project.html",
        project=found,
        summary=service.ladder_summary(uow, project_id),
        ladder=LADDER,
        rating=rating,
        feedback=feedback,
        items=service.project_feedback(uow, project_id),
        form=feedback if action == "feedback" else rating,
    )


@bp.route("/projects/<int:project_id>/feedback/<int:item_id>/publish", methods=["GET", "POST"])
@requires("write_feedback")
def publish(project_id: int, item_id: int) -> ResponseReturnValue:
    uow = unit_of_work()
    found = get_project(uow, project_id)
    item = service.get_feedback(uow, project_id, item_id)
    form = PublishForm()
    if form.validate_on_submit():
        service.publish_feedback(uow, project_id, item_id)
        flash("Published. The panel's members can read it in their own pages.")
        return redirect(url_for("impact.project", project_id=project_id))
    return render_template("impact/publish.html", project=found, item=item, form=form)


@bp.route("/member/")
@requires("member_space")
def member() -> str:
    uow = unit_of_work()
    me = member_for_user(uow, current_user.id)
    projects = service.member_projects(uow, me.id)
    return render_template(
        "impact/member.html",
        projects=projects,
        rated={p.id: service.own_rating(uow, p.id, member_id=me.id) is not None for p in projects},
        items=service.published_for_member(uow, me.id),
    )


@bp.route("/member/projects/<int:project_id>/rate", methods=["GET", "POST"])
@requires("member_space")
def member_rate(project_id: int) -> ResponseReturnValue:
    uow = unit_of_work()
    me = member_for_user(uow, current_user.id)
    found = next((p for p in service.member_projects(uow, me.id) if p.id == project_id), None)
    if found is None:
        raise NotAllowed("You can only tell us about panels you were on.")
    form = MemberLadderForm(obj=service.own_rating(uow, project_id, member_id=me.id))
    if form.validate_on_submit():
        service.rate_as_member(
            uow, me.id, project_id, form.rung.data or "", form.comment.data or ""
        )
        flash("Thank you. We have your answer.")
        return redirect(url_for("impact.member"))
    return render_template("impact/member_rate.html", project=found, form=form)
