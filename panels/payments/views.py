"""Payments pages: the member's own (/my/payments) and the staff's (/payments)."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select

from models import (
    CLAIM_KINDS,
    CLAIM_STATUSES,
    EXPENSE_TYPES,
    PAYMENT_CHOICES,
    Meeting,
    Member,
    PaymentBatch,
    PaymentClaim,
    PaymentReceipt,
    Project,
    User,
)
from panels.errors import DomainError, NotFound
from panels.pagination import Window, requested_page
from panels.payments import batches as batch_service
from panels.payments import ledger, service
from panels.payments import rates as rate_service
from panels.payments.forms import (
    ActionForm,
    ApproveForm,
    ChoiceForm,
    ConfirmForm,
    ExpenseForm,
    PreferenceForm,
    ProjectPaymentsForm,
    RateForm,
    RejectForm,
)
from panels.payments.money import format_pence, parse_pounds, tax_year_label
from panels.projects.service import get_project
from panels.register.queries import member_for_user
from panels.security import can, requires, signed_in
from panels.uow import UnitOfWork
from panels.web import unit_of_work

member_bp = Blueprint("my_payments", __name__, url_prefix="/my/payments")
staff_bp = Blueprint("payments", __name__, url_prefix="/payments")
LABELS = {
    "statuses": CLAIM_STATUSES,
    "choices": PAYMENT_CHOICES,
    "expense_types": EXPENSE_TYPES,
    "kinds": CLAIM_KINDS,
}


@member_bp.app_template_filter("pence")
def _pence_filter(pence: int | None) -> str:
    return format_pence(pence or 0)


def _member() -> Member:
    return member_for_user(unit_of_work(), current_user.id)


def _claims_of(member_id: int) -> list[PaymentClaim]:
    uow = unit_of_work()
    return list(
        uow.session.scalars(
            select(PaymentClaim)
            .where(PaymentClaim.member_id == member_id)
            .order_by(PaymentClaim.occurred_on.desc(), PaymentClaim.id.desc())
        )
    )


def _titles(project_ids: set[int]) -> dict[int, str]:
    uow = unit_of_work()
    return dict(
        uow.session.execute(
            select(Project.id, Project.title).where(Project.id.in_(project_ids or {-1}))
        ).all()
    )


# --- the member's pages ---------------------------------------------------------------------


@member_bp.route("/")
@requires("claim_payments")
def index() -> str:
    uow = unit_of_work()
    try:
        member = _member()
    except NotFound as error:
        return render_template("payments/my_unlinked.html", message=str(error))
    claims = _claims_of(member.id)
    totals = ledger.member_totals(uow, member.id)
    return render_template(
        "payments/my_index.html",
        member=member,
        claims=claims,
        titles=_titles({c.project_id for c in claims}),
        totals=totals,
        year_label=tax_year_label(totals.tax_year),
        preference=service.preference(uow, member.id),
        can_claim=bool(service.projects_of(uow, member.id)),
        labels=LABELS,
    )


@member_bp.route("/easy-read")
@requires("claim_payments")
def easy_read() -> str:
    uow = unit_of_work()
    member = _member()
    claims = _claims_of(member.id)
    totals = ledger.member_totals(uow, member.id)
    return render_template(
        "payments/my_easy_read.html",
        claims=claims,
        totals=totals,
        year_label=tax_year_label(totals.tax_year),
        labels=LABELS,
    )


def _save_choice(uow: UnitOfWork, member_id: int, claim_id: int, form: ChoiceForm) -> bool:
    """Save the choice on ``form`` (the member's, or staff's for them); a refusal goes on
    the form as its error."""
    try:
        service.choose(
            uow,
            member_id,
            claim_id,
            form.choice.data,
            lower_pence=form.lower_pence,
            charity=form.charity.data or "",
        )
    except DomainError as error:
        form.choice.errors = [str(error)]
        return False
    return True


@member_bp.route("/<int:claim_id>", methods=["GET", "POST"])
@requires("claim_payments")
def claim(claim_id: int) -> ResponseReturnValue:
    uow = unit_of_work()
    member = _member()
    found = uow.session.get(PaymentClaim, claim_id)
    if found is None or found.member_id != member.id:
        raise NotFound(f"There is no payment or claim with id {claim_id}.")
    form = ChoiceForm(prefix="choice")
    confirm = ConfirmForm(prefix="confirm")
    action = request.form.get("action")
    if request.method == "GET" and found.choice and found.kind == "fee":
        form.choice.data = found.choice
        form.charity.data = found.charity
        if found.choice == "lower":
            form.lower.data = f"{found.amount_pence / 100:.2f}"
    if (
        action == "choose"
        and form.validate_on_submit()
        and _save_choice(uow, member.id, claim_id, form)
    ):
        flash("Your choice is saved. You can change it until the payment is approved.")
        return redirect(url_for(".claim", claim_id=claim_id))
    if action == "confirm" and confirm.validate_on_submit():
        try:
            service.confirm_benefits(uow, member.id, claim_id)
        except DomainError as error:
            form.choice.errors = [str(error)]
        else:
            flash("Thank you. The payment can now be approved.")
            return redirect(url_for(".claim", claim_id=claim_id))
    receipts = list(
        uow.session.scalars(select(PaymentReceipt).where(PaymentReceipt.claim_id == claim_id))
    )
    return render_template(
        "payments/my_claim.html",
        claim=found,
        title=_titles({found.project_id}).get(found.project_id, ""),
        form=form,
        confirm=confirm,
        receipts=receipts,
        open=found.status in service.OPEN_STATUSES,
        needs_check=service.needs_benefits_check(uow, found),
        preference=service.preference(uow, member.id),
        labels=LABELS,
    )


@member_bp.route("/benefits", methods=["GET", "POST"])
@requires("claim_payments")
def benefits() -> ResponseReturnValue:
    uow = unit_of_work()
    member = _member()
    form = PreferenceForm()
    if request.method == "GET":
        current = service.preference(uow, member.id)
        form.receives_benefits.data = current.receives_benefits
        form.tell_before_paying.data = current.tell_before_paying
    if form.validate_on_submit():
        service.set_preference(
            uow, member.id, bool(form.receives_benefits.data), bool(form.tell_before_paying.data)
        )
        flash("Saved.")
        return redirect(url_for(".index"))
    return render_template("payments/my_benefits.html", form=form)


@member_bp.route("/expenses/new", methods=["GET", "POST"])
@requires("claim_payments")
def new_expense() -> ResponseReturnValue:
    uow = unit_of_work()
    member = _member()
    projects = service.projects_of(uow, member.id)
    form = ExpenseForm()
    form.project.choices = [(p.id, p.title) for p in projects]
    if form.validate_on_submit() and form.occurred_on.data is not None:
        data = service.ExpenseInput(
            project_id=form.project.data,
            expense_type=form.expense_type.data,
            occurred_on=form.occurred_on.data,
            description=form.description.data or "",
            miles=form.miles_value,
            amount_pence=form.amount_pence,
        )
        try:
            found = service.submit_expense(uow, member.id, data, form.uploads)
        except DomainError as error:
            form.expense_type.errors = [*form.expense_type.errors, str(error)]
        else:
            flash(f"Your claim for {format_pence(found.amount_pence)} is sent for approval.")
            return redirect(url_for(".claim", claim_id=found.id))
    return render_template(
        "payments/my_expense.html",
        form=form,
        projects=projects,
        pence_per_mile=service.setting(uow, "PAYMENTS_PENCE_PER_MILE"),
    )


@staff_bp.route("/receipts/<int:receipt_id>")
@signed_in
def receipt(receipt_id: int) -> ResponseReturnValue:
    """A receipt, for the member it belongs to or an approver; never from a listed folder."""
    uow = unit_of_work()
    staff = can(current_user, "approve_payments")
    member_id = None
    if can(current_user, "claim_payments"):
        member_id = _member().id
    elif not staff:
        raise NotFound(f"There is no receipt with id {receipt_id}.")
    found, path = service.receipt_for(uow, receipt_id, member_id=member_id, staff=staff)
    extension = service.receipt_files.ALLOWED_TYPES.get(found.content_type, "bin")
    if not path.is_file():
        raise NotFound(f"The file of receipt {receipt_id} is missing; ask the member for it again.")
    return Response(
        path.read_bytes(),
        mimetype=found.content_type,
        headers={"Content-Disposition": f"attachment; filename=receipt-{found.id}.{extension}"},
    )


# --- the staff's pages ----------------------------------------------------------------------


def _names(member_ids: set[int]) -> dict[int, str]:
    uow = unit_of_work()
    return {
        m.id: m.display_name
        for m in uow.session.scalars(select(Member).where(Member.id.in_(member_ids or {-1})))
    }


@staff_bp.route("/", endpoint="index")
@requires("approve_payments")
def approval_queue() -> str:
    uow = unit_of_work()
    submitted = PaymentClaim.status == "submitted"
    total = uow.session.scalar(select(func.count()).select_from(PaymentClaim).where(submitted))
    size = int(service.setting(uow, "PAYMENTS_QUEUE_PAGE_SIZE"))
    window = Window.of(requested_page(request.args), int(total or 0), size)
    waiting = list(
        uow.session.scalars(
            select(PaymentClaim)
            .where(submitted)
            .order_by(PaymentClaim.occurred_on, PaymentClaim.id)
            .offset(window.offset)
            .limit(window.size)
        )
    )
    unbatched = (PaymentClaim.status == "approved", PaymentClaim.batch_id.is_(None))
    approved_count = uow.session.scalar(
        select(func.count()).select_from(PaymentClaim).where(*unbatched)
    )
    approved = list(
        uow.session.scalars(
            select(PaymentClaim).where(*unbatched).order_by(PaymentClaim.id).limit(size)
        )
    )
    shown = waiting + approved
    service.record_staff_view(uow, "approval queue", "payment_claim", None, len(shown))
    return render_template(
        "payments/index.html",
        waiting=waiting,
        window=window,
        total=total,
        approved=approved,
        approved_count=approved_count,
        names=_names({c.member_id for c in shown}),
        titles=_titles({c.project_id for c in shown}),
        needs_second=lambda c: service.second_approval_needed(uow, c),
        labels=LABELS,
    )


@staff_bp.route("/claims/<int:claim_id>", methods=["GET", "POST"], endpoint="claim")
@requires("approve_payments")
def review_claim(claim_id: int) -> ResponseReturnValue:
    uow = unit_of_work()
    found, member, project = service.claim_with_people(uow, claim_id)
    approve = ApproveForm(prefix="approve")
    reject = RejectForm(prefix="reject")
    action = request.form.get("action")
    if action == "approve" and approve.validate_on_submit():
        try:
            outcome = service.approve(uow, claim_id, int(approve.version.data or 0))
        except DomainError as error:
            approve.submit.errors = [str(error)]
        else:
            flash(
                "Approved. It is ready for the next finance batch."
                if outcome == "approved"
                else "First approval recorded. A second, different approver must approve it too."
            )
            return redirect(url_for(".index"))
    if action == "reject" and reject.validate_on_submit():
        try:
            service.reject(uow, claim_id, int(reject.version.data or 0), reject.reason.data)
        except DomainError as error:
            reject.reason.errors = [str(error)]
        else:
            flash("Rejected. The member can see the reason.")
            return redirect(url_for(".index"))
    uow.session.refresh(found)
    approve.version.data = reject.version.data = str(found.version)
    receipts = list(
        uow.session.scalars(select(PaymentReceipt).where(PaymentReceipt.claim_id == claim_id))
    )
    first = uow.session.get(User, found.first_approver_id) if found.first_approver_id else None
    meeting = uow.session.get(Meeting, found.meeting_id) if found.meeting_id else None
    service.record_staff_view(uow, "claim", "payment_claim", found.id)
    return render_template(
        "payments/claim.html",
        claim=found,
        member=member,
        project=project,
        meeting=meeting,
        reference=batch_service.payee_reference(member.id),
        receipts=receipts,
        first=first,
        needs_second=service.second_approval_needed(uow, found),
        needs_check=service.needs_benefits_check(uow, found),
        separated=current_user.id not in (found.submitted_by_id, found.recorded_by_id),
        approve=approve,
        reject=reject,
        labels=LABELS,
    )


@staff_bp.route("/claims/<int:claim_id>/choice", methods=["GET", "POST"])
@requires("record_payment_choices")
def record_choice(claim_id: int) -> ResponseReturnValue:
    """Staff record a member's choice for them (told by phone, letter or in person)."""
    uow = unit_of_work()
    found, member, project = service.claim_with_people(uow, claim_id)
    form = ChoiceForm(prefix="choice")
    if request.method == "GET" and found.choice:
        form.choice.data, form.charity.data = found.choice, found.charity
    if form.validate_on_submit() and _save_choice(uow, member.id, claim_id, form):
        flash(
            f"{member.display_name}'s choice is recorded. Someone else must approve it, "
            "because you recorded it."
        )
        return redirect(url_for(".project", project_id=project.id))
    service.record_staff_view(uow, "payment choice", "payment_claim", claim_id)
    return render_template(
        "payments/record_choice.html",
        claim=found,
        member=member,
        project=project,
        form=form,
        open=found.status in service.OPEN_STATUSES and found.kind == "fee",
        labels=LABELS,
    )


