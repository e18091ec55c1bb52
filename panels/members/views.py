"""The member pages (/my/...), the account set-up link (/set-up-account/...), and the staff
pages that send the link or act on a member's behalf.

A signed-in member only ever sees their own record: no member page takes a member id, and
pages that take an invitation or panel id look it up among the member's own. Staff with
``act_for_members`` open the same pages for one member at a time; every change they make
is written to the audit log as done by them on that member's behalf.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from models import (
    CONSENT_PURPOSES,
    CONTACT_METHODS,
    INVITATION_STATUSES,
    TIMES_OF_DAY,
    WEEKDAYS,
)
from panels import audit
from panels.auth.service import MIN_PASSWORD_LENGTH
from panels.errors import InvalidInput, NotAllowed
from panels.members import accounts, data, involvement, profile
from panels.members.forms import (
    AccessNeedsForm,
    AvailabilityForm,
    AwayForm,
    ConfirmForm,
    ConsentForm,
    ContactForm,
    OnBehalfConsentForm,
    SetUpAccountForm,
    answer_form,
    availability_fields,
)
from panels.projects.answer_views import AnswerForm
from panels.register.members import InvalidMember
from panels.register.queries import NotLinked, member_for_user
from panels.register.taxonomy import load_taxonomy
from panels.security import can, public, requires, start_session
from panels.uow import UnitOfWork
from panels.web import unit_of_work

bp = Blueprint("members", __name__, url_prefix="/my")
join_bp = Blueprint("account_setup", __name__, url_prefix="/set-up-account")
staff_bp = Blueprint("member_accounts", __name__, url_prefix="/member-accounts")

ACTING = "acting_for_member"
"""Session key: the member a staff user is acting for."""

WITHDRAW_EFFECTS = {
    "contact": "We will stop asking you to join panels. We will not contact you about new "
    "chances to take part.",
    "selection": "We will not use your equality answers to choose people for panels. "
    "Your answers stay on your record. You can still be invited in other ways.",
    "statistics": "We will leave you out of our counts and charts.",
    "access_needs": "We will delete the help you told us you need. You cannot undo this. "
    "We will not know how to help you take part unless you tell us again.",
}
GIVE_EFFECTS = {
    "contact": "We can ask you to join panels.",
    "selection": "We can use your equality answers to make panels fair.",
    "statistics": "We can count your answers in our charts. Nobody can tell they are yours.",
    "access_needs": "We can keep a record of what helps you take part.",
}


@dataclass(frozen=True)
class Subject:
    """Whose member pages these are, and the unit of work that acts for them."""

    uow: UnitOfWork
    member_id: int
    name: str
    on_behalf: bool


def subject() -> Subject:
    """The member whose pages these are: the signed-in member, or the one staff act for."""
    base = unit_of_work()
    if can(current_user, "member_space"):
        member = member_for_user(base, current_user.id)
        found = Subject(base, member.id, member.display_name, False)
    elif can(current_user, "act_for_members") and session.get(ACTING):
        member = profile.get_member(base, int(session[ACTING]))
        uow = UnitOfWork(base.session, base.actor.acting_for(member.id), current_app.config)
        found = Subject(uow, member.id, member.display_name, True)
    else:
        raise NotAllowed(
            "To use these pages for a member, open them on the people register and choose "
            "“Act on their behalf”."
        )
    return found


def _render(template: str, who: Subject, **context: Any) -> str:
    return render_template(template, subject=who, **context)


def _problems_to_form(form: Any, error: InvalidMember, default: str) -> None:
    for problem in error.problems:
        field = getattr(form, problem.field, None) or getattr(form, default)
        field.errors = list(field.errors) + [problem.message]


# --- start page -------------------------------------------------------------------------


@bp.route("/")
@requires("use_member_pages")
def start() -> str:
    try:
        who = subject()
    except NotLinked as error:
        return render_template("members/not_linked.html", message=str(error))
    invitations = involvement.my_invitations(who.uow, who.member_id)
    return _render(
        "members/start.html",
        who,
        open_invitations=[i for i in invitations if i.is_open],
        panels=involvement.my_panels(who.uow, who.member_id),
    )


# --- profile ----------------------------------------------------------------------------


@bp.route("/profile")
@requires("use_member_pages")
def profile_page() -> str:
    who = subject()
    return _render(
        "members/profile.html",
        who,
        profile=profile.view_profile(who.uow, who.member_id),
        contact_methods=CONTACT_METHODS,
        weekdays=WEEKDAYS,
        times=TIMES_OF_DAY,
    )


@bp.route("/profile/contact", methods=["GET", "POST"])
@requires("use_member_pages")
def contact() -> ResponseReturnValue:
    who = subject()
    member = profile.get_member(who.uow, who.member_id)
    form = ContactForm(obj=member)
    if form.validate_on_submit():
        try:
            profile.update_contact(
                who.uow,
                who.member_id,
                preferred_name=form.preferred_name.data,
                phone=form.phone.data,
                address=form.address.data,
                postcode=form.postcode.data,
                preferred_contact=form.preferred_contact.data,
            )
        except InvalidMember as error:
            _problems_to_form(form, error, "preferred_contact")
        else:
            flash("Your contact details are saved.")
            return redirect(url_for(".profile_page"))
    return _render("members/contact.html", who, form=form, member=member)


@bp.route("/profile/access-needs", methods=["GET", "POST"])
@requires("use_member_pages")
def access_needs() -> ResponseReturnValue:
    who = subject()
    member = profile.get_member(who.uow, who.member_id)
    form = AccessNeedsForm()
    if not member.consent_access_needs:
        return _render("members/access_needs_no_consent.html", who)
    if form.validate_on_submit():
        try:
            profile.update_access_needs(
                who.uow, who.member_id, form.needs.data or [], form.notes.data
            )
        except InvalidMember as error:
            _problems_to_form(form, error, "needs")
        else:
            flash("The help you need is saved.")
            return redirect(url_for(".profile_page"))
    elif not form.is_submitted():
        profile.audit_form_view(who.uow, who.member_id, answers=False, needs=True)
        form.needs.data = [n.need for n in member.access_needs]
        form.notes.data = member.access_needs_notes
    return _render("members/access_needs.html", who, form=form)


@bp.route("/profile/answers/<key>", methods=["GET", "POST"])
@requires("use_member_pages")
def answer_question(key: str) -> ResponseReturnValue:
    who = subject()
    taxonomy = load_taxonomy(who.uow.session)
    dimension = next((d for d in taxonomy.answerable if d.key == key), None)
    if dimension is None:
        raise InvalidInput(
            f"{key!r} is not a question you answer; the questions are: "
            f"{', '.join(d.key for d in taxonomy.answerable)}"
        )
    form = answer_form(dimension)
    field = form.answer
    if form.validate_on_submit():
        codes = list(field.data) if isinstance(field.data, list) else [field.data]
        try:
            profile.set_answer(who.uow, who.member_id, key, codes)
        except InvalidMember as error:
            field.errors = [p.message for p in error.problems]
        else:
            flash(f"Your answer is saved: {dimension.label}.")
            return redirect(url_for(".profile_page"))
    elif not form.is_submitted():
        member = profile.get_member(who.uow, who.member_id)
        profile.audit_form_view(
            who.uow, who.member_id, answers=dimension.special_category, needs=False
        )
        current = [
            taxonomy.category_by_id(row.category_id)[1].code
            for row in member.characteristics
            if taxonomy.category_by_id(row.category_id)[0].key == key
        ]
        field.data = current if dimension.multiple else (current[0] if current else None)
    return _render("members/answer_question.html", who, form=form, dimension=dimension)


@bp.route("/profile/availability", methods=["GET", "POST"])
@requires("use_member_pages")
def availability() -> ResponseReturnValue:
    who = subject()
    form = AvailabilityForm()
    fields = availability_fields(form)
    if form.validate_on_submit():
        slots = [(f.name, part) for f in fields for part in f.data or []]
        changed = profile.set_availability(who.uow, who.member_id, slots)
        flash("The times that suit you are saved." if changed else "Nothing was changed.")
        return redirect(url_for(".profile_page"))
    if not form.is_submitted():
        current = profile.availability_of(who.uow, who.member_id)
        for f in fields:
            f.data = list(current.get(f.name, ()))
    return _render("members/availability.html", who, form=form, fields=fields)


@bp.route("/profile/away/new", methods=["GET", "POST"])
@requires("use_member_pages")
def add_away() -> ResponseReturnValue:
    who = subject()
    form = AwayForm()
    if form.validate_on_submit():
        try:
            profile.add_away(who.uow, who.member_id, form.starts_on.data, form.ends_on.data)
        except InvalidMember as error:
            _problems_to_form(form, error, "starts_on")
        else:
            flash("Your dates away are saved.")
            return redirect(url_for(".profile_page"))
    return _render("members/away.html", who, form=form)


@bp.route("/profile/away/<int:away_id>/remove", methods=["GET", "POST"])
@requires("use_member_pages")
def remove_away(away_id: int) -> ResponseReturnValue:
    who = subject()
    away = profile.get_away(who.uow, who.member_id, away_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        profile.remove_away(who.uow, who.member_id, away_id)
        flash("Those dates are removed.")
        return redirect(url_for(".profile_page"))
    return _render("members/remove_away.html", who, form=form, away=away)


# --- consent ----------------------------------------------------------------------------


@bp.route("/consent")
@requires("use_member_pages")
def consent() -> str:
    who = subject()
    return _render(
        "members/consent.html", who, statuses=profile.consent_overview(who.uow, who.member_id)
    )


@bp.route("/consent/easy-read")
@requires("use_member_pages")
def consent_easy_read() -> str:
    who = subject()
    return _render(
        "members/consent_easy_read.html",
        who,
        statuses=profile.consent_overview(who.uow, who.member_id),
    )


def _change_consent(purpose: str, template: str) -> ResponseReturnValue:
    who = subject()
    status = profile.consent_status(who.uow, who.member_id, purpose)
    form: ConsentForm = OnBehalfConsentForm() if who.on_behalf else ConsentForm()
    if form.validate_on_submit():
        given = form.given.data == "yes"
        method = form.method.data if isinstance(form, OnBehalfConsentForm) else "online"
        changed = profile.decide_consent(who.uow, who.member_id, purpose, given, method)
        label = CONSENT_PURPOSES[purpose]
        if not changed:
            flash("Nothing changed.")
        elif who.on_behalf:
            decision = "agrees" if given else "no longer agrees"
            flash(f"Recorded: {who.name} {decision} to “{label}”. This takes effect now.")
        elif given:
            flash(f"Thank you. You have agreed: {label}.")
        else:
            flash(f"Done. You have taken back your agreement: {label}.")
        return redirect(url_for(".consent"))
    if not form.is_submitted():
        form.given.data = "no" if status.given else "yes"
        if purpose == "access_needs" and status.given:
            profile.audit_form_view(who.uow, who.member_id, answers=False, needs=True)
    needs = (
        profile.needs_in_order(
            n.need for n in profile.get_member(who.uow, who.member_id).access_needs
        )
        if purpose == "access_needs"
        else ()
    )
    return _render(
        template,
        who,
        form=form,
        status=status,
        effect=WITHDRAW_EFFECTS[purpose] if status.given else GIVE_EFFECTS[purpose],
        needs=needs,
    ), (400 if form.is_submitted() else 200)


@bp.route("/consent/<purpose>", methods=["GET", "POST"])
@requires("use_member_pages")
def change_consent(purpose: str) -> ResponseReturnValue:
    return _change_consent(purpose, "members/change_consent.html")


@bp.route("/consent/<purpose>/easy-read", methods=["GET", "POST"])
@requires("use_member_pages")
def change_consent_easy_read(purpose: str) -> ResponseReturnValue:
    return _change_consent(purpose, "members/change_consent_easy_read.html")


# --- invitations and panels -------------------------------------------------------------


def _answer_invitation(invitation_id: int, template: str) -> ResponseReturnValue:
    who = subject()
    view = involvement.my_invitation(who.uow, who.member_id, invitation_id)
    form = AnswerForm()
    if view.is_open and form.validate_on_submit():
        try:
            status = involvement.answer_my_invitation(
                who.uow,
                who.member_id,
                invitation_id,
                form.choice.data,
                reason=form.reason.data or "",
                question=form.question.data or "",
            )
        except InvalidInput as error:
            form.choice.errors = [str(error)]
        else:
            messages = {
                "accepted": "Thank you. You are on the panel.",
                "reserve": "Thank you. The panel is full, so you are on the reserve list. "
                "We will tell you if a place comes up.",
                "declined": "Thank you for telling us. Saying no is fine.",
            }
            flash(messages.get(status, "Thank you. We have your question. We will reply soon."))
            return redirect(url_for(".start"))
    return _render(
        template,
        who,
        view=view,
        form=form,
        statuses=INVITATION_STATUSES,
        when=involvement.when,
    )


@bp.route("/invitations/<int:invitation_id>", methods=["GET", "POST"])
@requires("use_member_pages")
def invitation(invitation_id: int) -> ResponseReturnValue:
    return _answer_invitation(invitation_id, "members/invitation.html")


@bp.route("/invitations/<int:invitation_id>/easy-read", methods=["GET", "POST"])
@requires("use_member_pages")
def invitation_easy_read(invitation_id: int) -> ResponseReturnValue:
    return _answer_invitation(invitation_id, "members/invitation_easy_read.html")


@bp.route("/panels")
@requires("use_member_pages")
def panels() -> str:
    who = subject()
    return _render(
        "members/panels.html",
        who,
        panels=involvement.my_panels(who.uow, who.member_id),
        invitations=involvement.my_invitations(who.uow, who.member_id),
        statuses=INVITATION_STATUSES,
        when=involvement.when,
    )


@bp.route("/panels/<int:project_id>")
@requires("use_member_pages")
def panel(project_id: int) -> str:
    from panels.impact.service import published_for_member

    who = subject()
    found = involvement.my_panel(who.uow, who.member_id, project_id)
    feedback = published_for_member(who.uow, who.member_id, project_id)
    return _render("members/panel.html", who, panel=found, when=involvement.when, feedback=feedback)


@bp.route("/chances")
@requires("use_member_pages")
def chances() -> str:
    who = subject()
    return _render(
        "members/chances.html", who, chances=involvement.my_chances(who.uow, who.member_id)
    )


# --- download my data -------------------------------------------------------------------


@bp.route("/data")
@requires("use_member_pages")
def my_data() -> str:
    who = subject()
    return _render(
        "members/data.html", who, sections=data.download_my_data(who.uow, who.member_id, "page")
    )


@bp.route("/data/my-data.json")
@requires("use_member_pages")
def my_data_file() -> Response:
    who = subject()
    sections = data.download_my_data(who.uow, who.member_id, "json")
    return Response(
        data.as_json(who.member_id, sections),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-data.json"'},
    )


@bp.route("/data/my-data.zip")
@requires("use_member_pages")
def my_data_zip() -> Response:
    who = subject()
    sections = data.download_my_data(who.uow, who.member_id, "csv")
    return Response(
        data.as_csv_zip(sections),
        mimetype="application/zip",
        headers={"Content-Disposition": 'attachment; filename="my-data.zip"'},
    )


# --- acting on a member's behalf --------------------------------------------------------


@bp.route("/stop-acting", methods=["POST"])
@requires("act_for_members")
def stop_acting() -> ResponseReturnValue:
    member_id = session.pop(ACTING, None)
    flash("You are no longer acting on behalf of a member.")
    if member_id:
        return redirect(url_for("register.member", member_id=member_id))
    return redirect(url_for("home.index"))


@staff_bp.route("/<int:member_id>", methods=["GET"])
@requires("invite_member_accounts")
def account(member_id: int) -> str:
    uow = unit_of_work()
    return render_template(
        "members/staff_account.html",
        status=accounts.account_status(uow, member_id),
        form=ConfirmForm(),
    )


@staff_bp.route("/<int:member_id>/link", methods=["POST"])
@requires("invite_member_accounts")
def send_link(member_id: int) -> ResponseReturnValue:
    form = ConfirmForm()
    if form.validate_on_submit():
        invite = accounts.invite_member_account(unit_of_work(), member_id)
        flash(f"We have emailed a set-up link to {invite.email}. It works for 7 days.")
    return redirect(url_for(".account", member_id=member_id))


@staff_bp.route("/<int:member_id>/act-for", methods=["POST"])
@requires("act_for_members")
def act_for(member_id: int) -> ResponseReturnValue:
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for(".account", member_id=member_id))
    uow = unit_of_work()
    with uow:
        member = profile.get_member(uow, member_id)
        audit.record(uow, "act_for_member", "member", member.id)
    session[ACTING] = member.id
    flash(f"You are now acting on behalf of {member.display_name}.")
    return redirect(url_for("members.start"))


# --- setting up an account from the link ------------------------------------------------


def _join(token: str, template: str) -> ResponseReturnValue:
    uow = unit_of_work()
    try:
        invite = accounts.invite_for_token(uow, token)
    except accounts.InvalidLink as error:
        return render_template("members/join_invalid.html", message=str(error)), 400
    member = profile.get_member(uow, invite.member_id)
    form = SetUpAccountForm()
    if form.validate_on_submit():
        try:
            user = accounts.set_up_account(uow, token, form.new_password.data)
        except accounts.InvalidLink as error:
            return render_template("members/join_invalid.html", message=str(error)), 400
        except InvalidInput as error:
            form.new_password.errors = [str(error)]
        else:
            start_session(user)
            flash("Your account is ready. Welcome.")
            return redirect(url_for("members.start"))
    return render_template(
        template,
        form=form,
        member=member,
        invite=invite,
        token=token,
        min_length=MIN_PASSWORD_LENGTH,
    )


@join_bp.route("/<token>", methods=["GET", "POST"])
@public
def join(token: str) -> ResponseReturnValue:
    return _join(token, "members/join.html")


@join_bp.route("/<token>/easy-read", methods=["GET", "POST"])
@public
def join_easy_read(token: str) -> ResponseReturnValue:
    return _join(token, "members/join_easy_read.html")
