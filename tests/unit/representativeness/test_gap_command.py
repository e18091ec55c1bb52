"""Tests of the ``panels gap`` command (a plain click command, run with CliRunner)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from panels.commands.gap import gap_command

from .test_target import ONS_GROUPS, ONS_HEADER

PEOPLE = (
    "id,ethnicity_5,sex,religion\n"
    + "".join(f"{i},White,Female,Christian\n" for i in range(9))
    + "9,Asian,Male,Muslim\n10,Prefer not to say,Male,No religion\n11,,Male,Not answered\n"
)


@pytest.fixture
def files(tmp_path):
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE)
    counts = tmp_path / "counts.csv"
    counts.write_text(
        "dimension,category,count\n"
        "ethnicity_5,White,9\nethnicity_5,Asian,1\nethnicity_5,Prefer not to say,1\n"
        "ethnicity_5,,1\n"
    )
    ons = tmp_path / "ons.csv"
    lines = (
        [ONS_HEADER]
        + [f'E06000001,Hartlepool,{code},"{label}",{h}' for code, label, h, _ in ONS_GROUPS]
        + [f'E08000030,Walsall,{code},"{label}",{w}' for code, label, _, w in ONS_GROUPS]
    )
    ons.write_text("\n".join(lines) + "\n")
    ons_people = tmp_path / "ons_people.csv"
    ons_people.write_text(
        "Ethnic group (20 categories)\n"
        + '"White: English, Welsh, Scottish, Northern Irish or British"\n' * 10
        + '"Asian, Asian British or Asian Welsh: Pakistani"\n' * 2
    )
    return {"people": people, "counts": counts, "ons": ons, "ons_people": ons_people}


def run(*args):
    return CliRunner().invoke(gap_command, [str(a) for a in args])


def test_table_output_for_the_builtin_target(files):
    result = run("--observed", files["people"], "--target", "england-and-wales")
    assert result.exit_code == 0, result.output
    assert "ethnicity_5: 10 of 12 people answered (2 unknown)" in result.output
    assert "sex: 12 of 12 people answered" in result.output
    assert "Short: Male needs 2 more to reach 5" in result.output
    assert "read the seat quotas" in result.output
    assert "Not answered are non-answers" in result.output


def test_json_output_has_the_library_field_names(files):
    result = run(
        "--observed",
        files["people"],
        "--target",
        "england-and-wales",
        "--dimension",
        "sex",
        "--json",
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    sex = document["dimensions"]["sex"]
    assert list(document["dimensions"]) == ["sex"]
    for field in (
        "n",
        "unknown",
        "statistic",
        "dof",
        "pvalue",
        "method",
        "effect_size",
        "dissimilarity",
        "categories",
        "shortfall",
        "coverage",
    ):
        assert field in sex
    male = next(c for c in sex["categories"] if c["category"] == "Male")
    assert (male["observed"], male["min_seats"], male["shortfall"], male["status"]) == (
        3,
        5,
        2,
        "under",
    )
    assert sex["method"] == "asymptotic"


def test_counts_file_is_accepted(files):
    result = run("--observed", files["counts"], "--target", "england-and-wales", "--json")
    assert result.exit_code == 0, result.output
    eth = json.loads(result.output)["dimensions"]["ethnicity_5"]
    assert (eth["n"], eth["unknown"], eth["method"]) == (10, 2, "exact")


def test_ons_target_with_area(files):
    result = run(
        "--observed", files["ons_people"], "--target", files["ons"], "--area", "Walsall", "--json"
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["target"]["name"] == "Walsall (E08000030), Census 2021"
    assert "Does not apply" in document["target"]["reports"][0]
    dim = document["dimensions"]["Ethnic group (20 categories)"]
    assert dim["n"] == 12 and len(dim["categories"]) == 19


def test_infinite_gap_is_null_in_json(tmp_path):
    target = tmp_path / "t.csv"
    target.write_text("dimension,category,value,unit,source\nd,a,100,percent,s\nd,b,0,percent,s\n")
    people = tmp_path / "p.csv"
    people.write_text("d\na\nb\n")
    result = run("--observed", people, "--target", target, "--json")
    assert result.exit_code == 0, result.output
    d = json.loads(result.output)["dimensions"]["d"]
    assert d["statistic"] is None and d["pvalue"] == 0.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dimension", "height"], "dimension 'height' is not in the target population"),
        (["--dimension", "height"], "valid dimensions are: ethnicity_5, sex, religion"),
        (["--dimension", "age_band"], "dimension 'age_band' is not in the observed file"),
    ],
)
def test_bad_dimension_is_a_clear_error(files, args, message):
    result = run("--observed", files["people"], "--target", "england-and-wales", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_unknown_category_is_a_clear_error(tmp_path):
    people = tmp_path / "p.csv"
    people.write_text("ethnicity_5\nWhite\nPurple\n")
    result = run("--observed", people, "--target", "england-and-wales")
    assert result.exit_code == 2
    assert "ethnicity_5 value 'Purple' is not a category of the target" in result.output
    assert "valid categories are: Asian, Black, Mixed, White, Other" in result.output
    assert isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("which", ["observed", "target"])
def test_unreadable_file_is_a_clear_error(files, tmp_path, which):
    missing = tmp_path / "missing.csv"
    observed = missing if which == "observed" else files["people"]
    target = missing if which == "target" else "england-and-wales"
    result = run("--observed", observed, "--target", target)
    assert result.exit_code == 2
    assert "missing.csv" in result.output
    assert isinstance(result.exception, SystemExit)


def test_ons_target_needs_an_area_when_it_has_several(files):
    result = run("--observed", files["ons_people"], "--target", files["ons"])
    assert result.exit_code == 2
    assert "holds 2 areas; choose one by code or name" in result.output


def test_help_documents_both_observed_formats():
    result = CliRunner().invoke(gap_command, ["--help"])
    assert result.exit_code == 0
    assert "dimension,category,count" in result.output
    assert "one row per person" in result.output