@staff_bp.route("/projects/<int:project_id>", methods=["GET", "POST"])
@requires("view_project_payments")
def project(project_id: int) -> ResponseReturnValue:
    uow = unit_of_work()
    found = get_project(uow, project_id)
    form = ProjectPaymentsForm()
    settings = rate_service.project_payments(uow, project_id)
    may_change = can(current_user, "manage_projects")
    if request.method == "GET":
        form.budget.data = (
            f"{settings.budget_pence / 100:.2f}" if settings.budget_pence is not None else ""
        )
        form.cost_code.data = settings.cost_code
        form.own_rates.data = settings.own_rates
    if may_change and form.validate_on_submit():
        rate_service.set_project_payments(
            uow, project_id, form.budget_pence, form.cost_code.data or "", bool(form.own_rates.data)
        )
        flash("Saved.")
        return redirect(url_for(".project", project_id=project_id))
    claims = list(
        uow.session.scalars(
            select(PaymentClaim)
            .where(PaymentClaim.project_id == project_id)
            .order_by(PaymentClaim.occurred_on.desc(), PaymentClaim.id)
        )
    )
    service.record_staff_view(uow, "project payments", "project", project_id, len(claims))
    spend = ledger.project_spend(uow, project_id)
    return render_template(
        "payments/project.html",
        project=found,
        claims=claims,
        names=_names({c.member_id for c in claims}),
        spend=spend,
        settings=settings,
        rates=rate_service.rate_card(uow, project_id)
        if settings.own_rates
        else rate_service.rate_card(uow),
        form=form,
        may_change=may_change,
        labels=LABELS,
    )


