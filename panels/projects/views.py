"""Project pages: leads build a panel step by step; managers read projects as counts."""

from __future__ import annotations

import secrets
import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import Row, select

from models import (
    DRAW_KINDS,
    INVITATION_CHANNELS,
    INVITATION_FORMATS,
    INVITATION_STATUSES,
    PROJECT_LEVELS,
    PROJECT_STATUSES,
    Attendance,
    Draw,
    Invitation,
    Meeting,
    Member,
    Project,
)
from panels.errors import InvalidInput, NotAllowed, NotFound
from panels.payments import rates as payment_rates
from panels.projects import invitations, service
from panels.projects.forms import (
    ActionForm,
    BuiltinTargetForm,
    ChooseDimensionsForm,
    DrawForm,
    EligibilityForm,
    ExcludeForm,
    ManualSharesForm,
    MeetingForm,
    ProjectForm,
    QuotaTableForm,
    RedrawForm,
    SizeForm,
    TargetFileForm,
    options,
)
from panels.projects.pool import NEW_VOICES_DIMENSION, UNKNOWN
from panels.register.taxonomy import Taxonomy, load_taxonomy
from panels.security import requires
from panels.uow import UnitOfWork
from panels.web import unit_of_work

bp = Blueprint("projects", __name__, url_prefix="/projects")
LABELS = {
    "levels": PROJECT_LEVELS,
    "statuses": PROJECT_STATUSES,
    "draw_kinds": DRAW_KINDS,
    "invitations": INVITATION_STATUSES,
}


@dataclass(frozen=True)
class Task:
    title: str
    endpoint: str
    done: bool
    can_start: bool
    hint: str = ""


def _tasks(uow: UnitOfWork, project: Project) -> list[Task]:
    drawn = service.draw_count(uow, project.id) > 0
    target = project.target is not None and bool(project.target.chosen)
    quotas = bool(project.panel_size and project.quotas)
    invited = bool(
        uow.session.scalar(
            select(Invitation.id).where(
                Invitation.project_id == project.id, Invitation.status != "shortlisted"
            )
        )
    )
    chosen = drawn or bool(
        uow.session.scalar(select(Invitation.id).where(Invitation.project_id == project.id))
    )
    return [
        Task(
            "Choose the population the project affects",
            "projects.target",
            target,
            True,
            "Census figures, a local download, or your service's own figures",
        ),
        Task("Say who is eligible", "projects.eligibility", project.eligibility_set, target),
        Task("Set the panel size and quotas", "projects.quotas", quotas, project.eligibility_set),
        Task("Draw the panel by lottery", "projects.draw", drawn, quotas),
        Task(
            "Invite the people drawn or chosen",
            "projects.panel",
            invited,
            chosen,
            "Or build the panel by hand instead of drawing it, for small pieces of work",
        ),
        Task("Confirm the panel", "projects.panel", project.confirmed_at is not None, invited),
    ]


@bp.route("/")
@requires("view_projects")
def index() -> str:
    uow = unit_of_work()
    return render_template(
        "projects/index.html", projects=service.list_projects(uow), labels=LABELS
    )


@bp.route("/new", methods=["GET", "POST"])
@requires("manage_projects")
def new() -> ResponseReturnValue:
    form = ProjectForm()
    if form.validate_on_submit():
        try:
            project = service.create_project(unit_of_work(), form.to_input())
        except InvalidInput as error:
            form.title.errors = [str(error)]
        else:
            flash(f"Project “{project.title}” started. Next, choose the population it affects.")
            return redirect(url_for(".show", project_id=project.id))
    return render_template("projects/edit.html", form=form, project=None)


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@requires("manage_projects")
def edit(project_id: int) -> ResponseReturnValue:
    uow = unit_of_work()
    project = service.get_project(uow, project_id)
    form = ProjectForm(obj=project)
    if form.validate_on_submit():
        try:
            service.update_project(uow, project_id, form.to_input())
        except InvalidInput as error:
            form.title.errors = [str(error)]
        else:
            flash("Project details saved.")
            return redirect(url_for(".show", project_id=project_id))
    return render_template("projects/edit.html", form=form, project=project)


