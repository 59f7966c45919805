"""A municipality's beheerder keeps its settings, users, roles and region names without being
Django staff, and only for their own municipality (the matrix covers who may reach what)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from access.models import MunicipalityAccess
from monitoring.models import ConditionScore, Membership, Region, Role, ScoringSettings
from tests.conftest import member
from tests.test_dashboard_fixtures import synthetic_municipality


@pytest.fixture
def municipality(framework):
    return synthetic_municipality(code="GM9950", wards=3)


@pytest.fixture
def beheerder(municipality):
    return member(Role.ADMIN, municipality, username="bram")


@pytest.fixture
def beheer_client(client, beheerder):
    client.force_login(beheerder)
    return client


def _base(municipality: Region) -> str:
    return f"/gemeente/{municipality.code}/beheer/"


def test_a_beheerder_without_staff_status_publishes_the_municipality(
    beheer_client, municipality, beheerder, client
):
    assert not beheerder.is_staff and not beheerder.is_superuser
    page = beheer_client.get(_base(municipality)).content.decode()
    assert "Instellingen van Proefgemeente 9950" in page
    response = beheer_client.post(_base(municipality), {"is_published": "on"}, follow=True)
    assert "De gemeente is nu openbaar" in response.content.decode()
    assert MunicipalityAccess.objects.get(municipality=municipality).is_published
    beheer_client.logout()
    assert client.get(f"/gemeente/{municipality.code}/").status_code == 200

    client.force_login(beheerder)
    client.post(_base(municipality), {})
    client.logout()
    response = client.get(f"/gemeente/{municipality.code}/")
    assert response.status_code == 302 and "/inloggen/" in response["Location"]


def test_the_second_factor_for_beheerders_is_switched_on_per_municipality(
    beheer_client, municipality
):
    beheer_client.post(_base(municipality), {"require_mfa_for_admins": "on"})
    access = MunicipalityAccess.objects.get(municipality=municipality)
    assert access.require_mfa_for_admins and not access.is_published


def test_choosing_another_base_year_recomputes_the_scores(beheer_client, municipality):
    page = beheer_client.get(_base(municipality)).content.decode()
    assert '<option value="2020">2020</option>' in page
    response = beheer_client.post(_base(municipality), {"base_period": "2020"}, follow=True)
    assert "Scores opnieuw berekend" in response.content.decode()
    assert ScoringSettings.objects.get(municipality=municipality).base_period == "2020"
    base_periods = set(
        ConditionScore.objects.filter(
            region__municipality=municipality, method="basisjaar"
        ).values_list("base_period", flat=True)
    )
    assert base_periods == {"2020"}


def test_a_base_year_without_values_is_refused(beheer_client, municipality):
    response = beheer_client.post(_base(municipality), {"base_period": "1999"})
    assert response.status_code == 200
    assert "geen beschikbare keuze" in response.content.decode()


def test_a_beheerder_adds_a_social_worker_with_wards_and_no_password(beheer_client, municipality):
    wards = list(Region.objects.filter(municipality=municipality, level="wijk").order_by("code"))
    response = beheer_client.post(
        f"{_base(municipality)}gebruikers/nieuw/",
        {
            "username": "sam",
            "first_name": "Sam",
            "last_name": "Wijk",
            "email": "sam@example.org",
            "role": Role.SOCIAL_WORKER,
            "wards": [wards[0].pk, wards[2].pk],
        },
        follow=True,
    )
    assert "Sam Wijk is toegevoegd als sociaal werker" in response.content.decode()
    sam = get_user_model().objects.get(username="sam")
    assert not sam.has_usable_password() and not sam.is_staff
    membership = sam.memberships.get()
    assert membership.municipality == municipality
    assert set(membership.wards.all()) == {wards[0], wards[2]}
    listing = beheer_client.get(f"{_base(municipality)}gebruikers/").content.decode()
    assert "Sam Wijk" in listing and wards[2].name in listing


def test_a_social_worker_needs_wards_and_only_of_this_municipality(beheer_client, municipality):
    other = synthetic_municipality(code="GM9951", wards=2)
    foreign = Region.objects.filter(municipality=other, level="wijk").first()
    url = f"{_base(municipality)}gebruikers/nieuw/"
    fields = {
        "username": "sam",
        "first_name": "Sam",
        "last_name": "Wijk",
        "email": "sam@example.org",
        "role": Role.SOCIAL_WORKER,
    }
    page = beheer_client.post(url, fields).content.decode()
    assert "Kies ten minste één wijk" in page
    page = beheer_client.post(url, {**fields, "wards": [foreign.pk]}).content.decode()
    assert "geen beschikbare keuze" in page
    assert not get_user_model().objects.filter(username="sam").exists()


def test_an_existing_username_is_refused_with_a_dutch_message(beheer_client, municipality):
    response = beheer_client.post(
        f"{_base(municipality)}gebruikers/nieuw/",
        {
            "username": "BRAM",
            "first_name": "B",
            "last_name": "R",
            "email": "b@example.org",
            "role": Role.POLICY_OFFICER,
        },
    )
    assert "al in gebruik" in response.content.decode()


def test_a_beheerder_changes_a_role_and_takes_it_away(beheer_client, municipality):
    bea = member(Role.POLICY_OFFICER, municipality, username="bea")
    membership = bea.memberships.get()
    url = f"{_base(municipality)}gebruikers/{membership.pk}/"
    beheer_client.post(url, {"role": Role.ADMIN, "is_coordinator": "on"})
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN and membership.is_coordinator
    response = beheer_client.post(f"{url}verwijderen/", follow=True)
    assert "heeft geen rol meer" in response.content.decode()
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert get_user_model().objects.filter(username="bea").exists()


def test_the_last_beheerder_can_neither_be_demoted_nor_removed(
    beheer_client, municipality, beheerder
):
    membership = beheerder.memberships.get()
    url = f"{_base(municipality)}gebruikers/{membership.pk}/"
    page = beheer_client.post(url, {"role": Role.POLICY_OFFICER}).content.decode()
    assert "laatste functioneel beheerder" in page
    response = beheer_client.post(f"{url}verwijderen/", follow=True)
    assert "laatste functioneel beheerder" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_a_membership_of_another_municipality_is_not_found(beheer_client, municipality):
    other = synthetic_municipality(code="GM9952", wards=2)
    theirs = member(Role.POLICY_OFFICER, other, username="olga").memberships.get()
    url = f"{_base(municipality)}gebruikers/{theirs.pk}/"
    assert beheer_client.get(url).status_code == 404
    assert beheer_client.post(f"{url}verwijderen/").status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()


def test_a_beheerder_renames_a_ward(beheer_client, municipality):
    ward = Region.objects.filter(municipality=municipality, level="wijk").first()
    listing = beheer_client.get(f"{_base(municipality)}gebieden/").content.decode()
    assert ward.code in listing
    response = beheer_client.post(
        f"{_base(municipality)}gebieden/{ward.code}/", {"name": "  Oude Haven "}, follow=True
    )
    assert "is nu “Oude Haven”" in response.content.decode()
    ward.refresh_from_db()
    assert ward.name == "Oude Haven"
    assert beheer_client.get(f"{_base(municipality)}gebieden/%00/").status_code == 404


def test_the_site_header_links_a_beheerder_to_their_municipality(beheer_client, municipality):
    html = beheer_client.get(f"/gemeente/{municipality.code}/").content.decode()
    assert f'href="/gemeente/{municipality.code}/beheer/">Beheer</a>' in html
    assert 'href="/beheer/"' not in html  # the Django admin is for site administrators


@pytest.mark.parametrize(
    ("page", "queries"),
    [
        # session, user, memberships, published; the municipality; then the page's own
        ("", 4 + 1 + 3),  # access and scoring settings, years with values
        ("gebruikers/", 4 + 1 + 2),  # memberships with users, their wards
        ("gebieden/", 4 + 1 + 1),  # the regions
        ("gebruikers/nieuw/", 4 + 1 + 1),  # the wards to choose from
    ],
)
def test_each_beheer_page_uses_a_fixed_number_of_queries(
    beheer_client, municipality, django_assert_num_queries, page, queries
):
    for i in range(3):  # more members do not cost more queries
        member(Role.SOCIAL_WORKER, municipality, username=f"werker{i}").memberships.get().wards.set(
            Region.objects.filter(municipality=municipality, level="wijk")
        )
    with django_assert_num_queries(queries):
        assert beheer_client.get(f"{_base(municipality)}{page}").status_code == 200
