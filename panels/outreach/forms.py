"""Forms for partners, outreach actions, campaign links and the public joining form."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    DateField,
    Field,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from models import CONTACT_METHODS, OUTREACH_CHANNELS
from panels.outreach.partners import EMAIL, PartnerInput
from panels.projects.forms import NoControlCharacters, options
from panels.register.members import normalise_postcode
from panels.register.taxonomy import Taxonomy
from panels.widgets import DateInput

REACH_PREFIX = "reach_"


class PartnerFormBase(FlaskForm):
    name = StringField(
        "Name of the organisation",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the organisation's name"),
            Length(max=200, message="The name must be 200 characters or fewer"),
            NoControlCharacters(),
        ],
    )
    contact_name = StringField(
        "Contact person (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200), NoControlCharacters()],
    )
    contact_email = StringField(
        "Contact email address (optional)",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=254),
            Email(message="Enter an email address in the correct format, like name@example.com"),
        ],
    )
    contact_phone = StringField(
        "Contact phone number (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=40), NoControlCharacters()],
    )
    consent_to_contact = BooleanField(
        "The organisation has agreed that we may contact it about outreach",
        widget=GovCheckboxInput(),
    )
    notes = TextAreaField(
        "Notes (optional)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=4000), NoControlCharacters()],
    )
    submit = SubmitField("Save the partner", widget=GovSubmitInput())

    def reach_fields(self) -> list[Field]:
        return [f for f in self if f.name.startswith(REACH_PREFIX)]

    def to_input(self) -> PartnerInput:
        return PartnerInput(
            name=self.name.data or "",
            contact_name=self.contact_name.data or "",
            contact_email=self.contact_email.data or "",
            contact_phone=self.contact_phone.data or "",
            reaches={f.name[len(REACH_PREFIX) :]: list(f.data or []) for f in self.reach_fields()},
            consent_to_contact=bool(self.consent_to_contact.data),
            notes=self.notes.data or "",
        )


def partner_form(taxonomy: Taxonomy, **kwargs: Any) -> PartnerFormBase:
    """A partner form with one set of checkboxes per register question: the groups it reaches."""

    class PartnerForm(PartnerFormBase):
        pass

    for dimension in taxonomy.dimensions:
        choices = [(c.code, c.label) for c in dimension.categories if not c.prefer_not_to_say]
        setattr(
            PartnerForm,
            REACH_PREFIX + dimension.key,
            SelectMultipleField(
                dimension.label,
                widget=GovCheckboxesInput(),
                choices=options(choices),
                validators=[Optional()],
            ),
        )
    return PartnerForm(**kwargs)


class ActionForm(FlaskForm):
    partner_id = HiddenField()
    dimension = HiddenField()
    category = HiddenField()
    done_on = DateField(
        "When was it done?",
        widget=DateInput(),
        format="%d %m %Y",
        description="For example, 27 3 2026",
        validators=[InputRequired(message="Enter the date it was done")],
    )
    channel = RadioField(
        "How did you reach people?",
        widget=GovRadioInput(),
        choices=options(OUTREACH_CHANNELS),
        validators=[InputRequired(message="Choose how you reached people")],
    )
    description = TextAreaField(
        "What was done",
        widget=GovTextArea(),
        description="For example: a talk at the carers' group, 20 people, leaflets left.",
        validators=[
            InputRequired(message="Say what was done"),
            Length(max=4000, message="Keep it to 4000 characters or fewer"),
            NoControlCharacters(),
        ],
    )
    submit = SubmitField("Log the outreach action", widget=GovSubmitInput())


class CampaignForm(FlaskForm):
    campaign = StringField(
        "Name of the campaign",
        widget=GovTextInput(),
        description="For example: Library stall, May 2026",
        validators=[
            InputRequired(message="Enter a name for the campaign"),
            Length(max=200, message="The name must be 200 characters or fewer"),
            NoControlCharacters(),
        ],
    )
    submit = SubmitField("Make a joining link", widget=GovSubmitInput())


class DecisionForm(FlaskForm):
    reason = TextAreaField(
        "Why not (optional, only staff see it)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000), NoControlCharacters()],
    )
    accept = SubmitField("Add them to the register", widget=GovSubmitInput())
    reject = SubmitField("Do not add them", widget=GovSubmitInput())


class JoinForm(FlaskForm):
    """The public joining form: short questions in plain words."""

    first_name = StringField(
        "First name",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter your first name"),
            Length(max=100, message="Your first name must be 100 characters or fewer"),
            NoControlCharacters(),
        ],
    )
    last_name = StringField(
        "Last name",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter your last name"),
            Length(max=100, message="Your last name must be 100 characters or fewer"),
            NoControlCharacters(),
        ],
    )
    email = StringField(
        "Email address (if you have one)",
        widget=GovTextInput(),
        validators=[Length(max=254)],
    )
    phone = StringField(
        "Phone number (if you would like a call or a text)",
        widget=GovTextInput(),
        validators=[Length(max=40), NoControlCharacters()],
    )
    address = TextAreaField(
        "Postal address (if you would like letters)",
        widget=GovTextArea(),
        validators=[Length(max=500), NoControlCharacters()],
    )
    postcode = StringField(
        "Postcode",
        widget=GovTextInput(),
        description="It helps us ask people from every area. You do not have to give it, "
        "unless you would like letters.",
        validators=[Length(max=10), NoControlCharacters()],
    )
    preferred_contact = RadioField(
        "How should we contact you?",
        widget=GovRadioInput(),
        choices=options(CONTACT_METHODS),
        validators=[InputRequired(message="Choose how we should contact you")],
    )
    help_needed = TextAreaField(
        "Is there anything that would help you take part? (optional)",
        widget=GovTextArea(),
        description="For example: Easy Read, large print, a BSL interpreter, step-free access.",
        validators=[Optional(), Length(max=2000), NoControlCharacters()],
    )
    consent_contact = BooleanField(widget=GovCheckboxInput())
    consent_selection = BooleanField(widget=GovCheckboxInput())
    consent_statistics = BooleanField(widget=GovCheckboxInput())
    consent_access_needs = BooleanField(widget=GovCheckboxInput())
    wording_contact = HiddenField()
    wording_selection = HiddenField()
    wording_statistics = HiddenField()
    wording_access_needs = HiddenField()
    website = StringField("Leave this empty")
    """The honeypot: hidden from people (and screen readers); bots fill it in."""
    submit = SubmitField("Send my request", widget=GovSubmitInput())

    def validate_email(self, field: Field) -> None:
        if self.preferred_contact.data == "email" and not field.data:
            raise ValidationError("Enter your email address, so that we can email you")
        if field.data and not EMAIL.match(field.data.strip()):
            raise ValidationError("Enter an email address like name@example.com")

    def validate_phone(self, field: Field) -> None:
        if self.preferred_contact.data in ("phone", "text") and not field.data:
            raise ValidationError("Enter your phone number, so that we can call or text you")

    def validate_address(self, field: Field) -> None:
        if self.preferred_contact.data == "post" and not (field.data or "").strip():
            raise ValidationError("Enter your postal address, so that we can write to you")

    def validate_postcode(self, field: Field) -> None:
        if self.preferred_contact.data == "post" and not field.data:
            raise ValidationError("Enter your postcode, so that we can write to you")
        if field.data and normalise_postcode(field.data) is None:
            raise ValidationError("Enter a real UK postcode, like SW1A 1AA")

    def validate_consent_contact(self, field: Field) -> None:
        if not field.data:
            raise ValidationError("Tick the box to say we may contact you. We need this to add you")
