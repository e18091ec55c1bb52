"""Absolute links for messages (reset links, invitations, account set-up), built from
PANELS_BASE_URL and never from the request, whose Host header the sender chooses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def external_url(settings: Mapping[str, Any], endpoint: str, **values: Any) -> str:
    """The absolute address of ``endpoint`` under the configured base URL.

    Needs an application context (for the URL map) but no request: jobs and commands
    can call it. ``https://panels.example.org/base`` gives links such as
    ``https://panels.example.org/base/auth/reset-password/<token>``.
    """
    base = urlsplit(str(settings["PANELS_BASE_URL"]))
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
