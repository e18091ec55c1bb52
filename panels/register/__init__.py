"""The people register: members, characteristics, consent, import and export."""

from __future__ import annotations

from typing import TYPE_CHECKING

from panels.features import DataSection, Feature, NavItem, permission

if TYPE_CHECKING:
    import click
    from flask import Blueprint

    from panels.jobs.kinds import JobKind
    from panels.uow import UnitOfWork


def _blueprints() -> tuple[Blueprint, ...]:
    from panels.register.transfer import bp as transfer_bp
    from panels.register.views import bp as register_bp

    return (register_bp, transfer_bp)


def _commands() -> tuple[click.Command, ...]:
    from panels.register.commands import members_cli

    return (members_cli,)


def _jobs() -> dict[str, JobKind]:
    from panels.register.jobs import job_kinds

    return job_kinds()


def _erase(uow: UnitOfWork, member_id: int) -> None:
    from panels.register.erasure import erase_member_details

    erase_member_details(uow, member_id)


def _personal_data(uow: UnitOfWork, member_id: int) -> list[DataSection]:
    from panels.register.personal_data import register_personal_data

    return register_personal_data(uow, member_id)


feature = Feature(
    name="register",
    personal_data=_personal_data,
    blueprints=_blueprints,
    commands=_commands,
    jobs=_jobs,
    navigation=(
        NavItem("People register", "register.index", "view_register", order=10),
        NavItem("Register in numbers", "register.summary", "view_register_summary", order=11),
        NavItem("Import members", "transfer.import_members", "import_register", order=20),
        NavItem("Export members", "transfer.export_page", "export_register", order=21),
    ),
    permissions=(
        # Leads invite people, so they see who is on the register; managers need its shape
        # (how many, and who is missing), not people's names and contact details.
        permission("view_register", "See and search the people on the register", "lead"),
        permission(
            "view_register_summary",
            "See the register in numbers, small counts protected",
            "lead",
            "manager",
        ),
        permission("edit_register", "Add and change members and record consent", "lead"),
        permission(
            "see_special_category",
            "See and search members' special-category answers (leads choose panels)",
            "lead",
        ),
        permission(
            "see_access_needs",
            "See members' communication and access needs (leads arrange support)",
            "lead",
        ),
        # Files carry special-category answers, so only those who may see them move them.
        permission("import_register", "Import members from a CSV file", "lead"),
        permission("export_register", "Export the whole register as CSV", "lead"),
        # Leads import; administrators manage the equality categories. New local areas are
        # facts about the organisation's patch that leads know, so a lead's import may add
        # them; the harmonised questions (ethnic group, religion...) are not extensible, so
        # their categories stay with administrators (manage_categories).
        permission(
            "add_categories_on_import",
            "Add new answers to extensible questions (local area) when importing members",
            "lead",
        ),
    ),
    audit_actions={
        "view_characteristics": "Viewed equality information",
        "view_access_needs": "Viewed access needs",
        "export": "Exported",
        "import": "Imported",
        "create_member": "Added a member",
        "update_member": "Changed a member",
        "consent": "Recorded consent",
    },
    erase=_erase,
)
