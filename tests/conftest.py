"""Shared test set-up: the canonical dataset, the demo, and a real Chromium for browser tests."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

DATA = Path(__file__).parent / "data"

# Property tests are deterministic in the suite (the same examples every run), so CI never fails
# on a draw that no developer saw; `pytest --hypothesis-profile=explore` searches afresh.
hypothesis_settings.register_profile("suite", derandomize=True, deadline=None)
hypothesis_settings.register_profile("explore", deadline=None, max_examples=1000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture
def framework(db):
    """The default indicator framework, as `make run` installs it."""
    from django.conf import settings

    from monitoring.services import framework_install

    framework_install(path=Path(settings.BASE_DIR) / "fixtures" / "indicator_framework.json")


def _ensure_demo(django_db_blocker) -> None:
    from monitoring.demo import demo_load
    from monitoring.models import Region
    from tests.demo_snapshot import snapshot_restore, snapshot_take

    with django_db_blocker.unblock():
        # Tests on a live server flush the database afterwards; the demo comes back from the
        # copy taken when it was first loaded (tests/demo_snapshot.py).
        if Region.objects.filter(code="GM0518").exists() or snapshot_restore():
            return
        demo_load()
        snapshot_take()


@pytest.fixture
def _demo_committed(django_db_setup, django_db_blocker):
    _ensure_demo(django_db_blocker)


@pytest.fixture
def demo(_demo_committed, db):
    """The demo municipality, committed once and shared; each test's own writes roll back.
    Use this fixture instead of the django_db mark (the mark would open the test's
    transaction before the demo is loaded)."""
    return None


@pytest.fixture
def demo_live(_demo_committed, transactional_db, live_server):
    """The demo on a live server for browser tests (the database is flushed afterwards)."""
    return live_server


# --- Users and roles ---------------------------------------------------------------------------


def member(role: str, *municipalities, username: str, is_coordinator: bool = False):
    """A user with ``role`` in each of these municipalities (Region rows)."""
    from django.contrib.auth import get_user_model

    from monitoring.models import Membership

    user = get_user_model().objects.create_user(username, password="geheim-wachtwoord-1")
    for municipality in municipalities:
        Membership.objects.create(
            user=user, municipality=municipality, role=role, is_coordinator=is_coordinator
        )
    return user


@pytest.fixture
def beleid_client(client, demo):
    """A client logged in as the demo's beleidsmedewerker of 's-Gravenhage."""
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="beleid"))
    return client


# --- Browser ---------------------------------------------------------------------------------


def _chromium_missing_reason() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        return f"Chromium niet gevonden op {CHROMIUM} (installeer met: apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright (Python) is niet geïnstalleerd"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _chromium_missing_reason()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Browsertests zijn verplicht in CI, maar: {reason}")
        print(f"\nBrowsertests overgeslagen: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="nl-NL", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    yield page
    context.close()


def browser_login(context, base_url: str, username: str) -> None:
    """Log a browser context in as this user: a session made by the test client, as a cookie."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def pytest_collection_modifyitems(config, items):
    """Run tests in three groups: on an empty database first, then on the committed demo, then
    on a live server (whose teardown empties the database). Tests that expect an empty
    database never see the demo, and the demo is loaded once for the middle group."""

    def group(item) -> int:
        names = set(getattr(item, "fixturenames", ()))
        if names & {"live_server", "demo_live"}:
            return 2
        if names & {"demo", "_demo_committed"}:
            return 1
        return 0

    items.sort(key=group)  # sort is stable: the order within each group is kept


def pytest_sessionstart(session):
    """Drop test databases left by killed test runs on the embedded server.

    Each test process has its own database (``test_socialquality_<pid>``, with ``_gw<n>`` behind
    it in a worker of pytest-xdist); one whose process is gone was left by a run that was
    stopped. Only on the embedded server: on a shared server named by DATABASE_URL another
    machine's process ids mean nothing here.
    """
    from django.conf import settings

    if not settings.USING_EMBEDDED_DATABASE or os.environ.get("TEST_DATABASE_NAME"):
        return
    import psutil
    import psycopg
    from psycopg.conninfo import make_conninfo

    # Straight through psycopg: pytest-django blocks the ORM outside tests.
    maintenance = make_conninfo(settings.DATABASE_URL, dbname="postgres")
    with psycopg.connect(maintenance, autocommit=True) as connection:
        names = connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'test_socialquality_%'"
        ).fetchall()
        for (name,) in names:
            found = re.fullmatch(r"test_socialquality_(\d+)(?:_gw\d+)?", name)
            if found and not psutil.pid_exists(int(found[1])):
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
