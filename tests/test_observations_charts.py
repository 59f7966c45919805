"""The signals map of the municipality page, without a database."""

from __future__ import annotations

from monitoring.charts.types import Area
from observations.charts import signal_totals, signals_map

SQUARE = {"type": "Polygon", "coordinates": [[[4.0, 52.0], [4.1, 52.0], [4.1, 52.1], [4.0, 52.0]]]}
AREAS = [
    Area("WK000101", "Centrum", "/wijk/WK000101/", SQUARE),
    Area("WK000102", "Noord", "/wijk/WK000102/", SQUARE),
    Area("WK000103", "Zuid", "/wijk/WK000103/", SQUARE),
]


def test_a_ward_nobody_observed_has_no_count_and_an_observed_one_without_signals_has_zero():
    totals = signal_totals(
        observed={"WK000101", "WK000102"}, signals={"WK000101": {"Eenzaamheid": 2, "Geldzorgen": 1}}
    )
    assert totals == {"WK000101": 3, "WK000102": 0}


def test_the_map_names_the_ward_with_the_most_signals_and_says_who_was_not_observed():
    block = signals_map(
        areas=AREAS,
        observed={"WK000101", "WK000102"},
        signals={"WK000101": {"Eenzaamheid": 2, "Geldzorgen": 1}},
        period="2024-K4",
    )
    assert block.title == "Signalen per wijk, 2024-K4: de meeste in Centrum (3 meldingen)"
    assert "in 1 van de 2 wijken" in block.summary and "van 1 wijk is er geen observatie" in (
        block.summary
    )
    rows = {row["code"]: row for row in block.table.rows}
    assert rows["WK000101"]["top"] == "Eenzaamheid"
    assert rows["WK000103"] == {**rows["WK000103"], "signals": None, "top": "geen observatie"}
    assert block.figure is not None


def test_without_an_observed_ward_among_the_areas_there_is_no_map():
    buurten = [Area("BU00010101", "Oud", "/buurt/BU00010101/", SQUARE)]
    assert signals_map(areas=buurten, observed={"WK000101"}, signals={}, period="2024-K4") is None
