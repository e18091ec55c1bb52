"""Target populations in the register's own categories.

A target (built-in Census 2021 figures, an ONS custom dataset, a tidy CSV or shares typed
in by hand) names its dimensions and categories its own way. :func:`map_target` matches
each target dimension to a register question and spreads each target category over the
register's categories: by name, and for age bands by the years the two bands share, so
that the register's "18-24" takes 20-24 and two fifths of 15-19. Whatever is left out
("Not answered", ages under 18, characteristics the register does not ask) is said in a
sentence, never guessed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from panels.errors import InvalidInput
from panels.register.taxonomy import DimensionInfo, Taxonomy
from representativeness import TargetPopulation, load_ons_custom_dataset, load_tidy_csv

# Target dimension names that differ from the register's question keys.
ALIASES = {
    "sexual_orientation_16plus": "sexual_orientation",
    "unpaid_care_5plus": "unpaid_carer",
    "unpaid_care": "unpaid_carer",
    "ethnicity_20": "ethnicity",
    "ethnic_group": "ethnicity",
    "ethnic_group_5": "ethnicity_5",
    "age": "age_band",
    "provision_of_unpaid_care": "unpaid_carer",
}
_RANGE = re.compile(r"^\s*(?:aged\s+)?(\d+)\s*(?:-|to|–)\s*(\d+)\s*(?:years)?\s*$", re.I)
_PLUS = re.compile(r"^\s*(?:aged\s+)?(\d+)\s*(?:\+|and over|or over|years and over)\s*$", re.I)
OLDEST = 120


@dataclass(frozen=True)
class MappedDimension:
    """One dimension of a target in the register's categories."""

    key: str
    label: str
    shares: Mapping[str, float]
    source: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class MappedTarget:
    name: str
    dimensions: tuple[MappedDimension, ...]
    notes: tuple[str, ...]

    def as_json(self) -> dict[str, dict[str, Any]]:
        return {
            d.key: {"categories": dict(d.shares), "source": d.source, "notes": list(d.notes)}
            for d in self.dimensions
        }


def age_range(label: str) -> tuple[int, int] | None:
    """The years ``(first, last)`` an age band label covers, or None if it is not one."""
    if match := _RANGE.match(label):
        return int(match.group(1)), int(match.group(2))
    if match := _PLUS.match(label):
        return int(match.group(1)), OLDEST
    return None


