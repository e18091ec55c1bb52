"""Forms for the project journey."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    DateField,
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from models import PROJECT_LEVELS, PROJECT_STATUSES
from panels.projects.service import BUILTIN_TARGETS, ProjectInput
from panels.text import MULTI_LINE, control_character_message, find_control_character
from panels.widgets import DateInput


def options(pairs: dict[str, str] | Iterable[tuple[str, str]]) -> list[SelectChoice]:
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(value, label) for value, label in items]


class NoControlCharacters:
    """Refuse text with control characters, naming the field."""

    def __call__(self, form: FlaskForm, field: Field) -> None:
        character = find_control_character(field.data or "", MULTI_LINE)
        if character is not None:
            raise ValidationError(f"{field.label.text} {control_character_message(character)}")


class ProjectForm(FlaskForm):
    title = StringField(
        "Project title",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter a title for the project"),
            Length(max=200, message="The title must be 200 characters or fewer"),
            NoControlCharacters(),
        ],
    )
    purpose = TextAreaField(
        "What the project is for",
        widget=GovCharacterCount(),
        description="In plain words, as you would explain it to someone invited onto the panel.",
        validators=[
            InputRequired(message="Say in plain words what the project is for"),
            Length(max=2000, message="Keep the purpose to 2000 characters or fewer"),
            NoControlCharacters(),
        ],
    )
    level = RadioField(
        "At what level is the co-production?",
        widget=GovRadioInput(),
        choices=options(PROJECT_LEVELS),
        validators=[InputRequired(message="Choose the level of the co-production")],
    )
    service = StringField(
        "The service or policy it concerns (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200), NoControlCharacters()],
    )
    first_meeting = DateField(
        "Date of the first meeting (optional)",
        widget=DateInput(),
        format="%d %m %Y",
        description="For example, 27 3 2027",
        validators=[Optional()],
    )
    decision_date = DateField(
        "When decisions are made (optional)",
        widget=DateInput(),
        format="%d %m %Y",
        description="The date by which the panel's views must be in. For example, 30 6 2027",
        validators=[Optional()],
    )
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=options(PROJECT_STATUSES),
        default="planning",
        validators=[InputRequired(message="Choose the project's status")],
    )
    submit = SubmitField("Save and continue", widget=GovSubmitInput())

    def validate_decision_date(self, field: Field) -> None:
        if field.data and self.first_meeting.data and field.data < self.first_meeting.data:
            raise ValidationError(
                "The date decisions are made must be on or after the first meeting"
            )

    def to_input(self) -> ProjectInput:
        return ProjectInput(
            title=self.title.data or "",
            purpose=self.purpose.data or "",
            level=self.level.data or "",
            service=self.service.data or "",
            first_meeting=self.first_meeting.data,
            decision_date=self.decision_date.data,
            status=self.status.data or "planning",
        )


class BuiltinTargetForm(FlaskForm):
    builtin = RadioField(
        "Which figures?",
        widget=GovRadioInput(),
        choices=options(BUILTIN_TARGETS),
        default="england-and-wales",
        validators=[InputRequired(message="Choose the built-in figures to use")],
    )
    submit = SubmitField("Use these figures", widget=GovSubmitInput())


class TargetFileForm(FlaskForm):
    kind = RadioField(
        "What kind of file is it?",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("ons", "A download from the ONS “Create a custom dataset” service"),
            SelectChoice("tidy", "A CSV with the columns dimension, category, value, unit, source"),
        ],
        default="ons",
        validators=[InputRequired(message="Choose what kind of file it is")],
    )
    area = StringField(
        "Area code or name (for an ONS file with several areas)",
        widget=GovTextInput(),
        description="For example, E08000035 or Leeds",
        validators=[Optional(), Length(max=200), NoControlCharacters()],
    )
    file = FileField(
        "Upload the file",
        widget=GovFileInput(),
        validators=[FileRequired(message="Select a CSV file")],
    )
    submit = SubmitField("Use this file", widget=GovSubmitInput())

    def validate_file(self, field: Field) -> None:
        name = field.data.filename or ""
        if not name.lower().endswith(".csv"):
            raise ValidationError(
                f"The selected file must be a CSV file; {name!r} does not end in .csv"
            )


class ChooseDimensionsForm(FlaskForm):
    dimensions = SelectMultipleField(
        "Which characteristics matter for this project?",
        widget=GovCheckboxesInput(),
        description="The panel gets a quota for each one. Choose the ones the decision most "
        "depends on: each one added makes the lottery less free to give everyone an equal chance.",
        validators=[InputRequired(message="Choose at least one characteristic")],
    )
    submit = SubmitField("Save and continue", widget=GovSubmitInput())


class ManualSharesForm(FlaskForm):
    source = StringField(
        "Where the figures come from",
        widget=GovTextInput(),
        description="For example: people using the day service, service records, March 2026",
        validators=[
            InputRequired(message="Say where the figures come from"),
            Length(max=300),
            NoControlCharacters(),
        ],
    )
    submit = SubmitField("Save these shares", widget=GovSubmitInput())


class EligibilityForm(FlaskForm):
    submit = SubmitField("Save who is eligible", widget=GovSubmitInput())


class ExcludeForm(FlaskForm):
    member_id = IntegerField(
        "Register number of the person to leave out",
        widget=GovTextInput(),
        description="It is on their page in the register.",
        validators=[InputRequired(message="Enter the person's register number")],
    )
    reason = StringField(
        "Why (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=500), NoControlCharacters()],
    )
    submit = SubmitField("Leave them out", widget=GovSubmitInput(), render_kw={})


class SizeForm(FlaskForm):
    panel_size = IntegerField(
        "How many people should be on the panel?",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the number of people on the panel"),
            NumberRange(min=1, max=500, message="The panel must have 1 to 500 people"),
        ],
    )
    tolerance = IntegerField(
        "Tolerance: how many people each quota may be off its exact share",
        widget=GovTextInput(),
        description="0 asks for the exact share rounded up or down; 1 allows one person more "
        "or fewer, which gives the lottery more room to be fair.",
        default=1,
        validators=[
            InputRequired(message="Enter the tolerance, 0 or more"),
            NumberRange(min=0, max=500, message="The tolerance must be 0 or more"),
        ],
    )
    new_voices = IntegerField(
        "New voices: at least what percentage of the panel should not have served on a panel "
        "in the last 24 months? (optional)",
        widget=GovTextInput(),
        description="For example, 50. Leave it empty for no such quota.",
        validators=[
            Optional(),
            NumberRange(min=1, max=100, message="The share of new voices must be 1 to 100%"),
        ],
    )
    submit = SubmitField("Propose quotas", widget=GovSubmitInput())


class QuotaTableForm(FlaskForm):
    submit = SubmitField("Save quotas", widget=GovSubmitInput())


class ActionForm(FlaskForm):
    """A single button (accept a relaxation, check feasibility, remove an exclusion)."""

    target = HiddenField()
    submit = SubmitField("Continue", widget=GovSubmitInput())


class DrawForm(FlaskForm):
    submit = SubmitField("Draw the panel", widget=GovSubmitInput())


class RedrawForm(FlaskForm):
    reason = TextAreaField(
        "Why does the panel need to be drawn again?",
        widget=GovTextArea(),
        description="This is kept beside the first draw, and shown wherever the panel is. "
        "A redraw is for a mistake in the set-up (the wrong pool or quotas), not for getting "
        "different people.",
        validators=[
            InputRequired(message="Give the reason for drawing again"),
            Length(max=500, message="Keep the reason to 500 characters or fewer"),
            NoControlCharacters(),
        ],
    )
    submit = SubmitField("Draw again", widget=GovSubmitInput())


class MeetingForm(FlaskForm):
    held_on = DateField(
        "Date of the meeting",
        widget=DateInput(),
        format="%d %m %Y",
        description="For example, 27 3 2027",
        validators=[InputRequired(message="Enter the date of the meeting")],
    )
    title = StringField(
        "What the meeting was (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200), NoControlCharacters()],
    )
    # The kinds of activity come from the payments rate card (the view sets the choices).
    activity = RadioField(
        "Kind of activity",
        widget=GovRadioInput(),
        description="Each person who came is paid at the rate for this kind of activity.",
        validators=[InputRequired(message="Choose the kind of activity")],
        default="panel_meeting",
    )
    preparation_minutes = IntegerField(
        "Preparation time paid to everyone who came, in minutes",
        widget=GovTextInput(),
        default=0,
        validators=[
            InputRequired(message="Enter the preparation time in minutes, like 60 (or 0)"),
            NumberRange(min=0, max=1440, message="Preparation time must be 0 to 1440 minutes"),
        ],
    )
    submit = SubmitField("Record the meeting", widget=GovSubmitInput())
