"""The statistics core must stay free of the web and database layers."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_importing_representativeness_loads_neither_flask_nor_sqlalchemy():
    code = (
        "import sys\n"
        "import representativeness, representativeness.gap, representativeness.target\n"
        "import representativeness.io, representativeness._exact, representativeness._montecarlo\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in {'flask', 'sqlalchemy'})\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_the_gap_command_does_not_import_flask():
    # Loaded from its file, so that the application's panels/__init__.py (which
    # may well import Flask) does not run: the command module itself must not.
    code = (
        "import importlib.util, sys\n"
        "spec = importlib.util.spec_from_file_location('gap_command_module', "
        "'panels/commands/gap.py')\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "assert module.gap_command.name == 'gap'\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] == 'flask')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
