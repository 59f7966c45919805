"""Who may see what: login everywhere, roles per municipality, the public site, small numbers.

The full grid (every URL × every kind of user) is tests/test_permission_matrix.py; these tests
say in sentences what it means."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from access.models import MunicipalityAccess
from monitoring.models import ImportBatch, Region, Role
from tests.conftest import member
from tests.test_dashboard import PAGE_CACHE_MISS
from tests.test_dashboard_fixtures import synthetic_municipality

WARD = "WK051828"


def publish(municipality: Region, published: bool = True) -> None:
    MunicipalityAccess.objects.update_or_create(
        municipality=municipality, defaults={"is_published": published}
    )


@pytest.fixture
def two_municipalities(framework):
    """Two small municipalities with scores; neither published."""
    own = synthetic_municipality(code="GM9930", wards=4)
    other = synthetic_municipality(code="GM9931", wards=4)
    return own, other


# --- Login everywhere, with its few exceptions ------------------------------------------------


def test_the_health_check_answers_without_a_login_with_one_database_ping(client, db):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/gezond/")
    assert response.status_code == 200
    assert response.json() == {"status": "gezond"}
    assert len(queries) == 1
    assert "no-cache" in response["Cache-Control"]


def test_the_login_page_needs_no_login(client, db):
    assert client.get("/inloggen/").status_code == 200


def test_an_unpublished_municipality_sends_an_anonymous_visitor_to_the_login_page(
    client, two_municipalities
):
    own, _ = two_municipalities
    ward = Region.objects.filter(municipality=own, level="wijk").first()
    for url in (
        "/",
        f"/gemeente/{own.code}/",
        f"/wijk/{ward.code}/",
        f"/wijk/{ward.code}/zekerheid/",
        f"/gemeente/{own.code}/?format=csv&tabel=scorekaart",
        f"/vergelijk/?gemeente={own.code}",
        f"/indicator/sez_laag_inkomen/?gemeente={own.code}",
        f"/verandering/?gemeente={own.code}",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/inloggen/?next="), url


def test_a_fragment_request_sends_the_whole_page_to_the_login_page(client, two_municipalities):
    own, _ = two_municipalities
    url = f"/gemeente/{own.code}/?conditie=inclusie"
    response = client.get(
        url, headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{url}"}
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/inloggen/?next=")


def test_an_unknown_code_looks_the_same_as_an_unpublished_one_to_an_anonymous_visitor(
    client, two_municipalities
):
    for url in ("/gemeente/GM9999/", "/wijk/WK999999/"):
        response = client.get(url)
        assert response.status_code == 302 and "/inloggen/" in response["Location"]


# --- Roles per municipality: another municipality's pages answer 404 --------------------------


def test_a_user_of_another_municipality_gets_404_for_every_page_and_export(
    client, two_municipalities
):
    own, other = two_municipalities
    client.force_login(member(Role.POLICY_OFFICER, own, username="bea"))
    ward = Region.objects.filter(municipality=other, level="wijk").first()
    buurt = Region.objects.filter(municipality=other, level="buurt").first()
    for url in (
        f"/gemeente/{other.code}/",
        f"/wijk/{ward.code}/",
        f"/wijk/{ward.code}/?format=json",
        f"/wijk/{ward.code}/?deel=opbouw",
        f"/wijk/{ward.code}/zekerheid/",
        f"/buurt/{buurt.code}/",
        f"/buurt/{buurt.code}/zekerheid/?format=xlsx",
        f"/vergelijk/?gemeente={other.code}",
        f"/indicator/sez_laag_inkomen/?gemeente={other.code}&format=csv",
        f"/verandering/?gemeente={other.code}",
    ):
        assert client.get(url).status_code == 404, url
    # Their own municipality works.
    assert client.get(f"/gemeente/{own.code}/").status_code == 200


def test_codes_of_another_municipality_count_as_unknown_on_the_compare_page(
    client, two_municipalities
):
    own, other = two_municipalities
    client.force_login(member(Role.POLICY_OFFICER, own, username="bea"))
    theirs = list(
        Region.objects.filter(municipality=other, level="wijk").values_list("code", flat=True)
    )
    html = client.get(f"/vergelijk/?wijk={theirs[0]}&wijk={theirs[1]}").content.decode()
    assert "Kies ten minste twee" in html
    assert "Proefgemeente 9931" not in html


def test_home_lists_only_the_municipalities_the_user_may_see(client, two_municipalities):
    own, other = two_municipalities
    third = Region.objects.create(code="GM9932", name="Derde", level="gemeente")
    client.force_login(member(Role.POLICY_OFFICER, own, third, username="bea"))
    html = client.get("/").content.decode()
    assert own.code in html and third.code in html
    assert other.code not in html


def test_a_user_without_any_role_sees_an_empty_home_page_that_says_what_to_do(
    client, two_municipalities
):
    client.force_login(member(Role.POLICY_OFFICER, username="nog-niemand"))
    html = client.get("/").content.decode()
    assert "GM9930" not in html and "GM9931" not in html
    assert "nog geen toegang" in html


def test_only_beheerders_of_the_municipality_see_its_imports(client, two_municipalities):
    own, other = two_municipalities
    theirs = ImportBatch.objects.create(file_name="a.csv", sha256="x", municipality=other)
    national = ImportBatch.objects.create(file_name="nl.csv", sha256="y")
    client.force_login(member(Role.ADMIN, own, username="bram"))
    for name in ("resultaat", "voortgang", "terugdraaien"):
        assert client.get(f"/import/{theirs.pk}/{name}/").status_code == 404
        assert client.get(f"/import/{national.pk}/{name}/").status_code == 404
    assert client.post(f"/import/{theirs.pk}/terugdraaien/").status_code == 404
    history = client.get("/import/geschiedenis/").content.decode()
    assert "a.csv" not in history and "nl.csv" not in history


# --- Defects: a NUL byte in a code is a 404, not a server error ------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/wijk/%00/",
        "/gemeente/%00/",
        "/buurt/%00/",
        "/buurt/%00/zekerheid/",
        "/wijk/WK05%0018/zekerheid/",
        "/vergelijk/?wijk=%00&gemeente=%00",
        "/indicator/sez_laag_inkomen/?gemeente=GM%00518",
        "/verandering/?gemeente=%00",
    ],
)
def test_a_nul_byte_in_a_code_answers_404_not_500(beleid_client, client, url):
    assert beleid_client.get(url).status_code in (200, 404), url
    if "?" not in url:
        assert beleid_client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code in (200, 302, 404), url


# --- The public site: published statistics and scores, nothing private -----------------------


def test_an_anonymous_visitor_sees_a_published_municipality_without_observations(demo, client):
    html = client.get(f"/wijk/{WARD}/").content.decode()
    assert "De vier condities in" in html and 'id="blok-radar"' in html
    assert 'id="observaties"' not in html and 'id="initiatieven"' not in html
    assert "Openbare weergave" in html
    assert client.get(f"/wijk/{WARD}/?format=csv&tabel=indicatoren").status_code == 200


def test_a_logged_in_user_of_the_municipality_sees_observations_and_initiatives(
    demo, beleid_client
):
    html = beleid_client.get(f"/wijk/{WARD}/").content.decode()
    assert 'id="observaties"' in html and 'id="initiatieven"' in html
    assert "Openbare weergave" not in html


def test_a_user_of_another_municipality_sees_only_the_public_view_of_a_published_one(demo, client):
    amsterdam = Region.objects.create(code="GM0363", name="Amsterdam", level="gemeente")
    client.force_login(member(Role.POLICY_OFFICER, amsterdam, username="anna"))
    html = client.get(f"/wijk/{WARD}/").content.decode()
    assert 'id="blok-radar"' in html and 'id="observaties"' not in html


def test_small_regions_show_no_values_to_the_public(client, framework):
    municipality = synthetic_municipality(code="GM9933", wards=4)
    publish(municipality)
    wards = Region.objects.filter(municipality=municipality, level="wijk").order_by("code")
    small, other = wards[0], wards[1]
    Region.objects.filter(pk=small.pk).update(inhabitants=12)
    url = f"/indicator/sez_laag_inkomen/?gemeente={municipality.code}&format=json&tabel=kaart"

    def values_by_code(response) -> dict[str, list]:
        table = response.json()["tables"]["kaart"]
        code = table["columns"].index("code")
        return {row[code]: [c for i, c in enumerate(row) if i != code] for row in table["rows"]}

    public = values_by_code(client.get(url))
    ward_page = client.get(f"/wijk/{small.code}/?format=json&tabel=indicatoren").json()
    public_html = client.get(f"/wijk/{small.code}/").content.decode()
    client.force_login(member(Role.POLICY_OFFICER, municipality, username="bea"))
    internal = values_by_code(client.get(url))
    internal_ward_page = client.get(f"/wijk/{small.code}/?format=json&tabel=indicatoren").json()

    def numbers(cells: list) -> list:
        return [c for c in cells if isinstance(c, int | float)]

    assert numbers(internal[small.code]) and not numbers(public[small.code])
    # Other wards are not small: the public sees their values.
    assert numbers(public[other.code]) == numbers(internal[other.code]) != []

    # On the small ward's own page its own values are gone.
    def column(page: dict, key: str) -> list:
        table = page["tables"]["indicatoren"]
        return [row[table["columns"].index(key)] for row in table["rows"]]

    assert numbers(column(internal_ward_page, "value")) and not numbers(column(ward_page, "value"))
    assert "te weinig inwoners om cijfers openbaar te tonen" in public_html
    assert "met 12 inwoners" not in public_html


def test_the_public_page_costs_a_fixed_number_of_queries(demo, client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/gemeente/GM0518/")
    assert response.status_code == 200
    # published municipalities (no session, no user, no memberships), then the municipality
    # and the page's three: one query fewer than a logged-in user's 4 + 4; and the page
    # cache's read and write (a first visit).
    assert len(queries) == 5 + PAGE_CACHE_MISS, [q["sql"][:120] for q in queries.captured_queries]


def test_permissions_are_read_once_per_user_object_and_forget_reads_them_again(
    two_municipalities, django_assert_num_queries
):
    from access.permissions import Capability, can, forget

    own, other = two_municipalities
    user = member(Role.POLICY_OFFICER, own, username="bea")
    with django_assert_num_queries(2):  # memberships, published municipalities
        assert can(user, Capability.VIEW, own)
        assert not can(user, Capability.VIEW, other)
        assert not can(user, Capability.VIEW, other)
    publish(other)
    assert not can(user, Capability.VIEW, other)  # still what this request read
    forget(user)
    assert can(user, Capability.VIEW, other)
    assert not can(user, Capability.VIEW_PRIVATE, other)


def test_a_social_worker_writes_observations_only_for_assigned_wards(two_municipalities):
    from access.permissions import Capability, can, can_write_observation, capabilities

    own, other = two_municipalities
    wards = list(Region.objects.filter(municipality=own, level="wijk").order_by("code"))
    worker = member(Role.SOCIAL_WORKER, own, username="sam")
    worker.memberships.get().wards.set(wards[:2])
    assert can_write_observation(worker, wards[0]) and can_write_observation(worker, wards[1])
    assert not can_write_observation(worker, wards[2])
    theirs = Region.objects.filter(municipality=other, level="wijk").first()
    assert not can_write_observation(worker, theirs)
    assert not can(worker, Capability.COORDINATE, own)
    coordinator = member(Role.SOCIAL_WORKER, own, username="cor", is_coordinator=True)
    assert can(coordinator, Capability.COORDINATE, own)
    beheerder = member(Role.ADMIN, own, username="bram")
    assert not can_write_observation(beheerder, wards[0])
    assert Capability.ADMINISTER in capabilities(beheerder, own)
    assert capabilities(beheerder, other) == frozenset()
