"""Browser journeys (SPEC §11; issue 11): Playwright drives the system Chromium against a live server.

Every test here gets a page (`page` fixture) in a fresh headless Chromium; `journey` wraps it with the
steps a journey takes: `journey.sign_in(user)`, `journey.visit(path)`, `journey.step(name)` (a
screenshot under test-artifacts/browser/ and an axe-core check of the page, `axe(page)`). Console
errors, page errors and Content Security Policy violations fail the test.

Skipped where Playwright or Chromium is missing, unless FSS_REQUIRE_BROWSER is set (as in CI), when
the missing browser fails the test instead. On PostgreSQL these tests run only in a pytest run of
their own (FSS_BROWSER_TESTS=1, as scripts/test does): a live server needs transactional tests,
whose flush would upset the serialized-rollback tests if both ran in one worker.
"""

import contextlib
import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser.chromium import AXE, BASE_DIR, CHROMIUM, CHROMIUM_ARGS, REQUIRED, missing_browser

ARTIFACTS = BASE_DIR / "test-artifacts" / "browser"
PASSWORD = "correct-horse-battery-staple"

# WCAG 2.0, 2.1 and 2.2 at levels A and AA (SPEC §11: WCAG 2.2 AA).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Accepted axe-core violations: (rule id, the elements it is accepted on, why). Keep this list short —
# fix the template or the stylesheet instead.
AXE_EXCEPTIONS: list[tuple[str, str, str]] = [
    (
        "aria-allowed-attr",
        ".govuk-radios__input[aria-controls], .govuk-checkboxes__input[aria-controls]",
        "GOV.UK Frontend puts aria-expanded on a radio or checkbox that reveals a conditional question. "
        "ARIA does not list it for those roles, but screen readers announce it and user research backs it: "
        "a known, deliberate exception of the Design System (alphagov/govuk-frontend#979, #1280).",
    ),
]

ON_SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


HERE = Path(__file__).parent


def _why_not_here() -> str | None:
    missing = missing_browser()
    if missing is None and not ON_SQLITE and not os.environ.get("FSS_BROWSER_TESTS"):
        missing = (
            "on PostgreSQL they run in a pytest run of their own (FSS_BROWSER_TESTS=1; scripts/test does)"
        )
    return missing


def pytest_collection_modifyitems(config, items):
    # Skipped at collection, before any transactional database set-up (and its flush) happens.
    missing = None if REQUIRED else _why_not_here()
    if missing is None:
        return
    skip = pytest.mark.skip(reason=f"browser tests: {missing}")
    for item in items:
        if Path(str(item.path)).is_relative_to(HERE):
            item.add_marker(skip)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # FSS_REQUIRE_BROWSER (CI): what would have been a skip fails, before any fixture is set up.
    if REQUIRED and (missing := _why_not_here()):
        pytest.fail(f"browser tests required (FSS_REQUIRE_BROWSER) but {missing}", pytrace=False)


def _artifact_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::")[-1])[:100]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_call_failed = report.failed
    return report


class Journey:
    """One person's way through the service in one browser tab."""

    def __init__(self, page, base_url: str, name: str):
        self.page = page
        self.base_url = base_url
        self.folder = ARTIFACTS / name
        shutil.rmtree(self.folder, ignore_errors=True)  # this run's screenshots only
        self.steps = 0
        self.visited: list[str] = []
        self.errors: list[str] = []
        self.expected: list[str] = []
        self.axe_running = False
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("console", self._console)

    def _console(self, msg) -> None:
        if msg.type != "error":
            return
        if self.axe_running and "Applying inline style violates" in msg.text:
            return  # axe-core reading the page's stylesheets, not the page: the page's own come at load
        self.errors.append(f"console {msg.type}: {msg.text}")

    def expect_refusal(self, status: int = 403) -> None:
        """The next pages may be refused: the browser's note of the refused load is not an error."""
        self.expected.append(f"the server responded with a status of {status}")

    def unexpected_errors(self) -> list[str]:
        return [error for error in self.errors if not any(text in error for text in self.expected)]

    # -- moving about ------------------------------------------------------------------------------
    def visit(self, path: str, name: str | None = None):
        self.page.goto(self.base_url + path)
        return self.step(name or path)

    def sign_in(self, user, next_path: str = "/"):
        self.page.goto(f"{self.base_url}/sign-in/?next={next_path}")
        self.page.get_by_label("Username").fill(user.username)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.locator("main").get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()
        return self.step(f"signed in as {user.username}")

    def step(self, name: str):
        """A screenshot for the record, and axe-core on the page as it is now."""
        self.page.wait_for_load_state()
        self.steps += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")[:60]
        self.page.screenshot(path=str(self.folder / f"{self.steps:02d}-{slug}.png"), full_page=True)
        path = self.page.url.removeprefix(self.base_url)
        self.visited.append(path)
        self.axe_running = True
        try:
            axe(self.page)
        finally:
            self.axe_running = False
        return self.page

    # -- what the user sees ------------------------------------------------------------------------
    def main_text(self) -> str:
        return self.page.locator("main").inner_text()

    def heading(self) -> str:
        return self.page.locator("main h1").first.inner_text().strip()

    def banner(self) -> str:
        return self.page.locator("main .govuk-notification-banner").first.inner_text()


_AXE_SOURCE: list[str] = []


def _axe_source() -> str:
    if not _AXE_SOURCE:
        _AXE_SOURCE.append(AXE.read_text(encoding="utf-8"))
    return _AXE_SOURCE[0]


def axe(page, *, context: str | None = None) -> None:
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA) on the page and fail on any violation not excepted."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's Content Security Policy does not
        # govern (a <script> tag would be refused by script-src 'self'): the policy stays on for
        # the page's own scripts, and any violation by them fails the test.
        page.evaluate(_axe_source())
    result = page.evaluate(
        """async ([tags, context, exceptions]) => {
            const r = await axe.run(context || document, {runOnly: {type: 'tag', values: tags},
                                                        resultTypes: ['violations']});
            const accepted = (id, target) => exceptions.some(([rule, selector]) => rule === id
                && target.length === 1 && document.querySelector(target[0])?.matches(selector));
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.filter(n => !accepted(v.id, n.target))
                              .map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
        }""",
        [AXE_TAGS, context, [[rule, selector] for rule, selector, _ in AXE_EXCEPTIONS]],
    )
    violations = [v for v in result if v["nodes"]]
    assert violations == [], f"axe-core violations on {page.url}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"][:5]) for v in violations
    )


@pytest.fixture
def page():
    """A fresh Chromium per test: quick to start, and no Playwright event loop left running for the
    other browser tests (tests/security/test_browser_no_lost_work.py starts its own)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls a test makes between
    # browser steps are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            yield context.new_page()
            context.close()
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def journey(page, live_server, request):
    journey = Journey(page, live_server.url, _artifact_name(request.node.nodeid))
    yield journey
    if getattr(request.node, "browser_call_failed", False):
        journey.folder.mkdir(parents=True, exist_ok=True)
        # The browser may already be gone; the test failed anyway.
        with contextlib.suppress(Exception):
            page.screenshot(path=str(journey.folder / "failure.png"), full_page=True)
    errors = journey.unexpected_errors()
    assert errors == [], "console errors or CSP violations:\n" + "\n".join(errors)
