"""Target populations: the shares a group of people should reflect.

A :class:`TargetPopulation` holds, per dimension (for example ``ethnicity_5``),
the share or count of each category, with the population's name, source and
date. Load one from a tidy CSV (:func:`load_tidy_csv`), from the CSV that ONS
"Create a custom dataset" downloads for Census 2021
(:func:`load_ons_custom_dataset`), or use a built-in example
(:func:`builtin_target`).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

__all__ = [
    "BUILTIN_TARGETS",
    "CENSUS_DAY",
    "TargetDimension",
    "TargetPopulation",
    "builtin_target",
    "ethnic_group_rollup",
    "load_ons_custom_dataset",
    "load_tidy_csv",
    "roll_up",
]

#: Census 2021 was taken on this day in England and Wales.
CENSUS_DAY = "2021-03-21"

TIDY_COLUMNS = ("dimension", "category", "value", "unit", "source")
SHARE_UNITS = {"percent": 100.0, "proportion": 1.0}
COUNT_UNIT_PREFIXES = ("people", "count")

#: Built-in example populations: name -> (data file, description).
BUILTIN_TARGETS = {
    "england-and-wales": (
        "census2021_england_and_wales.csv",
        "England and Wales, Census 2021, usual residents",
    ),
    "england": ("census2021_england.csv", "England, Census 2021, usual residents"),
}

#: The five high-level ethnic groups of Census 2021, keyed by the text before
#: the colon in the ONS 19-group labels.
_ETHNIC_GROUP_PREFIXES = {
    "asian, asian british or asian welsh": "Asian",
    "black, black british, black welsh, caribbean or african": "Black",
    "mixed or multiple ethnic groups": "Mixed",
    "white": "White",
    "other ethnic group": "Other",
}


@dataclass(frozen=True)
class TargetDimension:
    """The categories of one dimension of a target population.

    Attributes
    ----------
    name : str
        Dimension name, such as ``"ethnicity_5"``.
    categories : tuple of str
        Category labels, in the source's order.
    values : tuple of float
        Value per category as published (a percentage, a proportion or a count).
    unit : str
        ``"percent"``, ``"proportion"`` or a count unit (``"people"``,
        ``"people (rounded to 100)"``, ``"count"``).
    sources : tuple of str
        Where the figures come from (distinct sources, in order).
    """

    name: str
    categories: tuple[str, ...]
    values: tuple[float, ...]
    unit: str
    sources: tuple[str, ...] = ()

    @property
    def is_count(self) -> bool:
        """Whether the values are counts of people (rather than shares)."""
        return self.unit.strip().lower().startswith(COUNT_UNIT_PREFIXES)

    @property
    def total(self) -> float:
        """Sum of the values as published."""
        return math.fsum(self.values)

    @property
    def sum_error(self) -> float:
        """How far a share dimension's total is from 100% (in its own unit); 0 for counts."""
        if self.is_count:
            return 0.0
        return self.total - SHARE_UNITS[self.unit.strip().lower()]

    @property
    def shares(self) -> dict[str, float]:
        """Normalised shares (summing to 1), whatever the unit."""
        total = self.total
        return {c: v / total for c, v in zip(self.categories, self.values, strict=True)}


