"""Reading a group of people (a CSV of people or of counts) and a target file."""

from __future__ import annotations

from pathlib import Path

import pytest

from representativeness.io import ObservedCounts, read_observed_csv, read_target_csv


def write(tmp_path: Path, text: str, name: str = "group.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_csv_of_people_is_counted_per_column(tmp_path: Path) -> None:
    path = write(tmp_path, "id,sex,age\n1, Female ,18-24\n2,Male,\n3,Male\n\n")
    observed = read_observed_csv(path)
    assert observed == ObservedCounts(
        counts={
            "id": {"1": 1, "2": 1, "3": 1},
            "sex": {"Female": 1, "Male": 2},
            "age": {"18-24": 1, "": 2},
        },
        layout="people",
    )
    assert observed.dimensions == ("id", "sex", "age")


def test_a_counts_csv_adds_up_repeated_rows_and_keeps_blank_categories(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "\ufeffDimension,Category,Count\nsex,Female,4\nsex,Male,3\nsex,Female,1\nsex,,2\n",
    )
    observed = read_observed_csv(path)
    assert observed.layout == "counts"
    assert observed.counts == {"sex": {"Female": 5, "Male": 3, "": 2}}


@pytest.mark.parametrize("count", ["two", "-1", "1.5", ""])
def test_a_bad_count_names_the_file_line_and_value(tmp_path: Path, count: str) -> None:
    path = write(tmp_path, f"dimension,category,count\nsex,Female,2\nsex,Male,{count}\n")
    with pytest.raises(
        ValueError,
        match=f"group.csv line 3: count '{count}' of 'sex' 'Male' must be a whole number of at "
        "least 0",
    ):
        read_observed_csv(path)


def test_a_repeated_column_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "sex,age,sex\nFemale,18-24,Male\n")
    with pytest.raises(ValueError, match="repeats the column\\(s\\) 'sex'; each dimension needs"):
        read_observed_csv(path)


def test_missing_and_empty_files_are_errors_naming_them(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read the observed file '.*absent.csv': No such"):
        read_observed_csv(tmp_path / "absent.csv")
    with pytest.raises(ValueError, match="the observed file '.*empty.csv' is empty"):
        read_observed_csv(write(tmp_path, "\n", "empty.csv"))


def test_read_target_csv_tells_the_two_layouts_apart(tmp_path: Path) -> None:
    tidy = write(
        tmp_path,
        "dimension,category,value,unit,source\nsex,Female,51,percent,s\nsex,Male,49,percent,s\n",
        "tidy.csv",
    )
    assert read_target_csv(tidy).shares("sex") == pytest.approx({"Female": 0.51, "Male": 0.49})
    ons = write(
        tmp_path,
        "Lower tier local authorities Code,Lower tier local authorities,Sex (2 categories) Code,"
        "Sex (2 categories),Observation\n"
        "E08000030,Walsall,1,Female,145000\nE08000030,Walsall,2,Male,140000\n",
        "ons.csv",
    )
    target = read_target_csv(ons)
    assert target.dimension_names == ("Sex (2 categories)",)
    with pytest.raises(ValueError, match="applies only to an ONS custom-dataset target"):
        read_target_csv(tidy, area="E08000030")