def _plain(name: str) -> str:
    """ "Ethnic group (20 categories)" -> "ethnic group"; "unpaid_care" -> "unpaid care"."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", name).replace("_", " ").strip().casefold()


def _register_dimension(name: str, taxonomy: Taxonomy) -> DimensionInfo | None:
    keys = {d.key: d for d in taxonomy.dimensions}
    key = ALIASES.get(name, name)
    if key in keys:
        return keys[key]
    plain = _plain(name)
    alias = ALIASES.get(plain.replace(" ", "_"))
    if alias in keys:
        return keys[alias]
    for dimension in taxonomy.dimensions:
        if plain in (_plain(dimension.label), _plain(dimension.key)):
            return dimension
    return None


def _map_ages(
    shares: Mapping[str, float], dimension: DimensionInfo
) -> tuple[dict[str, float], list[str]]:
    bands = [c for c in dimension.categories if not c.prefer_not_to_say]
    mapped = {c.code: 0.0 for c in bands}
    notes = []
    for label, share in shares.items():
        years = age_range(label)
        if years is None:
            notes.append(f"“{label}” is not an age band, so it was left out.")
            continue
        first, last = years
        width = last - first + 1
        used = 0
        for band in bands:
            low, high = band.min_age or 0, band.max_age if band.max_age is not None else OLDEST
            overlap = min(high, last) - max(low, first) + 1
            if overlap > 0:
                mapped[band.code] += share * overlap / width
                used += overlap
        if used == 0:
            notes.append(f"Ages {label} are outside the register's age bands, so left out.")
        elif used < width:
            notes.append(
                f"Ages {label}: {used} of its {width} years fall in the register's bands; "
                "that part was counted, assuming people are spread evenly across the band."
            )
    return mapped, notes


def _map_categories(
    shares: Mapping[str, float], dimension: DimensionInfo
) -> tuple[dict[str, float], list[str]]:
    mapped = {c.code: 0.0 for c in dimension.categories if not c.prefer_not_to_say}
    notes = []
    for label, share in shares.items():
        try:
            category = dimension.find(label)
        except InvalidInput:
            category = None
        if category is None or category.prefer_not_to_say:
            notes.append(f"“{label}” is not a category of {dimension.label}, so it was left out.")
            continue
        mapped[category.code] += share
    return mapped, notes


def map_dimension(
    key: str, shares: Mapping[str, float], taxonomy: Taxonomy, source: str = ""
) -> MappedDimension:
    """Shares of one target dimension, in the categories of the register question ``key``."""
    dimension = taxonomy[key]
    if dimension.multiple:
        raise InvalidInput(
            f"{dimension.label} allows several answers per person, so it cannot have "
            "population shares or quotas; choose a question with one answer each"
        )
    if dimension.derived_from == "date_of_birth":
        mapped, notes = _map_ages(shares, dimension)
    else:
        mapped, notes = _map_categories(shares, dimension)
    total = math.fsum(mapped.values())
    if total <= 0:
        raise InvalidInput(
            f"none of the target's categories for {dimension.label} match the register's; "
            f"the register's categories are: "
            f"{', '.join(c.label for c in dimension.categories if not c.prefer_not_to_say)}"
        )
    if abs(total - 1) > 1e-9:
        notes.append(
            f"The shares that match the register add up to {total:.1%}; they were scaled to 100%."
        )
    return MappedDimension(
        key=dimension.key,
        label=dimension.label,
        shares={code: value / total for code, value in mapped.items()},
        source=source,
        notes=tuple(notes),
    )


def map_target(target: TargetPopulation, taxonomy: Taxonomy) -> MappedTarget:
    """Every dimension of ``target`` that the register asks about, in its categories."""
    dimensions = []
    notes = list(target.reports)
    for dimension in target.dimensions:
        register = _register_dimension(dimension.name, taxonomy)
        if register is None:
            notes.append(f"The register does not ask about “{dimension.name}”, so it was left out.")
            continue
        if register.multiple:
            notes.append(f"{register.label} allows several answers per person, so it was left out.")
            continue
        dimensions.append(
            map_dimension(
                register.key, dimension.shares, taxonomy, "; ".join(dimension.sources) or ""
            )
        )
    if not dimensions:
        raise InvalidInput(
            f"none of the dimensions of {target.name!r} "
            f"({', '.join(target.dimension_names)}) match a question on the register"
        )
    return MappedTarget(target.name, tuple(dimensions), tuple(notes))


def manual_shares(
    key: str, percentages: Mapping[str, float], taxonomy: Taxonomy
) -> dict[str, float]:
    """Percentages typed in by hand for a register question, checked to add up to 100."""
    dimension = taxonomy[key]
    unknown = [code for code in percentages if code not in {c.code for c in dimension.categories}]
    if unknown:
        raise InvalidInput(
            f"{', '.join(map(repr, unknown))} not a category of {dimension.label}; valid "
            f"categories are: {', '.join(c.code for c in dimension.categories)}"
        )
    negative = {code: v for code, v in percentages.items() if v < 0 or v > 100}
    if negative:
        code, value = next(iter(negative.items()))
        raise InvalidInput(f"{value}% for {code!r} is not a percentage between 0 and 100")
    total = math.fsum(percentages.values())
    if abs(total - 100) > 0.5:
        raise InvalidInput(
            f"the percentages for {dimension.label} add up to {total:g}%; they must add up to 100%"
        )
    return {code: value / total for code, value in percentages.items()}


def read_population_file(path: Path, kind: str, file_name: str, area: str = "") -> TargetPopulation:
    """Read an ONS "Create a custom dataset" download (one ``area``) or a tidy CSV; a file
    that cannot be used raises :class:`InvalidInput` naming it and what is wrong."""
    try:
        if kind == "ons":
            return load_ons_custom_dataset(path, area or None)
        if kind == "tidy":
            return load_tidy_csv(path, name=file_name)
    except (KeyError, ValueError) as error:
        message = error.args[0] if error.args else str(error)
        raise InvalidInput(f"The file {file_name!r} could not be used: {message}") from None
    raise InvalidInput(f"file kind {kind!r} is not valid; choose one of: ons, tidy")
