"""The service pages, for everyone; and the form administrators change them with."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import Field, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from panels.pages.defaults import DEFAULT_PAGES
from panels.pages.service import page_content, save_page
from panels.pages.text import bad_links, html_tags, render
from panels.security import public, requires
from panels.web import unit_of_work

bp = Blueprint("pages", __name__)


class PageForm(FlaskForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter a title"), Length(max=200)],
    )
    body = TextAreaField(
        "Page text",
        widget=GovTextArea(),
        description=(
            "Leave a blank line between paragraphs. Start a line with ## for a heading or "
            "### for a smaller one, and with - for a bulleted list. Write a link as "
            "[words](https://example.org), [words](mailto:team@example.org) or "
            "[words](/privacy)."
        ),
        validators=[InputRequired(message="Enter the page text"), Length(max=50_000)],
    )
    submit = SubmitField("Save page", widget=GovSubmitInput())

    def validate_body(self, field: Field) -> None:
        tags = html_tags(field.data or "")
        if tags:
            raise ValidationError(
                f"Page text cannot contain HTML such as {tags[0]!r}: use a blank line between "
                "paragraphs, ## for headings and - for lists"
            )
        links = bad_links(field.data or "")
        if links:
            raise ValidationError(
                f"The link address {links[0]!r} is not allowed: links must start with "
                "https://, mailto: or tel:, or be a page on this site such as /privacy"
            )


@bp.route("/<any(accessibility, privacy, contact):slug>")
@public
def show(slug: str) -> ResponseReturnValue:
    page = page_content(unit_of_work(), slug)
    return render_template("pages/show.html", page=page, body=render(page.body))


@bp.route("/admin/pages/")
@requires("edit_pages")
def manage() -> ResponseReturnValue:
    uow = unit_of_work()
    pages = [page_content(uow, slug) for slug in DEFAULT_PAGES]
    return render_template("pages/manage.html", pages=pages)


@bp.route("/admin/pages/<slug>", methods=["GET", "POST"])
@requires("edit_pages")
def edit(slug: str) -> ResponseReturnValue:
    uow = unit_of_work()
    page = page_content(uow, slug)
    form = PageForm(data={"title": page.title, "body": page.body})
    if form.validate_on_submit():
        changed = save_page(uow, slug, form.title.data, form.body.data)
        flash(f"{form.title.data.strip()} saved." if changed else "Nothing was changed.")
        return redirect(url_for("pages.show", slug=slug))
    return render_template("pages/edit.html", form=form, page=page)
