"""Uncertainty of a score and of a place, computed by hand (docs/methodology.md, section 14)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from monitoring.scoring import score
from monitoring.scoring.uncertainty import (
    RATE,
    interval_text,
    rank_interval_text,
    rank_intervals,
    score_intervals,
    value_errors,
)

WARDS = ["W1", "W2", "W3", "W4"]


def test_a_benefit_rate_of_a_small_ward_has_an_error_from_its_count_and_cbs_rounding():
    # Hoornwijk: 260 inhabitants of working age, 30 on social assistance (CBS rounds to 10):
    # 115,4 ‰. The count varies by √30 (Poisson) and by its rounding, 10² / 12.
    se = value_errors([30 / 260 * 1000], [260], [RATE])[0]
    assert se == pytest.approx(math.sqrt(30 + 100 / 12) / 260 * 1000)  # 23,8 ‰
    assert se == pytest.approx(23.81, abs=0.01)


def test_the_score_interval_of_a_low_income_share_follows_the_number_of_households():
    indicators = pd.DataFrame(
        [{"code": "A", "condition": "zekerheid", "direction": -1, "weight": 1, "unit": "%"}]
    )
    values = pd.DataFrame(
        {"region": WARDS, "indicator": "A", "period": "2019", "value": [16.0, 16.0, 24.0, 24.0]}
    )
    households = pd.DataFrame(
        {"region": WARDS, "period": "2019", "indicator": "A", "weight": [336, 464, 400, 400]}
    )
    result = score(values, indicators, base_period="2019", weights=households)
    interval = score_intervals(result, indicators, weights=households)
    w1 = interval[(interval["region"] == "W1") & (interval["condition"] == "zekerheid")].iloc[0]
    # Reference (16·800 + 24·800) / 1600 = 20, sd 4: W1 scores 100 - 10 × (16 - 20) / 4 = 110.
    assert w1["value"] == pytest.approx(110)
    # se of 16 % of 336 households: √(0,16 × 0,84 / 336) = 2,0 percentage points, with the
    # rounding to 0,1: √(2,0² + 0,1² / 12); in index points × 10 / 4.
    expected_se = 10 * math.sqrt(2.0**2 + 0.1**2 / 12) / 4
    assert w1["se"] == pytest.approx(expected_se)  # 5,0 points
    assert w1["low"] == pytest.approx(110 - 1.959964 * expected_se, abs=1e-4)
    assert interval_text(w1["value"], w1["low"], w1["high"]) == "110, tussen 100 en 120"


def _two_indicators() -> tuple[pd.DataFrame, pd.DataFrame]:
    indicators = pd.DataFrame(
        [
            {"code": "A", "condition": "inclusie", "direction": 1, "weight": 1},
            {"code": "B", "condition": "inclusie", "direction": 1, "weight": 1},
        ]
    )
    # Mean 0 and sd 10 for both: index = 100 + value.
    values = pd.DataFrame(
        {
            "region": WARDS * 2,
            "indicator": ["A"] * 4 + ["B"] * 4,
            "period": "2019",
            "value": [10.0, 10.0, -10.0, -10.0, -10.0, 10.0, 10.0, -10.0],
        }
    )
    return values, indicators


def test_the_rank_interval_covers_half_and_one_and_a_half_times_each_weight():
    values, indicators = _two_indicators()
    result = score(values, indicators, base_period="2019")
    table = rank_intervals(result, indicators)
    table = table[table["condition"] == "inclusie"].set_index("region")
    # Scores 100, 110, 100, 90: ranks 2, 1, 2, 4.
    assert table["rank"].tolist() == [2, 1, 2, 4]
    # A × 0,5: W1 (55 + 90) / 1,5 = 96,7 and W3 103,3: W1 third. A × 1,5: W1 102, W3 98: W1
    # second. B × 0,5 and × 1,5 mirror that. Without B (A alone): W1 and W2 110, first.
    # Without A (B alone): W1 90, with W4 third.
    assert (table.loc["W1", "best"], table.loc["W1", "worst"]) == (1, 3)
    assert (table.loc["W3", "best"], table.loc["W3", "worst"]) == (1, 3)
    assert (table.loc["W2", "best"], table.loc["W2", "worst"]) == (1, 1)
    assert (table.loc["W4", "best"], table.loc["W4", "worst"]) == (3, 4)
    assert rank_interval_text(2, 3) == "plaats 2–3"
    assert rank_interval_text(1, 1) == "plaats 1"


def test_leaving_out_an_indicator_can_move_a_place():
    values, indicators = _two_indicators()
    third = pd.DataFrame(
        {"region": WARDS, "indicator": "C", "period": "2019", "value": [-10.0, -10.0, 10.0, 10.0]}
    )
    three = pd.concat(
        [
            indicators,
            pd.DataFrame([{"code": "C", "condition": "inclusie", "direction": 1, "weight": 1}]),
        ],
        ignore_index=True,
    )
    result = score(pd.concat([values, third]), three, base_period="2019")
    table = rank_intervals(result, three, factors=())
    table = table[table["condition"] == "inclusie"].set_index("region")
    # Indices A 110 110 90 90, B 90 110 110 90, C 90 90 110 110: scores 96,7, 103,3, 103,3, 96,7
    # (shown 97, 103, 103, 97): ranks 3, 1, 1, 3. Without C: 100, 110, 100, 90; without B: all
    # 100; without A: 90, 100, 110, 100. W1 thus runs from 1 to 4, W2 from 1 to 2.
    assert table["rank"].tolist() == [3, 1, 1, 3]
    assert (table.loc["W1", "best"], table.loc["W1", "worst"]) == (1, 4)
    assert (table.loc["W2", "best"], table.loc["W2", "worst"]) == (1, 2)
    assert (table.loc["W4", "best"], table.loc["W4", "worst"]) == (1, 4)


def test_a_score_within_five_points_of_the_average_is_around_the_average():
    from monitoring.charts import score_sentence

    def sentence(value: float) -> str:
        return score_sentence(
            condition_name="Sociale inclusie",
            value=value,
            status="berekend",
            municipal=100.0,
            previous=None,
            previous_period=None,
        )

    assert sentence(97.2) == (
        "Sociale inclusie: 97, rond het gemeentelijk gemiddelde (3 punten eronder)."
    )
    assert sentence(104.4) == (
        "Sociale inclusie: 104, rond het gemeentelijk gemiddelde (4 punten erboven)."
    )
    assert sentence(95.0) == "Sociale inclusie: 95, 5 punten onder het gemeentelijk gemiddelde."


def test_the_stored_margins_are_the_hand_computed_interval():
    indicators = pd.DataFrame(
        [{"code": "A", "condition": "zekerheid", "direction": -1, "weight": 1, "unit": "%"}]
    )
    values = pd.DataFrame(
        {
            "region": WARDS,
            "indicator": "A",
            "period": "2019",
            "value": [16.0, 16.0, 24.0, 24.0],
            "reference_weight": [336, 464, 400, 400],
        }
    )
    result = score(values, indicators, base_period="2019", with_margins=True)
    w1 = result.scores.set_index(["region", "condition"]).loc[("W1", "zekerheid")]
    expected_se = 10 * math.sqrt(2.0**2 + 0.1**2 / 12) / 4  # as above: 5,0 points
    assert w1["low"] == pytest.approx(110 - 1.959964 * expected_se, abs=1e-4)
    assert w1["high"] == pytest.approx(110 + 1.959964 * expected_se, abs=1e-4)


def test_the_stored_places_are_the_hand_computed_rank_interval():
    values, indicators = _two_indicators()
    result = score(values, indicators, base_period="2019", with_margins=True)
    table = result.scores[result.scores["condition"] == "inclusie"].set_index("region")
    # As in test_the_rank_interval_covers_half_and_one_and_a_half_times_each_weight.
    assert table["rank_best"].tolist() == [1, 1, 1, 3]
    assert table["rank_worst"].tolist() == [3, 1, 3, 4]
    # No condition without indicators gets a place.
    assert result.scores.loc[result.scores["condition"] == "cohesie", "rank_best"].isna().all()


def test_an_area_under_the_population_floor_takes_no_place_in_any_variant():
    values, indicators = _two_indicators()
    inhabitants = pd.DataFrame({"region": WARDS, "inhabitants": [5000, 5000, 100, 5000]})
    result = score(
        values,
        indicators,
        base_period="2019",
        inhabitants=inhabitants,
        rank_min_inhabitants=1000,
        with_margins=True,
    )
    table = result.scores[result.scores["condition"] == "inclusie"].set_index("region")
    # W3 (100 inhabitants) keeps its score but has no place, and takes none from W1: W1 now
    # runs from 1 to 2 (it was 1 to 3 with W3 ranked).
    assert pd.isna(table.loc["W3", "rank"]) and pd.isna(table.loc["W3", "rank_best"])
    assert (table.loc["W1", "rank_best"], table.loc["W1", "rank_worst"]) == (1, 2)
    assert table["rank_worst"].max() == 3
