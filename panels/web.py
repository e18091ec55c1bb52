"""The web layer's side of a unit of work: one per request, acting for the signed-in user.

Views (and only views) call :func:`unit_of_work` and hand the result to services.
"""

from __future__ import annotations

from flask import Flask, current_app, g, request
from flask_login import current_user

from panels import db
from panels.errors import InvalidInput
from panels.text import MULTI_LINE, control_character_message, find_control_character
from panels.uow import Actor, UnitOfWork

_KEY = "panels_unit_of_work"


def current_actor() -> Actor:
    if current_user and current_user.is_authenticated:
        return Actor.for_user(current_user)
    return Actor.anonymous()


def unit_of_work() -> UnitOfWork:
    """This request's unit of work (made on first use; its session closes at teardown).

    It acts for whoever is signed in when it is asked for, so after a sign-in the next
    call acts for the new user.
    """
    actor = current_actor()
    uow = g.get(_KEY)
    if uow is None or uow.actor != actor:
        uow = UnitOfWork(db.session(), actor, current_app.config)
        setattr(g, _KEY, uow)
    return uow


def refuse_control_characters() -> None:
    """Refuse a request whose query string or form holds a control character, naming the field.

    One check for every page, so no search box, filter or form field can pass a NUL byte to
    the database (PostgreSQL refuses it in text). Form fields may hold line breaks and tabs.
    """
    for source, allowed in ((request.args, ""), (request.form, MULTI_LINE)):
        for name, values in source.lists():
            for value in (name, *values):
                character = find_control_character(value, allowed)
                if character is not None:
                    raise InvalidInput(
                        f"The field {name!r} {control_character_message(character)} and try again."
                    )


def init_app(app: Flask) -> None:
    @app.before_request
    def _fresh_unit_of_work() -> None:
        g.pop(_KEY, None)
        refuse_control_characters()
