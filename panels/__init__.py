"""Co-production Panels: the Flask application."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from panels import config as config_module

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PROJECT_ROOT / "templates"
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
STATIC_DIR = Path(__file__).resolve().parent / "static"


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: configuration, database, security, blueprints."""
    instance_path = (
        (test_config or {}).get("INSTANCE_PATH")
        or os.environ.get("PANELS_INSTANCE_PATH")
        or str(PROJECT_ROOT / "instance")
    )
    app = Flask(
        __name__,
        instance_path=instance_path,
        static_folder=str(STATIC_DIR),
    )
    app.config.from_mapping(
        config_module.load(app.instance_path, app.debug, test_config, environ=os.environ)
    )
    config_module.validate(app.config)
    unguarded = [
        r for r in config_module.STAFF_ROLES if r not in app.config["TWO_FACTOR_REQUIRED_ROLES"]
    ]
    if unguarded and not config_module.relaxed(app.config):
        app.logger.warning(
            "TWO_FACTOR_REQUIRED_ROLES leaves out %s: those accounts can sign in with a "
            "password alone",
            ", ".join(unguarded),
        )
    if app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = config_module.trusted_hosts(app.config)
    hops = int(app.config["PANELS_PROXY_HOPS"])
    if hops:
        # Behind `hops` proxies, trust that many X-Forwarded-For and -Proto values (the
        # client's address and https). The host still comes from the Host header, checked
        # against TRUSTED_HOSTS; with no proxy, forwarded headers are ignored altogether.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(TEMPLATES_DIR)),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    CSRFProtect(app)

    from panels import audit, cli, db, errors, features, navigation, pagination, security, web
    from panels.auth.service import load_user

    registry = features.build(app.config["FEATURES"])
    app.extensions[features.EXTENSION] = registry
    db.init_app(app)
    web.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    navigation.init_app(app)
    cli.init_app(app, registry)

    login_manager = LoginManager(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see that page."
    login_manager.session_protection = "strong"
    login_manager.user_loader(lambda session_id: load_user(db.session(), session_id))

    for feature in registry.features:
        for blueprint in feature.blueprints():
            app.register_blueprint(blueprint)
        if feature.init_app is not None:
            feature.init_app(app)

    pagination.init_app(app)
    app.jinja_env.globals["audit_sentence"] = audit.sentence

    @app.context_processor
    def _service() -> dict[str, str]:
        return {"service_name": "Co-production Panels"}

    return app
