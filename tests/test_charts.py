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
    json.dumps(spec, allow_nan=False)  # raises on a NaN (the page would show it as a gap)
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


def test_figure_json_is_what_json_dumps_writes_with_non_ascii_names_and_escapes():
    scores = {"WK000101": 100.5, "WK000102": 101.0}
    areas = [Area("WK000101", "Zuidoost & ’t Hoogt <b>", "/w/?a=1&b=2", SQUARE), AREAS[1]]
    block = charts.municipality_map(
        areas=areas, scores=scores, condition="zekerheid", period="2021", level_plural="wijken"
    )
    expected = json.dumps(block.figure.to_dict(), ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        expected = expected.replace(char, escaped)
    assert block.figure_json == expected
    assert json.loads(block.figure_json)["data"][0]["name"].startswith("Zuidoost & ’t Hoogt <b>")


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


# --- Changes coloured by better or worse, with words besides colour --------------------------


def test_a_fall_is_an_improvement_when_lower_is_better():
    fall = charts.change_cell(-2.0, 1, direction=-1)
    assert fall.text == "▼ −2,0" and fall.css == "better" and fall.said == "verbeterd"
    rise = charts.change_cell(1.5, 1, direction=-1)
    assert rise.text == "▲ +1,5" and rise.css == "worse" and rise.said == "verslechterd"
    score_rise = charts.change_cell(3.0)  # scores: higher is always better
    assert score_rise.css == "better" and score_rise.said == "verbeterd"
    context = charts.change_cell(3.0, direction=0)  # not scored: neither better nor worse
    assert context.css == "up" and context.said == "gestegen"


def test_change_cells_in_html_carry_arrow_colour_and_a_word_for_screen_readers():
    table = charts.Table(
        caption="T",
        columns=[
            charts.Column("name", "Naam", decimals=None),
            charts.Column("change", "Verandering", decimals=1, direction_key="direction"),
            charts.Column("score", "Score", decimals=0, change_key="change_score"),
        ],
        rows=[
            {
                "name": "Laag inkomen",
                "change": -1.2,
                "direction": -1,
                "score": 101,
                "change_score": -3,
            },
            {"name": "Werkzaam", "change": -1.2, "direction": 1, "score": 99, "change_score": 2},
        ],
        header_key="name",
    )
    html = table.to_html()
    rows = html.split("<tr>")[2:]
    assert (
        'class="num better" title="verbeterd">▼ −1,2 <span class="visually-hidden">verbeterd</span>'
        in rows[0]
    )
    assert 'class="num worse" title="verslechterd">▼ −1,2' in rows[1]
    assert (
        '<span class="chg worse">▼ −3 <span class="visually-hidden">verslechterd</span></span>'
        in rows[0]
    )
    assert '<span class="chg better">▲ +2 <span class="visually-hidden">verbeterd</span>' in rows[1]


def test_a_difference_to_the_average_says_better_or_worse_not_improved():
    radar = charts.ward_radar(
        ward_name="Noord",
        period="2021",
        scores={"zekerheid": 104.0, "inclusie": 96.0},
        averages={"zekerheid": 100.0, "inclusie": 100.0},
    )
    html = radar.table.to_html()
    assert '<span class="visually-hidden">beter</span>' in html
    assert '<span class="visually-hidden">slechter</span>' in html


# --- Empty charts: a sentence instead of an empty figure -------------------------------------


def test_charts_without_any_value_are_a_sentence_that_says_what_would_fill_them():
    empty_scores = {a.code: None for a in AREAS}
    blocks = [
        charts.municipality_map(
            areas=AREAS,
            scores=empty_scores,
            condition="zekerheid",
            period="2021",
            level_plural="wijken",
        ),
        charts.indicator_map(
            areas=AREAS,
            values=empty_scores,
            name="Laag inkomen",
            unit="%",
            decimals=1,
            period="2021",
            level_plural="wijken",
        ),
        charts.change_map(
            areas=AREAS,
            start=empty_scores,
            end=empty_scores,
            condition="zekerheid",
            start_period="2019",
            end_period="2021",
            level_plural="wijken",
        ),
        charts.ward_radar(ward_name="Noord", period="2021", scores={}, averages={}),
        charts.ward_trend(ward_name="Noord", periods=PERIODS, scores={}),
        charts.trend_small_multiples(
            points_=[ScorePoint(a.code, p, "zekerheid", None) for a in AREAS for p in PERIODS],
            areas=AREAS,
            periods=PERIODS,
            averages={},
            municipality_name="Proefstad",
        ),
        charts.compare_radar(wards=AREAS, period="2021", scores={}),
        charts.compare_trends(wards=AREAS, periods=PERIODS, scores={}),
        charts.indicator_trend(
            periods=PERIODS,
            municipal={},
            national={},
            ward_median={},
            name="Laag inkomen",
            unit="%",
            decimals=1,
            municipality_name="Proefstad",
        ),
        charts.indicator_distribution(
            values={},
            names={},
            name="Laag inkomen",
            unit="%",
            decimals=1,
            period="2021",
            municipal=None,
            municipality_name="Proefstad",
            national=None,
        ),
    ]
    for block in blocks:
        assert block.figure is None, block.id
        assert block.notes and block.notes[0].startswith("Geen "), block.id
        assert "Importeren" in block.notes[0] or "kies" in block.notes[0], block.notes
        assert "0 van de 0" not in block.title
    assert blocks[3].title == "Noord heeft in 2021 nog geen scores"


def test_a_ward_without_an_average_to_compare_keeps_its_radar_and_says_so():
    radar = charts.ward_radar(
        ward_name="Noord", period="2021", scores={"zekerheid": 104.0}, averages={}
    )
    _valid(radar)
    assert radar.title == "Noord in 2021: geen gemeentelijk gemiddelde om mee te vergelijken"


def test_colour_bar_ticks_get_decimals_when_the_values_lie_close_together():
    block = charts.change_map(
        areas=AREAS,
        start={"WK000101": 100.0, "WK000102": 100.0},
        end={"WK000101": 100.3, "WK000102": 99.8},
        condition="zekerheid",
        start_period="2019",
        end_period="2021",
        level_plural="wijken",
    )
    colorbar = _valid(block)["data"][-1]["marker"]["colorbar"]
    assert colorbar["tickformat"] == ",.1f"  # not "0, 0, 0" for −0,3 … +0,3


# --- Labels that do not collide --------------------------------------------------------------


def test_reference_labels_on_the_histogram_point_away_from_each_other():
    distribution = charts.indicator_distribution(
        values={"WK000101": 12.5, "WK000102": 30.25, "WK000103": 18.0},
        names={a.code: a.name for a in AREAS},
        name="Laag inkomen",
        unit="%",
        decimals=1,
        period="2021",
        municipal=15.6,
        municipality_name="Proefstad",
        national=15.5,
    )
    annotations = {a["text"]: a for a in _valid(distribution)["layout"]["annotations"]}
    assert annotations["Nederland: 15,5 %"]["xanchor"] == "right"  # the lower value
    assert annotations["Proefstad: 15,6 %"]["xanchor"] == "left"


def test_a_long_title_pushes_the_plot_down_instead_of_running_over_its_first_bar():
    rows = charts.breakdown_rows(
        [
            {"indicator": "a", "raw": 10.0, "index": 110.0, "weight": 1, "contribution": 55.0},
            {"indicator": "b", "raw": 20.0, "index": 90.0, "weight": 1, "contribution": 45.0},
        ],
        {
            "a": ("Huishoudens met een laag inkomen onder de lage-inkomensgrens", "%"),
            "b": ("Personen met een bijstandsuitkering of een andere uitkering", "%"),
        },
    )
    block = charts.breakdown_chart(
        ward_name="Wijk 28 Centrum", condition="zekerheid", period="2019", score=100.0, rows=rows
    )
    layout = _valid(block)["layout"]
    lines = layout["title"]["text"].count("<br>") + 1
    assert lines >= 3
    assert layout["title"]["yref"] == "container" and layout["title"]["yanchor"] == "top"
    title_top = (1 - layout["title"]["y"]) * layout["height"] - 11  # plotly lifts 2+ lines
    assert title_top >= 8  # the first line is not cut off
    assert layout["margin"]["t"] >= title_top + 20 * lines + 10  # nor the last over the bars


def test_the_legend_sits_below_the_period_axis_title():
    trend = charts.ward_trend(
        ward_name="Noord", periods=PERIODS, scores={("2019", "zekerheid"): 100.0}
    )
    layout = _valid(trend)["layout"]
    assert layout["xaxis"]["title"]["text"] == "periode"
    assert layout["legend"]["yref"] == "container" and layout["legend"]["y"] == 0
    assert layout["margin"]["b"] >= 84  # tick labels and axis title above the legend
    assert layout["height"] == trend.height


def test_the_ward_trend_takes_an_extra_series_with_a_row_of_its_own():
    trend = charts.ward_trend(
        ward_name="Noord",
        periods=PERIODS,
        scores={("2019", "zekerheid"): 100.0, ("2021", "zekerheid"): 104.0},
        extra=[charts.TrendSeries("praktijk", {"2020": 3.5}, charts.series_style(6), decimals=1)],
    )
    figure = _valid(trend)
    assert [t["name"] for t in figure["data"]][-1] == "praktijk"
    assert trend.table.rows[-1] == {
        "condition": "praktijk",
        "2019": None,
        "2020": 3.5,
        "2021": None,
    }
    assert "+4 punten" in trend.title  # the title is about the conditions


def test_the_ward_trend_draws_the_margin_of_each_score_as_a_band_and_lists_it():
    trend = charts.ward_trend(
        ward_name="Noord",
        periods=PERIODS,
        scores={("2019", "zekerheid"): 100.0, ("2021", "zekerheid"): 106.0},
        margins={("2019", "zekerheid"): (95.2, 104.8), ("2021", "zekerheid"): (101.0, 111.0)},
    )
    figure = _valid(trend)
    band = next(t for t in figure["data"] if t.get("fill") == "toself")
    # 2020 has no score: each of the two years is a shape of its own (a short bar).
    assert band["x"] == ["2019", "2019", "2019", None, "2021", "2021", "2021", None]
    assert band["y"] == [104.8, 95.2, 104.8, None, 111.0, 101.0, 111.0, None]
    assert band["showlegend"] is False
    assert "marge van de score (95 %)" in trend.summary
    margin_row = next(r for r in trend.table.rows if r["condition"].endswith("marge (95 %)"))
    assert margin_row["2019"] == "95 tot 105" and margin_row["2020"] is None
    assert not any("error_y" in t for t in figure["data"])  # two periods: a band, no error bar


def test_the_ward_trend_draws_the_margin_of_a_single_period_as_an_error_bar():
    trend = charts.ward_trend(
        ward_name="Noord",
        periods=["2019"],
        scores={("2019", "zekerheid"): 100.0, ("2019", "inclusie"): 98.0},
        margins={("2019", "zekerheid"): (95.2, 104.8)},
    )
    figure = _valid(trend)
    assert not any(t.get("fill") for t in figure["data"])  # no band of zero width
    bar = next(t for t in figure["data"] if "error_y" in t)
    assert (bar["x"], bar["y"], bar["mode"]) == (["2019"], [100.0], "markers")
    assert bar["error_y"]["symmetric"] is False
    assert bar["error_y"]["array"] == pytest.approx([4.8])
    assert bar["error_y"]["arrayminus"] == pytest.approx([4.8])
    assert bar["showlegend"] is False and bar["legendgroup"] == "zekerheid"
    # Only the condition with a margin gets one.
    assert [t["legendgroup"] for t in figure["data"] if "error_y" in t] == ["zekerheid"]
    assert "De streep door een punt is de marge van de score (95 %)" in trend.summary
    assert "band" not in trend.summary
    assert trend.table.caption.endswith(", met de marge (95 %) van elke score")
    margin_row = next(r for r in trend.table.rows if r["condition"].endswith("marge (95 %)"))
    assert margin_row == {
        "condition": "Sociaaleconomische zekerheid: marge (95 %)",
        "2019": "95 tot 105",
    }


def test_a_band_in_one_condition_and_an_error_bar_in_another_are_both_named_in_the_summary():
    trend = charts.ward_trend(
        ward_name="Noord",
        periods=["2019", "2020"],
        scores={
            ("2019", "zekerheid"): 100.0,
            ("2020", "zekerheid"): 101.0,
            ("2020", "inclusie"): 95.0,  # scored in one period only
        },
        margins={
            ("2019", "zekerheid"): (96.0, 104.0),
            ("2020", "zekerheid"): (97.0, 105.0),
            ("2020", "inclusie"): (90.0, 99.0),
        },
    )
    figure = _valid(trend)
    assert [t["legendgroup"] for t in figure["data"] if t.get("fill") == "toself"] == ["zekerheid"]
    bar = next(t for t in figure["data"] if "error_y" in t)
    assert bar["legendgroup"] == "inclusie"
    assert bar["error_y"]["array"] == pytest.approx([4.0])
    assert bar["error_y"]["arrayminus"] == pytest.approx([5.0])
    assert "De lichte band om een lijn (bij één periode: de streep door een punt)" in trend.summary
    assert trend.summary.count("marge van de score (95 %)") == 1
    inclusie = next(t for t in figure["data"] if t["name"] == "Sociale inclusie")
    assert bar["line"]["dash"] == inclusie["line"]["dash"]  # like its condition's line
