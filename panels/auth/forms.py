"""Sign-in and password forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, Field, PasswordField, StringField, SubmitField
from wtforms.validators import Email, EqualTo, InputRequired, ValidationError

from panels.auth.service import MIN_PASSWORD_LENGTH


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter your email address"),
            Email(message="Enter an email address in the correct format, like name@example.com"),
        ],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your password")],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


# Created before the new-password fields, so that forms list it first.
CURRENT_PASSWORD = PasswordField(
    "Current password",
    widget=GovPasswordInput(),
    validators=[InputRequired(message="Enter your current password")],
)


class NewPasswordFields:
    """A new password entered twice (mixed into forms that set a password)."""

    new_password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description=(
            f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words make a good one."
        ),
        validators=[InputRequired(message="Enter a new password")],
    )
    confirm_password = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message="Enter the new password again"),
            EqualTo("new_password", message="The passwords do not match"),
        ],
    )

    def validate_new_password(self, field: Field) -> None:
        if len(field.data or "") < MIN_PASSWORD_LENGTH:
            raise ValidationError(
                f"Password must be at least {MIN_PASSWORD_LENGTH} characters long"
            )


class ChangePasswordForm(NewPasswordFields, FlaskForm):
    current_password = CURRENT_PASSWORD
    submit = SubmitField("Change password", widget=GovSubmitInput())


class RequestResetForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        description="We will send a link to this address if it has an account.",
        validators=[
            InputRequired(message="Enter your email address"),
            Email(message="Enter an email address in the correct format, like name@example.com"),
        ],
    )
    submit = SubmitField("Send reset link", widget=GovSubmitInput())


class ResetPasswordForm(NewPasswordFields, FlaskForm):
    submit = SubmitField("Set new password", widget=GovSubmitInput())


class CodeForm(FlaskForm):
    """The second step of signing in: a code from the app, or a recovery code."""

    code = StringField(
        "Code",
        widget=GovTextInput(),
        description=(
            "The 6-digit code your authenticator app shows now, or one of your recovery codes."
        ),
        validators=[InputRequired(message="Enter the code from your authenticator app")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class ConfirmEnrolmentForm(FlaskForm):
    code = StringField(
        "Code from your authenticator app",
        widget=GovTextInput(),
        description="Enter the 6-digit code the app shows for Co-production Panels.",
        validators=[InputRequired(message="Enter the 6-digit code from your authenticator app")],
    )
    submit = SubmitField("Turn on two-factor authentication", widget=GovSubmitInput())


class ConfirmWithCodeForm(FlaskForm):
    """A consequential change to two-factor, confirmed with a current code."""

    code = StringField(
        "Code",
        widget=GovTextInput(),
        description=(
            "The 6-digit code your authenticator app shows now, or one of your recovery codes."
        ),
        validators=[InputRequired(message="Enter the code from your authenticator app")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())
