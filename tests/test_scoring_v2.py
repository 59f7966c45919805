"""Method 2.0, computed by hand: the reference is the municipality as a whole, change is like for
like, ranks are taken on the scores as shown, an indicator has a period of validity.

The numbers are the worked example of docs/methodology.md, section "Methode 2.0".
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from monitoring.scoring import competition_ranks, score
from monitoring.scoring.change import basis_text, like_for_like_change

WARDS = ["W1", "W2", "W3", "W4"]

# Zekerheid with three indicators; C (higher is better) first appears in 2021.
INDICATORS = pd.DataFrame(
    [
        {"code": "A", "condition": "zekerheid", "direction": -1, "weight": 1},
        {"code": "B", "condition": "zekerheid", "direction": -1, "weight": 1},
        {"code": "C", "condition": "zekerheid", "direction": 1, "weight": 1},
    ]
)


def _values(rows: dict[tuple[str, str], list[float]]) -> pd.DataFrame:
    records = []
    for (indicator, period), numbers in rows.items():
        for ward, value in zip(WARDS, numbers, strict=True):
            records.append(
                {"region": ward, "indicator": indicator, "period": period, "value": value}
            )
    return pd.DataFrame(records)


CHANGE_VALUES = _values(
    {
        # 2019: A mean 20, sd 2; B mean 10, sd 5. C is not published.
        ("A", "2019"): [18, 18, 22, 22],
        ("B", "2019"): [5, 5, 15, 15],
        ("A", "2021"): [16, 18, math.nan, 24],
        ("B", "2021"): [5, 10, 15, 15],
        ("C", "2021"): [1, 2, 3, 4],
    }
)


def _change() -> pd.DataFrame:
    result = score(CHANGE_VALUES, INDICATORS, base_period="2019")
    return like_for_like_change(
        result.contributions, INDICATORS, start="2019", end="2021"
    ).set_index("region")


def test_like_for_like_change_uses_only_the_indicators_present_in_both_periods():
    change = _change()
    # W1 2019: A 100 - 10 × (18 - 20) / 2 = 110, B 100 - 10 × (5 - 10) / 5 = 110: 110.
    # W1 2021 on A and B: A 100 - 10 × (16 - 20) / 2 = 120, B 110: 115. Change +5.
    assert change.loc["W1", "score_start"] == pytest.approx(110)
    assert change.loc["W1", "score_end"] == pytest.approx(115)
    assert change.loc["W1", "change"] == pytest.approx(5)
    # W2 2021: A 110, B 100 - 10 × (10 - 10) / 5 = 100: 105. Change -5.
    assert change.loc["W2", "change"] == pytest.approx(-5)
    assert change.loc["W1", "n_common"] == 2 and change.loc["W1", "n_indicators"] == 3
    assert basis_text(2, 3) == "op basis van 2 van 3 indicatoren"


def test_the_naive_difference_of_the_stored_scores_would_give_the_wrong_sign():
    result = score(CHANGE_VALUES, INDICATORS, base_period="2019")
    scores = result.scores.set_index(["region", "period", "condition"])["value"]
    # C has no 2019 values, so its reference is its own first year, 2021: mean 2.5, sd √1.25.
    c_index = 100 + 10 * (1 - 2.5) / math.sqrt(1.25)
    assert scores[("W1", "2021", "zekerheid")] == pytest.approx((120 + 110 + c_index) / 3)
    naive = scores[("W1", "2021", "zekerheid")] - scores[("W1", "2019", "zekerheid")]
    assert naive < 0 < _change().loc["W1", "change"]


def test_a_change_resting_on_one_of_three_indicators_is_not_given():
    change = _change()
    # W3 has no value for A in 2021: only B is common, 1/3 of the weight.
    assert change.loc["W3", "n_common"] == 1
    assert math.isnan(change.loc["W3", "change"])
    assert change.loc["W3", "status"] == "te weinig indicatoren in beide perioden"


def test_the_reference_is_the_municipality_as_a_whole_weighted_by_the_denominator():
    values = _values({("A", "2019"): [18, 18, 22, 22]})
    households = pd.DataFrame(
        {"region": WARDS, "period": "2019", "indicator": "A", "weight": [100, 100, 100, 200]}
    )
    result = score(values, INDICATORS.iloc[:1], base_period="2019", weights=households)
    index = result.indices.set_index("region")["index"]
    # Reference (18·100 + 18·100 + 22·100 + 22·200) / 500 = 20.4; sd of the wards 2.
    assert index["W1"] == pytest.approx(100 - 10 * (18 - 20.4) / 2)  # 112
    assert index["W4"] == pytest.approx(100 - 10 * (22 - 20.4) / 2)  # 92
    reference = result.references.set_index("indicator").loc["A"]
    assert reference["reference"] == pytest.approx(20.4)
    assert reference["sd"] == pytest.approx(2.0)
    assert bool(reference["weighted"]) and reference["period"] == "2019"


def test_weights_given_beside_the_values_weigh_the_reference_like_a_weights_frame():
    values = _values({("A", "2019"): [18, 18, 22, 22]})
    households = pd.DataFrame(
        {"region": WARDS, "period": "2019", "indicator": "A", "weight": [100, 100, 100, 200]}
    )
    beside = values.merge(
        households.rename(columns={"weight": "reference_weight"}),
        on=["region", "period", "indicator"],
        how="left",
    )
    as_frame = score(values, INDICATORS.iloc[:1], base_period="2019", weights=households)
    as_column = score(beside, INDICATORS.iloc[:1], base_period="2019")
    assert as_column.indices["index"].tolist() == pytest.approx(as_frame.indices["index"].tolist())
    assert as_column.references["reference"].iloc[0] == pytest.approx(20.4)
    # Method 1.0 knows no reference weights: the plain mean of the wards, 20.
    first = score(beside, INDICATORS.iloc[:1], base_period="2019", method_version="1.0")
    assert first.indices["index"].tolist() == pytest.approx([110, 110, 90, 90])


def test_without_weights_the_reference_is_the_plain_mean_of_the_wards():
    values = _values({("A", "2019"): [18, 18, 22, 22]})
    result = score(values, INDICATORS.iloc[:1], base_period="2019")
    assert result.indices["index"].tolist() == pytest.approx([110, 110, 90, 90])
    assert not bool(result.references["weighted"].iloc[0])


def test_method_1_keeps_the_base_period_for_every_indicator():
    result = score(CHANGE_VALUES, INDICATORS, base_period="2019", method_version="1.0")
    c = result.indices[result.indices["indicator"] == "C"]
    assert c["index"].isna().all()  # no 2019 values: no index under 1.0
    assert result.method_version == "1.0"


def test_ties_on_the_rounded_score_share_the_better_rank():
    scores = pd.Series([94.6, 93.4, 92.6, 92.4, math.nan])
    key = np.zeros(5, dtype=int)
    # Shown as 95, 93, 93, 92: ranks 1, 2, 2, 4; no score, no rank.
    assert competition_ranks(scores, key).tolist()[:4] == [1, 2, 2, 4]
    assert competition_ranks(scores, key).isna().tolist()[4]
    assert competition_ranks(scores, key, decimals=None).tolist()[:4] == [1, 2, 3, 4]


def test_scores_equal_on_paper_but_not_in_floating_point_share_their_rank():
    # Two wards equal on paper whose values differ by rounding noise upstream (10⁻¹²): under
    # method 1.0 that noise decided places 1 and 2; now they share place 1.
    values = pd.DataFrame(
        {
            "region": ["W1", "W2", "W3"],
            "indicator": "A",
            "period": "2019",
            "value": [0.3 + 1e-12, 0.3, 0.9],
        }
    )
    one = INDICATORS.iloc[:1]
    scores = score(values, one, base_period="2019").scores
    ranks = scores[scores["condition"] == "zekerheid"].set_index("region")["rank"]
    assert ranks["W1"] == ranks["W2"] == 1
    unrounded = score(values, one, base_period="2019", method_version="1.0").scores
    assert sorted(unrounded.loc[unrounded["condition"] == "zekerheid", "rank"]) == [1, 2, 3]


def test_an_indicator_outside_its_period_of_validity_does_not_count_against_coverage():
    indicators = pd.DataFrame(
        [
            {
                "code": "old",
                "condition": "inclusie",
                "direction": 1,
                "weight": 1,
                "valid_until": "2017",
            },
            {
                "code": "new",
                "condition": "inclusie",
                "direction": 1,
                "weight": 1,
                "valid_from": "2019",
            },
            {"code": "near", "condition": "inclusie", "direction": -1, "weight": 0.25},
        ]
    )
    values = _values(
        {
            ("old", "2017"): [60, 62, 64, 66],
            ("near", "2017"): [0.2, 0.4, 0.4, 0.6],
            ("new", "2019"): [68, 70, 72, 74],
            ("near", "2019"): [0.2, 0.4, 0.4, 0.6],
        }
    )
    scores = score(values, indicators, base_period="2019").scores
    scores = scores[scores["condition"] == "inclusie"]
    coverage = scores.groupby("period")["coverage"].min()
    # 2017: old (1) + near (0.25) of the 1.25 that belongs to 2017; 2019: new + near.
    assert coverage["2017"] == pytest.approx(1.0)
    assert coverage["2019"] == pytest.approx(1.0)
    assert scores["value"].notna().all()
    # Without the participation figure, proximity alone (0.25 of 1.25) is not enough.
    only_near = values[values["indicator"] == "near"]
    thin = score(only_near, indicators, base_period="2019").scores
    thin = thin[thin["condition"] == "inclusie"]
    assert thin["value"].isna().all()
    assert thin["coverage"].max() == pytest.approx(0.2)


def test_areas_below_the_ranking_floor_keep_their_score_but_get_no_place():
    values = _values({("A", "2019"): [18, 18, 22, 20]})
    inhabitants = pd.DataFrame({"region": WARDS, "inhabitants": [135, 40_000, 5_000, 2_000]})
    result = score(
        values,
        INDICATORS.iloc[:1],
        base_period="2019",
        inhabitants=inhabitants,
        rank_min_inhabitants=1000,
    )
    scores = result.scores[result.scores["condition"] == "zekerheid"].set_index("region")
    assert scores.loc["W1", "value"] == pytest.approx(100 - 10 * (18 - 19.5) / math.sqrt(2.75))
    assert pd.isna(scores.loc["W1", "rank"])
    # The others are ranked among themselves: W2 (18) first, W4 (20), W3 (22).
    assert scores.loc[["W2", "W4", "W3"], "rank"].tolist() == [1, 2, 3]
