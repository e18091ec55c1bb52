"""Reading and changing the service pages; each change is one unit of work, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from models import Page
from panels import audit
from panels.errors import NotFound
from panels.pages.defaults import DEFAULT_PAGES
from panels.uow import UnitOfWork


@dataclass(frozen=True)
class PageContent:
    slug: str
    title: str
    body: str
    updated_at: datetime | None
    """When an administrator last changed it; None while it has its default wording."""


def _known(slug: str) -> None:
    if slug not in DEFAULT_PAGES:
        raise NotFound(
            f"There is no service page called {slug!r}; the pages are: {', '.join(DEFAULT_PAGES)}."
        )


def page_content(uow: UnitOfWork, slug: str) -> PageContent:
    """The page as an administrator last saved it, or its default wording."""
    _known(slug)
    with uow:
        page = uow.session.scalar(select(Page).where(Page.slug == slug))
    if page is None:
        default = DEFAULT_PAGES[slug]
        return PageContent(slug, default.title, default.body, None)
    return PageContent(slug, page.title, page.body, page.updated_at)


def save_page(uow: UnitOfWork, slug: str, title: str, body: str) -> bool:
    """Save a page's title and body; True if anything changed. Written to the audit log."""
    _known(slug)
    title, body = title.strip(), body.strip().replace("\r\n", "\n") + "\n"
    with uow:
        session = uow.session
        page = session.scalar(select(Page).where(Page.slug == slug))
        before = page_content(uow, slug)
        changed = [
            name
            for name, old, new in (("title", before.title, title), ("body", before.body, body))
            if old.strip() != new.strip()
        ]
        if not changed:
            return False
        if page is None:
            page = Page(slug=slug, title=title, body=body)
            session.add(page)
        page.title, page.body = title, body
        page.updated_by_id = uow.actor.user_id
        session.flush()
        audit.record(uow, "edit_page", "page", page.id, slug=slug, changed=changed)
    return True
