"""Members to and from CSV: one fixed format for export and import; imports are all-or-nothing.

- :mod:`.format`: the columns, spreadsheet escaping, and reading a file as a stream;
- :mod:`.planning`: checking a file row by row against the format and the register;
- :mod:`.writing`: carrying out an import in bulk, in one transaction;
- :mod:`.export`: writing the register to a file.

An export imported into an empty register exports the same bytes (with ``add_categories``
when the register it came from had local areas the new one lacks).
"""

from panels.register.member_csv.export import export_members, write_members_csv
from panels.register.member_csv.format import (
    CONSENT_COLUMNS,
    DETAIL_COLUMNS,
    FORMULA_START,
    NEEDS_COLUMNS,
    REQUIRED_COLUMNS,
    Source,
    columns,
)
from panels.register.member_csv.planning import (
    MAX_PROBLEMS,
    ImportPlan,
    ImportRefused,
    ImportRow,
    NewCategories,
    Progress,
    RowProblem,
    plan_import,
    preview_import,
)
from panels.register.member_csv.writing import REGISTER_TABLES, ImportResult, import_members

__all__ = [
    "CONSENT_COLUMNS",
    "DETAIL_COLUMNS",
    "FORMULA_START",
    "MAX_PROBLEMS",
    "NEEDS_COLUMNS",
    "REGISTER_TABLES",
    "REQUIRED_COLUMNS",
    "ImportPlan",
    "ImportRefused",
    "ImportResult",
    "ImportRow",
    "NewCategories",
    "Progress",
    "RowProblem",
    "Source",
    "columns",
    "export_members",
    "import_members",
    "plan_import",
    "preview_import",
    "write_members_csv",
]
