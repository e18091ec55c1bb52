"""The documented exit statuses of ``panels select`` and ``panels gap``, which agree.

0 success; 2 bad input, as click gives for its own checks, with a sentence naming the file
or value and what is wrong; 3 (select only) no panel meets the quotas.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from panels.commands.gap import gap_command
from panels.commands.select import select_command

POOL = "id,age\na,young\nb,young\nc,old\nd,old\n"
QUOTAS = "dimension,category,min,max\nage,young,1,2\nage,old,1,2\n"
PEOPLE = "sex\nFemale\nMale\nMale\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "pool.csv").write_text(POOL, encoding="utf-8")
    (tmp_path / "quotas.csv").write_text(QUOTAS, encoding="utf-8")
    (tmp_path / "people.csv").write_text(PEOPLE, encoding="utf-8")
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    (tmp_path / "latin1.csv").write_bytes("age\nm\xe9\n".encode("latin-1"))
    return tmp_path


def invoke(command: click.Command, *args: object) -> tuple[int, str]:
    result = CliRunner().invoke(command, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def select(folder: Path, *args: object, pool: str = "pool.csv", quotas: str = "quotas.csv"):
    return invoke(
        select_command, "--pool", folder / pool, "--quotas", folder / quotas, "--k", 2, *args
    )


def gap(folder: Path, *args: object, observed: str = "people.csv"):
    return invoke(gap_command, "--observed", folder / observed, *args)


def test_both_succeed_with_status_0(folder: Path) -> None:
    assert select(folder, "--seed", 1)[0] == 0
    assert gap(folder, "--target", "england-and-wales")[0] == 0


@pytest.mark.parametrize("as_json", [False, True])
def test_select_with_infeasible_quotas_exits_3(folder: Path, as_json: bool) -> None:
    (folder / "tight.csv").write_text(QUOTAS.replace("young,1,2", "young,3,3"), encoding="utf-8")
    status, output = select(folder, *(["--json"] if as_json else []), quotas="tight.csv")
    assert status == 3
    if as_json:
        assert json.loads(output)["error"] == "infeasible_quotas"
    else:
        assert "No panel can meet these quotas." in output


@pytest.mark.parametrize(
    ("command", "args"),
    [
        (select_command, ["--quotas", "q.csv", "--k", "2"]),  # no --pool
        (gap_command, ["--target", "england-and-wales"]),  # no --observed
        (select_command, ["--pool", "p.csv", "--quotas", "q.csv", "--k", "zero"]),
        (gap_command, ["--observed", "o.csv", "--target", "t", "--method", "fisher"]),
    ],
)
def test_a_usage_error_exits_2_in_both_commands(
    folder: Path, command: click.Command, args: list[str]
) -> None:
    status, output = invoke(command, *args)
    assert status == 2
    assert "Error:" in output


@pytest.mark.parametrize("command", ["select", "gap"])
def test_a_missing_file_exits_2_naming_the_file(folder: Path, command: str) -> None:
    if command == "select":
        status, output = select(folder, pool="absent.csv")
    else:
        status, output = gap(folder, "--target", "england-and-wales", observed="absent.csv")
    assert status == 2
    assert "absent.csv" in output and "does not exist" in output


@pytest.mark.parametrize(
    ("run", "message"),
    [
        (
            lambda f: select(f, quotas="empty.csv"),
            "the quotas file '{f}/empty.csv' is empty; its first line must be a header.",
        ),
        (
            lambda f: gap(f, "--target", "england-and-wales", observed="empty.csv"),
            "the observed file '{f}/empty.csv' is empty; its first line must be a header.",
        ),
        (
            lambda f: select(f, pool="latin1.csv"),
            "the pool file '{f}/latin1.csv' is not UTF-8 text.",
        ),
        (
            lambda f: gap(f, "--target", "england-and-wales", observed="latin1.csv"),
            "cannot read the observed file '{f}/latin1.csv': it is not UTF-8 text",
        ),
    ],
)
def test_a_bad_file_exits_2_with_a_sentence_naming_it_in_both_commands(
    folder: Path, run, message: str
) -> None:
    status, output = run(folder)
    assert status == 2
    assert message.format(f=folder) in " ".join(output.split())


def test_select_names_the_bad_value_in_a_quotas_file(folder: Path) -> None:
    (folder / "bad.csv").write_text(QUOTAS.replace("young,1,2", "young,one,2"), encoding="utf-8")
    status, output = select(folder, quotas="bad.csv")
    assert status == 2
    assert "Invalid value for '--quotas'" in output
    assert "has min 'one'; it must be a whole number" in output


def test_select_reports_bad_input_as_json_with_status_2(folder: Path) -> None:
    (folder / "bad.csv").write_text(QUOTAS.replace("young,1,2", "young,one,2"), encoding="utf-8")
    status, output = select(folder, "--json", quotas="bad.csv")
    assert status == 2
    document = json.loads(output)
    assert document["error"] == "invalid_input"
    assert "has min 'one'" in document["explanation"]


def test_gap_names_the_bad_value_in_a_counts_file(folder: Path) -> None:
    (folder / "counts.csv").write_text(
        "dimension,category,count\nsex,Female,2\nsex,Male,two\n", encoding="utf-8"
    )
    status, output = gap(folder, "--target", "england-and-wales", observed="counts.csv")
    assert status == 2
    assert "Invalid value for '--observed'" in output
    assert "counts.csv line 3: count 'two' of 'sex' 'Male' must be a whole number" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "nowhere.csv"], "the target file 'nowhere.csv' does not exist"),
        (["--target", "england-and-wales", "--dimension", "height"], "'height' is not in"),
        (["--target", "england-and-wales", "--area", "W06000015"], "applies only to an ONS"),
    ],
)
def test_gap_bad_target_or_dimension_exits_2(folder: Path, args: list[str], message: str) -> None:
    status, output = gap(folder, *args)
    assert status == 2
    assert message in output