def _rate_form(rate: object | None) -> RateForm:
    form = RateForm()
    if request.method == "GET" and rate is not None:
        form.label.data = rate.label  # type: ignore[attr-defined]
        for field, name in (
            (form.hourly, "hourly_pence"),
            (form.half_day, "half_day_pence"),
            (form.day, "day_pence"),
        ):
            field.data = f"{getattr(rate, name) / 100:.2f}"
        form.preparation.data = str(rate.preparation_minutes)  # type: ignore[attr-defined]
        form.source.data = rate.source  # type: ignore[attr-defined]
        form.source_date.data = rate.source_date  # type: ignore[attr-defined]
    return form


def _save_rate(form: RateForm, activity: str, project_id: int | None) -> None:
    most = service.MAX_CLAIM_PENCE
    rate_service.set_rate(
        unit_of_work(),
        rate_service.RateInput(
            activity=activity,
            label=form.label.data,
            hourly_pence=parse_pounds(form.hourly.data, "hourly rate", most),
            half_day_pence=parse_pounds(form.half_day.data, "half-day rate", most),
            day_pence=parse_pounds(form.day.data, "day rate", most),
            preparation_minutes=int(form.preparation.data),
            source=form.source.data or "",
            source_date=form.source_date.data,
        ),
        project_id,
    )