@dataclass(frozen=True)
class TargetPopulation:
    """A population that a group of people should reflect.

    Attributes
    ----------
    name : str
        Name of the population, such as ``"England and Wales, Census 2021"``.
    source : str
        Where the figures come from (each dimension also lists its own sources).
    date : str
        Reference date of the figures (ISO 8601 where known).
    dimensions : tuple of TargetDimension
        The dimensions, in order.
    reports : tuple of str
        Sentences about anything done to or found in the figures on loading
        (categories dropped, shares that do not sum to 100%).
    """

    name: str
    source: str
    date: str
    dimensions: tuple[TargetDimension, ...]
    reports: tuple[str, ...] = ()

    @property
    def dimension_names(self) -> tuple[str, ...]:
        """Names of the dimensions, in order."""
        return tuple(d.name for d in self.dimensions)

    def dimension(self, name: str) -> TargetDimension:
        """Return one dimension, or raise ``KeyError`` naming the valid ones."""
        for dimension in self.dimensions:
            if dimension.name == name:
                return dimension
        raise KeyError(
            f"dimension {name!r} is not in the target population {self.name!r}; "
            f"valid dimensions are: {', '.join(self.dimension_names)}"
        )

    def shares(self, name: str) -> dict[str, float]:
        """Normalised shares of one dimension's categories."""
        return self.dimension(name).shares

    def _replace_dimension(self, old: str, new: TargetDimension, report: str) -> TargetPopulation:
        dims = tuple(new if d.name == old else d for d in self.dimensions)
        return replace(self, dimensions=dims, reports=(*self.reports, report))

    def rollup(
        self, dimension: str, mapping: Mapping[str, str], *, name: str | None = None
    ) -> TargetPopulation:
        """Merge categories through `mapping` (old category -> new category).

        Every category of `dimension` must be in `mapping`. Values are summed, so
        the new dimension keeps the unit; `name` renames the dimension.
        """
        old = self.dimension(dimension)
        values = roll_up(dict(zip(old.categories, old.values, strict=True)), mapping)
        new = TargetDimension(
            name=name or dimension,
            categories=tuple(values),
            values=tuple(values.values()),
            unit=old.unit,
            sources=old.sources,
        )
        report = (
            f"{dimension}: {len(old.categories)} categories rolled up into {len(values)}"
            + (f" as {name}" if name and name != dimension else "")
            + "."
        )
        return self._replace_dimension(dimension, new, report)

    def drop_categories(self, dimension: str, categories: Iterable[str]) -> TargetPopulation:
        """Leave categories out of a dimension (the remaining shares are renormalised).

        Use it, for example, to drop ``"0-14"`` and ``"15-19"`` for an adults-only
        target, or ``"Not answered"``.
        """
        old = self.dimension(dimension)
        drop = list(categories)
        unknown = [c for c in drop if c not in old.categories]
        if unknown:
            raise KeyError(
                f"{', '.join(map(repr, unknown))} not a category of {dimension!r}; "
                f"valid categories are: {', '.join(old.categories)}"
            )
        keep = [(c, v) for c, v in zip(old.categories, old.values, strict=True) if c not in drop]
        if not keep:
            raise ValueError(f"dropping {', '.join(drop)} would leave {dimension!r} empty.")
        unit = old.unit
        if not old.is_count:
            unit = "proportion"
            total = math.fsum(v for _, v in keep)
            keep = [(c, v / total) for c, v in keep]
        new = replace(
            old, categories=tuple(c for c, _ in keep), values=tuple(v for _, v in keep), unit=unit
        )
        return self._replace_dimension(
            dimension, new, f"{dimension}: dropped {', '.join(drop)} (shares renormalised)."
        )


def roll_up(values: Mapping[str, float], mapping: Mapping[str, str]) -> dict[str, float]:
    """Sum values (counts or shares) per new category through `mapping`.

    Parameters
    ----------
    values : Mapping[str, float]
        Value per original category.
    mapping : Mapping[str, str]
        New category of each original category.

    Returns
    -------
    dict
        Summed value per new category, in order of first appearance.

    Raises
    ------
    ValueError
        If a category of `values` is not in `mapping`.
    """
    missing = [c for c in values if c not in mapping]
    if missing:
        raise ValueError(
            f"categories {', '.join(map(repr, missing))} have no roll-up; "
            f"the mapping covers: {', '.join(mapping)}."
        )
    out: dict[str, float] = {}
    for category, value in values.items():
        new = mapping[category]
        out[new] = out.get(new, 0) + value
    return out


