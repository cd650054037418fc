"""Helpers for the browser journeys: signing in and the axe-core accessibility check.

The Chromium fixtures (``browser``, ``page``) live in ``tests/conftest.py`` so that every
browser test shares one Playwright instance (its sync API allows one per thread).
"""
import re
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent.parent
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE_SOURCE = ROOT / "static" / "vendor" / "axe.min.js"
PASSWORD = "correct-horse-battery"


def log_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label(re.compile("^(Username|Nombre de usuario)")).fill(username)
    page.get_by_label(re.compile("^(Password|Contraseña)")).fill(password)
    page.get_by_label(re.compile("^(Password|Contraseña)")).press("Enter")
    page.wait_for_url(re.compile(r"/$"))


def wait_until_settled(page) -> None:
    """Wait for htmx's request, swap and settle to end. Content htmx swaps in is bound (its ``hx-post`` and
    the rest) as it settles, 20 ms after the swap: a form submitted before then is submitted by the browser
    itself, a whole page load, as no person types that fast."""
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def check_accessibility(page, name: str) -> None:
    """axe-core WCAG 2.1 A/AA rules: no serious or critical violation. Saves a screenshot for review."""
    wait_until_settled(page)  # the settled page, not a swap in flight (indicators fade, content is replaced)
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
