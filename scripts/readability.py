"""Readability of the member pages: Flesch reading ease and Flesch-Kincaid grade, per page.

    python scripts/readability.py

Makes a temporary SQLite database (``$DATABASE_URL`` is not used: this writes a member, a
project and a drawn panel), signs in as a member who is on the panel, renders each member
page and measures the words a person reads in the page's ``<main>``: headings, paragraphs,
list items, questions and buttons, each taken as a sentence of its own. Left out: pictures'
text alternatives (read by screen readers, not on the page) and the options of a question
(days, times, needs, equality answers), which are names rather than sentences.

Reading ease runs from 0 (very hard) to 100 (very easy); 60 to 70 is plain English, and
above 80 is easy for most people. The grade is a US school grade: 5 is read by most
11-year-olds. ``tests/integration/test_member_space_readability.py`` holds the member pages
to a bound with the same measures (``textstat``, a test dependency).
"""

from __future__ import annotations

import re
import secrets
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BLOCKS = {
    "p", "li", "h1", "h2", "h3", "h4", "td", "th", "label", "legend", "button",
    "caption", "dt", "dd", "div", "section", "form", "ul", "ol", "table", "tr",
}  # fmt: skip
SKIPPED = {"script", "style", "svg", "head"}
OPTION_CLASSES = {"govuk-checkboxes__label", "govuk-radios__label"}
"""The labels of a question's options (days, times, needs, answers): names, not sentences."""
MEMBER_PASSWORD = "readability check password"


class _MainText(HTMLParser):
    """The sentences inside ``<main>``: each block's text is one sentence."""

    def __init__(self) -> None:
        super().__init__()
        self.in_main = 0
        self.skipping = 0
        self.current: list[str] = []
        self.sentences: list[str] = []
        self.labels: list[bool] = []

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.current)).strip()
        self.current = []
        if text:
            self.sentences.append(text if text[-1] in ".?!:" else text + ".")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.in_main += 1
        if tag == "label":
            classes = set((dict(attrs).get("class") or "").split())
            self.labels.append(bool(classes & OPTION_CLASSES))
        if tag in SKIPPED or (tag == "label" and self.labels[-1]):
            self.skipping += 1
        if tag in BLOCKS or tag == "br":
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        option = tag == "label" and bool(self.labels) and self.labels.pop()
        if tag in SKIPPED or option:
            self.skipping = max(0, self.skipping - 1)
        if tag in BLOCKS:
            self._flush()
        if tag == "main":
            self._flush()
            self.in_main -= 1

    def handle_data(self, data: str) -> None:
        if self.in_main and not self.skipping:
            self.current.append(data)


def readable_text(html: str) -> str:
    """The text a person reads in a page's ``<main>``, one sentence per block."""
    parser = _MainText()
    parser.feed(html)
    parser.close()
    return " ".join(parser.sentences)


@dataclass(frozen=True)
class Figures:
    page: str
    words: int
    reading_ease: float
    """Flesch reading ease (higher is easier)."""
    grade: float
    """Flesch-Kincaid grade level (lower is easier)."""


def measure(page: str, html: str) -> Figures:
    """Flesch reading ease and Flesch-Kincaid grade of a page's readable text."""
    import textstat

    text = readable_text(html)
    return Figures(
        page,
        textstat.lexicon_count(text),
        float(textstat.flesch_reading_ease(text)),
        float(textstat.flesch_kincaid_grade(text)),
    )


