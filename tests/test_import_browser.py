"""The web import in a real Chromium, with the real worker (``manage.py db_worker``) in a
separate process against the test database: upload, preview, confirm, progress, result,
history, rollback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from monitoring.models import ImportBatch, Region
from tests.conftest import screenshot

pytestmark = pytest.mark.browser
# Playwright's sync API runs an event loop in this thread; the ORM calls here are plain sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(settings.BASE_DIR)
UTRECHT_2019 = (
    ROOT / "tests/data/cbs_kwb/kwb_utrecht_2019_2021_2023_2024/kwb2019_utrecht_odata_22cols.csv"
)


@pytest.fixture
def worker(demo_live):
    """``manage.py db_worker`` on the test database, as ``make run`` starts it beside the site."""
    parts = urlsplit(settings.DATABASE_URL)
    url = urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--interval",
            "0.2",
            "--no-startup-delay",
            "--no-reload",
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def test_an_administrator_imports_a_file_follows_it_and_rolls_it_back(demo_live, worker, page):
    base = demo_live.url
    page.goto(f"{base}/inloggen/?next=/import/")
    # Utrecht is not the demo beheerder's municipality: the site administrator imports it.
    page.fill("#id_login", "sitebeheerder")
    page.fill("#id_password", "site-demo-2024")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/import/")

    page.set_input_files("#id_file", str(UTRECHT_2019))
    page.click("text=Voorbeeld bekijken")
    page.wait_for_url("**/import/*/")
    assert page.inner_text("#nieuw") == "1.586"
    assert "122 nieuwe regio's" in page.inner_text("#samenvatting")
    screenshot(page, "import-preview")

    page.click("#inlezen")
    # The progress page polls with htmx until the worker is done, then goes to the result.
    page.wait_for_url("**/voortgang/")
    screenshot(page, "import-progress")
    page.wait_for_url("**/resultaat/", timeout=60_000)
    assert "Ingelezen: 1.586 nieuwe waarden" in page.inner_text("#uitkomst")
    screenshot(page, "import-result")
    batch = ImportBatch.objects.get(file_name=UTRECHT_2019.name)
    assert batch.status == ImportBatch.Status.APPLIED and batch.task_id
    assert Region.objects.filter(code="GM0344").exists()

    page.click("text=Naar de geschiedenis")
    row = page.locator(f"#import-{batch.pk}")
    assert "Ingelezen" in row.inner_text()
    screenshot(page, "import-history")
    row.locator("text=Terugdraaien").click()
    page.click("#bevestig-terugdraaien")
    page.wait_for_url("**/import/geschiedenis/")
    assert "Teruggedraaid: 1.586 waarden hersteld" in page.inner_text(".messages")
    assert "Teruggedraaid" in page.locator(f"#import-{batch.pk}").inner_text()
    screenshot(page, "import-rollback")
    assert not Region.objects.filter(code="GM0344").exists()
    assert page.console_errors == []
