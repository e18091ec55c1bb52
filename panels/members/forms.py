"""Forms for the member pages: plain words, one question a page where it helps."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    Field,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import AnyOf, InputRequired, Length, Optional, ValidationError

from models import ACCESS_NEEDS, CONTACT_METHODS, TIMES_OF_DAY, WEEKDAYS
from panels.auth.forms import NewPasswordFields
from panels.projects.forms import NoControlCharacters
from panels.register.forms import options
from panels.register.members import normalise_postcode
from panels.register.taxonomy import DimensionInfo
from panels.widgets import GovDateField


class SetUpAccountForm(NewPasswordFields, FlaskForm):
    submit = SubmitField("Set up my account", widget=GovSubmitInput())


class ContactForm(FlaskForm):
    preferred_name = StringField(
        "The name you like to be called (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=100), NoControlCharacters()],
    )
    phone = StringField(
        "Phone number (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=40), NoControlCharacters()],
    )
    address = TextAreaField(
        "Address (optional)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=500), NoControlCharacters()],
    )
    postcode = StringField(
        "Postcode (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=10), NoControlCharacters()],
    )
    preferred_contact = RadioField(
        "How do you like us to contact you?",
        widget=GovRadioInput(),
        choices=options(CONTACT_METHODS),
        validators=[InputRequired(message="Choose how you like us to contact you")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_postcode(self, field: Field) -> None:
        if field.data and normalise_postcode(field.data) is None:
            raise ValidationError(f"{field.data!r} is not a UK postcode. Write it like SW1A 1AA.")


class AccessNeedsForm(FlaskForm):
    needs = SelectMultipleField(
        "What helps you take part?",
        widget=GovCheckboxesInput(),
        description="Choose all that help you. You can choose none.",
        choices=options(ACCESS_NEEDS),
        validators=[Optional()],
    )
    notes = TextAreaField(
        "Anything else that helps you (optional)",
        widget=GovCharacterCount(),
        validators=[Optional(), Length(max=2000), NoControlCharacters()],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class AvailabilityForm(FlaskForm):
    submit = SubmitField("Save", widget=GovSubmitInput())


for _code, _day in WEEKDAYS.items():
    setattr(
        AvailabilityForm,
        _code,
        SelectMultipleField(
            _day,
            widget=GovCheckboxesInput(),
            choices=options(TIMES_OF_DAY),
            validators=[Optional()],
        ),
    )


def availability_fields(form: AvailabilityForm) -> list[Field]:
    return [getattr(form, code) for code in WEEKDAYS]


class AwayForm(FlaskForm):
    starts_on = GovDateField(
        "First day you are away",
        error_name="The first day",
        validators=[InputRequired(message="Enter the first day you are away")],
        description="For example, 27 3 2027",
    )
    ends_on = GovDateField(
        "Last day you are away",
        error_name="The last day",
        validators=[InputRequired(message="Enter the last day you are away")],
        description="For example, 3 4 2027",
    )
    submit = SubmitField("Add these dates", widget=GovSubmitInput())

    def validate_ends_on(self, field: Field) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError("The last day must be the same as or after the first day")


class ConfirmForm(FlaskForm):
    """A button that confirms (the page above it says what will happen)."""


class ConsentForm(FlaskForm):
    given = HiddenField(validators=[InputRequired(), AnyOf(["yes", "no"])])


ON_BEHALF_METHODS = {"phone": "Phone", "in_person": "In person", "paper": "Paper form"}


class OnBehalfConsentForm(ConsentForm):
    method = RadioField(
        "How did they tell you?",
        widget=GovRadioInput(),
        choices=options(ON_BEHALF_METHODS),
        validators=[InputRequired(message="Choose how they told you")],
    )


def answer_form(dimension: DimensionInfo) -> FlaskForm:
    """The form for one equality question, from the taxonomy (radios, or checkboxes)."""

    class AnswerForm(FlaskForm):
        submit = SubmitField("Save", widget=GovSubmitInput())

    choices = options((c.code, c.label) for c in dimension.categories)
    message = "Choose an answer, or Prefer not to say"
    field: Field
    if dimension.multiple:
        field = SelectMultipleField(
            dimension.question,
            widget=GovCheckboxesInput(),
            description="Choose all that apply.",
            choices=choices,
            validators=[InputRequired(message=message)],
        )
    else:
        field = RadioField(
            dimension.question,
            widget=GovRadioInput(),
            choices=choices,
            validators=[InputRequired(message=message)],
        )
    AnswerForm.answer = field
    return AnswerForm()
