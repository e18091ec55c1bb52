"""Forms for payments: the member's choice, benefits, expenses; approval; rates; batches."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from models import EXPENSE_TYPES, MAX_CLAIM_PENCE, PAYMENT_CHOICES
from panels.payments import receipts as receipt_files
from panels.payments.money import parse_pounds
from panels.projects.forms import NoControlCharacters, options
from panels.widgets import GovDateField


def _pence(field: Field, what: str, most: int = MAX_CLAIM_PENCE) -> int | None:
    if not (field.data or "").strip():
        return None
    try:
        return parse_pounds(field.data, what, most)
    except ValueError as error:
        raise ValidationError(str(error)) from None


class ChoiceForm(FlaskForm):
    choice = RadioField(
        "How would you like to receive this payment?",
        widget=GovRadioInput(),
        choices=options(PAYMENT_CHOICES),
        validators=[InputRequired(message="Choose how you would like to receive this payment")],
    )
    charity = StringField(
        "Name of the charity",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200), NoControlCharacters()],
    )
    lower = StringField(
        "The lower amount you would like, in pounds",
        widget=GovTextInput(),
        description="For example, 20.00",
        validators=[Optional()],
    )
    submit = SubmitField("Save my choice", widget=GovSubmitInput())

    def validate_charity(self, field: Field) -> None:
        if self.choice.data == "donation" and not (field.data or "").strip():
            raise ValidationError("Write the name of the charity you would like us to pay")

    def validate_lower(self, field: Field) -> None:
        if self.choice.data == "lower":
            if not (field.data or "").strip():
                raise ValidationError("Enter the lower amount you would like, like 20.00")
            _pence(field, "lower amount")

    @property
    def lower_pence(self) -> int | None:
        return _pence(self.lower, "lower amount") if self.choice.data == "lower" else None


class PreferenceForm(FlaskForm):
    receives_benefits = BooleanField(
        "I receive benefits", widget=GovCheckboxInput(), validators=[Optional()]
    )
    tell_before_paying = BooleanField(
        "Tell me before anything is paid, so I can check it will not affect my benefits",
        widget=GovCheckboxInput(),
        validators=[Optional()],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    submit = SubmitField("I have read this and I still want this payment", widget=GovSubmitInput())


class ExpenseForm(FlaskForm):
    project = SelectField("Which project was it for?", widget=GovSelect(), coerce=int)
    expense_type = RadioField(
        "What are you claiming for?",
        widget=GovRadioInput(),
        choices=options(EXPENSE_TYPES),
        validators=[InputRequired(message="Choose what you are claiming for")],
    )
    occurred_on = GovDateField("Date of the journey or cost", error_name="The date")
    miles = StringField(
        "Miles driven there and back (for car mileage)",
        widget=GovTextInput(),
        description="Whole miles, for example 12",
        validators=[Optional()],
    )
    amount = StringField(
        "Amount spent, in pounds (for everything except mileage)",
        widget=GovTextInput(),
        description="For example, 8.40",
        validators=[Optional()],
    )
    description = TextAreaField(
        "What was it for? (optional)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000), NoControlCharacters()],
    )
    receipts = MultipleFileField(
        "Receipts (photos or PDFs)",
        widget=GovFileInput(),
        description="Needed for taxis, care or support costs and other costs.",
        render_kw={"multiple": True, "accept": "image/*,application/pdf"},
    )
    submit = SubmitField("Send my claim", widget=GovSubmitInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.uploads: list[receipt_files.Upload] = []

    def validate_occurred_on(self, field: Field) -> None:
        if field.data is None and not field.errors:
            raise ValidationError("Enter the date of the journey or cost")

    def validate_miles(self, field: Field) -> None:
        if self.expense_type.data != "mileage":
            return
        raw = (field.data or "").strip()
        if not raw.isdigit() or not 0 < int(raw) <= 2000:
            raise ValidationError(
                f"Enter the miles as a whole number from 1 to 2,000; {raw or 'nothing'!r} is not"
            )

    def validate_amount(self, field: Field) -> None:
        if self.expense_type.data in (None, "mileage"):
            return
        if not (field.data or "").strip():
            raise ValidationError("Enter the amount you spent, like 8.40")
        _pence(field, "amount")

    def validate_receipts(self, field: Field) -> None:
        most = int(current_app.config.get("PAYMENTS_RECEIPT_MAX_BYTES", 5 * 1024 * 1024))
        self.uploads = []
        for item in field.data or []:
            if not getattr(item, "filename", ""):
                continue
            try:
                self.uploads.append(receipt_files.read_upload(item.stream, item.filename, most))
            except ValueError as error:
                raise ValidationError(str(error)) from None

    @property
    def miles_value(self) -> int | None:
        raw = (self.miles.data or "").strip()
        return int(raw) if self.expense_type.data == "mileage" and raw.isdigit() else None

    @property
    def amount_pence(self) -> int | None:
        return None if self.expense_type.data == "mileage" else _pence(self.amount, "amount")


class ApproveForm(FlaskForm):
    version = HiddenField()
    submit = SubmitField("Approve", widget=GovSubmitInput())


class RejectForm(FlaskForm):
    version = HiddenField()
    reason = TextAreaField(
        "Reason (the member sees this)",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Give the reason, so that the member knows why"),
            Length(max=2000),
            NoControlCharacters(),
        ],
    )
    submit = SubmitField("Reject", widget=GovSubmitInput())


class ActionForm(FlaskForm):
    submit = SubmitField("Continue", widget=GovSubmitInput())


class RateForm(FlaskForm):
    label = StringField(
        "Activity", widget=GovTextInput(), validators=[InputRequired(), Length(max=200)]
    )
    hourly = StringField("Per hour, in pounds", widget=GovTextInput(), validators=[InputRequired()])
    half_day = StringField(
        "Half day (from 3 hours), in pounds", widget=GovTextInput(), validators=[InputRequired()]
    )
    day = StringField(
        "Day (from 5 hours; the most for one day), in pounds",
        widget=GovTextInput(),
        validators=[InputRequired()],
    )
    preparation = StringField(
        "Usual preparation time, in minutes", widget=GovTextInput(), validators=[InputRequired()]
    )
    source = TextAreaField(
        "Where the figures come from",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000), NoControlCharacters()],
    )
    source_date = GovDateField("Date of the figures", error_name="The date of the figures")
    submit = SubmitField("Save the rate", widget=GovSubmitInput())

    def validate_hourly(self, field: Field) -> None:
        _pence(field, "hourly rate")

    def validate_half_day(self, field: Field) -> None:
        _pence(field, "half-day rate")

    def validate_day(self, field: Field) -> None:
        _pence(field, "day rate")

    def validate_preparation(self, field: Field) -> None:
        raw = (field.data or "").strip()
        if not raw.isdigit() or int(raw) > 1440:
            raise ValidationError(
                f"Enter the preparation time as whole minutes from 0 to 1440; {raw!r} is not"
            )


class ProjectPaymentsForm(FlaskForm):
    budget = StringField(
        "Budget for payments, in pounds (optional)",
        widget=GovTextInput(),
        validators=[Optional()],
    )
    cost_code = StringField(
        "Cost code for the finance system",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=40), NoControlCharacters()],
    )
    own_rates = BooleanField(
        "This project sets its own rates (instead of the organisation's rate card)",
        widget=GovCheckboxInput(),
        validators=[Optional()],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_budget(self, field: Field) -> None:
        _pence(field, "budget", MAX_CLAIM_PENCE * 100)

    @property
    def budget_pence(self) -> int | None:
        return _pence(self.budget, "budget", MAX_CLAIM_PENCE * 100)
