"""The chart builders, without a database: valid plotly figures, Dutch numbers, words, tables."""

from __future__ import annotations

import csv
import io
import json

import plotly.graph_objects as go
import pytest

from monitoring import charts
from monitoring.charts import Area, ScorePoint

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[4.0, 52.0], [4.1, 52.0], [4.1, 52.1], [4.0, 52.1], [4.0, 52.0]]],
}
MULTI = {
    "type": "MultiPolygon",
    "coordinates": [
        [[[4.2, 52.0], [4.3, 52.0], [4.3, 52.1], [4.2, 52.0]]],
        [[[4.4, 52.0], [4.41, 52.0], [4.41, 52.01], [4.4, 52.0]]],
    ],
}
AREAS = [
    Area("WK000101", "Noord", "/wijk/WK000101/", SQUARE),
    Area("WK000102", "Zuid", "/wijk/WK000102/", MULTI),
    Area("WK000103", "Oost <b>", "/wijk/WK000103/", None),
]
PERIODS = ["2019", "2020", "2021"]


def _valid(block: charts.ChartBlock) -> dict:
    """The figure passes plotly's own validation and its JSON parses (no NaN)."""
    assert block.figure is not None
    spec = block.figure.to_dict()
    go.Figure(spec)  # raises on any invalid attribute
    parsed = json.loads(block.figure_json)
    assert parsed["layout"]["separators"] == ",."
    assert parsed["layout"]["title"]["text"]
    assert block.summary.endswith(".")
    return parsed


def _points() -> list[ScorePoint]:
    points = []
    for i, area in enumerate(AREAS):
        for j, period in enumerate(PERIODS):
            for k, condition in enumerate(("zekerheid", "inclusie", "cohesie", "empowerment")):
                value = (
                    None if condition == "cohesie" or (i == 1 and j == 1) else 95 + i * 3 + j + k
                )
                points.append(ScorePoint(area.code, period, condition, value))
    return points


def test_municipality_map_states_the_extremes_and_links_every_area():
    scores = {"WK000101": 104.0, "WK000102": 93.0, "WK000103": None}
    block = charts.municipality_map(
        areas=AREAS, scores=scores, condition="zekerheid", period="2021", level_plural="wijken"
    )
    figure = _valid(block)
    assert "hoogst in Noord (104)" in block.title and "laagst in Zuid (93)" in block.title
    urls = {t["meta"]["url"] for t in figure["data"] if "meta" in t}
    assert urls == {"/wijk/WK000101/", "/wijk/WK000102/"}  # the area without geometry: table only
    centres = figure["data"][-1]
    assert centres["customdata"] == ["/wijk/WK000101/", "/wijk/WK000102/"]
    assert [row["code"] for row in block.table.rows] == ["WK000101", "WK000102", "WK000103"]


def test_map_without_any_geometry_says_so():
    block = charts.municipality_map(
        areas=AREAS[2:], scores={}, condition="inclusie", period="2021", level_plural="buurten"
    )
    assert block.figure is None and block.notes


def test_figure_json_cannot_close_its_script_element():
    scores = {"WK000101": 100.0, "WK000102": 101.0}
    areas = [Area("WK000101", "</script><script>alert(1)</script>", "/w/", SQUARE), AREAS[1]]
    block = charts.municipality_map(
        areas=areas, scores=scores, condition="zekerheid", period="2021", level_plural="wijken"
    )
    assert "</script>" not in block.figure_json and "<" not in block.figure_json


def test_change_map_uses_arrows_as_second_carrier():
    block = charts.change_map(
        areas=AREAS,
        start={"WK000101": 100.0, "WK000102": 100.0},
        end={"WK000101": 104.0, "WK000102": 97.0},
        condition="zekerheid",
        start_period="2019",
        end_period="2021",
        level_plural="wijken",
    )
    figure = _valid(block)
    marker = figure["data"][-1]["marker"]
    assert marker["symbol"] == ["triangle-up", "triangle-down"]
    # plotly.js only knows a few scale names: the diverging scale travels as explicit stops,
    # the same ones the polygons were coloured with.
    assert isinstance(marker["colorscale"], list)
    assert figure["data"][0]["fillcolor"] == charts.colour_at(charts.DIVERGING, 1.0)
    assert "gestegen in 1, gedaald in 1" in block.title
    assert block.table.rows[0]["change"] == pytest.approx(4.0)


def test_trend_small_multiples_break_lines_where_data_is_missing():
    block = charts.trend_small_multiples(
        points_=_points(),
        areas=AREAS,
        periods=PERIODS,
        averages={("2019", "zekerheid"): 98.0, ("2021", "zekerheid"): 101.0},
        municipality_name="Proefstad",
    )
    figure = _valid(block)
    assert all(t.get("connectgaps") is False for t in figure["data"] if t["type"] == "scatter")
    assert {t.get("xaxis", "x") for t in figure["data"]} == {"x", "x2", "x3", "x4"}


def test_ward_radar_and_trend():
    radar = charts.ward_radar(
        ward_name="Noord",
        period="2021",
        scores={"zekerheid": 104.0, "inclusie": 96.0, "cohesie": None, "empowerment": 100.0},
        averages={"zekerheid": 100.0, "inclusie": 100.0, "cohesie": None, "empowerment": 99.6},
    )
    _valid(radar)
    assert "op 1 van de 3 condities boven" in radar.title
    trend = charts.ward_trend(
        ward_name="Noord",
        periods=PERIODS,
        scores={("2019", "zekerheid"): 100.0, ("2021", "zekerheid"): 106.0},
    )
    figure = _valid(trend)
    assert figure["data"][0]["y"] == [100.0, None, 106.0]
    assert "steeg sociaaleconomische zekerheid het meest: +6 punten" in trend.title
    assert "onderbroken lijn" in trend.summary
    dashes = {t["line"]["dash"] for t in figure["data"]}
    assert len(dashes) == 4  # every condition its own line style besides its colour


