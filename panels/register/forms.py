"""Forms for adding and changing members; equality questions are built from the taxonomy."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    EmailField,
    Field,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, Optional, ValidationError

from models import (
    ACCESS_NEEDS,
    CONSENT_METHODS,
    CONSENT_PURPOSES,
    CONTACT_METHODS,
    JOINED_VIA,
    MEMBER_STATUSES,
)
from panels.register.members import SIMPLE_FIELDS, MemberInput
from panels.register.taxonomy import Taxonomy
from panels.widgets import GovDateField

DIMENSION_PREFIX = "dim_"

RECORDED_METHODS = {k: v for k, v in CONSENT_METHODS.items() if k != "import"}
"""How staff can say a member told them (an import records its own method)."""


def options(pairs: dict[str, str] | Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs or a mapping."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(value, label) for value, label in items]


class MemberFormBase(FlaskForm):
    first_name = StringField(
        "First name",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter a first name"), Length(max=100)],
    )
    last_name = StringField(
        "Last name",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter a last name"), Length(max=100)],
    )
    preferred_name = StringField(
        "Preferred name (optional)",
        widget=GovTextInput(),
        description="What they like to be called, if different.",
        validators=[Optional(), Length(max=100)],
    )
    date_of_birth = GovDateField(
        "Date of birth (optional)",
        error_name="Date of birth",
        description="For example, 27 3 1961. We use it to work out their age band.",
    )
    email = EmailField(
        "Email address (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=254)]
    )
    phone = StringField(
        "Phone number (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=40)]
    )
    address = TextAreaField(
        "Postal address (optional)", widget=GovTextArea(), validators=[Optional()]
    )
    postcode = StringField(
        "Postcode (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=10)]
    )
    preferred_contact = RadioField(
        "How would they like us to contact them?",
        widget=GovRadioInput(),
        choices=options(CONTACT_METHODS),
        validators=[Optional()],
    )
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=options(MEMBER_STATUSES),
        default="active",
        validators=[InputRequired(message="Choose a status")],
    )
    paused_until = GovDateField(
        "Paused until (optional)",
        error_name="The pause end date",
        description="Only for paused members. Leave blank if the pause has no end date.",
    )
    joined_via = SelectField(
        "How did they join?",
        widget=GovSelect(),
        choices=options(JOINED_VIA),
        default="staff",
    )
    referred_by = StringField(
        "Partner organisation that referred them (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
    )
    access_needs = SelectMultipleField(
        "Communication and access needs",
        widget=GovCheckboxesInput(),
        description="Choose all that apply. We only keep these if they agree to it (see consent).",
        choices=options(ACCESS_NEEDS),
        validators=[Optional()],
    )
    access_needs_notes = TextAreaField(
        "Anything else that would help them take part (optional)",
        widget=GovCharacterCount(),
        validators=[Optional(), Length(max=2000)],
    )
    preferred_times = StringField(
        "Times that suit them best (optional)",
        widget=GovTextInput(),
        description="For example, weekday mornings.",
        validators=[Optional(), Length(max=500)],
    )
    consents = SelectMultipleField(
        "What have they agreed to?",
        widget=GovCheckboxesInput(),
        description="Each is separate. They can change their mind at any time.",
        choices=options(CONSENT_PURPOSES),
        validators=[Optional()],
    )
    consent_method = RadioField(
        "How did they tell us?",
        widget=GovRadioInput(),
        default="online",
        choices=options(RECORDED_METHODS),
        validators=[InputRequired(message="Choose how they told us")],
    )
    submit = SubmitField("Save member", widget=GovSubmitInput())

    def validate_paused_until(self, field: Field) -> None:
        if field.data and self.status.data != "paused":
            raise ValidationError("Only give a pause end date for a paused member")

    def dimension_fields(self) -> list[Field]:
        return [field for name, field in self._fields.items() if name.startswith(DIMENSION_PREFIX)]

    def to_input(self, taxonomy: Taxonomy) -> MemberInput:
        answers: dict[str, list[str]] = {}
        for dimension in taxonomy.answerable:
            value = getattr(self, DIMENSION_PREFIX + dimension.key).data
            if value:
                answers[dimension.key] = list(value) if isinstance(value, list) else [value]
        return MemberInput(
            first_name=self.first_name.data or "",
            last_name=self.last_name.data or "",
            preferred_name=self.preferred_name.data,
            email=self.email.data,
            phone=self.phone.data,
            address=self.address.data,
            postcode=self.postcode.data,
            preferred_contact=self.preferred_contact.data or None,
            date_of_birth=self.date_of_birth.data,
            status=self.status.data,
            paused_until=self.paused_until.data,
            joined_via=self.joined_via.data,
            referred_by=self.referred_by.data,
            access_needs=list(self.access_needs.data or []),
            access_needs_notes=self.access_needs_notes.data,
            preferred_times=self.preferred_times.data,
            answers=answers,
            consents={p: p in (self.consents.data or []) for p in CONSENT_PURPOSES},
        )

    def fill_from(self, data: MemberInput) -> None:
        for name in SIMPLE_FIELDS:
            getattr(self, name).data = getattr(data, name)
        self.access_needs.data = list(data.access_needs)
        self.consents.data = [p for p, given in data.consents.items() if given]
        for key, codes in data.answers.items():
            field = getattr(self, DIMENSION_PREFIX + key, None)
            if field is not None:
                field.data = list(codes) if isinstance(field, SelectMultipleField) else codes[0]

    def field_for_problem(self, problem_field: str) -> Field | None:
        if problem_field in self._fields:
            return self._fields[problem_field]
        return self._fields.get(DIMENSION_PREFIX + problem_field)


def member_form(taxonomy: Taxonomy, **kwargs: Any) -> MemberFormBase:
    """A member form with one question per answerable dimension of the taxonomy."""

    class MemberForm(MemberFormBase):
        pass

    for dimension in taxonomy.answerable:
        choices = options((c.code, c.label) for c in dimension.categories)
        hint = f"{dimension.why_asked}".strip()
        if dimension.multiple:
            field = SelectMultipleField(
                dimension.question,
                widget=GovCheckboxesInput(),
                choices=choices,
                description=hint,
                validators=[Optional()],
            )
        else:
            field = RadioField(
                dimension.question,
                widget=GovRadioInput(),
                choices=choices,
                description=hint,
                validators=[Optional()],
                validate_choice=False,
            )
        setattr(MemberForm, DIMENSION_PREFIX + dimension.key, field)
    return MemberForm(**kwargs)


class ConsentChangeForm(FlaskForm):
    """Give or withdraw one consent, from the page that confirms it."""

    purpose = HiddenField(validators=[InputRequired(), AnyOf(list(CONSENT_PURPOSES))])
    given = HiddenField(validators=[InputRequired(), AnyOf(["yes", "no"])])
    method = RadioField(
        "How did they tell us?",
        widget=GovRadioInput(),
        choices=options(RECORDED_METHODS),
        validators=[InputRequired(message="Choose how they told us")],
    )
