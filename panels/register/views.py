"""Register pages for staff: the list, adding, reading and changing members, consent."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models import (
    ACCESS_NEEDS,
    CONSENT_METHODS,
    CONSENT_PURPOSES,
    CONTACT_METHODS,
    JOINED_VIA,
    MEMBER_STATUSES,
)
from panels.errors import NotAllowed
from panels.register.forms import ConsentChangeForm, member_form
from panels.register.members import (
    InvalidMember,
    change_consent,
    create_member,
    member_input_from,
    update_member,
)
from panels.register.search import PANELS_SERVED, SORT_LABELS, RegisterQuery, search_register
from panels.register.service import view_member
from panels.register.taxonomy import load_taxonomy
from panels.security import can, requires
from panels.web import unit_of_work

bp = Blueprint("register", __name__, url_prefix="/register")

LABELS = {
    "statuses": MEMBER_STATUSES,
    "consents": CONSENT_PURPOSES,
    "methods": CONSENT_METHODS,
    "contact": CONTACT_METHODS,
    "joined": JOINED_VIA,
    "needs": ACCESS_NEEDS,
    "served": PANELS_SERVED,
    "sorts": SORT_LABELS,
}


def _visible_dimensions(taxonomy):
    show = can(current_user, "see_special_category")
    return [d for d in taxonomy.dimensions if show or not d.special_category]


@bp.route("/")
@requires("view_register")
def index():
    uow = unit_of_work()
    taxonomy = load_taxonomy(uow.session)
    query = RegisterQuery.from_args(request.args, taxonomy)
    if query.uses_special_category(taxonomy) and not can(current_user, "see_special_category"):
        raise NotAllowed("Only engagement leads can search the register by equality information.")
    page = search_register(uow, query, taxonomy)
    return render_template(
        "register/index.html",
        query=query,
        page=page,
        dimensions=_visible_dimensions(taxonomy),
        labels=LABELS,
        args=request.args,
    )


def _show_problems(form, error: InvalidMember) -> None:
    for problem in error.problems:
        field = form.field_for_problem(problem.field)
        target = field if field is not None else form.first_name
        target.errors = list(target.errors) + [problem.message]


@bp.route("/members/new", methods=["GET", "POST"])
@requires("edit_register")
def new_member():
    uow = unit_of_work()
    taxonomy = load_taxonomy(uow.session)
    form = member_form(taxonomy)
    if form.validate_on_submit():
        try:
            member = create_member(uow, form.to_input(taxonomy), method=form.consent_method.data)
        except InvalidMember as error:
            _show_problems(form, error)
        else:
            flash(f"{member.display_name} has been added to the register.")
            return redirect(url_for("register.member", member_id=member.id))
    return render_template("register/edit.html", form=form, taxonomy=taxonomy, member=None)


@bp.route("/members/<int:member_id>")
@requires("view_register")
def member(member_id: int):
    uow = unit_of_work()
    taxonomy = load_taxonomy(uow.session)
    view = view_member(
        uow, member_id, taxonomy, show_special=can(current_user, "see_special_category")
    )
    return render_template(
        "register/member.html",
        view=view,
        labels=LABELS,
        consent_form=ConsentChangeForm(),
    )


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
@requires("edit_register")
def edit_member(member_id: int):
    uow = unit_of_work()
    taxonomy = load_taxonomy(uow.session)
    view = view_member(uow, member_id, taxonomy, show_special=True)
    form = member_form(taxonomy)
    if request.method == "GET":
        form.fill_from(member_input_from(view.member, taxonomy))
    if form.validate_on_submit():
        try:
            changed = update_member(
                uow, member_id, form.to_input(taxonomy), method=form.consent_method.data
            )
        except InvalidMember as error:
            _show_problems(form, error)
        else:
            flash("Changes saved." if changed else "Nothing was changed.")
            return redirect(url_for("register.member", member_id=member_id))
    return render_template("register/edit.html", form=form, taxonomy=taxonomy, member=view.member)


@bp.route("/members/<int:member_id>/consent", methods=["POST"])
@requires("edit_register")
def consent(member_id: int):
    form = ConsentChangeForm()
    if not form.validate_on_submit():
        flash("Choose what to change, then try again.")
        return redirect(url_for("register.member", member_id=member_id))
    given = form.given.data == "yes"
    change_consent(unit_of_work(), member_id, form.purpose.data, given, form.method.data)
    flash(
        f"Consent {'given' if given else 'withdrawn'}: {CONSENT_PURPOSES[form.purpose.data]}. "
        "This takes effect now."
    )
    return redirect(url_for("register.member", member_id=member_id))
