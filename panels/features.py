"""Features register themselves: each folder in ``panels/`` declares a :class:`Feature`.

A feature package's ``__init__.py`` defines ``feature = Feature(...)`` naming its
blueprints, navigation entries, audit actions (with the sentence the audit log shows),
permissions (with the roles that hold them) and CLI commands. Adding a feature is adding
its folder and its name to :data:`FEATURES`; nothing else in the app needs editing.

The registry built from them is the one place where permissions are mapped to roles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING, Any

from models import ROLES

if TYPE_CHECKING:
    import click
    from flask import Blueprint, Flask

    from panels.jobs.kinds import JobKind
    from panels.uow import UnitOfWork

FEATURES: tuple[str, ...] = (
    "home",
    "auth",
    "register",
    "projects",
    "members",
    "payments",
    "reports",
    "outreach",
    "impact",
    "admin",
    "erasure",
    "jobs",
    "pages",
)
"""The feature packages in ``panels/``, in the order their navigation entries appear."""


@dataclass(frozen=True)
class Permission:
    """A named thing a user may do, and the roles that may do it."""

    name: str
    description: str
    roles: frozenset[str]


@dataclass(frozen=True)
class NavItem:
    """A header link for the users who hold ``permission`` (``None``: every signed-in user)."""

    label: str
    endpoint: str
    permission: str | None = None
    order: int = 50


@dataclass(frozen=True)
class DataSection:
    """One part of a member's own data, as a titled table (for "Download my data")."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


@dataclass(frozen=True)
class Feature:
    """What one feature package adds to the application."""

    name: str
    blueprints: Callable[[], Sequence[Blueprint]] = lambda: ()
    navigation: Sequence[NavItem] = ()
    audit_actions: dict[str, str] = field(default_factory=dict)
    permissions: Sequence[Permission] = ()
    commands: Callable[[], Sequence[click.Command]] = lambda: ()
    init_app: Callable[[Flask], None] | None = None
    jobs: Callable[[], Mapping[str, JobKind]] = lambda: {}
    """The kinds of background job the feature runs (see :mod:`panels.jobs`)."""
    demo: Callable[[UnitOfWork, int], Sequence[str]] | None = None
    """Seeds the feature's demo data (``panels demo``); returns lines to print."""
    personal_data: Callable[[UnitOfWork, int], Sequence[DataSection]] | None = None
    """What the feature holds about one member (by member id), for "Download my data"."""
    erase: Callable[[UnitOfWork, int], None] | None = None
    """Anonymises what the feature holds about one member (by member id), keeping only
    what the law and audit require (see the member space's erasure)."""


def permission(name: str, description: str, *roles: str) -> Permission:
    """Declare a permission held by ``roles`` (each one of ``models.ROLES``)."""
    unknown = [role for role in roles if role not in ROLES]
    if not roles or unknown:
        raise ValueError(
            f"permission {name!r} names {unknown or 'no roles'}; valid roles are: "
            f"{', '.join(ROLES)}"
        )
    return Permission(name, description, frozenset(roles))


@dataclass(frozen=True)
class Registry:
    """Everything the features declared, checked for clashes."""

    features: tuple[Feature, ...]
    permissions: dict[str, Permission]
    audit_actions: dict[str, str]
    job_kinds: dict[str, JobKind] = field(default_factory=dict)

    @classmethod
    def of(cls, features: Iterable[Feature]) -> Registry:
        features = tuple(features)
        permissions: dict[str, Permission] = {}
        actions: dict[str, str] = {}
        job_kinds: dict[str, JobKind] = {}
        for feature in features:
            for declared in feature.permissions:
                if declared.name in permissions:
                    raise ValueError(f"permission {declared.name!r} is declared twice")
                permissions[declared.name] = declared
            for action, sentence in feature.audit_actions.items():
                if action in actions:
                    raise ValueError(f"audit action {action!r} is declared twice")
                actions[action] = sentence
            for kind, declared_kind in feature.jobs().items():
                if kind in job_kinds:
                    raise ValueError(f"job kind {kind!r} is declared twice")
                job_kinds[kind] = declared_kind
        for feature in features:
            for item in feature.navigation:
                if item.permission is not None and item.permission not in permissions:
                    raise ValueError(
                        f"navigation entry {item.label!r} of {feature.name!r} needs the "
                        f"unknown permission {item.permission!r}"
                    )
        return cls(features, permissions, actions, job_kinds)

    def roles_for(self, name: str) -> frozenset[str]:
        try:
            return self.permissions[name].roles
        except KeyError:
            raise ValueError(
                f"permission {name!r} is not declared; declared permissions are: "
                f"{', '.join(sorted(self.permissions))}"
            ) from None

    def allows(self, role: str | None, name: str) -> bool:
        return role is not None and role in self.roles_for(name)

    def navigation_for(self, role: str) -> list[NavItem]:
        items = [
            item
            for feature in self.features
            for item in feature.navigation
            if item.permission is None or self.allows(role, item.permission)
        ]
        return sorted(items, key=lambda item: item.order)

    def job_kind(self, kind: str) -> JobKind:
        try:
            return self.job_kinds[kind]
        except KeyError:
            raise ValueError(
                f"job kind {kind!r} is not declared; declared kinds are: "
                f"{', '.join(sorted(self.job_kinds)) or 'none'}"
            ) from None

    def permissions_of(self, role: str) -> list[str]:
        return sorted(name for name, p in self.permissions.items() if role in p.roles)


def load_features(names: Iterable[str] = FEATURES) -> list[Feature]:
    """Import each feature package (``panels.<name>``, or a dotted module path) and return
    its ``feature``."""
    found = []
    for name in names:
        module = import_module(name if "." in name else f"panels.{name}")
        feature: Any = getattr(module, "feature", None)
        if not isinstance(feature, Feature):
            raise TypeError(f"panels.{name} must define `feature = Feature(...)`")
        found.append(feature)
    return found


EXTENSION = "panels.features"


@cache
def default_registry() -> Registry:
    """The registry of the features in :data:`FEATURES` (built once, on first use)."""
    return Registry.of(load_features())


def build(names: Sequence[str]) -> Registry:
    """The registry for an app's ``FEATURES`` setting."""
    return default_registry() if tuple(names) == FEATURES else Registry.of(load_features(names))


def registry() -> Registry:
    """The current app's registry (its ``FEATURES`` setting), or the default one outside an app."""
    from flask import current_app, has_app_context

    if has_app_context():
        found = current_app.extensions.get(EXTENSION)
        if found is not None:
            return found
    return default_registry()