def ethnic_group_rollup(categories: Iterable[str]) -> dict[str, str]:
    """Map Census 2021 ethnic group labels (19 groups) to the 5 high-level groups.

    ONS labels have the form ``"<high-level group>: <group>"``, for example
    ``"Asian, Asian British or Asian Welsh: Indian"``; the text before the colon
    decides the group (Asian, Black, Mixed, White or Other). Labels that already
    are one of the five groups map to themselves.

    Raises
    ------
    ValueError
        If a label's high-level group is not one of the five.
    """
    mapping: dict[str, str] = {}
    five = {v.lower(): v for v in _ETHNIC_GROUP_PREFIXES.values()}
    for category in categories:
        prefix = category.split(":", 1)[0].strip().lower()
        group = _ETHNIC_GROUP_PREFIXES.get(prefix) or five.get(prefix)
        if group is None:
            raise ValueError(
                f"ethnic group {category!r} does not start with one of the Census 2021 "
                f"high-level groups; valid prefixes are: "
                f"{'; '.join(p.capitalize() for p in _ETHNIC_GROUP_PREFIXES)}."
            )
        mapping[category] = group
    return mapping


# --------------------------------------------------------------------------- loaders


def _read_rows(path: str | Path) -> tuple[list[str], list[list[str]]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"cannot read the target file {str(path)!r}: {error}.") from error
    if not rows:
        raise ValueError(f"the target file {str(path)!r} is empty.")
    return [h.strip() for h in rows[0]], rows[1:]


def _parse_number(text: str, where: str) -> float:
    try:
        value = float(text.replace(",", "").strip())
    except ValueError:
        raise ValueError(f"{where}: value {text!r} is not a number.") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{where}: value {text!r} must be a finite number of 0 or more.")
    return value


def _check_sums(dimensions: Iterable[TargetDimension], tolerance: float) -> list[str]:
    reports = []
    for dim in dimensions:
        if dim.is_count:
            continue
        scale = SHARE_UNITS[dim.unit.strip().lower()]
        if abs(dim.sum_error) > tolerance * scale / 100:
            shown = f"{dim.total:g}" + (" percent" if scale == 100 else "")
            reports.append(
                f"{dim.name}: shares sum to {shown}, not {scale:g}"
                f"{' percent' if scale == 100 else ''} (tolerance {tolerance:g} percentage "
                "points); they were normalised, but check the figures."
            )
    return reports


@dataclass
class _Rows:
    """The rows of one dimension of a tidy CSV, while reading it."""

    unit: str
    categories: list[str] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def load_tidy_csv(
    path: str | Path,
    *,
    name: str | None = None,
    source: str | None = None,
    date: str = "",
    tolerance: float = 0.5,
) -> TargetPopulation:
    """Load a target population from a tidy CSV.

    Parameters
    ----------
    path : str or Path
        CSV with header ``dimension,category,value,unit,source``: one row per
        category, `unit` ``percent``, ``proportion`` or a count of people
        (``people``, ``people (rounded to 100)``, ``count``).
    name, source, date : str, optional
        Describe the population; `name` defaults to the file name and `source`
        to the distinct sources of the rows.
    tolerance : float, default 0.5
        Percentage points by which a share dimension may miss 100% (rounding by
        the publisher) before it is reported in :attr:`TargetPopulation.reports`.

    Returns
    -------
    TargetPopulation

    Raises
    ------
    ValueError
        Unreadable file, missing columns, a value that is not a number, an
        unknown unit, mixed units in a dimension or a repeated category.

    Notes
    -----
    Shares are always normalised to sum to 1 (see
    :attr:`TargetDimension.shares`); a dimension whose published shares miss
    100% by more than `tolerance` is reported, not silently fixed.
    """
    header, rows = _read_rows(path)
    missing = [c for c in TIDY_COLUMNS if c not in header]
    if missing:
        raise ValueError(
            f"the target file {str(path)!r} lacks the column(s) {', '.join(missing)}; "
            f"a tidy target CSV has the columns {','.join(TIDY_COLUMNS)} "
            f"(found: {','.join(header)})."
        )
    col = {c: header.index(c) for c in TIDY_COLUMNS}
    grouped: dict[str, _Rows] = {}
    for line, row in enumerate(rows, start=2):
        row = row + [""] * (len(header) - len(row))
        dim, category, unit, src = (
            row[col[c]].strip() for c in ("dimension", "category", "unit", "source")
        )
        where = f"{Path(path).name} line {line}"
        if not dim or not category:
            raise ValueError(f"{where}: dimension and category must not be blank.")
        value = _parse_number(row[col["value"]], where)
        unit_key = unit.lower()
        if unit_key not in SHARE_UNITS and not unit_key.startswith(COUNT_UNIT_PREFIXES):
            raise ValueError(
                f"{where}: unit {unit!r} is not valid; valid units are: percent, proportion, "
                "people (or any unit starting with 'people' or 'count')."
            )
        entry = grouped.setdefault(dim, _Rows(unit))
        if entry.unit != unit:
            raise ValueError(f"{where}: dimension {dim!r} mixes units {entry.unit!r} and {unit!r}.")
        if category in entry.categories:
            raise ValueError(f"{where}: category {category!r} of {dim!r} appears twice.")
        entry.categories.append(category)
        entry.values.append(value)
        if src and src not in entry.sources:
            entry.sources.append(src)
    if not grouped:
        raise ValueError(f"the target file {str(path)!r} has no rows.")
    dimensions = []
    for dim, entry in grouped.items():
        if math.fsum(entry.values) <= 0:
            raise ValueError(f"dimension {dim!r} has values summing to 0.")
        dimensions.append(
            TargetDimension(
                name=dim,
                categories=tuple(entry.categories),
                values=tuple(entry.values),
                unit=entry.unit,
                sources=tuple(entry.sources),
            )
        )
    all_sources = list(dict.fromkeys(s for d in dimensions for s in d.sources))
    return TargetPopulation(
        name=name or Path(path).stem,
        source=source or "; ".join(all_sources),
        date=date,
        dimensions=tuple(dimensions),
        reports=tuple(_check_sums(dimensions, tolerance)),
    )


