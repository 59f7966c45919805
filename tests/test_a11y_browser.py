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
    pill that holds it (a radio in a pill)."""
    return page.evaluate(
        """(selector) => {
        const el = document.querySelector(selector);
        const holder = (el.matches('input') && el.closest('.pill')) || el;
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


@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("beleid", "/gemeente/GM0518/"),
        ("beleid", "/vergelijk/?wijk=WK051828&wijk=WK051801"),
        ("sociaalwerker", "/observaties/"),
        ("beheerder", "/gemeente/GM0518/beheer/gebruikers/nieuw/"),
    ],
)
def test_every_control_draws_a_focus_ring_of_at_least_two_pixels(demo_live, page, username, url):
    demo_scores_ensure()
    browser_login(page.context, demo_live.url, username)
    page.goto(f"{demo_live.url}{url}")
    seen = 0
    for _ in range(40):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => {
            const el = document.activeElement;
            if (el === document.body || el.closest('.figure')) return null;
            const holder = (el.matches('input') && el.closest('.pill')) || el;
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


# --- The compare picker --------------------------------------------------------------------------


def _tab_to(page, predicate_js: str, limit: int = 15, key: str = "Tab") -> int:
    """Press Tab (or ``key``) until the focused element passes ``predicate_js``; returns how
    many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if page.evaluate(f"(el => {predicate_js})(document.activeElement)"):
            return presses
    raise AssertionError(f"not reached in {limit} Tabs: {_focused(page)}")


def test_three_wards_are_chosen_on_the_compare_page_by_keyboard_only(site, page):
    page.goto(f"{site}/vergelijk/")
    # The skip link, then the search is the first control in the content.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    presses = _tab_to(page, "el.id === 'zoek-wijk'")
    assert presses <= 3, presses
    search = page.locator("#zoek-wijk")
    expect(search).to_have_attribute("role", "combobox")
    listbox = page.locator("#wijk-opties[role=listbox]")
    expect(listbox.locator("[role=option]")).to_have_count(44)

    page.keyboard.type("centrum")
    expect(listbox.locator("[role=option]")).to_have_count(1)
    active = search.get_attribute("aria-activedescendant")
    assert active == "optie-WK051828"
    page.keyboard.press("Enter")
    expect(page.locator("#optie-WK051828")).to_have_attribute("aria-selected", "true")
    expect(page.locator("[data-chips] .chip")).to_have_count(1)
    expect(page.locator("[data-picker-status]")).to_contain_text("Centrum toegevoegd")

    page.keyboard.press("Escape")
    expect(search).to_have_value("")
    page.keyboard.type("oost")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")  # back on the first result
    chosen = search.get_attribute("aria-activedescendant")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.keyboard.type("wk051838")
    page.keyboard.press("Enter")
    chips = page.locator("[data-chips] .chip")
    expect(chips).to_have_count(3)
    expect(page.locator("[data-chosen-count]")).to_have_text("3")
    expect(search).to_be_focused()
    screenshot(page, "a11y-vergelijk-kiezer")

    # A chip goes by keyboard too: its remove button, then focus on the next chip.
    _tab_to(page, "el.matches('[data-remove]')")
    removed = page.evaluate("document.activeElement.getAttribute('data-remove')")
    page.keyboard.press("Enter")
    expect(chips).to_have_count(2)
    assert page.evaluate("document.activeElement.matches('[data-remove]')")
    _tab_to(page, "el.id === 'zoek-wijk'", key="Shift+Tab")
    expect(search).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type(removed.lower())
    page.keyboard.press("Enter")
    expect(chips).to_have_count(3)

    _tab_to(page, "el.type === 'submit' && el.textContent.trim() === 'Vergelijk'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"(wijk=[^&]+&?.*){3}"))
    codes = re.findall(r"wijk=(WK\d+)", page.url)
    assert sorted(codes) == sorted(["WK051828", chosen.removeprefix("optie-"), "WK051838"])
    page.locator("#blok-radar svg.main-svg").first.wait_for(state="attached", timeout=20000)
    assert page.evaluate("document.querySelector('#blok-radar .figure').data.length") == 3
    # The page comes back with the three as chips, the listbox marking them chosen.
    expect(page.locator("[data-chips] .chip")).to_have_count(3)
    expect(page.locator("#wijk-opties [aria-selected=true]")).to_have_count(3)
    assert page.console_errors == []


def test_the_compare_picker_stops_at_six(site, page):
    codes = "&".join(
        f"wijk={c}" for c in ("WK051801", "WK051802", "WK051803", "WK051804", "WK051805")
    )
    page.goto(f"{site}/vergelijk/?{codes}")
    page.locator("#zoek-wijk").focus()
    page.keyboard.type("centrum")
    page.keyboard.press("Enter")
    expect(page.locator("[data-chips] .chip")).to_have_count(6)
    page.keyboard.press("Escape")
    page.keyboard.type("wk051838")
    page.keyboard.press("Enter")
    expect(page.locator("[data-chips] .chip")).to_have_count(6)
    expect(page.locator("[data-picker-status]")).to_contain_text("Hoogstens 6")


def test_the_compare_picker_works_without_javascript(demo_live, browser):
    demo_scores_ensure()
    context = browser.new_context(
        locale="nl-NL", viewport={"width": 1366, "height": 900}, java_script_enabled=False
    )
    try:
        browser_login(context, demo_live.url, "beleid")
        page = context.new_page()
        page.goto(f"{demo_live.url}/vergelijk/")
        expect(page.locator("#zoek-wijk")).to_be_hidden()
        boxes = page.locator("#wijkenlijst input[type=checkbox]")
        expect(boxes.first).to_be_visible()
        page.locator("#wijkenlijst input[value=WK051828]").check()
        page.locator("#wijkenlijst input[value=WK051801]").check()
        page.get_by_role("button", name="Vergelijk").click()
        page.wait_for_url(re.compile(r"wijk=WK051828.*wijk=WK051801|wijk=WK051801.*wijk=WK051828"))
        chips = page.locator("[data-chips] .chip")
        expect(chips).to_have_count(2)
        # A chip's remove link is a plain link to the same comparison without it.
        chips.first.locator("a.remove").click()
        expect(page.locator("[data-chips] .chip")).to_have_count(1)
    finally:
        context.close()


# --- Every main page: layout at 1024 and 1366 px, and axe ----------------------------------------

WIDTHS = (1024, 1366)
SIX = ("WK051828", "WK051801", "WK051838", "WK051807", "WK051808", "WK051829")


def _pages_for(role: str) -> list[str]:
    """The main pages this demo user works with."""
    from django.utils import timezone

    from initiatives.models import Initiative
    from monitoring.models import Region
    from observations.models import Observation

    buurt = Region.objects.filter(level="buurt", parent__code=WARD).order_by("code").first()
    initiative = Initiative.objects.filter(municipality__code="GM0518").order_by("pk").first()
    if role == "beleid":
        pages = [
            "/",
            "/gemeente/GM0518/",
            "/gemeente/GM0518/?niveau=buurt",
            f"/wijk/{WARD}/",
            f"/wijk/{WARD}/zekerheid/",
            "/vergelijk/?" + "&".join(f"wijk={c}" for c in SIX),
            "/indicatoren/?gemeente=GM0518",
            "/indicator/sez_laag_inkomen/?gemeente=GM0518",
            "/verandering/?gemeente=GM0518",
            "/gemeente/GM0518/sociale-basis/",
            "/gemeente/GM0518/initiatieven/",
        ]
        if buurt:
            pages.append(f"/buurt/{buurt.code}/")
        if initiative:
            pages.append(f"/gemeente/GM0518/initiatieven/{initiative.pk}/")
        return pages
    if role == "sociaalwerker":
        today = timezone.localdate()
        quarter = f"{today.year}-K{(today.month - 1) // 3 + 1}"
        pages = ["/observaties/", f"/observaties/wijk/WK051807/{quarter}/"]
        observation = (
            Observation.objects.filter(ward__code__in=("WK051807", "WK051808", "WK051829"))
            .order_by("pk")
            .first()
        )
        if observation:
            pages.append(f"/observaties/{observation.pk}/")
        return pages
    if role == "beheerder":
        pages = [
            "/import/",
            "/import/geschiedenis/",
            "/gemeente/GM0518/beheer/",
            "/gemeente/GM0518/beheer/gebruikers/",
            "/gemeente/GM0518/beheer/gebruikers/nieuw/",
            "/gemeente/GM0518/beheer/gebieden/",
            f"/gemeente/GM0518/beheer/gebieden/{WARD}/",
            "/logboek/GM0518/",
            "/observaties/gemeente/GM0518/",
            "/observaties/gemeente/GM0518/signalen/",
            "/gemeente/GM0518/initiatieven/nieuw/",
            "/gemeente/GM0518/initiatieven/importeren/",
            f"/import/{_import_preview_ready().pk}/",
        ]
        return pages
    raise ValueError(role)


def _import_preview_ready():
    """A web upload of a demo file by the demo beheerder, its preview made as the worker makes
    it (here, in this process)."""
    from django.contrib.auth import get_user_model

    from monitoring.demo import DEMO_DIR
    from monitoring.models import ImportBatch, Region
    from monitoring.services.imports import import_batch_run, import_upload

    name = "kwb2019_GM0518_odata.csv"
    batch = import_upload(
        data=(DEMO_DIR / name).read_bytes(),
        filename=name,
        period="2019",
        municipality=Region.objects.get(code="GM0518"),
        user=get_user_model().objects.get(username="beheerder"),
    )
    import_batch_run(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED, batch.status
    return batch


def _settled(page) -> None:
    """Wait until every chart on the page is drawn and nothing more loads."""
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-figure]:not([data-drawn])")).to_have_count(0, timeout=20000)
    page.wait_for_load_state("networkidle")


def _overflow(page) -> dict | None:
    """What sticks out of the page sideways, if anything: the page's own horizontal scroll."""
    return page.evaluate(
        """() => {
        const doc = document.documentElement;
        if (doc.scrollWidth <= doc.clientWidth + 1) return null;
        const wide = [];
        for (const el of document.querySelectorAll('body *')) {
            const box = el.getBoundingClientRect();
            if (box.right > doc.clientWidth + 1 && el.offsetParent !== null) {
                wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                          (el.className && el.className.baseVal === undefined
                           ? '.' + String(el.className).split(' ').join('.') : '') +
                          ' ' + Math.round(box.right));
            }
            if (wide.length > 6) break;
        }
        return {scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, wide};
    }"""
    )


def _serious(results) -> list[str]:
    found = []
    for violation in results.response["violations"]:
        if violation.get("impact") in ("serious", "critical"):
            targets = [", ".join(node["target"]) for node in violation["nodes"][:4]]
            found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return found


def _sweep(site: str, browser, role: str) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems: list[str] = []
    pages = _pages_for(role)
    for width in WIDTHS:
        context = browser.new_context(locale="nl-NL", viewport={"width": width, "height": 900})
        try:
            browser_login(context, site, role)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            for url in pages:
                response = page.goto(f"{site}{url}")
                if response.status != 200:
                    problems.append(f"{width}px {url}: status {response.status}")
                    continue
                _settled(page)
                overflow = _overflow(page)
                if overflow:
                    problems.append(f"{width}px {url}: page scrolls sideways {overflow}")
                    name = re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "home"
                    screenshot(page, f"breed-{width}-{name}")
                if width == WIDTHS[-1]:
                    problems += [f"axe {url}: {v}" for v in _serious(axe.run(page))]
            problems += [f"{width}px script error: {e}" for e in errors]
        finally:
            context.close()
    return problems


@pytest.mark.parametrize("role", ["beleid", "sociaalwerker", "beheerder"])
def test_main_pages_fit_at_1024_and_1366_and_pass_axe(demo_live, browser, role):
    demo_scores_ensure()
    problems = _sweep(demo_live.url, browser, role)
    assert problems == [], "\n".join(problems)