def _draws(uow: UnitOfWork, project_id: int) -> list[Draw]:
    return list(
        uow.session.scalars(
            select(Draw).where(Draw.project_id == project_id).order_by(Draw.number)
        ).all()
    )


def _seats(uow: UnitOfWork, project_id: int) -> Sequence[Row[Invitation, Member]]:
    return uow.session.execute(
        select(Invitation, Member)
        .join(Member, Member.id == Invitation.member_id)
        .where(Invitation.project_id == project_id)
        .order_by(Invitation.status, Member.last_name, Member.first_name)
    ).all()


@bp.route("/<int:project_id>")
@requires("view_projects")
def show(project_id: int) -> str:
    uow = unit_of_work()
    project = service.get_project(uow, project_id)
    tasks = _tasks(uow, project)
    draws = [d for d in _draws(uow, project_id) if d.status == "done"]
    counts: dict[str, int] = defaultdict(int)
    for invitation, _member in _seats(uow, project_id):
        counts[invitation.status] += 1
    return render_template(
        "projects/show.html",
        project=project,
        tasks=tasks,
        draws=draws,
        seat_counts=dict(counts),
        labels=LABELS,
        done=sum(t.done for t in tasks),
    )


# --- target population ------------------------------------------------------------------


def _upload_path(name: str) -> Path:
    folder = Path(current_app.instance_path) / "targets"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder / (secrets.token_hex(16) + Path(name).suffix.lower())


@bp.route("/<int:project_id>/target", methods=["GET", "POST"])
@requires("manage_projects")
def target(project_id: int) -> ResponseReturnValue:
    uow = unit_of_work()
    project = service.get_project(uow, project_id)
    taxonomy = load_taxonomy(uow.session)
    builtin = BuiltinTargetForm(prefix="builtin")
    upload = TargetFileForm(prefix="upload")
    choose = ChooseDimensionsForm(prefix="choose")
    available = [
        k for k in (project.target.dimensions if project.target else {}) if not k.startswith("_")
    ]
    choose.dimensions.choices = options((k, taxonomy[k].label) for k in available)
    if request.method == "GET" and project.target:
        choose.dimensions.data = list(project.target.chosen)
    action = request.form.get("action")
    try:
        if action == "builtin" and builtin.validate_on_submit():
            service.set_builtin_target(uow, project_id, builtin.builtin.data)
            flash("Target population set. Now choose which characteristics matter.")
            return redirect(url_for(".target", project_id=project_id) + "#choose")
        if action == "upload" and upload.validate_on_submit():
            path = _upload_path(upload.file.data.filename)
            try:
                upload.file.data.save(path)
                service.set_target_from_file(
                    uow,
                    project_id,
                    upload.kind.data,
                    path,
                    Path(upload.file.data.filename).name,
                    upload.area.data or "",
                )
            finally:
                path.unlink(missing_ok=True)
            flash("Target population set from your file. Now choose which characteristics matter.")
            return redirect(url_for(".target", project_id=project_id) + "#choose")
        if action == "choose" and choose.validate_on_submit():
            service.choose_dimensions(uow, project_id, choose.dimensions.data)
            flash("Characteristics saved. Next, say who is eligible.")
            return redirect(url_for(".show", project_id=project_id))
    except InvalidInput as error:
        form = {"builtin": builtin, "upload": upload, "choose": choose}[action or "builtin"]
        field = {"builtin": "builtin", "upload": "file", "choose": "dimensions"}[
            action or "builtin"
        ]
        getattr(form, field).errors = [str(error)]
    project = service.get_project(uow, project_id)
    return render_template(
        "projects/target.html",
        project=project,
        builtin=builtin,
        upload=upload,
        choose=choose,
        taxonomy=taxonomy,
        errors_from=[f for f in (builtin, upload, choose) if f.errors],
    )


