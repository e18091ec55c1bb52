"""Searching the register: filters on any dimension (roll-ups included), consent, status and
panels served; search by name or email; sorting; pagination. And the register in numbers,
with small counts protected, for those who need its shape rather than its people."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, func, or_, select
from werkzeug.datastructures import MultiDict

from models import CONSENT_PURPOSES, MEMBER_STATUSES, Member
from panels import audit
from panels.errors import InvalidInput
from panels.pagination import Window, requested_page
from panels.register.queries import (
    answers_for,
    available_today,
    characteristic_condition,
    invitable,
)
from panels.register.taxonomy import Taxonomy
from panels.suppression import SUPPRESSED_TEXT, is_small
from panels.uow import UnitOfWork

PAGE_SIZE = 50
SORTS = {
    "name": (Member.last_name, Member.first_name, Member.id),
    "-name": (Member.last_name.desc(), Member.first_name.desc(), Member.id.desc()),
    "newest": (Member.created_at.desc(), Member.id.desc()),
    "oldest": (Member.created_at, Member.id),
    "panels": (Member.panels_served, Member.last_name, Member.id),
    "-panels": (Member.panels_served.desc(), Member.last_name, Member.id),
}
SORT_LABELS = {
    "name": "Name, A to Z",
    "-name": "Name, Z to A",
    "newest": "Newest first",
    "oldest": "Oldest first",
    "panels": "Fewest panels first",
    "-panels": "Most panels first",
}
PANELS_SERVED = {"0": "None yet", "1-2": "1 or 2", "3+": "3 or more"}
FILTER_PREFIX = "f_"


@dataclass(frozen=True)
class RegisterQuery:
    text: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    statuses: tuple[str, ...] = ()
    consents: tuple[str, ...] = ()
    panels_served: tuple[str, ...] = ()
    invitable_only: bool = False
    sort: str = "name"
    page: int = 1

    @classmethod
    def from_args(cls, args: MultiDict, taxonomy: Taxonomy) -> RegisterQuery:
        """Read the query string; a bad value is an error naming it and the valid ones."""
        filters = {}
        for name in args:
            if name.startswith(FILTER_PREFIX):
                key = name[len(FILTER_PREFIX) :]
                dimension = taxonomy[key]
                codes = tuple(dimension.find(v).code for v in args.getlist(name) if v)
                if codes:
                    filters[key] = codes
        statuses = tuple(args.getlist("status"))
        for status in statuses:
            if status not in MEMBER_STATUSES:
                raise InvalidInput(
                    f"status {status!r} is not valid; "
                    f"valid statuses are: {', '.join(MEMBER_STATUSES)}"
                )
        consents = tuple(args.getlist("consent"))
        for consent in consents:
            if consent not in CONSENT_PURPOSES:
                raise InvalidInput(
                    f"consent {consent!r} is not valid; "
                    f"valid purposes are: {', '.join(CONSENT_PURPOSES)}"
                )
        served = tuple(args.getlist("served"))
        for value in served:
            if value not in PANELS_SERVED:
                raise InvalidInput(
                    f"panels served {value!r} is not valid; use one of: {', '.join(PANELS_SERVED)}"
                )
        sort = args.get("sort", "name")
        if sort not in SORTS:
            raise InvalidInput(f"sort {sort!r} is not valid; use one of: {', '.join(SORTS)}")
        page = requested_page(args)
        return cls(
            text=args.get("q", "").strip(),
            filters=filters,
            statuses=statuses,
            consents=consents,
            panels_served=served,
            invitable_only=args.get("invitable") == "yes",
            sort=sort,
            page=page,
        )

    @property
    def is_filtered(self) -> bool:
        """Whether the query narrows the register (sorting and paging do not)."""
        return bool(
            self.text
            or self.filters
            or self.statuses
            or self.consents
            or self.panels_served
            or self.invitable_only
        )

    def uses_special_category(self, taxonomy: Taxonomy) -> bool:
        return any(taxonomy[key].special_category for key in self.filters)


@dataclass(frozen=True)
class RegisterPage:
    members: tuple[Member, ...]
    total: int
    page: int
    pages: int


def conditions(query: RegisterQuery, taxonomy: Taxonomy, today: date) -> list[ColumnElement]:
    where: list[ColumnElement] = []
    if query.text:
        pattern = f"%{query.text.lower()}%"
        where.append(
            or_(
                func.lower(Member.first_name + " " + Member.last_name).like(pattern),
                func.lower(func.coalesce(Member.preferred_name, "")).like(pattern),
                Member.email.like(pattern),
            )
        )
    for key, codes in query.filters.items():
        where.append(characteristic_condition(taxonomy, key, codes, today))
    if query.statuses:
        where.append(Member.status.in_(query.statuses))
    for purpose in query.consents:
        where.append(getattr(Member, f"consent_{purpose}").is_(True))
    if query.panels_served:
        ranges = {
            "0": Member.panels_served == 0,
            "1-2": Member.panels_served.between(1, 2),
            "3+": Member.panels_served >= 3,
        }
        where.append(or_(*(ranges[v] for v in query.panels_served)))
    if query.invitable_only:
        where.append(available_today(today))
        where.append(Member.consent_contact.is_(True))
    return where


def search_register(
    uow: UnitOfWork, query: RegisterQuery, taxonomy: Taxonomy, today: date | None = None
) -> RegisterPage:
    """One page of the register; a search on special-category answers is audited."""
    today = today or date.today()
    where = conditions(query, taxonomy, today)
    base = invitable(select(Member), today) if query.invitable_only else select(Member)
    with uow:
        session = uow.session
        total = session.scalar(select(func.count()).select_from(Member).where(*where)) or 0
        window = Window.of(query.page, total, PAGE_SIZE)
        members = session.scalars(
            base.where(*where).order_by(*SORTS[query.sort]).limit(PAGE_SIZE).offset(window.offset)
        ).all()
        if query.uses_special_category(taxonomy):
            audit.record(
                uow,
                "view_characteristics",
                "register_search",
                None,
                total,
                filters={k: list(v) for k, v in query.filters.items()},
            )
    return RegisterPage(tuple(members), total, window.page, window.pages)


@dataclass(frozen=True)
class Count:
    """One line of a summary: what is counted, how many, and what may be shown of it."""

    label: str
    count: int
    shown: str


@dataclass(frozen=True)
class DimensionSummary:
    key: str
    label: str
    multiple: bool
    counts: tuple[Count, ...]


@dataclass(frozen=True)
class RegisterSummary:
    """The register in numbers: totals by status and consent, and its composition by each
    characteristic over the members who allow their answers in anonymous statistics."""

    total: int
    by_status: tuple[Count, ...]
    invitable: int
    by_consent: tuple[Count, ...]
    statistics_base: int
    dimensions: tuple[DimensionSummary, ...]


def protect_small_counts(items: list[tuple[str, int]]) -> tuple[Count, ...]:
    """Counts with those from 1 to 4 shown as "fewer than 5".

    When exactly one count in a group is hidden, the next smallest is hidden too ("not
    shown"), so that the hidden one cannot be worked out by subtracting from the total.
    """
    small = [i for i, (_, n) in enumerate(items) if is_small(n)]
    also = set()
    if len(small) == 1:
        others = sorted(
            (n, i) for i, (_, n) in enumerate(items) if i not in small and not is_small(n) and n
        )
        if others:
            also.add(others[0][1])
    return tuple(
        Count(
            label,
            n,
            SUPPRESSED_TEXT if i in small else "not shown" if i in also else f"{n:,}",
        )
        for i, (label, n) in enumerate(items)
    )


def summarise_register(
    uow: UnitOfWork, taxonomy: Taxonomy, today: date | None = None
) -> RegisterSummary:
    """Counts only, no one named: for managers, who need the register's shape, not its people."""
    today = today or date.today()
    with uow:
        session = uow.session
        total = session.scalar(select(func.count()).select_from(Member)) or 0
        statuses = dict(
            session.execute(select(Member.status, func.count()).group_by(Member.status)).all()
        )
        invitable_now = session.scalar(
            select(func.count()).select_from(invitable(select(Member.id), today).subquery())
        )
        consents = [
            (
                label,
                session.scalar(
                    select(func.count())
                    .select_from(Member)
                    .where(getattr(Member, f"consent_{purpose}").is_(True))
                )
                or 0,
            )
            for purpose, label in CONSENT_PURPOSES.items()
        ]
        ids = session.scalars(select(Member.id).where(Member.consent_statistics.is_(True))).all()
        answers = answers_for(session, taxonomy, ids, purpose="statistics", today=today)
    dimensions = []
    for dimension in taxonomy.dimensions:
        tally = {category.code: 0 for category in dimension.categories}
        unanswered = 0
        for person in answers.values():
            codes = person.get(dimension.key, ())
            if not codes:
                unanswered += 1
            for code in codes:
                tally[code] = tally.get(code, 0) + 1
        items = [(category.label, tally[category.code]) for category in dimension.categories]
        items.append(("Not answered", unanswered))
        dimensions.append(
            DimensionSummary(
                dimension.key, dimension.label, dimension.multiple, protect_small_counts(items)
            )
        )
    return RegisterSummary(
        total=total,
        by_status=protect_small_counts(
            [(label, statuses.get(code, 0)) for code, label in MEMBER_STATUSES.items()]
        ),
        invitable=invitable_now or 0,
        by_consent=protect_small_counts(consents),
        statistics_base=len(answers),
        dimensions=tuple(dimensions),
    )
