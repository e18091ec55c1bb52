"""A live server on a real port and a real headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import make_test_app

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_server(migrated_database, tmp_path) -> Iterator[tuple[str, object]]:
    """The app served over real HTTP on 127.0.0.1, with CSRF on as in production."""
    app = make_test_app(migrated_database, str(tmp_path / "instance"), WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()
    thread.join(timeout=10)
    from panels.db import database
    from tests.conftest import _empty_tables

    database(app).dispose()
    _empty_tables(migrated_database)


PASSWORD = "browser-test-password"


@pytest.fixture
def demo_server(live_server):
    """The live server with the demo accounts (one per role), password PASSWORD."""
    from panels.db import open_unit_of_work
    from panels.demo import seed_demo_accounts
    from panels.uow import Actor

    base_url, app = live_server
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        seed_demo_accounts(uow, PASSWORD)
    return base_url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: install Debian's chromium package "
            "(apt-get install chromium) or set CHROMIUM_PATH. Browser tests never skip."
        )
    if not AXE_SOURCE.exists():
        pytest.fail(f"axe-core is missing at {AXE_SOURCE}: run `npm ci` (make setup does).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    context.add_init_script(script=AXE_SOURCE.read_text())
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page for WCAG 2.2 A and AA; return the violations, summarised."""
    page.wait_for_load_state("load")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
    ]


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe found problems on {page.url}: {violations}"


def sign_in(page, base_url: str, email: str, password: str = PASSWORD, code: str | None = None):
    """Sign in through the pages; give ``code`` (from the app, or a recovery code) if the
    service asks for one (accounts with two-factor on; demo accounts never are asked)."""
    page.goto(f"{base_url}/auth/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
    if "/auth/sign-in/code" in page.url:
        assert code is not None, f"{email} has two-factor on: pass the code to sign_in"
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Continue").click()
