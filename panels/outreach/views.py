"""Outreach pages for staff, and the public joining form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from models import CONSENT_PURPOSES, OUTREACH_CHANNELS
from panels.errors import InvalidInput
from panels.links import external_url
from panels.outreach import joining, partners, reach
from panels.outreach.forms import (
    REACH_PREFIX,
    ActionForm,
    CampaignForm,
    DecisionForm,
    JoinForm,
    partner_form,
)
from panels.register.members import InvalidMember
from panels.register.taxonomy import Taxonomy, load_taxonomy
from panels.security import can, public, requires
from panels.web import unit_of_work

bp = Blueprint("outreach", __name__, url_prefix="/outreach")
join_bp = Blueprint("join", __name__, url_prefix="/join")


def _suppress() -> bool:
    """Readers who may not see special-category answers see small counts as "fewer than 5"."""
    return not can(current_user, "see_special_category")


@bp.route("/")
@requires("manage_outreach")
def index() -> str:
    uow = unit_of_work()
    suppress = _suppress()
    return render_template(
        "outreach/index.html",
        register=reach.register_under_reached(uow, suppress=suppress),
        projects=reach.projects_under_reached(uow, suppress=suppress),
        ratio=reach.HIGH_CHANCE_RATIO,
    )


@bp.route("/partners", methods=["GET", "POST"])
@requires("manage_outreach")
def partner_list() -> ResponseReturnValue:
    uow = unit_of_work()
    form = CampaignForm()
    if form.validate_on_submit():
        link = partners.create_campaign_link(uow, form.campaign.data or "")
        flash(f"The joining link for “{link.campaign}” is ready.")
        return redirect(url_for("outreach.partner_list"))
    return render_template(
        "outreach/partners.html",
        summaries=reach.partner_summaries(uow, suppress=_suppress()),
        campaigns=partners.campaign_links(uow),
        form=form,
        link_for=lambda token: external_url(uow.settings, "join.form", token=token),
    )


def _fill_reaches(form: object, reaches: dict[str, list[str]]) -> None:
    for key, codes in reaches.items():
        field = getattr(form, REACH_PREFIX + key, None)
        if field is not None:
            field.data = list(codes)


@bp.route("/partners/new", methods=["GET", "POST"])
@requires("manage_outreach")
def new_partner() -> ResponseReturnValue:
    uow = unit_of_work()
    form = partner_form(load_taxonomy(uow.session))
    if form.validate_on_submit():
        try:
            partner = partners.create_partner(uow, form.to_input())
        except InvalidInput as error:
            form.name.errors = [*form.name.errors, str(error)]
        else:
            flash(f"{partner.name} has been added, with its own joining link.")
            return redirect(url_for("outreach.partner", partner_id=partner.id))
    return render_template("outreach/partner_edit.html", form=form, partner=None)


@bp.route("/partners/<int:partner_id>/edit", methods=["GET", "POST"])
@requires("manage_outreach")
def edit_partner(partner_id: int) -> ResponseReturnValue:
    uow = unit_of_work()
    found = partners.get_partner(uow, partner_id)
    form = partner_form(load_taxonomy(uow.session), obj=found)
    if request.method == "GET":
        _fill_reaches(form, found.reaches or {})
    if form.validate_on_submit():
        try:
            partners.update_partner(uow, partner_id, form.to_input())
        except InvalidInput as error:
            form.name.errors = [*form.name.errors, str(error)]
        else:
            flash("The partner's details have been saved.")
            return redirect(url_for("outreach.partner", partner_id=partner_id))
    return render_template("outreach/partner_edit.html", form=form, partner=found)


@bp.route("/partners/<int:partner_id>")
@requires("manage_outreach")
def partner(partner_id: int) -> str:
    uow = unit_of_work()
    found = partners.get_partner(uow, partner_id)
    taxonomy = load_taxonomy(uow.session)
    reaches = [
        (taxonomy[key].label, [taxonomy[key].find(code).label for code in codes])
        for key, codes in (found.reaches or {}).items()
    ]
    return render_template(
        "outreach/partner.html",
        partner=found,
        reaches=reaches,
        links=[external_url(uow.settings, "join.form", token=link.token) for link in found.links],
        outcome=reach.partner_yield(uow, partner_id, suppress=_suppress()),
        actions=partners.actions_for(uow, partner_id),
        channels=OUTREACH_CHANNELS,
        group_label=_group_labeller(taxonomy),
    )


def _group_labeller(taxonomy: Taxonomy) -> Callable[[str, str], str]:
    def label(dimension: str, category: str) -> str:
        if not dimension:
            return "Everyone"
        try:
            found = taxonomy[dimension]
            return f"{found.label}: {found.find(category).label}"
        except InvalidInput:
            return f"{dimension}: {category}"

    return label


@bp.route("/suggestions")
@requires("manage_outreach")
def suggestions() -> str:
    uow = unit_of_work()
    dimension = request.args.get("dimension", "")
    category = request.args.get("category", "")
    taxonomy = load_taxonomy(uow.session)
    found = taxonomy[dimension]
    return render_template(
        "outreach/suggestions.html",
        dimension=found,
        category=found.find(category),
        suggestions=reach.suggest_partners(uow, dimension, category, suppress=_suppress()),
    )


@bp.route("/actions/new", methods=["GET", "POST"])
@requires("manage_outreach")
def new_action() -> ResponseReturnValue:
    uow = unit_of_work()
    form = ActionForm(
        partner_id=request.args.get("partner_id", ""),
        dimension=request.args.get("dimension", ""),
        category=request.args.get("category", ""),
    )
    if request.method == "GET":
        form.done_on.data = date.today()
    try:
        partner_id = int(form.partner_id.data or "")
    except ValueError:
        raise InvalidInput("Choose a partner organisation first, from its page.") from None
    found = partners.get_partner(uow, partner_id)
    if form.validate_on_submit():
        partners.log_action(
            uow,
            partners.ActionInput(
                partner_id=partner_id,
                done_on=form.done_on.data,
                channel=form.channel.data or "",
                description=form.description.data or "",
                dimension=form.dimension.data or "",
                category=form.category.data or "",
            ),
        )
        flash(f"The outreach action through {found.name} has been logged.")
        return redirect(url_for("outreach.partner", partner_id=partner_id))
    return render_template(
        "outreach/action.html",
        form=form,
        partner=found,
        group=_group_labeller(load_taxonomy(uow.session))(
            form.dimension.data or "", form.category.data or ""
        ),
    )


@bp.route("/requests")
@requires("review_join_requests")
def requests() -> str:
    return render_template(
        "outreach/requests.html", waiting=joining.waiting_requests(unit_of_work())
    )


@bp.route("/requests/<int:request_id>", methods=["GET", "POST"])
@requires("review_join_requests")
def join_request(request_id: int) -> ResponseReturnValue:
    uow = unit_of_work()
    form = DecisionForm()
    found = joining.get_request(uow, request_id)
    if found.request.status == "waiting" and form.validate_on_submit():
        if form.accept.data:
            try:
                member = joining.accept_join_request(uow, request_id)
            except InvalidMember as error:
                flash("; ".join(p.message for p in error.problems) + ". They were not added.")
                return redirect(url_for("outreach.join_request", request_id=request_id))
            flash(f"{member.display_name} has been added to the register.")
        else:
            joining.reject_join_request(uow, request_id, form.reason.data or "")
            flash("The request has been turned down. Nothing was added to the register.")
        return redirect(url_for("outreach.requests"))
    found = joining.open_request(uow, request_id)
    return render_template(
        "outreach/request.html",
        found=found,
        form=form,
        wordings=joining.wordings_of(uow, found.request),
    )


# --- the public joining form --------------------------------------------------------------


def _join(token: str | None) -> ResponseReturnValue:
    uow = unit_of_work()
    link = joining.find_link(uow, token) if token else None
    wordings = joining.form_wordings(uow)
    form = JoinForm()
    for purpose in CONSENT_PURPOSES:
        getattr(form, f"consent_{purpose}").label.text = wordings[purpose].text
    if request.method == "GET":
        for purpose in CONSENT_PURPOSES:
            getattr(form, f"wording_{purpose}").data = str(wordings[purpose].id)
    if form.validate_on_submit():
        data = joining.JoinInput(
            first_name=form.first_name.data or "",
            last_name=form.last_name.data or "",
            email=form.email.data or "",
            phone=form.phone.data or "",
            address=form.address.data or "",
            postcode=form.postcode.data or "",
            preferred_contact=form.preferred_contact.data or "",
            help_needed=form.help_needed.data or "",
            consents={p: bool(getattr(form, f"consent_{p}").data) for p in CONSENT_PURPOSES},
            wording_ids={
                p: int(value)
                for p in CONSENT_PURPOSES
                if (value := getattr(form, f"wording_{p}").data or "").isdigit()
            },
            honeypot=form.website.data or "",
        )
        joining.submit_join_request(uow, data, token, request.remote_addr or "-")
        return redirect(url_for("join.thanks"))
    return render_template("outreach/join.html", form=form, link=link, wordings=wordings)


@join_bp.route("/", methods=["GET", "POST"])
@public
def form_without_link() -> ResponseReturnValue:
    return _join(None)


@join_bp.route("/<token>", methods=["GET", "POST"])
@public
def form(token: str) -> ResponseReturnValue:
    return _join(token)


@join_bp.route("/thanks")
@public
def thanks() -> str:
    return render_template("outreach/join_thanks.html")