def load_ons_custom_dataset(
    path: str | Path,
    area: str | None = None,
    *,
    dimension_names: Mapping[str, str] | None = None,
    name: str | None = None,
    date: str = CENSUS_DAY,
) -> TargetPopulation:
    """Load one area from a CSV downloaded from ONS "Create a custom dataset" (Census 2021).

    Parameters
    ----------
    path : str or Path
        CSV with columns ``<Area type> Code, <Area type>, <Variable> Code,
        <Variable>, Observation`` (more variables add more code/label pairs),
        for example ``Lower tier local authorities Code,Lower tier local
        authorities,Ethnic group (20 categories) Code,Ethnic group (20
        categories),Observation``.
    area : str, optional
        Area code (such as ``E06000001``) or name (case-insensitive). May be
        omitted when the file holds one area.
    dimension_names : Mapping[str, str], optional
        New names for the variables, such as
        ``{"Ethnic group (20 categories)": "ethnicity_20"}``.
    name : str, optional
        Name of the population; defaults to the area name.
    date : str, default "2021-03-21"
        Reference date (Census day).

    Returns
    -------
    TargetPopulation
        One dimension per variable, with counts of people (unit ``"people"``).
        With several variables each dimension is that variable's total over
        the others.

    Raises
    ------
    ValueError
        Unreadable file, a header not of the ONS form, an area not in the
        file (the message lists the areas), or an observation that is not a
        number.

    Notes
    -----
    Rows of the "Does not apply" category (code -8) are dropped and the number
    of people dropped is recorded in :attr:`TargetPopulation.reports`. ONS
    perturbs custom-dataset cells for disclosure control, so totals may differ
    slightly from published tables.
    """
    header, rows = _read_rows(path)
    shape_ok = (
        len(header) >= 5
        and len(header) % 2 == 1
        and header[-1].lower() == "observation"
        and all(
            header[i].endswith(" Code") and header[i][: -len(" Code")] == header[i + 1]
            for i in range(0, len(header) - 1, 2)
        )
    )
    if not shape_ok:
        raise ValueError(
            f"{str(path)!r} is not an ONS custom-dataset CSV: expected the columns "
            "'<Area type> Code,<Area type>,<Variable> Code,<Variable>,Observation', "
            f"found {','.join(header)!r}."
        )
    areas: dict[str, str] = {}
    for row in rows:
        areas.setdefault(row[0].strip(), row[1].strip())
    if area is None:
        if len(areas) != 1:
            raise ValueError(
                f"{Path(path).name} holds {len(areas)} areas; choose one by code or name: "
                + _list_areas(areas)
            )
        code = next(iter(areas))
    else:
        wanted = area.strip().casefold()
        matches = [c for c, n in areas.items() if wanted in (c.casefold(), n.casefold())]
        if not matches:
            raise ValueError(
                f"area {area!r} is not in {Path(path).name}; valid areas are: " + _list_areas(areas)
            )
        code = matches[0]
    area_name = areas[code]
    renames = dict(dimension_names or {})
    dimensions = []
    reports = []
    for v in range(2, len(header) - 1, 2):
        variable = header[v + 1]
        values: dict[str, float] = {}
        dropped = 0.0
        for line, row in enumerate(rows, start=2):
            if row[0].strip() != code:
                continue
            count = _parse_number(row[-1], f"{Path(path).name} line {line}")
            if row[v].strip() == "-8":
                dropped += count
                continue
            label = row[v + 1].strip()
            values[label] = values.get(label, 0.0) + count
        dim_name = renames.get(variable, variable)
        if dropped or any(row[v].strip() == "-8" for row in rows):
            reports.append(
                f"{dim_name}: dropped the category 'Does not apply' (code -8, "
                f"{dropped:,.0f} people)."
            )
        if not values or math.fsum(values.values()) <= 0:
            raise ValueError(f"area {area_name!r} has no people in {variable!r}.")
        dimensions.append(
            TargetDimension(
                name=dim_name,
                categories=tuple(values),
                values=tuple(values.values()),
                unit="people",
                sources=(f"ONS Census 2021 custom dataset ({Path(path).name})",),
            )
        )
    unknown_renames = [k for k in renames if k not in header[2:-1:2] and k not in header[3:-1:2]]
    if unknown_renames:
        raise ValueError(
            f"dimension_names has {', '.join(map(repr, unknown_renames))}, not a variable of "
            f"the file; variables are: {', '.join(header[3:-1:2])}."
        )
    return TargetPopulation(
        name=name or f"{area_name} ({code}), Census 2021",
        source=f"ONS Census 2021 custom dataset ({Path(path).name})",
        date=date,
        dimensions=tuple(dimensions),
        reports=tuple(reports),
    )


