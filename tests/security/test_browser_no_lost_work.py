"""No lost work (SPEC §9; issue 10), in a real browser: the idle-timeout warning with "Stay
signed in", and form drafts kept in the tab across a timeout, cleared at sign-out.

Runs where Playwright and a Chromium are installed (skipped otherwise; CI's FSS_REQUIRE_BROWSER
makes a missing Chromium fail), on SQLite, or on PostgreSQL with FSS_BROWSER_TESTS=1 (scripts/test
runs the browser tests in a pytest run of their own). The page clock is Playwright's fake clock, so half an
hour passes in a moment.
"""

import os

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS, REQUIRED

playwright = pytest.importorskip("playwright.sync_api")

# A live server needs transactional tests, whose flush would upset the PostgreSQL-only tests
# that restore serialized data (tests/retention/test_concurrency.py) if both ran in one
# worker: on PostgreSQL these run only when asked for (FSS_BROWSER_TESTS=1, run them alone).
ON_SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
pytestmark = [
    # CI sets FSS_REQUIRE_BROWSER: there a missing Chromium fails (in browser_page), never skips.
    pytest.mark.skipif(CHROMIUM is None and not REQUIRED, reason="no Chromium on this machine"),
    pytest.mark.skipif(
        not (ON_SQLITE or os.environ.get("FSS_BROWSER_TESTS")),
        reason="browser tests: set FSS_BROWSER_TESTS=1",
    ),
    # Serialized rollback like every transactional test here: a flush without it would let
    # post_migrate recreate rows that a later restore inserts again.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct-horse-battery-staple"
REASON = "Mum worried about school attendance (typed before the timeout)"


@pytest.fixture
def browser_page():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between browser steps are still plain synchronous calls.
    if CHROMIUM is None:
        pytest.fail("browser tests required (FSS_REQUIRE_BROWSER) but no Chromium on this machine")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.clock.install()
        yield page
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    assert errors == []  # no script errors and no CSP violations


def _sign_in(page, live_server, user, next_path="/"):
    page.goto(f"{live_server.url}/sign-in/?next={next_path}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_warning_before_the_idle_timeout_and_stay_signed_in(browser_page, live_server, caseworker):
    page = browser_page
    _sign_in(page, live_server, caseworker, "/families/new/")
    dialog = page.locator("#fss-timeout-dialog")
    assert not dialog.is_visible()
    page.clock.fast_forward("27:00")  # 27 minutes idle: no warning yet
    assert not dialog.is_visible()
    page.clock.fast_forward("01:30")  # 1 minute 30 left: the warning
    assert dialog.is_visible()
    assert "You will be signed out soon" in dialog.inner_text()
    assert page.evaluate("document.activeElement.textContent") == "Stay signed in"
    page.click("text=Stay signed in")
    # (A locator wait, not wait_for_function: polling a string predicate needs 'unsafe-eval',
    # which the CSP rightly refuses when the first check is not already true.)
    dialog.wait_for(state="hidden")
    page.clock.fast_forward("27:00")  # the clock restarted at "Stay signed in"
    assert not dialog.is_visible()


def test_a_draft_survives_the_timeout_and_comes_back_after_signing_in(browser_page, live_server, caseworker):
    page = browser_page
    _sign_in(page, live_server, caseworker, "/families/new/")
    page.fill("main textarea", REASON)
    page.clock.fast_forward("00:02")
    # The server ends the session at 30 minutes; the page follows it to the sign-in page.
    Session.objects.all().delete()
    page.clock.fast_forward("30:10")
    page.wait_for_url("**/sign-in/?timeout=idle&next=%2Ffamilies%2Fnew%2F")
    assert "You were signed out because you had not used the service" in page.inner_text("main")
    page.fill("#id_username", caseworker.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/families/new/")
    assert page.input_value("main textarea") == REASON
    assert "We have put back what you typed before." in page.inner_text("main")


def test_drafts_keep_no_passwords_and_are_cleared_at_sign_out(browser_page, live_server, caseworker):
    page = browser_page
    _sign_in(page, live_server, caseworker, "/families/new/")
    page.fill("main textarea", REASON)
    page.clock.fast_forward("00:02")
    stored = page.evaluate("JSON.stringify(Object.entries(sessionStorage))")
    assert REASON in stored
    assert "csrfmiddlewaretoken" not in stored
    page.click("header ~ section button:has-text('Sign out')")
    page.wait_for_url("**/sign-in/")
    assert page.evaluate("sessionStorage.length") == 0


def test_another_person_in_the_same_tab_never_sees_the_draft(
    browser_page, live_server, caseworker, colleague
):
    page = browser_page
    _sign_in(page, live_server, caseworker, "/families/new/")
    page.fill("main textarea", REASON)
    page.clock.fast_forward("00:02")
    Session.objects.all().delete()  # the session ended; the caseworker walked away
    _sign_in(page, live_server, colleague, "/families/new/")
    assert page.input_value("main textarea") == ""
    assert REASON not in page.evaluate("JSON.stringify(Object.entries(sessionStorage))")
