"""Keyboard, focus, layout and axe in a real Chromium: every main page used without a mouse, at
the widths of a policy officer's laptop (1024 and 1366 px), with the matching role."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login, screenshot
from tests.test_dashboard_fixtures import demo_scores_ensure

pytestmark = pytest.mark.browser
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

WARD = "WK051828"


@pytest.fixture
def site(demo_live, page):
    demo_scores_ensure()
    browser_login(page.context, demo_live.url, "beleid")
    return demo_live.url


def _focused(page) -> dict:
    return page.evaluate(
        """() => {
        const el = document.activeElement;
        return {tag: el.tagName.toLowerCase(), name: el.getAttribute('name'), value: el.value,
                id: el.id, text: (el.textContent || '').trim().slice(0, 60),
                inFooter: !!el.closest('footer')};
    }"""
    )


def _ring_width(page, selector: str) -> float:
    """The width of the focus ring drawn for the focused control: its own outline, or that of the
    pill or chip that holds it."""
    return page.evaluate(
        """(selector) => {
        const el = document.querySelector(selector);
        const holder = el.closest('.pill, .chip') || el;
        const style = getComputedStyle(holder);
        return style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth);
    }""",
        selector,
    )


def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_content(site, page):
    page.goto(f"{site}/gemeente/GM0518/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Naar de inhoud")
    assert skip.bounding_box()["x"] >= 0  # shown on screen while focused
    page.keyboard.press("Enter")
    expect(page.locator("main#inhoud")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_focus_stays_on_the_condition_after_switching_it_with_the_arrow_keys(site, page):
    page.goto(f"{site}/gemeente/GM0518/")
    page.locator("svg.main-svg").first.wait_for(state="attached", timeout=20000)
    checked = page.locator("input[name=conditie]:checked")
    start = checked.get_attribute("value")
    checked.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_url(re.compile(r"conditie="))
    page.wait_for_url(lambda url: f"conditie={start}" not in url)
    # The swap has happened when the map title names the new condition.
    now = page.locator("input[name=conditie]:checked").get_attribute("value")
    assert now != start
    page.locator("#dashboard:not(.htmx-request)").wait_for()
    expect(page.locator(f"input[name=conditie][value={now}]")).to_be_focused()
    assert _ring_width(page, f"input[name=conditie][value={now}]") >= 2
    # Again, now that the focused control is a fresh element from the swap.
    page.keyboard.press("ArrowRight")
    page.wait_for_url(lambda url: f"conditie={now}" not in url)
    page.locator("#dashboard:not(.htmx-request)").wait_for()
    focused = _focused(page)
    assert focused["name"] == "conditie" and not focused["inFooter"], focused
    # The next Tab goes on in the form, not to the footer.
    page.keyboard.press("Tab")
    focused = _focused(page)
    assert not focused["inFooter"] and focused["tag"] != "body", focused
    assert focused["name"] in ("periode", "niveau"), focused
    screenshot(page, "a11y-focus-na-wissel")
    assert page.console_errors == []


def test_focus_stays_on_the_period_select_after_a_swap(site, page):
    page.goto(f"{site}/gemeente/GM0518/?niveau=wijk")
    page.locator("svg.main-svg").first.wait_for(state="attached", timeout=20000)
    page.locator("input[name=niveau]:checked").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_url(lambda url: "niveau=wijk" not in url)
    page.locator("#dashboard:not(.htmx-request)").wait_for()
    focused = _focused(page)
    assert focused["name"] == "niveau", focused
    assert page.console_errors == []


def test_every_control_draws_a_focus_ring_of_at_least_two_pixels(site, page):
    page.goto(f"{site}/gemeente/GM0518/")
    seen = 0
    for _ in range(40):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => {
            const el = document.activeElement;
            if (el === document.body || el.closest('.figure')) return null;
            const holder = el.closest('.pill, .chip') || el;
            const style = getComputedStyle(holder);
            return {what: el.outerHTML.slice(0, 80),
                    width: style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth)};
        }"""
        )
        if info is None:
            continue
        seen += 1
        assert info["width"] >= 2, info
    assert seen >= 10