def test_breakdown_contributions_add_up_and_shares_sum_to_one():
    breakdown = [
        {"indicator": "a", "raw": 10.0, "index": 110.0, "weight": 1, "contribution": 55.0},
        {"indicator": "b", "raw": 20.0, "index": 90.0, "weight": 1, "contribution": 45.0},
        {"indicator": "c", "raw": None, "index": None, "weight": 0.5, "contribution": None},
    ]
    rows = charts.breakdown_rows(breakdown, {"a": ("Alfa", "%"), "b": ("Beta", "%")})
    assert sum(r.share for r in rows if r.share is not None) == pytest.approx(1.0)
    assert sum(r.contribution for r in rows if r.contribution) == pytest.approx(100.0)
    block = charts.breakdown_chart(
        ward_name="Noord", condition="zekerheid", period="2019", score=100.0, rows=rows
    )
    _valid(block)
    assert "hoogste index alfa (110), laagste beta (90)" in block.title


def test_compare_radar_has_one_trace_per_ward_with_distinct_styles():
    scores = {
        (a.code, c): 100.0 + i for i, a in enumerate(AREAS) for c in ("zekerheid", "inclusie")
    }
    block = charts.compare_radar(wards=AREAS, period="2021", scores=scores)
    figure = _valid(block)
    assert len(figure["data"]) == 3
    assert len({(t["line"]["dash"], t["marker"]["symbol"]) for t in figure["data"]}) == 3
    trends = charts.compare_trends(
        wards=AREAS,
        periods=PERIODS,
        scores={(p.code, p.period, p.condition): p.value for p in _points()},
    )
    _valid(trends)


def test_indicator_charts_with_reference_lines():
    values = {"WK000101": 12.5, "WK000102": 30.25, "WK000103": 18.0}
    names = {a.code: a.name for a in AREAS}
    distribution = charts.indicator_distribution(
        values=values,
        names=names,
        name="Laag inkomen",
        unit="%",
        decimals=1,
        period="2021",
        municipal=20.0,
        municipality_name="Proefstad",
        national=15.5,
    )
    figure = _valid(distribution)
    labels = [a["text"] for a in figure["layout"]["annotations"]]
    assert "Proefstad: 20,0 %" in labels and "Nederland: 15,5 %" in labels
    assert "1 van de 3 gebieden liggen boven Proefstad" in distribution.summary
    trend = charts.indicator_trend(
        periods=PERIODS,
        municipal={"2019": 10.0, "2021": 12.5},
        national={"2019": 9.0},
        ward_median={"2019": 11.0},
        name="Laag inkomen",
        unit="%",
        decimals=1,
        municipality_name="Proefstad",
    )
    _valid(trend)
    assert "steeg van 10,0 % (2019) naar 12,5 % (2021)" in trend.title
    the_map = charts.indicator_map(
        areas=AREAS,
        values=values,
        name="Laag inkomen",
        unit="%",
        decimals=1,
        period="2021",
        level_plural="wijken",
    )
    _valid(the_map)
    assert "30,3 %" in the_map.title or "30,2 %" in the_map.title


def test_score_sentence_in_words():
    sentence = charts.score_sentence(
        condition_name="Sociale cohesie",
        value=94.2,
        status="berekend",
        municipal=100.4,
        previous=97.0,
        previous_period="2019",
    )
    assert sentence == (
        "Sociale cohesie: 94, 6 punten onder het gemeentelijk gemiddelde, gedaald sinds 2019 (−3)."
    )
    assert (
        charts.score_sentence(
            condition_name="Sociale cohesie",
            value=None,
            status="onvoldoende gegevens",
            municipal=100,
            previous=None,
            previous_period=None,
        )
        == "Sociale cohesie: onvoldoende gegevens."
    )


def test_similarity_prefers_nearby_profiles_and_ignores_gaps():
    candidates = {
        "A": {"x": 1.0, "y": 1.0},
        "B": {"x": 5.0, "y": 5.0},
        "C": {"x": 1.1},  # too few shared indicators
        "D": {"x": 2.0, "y": 1.5},
    }
    spread = charts.spreads(candidates)
    ranking = charts.similarity_ranking(
        target={"x": 1.0, "y": 1.0}, candidates=candidates, spread=spread, limit=2
    )
    assert [code for code, _ in ranking] == ["A", "D"]


def test_tables_as_csv_json_and_dutch_cells():
    table = charts.Table(
        caption="T",
        columns=[
            charts.Column("name", "Naam", decimals=None),
            charts.Column("value", "Waarde", unit="%", decimals=1, change_key="change"),
            charts.Column("change", "Verandering", in_html=False),
        ],
        rows=[{"name": "Noord", "value": 1234.56, "change": -2.0}, {"name": "Zuid", "value": None}],
        header_key="name",
    )
    rows = list(csv.reader(io.StringIO(table.to_csv().decode("utf-8-sig")), delimiter=";"))
    assert rows == [
        ["Naam", "Waarde (%)", "Verandering"],
        ["Noord", "1234,56", "-2,0"],
        ["Zuid", "", ""],
    ]
    assert table.to_json()["rows"][1] == ["Zuid", None, None]
    cells = table.display_rows()
    assert len(cells[0]) == 2
    value_cell = cells[0][1][1]
    assert value_cell.text == "1.234,6" and value_cell.extra == "▼ −2,0"
    assert charts.change_cell(0.2).text == "= 0"
    assert charts.change_cell(3.4).text == "▲ +3"
