"""Projects and panels: the engagement lead's journey from a project to a confirmed panel."""

from panels.features import Feature, NavItem, permission


def _blueprints():
    from panels.projects.views import bp

    return (bp,)


def _commands():
    from panels.projects.commands import draw_cli

    return (draw_cli,)


feature = Feature(
    name="projects",
    blueprints=_blueprints,
    navigation=(NavItem("Projects", "projects.index", "view_projects", order=5),),
    permissions=(
        permission("view_projects", "See projects and their panels", "lead", "manager"),
        permission("manage_projects", "Create projects and build their panels", "lead"),
        permission("draw_panels", "Draw panels by lottery and draw replacements", "lead"),
    ),
    audit_actions={
        "create_project": "Started a project",
        "update_project": "Changed a project",
        "set_target": "Set a project's target population",
        "set_eligibility": "Changed who is eligible for a project",
        "set_quotas": "Set a project's panel size and quotas",
        "draw": "Drew a panel",
        "verify_draw": "Replayed a draw to check it",
    },
    commands=_commands,
)
