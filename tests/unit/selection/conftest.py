"""Fixtures for the selection tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from representativeness.selection.io import shared_dir

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def instances_dir() -> Path:
    """The public sortition instances; the tests fail (not skip) when missing."""
    folder = shared_dir(REPO_ROOT) / "sortition-instances"
    if not folder.is_dir():
        pytest.fail(
            f"the public sortition instances are missing: expected the folder {folder} "
            "(set PANELS_SHARED_DIR to the folder holding sortition-instances)"
        )
    return folder
