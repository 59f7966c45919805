"""The demo municipality: real CBS data through the project's own import path."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monitoring.demo import DEMO_USERS, demo_load
from monitoring.models import Indicator, IndicatorValue, Level, Region
from tests.test_dashboard import PAGE_CACHE_MISS


def _row_counts() -> dict[str, int]:
    models = [*apps.get_app_config("monitoring").get_models(), get_user_model()]
    return {model._meta.label: model.objects.count() for model in models}


def test_loading_the_demo_twice_leaves_the_same_row_counts(demo):
    # The first load is the committed demo of the `demo` fixture (loaded by demo_load, or put
    # back as demo_load left it); loading it again here changes no count.
    first = _row_counts()
    outcomes = demo_load()
    assert _row_counts() == first
    assert all(outcome.already_imported for outcome in outcomes)


def test_the_demo_has_den_haag_with_its_44_wards_and_114_neighbourhoods(demo):
    municipality = Region.objects.get(code="GM0518")
    assert municipality.name == "'s-Gravenhage"
    assert Region.objects.filter(municipality=municipality, level=Level.WIJK).count() == 44
    assert Region.objects.filter(municipality=municipality, level=Level.BUURT).count() == 114
    ward = Region.objects.get(code="WK051801")
    assert ward.parent == municipality
    assert Region.objects.get(code="BU05180170").parent == ward  # Oostduinen


def test_the_demo_holds_figures_for_several_years(demo):
    periods = set(
        IndicatorValue.objects.filter(region__code="GM0518").values_list("period", flat=True)
    )
    assert {"2017", "2019", "2020", "2021", "2024"} <= periods
    inhabitants = Indicator.objects.get(code="inwoners")
    den_haag_2019 = IndicatorValue.objects.get(
        region__code="GM0518", indicator=inhabitants, period="2019"
    )
    assert den_haag_2019.value == 537833  # AantalInwoners_5 in the 2019 CBS file


def test_derived_indicators_are_computed_from_their_inputs(demo):
    values = {
        code: IndicatorValue.objects.get(region__code="GM0518", indicator__code=code, period="2019")
        for code in ("eenpersoonshuishoudens", "huishoudens", "coh_eenpersoons_hh")
    }
    expected = values["eenpersoonshuishoudens"].value / values["huishoudens"].value * 100
    assert values["coh_eenpersoons_hh"].value == pytest.approx(expected)


def test_cbs_secret_cells_are_stored_as_missing_never_as_zero(demo):
    secret = IndicatorValue.objects.filter(is_suppressed=True)
    assert secret.exists()
    assert not secret.exclude(value=None).exists()


def test_wards_have_their_boundaries_for_the_map(demo):
    wards = Region.objects.filter(municipality__code="GM0518", level=Level.WIJK)
    assert wards.exclude(geometry=None).count() >= 40
    geometry = wards.exclude(geometry=None).first().geometry
    assert geometry["type"] in ("Polygon", "MultiPolygon")
    lon, lat = _first_point(geometry)
    assert 3.9 < lon < 4.6 and 51.9 < lat < 52.2  # Den Haag, in WGS84


def test_a_ward_name_statline_cut_at_40_characters_shows_whole_from_the_ward_map(demo):
    # kwb2024 (StatLine) has "Wijk 06 Van Stolkpark en Scheveningse Bo"; the 2023 map has it all.
    ward = Region.objects.get(code="WK051806", last_year=None)
    assert ward.name == "Wijk 06 Van Stolkpark en Scheveningse Bosjes"
    assert (
        not Region.objects.filter(municipality__code="GM0518")
        .filter(name="Wijk 06 Van Stolkpark en Scheveningse Bo")
        .exists()
    )


def _first_point(geometry):
    coordinates = geometry["coordinates"]
    while isinstance(coordinates[0], list):
        coordinates = coordinates[0]
    return coordinates


def test_the_demo_users_have_one_role_each_in_den_haag(demo):
    for demo_user in DEMO_USERS:
        user = get_user_model().objects.get(username=demo_user.username)
        assert user.check_password(demo_user.password)
        if demo_user.role is None:
            continue
        assert {m.role for m in user.memberships.all()} == {demo_user.role}
        assert "GM0518" in {m.municipality.code for m in user.memberships.all()}


def test_the_policy_officer_reads_both_demo_municipalities(demo):
    user = get_user_model().objects.get(username="beleid")
    assert sorted(m.municipality.code for m in user.memberships.all()) == ["GM0363", "GM0518"]


def test_the_demo_beheerder_administers_den_haag_only_and_is_no_superuser(demo):
    beheerder = get_user_model().objects.get(username="beheerder")
    assert not beheerder.is_superuser and not beheerder.is_staff
    assert [m.municipality.code for m in beheerder.memberships.all()] == ["GM0518"]
    site_admins = get_user_model().objects.filter(is_superuser=True)
    assert list(site_admins.values_list("username", flat=True)) == ["sitebeheerder"]
    assert not site_admins.get().memberships.exists()


def test_the_demo_municipalities_are_published(demo):
    from access.models import MunicipalityAccess

    assert MunicipalityAccess.objects.get(municipality__code="GM0518").is_published
    assert MunicipalityAccess.objects.get(municipality__code="GM0363").is_published


def test_the_home_page_lists_both_demo_municipalities_with_their_wards(demo, beleid_client):
    response = beleid_client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "'s-Gravenhage" in html or "&#x27;s-Gravenhage" in html
    assert "Amsterdam" in html
    assert "44 wijken en 114 buurten" in html
    assert "99 wijken en 479 buurten" in html
    assert 'href="/gemeente/GM0518/"' in html and 'href="/gemeente/GM0363/"' in html


def test_the_municipality_page_names_its_wards(demo, client):
    html = client.get("/gemeente/GM0518/").content.decode()
    for ward in Region.objects.filter(municipality__code="GM0518", level=Level.WIJK):
        assert ward.code in html


def test_the_municipality_page_uses_a_fixed_number_of_queries(demo, beleid_client):
    with CaptureQueriesContext(connection) as queries:
        response = beleid_client.get("/gemeente/GM0518/")
    assert response.status_code == 200
    # session, user, memberships with the published municipalities (one query); the
    # municipality and the page's 3; the observations: latest quarter, practice per ward,
    # signals per ward; and the page cache's read and write (a first visit)
    assert len(queries) == 10 + PAGE_CACHE_MISS, [q["sql"][:120] for q in queries.captured_queries]


def test_an_unknown_municipality_gives_404(demo, beleid_client):
    assert beleid_client.get("/gemeente/GM9999/").status_code == 404


def test_numbers_on_the_page_are_written_the_dutch_way(demo, beleid_client):
    html = beleid_client.get("/gemeente/GM0518/").content.decode()
    assert "566.221" in html  # inhabitants of Den Haag in 2024, with a dot between thousands
