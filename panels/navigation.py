"""The navigation each role sees; features add their own entries here."""

from __future__ import annotations

from flask import Flask, request, url_for
from flask_login import current_user

NAVIGATION: dict[str, list[tuple[str, str]]] = {
    "member": [("Your involvement", "home.member"), ("Change password", "auth.change_password")],
    "lead": [
        ("Home", "home.lead"),
        ("People register", "register.index"),
        ("Import members", "transfer.import_members"),
        ("Export members", "transfer.export_page"),
        ("Change password", "auth.change_password"),
    ],
    "manager": [
        ("Home", "home.manager"),
        ("People register", "register.index"),
        ("Change password", "auth.change_password"),
    ],
    "admin": [
        ("Home", "home.admin"),
        ("Accounts", "admin.users"),
        ("Equality categories", "admin.categories"),
        ("Audit log", "admin.audit_log"),
        ("Change password", "auth.change_password"),
    ],
}


def init_app(app: Flask) -> None:
    @app.context_processor
    def _navigation():
        if not current_user.is_authenticated:
            return {"navigation": []}
        items = []
        for label, endpoint in NAVIGATION[current_user.role]:
            items.append(
                {"text": label, "href": url_for(endpoint), "current": request.endpoint == endpoint}
            )
        return {"navigation": items}