def _set_up_member(app: Any) -> tuple[str, int, int, str]:
    """A drawn, invited panel with a member on it who was sent a set-up link: the link's
    path, the member's invitation id, the project id and the withdrawn-consent purpose."""
    from sqlalchemy import select

    from models import Draw, Invitation, OutboxMessage
    from panels.db import open_unit_of_work
    from panels.members.accounts import invite_member_account
    from panels.projects import invitations, service
    from panels.register.members import MemberInput, create_member
    from panels.uow import Actor

    consents = {p: True for p in ("contact", "selection", "statistics", "access_needs")}
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        for n in range(10):
            create_member(
                uow,
                MemberInput(
                    first_name=f"Reader{n}",
                    last_name="Check",
                    email=f"reader{n}@readability.example",
                    date_of_birth=date(1950 + n, 5, 1),
                    answers={"sex": ["Male" if n % 2 else "Female"]},
                    consents=dict(consents),
                ),
            )
        project = service.create_project(
            uow,
            service.ProjectInput(
                title="Home care", purpose="Make home care better.", level="operational"
            ),
        )
        service.set_builtin_target(uow, project.id, "england-and-wales")
        service.choose_dimensions(uow, project.id, ["sex"])
        service.set_eligibility(uow, project.id, {})
        service.propose_quotas(uow, project.id, panel_size=4, tolerance=1)
        service.draw_panel(uow, service.DrawRequest(project.id, seed=1))
        invitations.send_invitations(uow, project.id, invitations.answer_link(app.config))
        member_id = int(uow.session.scalars(select(Draw)).one().panel[0])
        invitation_id = uow.session.scalars(
            select(Invitation.id).where(Invitation.member_id == member_id)
        ).one()
        invite_member_account(uow, member_id)
        body = uow.session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.subject == "Set up your account")
        ).one()
        project_id = project.id
    found = re.search(r"https?://[^/\s]+(/set-up-account/\S+)", body)
    assert found is not None
    return found.group(1), invitation_id, project_id, "contact"


def member_pages(app: Any) -> list[tuple[str, str]]:
    """(name, HTML) of each member page, rendered for a member on a drawn panel.

    ``app`` must be on a migrated database with the taxonomy, and its test client must be
    able to post without a CSRF token."""
    join, invitation_id, project_id, purpose = _set_up_member(app)
    client = app.test_client()
    pages = [
        ("Set up your account", join),
        ("Set up your account (Easy Read)", join + "/easy-read"),
    ]
    rendered = [(name, client.get(path).get_data(as_text=True)) for name, path in pages]
    response = client.post(
        join, data={"new_password": MEMBER_PASSWORD, "confirm_password": MEMBER_PASSWORD}
    )
    if response.status_code != 302:
        raise RuntimeError(f"setting up the account failed: {response.status_code}")
    for name, path in [
        ("Start page", "/my/"),
        ("Your details", "/my/profile"),
        ("How we contact you", "/my/profile/contact"),
        ("Help you need", "/my/profile/access-needs"),
        ("When you are free", "/my/profile/availability"),
        ("Dates you are away", "/my/profile/away/new"),
        ("What you agreed to", "/my/consent"),
        ("What you agreed to (Easy Read)", "/my/consent/easy-read"),
        ("Take back an agreement", f"/my/consent/{purpose}"),
        ("Take back an agreement (Easy Read)", f"/my/consent/{purpose}/easy-read"),
        ("Your invitation", f"/my/invitations/{invitation_id}"),
        ("Your invitation (Easy Read)", f"/my/invitations/{invitation_id}/easy-read"),
        ("Your panels", "/my/panels"),
        ("Your chance of being chosen", "/my/chances"),
        ("Your data", "/my/data"),
        ("Your payments", "/my/payments/"),
        ("Your payments (Easy Read)", "/my/payments/easy-read"),
        ("Leave the register", "/my/delete-my-details"),
        ("What changed", "/impact/member/"),
    ]:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        rendered.append((name, response.get_data(as_text=True)))
    client.post(f"/my/invitations/{invitation_id}", data={"choice": "accept"})
    rendered.append(("Your panel", client.get(f"/my/panels/{project_id}").get_data(as_text=True)))
    return rendered


def _app(folder: str) -> Any:
    from panels import create_app, migrate
    from panels.db import open_unit_of_work
    from panels.register.taxonomy import sync_taxonomy
    from panels.uow import Actor

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{Path(folder) / 'readability.sqlite'}",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "INSTANCE_PATH": folder,
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            "TWO_FACTOR_REQUIRED_ROLES": (),
        }
    )
    migrate.upgrade("head", app=app)
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        sync_taxonomy(uow)
    return app


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = _app(folder)
        figures = [measure(name, html) for name, html in member_pages(app)]
    width = max(len(f.page) for f in figures)
    print(f"{'Page':<{width}}  {'Words':>5}  {'Reading ease':>12}  {'Grade':>5}")
    for f in figures:
        print(f"{f.page:<{width}}  {f.words:>5}  {f.reading_ease:>12.1f}  {f.grade:>5.1f}")


if __name__ == "__main__":
    main()
