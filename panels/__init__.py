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

    from panels import cli, db, errors, navigation, pagination, security
    from panels.auth.service import load_user

    db.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    navigation.init_app(app)
    cli.init_app(app)

    login_manager = LoginManager(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see that page."
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)

    from panels.admin.views import bp as admin_bp
    from panels.auth.views import bp as auth_bp
    from panels.home.views import bp as home_bp
    from panels.register.transfer import bp as transfer_bp
    from panels.register.views import bp as register_bp

    app.register_blueprint(home_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(register_bp)
    app.register_blueprint(transfer_bp)

    pagination.init_app(app)

    @app.context_processor
    def _service():
        return {"service_name": "Co-production Panels"}

    return app
