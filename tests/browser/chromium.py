"""Where the browser tests find Chromium and axe-core, and how they launch it (no Django here).

Shared by tests/browser and tests/security/test_browser_no_lost_work.py.
"""

import os
import shutil
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"

# Headless, and no network-reaching background features: no component updates, sync, default apps,
# first-run pings or background networking.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-default-apps",
]

# CI sets FSS_REQUIRE_BROWSER: a missing browser then fails the browser tests instead of skipping them.
REQUIRED = bool(os.environ.get("FSS_REQUIRE_BROWSER"))


def missing_browser(*, axe: bool = True) -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed"
    if CHROMIUM is None:
        return "no Chromium on this machine"
    if axe and not AXE.exists():
        return "axe-core is not installed (npm ci)"
    return None