@staff_bp.route("/rates")
@requires("manage_rates")
def rates() -> str:
    return render_template("payments/rates.html", rates=rate_service.rate_card(unit_of_work()))


@staff_bp.route("/rates/<activity>", methods=["GET", "POST"])
@requires("manage_rates")
def rate(activity: str) -> ResponseReturnValue:
    uow = unit_of_work()
    found = next((r for r in rate_service.rate_card(uow) if r.activity == activity), None)
    if found is None:
        raise NotFound(f"There is no activity {activity!r} on the rate card.")
    form = _rate_form(found)
    if form.validate_on_submit():
        _save_rate(form, activity, None)
        flash(f"The rate for “{form.label.data}” is saved.")
        return redirect(url_for(".rates"))
    return render_template("payments/rate.html", form=form, rate=found, project=None)


@staff_bp.route("/projects/<int:project_id>/rates/<activity>", methods=["GET", "POST"])
@requires("manage_projects")
def project_rate(project_id: int, activity: str) -> ResponseReturnValue:
    uow = unit_of_work()
    found_project = get_project(uow, project_id)
    found = next(
        (r for r in rate_service.rate_card(uow, project_id) if r.activity == activity), None
    )
    if found is None:
        raise NotFound(f"Project {project_id} has no own rate for {activity!r}.")
    form = _rate_form(found)
    if form.validate_on_submit():
        _save_rate(form, activity, project_id)
        flash(f"The project's rate for “{form.label.data}” is saved.")
        return redirect(url_for(".project", project_id=project_id))
    return render_template("payments/rate.html", form=form, rate=found, project=found_project)


