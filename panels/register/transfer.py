"""Upload a CSV of members (check, preview, confirm) and download the register as CSV.

Between the preview and the confirmation the uploaded file stays on the server, in the
instance folder under ``imports/`` with a random name; the confirmation form carries only a
signed token naming it, so a re-posted file body is never trusted. Confirming hands the
file to a background job (``import_members``, see :mod:`panels.register.jobs`) and shows
the job's page; the job deletes the file when it finishes. Unconfirmed files go after a day.
"""

from __future__ import annotations

import io
import os
import secrets
import shutil
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

from flask import Blueprint, current_app, redirect, render_template, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
)
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import BooleanField, Field, HiddenField, RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, ValidationError

from panels.jobs.service import start_job
from panels.register import member_csv
from panels.register.jobs import IMPORT_KIND, imports_folder
from panels.security import can, requires
from panels.web import unit_of_work

bp = Blueprint("transfer", __name__, url_prefix="/register")

UPLOAD_MAX_AGE_SECONDS = 24 * 60 * 60
COPY_CHUNK = 64 * 1024


class ImportForm(FlaskForm):
    file = FileField(
        "Upload a CSV file",
        widget=GovFileInput(),
        description=(
            "Save it from your spreadsheet as 'CSV UTF-8'. The first row must name the columns."
        ),
        validators=[FileRequired(message="Select a CSV file")],
    )
    mode = RadioField(
        "If someone in the file is already on the register (the same email address)",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("add", "Stop: report it as a problem and import nothing"),
            SelectChoice("update", "Replace their details, answers and consent with the file's"),
        ],
        default="add",
        validators=[InputRequired(message="Select what to do with people already on the register")],
    )
    add_categories = BooleanField(
        "Add local areas that are not on the register yet",
        widget=GovCheckboxInput(),
        description="They are listed for you to check before anything is imported. "
        "Any other answer the register does not have is still a problem.",
    )
    submit = SubmitField("Check the file", widget=GovSubmitInput())

    def validate_file(self, field: Field) -> None:
        name = field.data.filename or ""
        if not name.lower().endswith(".csv"):
            raise ValidationError(
                f"The selected file must be a CSV file; {name!r} does not end in .csv"
            )


class ConfirmImportForm(FlaskForm):
    token = HiddenField(validators=[InputRequired(message="Upload the file again")])
    submit = SubmitField("Import", widget=GovSubmitInput())

    def validate_token(self, field: Field) -> None:
        self.upload = Upload.from_token(field.data)
        if self.upload is None:
            raise ValidationError(
                "This preview has expired or has already been used; upload the file again"
            )


class ExportForm(FlaskForm):
    submit = SubmitField("Download the register as CSV", widget=GovSubmitInput())


@dataclass(frozen=True)
class Upload:
    """A file kept on the server between its preview and its import."""

    stored: str
    name: str
    update: bool
    add_categories: bool = False

    @staticmethod
    def _serializer() -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="member-import")

    @staticmethod
    def folder() -> Path:
        folder = imports_folder(current_app.config)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return folder

    @classmethod
    def keep(cls, stream: BinaryIO, name: str, update: bool, add_categories: bool) -> Upload:
        """Save an uploaded file in the instance folder, a piece at a time."""
        folder = cls.folder()
        cutoff = time.time() - UPLOAD_MAX_AGE_SECONDS
        for old in [*folder.glob("*.csv"), *folder.glob("*.job")]:
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        upload = cls(secrets.token_hex(16) + ".csv", name, update, add_categories)
        with open(upload.path, "xb", opener=_private) as out:
            shutil.copyfileobj(stream, out, COPY_CHUNK)
        return upload

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)

    @property
    def path(self) -> Path:
        return self.folder() / self.stored

    @property
    def token(self) -> str:
        return self._serializer().dumps(
            {
                "stored": self.stored,
                "name": self.name,
                "update": self.update,
                "add_categories": self.add_categories,
                "user": current_user.id,
            }
        )

    @classmethod
    def from_token(cls, token: str) -> Upload | None:
        try:
            data = cls._serializer().loads(token, max_age=UPLOAD_MAX_AGE_SECONDS)
        except BadSignature:
            return None
        if data.get("user") != current_user.id:
            return None
        upload = cls(
            data["stored"], data["name"], bool(data["update"]), bool(data.get("add_categories"))
        )
        return upload if upload.path.is_file() else None

    def hand_to_job(self) -> str:
        """Rename the file for its import job, so that this preview cannot be confirmed
        twice; returns the name the job reads (the job deletes the file)."""
        claimed = self.stored.removesuffix(".csv") + ".job"
        self.path.rename(self.folder() / claimed)
        return claimed


def _private(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)


def _preview(plan: member_csv.ImportPlan, file_name: str, confirm: ConfirmImportForm | None) -> str:
    return render_template(
        "register/transfer/preview.html", plan=plan, file_name=file_name, confirm=confirm
    )


@bp.route("/import", methods=["GET", "POST"])
@requires("import_register")
def import_members() -> ResponseReturnValue:
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("register/transfer/import.html", form=form)
    name = Path(form.file.data.filename).name
    update = form.mode.data == "update"
    add_categories = bool(form.add_categories.data) and can(
        current_user, "add_categories_on_import"
    )
    upload = Upload.keep(form.file.data.stream, name, update, add_categories)
    plan = member_csv.preview_import(
        unit_of_work(), upload.path, update, add_categories=add_categories
    )
    if plan.problems:
        upload.discard()
        return _preview(plan, name, None)
    confirm = ConfirmImportForm(formdata=None, token=upload.token)
    confirm.submit.label.text = f"Import {plan.total} {'member' if plan.total == 1 else 'members'}"
    return _preview(plan, name, confirm)


@bp.route("/import/confirm", methods=["POST"])
@requires("import_register")
def confirm_import() -> ResponseReturnValue:
    confirm = ConfirmImportForm()
    if not confirm.validate_on_submit():
        form = ImportForm(formdata=None)
        return render_template("register/transfer/import.html", form=form, expired=True), 400
    upload = confirm.upload
    # validate_token refuses the form when no upload matches the token.
    assert upload is not None
    try:
        stored = upload.hand_to_job()
    except FileNotFoundError:  # confirmed twice at once: the other request has it
        form = ImportForm(formdata=None)
        return render_template("register/transfer/import.html", form=form, expired=True), 400
    params = {
        "stored": stored,
        "name": upload.name,
        "update": upload.update,
        "add_categories": upload.add_categories,
    }
    job = start_job(unit_of_work(), IMPORT_KIND, params)
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    form = ImportForm(formdata=None)
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    size = f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 2**10} KB"
    form.file.errors = [
        f"The selected file must be smaller than {size}; split it into smaller files"
    ]
    return render_template("register/transfer/import.html", form=form), 413


@bp.route("/export")
@requires("export_register")
def export_page() -> str:
    return render_template("register/transfer/export.html", form=ExportForm())


@bp.route("/export", methods=["POST"])
@requires("export_register")
def export_members() -> ResponseReturnValue:
    form = ExportForm()
    if not form.validate_on_submit():
        return render_template("register/transfer/export.html", form=form), 400
    name = f"members-{date.today().isoformat()}.csv"
    buffer = io.BytesIO()
    # A byte-order mark, so that Excel reads accented names correctly; import skips it.
    text = io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="")
    member_csv.export_members(unit_of_work(), text, name)
    text.flush()
    text.detach()
    buffer.seek(0)
    return send_file(buffer, mimetype="text/csv", as_attachment=True, download_name=name)
