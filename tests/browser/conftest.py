"""Real headless Chromium (Debian's package, never a downloaded browser) against the live test server.

Playwright's sync API runs an event loop in this thread; Django refuses ORM calls
from a thread with a running loop unless told it is safe (the test setup uses the ORM).
"""
import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE_SOURCE = ROOT / "static" / "vendor" / "axe.min.js"
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session", autouse=True)
def _no_media_urls():
    """MEDIA_URL is None on purpose (documents stream through an access-checked view); Django's live
    server would still try to serve media by URL and fails on None. Nothing is served that way."""
    from django.test import testcases

    original = testcases._MediaFilesHandler._should_handle
    testcases._MediaFilesHandler._should_handle = lambda self, path: False
    yield
    testcases._MediaFilesHandler._should_handle = original


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (set CHROMIUM_PATH; CI installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    # bypass_csp lets the test inject axe-core; the application itself never runs inline scripts.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860}, bypass_csp=True,
                                  locale="en-US", timezone_id="America/Los_Angeles")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    context.close()


def log_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label(re.compile("^(Username|Nombre de usuario)")).fill(username)
    page.get_by_label(re.compile("^(Password|Contraseña)")).fill(password)
    page.get_by_label(re.compile("^(Password|Contraseña)")).press("Enter")
    page.wait_for_url(re.compile(r"/$"))


def check_accessibility(page, name: str) -> None:
    """axe-core WCAG 2.1 A/AA rules: no serious or critical violation. Saves a screenshot for review."""
    # Check the settled page, not a swap in flight (indicators fade, content is replaced).
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    page.evaluate(AXE_SOURCE.read_text())
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                                              resultTypes: ['violations']})"""
    )
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"accessibility violations on {name}:\n" + "\n".join(bad)
