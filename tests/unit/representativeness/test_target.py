"""Tests of target populations: tidy CSV, ONS custom datasets, roll-ups, built-ins."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from representativeness import gap_report
from representativeness.target import (
    TargetPopulation,
    builtin_target,
    ethnic_group_rollup,
    load_ons_custom_dataset,
    load_tidy_csv,
    roll_up,
)

REPO = Path(__file__).resolve().parents[3]
SHARED = REPO.parent / "shared" / "reference-data"
PACKAGED = REPO / "representativeness" / "data"

ONS_HEADER = (
    "Lower tier local authorities Code,Lower tier local authorities,"
    "Ethnic group (20 categories) Code,Ethnic group (20 categories),Observation"
)
ONS_GROUPS = [
    (-8, "Does not apply", 0, 0),
    (1, "Asian, Asian British or Asian Welsh: Bangladeshi", 150, 40),
    (2, "Asian, Asian British or Asian Welsh: Chinese", 300, 80),
    (3, "Asian, Asian British or Asian Welsh: Indian", 500, 900),
    (4, "Asian, Asian British or Asian Welsh: Pakistani", 200, 1500),
    (5, "Asian, Asian British or Asian Welsh: Other Asian", 400, 300),
    (6, "Black, Black British, Black Welsh, Caribbean or African: African", 350, 600),
    (7, "Black, Black British, Black Welsh, Caribbean or African: Caribbean", 120, 700),
    (8, "Black, Black British, Black Welsh, Caribbean or African: Other Black", 60, 200),
    (9, "Mixed or Multiple ethnic groups: White and Asian", 450, 250),
    (10, "Mixed or Multiple ethnic groups: White and Black African", 200, 150),
    (11, "Mixed or Multiple ethnic groups: White and Black Caribbean", 500, 600),
    (12, "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups", 300, 200),
    (13, "White: English, Welsh, Scottish, Northern Irish or British", 85000, 70000),
    (14, "White: Irish", 400, 900),
    (15, "White: Gypsy or Irish Traveller", 120, 60),
    (16, "White: Roma", 50, 70),
    (17, "White: Other White", 2500, 4000),
    (18, "Other ethnic group: Arab", 100, 300),
    (19, "Other ethnic group: Any other ethnic group", 300, 900),
]


@pytest.fixture
def ons_csv(tmp_path):
    """An ONS custom-dataset download for two areas (made-up counts)."""
    lines = [ONS_HEADER]
    for code, label, hartlepool, _ in ONS_GROUPS:
        lines.append(f'E06000001,Hartlepool,{code},"{label}",{hartlepool}')
    for code, label, _, walsall in ONS_GROUPS:
        count = 12 if code == -8 else walsall
        lines.append(f'E08000030,Walsall,{code},"{label}",{count}')
    path = tmp_path / "custom.csv"
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_packaged_census_data_equals_the_shared_reference_files():
    # Fails (does not skip) without /work/shared: the packaged copy must be checked.
    for name in ("census2021_england_and_wales.csv", "census2021_england.csv"):
        shared = SHARED / name
        assert shared.is_file(), f"shared reference file {shared} is missing"
        assert (PACKAGED / name).read_bytes() == shared.read_bytes()


def test_builtin_england_and_wales():
    target = builtin_target()
    assert target.dimension_names == (
        "ethnicity_5",
        "sex",
        "religion",
        "age_band",
        "sexual_orientation_16plus",
    )
    assert target.date == "2021-03-21"
    assert target.reports == ()
    shares = target.shares("ethnicity_5")
    assert shares["White"] == pytest.approx(0.817)
    assert sum(shares.values()) == pytest.approx(1.0)
    sex = target.dimension("sex")
    assert sex.is_count
    assert sex.shares["Female"] == pytest.approx(30420202 / (30420202 + 29177340))
    assert any("ethnicity-facts-figures" in s for s in target.dimension("ethnicity_5").sources)


def test_builtin_unknown_name_is_an_error():
    with pytest.raises(KeyError, match="valid names are: england-and-wales, england"):
        builtin_target("scotland")


def test_unknown_dimension_names_the_valid_ones():
    with pytest.raises(KeyError, match="valid dimensions are: ethnicity_5, sex"):
        builtin_target().dimension("ethnicity_19")


def test_tidy_csv_reports_shares_that_do_not_sum_to_100(tmp_path):
    path = tmp_path / "target.csv"
    path.write_text(
        "dimension,category,value,unit,source\n"
        "eth,A,60,percent,s1\neth,B,30,percent,s1\n"
        "ok,X,50.1,percent,s2\nok,Y,50,percent,s2\n"
    )
    target = load_tidy_csv(path)
    assert len(target.reports) == 1
    assert "eth: shares sum to 90 percent, not 100" in target.reports[0]
    assert target.shares("eth") == pytest.approx({"A": 2 / 3, "B": 1 / 3})
    assert target.dimension("ok").sum_error == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("dimension,category,value\n", "lacks the column"),
        ("dimension,category,value,unit,source\nd,a,x,percent,s\n", "'x' is not a number"),
        ("dimension,category,value,unit,source\nd,a,1,furlongs,s\n", "unit 'furlongs' is not"),
        ("dimension,category,value,unit,source\nd,a,1,percent,s\nd,a,2,percent,s\n", "twice"),
        ("dimension,category,value,unit,source\nd,a,1,percent,s\nd,b,2,people,s\n", "mixes"),
    ],
)
def test_tidy_csv_errors(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        load_tidy_csv(path)


def test_unreadable_target_file_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="cannot read the target file"):
        load_tidy_csv(tmp_path / "missing.csv")


def test_ons_custom_dataset_loads_the_chosen_area_by_code_and_by_name(ons_csv):
    by_code = load_ons_custom_dataset(
        ons_csv, "E08000030", dimension_names={"Ethnic group (20 categories)": "eth"}
    )
    by_name = load_ons_custom_dataset(
        ons_csv, "walsall", dimension_names={"Ethnic group (20 categories)": "eth"}
    )
    assert by_code.dimensions == by_name.dimensions
    eth = by_code.dimension("eth")
    assert len(eth.categories) == 19
    assert "Does not apply" not in eth.categories
    pakistani = eth.categories.index("Asian, Asian British or Asian Welsh: Pakistani")
    assert eth.values[pakistani] == 1500
    assert eth.total == sum(w for code, _, _, w in ONS_GROUPS if code != -8)
    assert by_code.reports == ("eth: dropped the category 'Does not apply' (code -8, 12 people).",)
    assert by_code.name == "Walsall (E08000030), Census 2021"
    assert by_code.date == "2021-03-21"


def test_ons_custom_dataset_area_errors(ons_csv):
    with pytest.raises(ValueError, match="holds 2 areas; choose one.*E06000001 Hartlepool"):
        load_ons_custom_dataset(ons_csv)
    with pytest.raises(
        ValueError,
        match="area 'Leeds' is not in custom.csv; valid areas are: "
        "E06000001 Hartlepool, E08000030 Walsall",
    ):
        load_ons_custom_dataset(ons_csv, "Leeds")


def test_ons_custom_dataset_with_two_variables_gives_marginals(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text(
        "Regions Code,Regions,Sex (2 categories) Code,Sex (2 categories),"
        "Age (3 categories) Code,Age (3 categories),Observation\n"
        "E12000001,North East,1,Female,1,Aged 15 years and under,10\n"
        "E12000001,North East,1,Female,2,Aged 16 to 64 years,50\n"
        "E12000001,North East,1,Female,3,Aged 65 years and over,20\n"
        "E12000001,North East,2,Male,1,Aged 15 years and under,11\n"
        "E12000001,North East,2,Male,2,Aged 16 to 64 years,49\n"
        "E12000001,North East,2,Male,3,Aged 65 years and over,15\n"
    )
    target = load_ons_custom_dataset(path)
    assert target.shares("Sex (2 categories)") == pytest.approx(
        {"Female": 80 / 155, "Male": 75 / 155}
    )
    assert target.dimension("Age (3 categories)").values == (21, 99, 35)


def test_ons_custom_dataset_rejects_other_headers(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("dimension,category,value,unit,source\n")
    with pytest.raises(ValueError, match="is not an ONS custom-dataset CSV"):
        load_ons_custom_dataset(path)


def test_rollup_19_ethnic_groups_to_5(ons_csv):
    target = load_ons_custom_dataset(
        ons_csv, "E06000001", dimension_names={"Ethnic group (20 categories)": "eth"}
    )
    mapping = ethnic_group_rollup(target.dimension("eth").categories)
    rolled = target.rollup("eth", mapping, name="ethnicity_5")
    five = rolled.dimension("ethnicity_5")
    assert set(five.categories) == {"Asian", "Black", "Mixed", "White", "Other"}
    assert dict(zip(five.categories, five.values, strict=True))["Asian"] == 1550
    assert five.total == target.dimension("eth").total
    assert "eth: 19 categories rolled up into 5 as ethnicity_5." in rolled.reports


def test_rollup_errors_name_the_unmapped_categories():
    with pytest.raises(ValueError, match="categories 'b' have no roll-up"):
        roll_up({"a": 1, "b": 2}, {"a": "A"})
    with pytest.raises(ValueError, match="'Martian' does not start with"):
        ethnic_group_rollup(["Martian"])


def test_drop_categories_for_an_adult_target():
    target = builtin_target().drop_categories("age_band", ["0-14", "15-19"])
    age = target.dimension("age_band")
    assert age.categories[0] == "20-24"
    assert sum(age.shares.values()) == pytest.approx(1.0)
    with pytest.raises(KeyError, match="valid categories are"):
        target.drop_categories("age_band", ["0-17"])


def test_gap_report_over_several_dimensions_with_coverage():
    target: TargetPopulation = builtin_target()
    people = pd.DataFrame(
        {
            "ethnicity_5": ["White"] * 9 + ["Asian", "Prefer not to say", None],
            "sex": ["Female"] * 7 + ["Male"] * 4 + [""],
            "religion": ["No religion"] * 6 + ["Christian"] * 5 + ["Not answered"],
            "name": [f"person {i}" for i in range(12)],
        }
    )
    report = gap_report(people, target)
    assert list(report.analyses) == ["ethnicity_5", "sex", "religion"]
    eth = report.analyses["ethnicity_5"]
    assert (eth.n, eth.unknown) == (10, 2)
    assert report.coverage["sex"].answered == 11
    assert report.coverage["sex"].rate == pytest.approx(11 / 12)
    religion = report.analyses["religion"]
    assert religion.unknown == 1
    assert "Not answered" not in [c.category for c in religion.categories]
    assert any("Not answered" in note for note in report.notes)


def test_gap_report_errors():
    target = builtin_target()
    with pytest.raises(
        ValueError,
        match="value 'Purple' is not a category of the target; valid categories are: Asian, Black",
    ):
        gap_report(pd.DataFrame({"ethnicity_5": ["Purple"]}), target)
    with pytest.raises(KeyError, match="valid dimensions are"):
        gap_report(pd.DataFrame({"ethnicity_5": ["White"]}), target, dimensions=["height"])
    with pytest.raises(ValueError, match="none of the columns"):
        gap_report(pd.DataFrame({"height": [1]}), target)
