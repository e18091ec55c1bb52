"""Long lists shown a page at a time: which page was asked for, which rows it holds, and
links between pages that keep every filter in the address."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, request, url_for
from werkzeug.datastructures import MultiDict

from panels.errors import InvalidInput


def requested_page(args: MultiDict) -> int:
    """The page number in the query string (1 when absent or below 1)."""
    try:
        return max(1, int(args.get("page", "1")))
    except ValueError:
        raise InvalidInput(f"page {args.get('page')!r} is not a whole number") from None


@dataclass(frozen=True)
class Window:
    """Page ``page`` of ``pages`` for ``total`` rows, ``size`` a page."""

    page: int
    pages: int
    size: int

    @classmethod
    def of(cls, requested: int, total: int, size: int) -> Window:
        """The requested page, or the last one when the list has fewer pages."""
        pages = max(1, -(-total // size))
        return cls(min(requested, pages), pages, size)

    @property
    def offset(self) -> int:
        """How many rows come before this page."""
        return (self.page - 1) * self.size


def page_url(number: int) -> str:
    """The current page's URL, showing page `number`; repeated filters stay repeated."""
    if request.endpoint is None:
        raise RuntimeError("page_url needs a request that was routed to a view.")
    values: dict[str, Any] = {**(request.view_args or {}), **request.args.to_dict(flat=False)}
    values["page"] = [str(number)]
    return url_for(request.endpoint, **values)


def init_app(app: Flask) -> None:
    app.add_template_global(page_url)
