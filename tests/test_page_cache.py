"""Cached pages: served again while nothing changed, never after a change of the data, and
never to anyone with other access (monitoring/page_cache.py)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from access.models import MunicipalityAccess
from access.services import municipality_settings_set
from monitoring.models import Membership, Region, Role, ScoringSettings
from monitoring.services import import_apply, import_rollback, scores_recompute
from tests.conftest import member
from tests.test_dashboard import WARD

PAGE = f"/wijk/{WARD}/?periode=2021"
HEADER = "ID;WijkenEnBuurten;SoortRegio_2;Codering_3;HuishoudensMetEenLaagInkomen_72"


@pytest.fixture
def scored(demo):
    from tests.test_dashboard_fixtures import demo_scores_ensure

    demo_scores_ensure()


def _low_income_file(value: str) -> bytes:
    return f"{HEADER}\n1;{WARD};Wijk;{WARD};{value}\n".encode()


def _get(client, url: str = PAGE):
    response = client.get(url)
    assert response.status_code == 200
    return response, response.content.decode()


def _without_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_a_second_visit_is_served_from_the_cache(scored, beleid_client):
    first, html = _get(beleid_client)
    again, cached = _get(beleid_client)
    assert first["X-Page-Cache"] == "miss" and again["X-Page-Cache"] == "hit"
    # The same page, but for the CSRF token of the logout form, which is masked anew each time.
    assert _without_token(cached) == _without_token(html)


def test_a_cached_page_changes_after_an_import_and_after_its_rollback(
    scored, beleid_client, django_capture_on_commit_callbacks
):
    _, before = _get(beleid_client)
    assert "77,7" not in before
    with django_capture_on_commit_callbacks(execute=True):
        result = import_apply(data=_low_income_file("77.7"), filename="kwb.csv", period="2021")
    response, after_import = _get(beleid_client)
    assert response["X-Page-Cache"] == "miss"
    assert "77,7" in after_import

    with django_capture_on_commit_callbacks(execute=True):
        import_rollback(batch=result.batch)
    response, after_rollback = _get(beleid_client)
    assert response["X-Page-Cache"] == "miss"
    assert "77,7" not in after_rollback


def test_a_cached_page_changes_after_a_recompute_and_a_new_base_year(
    scored, beleid_client, django_capture_on_commit_callbacks
):
    _get(beleid_client)
    with django_capture_on_commit_callbacks(execute=True):
        scores_recompute(municipality=Region.objects.get(code="GM0518"))
    assert _get(beleid_client)[0]["X-Page-Cache"] == "miss"
    assert _get(beleid_client)[0]["X-Page-Cache"] == "hit"

    municipality = Region.objects.get(code="GM0518")
    access = MunicipalityAccess.objects.get(municipality=municipality)
    current = ScoringSettings.objects.filter(municipality=municipality).first()
    other = "2019" if (current and current.base_period) != "2019" else "2017"
    with django_capture_on_commit_callbacks(execute=True):
        municipality_settings_set(
            municipality=municipality,
            is_published=access.is_published,
            require_mfa_for_admins=access.require_mfa_for_admins,
            base_period=other,
        )
    assert _get(beleid_client)[0]["X-Page-Cache"] == "miss"


def test_a_cached_page_is_never_shown_to_a_viewer_with_other_access(scored, client):
    """Rendered for the beleidsmedewerker first; then asked by an anonymous visitor (public
    site, published demo), a user of another municipality and a beheerder of this one."""
    beleid = get_user_model().objects.get(username="beleid")
    client.force_login(beleid)
    _, for_beleid = _get(client)
    assert 'id="observaties"' in for_beleid and 'class="who"' in for_beleid
    assert "Uitloggen" in for_beleid

    client.logout()
    response, public = _get(client)
    assert response["X-Page-Cache"] == "miss"
    assert 'id="observaties"' not in public and 'class="who"' not in public
    assert _get(client)[0]["X-Page-Cache"] == "hit"  # one page for every anonymous visitor

    amsterdam = Region.objects.get(code="GM0363")
    client.force_login(member(Role.POLICY_OFFICER, amsterdam, username="amira"))
    response, other_municipality = _get(client)
    assert response["X-Page-Cache"] == "miss"
    assert 'id="observaties"' not in other_municipality and "amira" in other_municipality

    MunicipalityAccess.objects.filter(municipality__code="GM0518").update(is_published=False)
    assert client.get(PAGE).status_code == 404  # unpublished: not even from the cache
    client.logout()
    assert client.get(PAGE).status_code == 302  # the login page


def test_the_personal_header_is_filled_in_for_each_request(scored, client):
    den_haag = Region.objects.get(code="GM0518")
    client.force_login(member(Role.POLICY_OFFICER, den_haag, username="bram"))
    _get(client)
    client.force_login(member(Role.POLICY_OFFICER, den_haag, username="bo"))
    _, html = _get(client)
    assert ">bo<" in html and ">bram<" not in html
    # The logout form carries this session's CSRF token, so logging out works.
    token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    csrf_client = type(client)(enforce_csrf_checks=True)
    csrf_client.cookies = client.cookies
    assert csrf_client.post("/uitloggen/", {"csrfmiddlewaretoken": token}).status_code == 302


def test_a_change_of_role_is_a_page_of_its_own(scored, client):
    den_haag = Region.objects.get(code="GM0518")
    user = member(Role.POLICY_OFFICER, den_haag, username="rik")
    client.force_login(user)
    _get(client)
    Membership.objects.filter(user=user).update(role=Role.SOCIAL_WORKER)
    assert _get(client)[0]["X-Page-Cache"] == "miss"


def test_a_not_found_page_keeps_its_header(scored, beleid_client):
    response = beleid_client.get("/wijk/WK999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "page-cache:" not in html and 'class="who"' in html


@pytest.mark.django_db
def test_culling_a_full_page_cache_drops_the_oldest_pages_and_keeps_the_data_version() -> None:
    from django.core.cache import caches

    from monitoring.services.data_version import data_version

    pages = caches["pages"]
    pages.clear()
    version = data_version()
    maximum, pages._max_entries = pages._max_entries, 4
    try:
        for number in range(12):
            pages.set(f"page:{number}", "…", timeout=60 + number)
    finally:
        pages._max_entries = maximum
    assert data_version() == version
    assert pages.get("page:11") is not None
    assert pages.get("page:0") is None


@pytest.mark.django_db
def test_the_page_cache_table_writes_no_wal() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'django_page_cache'")
        assert cursor.fetchone() == ("u",)


@pytest.mark.django_db
def test_the_page_cache_table_does_not_compress_pages_a_second_time() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute"
            " WHERE attrelid = 'django_page_cache'::regclass AND attname = 'value'"
        )
        assert cursor.fetchone() == ("e",)  # EXTERNAL: out of line, not compressed


@pytest.mark.django_db
def test_a_new_data_version_drops_the_pages_of_the_old_one(
    django_capture_on_commit_callbacks,
) -> None:
    from django.core.cache import caches

    from monitoring.services.data_version import data_version, data_version_bump

    pages = caches["pages"]
    pages.set("page:old", "…", timeout=60)
    old = data_version()
    with django_capture_on_commit_callbacks(execute=True):
        data_version_bump()
    assert data_version() != old
    assert pages.get("page:old") is None


def test_a_browser_that_accepts_gzip_gets_the_same_page_compressed_first_and_cached(
    scored, beleid_client
):
    import gzip

    _, plain = _get(beleid_client)
    for expected in ("miss", "hit"):
        if expected == "miss":
            from monitoring.services.data_version import _new_version

            _new_version()
        response = beleid_client.get(PAGE, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert response["X-Page-Cache"] == expected
        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]
        html = gzip.decompress(response.content).decode()
        assert _without_token(html) == _without_token(plain)
        assert 'class="who"' in html
        assert len(response.content) < len(plain.encode()) / 4
