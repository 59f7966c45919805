"""Dashboard pages through the Django test client: content without JavaScript, CSV/JSON, htmx
fragments, safe defaults, and a fixed number of queries whatever the number of wards."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monitoring.models import ConditionScore, Region
from tests.test_dashboard_fixtures import demo_scores_ensure, synthetic_municipality

WARD = "WK051828"  # Centrum


@pytest.fixture
def scored(demo):
    demo_scores_ensure()
    return Region.objects.get(code="GM0518")


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _summaries(html: str) -> list[str]:
    return re.findall(r'<p class="summary"[^>]*>\s*(.+?)\s*</p>', html, re.S)


# --- Pages without JavaScript: tables and sentences are in the HTML -------------------------


def test_municipality_page_has_map_scorecard_trends_and_their_words(scored, client):
    html = _html(client.get("/gemeente/GM0518/"))
    assert 'data-figure="figuur-kaart"' in html
    assert 'data-figure="figuur-trends"' in html
    assert "<caption>Scorekaart" in html
    assert 'scope="row"' in html and 'scope="col"' in html
    assert len(_summaries(html)) >= 3
    assert "44 wijken en 114 buurten" in html
    assert "/wijk/WK051801/" in html  # the table links to ward pages
    assert "<script>" not in html and "onclick" not in html  # nothing inline under CSP


def test_home_renders_the_only_municipality(scored, client):
    html = _html(client.get("/"))
    assert "Scorekaart" in html and "GM0518" in html


def test_ward_page_says_in_words_where_the_ward_stands(scored, client):
    html = _html(client.get(f"/wijk/{WARD}/"))
    assert "Centrum" in html
    assert re.search(
        r"Sociaaleconomische zekerheid: \d+, (\d+ punten? (boven|onder)|gelijk aan) het gemiddelde van de wijken",
        html,
    )
    assert "Sociale cohesie: onvoldoende gegevens" in html
    for figure in ("radar", "trend"):
        assert f'data-figure="figuur-{figure}"' in html
    assert "<caption>Indicatoren van de vier condities van Wijk 28 Centrum" in html
    assert "Observaties" in html and "Initiatieven" in html
    assert f"/wijk/{WARD}/zekerheid/" in html


def test_ward_page_shows_the_rank_under_each_method_and_whether_it_depends_on_it(scored, client):
    html = _html(client.get(f"/wijk/{WARD}/"))
    assert 'id="blok-rangen"' in html
    assert "<caption>Rang van Wijk 28 Centrum onder elke rekenmethode in 2019" in html
    for method in ("basisjaar-index", "z-score", "min–max", "percentielrang"):
        assert f">{method}</th>" in html
    assert re.search(r"\d+ van 4\d", html)
    csv = client.get(f"/wijk/{WARD}/?format=csv&tabel=rangen").content.decode()
    assert csv.splitlines()[0].startswith("Conditie,")
    assert "Sociale cohesie" in csv


def test_ward_page_loads_the_breakdown_of_its_scores_as_a_section_of_its_own(scored, client):
    html = _html(client.get(f"/wijk/{WARD}/?periode=2019"))
    assert f'hx-get="/wijk/{WARD}/?periode=2019&amp;deel=opbouw"' in html
    # Without JavaScript the section links to each drill-down.
    assert f'href="/wijk/{WARD}/zekerheid/?periode=2019">Opbouw van sociaaleconomische' in html
    section = _html(client.get(f"/wijk/{WARD}/?periode=2019&deel=opbouw"))
    assert section.lstrip().startswith('<section class="chart-block" id="opbouw"')
    assert "hx-get" not in section
    assert section.count("<details") == 4
    assert "<caption>" in section


def test_buurt_page_works_too(scored, client):
    buurt = Region.objects.filter(parent__code=WARD, level="buurt").first()
    html = _html(client.get(f"/buurt/{buurt.code}/"))
    assert buurt.name in html


def test_drill_down_contributions_add_up_to_the_score(scored, client):
    html = _html(client.get(f"/wijk/{WARD}/zekerheid/"))
    score = float(re.search(r'id="score" data-value="([\d.]+)"', html).group(1))
    parts = [float(v) for v in re.findall(r'class="num contribution" data-value="([-\d.]+)"', html)]
    assert len(parts) >= 2
    assert sum(parts) == pytest.approx(score, abs=1e-4)
    assert "Dekking" in html
    assert 'data-figure="figuur-opbouw"' in html


@pytest.mark.parametrize("method", ["zscore", "minmax", "percentiel", "landelijk"])
def test_drill_down_explains_the_alternative_methods_too(scored, client, method):
    html = _html(client.get(f"/wijk/{WARD}/zekerheid/?methode={method}&periode=2019"))
    score = float(re.search(r'id="score" data-value="([\d.]+)"', html).group(1))
    parts = [float(v) for v in re.findall(r'class="num contribution" data-value="([-\d.]+)"', html)]
    assert len(parts) >= 2
    assert sum(parts) == pytest.approx(score, abs=1e-4)


def test_drill_down_explains_the_index_of_the_method_shown(scored, client):
    html = _html(client.get(f"/wijk/{WARD}/zekerheid/?methode=landelijk&periode=2019"))
    assert "Index: 100 is de landelijke waarde" in html
    assert "100 = landelijke waarde" in html  # the chart's axis
    html = _html(client.get(f"/wijk/{WARD}/zekerheid/?methode=percentiel&periode=2019"))
    assert "Index: de percentielrang binnen de periode" in html
    assert "in het basisjaar" not in html


def test_drill_down_of_a_condition_without_enough_data_says_so(scored, client):
    html = _html(client.get(f"/wijk/{WARD}/cohesie/"))
    assert "onvoldoende gegevens" in html


def test_unknown_area_or_condition_gives_404(scored, client):
    assert client.get("/wijk/WK999999/").status_code == 404
    assert client.get(f"/wijk/{WARD}/geluk/").status_code == 404
    assert client.get("/indicator/bestaat_niet/").status_code == 404


def test_compare_shows_radar_trends_table_and_similar_wards(scored, client):
    html = _html(client.get("/vergelijk/?wijk=WK051828&wijk=WK051801&wijk=WK051838"))
    assert 'data-figure="figuur-radar"' in html and 'data-figure="figuur-trends"' in html
    assert "Indicatoren van de gekozen gebieden naast elkaar" in html
    assert "Vergelijkbare wijken" in html
    adds = re.findall(r'class="add" href="([^"]+)"', html)
    assert len(adds) == 5
    assert all(a.count("wijk=") == 4 for a in adds)
    # The picker works without JavaScript: a checkbox per ward in a GET form.
    assert html.count('type="checkbox" name="wijk"') == 44


def test_compare_without_wards_explains_what_to_do(scored, client):
    html = _html(client.get("/vergelijk/"))
    assert "Kies ten minste twee wijken" in html


def test_compare_caps_at_six_and_skips_unknown_codes(scored, client):
    codes = Region.objects.filter(municipality__code="GM0518", level="wijk").values_list(
        "code", flat=True
    )[:8]
    query = "&".join(f"wijk={c}" for c in codes) + "&wijk=WK000000&wijk=onzin"
    html = _html(client.get(f"/vergelijk/?{query}"))
    assert "hoogstens 6" in html or "Geen geldige" in html


def test_indicator_page(scored, client):
    html = _html(client.get("/indicator/sez_laag_inkomen/?gemeente=GM0518"))
    for figure in ("kaart", "verdeling", "trend"):
        assert f'data-figure="figuur-{figure}"' in html
    assert "Huishoudens met een laag inkomen" in html
    assert "'s-Gravenhage" in html or "&#x27;s-Gravenhage" in html


def test_change_page(framework, client):
    synthetic_municipality(code="GM9912", wards=12)
    html = _html(client.get("/verandering/?van=2019&tot=2021&gemeente=GM9912"))
    assert 'data-figure="figuur-kaart"' in html
    assert "<caption>Verandering van sociaaleconomische zekerheid tussen 2019 en 2021" in html
    assert "gestegen in" in html, re.findall(r"<h2[^>]*>(.+?)</h2>", html)


def test_change_page_for_the_demo_names_the_periods_with_scores(scored, client):
    html = _html(client.get("/verandering/?gemeente=GM0518"))
    assert "Verandering tussen twee perioden" in html


# --- Query string: safe defaults, htmx fragment, CSV/JSON -----------------------------------


def test_bad_parameters_fall_back_to_defaults(scored, client):
    html = _html(
        client.get("/gemeente/GM0518/?periode=morgen&conditie=geluk&niveau=land&methode=x")
    )
    assert "Genegeerd" in html
    assert 'value="zekerheid" checked' in html


def test_htmx_request_gets_only_the_fragment(scored, client):
    full = _html(client.get("/gemeente/GM0518/?conditie=inclusie&periode=2019"))
    fragment = _html(
        client.get(
            "/gemeente/GM0518/?conditie=inclusie&periode=2019", headers={"HX-Request": "true"}
        )
    )
    assert "<html" in full and "<html" not in fragment
    assert 'data-figure="figuur-kaart"' in fragment
    assert "Sociale inclusie 2019" in fragment


def test_scorecard_sorts_by_a_condition(scored, client):
    html = _html(client.get("/gemeente/GM0518/?sorteer=zekerheid&periode=2021"))
    table = html.split("<caption>Scorekaart", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.+?)</tr>", table, re.S)[1:]
    values = []
    for row in rows:
        cells = re.findall(r'<td class="num">([\d.]+)', row)
        if cells:
            values.append(int(cells[0].replace(".", "")))
    assert values == sorted(values, reverse=True)


def test_every_table_downloads_as_csv_and_json(scored, client):
    pages = {
        "/gemeente/GM0518/": ["kaart", "scorekaart", "trends"],
        f"/wijk/{WARD}/": ["radar", "trend", "indicatoren", "context"],
        f"/wijk/{WARD}/zekerheid/": ["opbouw"],
        "/vergelijk/?wijk=WK051828&wijk=WK051801": ["radar", "trends", "indicatoren"],
        "/indicator/sez_laag_inkomen/?gemeente=GM0518": ["kaart", "verdeling", "trend"],
    }
    for url, tables in pages.items():
        joiner = "&" if "?" in url else "?"
        for table in tables:
            response = client.get(f"{url}{joiner}format=csv&tabel={table}")
            assert response.status_code == 200, (url, table)
            assert response["Content-Type"].startswith("text/csv")
            rows = list(csv.reader(io.StringIO(response.content.decode())))
            assert len(rows) >= 2, (url, table)
            data = json.loads(client.get(f"{url}{joiner}format=json&tabel={table}").content)
            assert data["tables"][table]["rows"], (url, table)
    assert client.get("/gemeente/GM0518/?format=csv&tabel=bestaat-niet").status_code == 404


def test_a_table_downloads_as_an_excel_workbook_with_numbers_as_numbers(scored, client):
    import openpyxl

    response = client.get("/gemeente/GM0518/?periode=2019&format=xlsx&tabel=scorekaart")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="GM0518-scorekaart.xlsx"' in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("Scorekaart")
    assert rows[1][:3] == ("Naam", "Code", "Zekerheid")
    numbers = [c for row in rows[2:] for c in row if isinstance(c, float | int)]
    assert len(numbers) > 40
    assert rows[-1][0].startswith("Bron: CBS")
    html = _html(client.get("/gemeente/GM0518/"))
    assert "format=xlsx&amp;tabel=scorekaart" in html


def test_empty_state_without_scores_says_what_to_do(demo, client):
    ConditionScore.objects.all().delete()
    html = _html(client.get("/gemeente/GM0518/"))
    assert "Nog geen scores: lees cijfers in via Beheer → Importeren" in html
    html = _html(client.get(f"/wijk/{WARD}/"))
    assert "Nog geen scores" in html


# --- A fixed number of queries, whatever the number of wards --------------------------------


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _urls(municipality: Region) -> dict[str, str]:
    wards = list(
        Region.objects.filter(municipality=municipality, level="wijk")
        .order_by("code")
        .values_list("code", flat=True)
    )
    code = municipality.code
    buurt = (
        Region.objects.filter(municipality=municipality, level="buurt")
        .order_by("code")
        .values_list("code", flat=True)[2]
    )
    return {
        "buurt": f"/buurt/{buurt}/",
        "vergelijk-leeg": f"/vergelijk/?gemeente={code}",
        "gemeente": f"/gemeente/{code}/",
        "gemeente-htmx": f"/gemeente/{code}/?conditie=inclusie&periode=2020",
        "wijk": f"/wijk/{wards[3]}/",
        "wijk-opbouw": f"/wijk/{wards[3]}/?deel=opbouw",
        "opbouw": f"/wijk/{wards[3]}/zekerheid/",
        "vergelijk": f"/vergelijk/?wijk={wards[0]}&wijk={wards[1]}&wijk={wards[2]}",
        "indicator": f"/indicator/sez_laag_inkomen/?gemeente={code}",
        "verandering": f"/verandering/?gemeente={code}&van=2019&tot=2021",
    }


EXPECTED_QUERIES = {
    "buurt": 5,
    "vergelijk-leeg": 2,
    "gemeente": 5,  # and whether it is published (observations are private)
    "gemeente-htmx": 5,
    "wijk": 7,  # region, scores, averages, indicators, ranks, values, published
    "wijk-opbouw": 8,  # and the comparison group's regions and values
    "opbouw": 6,
    "vergelijk": 6,
    "indicator": 4,
    "verandering": 3,
}


def test_each_dashboard_uses_the_same_number_of_queries_for_10_and_100_wards(framework, client):
    small = synthetic_municipality(code="GM9910", wards=10)
    large = synthetic_municipality(code="GM9911", wards=100)
    counts_small = {name: _count(client, url) for name, url in _urls(small).items()}
    counts_large = {name: _count(client, url) for name, url in _urls(large).items()}
    assert counts_small == counts_large
    assert counts_small == EXPECTED_QUERIES


def test_a_method_without_scores_says_to_pick_another(scored, client):
    # As in a municipality whose files lack the national row (NL00).
    ConditionScore.objects.filter(method="landelijk").delete()
    html = _html(client.get("/gemeente/GM0518/?methode=landelijk"))
    assert "Geen scores met de methode" in html
