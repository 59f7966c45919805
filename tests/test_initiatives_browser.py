"""In a real Chromium: a social worker enters an initiative, then finds it on the ward page and
counted in the municipality's sociale-basis matrix."""

from __future__ import annotations

import os

import pytest

from initiatives.models import Initiative
from tests.conftest import screenshot

pytestmark = pytest.mark.browser
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

WARD = "WK051841"  # Hoornwijk: inclusie below 90 and, in the demo, no initiative working on it


def _cell(page, ward: str, condition_index: int):
    row = page.locator("table.matrix tbody tr", has=page.locator(f"text={ward}"))
    return row.locator("td").nth(condition_index)


def test_a_social_worker_enters_an_initiative_and_sees_it_on_the_ward_page_and_in_the_matrix(
    demo_live, page
):
    base = demo_live.url
    page.goto(f"{base}/inloggen/?next=/gemeente/GM0518/sociale-basis/")
    page.fill("#id_login", "sociaalwerker")
    page.fill("#id_password", "wijkwerk-demo-2024")
    page.click("button[type=submit]")
    page.wait_for_url("**/sociale-basis/")
    inclusion = _cell(page, WARD, 1)
    assert inclusion.get_attribute("data-status") == "hiaat"
    assert "⚠ hiaat" in inclusion.inner_text()
    assert "0 actieve initiatieven" in inclusion.inner_text()

    page.goto(f"{base}/wijk/{WARD}/")
    page.locator("#initiatieven").get_by_role("link", name="nieuw initiatief").click()
    page.wait_for_url("**/initiatieven/nieuw/?wijk=*")
    page.fill("#id_name", "Samen de wijk in")
    page.select_option("#id_kind", "activiteit")
    page.fill("#id_description", "Wekelijks samen op pad door Hoornwijk.")
    assert page.locator(f"input[name=ward_codes][value={WARD}]").is_checked()
    page.check("input[name=conditions][value=inclusie]")
    page.check("input[name=target_groups][value=ouderen]")
    page.check("input[name=partner_kinds][value=bewoners]")
    page.fill("#id_contact_organisation", "Buurthuis Hoornwijk")
    page.click("button:has-text('Opslaan')")
    page.wait_for_url("**/initiatieven/*/")
    assert "Initiatief ‘Samen de wijk in’ is opgeslagen." in page.inner_text(".messages")
    screenshot(page, "initiative-entered")
    assert Initiative.objects.filter(name="Samen de wijk in", wards__code=WARD).exists()

    page.goto(f"{base}/wijk/{WARD}/")
    section = page.locator("#initiatieven")
    assert "Samen de wijk in" in section.inner_text()
    inclusion_row = section.locator("tr", has=page.locator("th:has-text('Sociale inclusie')"))
    assert "Samen de wijk in" in inclusion_row.inner_text()
    screenshot(page, "initiative-on-ward-page")

    page.goto(f"{base}/gemeente/GM0518/sociale-basis/")
    inclusion = _cell(page, WARD, 1)
    assert inclusion.get_attribute("data-status") == "laag, met initiatief"
    assert "1 actief initiatief" in inclusion.inner_text()
    assert "hiaat" not in inclusion.inner_text()
    screenshot(page, "initiative-in-matrix")
    assert page.console_errors == []