@bp.route("/<int:project_id>/target/by-hand", methods=["GET", "POST"])
@requires("manage_projects")
def target_by_hand(project_id: int) -> ResponseReturnValue:
    uow = unit_of_work()
    project = service.get_project(uow, project_id)
    taxonomy = load_taxonomy(uow.session)
    questions = [d for d in taxonomy.dimensions if not d.multiple]
    key = request.values.get("dimension") or ""
    dimension = next((d for d in questions if d.key == key), None)
    form = ManualSharesForm()
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    if dimension is not None and request.method == "POST":
        percentages: dict[str, float] = {}
        for category in dimension.categories:
            if category.prefer_not_to_say:
                continue
            raw = (request.form.get(f"share_{category.code}") or "").strip().rstrip("%")
            values[category.code] = raw
            if not raw:
                percentages[category.code] = 0.0
                continue
            try:
                percentages[category.code] = float(raw)
            except ValueError:
                errors[category.code] = (
                    f"Enter a number for {category.label}, like 12.5; “{raw}” is not one"
                )
        if form.validate_on_submit() and not errors:
            try:
                service.set_manual_shares(
                    uow, project_id, dimension.key, percentages, form.source.data
                )
            except InvalidInput as error:
                errors["_total"] = str(error)
            else:
                flash(f"Shares for {dimension.label} saved.")
                return redirect(url_for(".target", project_id=project_id) + "#choose")
    return render_template(
        "projects/target_by_hand.html",
        project=project,
        questions=questions,
        dimension=dimension,
        form=form,
        errors=errors,
        values=values,
    )


# --- eligibility -------------------------------------------------------------------------------


@bp.route("/<int:project_id>/eligibility", methods=["GET", "POST"])
@requires("manage_projects")
def eligibility(project_id: int) -> ResponseReturnValue:
    uow = unit_of_work()
    project = service.get_project(uow, project_id)
    taxonomy = load_taxonomy(uow.session)
    form = EligibilityForm(prefix="eligible")
    exclude = ExcludeForm(prefix="exclude")
    remove = ActionForm(prefix="include")
    remove.submit.label.text = "Put back"
    action = request.form.get("action")
    try:
        if action == "filters" and form.validate_on_submit():
            filters = {
                d.key: request.form.getlist(f"f_{d.key}")
                for d in taxonomy.dimensions
                if request.form.getlist(f"f_{d.key}")
            }
            service.set_eligibility(uow, project_id, filters)
            flash("Who is eligible has been saved.")
            return redirect(url_for(".eligibility", project_id=project_id))
        if action == "exclude" and exclude.validate_on_submit():
            service.exclude_member(
                uow, project_id, exclude.member_id.data, exclude.reason.data or ""
            )
            flash(f"Register number {exclude.member_id.data} is left out of this project.")
            return redirect(url_for(".eligibility", project_id=project_id) + "#left-out")
        if action == "include" and remove.validate_on_submit():
            service.include_member(uow, project_id, int(remove.target.data))
            flash("They are back in the pool.")
            return redirect(url_for(".eligibility", project_id=project_id) + "#left-out")
    except (InvalidInput, NotFound) as error:
        exclude.member_id.errors = [str(error)]
    project = service.get_project(uow, project_id)
    view = service.pool_view(uow, project_id)
    excluded = (
        uow.session.execute(
            select(Member).where(Member.id.in_([e.member_id for e in project.exclusions]))
        )
        .scalars()
        .all()
        if project.exclusions
        else []
    )
    chosen = (project.eligibility or {}).get("filters", {})
    return render_template(
        "projects/eligibility.html",
        project=project,
        taxonomy=taxonomy,
        view=view,
        form=form,
        exclude=exclude,
        remove=remove,
        chosen=chosen,
        excluded={m.id: m for m in excluded},
    )


# --- panel size and quotas ----------------------------------------------------------------------


