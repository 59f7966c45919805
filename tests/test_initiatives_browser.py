"""In a real Chromium: a social worker enters an initiative, then finds it on the ward page and
counted in the municipality's sociale-basis matrix."""

from __future__ import annotations

import os

import pytest

from initiatives.models import Initiative
from tests.conftest import screenshot

pytestmark = pytest.mark.browser
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CONDITIONS = ["zekerheid", "inclusie", "cohesie", "empowerment"]


def _a_gap() -> tuple[str, str]:
    """A ward and condition of the demo that is a hiaat now (the gap rule, not a fixed code)."""
    from django.utils import timezone

    from initiatives.gaps import gap_matrix
    from initiatives.selectors import social_base
    from monitoring.models import Region

    data = social_base(
        municipality=Region.objects.get(code="GM0518"),
        method="basisjaar",
        period=None,
        today=timezone.localdate(),
    )
    matrix = gap_matrix(
        ward_ids=[w.id for w in data.wards],
        conditions=CONDITIONS,
        scores=data.scores,
        initiatives=[s.facts for s in data.initiatives],
        on=data.today,
    )
    codes = {w.id: w.code for w in data.wards}
    ward_id, condition = next(key for key, cell in sorted(matrix.items()) if cell.is_gap)
    return codes[ward_id], condition


def _cell(page, ward: str, condition_index: int):
    row = page.locator("table.matrix tbody tr", has=page.locator(f"text={ward}"))
    return row.locator("td").nth(condition_index)


def test_a_social_worker_enters_an_initiative_and_sees_it_on_the_ward_page_and_in_the_matrix(
    demo_live, page
):
    base = demo_live.url
    ward, condition = _a_gap()
    column = CONDITIONS.index(condition)
    page.goto(f"{base}/inloggen/?next=/gemeente/GM0518/sociale-basis/")
    page.fill("#id_login", "sociaalwerker")
    page.fill("#id_password", "wijkwerk-demo-2024")
    page.click("button[type=submit]")
    page.wait_for_url("**/sociale-basis/")
    inclusion = _cell(page, ward, column)
    assert inclusion.get_attribute("data-status") == "hiaat"
    assert "⚠ hiaat" in inclusion.inner_text()
    assert "0 actieve initiatieven" in inclusion.inner_text()

    page.goto(f"{base}/wijk/{ward}/")
    page.locator("#initiatieven a[href*='/initiatieven/nieuw/?wijk=']").first.click()
    page.wait_for_url("**/initiatieven/nieuw/?wijk=*")
    page.fill("#id_name", "Samen de wijk in")
    page.select_option("#id_kind", "activiteit")
    page.fill("#id_description", "Wekelijks samen op pad door de wijk.")
    assert page.locator(f"input[name=ward_codes][value={ward}]").is_checked()
    page.check(f"input[name=conditions][value={condition}]")
    page.check("input[name=target_groups][value=ouderen]")
    page.check("input[name=partner_kinds][value=bewoners]")
    page.fill("#id_contact_organisation", "Buurthuis De Wijk")
    page.click("button:has-text('Opslaan')")
    page.wait_for_url("**/initiatieven/*/")
    assert "Initiatief ‘Samen de wijk in’ is opgeslagen." in page.inner_text(".messages")
    screenshot(page, "initiative-entered")
    assert Initiative.objects.filter(name="Samen de wijk in", wards__code=ward).exists()

    page.goto(f"{base}/wijk/{ward}/")
    section = page.locator("#initiatieven")
    assert "Samen de wijk in" in section.inner_text()
    name = {
        "zekerheid": "Sociaaleconomische zekerheid",
        "inclusie": "Sociale inclusie",
        "cohesie": "Sociale cohesie",
        "empowerment": "Sociale empowerment",
    }[condition]
    inclusion_row = section.locator("tr", has=page.locator(f"th:has-text('{name}')"))
    assert "Samen de wijk in" in inclusion_row.inner_text()
    screenshot(page, "initiative-on-ward-page")

    page.goto(f"{base}/gemeente/GM0518/sociale-basis/")
    inclusion = _cell(page, ward, column)
    assert inclusion.get_attribute("data-status") == "laag, met initiatief"
    assert "1 actief initiatief" in inclusion.inner_text()
    assert "hiaat" not in inclusion.inner_text()
    screenshot(page, "initiative-in-matrix")
    assert page.console_errors == []
