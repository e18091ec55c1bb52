"""Register pages for staff: the list, adding, reading and changing members, consent."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
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
from panels.register.forms import ConsentChangeForm, MemberFormBase, member_form
from panels.register.members import (
    InvalidMember,
    change_consent,
    create_member,
    member_input_from,
    update_member,
)
from panels.register.search import (
    PANELS_SERVED,
    SORT_LABELS,
    RegisterQuery,
    search_register,
    summarise_register,
)
from panels.register.service import consent_change, consent_wordings, view_member
from panels.register.taxonomy import DimensionInfo, Taxonomy, load_taxonomy
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


def _visible_dimensions(taxonomy: Taxonomy) -> list[DimensionInfo]:
    show = can(current_user, "see_special_category")
    return [d for d in taxonomy.dimensions if show or not d.special_category]


@bp.route("/")
@requires("view_register")
def index() -> str:
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


@bp.route("/summary")
@requires("view_register_summary")
def summary() -> ResponseReturnValue:
    uow = unit_of_work()
    return render_template(
        "register/summary.html", summary=summarise_register(uow, load_taxonomy(uow.session))
    )


def _show_problems(form: MemberFormBase, error: InvalidMember) -> None:
    for problem in error.problems:
        field = form.field_for_problem(problem.field)
        target = field if field is not None else form.first_name
        target.errors = list(target.errors) + [problem.message]


@bp.route("/members/new", methods=["GET", "POST"])
@requires("edit_register")
def new_member() -> ResponseReturnValue:
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
    return render_template(
        "register/edit.html",
        form=form,
        taxonomy=taxonomy,
        member=None,
        wordings=consent_wordings(uow),
    )


@bp.route("/members/<int:member_id>")
@requires("view_register")
def member(member_id: int) -> str:
    uow = unit_of_work()
    taxonomy = load_taxonomy(uow.session)
    view = view_member(
        uow,
        member_id,
        taxonomy,
        show_special=can(current_user, "see_special_category"),
        show_access_needs=can(current_user, "see_access_needs"),
    )
    return render_template(
        "register/member.html",
        view=view,
        labels=LABELS,
    )


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
@requires("edit_register")
def edit_member(member_id: int) -> ResponseReturnValue:
    uow = unit_of_work()
    taxonomy = load_taxonomy(uow.session)
    # The form shows their answers and access needs as they are now: a view, audited.
    view = view_member(
        uow,
        member_id,
        taxonomy,
        show_special=True,
        show_access_needs=request.method == "GET",
    )
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
    return render_template(
        "register/edit.html",
        form=form,
        taxonomy=taxonomy,
        member=view.member,
        wordings=consent_wordings(uow),
    )


WITHDRAWAL_QUESTIONS = {
    "contact": "Withdraw consent to contact them about opportunities?",
    "selection": "Withdraw consent to use their equality information to select panels?",
    "statistics": "Withdraw consent to use their equality information in statistics?",
    "access_needs": "Withdraw consent to keep access needs?",
}
WITHDRAWAL_EFFECTS = {
    "contact": "From now on they will not be offered for invitation and must not be contacted "
    "about opportunities to take part.",
    "selection": "From now on their equality information will not match any search of the "
    "register and will not be used to select people for panels. It stays on their record.",
    "statistics": "From now on they will be left out of anonymous statistics.",
    "access_needs": "",
}


@bp.route("/members/<int:member_id>/consent", methods=["GET", "POST"])
@requires("edit_register")
def consent(member_id: int) -> ResponseReturnValue:
    """Confirm, then record, one consent being given or withdrawn, and how they told us."""
    uow = unit_of_work()
    form = ConsentChangeForm()
    purpose = request.values.get("purpose", "")
    if form.validate_on_submit():
        given = form.given.data == "yes"
        changed = change_consent(uow, member_id, form.purpose.data, given, form.method.data)
        label = CONSENT_PURPOSES[form.purpose.data]
        if changed:
            flash(f"Consent {'given' if given else 'withdrawn'}: {label}. This takes effect now.")
        else:
            flash(f"Nothing changed: consent was already {'given' if given else 'withdrawn'}.")
        return redirect(url_for("register.member", member_id=member_id))
    change = consent_change(
        uow, member_id, purpose, show_access_needs=can(current_user, "see_access_needs")
    )
    if request.method == "GET":
        form.purpose.data = purpose
        form.given.data = "no" if change.given_now else "yes"
    status = 400 if request.method == "POST" else 200
    return render_template(
        "register/consent.html",
        form=form,
        change=change,
        label=CONSENT_PURPOSES[purpose],
        question=WITHDRAWAL_QUESTIONS[purpose],
        effect=WITHDRAWAL_EFFECTS[purpose],
    ), status
