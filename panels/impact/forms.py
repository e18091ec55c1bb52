"""Forms for ladder ratings and "you said, we did"."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from models import LADDER
from panels.impact.service import PLAIN_RUNGS
from panels.projects.forms import NoControlCharacters, options


class LadderForm(FlaskForm):
    rung = RadioField(
        "Where did the work sit on the ladder of co-production?",
        widget=GovRadioInput(),
        choices=options({code: f"{label}: {PLAIN_RUNGS[code]}" for code, label in LADDER.items()}),
        validators=[InputRequired(message="Choose where the work sat on the ladder")],
    )
    comment = TextAreaField(
        "Anything you want to add (optional)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000), NoControlCharacters()],
    )
    submit = SubmitField("Save my rating", widget=GovSubmitInput())


class MemberLadderForm(LadderForm):
    rung = RadioField(
        "How did it feel to you?",
        widget=GovRadioInput(),
        choices=options(PLAIN_RUNGS),
        validators=[InputRequired(message="Choose the sentence that fits best")],
    )
    comment = TextAreaField(
        "Tell us more (you do not have to)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000), NoControlCharacters()],
    )
    submit = SubmitField("Send", widget=GovSubmitInput())


class FeedbackForm(FlaskForm):
    you_said = TextAreaField(
        "You said: what the panel said",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Say what the panel said"),
            Length(max=4000),
            NoControlCharacters(),
        ],
    )
    we_did = TextAreaField(
        "We did: what changed because of it",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=4000), NoControlCharacters()],
    )
    not_done = TextAreaField(
        "What did not change, and why",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=4000), NoControlCharacters()],
    )
    submit = SubmitField("Save as a draft", widget=GovSubmitInput())


class PublishForm(FlaskForm):
    submit = SubmitField("Publish to the panel", widget=GovSubmitInput())