@staff_bp.route("/batches", methods=["GET", "POST"])
@requires("export_payments")
def batches() -> ResponseReturnValue:
    uow = unit_of_work()
    form = ActionForm()
    form.submit.label.text = "Make a finance batch of the approved payments"
    if form.validate_on_submit():
        try:
            batch = batch_service.create_batch(uow)
        except DomainError as error:
            form.submit.errors = [str(error)]
        else:
            flash(f"Finance batch {batch.id} is ready: download it for the finance system.")
            return redirect(url_for(".batch", batch_id=batch.id))
    waiting = list(
        uow.session.scalars(
            select(PaymentClaim).where(
                PaymentClaim.status == "approved", PaymentClaim.batch_id.is_(None)
            )
        )
    )
    found = list(uow.session.scalars(select(PaymentBatch).order_by(PaymentBatch.id.desc())))
    return render_template(
        "payments/batches.html",
        form=form,
        batches=found,
        waiting=len(waiting),
        waiting_pence=sum(c.amount_pence for c in waiting),
    )


@staff_bp.route("/batches/<int:batch_id>")
@requires("export_payments")
def batch(batch_id: int) -> str:
    uow = unit_of_work()
    found = uow.session.get(PaymentBatch, batch_id)
    if found is None:
        raise NotFound(f"There is no finance batch with id {batch_id}.")
    claims = batch_service.batch_claims(uow, batch_id)
    service.record_staff_view(uow, "finance batch", "payment_batch", batch_id, len(claims))
    return render_template(
        "payments/batch.html",
        batch=found,
        claims=claims,
        reference=batch_service.payee_reference,
        labels=LABELS,
    )


@staff_bp.route("/batches/<int:batch_id>.csv")
@requires("export_payments")
def batch_csv(batch_id: int) -> Response:
    rows = batch_service.batch_rows(unit_of_work(), batch_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(batch_service.CSV_HEADERS)
    writer.writerows(rows)
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f"attachment; filename=finance-batch-{batch_id}-"
            f"{date.today().isoformat()}.csv"
        },
    )


@staff_bp.route("/batches/<int:batch_id>/paid", methods=["GET", "POST"])
@requires("export_payments")
def batch_paid(batch_id: int) -> ResponseReturnValue:
    uow = unit_of_work()
    found = uow.session.get(PaymentBatch, batch_id)
    if found is None:
        raise NotFound(f"There is no finance batch with id {batch_id}.")
    form = ActionForm()
    form.submit.label.text = "Yes, mark the batch paid"
    if form.validate_on_submit():
        try:
            batch_service.confirm_batch_paid(uow, batch_id)
        except DomainError as error:
            form.submit.errors = [str(error)]
        else:
            flash(f"Finance batch {batch_id} is marked paid.")
            return redirect(url_for(".batch", batch_id=batch_id))
    return render_template("payments/batch_paid.html", batch=found, form=form)
