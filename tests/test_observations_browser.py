"""An observation from start to dashboard, in a real Chromium: a social worker logs in, fills in
the form, saves a draft and submits; a coordinator accepts; the ward page shows the practice
point, the signal and the quote."""

from __future__ import annotations

import json
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import ARTIFACTS, screenshot
from tests.test_dashboard_fixtures import demo_scores_ensure

pytestmark = pytest.mark.browser
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

WARD = "WK051807"  # Scheveningen, assigned to the demo social worker
QUOTE = "Rond de haven zoeken meer jonge gezinnen hulp bij de energierekening."


@pytest.fixture
def site(demo_live):
    demo_scores_ensure()
    return demo_live.url


def _log_in(page, site: str, username: str, password: str) -> None:
    page.goto(f"{site}/inloggen/")
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _log_out(page) -> None:
    page.click("text=Uitloggen")
    page.wait_for_load_state()


def test_an_observation_goes_from_the_form_to_the_ward_dashboard(site, page):
    today = timezone.localdate()
    quarter = f"{today.year}-K{(today.month - 1) // 3 + 1}"

    _log_in(page, site, "sociaalwerker", "wijkwerk-demo-2024")
    page.click("nav >> text=Observaties")
    page.click(f"a[href='/observaties/wijk/{WARD}/{quarter}/']")
    expect(page.locator("h1")).to_contain_text(f"Observatie Wijk 07 Scheveningen, {quarter}")

    # Save a draft with only part of it filled in.
    page.check("input[name=zekerheid_rating][value='1']")
    page.check("input[name=zekerheid_direction][value=verslechterd]")
    page.fill("textarea[name=zekerheid_narrative]", QUOTE)
    page.select_option("label:has-text('Geldzorgen en schulden') select", "3")
    page.click("button[value=opslaan]")
    expect(page.locator(".messages")).to_contain_text("Concept opgeslagen (versie 1)")

    # Complete and submit.
    for condition, rating in (("inclusie", "3"), ("cohesie", "2"), ("empowerment", "0")):
        page.check(f"input[name={condition}_rating][value='{rating}']")
    page.check("input[name=inclusie_direction][value=gelijk]")
    page.check("input[name=cohesie_direction][value=verslechterd]")
    page.fill("#id_residents_reached", "35")
    page.check("input[name=sources][value=spreekuur]")
    screenshot(page, "observatie-formulier")
    page.click("button[value=indienen]")
    expect(page.locator(".messages")).to_contain_text("is ingediend")
    expect(page.locator(".lead")).to_contain_text("Ingediend")
    _log_out(page)

    # A coordinator accepts it.
    _log_in(page, site, "beheerder", "beheer-demo-2024")
    page.goto(f"{site}/observaties/gemeente/GM0518/?kwartaal={quarter}")
    page.click("a:has-text('Beoordelen'):has-text('Scheveningen')")
    page.click("button:has-text('Accepteren')")
    expect(page.locator(".messages")).to_contain_text("Status is nu ‘geaccepteerd’")
    expect(page.locator("#titel-geschiedenis + ol")).to_contain_text("Status: geaccepteerd")

    # The ward dashboard shows the practice point, the signal and the quote.
    page.goto(f"{site}/wijk/{WARD}/")
    section = page.locator("#observaties")
    expect(section).to_contain_text(QUOTE)
    expect(section.locator("table").first).to_contain_text("Geldzorgen en schulden")
    expect(section).to_contain_text(f"sterk onder druk (1,0; 1 observatie) in {quarter}")
    figure = json.loads(page.locator("#figuur-trend").text_content())
    zekerheid = next(t for t in figure["data"] if t["name"] == "Zekerheid – praktijkscore")
    assert zekerheid["x"][-1] == quarter and zekerheid["y"][-1] == 1
    page.locator("#blok-trend svg.main-svg").first.wait_for(state="attached", timeout=20000)
    screenshot(page, "observatie-wijkpagina")
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#blok-trend").screenshot(path=str(ARTIFACTS / "observatie-trend.png"))
    assert page.console_errors == []
