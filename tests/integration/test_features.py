"""Features register themselves: blueprint, navigation, audit actions, permissions, commands."""

from __future__ import annotations

import textwrap

import click
import pytest

from panels.features import FEATURES, Feature, NavItem, Registry, load_features, permission


def test_every_feature_package_declares_a_feature():
    features = load_features()
    assert [f.name for f in features] == list(FEATURES)


def test_permissions_are_mapped_to_roles_in_one_registry():
    registry = Registry.of(load_features())
    assert registry.allows("lead", "see_special_category")
    assert not registry.allows("manager", "see_special_category")
    assert registry.allows("manager", "view_register_summary")
    assert not registry.allows("manager", "view_register")  # counts, not people
    assert not registry.allows("member", "view_register")
    with pytest.raises(ValueError, match="'fly' is not declared"):
        registry.roles_for("fly")


def test_a_permission_must_name_real_roles():
    with pytest.raises(ValueError, match="valid roles are: member, lead, manager, admin"):
        permission("x", "y", "superuser")


def test_clashing_declarations_are_refused():
    one = Feature("one", audit_actions={"do": "Did"})
    two = Feature("two", audit_actions={"do": "Did again"})
    with pytest.raises(ValueError, match="audit action 'do' is declared twice"):
        Registry.of([one, two])
    lost = Feature("lost", navigation=(NavItem("Lost", "lost.index", "nonexistent"),))
    with pytest.raises(ValueError, match="unknown permission 'nonexistent'"):
        Registry.of([lost])


def test_a_new_feature_folder_plugs_in_without_editing_any_other_file(
    migrated_database, tmp_path, monkeypatch, make_user
):
    """A feature written only in its own package: its page, menu entry, audit action and
    command all appear once its name is in the features list."""
    package = tmp_path / "panels_extra" / "greetings"
    package.mkdir(parents=True)
    (package.parent / "__init__.py").write_text("")
    (package / "__init__.py").write_text(
        textwrap.dedent(
            """
            import click
            from flask import Blueprint

            from panels.features import Feature, NavItem, permission
            from panels.security import requires

            bp = Blueprint("greetings", __name__, url_prefix="/greetings")


            @bp.route("/")
            @requires("greet")
            def index():
                return "Hello from a new feature"


            @click.command("greet")
            def greet_command():
                click.echo("greetings")


            feature = Feature(
                name="greetings",
                blueprints=lambda: (bp,),
                navigation=(NavItem("Greetings", "greetings.index", "greet", order=40),),
                permissions=(permission("greet", "Be greeted", "manager"),),
                audit_actions={"greet": "Was greeted"},
                commands=lambda: (greet_command,),
            )
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    from tests.conftest import TEST_PASSWORD, make_test_app

    app = make_test_app(
        migrated_database,
        str(tmp_path / "instance"),
        FEATURES=(*FEATURES, "panels_extra.greetings"),  # the one line a feature adds
    )
    manager, lead = make_user("manager"), make_user("lead")
    client = app.test_client()
    client.post("/auth/sign-in", data={"email": manager.email, "password": TEST_PASSWORD})
    assert client.get("/greetings/").get_data(as_text=True) == "Hello from a new feature"
    assert 'href="/greetings/"' in client.get("/manager/").get_data(as_text=True)
    other = app.test_client()
    other.post("/auth/sign-in", data={"email": lead.email, "password": TEST_PASSWORD})
    assert other.get("/greetings/").status_code == 403
    assert 'href="/greetings/"' not in other.get("/lead/").get_data(as_text=True)
    assert "greet" in app.cli.commands
    assert isinstance(app.cli.commands["greet"], click.Command)
    from panels import audit

    with app.app_context():
        assert audit.sentence("greet") == "Was greeted"
    from panels.db import database

    database(app).dispose()