@bp.route("/<int:project_id>/quotas", methods=["GET", "POST"])
@requires("manage_projects")
def quotas(project_id: int) -> ResponseReturnValue:
    uow = unit_of_work()
    project = service.get_project(uow, project_id)
    taxonomy = load_taxonomy(uow.session)
    size = SizeForm(prefix="size")
    table = QuotaTableForm(prefix="table")
    relax = ActionForm(prefix="relax")
    relax.submit.label.text = "Make this change"
    if request.method == "GET" and project.panel_size:
        size.panel_size.data = project.panel_size
        size.tolerance.data = project.tolerance
        share = (project.new_voices or {}).get("min_share")
        size.new_voices.data = round(share * 100) if share else None
    action = request.form.get("action")
    table_errors: dict[str, str] = {}
    try:
        if action == "size" and size.validate_on_submit():
            share = size.new_voices.data / 100 if size.new_voices.data else None
            service.propose_quotas(
                uow, project_id, size.panel_size.data, size.tolerance.data, share
            )
            flash(
                "Quotas proposed from the target shares. Check them, change any, then check "
                "that a panel can meet them."
            )
            return redirect(url_for(".quotas", project_id=project_id) + "#quotas")
        if action == "table" and table.validate_on_submit():
            edited: dict[str, dict[str, list[int]]] = {}
            for dim, cats in (project.quotas or {}).items():
                edited[dim] = {}
                for cat in cats:
                    pair = []
                    for end in ("min", "max"):
                        raw = (request.form.get(f"q_{dim}__{cat}__{end}") or "").strip()
                        if not raw.isdigit():
                            table_errors[f"{dim}__{cat}__{end}"] = (
                                f"Enter a whole number for the {end}imum, like 2; "
                                f"“{raw}” is not one"
                            )
                            pair.append(0)
                        else:
                            pair.append(int(raw))
                    edited[dim][cat] = pair
            if not table_errors:
                service.save_quotas(uow, project_id, edited)
                flash("Quotas saved.")
                return redirect(url_for(".quotas", project_id=project_id) + "#check")
        if action == "relax" and relax.validate_on_submit():
            service.accept_relaxation(uow, project_id)
            flash("The suggested change has been made to the quotas. A panel can now be drawn.")
            return redirect(url_for(".quotas", project_id=project_id) + "#check")
    except InvalidInput as error:
        if action == "table":
            table_errors["_all"] = str(error)
        else:
            size.panel_size.errors = [str(error)]
    project = service.get_project(uow, project_id)
    report = None
    if project.panel_size and project.quotas:
        try:
            report = service.check_quotas(uow, project_id)
        except InvalidInput as error:
            table_errors.setdefault("_all", str(error))
    return render_template(
        "projects/quotas.html",
        project=project,
        taxonomy=taxonomy,
        size=size,
        table=table,
        relax=relax,
        report=report,
        table_errors=table_errors,
        category_label=_category_label(taxonomy),
        drawn=service.draw_count(uow, project_id) > 0,
    )


def _category_label(taxonomy: Taxonomy) -> Callable[[str, str], str]:
    def label(dim: str, code: str) -> str:
        if dim == NEW_VOICES_DIMENSION:
            return {"yes": "New voices (no panel in 24 months)", "no": "Served recently"}[code]
        if code == UNKNOWN:
            return "Prefer not to say or not answered"
        return taxonomy[dim].find(code).label

    return label


def dimension_label(taxonomy: Taxonomy, dim: str) -> str:
    return "New voices" if dim == NEW_VOICES_DIMENSION else taxonomy[dim].label


# --- draw ----------------------------------------------------------------------------------------


@bp.route("/<int:project_id>/draw", methods=["GET", "POST"])
@requires("draw_panels")
def draw(project_id: int) -> ResponseReturnValue:
    uow = unit_of_work()
    project = service.get_project(uow, project_id)
    draws = [d for d in _draws(uow, project_id) if d.status == "done"]
    form = DrawForm(prefix="draw")
    redraw = RedrawForm(prefix="redraw")
    action = request.form.get("action")
    try:
        if action == "first" and form.validate_on_submit():
            job = service.start_draw(uow, service.DrawRequest(project_id))
            return redirect(url_for("jobs.show", job_id=job.id))
        if action == "redraw" and redraw.validate_on_submit():
            job = service.start_draw(
                uow, service.DrawRequest(project_id, kind="redraw", reason=redraw.reason.data)
            )
            return redirect(url_for("jobs.show", job_id=job.id))
    except (InvalidInput, NotAllowed) as error:
        (redraw.reason if action == "redraw" else form.submit).errors = [str(error)]
    return render_template(
        "projects/draw.html",
        project=project,
        draws=draws,
        form=form,
        redraw=redraw,
        latest=draws[-1] if draws else None,
    )


