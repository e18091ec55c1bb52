"""The taxonomy of characteristics: seeded from taxonomy.json, read as plain data."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import cast

from sqlalchemy import String, select
from sqlalchemy.orm import Session, selectinload

from models import CONSENT_PURPOSES, Category, ConsentWording, Dimension
from panels.errors import InvalidInput
from panels.uow import UnitOfWork

TAXONOMY_FILE = Path(__file__).with_name("taxonomy.json")

CONSENT_WORDING_V1 = {
    "contact": "I agree that {organisation} may contact me about chances to take part in "
    "co-production, such as panels, meetings and surveys. I can say no to any of them.",
    "selection": "I agree that {organisation} may use my equality information (such as my age, "
    "ethnic group or disability) to choose people for panels, so that panels include people "
    "like me. Only staff who choose panels can see it.",
    "statistics": "I agree that {organisation} may use my equality information in statistics "
    "that do not name me, to check who is and is not being heard.",
    "access_needs": "I agree that {organisation} may keep a record of the help I need to take "
    "part (my communication and access needs), so I do not have to explain them every time.",
}


@dataclass(frozen=True)
class CategoryInfo:
    id: int
    code: str
    label: str
    prefer_not_to_say: bool
    rolls_up_to: str | None = None
    min_age: int | None = None
    max_age: int | None = None


@dataclass(frozen=True)
class DimensionInfo:
    id: int
    key: str
    label: str
    question: str
    why_asked: str
    multiple: bool
    special_category: bool
    derived_from: str | None
    categories: tuple[CategoryInfo, ...]
    extensible: bool = False
    """An import may add new answers to it (see :func:`add_imported_categories`)."""
    _lookup: dict[str, CategoryInfo] = field(default_factory=dict, compare=False, repr=False)

    def find(self, value: str) -> CategoryInfo:
        """The category whose code or label is ``value`` (case-insensitive)."""
        found = self._lookup.get(value.strip().casefold())
        if found is None:
            raise InvalidInput(
                f"{value!r} is not a category of {self.key!r}; valid categories are: "
                f"{', '.join(c.code for c in self.categories)}"
            )
        return found

    @property
    def is_derived(self) -> bool:
        return self.derived_from is not None

    def age_band(self, age: int | None) -> CategoryInfo | None:
        if age is None:
            return None
        for category in self.categories:
            if (
                category.min_age is not None
                and category.min_age <= age
                and (category.max_age is None or age <= category.max_age)
            ):
                return category
        return None


@dataclass(frozen=True)
class Taxonomy:
    dimensions: tuple[DimensionInfo, ...]

    def __getitem__(self, key: str) -> DimensionInfo:
        for dimension in self.dimensions:
            if dimension.key == key:
                return dimension
        raise InvalidInput(
            f"{key!r} is not a dimension; valid dimensions are: "
            f"{', '.join(d.key for d in self.dimensions)}"
        )

    @cached_property
    def answerable(self) -> tuple[DimensionInfo, ...]:
        """Dimensions a person answers (not worked out from another)."""
        return tuple(d for d in self.dimensions if not d.is_derived)

    @cached_property
    def _by_id(self) -> dict[int, tuple[DimensionInfo, CategoryInfo]]:
        return {c.id: (d, c) for d in self.dimensions for c in d.categories}

    def category_by_id(self, category_id: int) -> tuple[DimensionInfo, CategoryInfo]:
        # A dictionary: answers_for looks up every answer of every member in a pool.
        try:
            return self._by_id[category_id]
        except KeyError:
            raise KeyError(category_id) from None


def load_taxonomy(session: Session) -> Taxonomy:
    """The taxonomy as it is in the database, as plain frozen data."""
    dimensions = session.scalars(
        select(Dimension)
        .options(selectinload(Dimension.categories))
        .order_by(Dimension.position, Dimension.id)
        .execution_options(populate_existing=True)
    ).all()
    codes = {c.id: c.code for d in dimensions for c in d.categories}
    infos = []
    for dimension in dimensions:
        categories = tuple(
            CategoryInfo(
                id=c.id,
                code=c.code,
                label=c.label,
                prefer_not_to_say=c.prefer_not_to_say,
                rolls_up_to=codes.get(c.rolls_up_to_id) if c.rolls_up_to_id else None,
                min_age=c.min_age,
                max_age=c.max_age,
            )
            for c in dimension.categories
        )
        lookup: dict[str, CategoryInfo] = {}
        for category in categories:
            lookup.setdefault(category.label.casefold(), category)
        for category in categories:
            lookup[category.code.casefold()] = category
        infos.append(
            DimensionInfo(
                id=dimension.id,
                key=dimension.key,
                label=dimension.label,
                question=dimension.question,
                why_asked=dimension.why_asked,
                multiple=dimension.multiple,
                special_category=dimension.special_category,
                derived_from=dimension.derived_from,
                categories=categories,
                extensible=dimension.extensible,
                _lookup=lookup,
            )
        )
    return Taxonomy(tuple(infos))


def sync_taxonomy(uow: UnitOfWork, path: Path = TAXONOMY_FILE) -> int:
    """Add the dimensions, categories and consent wording from the file that are missing.

    Existing rows are left as administrators edited them; nothing is deleted. Returns
    how many rows were added.
    """
    spec = json.loads(path.read_text(encoding="utf-8"))
    added = 0
    with uow:
        session = uow.session
        existing = {d.key: d for d in session.scalars(select(Dimension))}
        # Roll-up targets must exist first, so derived dimensions go in before their sources.
        ordered = sorted(spec["dimensions"], key=lambda d: d.get("derived_from") is None)
        for position, entry in enumerate(ordered):
            dimension = existing.get(entry["key"])
            if dimension is None:
                dimension = Dimension(
                    key=entry["key"],
                    label=entry["label"],
                    question=entry["question"],
                    why_asked=entry.get("why_asked", ""),
                    multiple=entry.get("multiple", False),
                    special_category=entry.get("special_category", False),
                    extensible=entry.get("extensible", False),
                    derived_from=entry.get("derived_from"),
                    position=entry.get("position", position),
                    source=entry.get("source", ""),
                    taxonomy_version=spec["version"],
                )
                session.add(dimension)
                session.flush()
                existing[entry["key"]] = dimension
                added += 1
            else:
                # Not something administrators edit: the file decides.
                dimension.extensible = entry.get("extensible", False)
            have = {
                c.code
                for c in session.scalars(
                    select(Category).where(Category.dimension_id == dimension.id)
                )
            }
            for index, item in enumerate(entry["categories"]):
                if item["code"] in have:
                    continue
                rolls_up_to_id = None
                if item.get("rolls_up_to"):
                    target_dimension = next(
                        d for d in spec["dimensions"] if d.get("derived_from") == entry["key"]
                    )["key"]
                    rolls_up_to_id = session.scalar(
                        select(Category.id).where(
                            Category.dimension_id == existing[target_dimension].id,
                            Category.code == item["rolls_up_to"],
                        )
                    )
                session.add(
                    Category(
                        dimension_id=dimension.id,
                        code=item["code"],
                        label=item["label"],
                        position=index if not item.get("prefer_not_to_say") else 999,
                        prefer_not_to_say=item.get("prefer_not_to_say", False),
                        rolls_up_to_id=rolls_up_to_id,
                        min_age=item.get("min_age"),
                        max_age=item.get("max_age"),
                    )
                )
                added += 1
        for purpose in CONSENT_PURPOSES:
            if (
                session.scalar(select(ConsentWording.id).where(ConsentWording.purpose == purpose))
                is None
            ):
                session.add(
                    ConsentWording(
                        purpose=purpose,
                        version=1,
                        text=CONSENT_WORDING_V1[purpose].format(organisation="we"),
                    )
                )
                added += 1
    return added


def add_category(uow: UnitOfWork, dimension_key: str, code: str, label: str) -> None:
    """Add a category to a dimension (for example a local area); codes are unique per dimension."""
    code, label = code.strip(), label.strip()
    if not code or not label:
        raise InvalidInput("a category needs both a code and a label")
    with uow:
        session = uow.session
        dimension = session.scalar(select(Dimension).where(Dimension.key == dimension_key))
        if dimension is None:
            raise InvalidInput(f"{dimension_key!r} is not a dimension")
        if dimension.derived_from:
            raise InvalidInput(
                f"{dimension_key!r} is worked out from {dimension.derived_from}; "
                "add categories there"
            )
        clash = session.scalar(
            select(Category).where(Category.dimension_id == dimension.id, Category.code.ilike(code))
        )
        if clash is not None:
            raise InvalidInput(f"{dimension_key!r} already has a category {clash.code!r}")
        position = (
            max((c.position for c in dimension.categories if not c.prefer_not_to_say), default=-1)
            + 1
        )
        session.add(Category(dimension_id=dimension.id, code=code, label=label, position=position))
        from panels import audit

        audit.record(
            uow, "taxonomy", "dimension", dimension.id, dimension=dimension_key, added=code
        )


CODE_LENGTH: int = cast(String, Category.__table__.c.code.type).length or 64
"""The longest category code (and so the longest answer an import may add)."""


def add_imported_categories(
    uow: UnitOfWork, additions: Mapping[str, Sequence[str]], file_name: str
) -> int:
    """Add the answers an import found to extensible dimensions, each as its own code and
    label after the dimension's other answers; one audit event for each dimension. Returns
    how many were added. The import has checked them (new, short enough, extensible)."""
    from panels import audit

    added = 0
    with uow:
        session = uow.session
        for key, codes in additions.items():
            if not codes:
                continue
            dimension = session.scalar(select(Dimension).where(Dimension.key == key))
            if dimension is None or not dimension.extensible:
                raise InvalidInput(f"{key!r} is not a dimension that imports may add answers to")
            position = max(
                (c.position for c in dimension.categories if not c.prefer_not_to_say), default=-1
            )
            for offset, code in enumerate(codes, start=1):
                session.add(
                    Category(
                        dimension_id=dimension.id, code=code, label=code, position=position + offset
                    )
                )
            session.flush()
            added += len(codes)
            audit.record(
                uow,
                "taxonomy",
                "dimension",
                dimension.id,
                record_count=len(codes),
                dimension=key,
                added=list(codes),
                file=file_name,
            )
    return added


def age_on(born: date | None, day: date) -> int | None:
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
