"""Shared fixtures: users in each role around two organizations, and real-service helpers."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from tests.factories import (
    CaseFactory, CountyFactory, CoverageFactory, LiaisonFactory, MemberFactory, OrganizationFactory, PlanFactory,
    SupervisorFactory, UserFactory,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language: Django leaves active the language of the last request a thread
    served (a test's client call with Accept-Language: es), which would otherwise carry into the next test."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def county_a(db):
    return CountyFactory(name="Alameda", fips_code="06001")


@pytest.fixture
def county_b(db):
    return CountyFactory(name="Butte", fips_code="06007")


@pytest.fixture
def program_a(county_a):
    return OrganizationFactory(name="Alameda CCS", county=county_a)


@pytest.fixture
def program_b(county_b):
    return OrganizationFactory(name="Butte CCS", county=county_b)


@pytest.fixture
def plan_x(db):
    return PlanFactory(name="Plan X")


@pytest.fixture
def plan_y(db):
    return PlanFactory(name="Plan Y")


@pytest.fixture
def manager_a(program_a):
    return UserFactory(organization=program_a, username="manager_a")


@pytest.fixture
def supervisor_a(program_a, manager_a):
    supervisor = SupervisorFactory(organization=program_a, username="supervisor_a")
    manager_a.team.supervisor = supervisor
    manager_a.team.save()
    return supervisor


@pytest.fixture
def liaison_x(plan_x):
    return LiaisonFactory(organization=plan_x, username="liaison_x")


@pytest.fixture
def case_a(program_a, county_a, manager_a, plan_x):
    member = MemberFactory(county=county_a)
    CoverageFactory(member=member, plan=plan_x)
    return CaseFactory(member=member, organization=program_a, team=manager_a.team, primary_case_manager=manager_a)


@pytest.fixture
def case_b(program_b, county_b, plan_y):
    member = MemberFactory(county=county_b)
    CoverageFactory(member=member, plan=plan_y)
    return CaseFactory(member=member, organization=program_b)


def requires_postgres():
    return pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL (set DATABASE_URL); CI always provides it",
    )


def redis_cache_url() -> str:
    """A Redis database of its own (not the broker's), on the broker's server: like the worker tests,
    the tests of the Redis cache run against the real Redis the test settings name."""
    return settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + "/13"


def audit_write_queries() -> int:
    """Statements a request's audit write runs (carecoord.audit.access.write_events): one on PostgreSQL; on
    SQLite savepoint, chain head lock, event INSERT, head UPDATE and release."""
    return 1 if connection.vendor == "postgresql" else 5


def service_env() -> dict[str, str]:
    """Environment for a child process (worker, beat) that must see the test database."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "carecoord.settings.test"
    if db["ENGINE"].endswith("postgresql"):
        host = db.get("HOST") or "127.0.0.1"
        port = db.get("PORT") or 5432
        user = db.get("USER") or "postgres"
        env["DATABASE_URL"] = f"postgres://{user}@{host}:{port}/{connection.settings_dict['NAME']}"
    env["CELERY_BROKER_URL"] = settings.CELERY_BROKER_URL
    return env


class WorkerProcess:
    """A real ``celery worker`` subprocess on the configured broker."""

    def __init__(self, *, concurrency: int = 2, queues: str = "celery", extra_args: tuple[str, ...] = ()):
        self.args = [sys.executable, "-m", "celery", "-A", "carecoord", "worker", "--loglevel=WARNING",
                     f"--concurrency={concurrency}", "-Q", queues, "--without-gossip", "--without-mingle",
                     "--without-heartbeat", *extra_args]
        self.proc: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        self.proc = subprocess.Popen(self.args, cwd=ROOT, env=service_env(), start_new_session=True)
        return self

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def celery_worker_process():
    """Start real worker processes; each is stopped at teardown."""
    started: list[WorkerProcess] = []

    def start(**kwargs) -> WorkerProcess:
        worker = WorkerProcess(**kwargs).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def wait_until(predicate, *, timeout: float = 60, interval: float = 0.2, message: str = "condition"):
    """Poll for an outcome produced by another process (not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message}")


# --- Real headless Chromium (Debian's package, never a downloaded browser) ---------------------------
# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a thread
# with a running loop unless told it is safe (the browser tests' setup uses the ORM).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def _no_media_urls():
    """MEDIA_URL is None on purpose (documents stream through an access-checked view); Django's live
    server would still try to serve media by URL and fails on None. Nothing is served that way."""
    from django.test import testcases

    original = testcases._MediaFilesHandler._should_handle
    testcases._MediaFilesHandler._should_handle = lambda self, path: False
    yield
    testcases._MediaFilesHandler._should_handle = original


@pytest.fixture(scope="session")
def browser(_no_media_urls):
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
