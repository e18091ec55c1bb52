"""Reading a group of people for :func:`~representativeness.gap_report_from_counts` from CSV.

Two layouts are accepted, told apart by the header:

* a CSV of people: one row per person, one column per dimension, holding the
  person's answer (other columns are read too and may simply go unused);
* a counts CSV with the header ``dimension,category,count``: people per answer.

Target populations are read by :mod:`representativeness.target`;
:func:`read_target_csv` tells its two layouts apart. The selection's pool and
quota files are read by :mod:`representativeness.selection.io`.
"""

from __future__ import annotations

import csv
import itertools
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from representativeness.target import TargetPopulation, load_ons_custom_dataset, load_tidy_csv

__all__ = ["COUNTS_COLUMNS", "ObservedCounts", "read_observed_csv", "read_target_csv"]

#: Header of a counts CSV.
COUNTS_COLUMNS = ("dimension", "category", "count")


@dataclass(frozen=True)
class ObservedCounts:
    """People per answer per dimension, as read by :func:`read_observed_csv`.

    Attributes
    ----------
    counts : Mapping[str, Mapping[str, int]]
        For each dimension (column), people per answer, answers stripped of
        surrounding spaces; blank answers are counted under ``""``.
    layout : {"people", "counts"}
        Whether the file was a CSV of people or a counts CSV.
    """

    counts: Mapping[str, Mapping[str, int]]
    layout: Literal["people", "counts"]

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The dimensions (columns) in the file, in its order."""
        return tuple(self.counts)


def _read_rows(path: str | Path, what: str, limit: int | None = None) -> list[list[str]]:
    """The rows of a CSV file (the first `limit` only, if given), or a ValueError naming it."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(itertools.islice(csv.reader(handle), limit))
    except UnicodeDecodeError as error:
        raise ValueError(
            f"cannot read the {what} file {str(path)!r}: it is not UTF-8 text ({error})."
        ) from error
    except OSError as error:
        reason = error.strerror or str(error)
        raise ValueError(f"cannot read the {what} file {str(path)!r}: {reason}.") from error
    except csv.Error as error:
        raise ValueError(f"the {what} file {str(path)!r} is not a valid CSV: {error}.") from error
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ValueError(
            f"the {what} file {str(path)!r} is empty; its first line must be a header."
        )
    return rows


def read_observed_csv(path: str | Path) -> ObservedCounts:
    """Read a group of people from a CSV of people or a ``dimension,category,count`` CSV.

    Parameters
    ----------
    path : str or pathlib.Path
        The CSV file (UTF-8, with or without a byte order mark).

    Returns
    -------
    ObservedCounts
        People per answer per dimension. Which answers count as unknown is
        decided later, by :func:`~representativeness.gap_report_from_counts`.

    Raises
    ------
    ValueError
        The file cannot be read, is empty, repeats a column name, or (a counts
        CSV) has a count that is not a whole number of at least 0. The message
        names the file, the line and the bad value.

    Examples
    --------
    A counts CSV with the lines ``dimension,category,count``,
    ``sex,Female,7`` and ``sex,Male,5`` gives
    ``ObservedCounts(counts={"sex": {"Female": 7, "Male": 5}}, layout="counts")``.
    """
    rows = _read_rows(path, "observed")
    name = Path(path).name
    header = [h.strip() for h in rows[0]]
    tallies: dict[str, Counter[str]] = {}
    if [h.lower() for h in header] == list(COUNTS_COLUMNS):
        for line, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            dimension, category, count = (row + ["", "", ""])[:3]
            text = count.strip()
            if not text.isdigit() or not text.isascii():
                raise ValueError(
                    f"{name} line {line}: count {count!r} of {dimension.strip()!r} "
                    f"{category.strip()!r} must be a whole number of at least 0."
                )
            tallies.setdefault(dimension.strip(), Counter())[category.strip()] += int(text)
        return ObservedCounts(counts=tallies, layout="counts")
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise ValueError(
            f"the observed file {name!r} repeats the column(s) {', '.join(map(repr, repeated))}; "
            "each dimension needs one column."
        )
    for column in header:
        tallies[column] = Counter()
    for row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        padded = row + [""] * (len(header) - len(row))
        for column, cell in zip(header, padded, strict=False):
            tallies[column][cell.strip()] += 1
    return ObservedCounts(counts=tallies, layout="people")


def read_target_csv(path: str | Path, area: str | None = None) -> TargetPopulation:
    """Read a target population from a tidy CSV or an ONS custom-dataset CSV.

    Parameters
    ----------
    path : str or pathlib.Path
        A tidy CSV (``dimension,category,value,unit,source``, read by
        :func:`~representativeness.load_tidy_csv`) or an ONS "Create a custom
        dataset" CSV, recognised by its last column ``Observation`` (read by
        :func:`~representativeness.load_ons_custom_dataset`).
    area : str, optional
        Area code or name, for an ONS file holding several areas.

    Raises
    ------
    ValueError
        The file cannot be read or is not a valid target, or `area` was given
        for a tidy CSV.
    """
    header = [h.strip() for h in _read_rows(path, "target", limit=1)[0]]
    if header[-1].lower() == "observation":
        return load_ons_custom_dataset(path, area)
    if area is not None:
        raise ValueError(
            f"an area ({area!r}) applies only to an ONS custom-dataset target, and "
            f"{str(path)!r} is a tidy target CSV."
        )
    return load_tidy_csv(path)
