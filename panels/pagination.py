"""Links between the pages of a long list, keeping every filter in the address."""

from __future__ import annotations

from flask import Flask, request, url_for


def page_url(number: int) -> str:
    """The current page's URL, showing page `number`; repeated filters stay repeated."""
    params = request.args.to_dict(flat=False)
    params["page"] = [str(number)]
    return url_for(request.endpoint, **(request.view_args or {}), **params)


def page_count(total: int, size: int) -> int:
    return max(1, -(-total // size))


def init_app(app: Flask) -> None:
    app.add_template_global(page_url)
