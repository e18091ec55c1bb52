"""The ``panels select`` command."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from panels.commands.select import select_command

POOL = """id,age,gender,household
a,18-24,f,h1
b,18-24,m,h1
c,25-64,f,
d,25-64,m,
e,65+,f,
f,65+,m,
g,25-64,f,
"""
QUOTAS = """dimension,category,min,max
age,18-24,1,2
age,25-64,1,2
age,65+,1,2
gender,f,2,2
gender,m,2,2
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    pool = tmp_path / "pool.csv"
    quotas = tmp_path / "quotas.csv"
    pool.write_text(POOL, encoding="utf-8")
    quotas.write_text(QUOTAS, encoding="utf-8")
    return str(pool), str(quotas)


def test_json_output(files: tuple[str, str]) -> None:
    pool, quotas = files
    result = CliRunner().invoke(
        select_command, ["--pool", pool, "--quotas", quotas, "--k", "4", "--seed", "11", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["panel"]) == 4
    assert data["seed"] == 11 and data["algorithm"] == "leximin"
    assert data["method"] == "relaxation"
    assert sum(data["probabilities"].values()) == pytest.approx(4)
    assert data["min_probability"] == pytest.approx(0.5)
    assert 0 <= data["gini"] < 1
    again = CliRunner().invoke(
        select_command, ["--pool", pool, "--quotas", quotas, "--k", "4", "--seed", "11", "--json"]
    )
    assert json.loads(again.output)["panel"] == data["panel"]


def test_text_output_and_households(files: tuple[str, str]) -> None:
    pool, quotas = files
    result = CliRunner().invoke(
        select_command,
        [
            "--pool",
            pool,
            "--quotas",
            quotas,
            "--k",
            "4",
            "--household-column",
            "household",
            "--algorithm",
            "maximin",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Panel of 4 (maximin, seed" in result.output
    assert "minimum" in result.output and "Gini" in result.output


def test_infeasible_quotas(files: tuple[str, str], tmp_path: Path) -> None:
    pool, _ = files
    bad = tmp_path / "bad.csv"
    bad.write_text(QUOTAS.replace("age,18-24,1,2", "age,18-24,3,4"), encoding="utf-8")
    result = CliRunner().invoke(
        select_command, ["--pool", pool, "--quotas", str(bad), "--k", "4", "--json"]
    )
    assert result.exit_code != 0
    data = json.loads(result.output)
    assert data["error"] == "infeasible_quotas"
    assert "at least 3 people with age = 18-24, but only 2 in the pool" in data["explanation"]
    rows = {(r["dimension"], r["category"]): (r["min"], r["max"]) for r in data["suggested_quotas"]}
    assert rows[("age", "18-24")] == (2, 4)
    text = CliRunner().invoke(select_command, ["--pool", pool, "--quotas", str(bad), "--k", "4"])
    assert text.exit_code != 0
    assert "age,18-24,2,4" in text.output


def test_bad_quota_file(files: tuple[str, str], tmp_path: Path) -> None:
    pool, _ = files
    bad = tmp_path / "bad.csv"
    bad.write_text("dimension,category,min,max\nage,18-24,one,2\n", encoding="utf-8")
    result = CliRunner().invoke(select_command, ["--pool", pool, "--quotas", str(bad), "--k", "4"])
    assert result.exit_code == 2
    assert "has min 'one'; it must be a whole number" in result.output


def test_command_does_not_import_flask() -> None:
    source = Path(__file__).resolve().parents[3] / "panels" / "commands" / "select.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    names = {
        a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    names |= {
        (n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
    }
    assert "flask" not in names
    assert select_command.name == "select"


def test_a_time_limit_gives_a_draw_marked_as_not_fully_leximin(tmp_path: Path) -> None:
    # a pool whose relaxation's LEXIMIN is no mixture of panels: column generation runs,
    # and the budget stops it after MAXIMIN (see test_relaxation.py)
    from .test_bruteforce import random_instance

    pool, quotas, k, household_column, _ = random_instance(2, households=True)
    pool_file, quotas_file = tmp_path / "pool.csv", tmp_path / "quotas.csv"
    pool.to_csv(pool_file, index=False)
    rows = [f"{d},{c},{lo},{hi}" for d, cats in quotas.items() for c, (lo, hi) in cats.items()]
    quotas_file.write_text("dimension,category,min,max\n" + "\n".join(rows) + "\n")
    args = ["--pool", str(pool_file), "--quotas", str(quotas_file), "--k", str(k), "--seed", "2"]
    args += ["--household-column", str(household_column)]
    stopped = CliRunner().invoke(select_command, [*args, "--time-limit", "0", "--json"])
    assert stopped.exit_code == 0, stopped.output
    data = json.loads(stopped.output)
    assert data["complete"] is False and data["leximin_levels_fixed"] >= 1
    assert data["method"] == "column_generation"
    text = CliRunner().invoke(select_command, [*args, "--time-limit", "0"])
    assert "The time limit stopped LEXIMIN after" in text.output
    full = json.loads(CliRunner().invoke(select_command, [*args, "--json"]).output)
    assert full["complete"] is True and full["leximin_levels_fixed"] > data["leximin_levels_fixed"]
    assert data["min_probability"] == pytest.approx(full["min_probability"], abs=1e-6)
