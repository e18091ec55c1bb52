"""The page a member reaches from their invitation link: no account needed, works once."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from panels.errors import InvalidInput
from panels.projects import invitations
from panels.projects.forms import NoControlCharacters
from panels.security import public
from panels.web import unit_of_work

bp = Blueprint("invitation", __name__, url_prefix="/invitation")


class AnswerForm(FlaskForm):
    choice = RadioField(
        "Would you like to be on the panel?",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("accept", "Yes, I would like to take part"),
            SelectChoice("decline", "No, thank you"),
            SelectChoice("question", "I have a question first"),
        ],
        validators=[InputRequired(message="Choose yes, no, or that you have a question")],
    )
    reason = TextAreaField(
        "If you are saying no, you can tell us why (you do not have to)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000), NoControlCharacters()],
    )
    question = TextAreaField(
        "Your question",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000), NoControlCharacters()],
    )
    submit = SubmitField("Send my answer", widget=GovSubmitInput())


@bp.route("/<token>", methods=["GET", "POST"])
@public
def answer(token: str) -> ResponseReturnValue:
    uow = unit_of_work()
    try:
        invitation = invitations.invitation_for_token(uow, token)
    except InvalidInput as error:
        return render_template("projects/answer_used.html", message=str(error)), 400
    project = invitations.get_project(uow, invitation.project_id)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            status = invitations.answer(
                uow,
                invitation.id,
                form.choice.data,
                reason=form.reason.data or "",
                question=form.question.data or "",
            )
        except InvalidInput as error:
            form.choice.errors = [str(error)]
        else:
            return render_template(
                "projects/answer_done.html",
                project=project,
                status=status,
                choice=form.choice.data,
                again=url_for(".answer", token=token) if form.choice.data == "question" else None,
            )
    return render_template(
        "projects/answer.html", project=project, invitation=invitation, form=form
    )
