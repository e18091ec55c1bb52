"""The header's navigation: each feature's entries that the signed-in user's role may use."""

from __future__ import annotations

from typing import Any

from flask import Flask, request, url_for
from flask_login import current_user

from panels.features import registry


def init_app(app: Flask) -> None:
    @app.context_processor
    def _navigation() -> dict[str, list[dict[str, Any]]]:
        if not current_user.is_authenticated:
            return {"navigation": []}
        items = []
        for item in registry().navigation_for(current_user.role):
            items.append(
                {
                    "text": item.label,
                    "href": url_for(item.endpoint),
                    "current": request.endpoint == item.endpoint,
                }
            )
        return {"navigation": items}