def group_chances(draw: Draw, taxonomy: Taxonomy) -> list[dict[str, Any]]:
    """Each group's chance of selection in a draw: the mean over its members in the pool."""
    rows = []
    for dim in draw.quotas:
        groups: dict[str, list[float]] = defaultdict(list)
        for person in draw.pool:
            groups[person.get(dim, UNKNOWN)].append(draw.probabilities.get(str(person["id"]), 0.0))
        label = _category_label(taxonomy)
        for code, chances in sorted(groups.items()):
            rows.append(
                {
                    "dimension": dimension_label(taxonomy, dim),
                    "category": label(dim, code),
                    "people": len(chances),
                    "chance": statistics.fmean(chances),
                    "drawn": sum(
                        1
                        for p in draw.pool
                        if p.get(dim, UNKNOWN) == code and str(p["id"]) in draw.panel
                    ),
                }
            )
    return rows


@bp.route("/<int:project_id>/draws/<int:number>", methods=["GET", "POST"])
@requires("see_panel_members")
def draw_record(project_id: int, number: int) -> str:
    uow = unit_of_work()
    project = service.get_project(uow, project_id)
    record = uow.session.scalar(
        select(Draw).where(Draw.project_id == project_id, Draw.number == number)
    )
    if record is None:
        raise NotFound(f"Project {project_id} has no draw {number}.")
    taxonomy = load_taxonomy(uow.session)
    verify = ActionForm(prefix="verify")
    verify.submit.label.text = "Replay this draw"
    check = None
    if verify.validate_on_submit():
        check = service.verify_draw(uow, record.id)
    return render_template(
        "projects/draw_record.html",
        project=project,
        record=record,
        chances=group_chances(record, taxonomy),
        draw_count=service.draw_count(uow, project_id),
        verify=verify,
        check=check,
        labels=LABELS,
    )


def _int_field(name: str) -> int:
    try:
        return int(request.form.get(name, ""))
    except ValueError:
        raise InvalidInput(f"{name} {request.form.get(name)!r} is not a number") from None


@bp.route("/<int:project_id>/panel", methods=["GET", "POST"])
@requires("see_panel_members")
def panel(project_id: int) -> ResponseReturnValue:
    uow = unit_of_work()
    project = service.get_project(uow, project_id)
    action = request.form.get("action")
    form = ActionForm(prefix="panel")
    error = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            link = invitations.answer_link(uow.settings)
            if action == "invite":
                result = invitations.send_invitations(
                    uow, project_id, invitations.answer_link(uow.settings)
                )
                flash(
                    f"Invitations sent: {result.emailed} by email"
                    + (f"; {result.tasks} letters or calls for you to do" if result.tasks else "")
                    + "."
                )
            elif action == "contacted":
                invitations.mark_contacted(uow, _int_field("invitation"))
                flash("Marked as done. Their deadline to answer stands.")
            elif action in ("accept", "decline"):
                status = invitations.record_answer_for_member(
                    uow, _int_field("invitation"), action, request.form.get("reason", "")
                )
                flash(f"Answer recorded: {LABELS['invitations'][status].lower()}.")
            elif action == "withdraw":
                invitations.withdraw(uow, _int_field("invitation"), request.form.get("reason", ""))
                flash("Recorded that they have withdrawn. You can draw a replacement.")
            elif action == "remind":
                tick = invitations.remind_and_expire(uow, link)
                flash(f"{tick.reminded} reminders sent; {tick.expired} passed their deadline.")
            elif action == "replace":
                ids = tuple(int(i) for i in request.form.getlist("replace") if i.isdigit())
                if not ids:
                    raise InvalidInput("Choose the people to replace")
                job = service.start_draw(
                    uow,
                    service.DrawRequest(project_id, kind="replacement", replace_invitation_ids=ids),
                )
                return redirect(url_for("jobs.show", job_id=job.id))
            else:
                raise InvalidInput(f"action {action!r} is not something this page does")
        except InvalidInput as failure:
            error = str(failure)
        else:
            return redirect(url_for(".panel", project_id=project_id))
    seats = _seats(uow, project_id)
    return render_template(
        "projects/panel.html",
        project=project,
        seats=seats,
        labels=LABELS,
        draw_count=service.draw_count(uow, project_id),
        form=form,
        error=error,
        counts=invitations.seat_counts(uow, project_id),
        snapshot=invitations.snapshot_of(uow, project_id),
        replaceable=[i for i, _ in seats if i.status in ("declined", "no_answer", "withdrawn")],
        channels=INVITATION_CHANNELS,
        formats=INVITATION_FORMATS,
    )


