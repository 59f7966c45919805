"""The dashboards in a real Chromium: charts drawn, htmx swaps, map clicks, the drill-down sum."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from monitoring.models import Role
from tests.conftest import browser_login, member, screenshot
from tests.test_dashboard_fixtures import demo_scores_ensure, synthetic_municipality

pytestmark = pytest.mark.browser

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures here
# are ordinary blocking calls, not from a coroutine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

WARD = "WK051828"


@pytest.fixture
def site(demo_live, page):
    """The demo on a live server, with ``page`` logged in as its beleidsmedewerker."""
    demo_scores_ensure()
    browser_login(page.context, demo_live.url, "beleid")
    return demo_live.url


def _drawn(page, minimum: int = 1) -> None:
    # Locators, not wait_for_function: polling a predicate needs eval, which our CSP forbids.
    page.locator("svg.main-svg").nth(minimum - 1).wait_for(state="attached", timeout=20000)


def _number(text: str) -> float:
    return float(text.strip().replace(".", "").replace(",", "."))


def test_municipality_page_draws_and_switches_with_htmx(site, page):
    page.goto(f"{site}/gemeente/GM0518/")
    _drawn(page, 2)
    assert page.locator("#blok-kaart svg.main-svg").count() >= 1
    assert page.locator("#blok-trends svg.main-svg").count() >= 1
    screenshot(page, "dashboard-gemeente")
    page.evaluate("window.__marker = 'zelfde pagina'")

    page.locator("label.pill", has_text="Inclusie").click()
    page.wait_for_url(re.compile(r"conditie=inclusie"))
    expect(page.locator("#blok-kaart h2")).to_contain_text("inclusie")
    _drawn(page, 2)
    assert page.evaluate("window.__marker") == "zelfde pagina"

    page.select_option("select[name=methode]", "zscore")
    page.wait_for_url(re.compile(r"methode=zscore"))
    _drawn(page, 2)
    assert page.evaluate("window.__marker") == "zelfde pagina"
    assert "conditie=inclusie" in page.url
    assert page.console_errors == []


def test_period_switch_swaps_the_fragment(site, page):
    page.goto(f"{site}/wijk/{WARD}/")
    _drawn(page, 2)
    screenshot(page, "dashboard-wijk")
    page.evaluate("window.__marker = 1")
    options = page.locator("select[name=periode] option").all_inner_texts()
    other = (
        next(p for p in options if p not in page.url and p != options[-1])
        if len(options) > 1
        else None
    )
    if other:
        page.select_option("select[name=periode]", other)
        page.wait_for_url(re.compile(rf"periode={other}"))
        expect(page.locator("#titel-scores")).to_contain_text(other)
        assert page.evaluate("window.__marker") == 1
    assert page.console_errors == []


def test_the_breakdown_section_loads_when_it_comes_into_view(site, page):
    page.goto(f"{site}/wijk/{WARD}/?periode=2019")
    _drawn(page, 2)
    page.locator("#opbouw").scroll_into_view_if_needed()
    expect(page.locator("#opbouw details")).to_have_count(4, timeout=10000)
    assert page.locator("#opbouw [hx-get]").count() == 0
    page.locator("#opbouw details summary").first.click()
    expect(page.locator("#opbouw details table").first).to_be_visible()
    screenshot(page, "dashboard-wijk-opbouw")
    assert page.console_errors == []


def test_clicking_a_ward_on_the_map_opens_its_page(site, page):
    page.goto(f"{site}/gemeente/GM0518/")
    _drawn(page, 2)
    # The map is a filled polygon per ward; click in the middle of the 'Centrum' polygon.
    point = page.evaluate(
        """() => {
        const gd = document.querySelector('#blok-kaart .figure');
        const trace = gd.data.findIndex(t => t.meta && t.meta.code === 'WK051828');
        const t = gd.data[trace];
        const xs = t.x.filter(v => v !== null), ys = t.y.filter(v => v !== null);
        const x = xs.reduce((a, b) => a + b) / xs.length, y = ys.reduce((a, b) => a + b) / ys.length;
        const fl = gd._fullLayout, box = gd.querySelector('.nsewdrag').getBoundingClientRect();
        return [box.left + fl.xaxis.l2p(x), box.top + fl.yaxis.l2p(y)];
    }"""
    )
    page.mouse.move(point[0], point[1])
    page.mouse.click(point[0], point[1])
    page.wait_for_url(re.compile(r"/wijk/WK051828/"), timeout=10000)
    _drawn(page, 2)
    assert page.console_errors == []


def test_drill_down_numbers_add_up_to_the_score(site, page):
    page.goto(f"{site}/wijk/{WARD}/zekerheid/")
    _drawn(page, 1)
    screenshot(page, "dashboard-opbouw")
    score = _number(page.locator("#score").inner_text())
    contributions = [
        _number(text)
        for text in page.locator("#rekensom tbody td.contribution").all_inner_texts()
        if text.strip() not in ("", "–")
    ]
    assert len(contributions) >= 2
    # Shown with two decimals: the rounded parts add up to the score within rounding.
    assert sum(contributions) == pytest.approx(score, abs=0.005 * len(contributions) + 0.005)
    assert _number(page.locator("#som").inner_text()) == pytest.approx(score, abs=0.006)
    assert page.console_errors == []


def test_compare_three_wards_draws_three_traces(site, page):
    page.goto(f"{site}/vergelijk/?wijk=WK051828&wijk=WK051801&wijk=WK051838")
    _drawn(page, 2)
    traces = page.evaluate("document.querySelector('#blok-radar .figure').data.length")
    assert traces == 3
    assert page.locator("#blok-radar .legend .traces").count() == 3
    screenshot(page, "dashboard-vergelijk")
    # One click adds a similar ward.
    page.locator("a.add").first.click()
    page.wait_for_url(re.compile(r"(wijk=[^&]+&?){4}"))
    expect(page.locator("#blok-radar .legend .traces")).to_have_count(4)
    assert page.console_errors == []


def test_compare_picker_filters_and_submits(site, page):
    page.goto(f"{site}/vergelijk/")
    page.fill("#zoek-wijk", "centrum")
    options = page.locator("#wijk-opties [role=option]")
    assert options.count() >= 1
    options.first.click()
    page.fill("#zoek-wijk", "oostduinen")
    page.locator("#wijk-opties [role=option]").first.click()
    page.get_by_role("button", name="Vergelijk").click()
    page.wait_for_url(re.compile(r"wijk=WK051828.*wijk=WK051801|wijk=WK051801.*wijk=WK051828"))
    _drawn(page, 2)
    assert page.console_errors == []


def test_indicator_page_draws_map_distribution_and_trend(site, page):
    page.goto(f"{site}/indicator/sez_laag_inkomen/?gemeente=GM0518")
    _drawn(page, 3)
    for block in ("kaart", "verdeling", "trend"):
        assert page.locator(f"#blok-{block} svg.main-svg").count() >= 1
    screenshot(page, "dashboard-indicator")
    assert page.console_errors == []


def test_change_page_draws_the_map_and_switches_periods(site, page):
    # The demo has scores for one year only; a synthetic municipality has three.
    municipality = synthetic_municipality(code="GM9913", wards=16)
    member(Role.POLICY_OFFICER, municipality, username="bea")
    browser_login(page.context, site, "bea")
    page.goto(f"{site}/verandering/?gemeente=GM9913&van=2019&tot=2021")
    _drawn(page, 1)
    assert page.locator("#blok-kaart svg.main-svg").count() >= 1
    assert page.locator("#blok-kaart table caption").count() == 1
    screenshot(page, "dashboard-verandering")
    page.evaluate("window.__marker = 'blijft'")
    page.select_option("select[name=van]", "2020")
    page.wait_for_url(re.compile(r"van=2020"))
    expect(page.locator("#blok-kaart caption")).to_contain_text("tussen 2020 en 2021")
    assert page.evaluate("window.__marker") == "blijft"
    assert page.console_errors == []


def test_change_page_for_the_demo_asks_for_two_periods(site, page):
    page.goto(f"{site}/verandering/?gemeente=GM0518")
    assert page.locator(".notice, .empty").count() >= 1
    assert page.console_errors == []


def test_no_external_requests_are_made(site, page):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{site}/gemeente/GM0518/")
    _drawn(page, 2)
    page.wait_for_load_state("networkidle")
    assert requests and all(r.startswith(site) for r in requests), requests


def test_tables_and_summaries_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False, locale="nl-NL")
    browser_login(context, site, "beleid")
    page = context.new_page()
    try:
        for url in (
            "/gemeente/GM0518/",
            f"/wijk/{WARD}/",
            f"/wijk/{WARD}/zekerheid/",
            "/vergelijk/?wijk=WK051828&wijk=WK051801",
            "/indicator/sez_laag_inkomen/?gemeente=GM0518",
        ):
            page.goto(f"{site}{url}")
            assert page.locator("table caption").count() >= 1, url
            assert page.locator("p.summary").count() >= 1, url
            assert page.locator("svg.main-svg").count() == 0
        # The form still works: a plain GET submit changes the condition.
        page.goto(f"{site}/gemeente/GM0518/")
        page.locator("label.pill", has_text="Empowerment").click()
        page.get_by_role("button", name="Toon").click()
        page.wait_for_url(re.compile(r"conditie=empowerment"))
        assert "Sociale empowerment" in page.locator("#blok-kaart").inner_text()
        screenshot(page, "dashboard-gemeente-zonder-js")
    finally:
        context.close()


def _chart_heights(page) -> dict[str, float]:
    return page.evaluate(
        """() => Object.fromEntries(Array.from(document.querySelectorAll('.figure[data-drawn]'))
            .map(el => [el.dataset.figure, el.getBoundingClientRect().height]))"""
    )


def test_charts_come_back_to_their_height_after_a_resize_and_never_spill(site, page):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{site}/wijk/{WARD}/?periode=2019")
    _drawn(page, 2)
    before = _chart_heights(page)
    wanted = page.evaluate(
        """() => Object.fromEntries(Array.from(document.querySelectorAll('.figure[data-drawn]'))
            .map(el => [el.dataset.figure, Number(el.dataset.height)]))"""
    )
    assert before and all(abs(before[k] - wanted[k]) <= 2 for k in before), (before, wanted)

    page.set_viewport_size({"width": 700, "height": 900})
    page.wait_for_timeout(600)
    # Narrow: every chart redrawn to its box, nothing wider than its container.
    overflow = page.evaluate(
        """() => Array.from(document.querySelectorAll('.figure[data-drawn]')).filter(el => {
            const svg = el.querySelector('svg.main-svg');
            return svg && svg.getBoundingClientRect().width > el.getBoundingClientRect().width + 1;
        }).map(el => el.dataset.figure)"""
    )
    assert overflow == []

    page.set_viewport_size({"width": 1366, "height": 900})
    page.wait_for_timeout(600)
    after = _chart_heights(page)
    assert after == pytest.approx(before, abs=2)
    plotted = page.evaluate(
        "() => Array.from(document.querySelectorAll('.figure[data-drawn]'))"
        ".map(el => el._fullLayout.height)"
    )
    assert all(h > 300 for h in plotted), plotted  # not collapsed to the 300 px minimum
    assert page.console_errors == []
