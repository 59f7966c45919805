"""Initiative pages through the test client: who may see and do what, filters in the URL, the
import's preview-then-apply, exports, the sociale-basis page and its query counts."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives.models import Initiative, InitiativeReach
from initiatives.tabular import INITIATIVE_COLUMNS, to_csv
from monitoring.models import ConditionScore
from monitoring.services.data_version import data_version
from tests.initiatives_fixtures import (
    initiatives_of,
    member,
    publish,
    record,
    small_municipality,
)
from tests.test_dashboard import PAGE_CACHE_MISS
from tests.test_dashboard_fixtures import synthetic_municipality

BASE = "/gemeente/GM9901/initiatieven/"


@pytest.fixture
def place(db):
    return small_municipality()


@pytest.fixture
def worker(place):
    return member(place, "sociaal_werker")


@pytest.fixture
def policy(place):
    return member(place, "beleid")


def _html(response, status=200) -> str:
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.content.decode()


def _entry_post(**changes) -> dict:
    data = {
        "name": "Samen koken",
        "kind": "activiteit",
        "description": "Koken en eten met de buren.",
        "ward_codes": ["WK990101", "WK990102"],
        "conditions": ["cohesie"],
        "target_groups": ["ouderen", "jongeren"],
        "partner_kinds": ["bewoners"],
        "start_date": "2024-01-01",
        "end_date": "",
        "status": "actief",
        "funding": "tijdelijk",
        "funding_until": "2027-06-30",
        "funder": "",
        "contact_organisation": "Buurthuis De Kring",
        "contact_email": "info@dekring.example",
        "contact_phone": "",
        "website": "",
        "latitude": "52,005",
        "longitude": "4,005",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- Who may see and do what ------------------------------------------------------------------


def test_a_social_worker_enters_an_initiative_and_sees_it_in_the_list(client, worker):
    client.force_login(worker)
    response = client.post(f"{BASE}nieuw/", _entry_post())
    initiative = Initiative.objects.get(name="Samen koken")
    assert response.status_code == 302 and response["Location"] == f"{BASE}{initiative.pk}/"
    assert initiative.latitude == 52.005 and initiative.funding_until == date(2027, 6, 30)
    html = _html(client.get(BASE))
    assert "Samen koken" in html and "Buurthuis De Kring" in html


def test_a_bad_entry_is_refused_in_dutch_and_nothing_is_written(client, worker):
    client.force_login(worker)
    html = _html(
        client.post(
            f"{BASE}nieuw/",
            _entry_post(ward_codes=[], funding_until="", latitude="52,37", longitude="4,89"),
        ),
        400,
    )
    assert "Nog niet opgeslagen" in html
    assert "This field is required" not in html
    assert "Tijdelijke financiering: vul in tot wanneer." in html or "Dit veld is verplicht" in html
    assert not Initiative.objects.exists()
    html = _html(client.post(f"{BASE}nieuw/", _entry_post(latitude="52,37", longitude="4,89")), 400)
    assert "De plek ligt niet in deze gemeente" in html
    html = _html(client.post(f"{BASE}nieuw/", _entry_post(funding_until="")), 400)
    assert "Tijdelijke financiering: vul in tot wanneer." in html
    assert not Initiative.objects.exists()


def test_a_policy_officer_reads_but_cannot_enter(client, policy, place):
    initiatives_of(place, 1)
    client.force_login(policy)
    assert client.get(BASE).status_code == 200
    pk = Initiative.objects.get().pk
    html = _html(client.get(f"{BASE}{pk}/"))
    assert "Welzijn Proefstad" in html and "Jongeren komen nog niet." in html
    assert "Bewerken" not in html
    # Their own municipality: they know it exists, their role does not allow this (403).
    for url in (
        f"{BASE}nieuw/",
        f"{BASE}{pk}/bewerken/",
        f"{BASE}{pk}/bereik/",
        f"{BASE}importeren/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"{BASE}nieuw/", _entry_post()).status_code == 403
    assert Initiative.objects.count() == 1


def test_another_municipality_answers_404_everywhere(client, place):
    initiatives_of(place, 1)
    pk = Initiative.objects.get().pk
    other = small_municipality("GM9902")
    client.force_login(member(other, "beheerder"))
    for url in (
        BASE,
        f"{BASE}{pk}/",
        f"{BASE}nieuw/",
        f"{BASE}importeren/",
        f"{BASE}export/initiatieven.csv",
        "/gemeente/GM9901/sociale-basis/",
    ):
        assert client.get(url).status_code == 404, url
    # Its own initiative numbers do not reach across either.
    assert client.get(f"/gemeente/GM9902/initiatieven/{pk}/").status_code == 404


def test_anonymous_visitors_see_nothing_of_an_unpublished_municipality(client, place):
    initiatives_of(place, 1)
    assert client.get(BASE).status_code in (302, 404)
    assert client.get("/gemeente/GM9901/sociale-basis/").status_code in (302, 404)


def test_the_public_sees_names_kinds_wards_and_conditions_never_contacts_or_notes(client, place):
    initiatives_of(place, 2)
    publish(place)
    pk = Initiative.objects.order_by("name").first().pk
    for url in (BASE, f"{BASE}{pk}/", "/gemeente/GM9901/sociale-basis/", "/wijk/WK990101/"):
        html = _html(client.get(url))
        for private in (
            "Welzijn Proefstad",
            "info@welzijn",
            "+31 70",
            "Jongeren komen nog niet",
            "Tijdelijk",
        ):
            assert private not in html, (url, private)
    html = _html(client.get(BASE))
    assert "Initiatief 000" in html and "Ontmoetingsplek" in html and "Wijk 1" in html
    assert "Sociale cohesie" in html
    assert client.get(f"{BASE}export/initiatieven.csv").status_code == 302  # to the login page


# --- The list: search and filters in the URL --------------------------------------------------


def test_the_list_filters_by_ward_condition_kind_target_group_status_and_funding(
    client, worker, place
):
    initiatives_of(place, 6)
    Initiative.objects.filter(name="Initiatief 001").update(kind="vervoer", status="gestopt")
    Initiative.objects.filter(name="Initiatief 002").update(
        funding="tijdelijk", funding_until=date.today().replace(year=date.today().year + 3)
    )
    Initiative.objects.filter(name="Initiatief 003").update(target_groups=["jongeren"])
    Initiative.objects.filter(name="Initiatief 004").update(
        funding_until=date.today() + timedelta(days=60)
    )
    client.force_login(worker)

    def names(query: str) -> list[str]:
        return re.findall(r'">(Initiatief \d+)</a>', _html(client.get(f"{BASE}?{query}")))

    assert names("wijk=WK990101") == ["Initiatief 000", "Initiatief 003"]
    assert names("conditie=zekerheid") == ["Initiatief 002", "Initiatief 005"]
    assert names("soort=vervoer") == ["Initiatief 001"]
    assert names("status=gestopt") == ["Initiatief 001"]
    assert names("doelgroep=jongeren") == ["Initiatief 003"]
    # 002 ends in three years; the others' funding ended at the end of 2025.
    assert names("financiering=loopt-af") == ["Initiatief 004"]
    assert names("q=initiatief+004") == ["Initiatief 004"]
    assert names("wijk=WK990101&conditie=cohesie") == ["Initiatief 000", "Initiatief 003"]


def test_a_bad_filter_value_is_ignored_and_said(client, worker, place):
    initiatives_of(place, 2)
    client.force_login(worker)
    html = _html(client.get(f"{BASE}?conditie=geluk"))
    assert "Genegeerd: conditie" in html
    assert "Initiatief 000" in html and "Initiatief 001" in html


def test_the_list_answers_htmx_with_its_results_only(client, worker, place):
    initiatives_of(place, 1)
    client.force_login(worker)
    html = _html(client.get(f"{BASE}?wijk=WK990101", headers={"HX-Request": "true"}))
    assert "Initiatief 000" in html and "<html" not in html


def test_an_empty_list_says_what_to_do(client, worker):
    client.force_login(worker)
    assert "Voeg er een toe met “Nieuw initiatief”" in _html(client.get(BASE))


# --- Reach --------------------------------------------------------------------------------------


def test_reach_is_entered_per_quarter_and_a_year_is_refused(client, worker, place):
    initiatives_of(place, 1)
    pk = Initiative.objects.get().pk
    client.force_login(worker)
    html = _html(client.post(f"{BASE}{pk}/bereik/", {"kwartaal": "2025"}), 400)
    assert "Vul een kwartaal in" in html
    response = client.post(
        f"{BASE}{pk}/bereik/",
        {
            "kwartaal": "2025 Q3",
            "deelnemers": "31",
            "vrijwilligers": "4",
            "bereikt": ["ouderen", "gezinnen"],
            "niet_bereikt": ["lhbti"],
            "toelichting": "Nog geen contact met de LHBTI+-groep.",
        },
    )
    assert response.status_code == 302
    reach = InitiativeReach.objects.get(initiative_id=pk, period="2025-K3")
    assert (reach.participants, reach.missed_groups) == (31, ["lhbti"])
    # Opening the quarter again shows what was entered.
    html = _html(client.get(f"{BASE}{pk}/bereik/?kwartaal=2025-K3"))
    assert "Nog geen contact met de LHBTI+-groep." in html


# --- Import: upload, preview, confirm ---------------------------------------------------------


def _upload(client, data: bytes, name: str = "initiatieven.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(f"{BASE}importeren/", {"bestand": SimpleUploadedFile(name, data)})


def test_an_import_is_previewed_then_applied_on_confirmation(client, worker, place):
    client.force_login(worker)
    data = to_csv(
        [record(), record("Samen eten", latitude=None, longitude=None)], INITIATIVE_COLUMNS
    )
    html = _html(_upload(client, data))
    assert "2 regels: 2 nieuw, 0 gewijzigd, 0 ongewijzigd" in html
    assert not Initiative.objects.exists()  # the preview writes nothing
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    response = client.post(f"{BASE}importeren/", {"token": token, "bevestig": "1"})
    assert response.status_code == 302
    assert sorted(Initiative.objects.values_list("name", flat=True)) == [
        "Koffie op de hoek",
        "Samen eten",
    ]
    html = _html(client.get(response["Location"]))
    assert "2 nieuw, 0 gewijzigd, 0 ongewijzigd" in html
    # The same file again changes nothing, and says so.
    assert "Dit bestand verandert niets" in _html(_upload(client, data))


def test_a_bad_file_is_refused_with_line_level_messages_and_no_confirm_button(client, worker):
    client.force_login(worker)
    data = to_csv(
        [record(), record("Andere", ward_codes=["WK051828"], latitude=None, longitude=None)],
        INITIATIVE_COLUMNS,
    )
    html = _html(_upload(client, data), 400)
    assert "Dit bestand wordt niet ingelezen" in html
    assert "Regel 3: kolom ‘wijken’: Onbekende wijkcode in deze gemeente: WK051828." in html
    assert 'name="token"' not in html
    assert not Initiative.objects.exists()


def test_a_tampered_confirmation_is_refused(client, worker):
    client.force_login(worker)
    response = client.post(
        f"{BASE}importeren/", {"token": "vervalst", "bevestig": "1"}, follow=True
    )
    assert "Dit voorbeeld is verlopen of ongeldig" in response.content.decode()
    assert not Initiative.objects.exists()


def test_the_export_neutralises_formulas_and_reads_back(client, worker, place):
    initiatives_of(place, 2)
    Initiative.objects.filter(name="Initiatief 000").update(
        description='=HYPERLINK("http://x","klik")'
    )
    client.force_login(worker)
    response = client.get(f"{BASE}export/initiatieven.csv")
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK" in text and ";=HYPERLINK" not in text
    assert client.get(f"{BASE}export/initiatieven.xlsx").status_code == 200
    assert client.get(f"{BASE}export/bereik.csv").content.decode("utf-8-sig").count("2025-K") == 4
    html = _html(_upload(client, response.content))
    assert "Dit bestand verandert niets" in html


# --- Sociale basis ------------------------------------------------------------------------------


def _scores(place, values: dict[tuple[str, str], float | None], period: str = "2024") -> None:
    from monitoring.models import Region

    for (ward_code, condition), value in values.items():
        ConditionScore.objects.create(
            region=Region.objects.get(code=ward_code),
            period=period,
            condition=condition,
            method="basisjaar",
            value=value,
            coverage=1.0,
            method_version="test",
        )


def test_the_social_base_marks_a_gap_with_a_symbol_and_a_word_and_lists_it(client, policy, place):
    _scores(
        place,
        {
            ("WK990101", "cohesie"): 80.0,  # an active initiative works on it
            ("WK990102", "cohesie"): 85.0,  # none: a gap
            ("WK990103", "cohesie"): 90.0,  # exactly at the threshold: no gap
            ("WK990101", "zekerheid"): None,  # no score
        },
    )
    initiatives_of(place, 1)  # Initiatief 000: WK990101, cohesie
    client.force_login(policy)
    html = _html(client.get("/gemeente/GM9901/sociale-basis/"))
    assert "1 hiaat in 1 wijk" in html
    cells = re.findall(r'<td class="([^"]+)" data-status="([^"]+)">(.*?)</td>', html, re.S)
    statuses = [status for _, status, _ in cells]
    assert statuses.count("hiaat") == 1
    gap = next(body for css, status, body in cells if status == "hiaat")
    assert "⚠ hiaat" in gap and "85" in gap and "0 actieve initiatieven" in gap
    covered = next(body for _, status, body in cells if status == "laag, met initiatief")
    assert "1 actief initiatief" in covered
    assert "– geen score" in html
    assert "<caption>Hiaten: score onder 90" in html
    csv_text = client.get("/gemeente/GM9901/sociale-basis/?format=csv&tabel=hiaten").content.decode(
        "utf-8-sig"
    )
    assert "Wijk 2;WK990102;Sociale cohesie;85.0" in csv_text
    # A higher threshold, bookmarkable in the URL, makes the exact-90 cell a gap too.
    assert "2 hiaten in 2 wijken" in _html(client.get("/gemeente/GM9901/sociale-basis/?drempel=95"))


def test_the_social_base_lists_funding_ending_reach_and_who_is_missed(client, policy, place):
    initiatives_of(place, 2)
    Initiative.objects.filter(name="Initiatief 000").update(funding_until=date.today())
    client.force_login(policy)
    html = _html(client.get("/gemeente/GM9901/sociale-basis/"))
    assert "Tijdelijke financiering die binnen zes maanden afloopt (1)" in html
    assert "Initiatief 000" in html
    assert "<caption>Bereik per kwartaal: alle initiatieven in Proefstad 9901" in html
    assert "deelnemers mee aan 2 initiatieven" in html
    assert "geen actief initiatief" in html  # Wijk 3 has none
    assert "Jongeren" in html  # reached by nobody, and reported as not reached


# --- Query counts: the same for 10 and 100 initiatives ------------------------------------------


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


EXPECTED = {
    # session, user, municipality, memberships; wards, scores, initiative-ward links,
    # initiatives, reach
    "sociale-basis": 9,
    # session, user, memberships with the published municipalities (one query); the ward
    # page's own seven; the section's initiatives and their reach; the practice (observations)
    # and its signals; the page cache's read and write (a first visit)
    "wijk": 14 + PAGE_CACHE_MISS,
    # session, user, municipality, memberships; initiatives, their wards, the ward menu
    "lijst": 7,
}


def test_pages_with_initiatives_use_the_same_number_of_queries_for_10_and_100(framework, client):
    data_version()  # stored once for the whole site; not part of any page's count
    counts = []
    for code, n in (("GM9920", 10), ("GM9921", 100)):
        municipality = synthetic_municipality(code=code, wards=10)
        wards = [f"WK{code[2:]}{i:02d}" for i in range(10)]
        initiatives_of(municipality, n, ward_codes=wards)
        client.force_login(member(municipality, "beleid"))
        counts.append(
            {
                "sociale-basis": _count(client, f"/gemeente/{code}/sociale-basis/"),
                "wijk": _count(client, f"/wijk/{wards[0]}/"),
                "lijst": _count(client, f"/gemeente/{code}/initiatieven/"),
            }
        )
    assert counts[0] == counts[1]
    assert counts[0] == EXPECTED


def test_the_public_searches_names_only(client, place):
    initiatives_of(place, 1)
    publish(place)
    assert "Initiatief 000" in _html(client.get(f"{BASE}?q=initiatief"))
    # The contact organisation is not shown to the public, so a search on it finds nothing.
    assert "Initiatief 000" not in _html(client.get(f"{BASE}?q=Proefstad+Welzijn"))