def _list_areas(areas: Mapping[str, str], limit: int = 10) -> str:
    shown = [f"{code} {name}" for code, name in list(areas.items())[:limit]]
    more = f" and {len(areas) - limit} more" if len(areas) > limit else ""
    return ", ".join(shown) + more + "."


def builtin_target(name: str = "england-and-wales") -> TargetPopulation:
    """Return a built-in example target population.

    Parameters
    ----------
    name : {"england-and-wales", "england"}
        ``"england-and-wales"``: Census 2021 usual residents of England and Wales
        (ethnicity_5, sex, religion, age_band, sexual_orientation_16plus);
        ``"england"``: Census 2021 usual residents of England (sex,
        unpaid_care_5plus). Each row cites its published source.

    Notes
    -----
    Percentages are rounded by the publisher and normalised here; religion
    counts come from a perturbed ONS extract; ``age_band`` starts at 0, so an
    adults-only target should drop ``"0-14"`` and ``"15-19"``
    (:meth:`TargetPopulation.drop_categories`).
    """
    if name not in BUILTIN_TARGETS:
        raise KeyError(
            f"built-in target {name!r} does not exist; valid names are: "
            f"{', '.join(BUILTIN_TARGETS)}"
        )
    filename, description = BUILTIN_TARGETS[name]
    with resources.as_file(resources.files("representativeness") / "data" / filename) as path:
        return load_tidy_csv(path, name=description, date=CENSUS_DAY)