@bp.route("/<int:project_id>/invitations/<int:invitation_id>/letter")
@requires("see_panel_members")
def letter(project_id: int, invitation_id: int) -> str:
    """The letter to print, or the phone script, for an invitation staff make by hand."""
    uow = unit_of_work()
    project = service.get_project(uow, project_id)
    invitation = uow.session.get(Invitation, invitation_id)
    if invitation is None or invitation.project_id != project_id:
        raise NotFound(f"Project {project_id} has no invitation {invitation_id}.")
    member = uow.session.get(Member, invitation.member_id)
    # The invitation's member_id is a foreign key that cascades on delete: the member exists.
    assert member is not None
    deadline = invitation.deadline or date.today()
    link = invitations.answer_link(uow.settings)(invitations.token_for(uow, invitation))
    return render_template(
        "projects/letter.html",
        project=project,
        invitation=invitation,
        member=member,
        text=invitations.invitation_text(project, member, invitation.format, None, deadline),
        script=invitations.phone_script(project, member, deadline),
        link=link,
    )


@bp.route("/<int:project_id>/confirm", methods=["GET", "POST"])
@requires("manage_projects")
def confirm(project_id: int) -> ResponseReturnValue:
    uow = unit_of_work()
    project = service.get_project(uow, project_id)
    form = ActionForm(prefix="confirm")
    form.submit.label.text = "Confirm the panel"
    counts = invitations.seat_counts(uow, project_id)
    if form.validate_on_submit():
        try:
            invitations.confirm_panel(uow, project_id)
        except InvalidInput as error:
            form.submit.errors = [str(error)]
        else:
            flash("The panel is confirmed. Its members' involvement history now includes it.")
            return redirect(url_for(".show", project_id=project_id))
    return render_template(
        "projects/confirm.html", project=project, form=form, counts=counts, labels=LABELS
    )


@bp.route("/<int:project_id>/meetings", methods=["GET", "POST"])
@requires("manage_projects")
def meetings(project_id: int) -> ResponseReturnValue:
    uow = unit_of_work()
    project = service.get_project(uow, project_id)
    form = MeetingForm(prefix="meeting")
    form.activity.choices = options(payment_rates.activities(uow))
    close = ActionForm(prefix="close")
    close.submit.label.text = "Close the project"
    members = [m for i, m in _seats(uow, project_id) if i.status == "accepted"]
    errors: dict[str, str] = {}
    action = request.form.get("action")
    if action == "meeting" and form.validate_on_submit():
        attendance: dict[int, int | None] = {}
        for member in members:
            if request.form.get(f"came_{member.id}") == "yes":
                raw = (request.form.get(f"minutes_{member.id}") or "").strip()
                if not raw.isdigit():
                    errors[f"minutes_{member.id}"] = (
                        f"Enter how many minutes {member.display_name} gave, like 120"
                    )
                    continue
                attendance[member.id] = int(raw)
            else:
                attendance[member.id] = None
        if not errors:
            try:
                invitations.record_meeting(
                    uow,
                    project_id,
                    form.held_on.data,
                    form.title.data or "",
                    attendance,
                    activity=form.activity.data,
                    preparation_minutes=form.preparation_minutes.data,
                )
            except InvalidInput as error:
                errors["_all"] = str(error)
            else:
                flash("Meeting and attendance recorded. A payment is due to each person who came.")
                return redirect(url_for(".meetings", project_id=project_id))
    if action == "close" and close.validate_on_submit():
        invitations.close_project(uow, project_id)
        flash("The project is closed.")
        return redirect(url_for(".show", project_id=project_id))
    held = list(
        uow.session.scalars(
            select(Meeting).where(Meeting.project_id == project_id).order_by(Meeting.held_on)
        )
    )
    attended = {
        (a.meeting_id, a.member_id): a
        for a in uow.session.scalars(
            select(Attendance).where(Attendance.meeting_id.in_([m.id for m in held] or [-1]))
        )
    }
    return render_template(
        "projects/meetings.html",
        project=project,
        form=form,
        close=close,
        members=members,
        meetings=held,
        attended=attended,
        errors=errors,
    )
