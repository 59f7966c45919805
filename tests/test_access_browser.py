"""The public site in a real Chromium: a published municipality shows its scores and nothing
private to a visitor who is not logged in; an unpublished one sends them to the login page."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.shortcuts import resolve_url

from access.models import MunicipalityAccess
from initiatives.models import Initiative
from monitoring.models import Region
from tests.conftest import browser_login, screenshot
from tests.test_dashboard_fixtures import demo_scores_ensure

pytestmark = pytest.mark.browser
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

WARD = "WK051828"
PRIVATE = ("Stichting Buurtkamer Centrum", "buurtkamer@example.org", "070-1234567")


@pytest.fixture
def site(demo_live):
    demo_scores_ensure()
    ward = Region.objects.get(code=WARD)
    initiative = Initiative.objects.create(
        municipality=ward.municipality,
        name="Buurtkamer Centrum",
        contact_organisation=PRIVATE[0],
        contact_email=PRIVATE[1],
        contact_phone=PRIVATE[2],
    )
    initiative.wards.add(ward)
    return demo_live.url


def test_a_published_municipality_shows_scores_and_nothing_private_to_the_public(site, page):
    assert MunicipalityAccess.objects.get(municipality__code="GM0518").is_published
    # Two published demo municipalities: the home page lists them, each dashboard is public.
    page.goto(f"{site}/")
    assert "/gemeente/GM0518/" in page.content() and "/gemeente/GM0363/" in page.content()
    for url in (
        "/gemeente/GM0518/",
        f"/wijk/{WARD}/",
        f"/wijk/{WARD}/zekerheid/",
        "/vergelijk/?wijk=WK051828&wijk=WK051801",
        "/indicator/sez_laag_inkomen/?gemeente=GM0518",
    ):
        response = page.goto(f"{site}{url}")
        assert response.status == 200 and page.url == f"{site}{url}", url
        text = page.inner_text("body")
        assert "Openbare weergave" in text, url
        assert not any(secret in text for secret in PRIVATE), url
        assert not any(secret in page.content() for secret in PRIVATE), url
        assert page.locator("#observaties, #initiatieven").count() == 0, url
    page.goto(f"{site}/wijk/{WARD}/")
    page.locator("svg.main-svg").first.wait_for(state="attached", timeout=20000)
    scores = page.locator(".card .score .value")
    assert scores.count() >= 2
    assert all(v.strip()[0].isdigit() for v in scores.all_inner_texts())
    screenshot(page, "openbaar-wijk")
    assert page.console_errors == []


def test_an_unpublished_municipality_sends_the_visitor_to_the_login_page(site, page):
    MunicipalityAccess.objects.filter(municipality__code="GM0518").update(is_published=False)
    try:
        page.goto(f"{site}/wijk/{WARD}/")
        login = resolve_url(settings.LOGIN_URL)
        assert page.url.startswith(f"{site}{login}?next=")
        assert f"/wijk/{WARD}/" in page.url.replace("%2F", "/")
        assert not any(secret in page.content() for secret in PRIVATE)
        assert "Centrum" not in page.inner_text("main")
        screenshot(page, "niet-openbaar-naar-inloggen")
        # Logged in as one of its users, the same page shows everything of the municipality.
        browser_login(page.context, site, "beleid")
        page.goto(f"{site}/wijk/{WARD}/")
        assert page.url == f"{site}/wijk/{WARD}/"
        assert page.locator("#observaties").count() == 1
        assert page.locator("#initiatieven").count() == 1
        assert "Openbare weergave" not in page.inner_text("body")
    finally:
        MunicipalityAccess.objects.filter(municipality__code="GM0518").update(is_published=True)
