"""Domain errors, and the one place that turns them and HTTP errors into plain-language pages."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A use case could not be carried out; the message is shown to the user."""

    status_code = 400


class NotFound(DomainError):
    status_code = 404


class NotAllowed(DomainError):
    status_code = 403


class InvalidInput(DomainError):
    status_code = 400


ERROR_PAGES = {
    400: ("There is a problem with your request", "Go back, check what you entered and try again."),
    403: (
        "You cannot see this page",
        "Your account does not give you access to this page. If you think it should, "
        "contact the person who runs co-production in your organisation.",
    ),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("That did not work", "This page cannot be used like that. Go back and try again."),
    429: ("Too many attempts", "Wait a few minutes, then try again."),
    500: (
        "Sorry, there is a problem with the service",
        "Try again later. Nothing you entered was saved.",
    ),
}


def _render(status: int, detail: str | None = None) -> tuple[str, int]:
    title, body = ERROR_PAGES.get(status, ERROR_PAGES[500 if status >= 500 else 400])
    return render_template(
        "error.html", status=status, title=title, body=body, detail=detail
    ), status


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> tuple[str, int]:
        return _render(error.status_code, str(error))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> HTTPException | tuple[str, int]:
        if error.code is None or error.code < 400:
            return error
        detail = error.description if error.code == 400 else None
        return _render(error.code, detail)

    @app.errorhandler(500)
    def _server_error(_error: Exception) -> tuple[str, int]:
        return _render(500)
