"""The pure scoring module: golden numbers worked out by hand, properties, robustness flags.

No database: these tests build pandas frames and call monitoring.scoring directly.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from monitoring import scoring
from monitoring.scoring import (
    CONDITIONS,
    STATUS_INSUFFICIENT,
    STATUS_SCORED,
    STATUS_TOO_FEW_INHABITANTS,
    UNWEIGHTED_MEAN_LABEL,
    choose_base_period,
    rank_robustness,
    score,
    unweighted_mean_of_conditions,
)

WARDS = ("WK01", "WK02", "WK03", "WK04")
SMALL_WARD = "WK05"

# The worked example of docs/methodology.md. Per indicator: condition, direction, weight and
# the values of WK01..WK04 in 2019 (the base year) and 2023. None = missing, "S" = suppressed.
GOLDEN_INDICATORS = {
    "laag_inkomen": ("zekerheid", -1, 2, [4, 8, 8, 20], [4, 7, 10, 16]),
    "werkloosheid": ("zekerheid", -1, 1, [3, 3, 5, 5], [2, "S", 4, 6]),
    "arbeidsparticipatie": ("inclusie", 1, 1, [60, 60, 70, 70], [65, 60, 75, 65]),
    "afstand_huisarts": ("inclusie", -1, 1, [1.3, 1.1, 1.1, 0.5], [1.1, 1.1, 0.8, 0.5]),
    "vrijwilligerswerk": ("cohesie", 1, 1, [20, 20, 30, 30], [25, 30, 20, 35]),
    "eenzaamheid": ("cohesie", -1, 1, [12, 8, 12, 8], [11, 9, 12, None]),
    "contact_buren": ("cohesie", 1, 1, [43, 43, 39, 55], [50, 45, None, None]),
    "opleiding_hoog": ("empowerment", 1, 1, [10, 40, 40, 50], [16, 40, 46, 50]),
    "stemopkomst": ("empowerment", 1, 1, [50, 60, 50, 60], [55, 60, 55, 70]),
}


def golden_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Values, indicators and inhabitants of the worked example.

    Besides the four wards there is WK05 with 30 inhabitants and extreme values, a context
    indicator and an inactive indicator with a large weight: none of these may change a number.
    """
    rows = []
    for code, (_, _, _, base, later) in GOLDEN_INDICATORS.items():
        for period, values in (("2019", base), ("2023", later)):
            for ward, value in zip(WARDS, values, strict=True):
                rows.append(
                    {
                        "region": ward,
                        "indicator": code,
                        "period": period,
                        "value": np.nan if value in (None, "S") else float(value),
                        "suppressed": value == "S",
                    }
                )
            rows.append(
                {
                    "region": SMALL_WARD,
                    "indicator": code,
                    "period": period,
                    "value": 1000.0,
                    "suppressed": False,
                }
            )
    for period in ("2019", "2023"):
        for ward in (*WARDS, SMALL_WARD):
            for code, value in (("bevolkingsdichtheid", 9000.0), ("bijstand", 999.0)):
                rows.append(
                    {
                        "region": ward,
                        "indicator": code,
                        "period": period,
                        "value": value,
                        "suppressed": False,
                    }
                )
    indicator_rows = [
        {"code": code, "condition": c, "direction": d, "weight": w, "is_active": True}
        for code, (c, d, w, _, _) in GOLDEN_INDICATORS.items()
    ]
    indicator_rows += [
        {
            "code": "bevolkingsdichtheid",
            "condition": "context",
            "direction": 1,
            "weight": 1,
            "is_active": True,
        },
        {
            "code": "bijstand",
            "condition": "zekerheid",
            "direction": -1,
            "weight": 5,
            "is_active": False,
        },
    ]
    # WK04's count is unknown: unknown counts as not small.
    inhabitants = pd.DataFrame(
        {"region": ["WK01", "WK02", "WK03", SMALL_WARD], "inhabitants": [1200, 800, 2500, 30]}
    )
    return pd.DataFrame(rows), pd.DataFrame(indicator_rows), inhabitants


def golden_result(method: str = "basisjaar") -> scoring.ScoreResult:
    values, indicators, inhabitants = golden_frames()
    return score(values, indicators, base_period="2019", method=method, inhabitants=inhabitants)


def score_table(result: scoring.ScoreResult) -> pd.DataFrame:
    return result.scores.set_index(["region", "period", "condition"])


# -- golden tests ----------------------------------------------------------------------------


def test_a_ward_at_the_base_year_mean_scores_100() -> None:
    values = pd.DataFrame(
        {
            "region": ["A", "B", "C"],
            "indicator": "x",
            "period": "2019",
            "value": [10.0, 20.0, 30.0],
        }
    )
    indicators = pd.DataFrame(
        [{"code": "x", "condition": "zekerheid", "direction": 1, "weight": 1}]
    )
    result = score(values, indicators, base_period="2019")
    assert score_table(result).loc[("B", "2019", "zekerheid"), "value"] == pytest.approx(100.0)


GOLDEN_INDICES_2019 = {
    "laag_inkomen": [110.0, 103.3333333, 103.3333333, 83.3333333],
    "werkloosheid": [110.0, 110.0, 90.0, 90.0],
    "afstand_huisarts": [90.0, 96.6666667, 96.6666667, 116.6666667],
    "contact_buren": [96.6666667, 96.6666667, 90.0, 116.6666667],
    "opleiding_hoog": [83.3333333, 103.3333333, 103.3333333, 110.0],
}
GOLDEN_INDICES_2023 = {
    "laag_inkomen": [110.0, 105.0, 100.0, 90.0],
    "werkloosheid": [120.0, None, 100.0, 80.0],
    "arbeidsparticipatie": [100.0, 90.0, 120.0, 100.0],
    "eenzaamheid": [95.0, 105.0, 90.0, None],
    "opleiding_hoog": [87.3333333, 103.3333333, 107.3333333, 110.0],
}


@pytest.mark.parametrize(
    ("period", "expected"), [("2019", GOLDEN_INDICES_2019), ("2023", GOLDEN_INDICES_2023)]
)
def test_indices_measure_base_year_standard_deviations_in_the_good_direction(
    period: str, expected: dict[str, list[float | None]]
) -> None:
    indices = golden_result().indices.set_index(["region", "period", "indicator"])["index"]
    for code, per_ward in expected.items():
        for ward, index in zip(WARDS, per_ward, strict=True):
            actual = indices.loc[(ward, period, code)]
            if index is None:
                assert math.isnan(actual), (ward, code)
            else:
                assert actual == pytest.approx(index, abs=1e-6), (ward, period, code)


GOLDEN_SCORES = {
    # (ward, period): zekerheid, inclusie, cohesie, empowerment
    ("WK01", "2019"): [110.0, 90.0, 92.2222222, 86.6666667],
    ("WK02", "2019"): [105.5555556, 93.3333333, 98.8888889, 106.6666667],
    ("WK03", "2019"): [98.8888889, 103.3333333, 96.6666667, 96.6666667],
    ("WK04", "2019"): [85.5555556, 113.3333333, 112.2222222, 110.0],
    ("WK01", "2023"): [113.3333333, 98.3333333, 101.1111111, 93.6666667],
    ("WK02", "2023"): [105.0, 93.3333333, 105.0, 106.6666667],
    ("WK03", "2023"): [100.0, 113.3333333, 90.0, 103.6666667],
    ("WK04", "2023"): [86.6666667, 108.3333333, None, 120.0],
}
GOLDEN_RANKS = {
    ("WK01", "2019"): [1, 4, 4, 4],
    ("WK02", "2019"): [2, 3, 2, 2],
    ("WK03", "2019"): [3, 2, 3, 3],
    ("WK04", "2019"): [4, 1, 1, 1],
    ("WK01", "2023"): [1, 3, 2, 4],
    ("WK02", "2023"): [2, 4, 1, 2],
    ("WK03", "2023"): [3, 1, 3, 3],
    ("WK04", "2023"): [4, 2, None, 1],
}


def test_condition_scores_of_the_worked_example_match_the_hand_computation() -> None:
    table = score_table(golden_result())
    for (ward, period), expected in GOLDEN_SCORES.items():
        for condition, value in zip(CONDITIONS, expected, strict=True):
            actual = table.loc[(ward, period, condition), "value"]
            if value is None:
                assert math.isnan(actual)
            else:
                assert actual == pytest.approx(value, abs=1e-6), (ward, period, condition)


def test_ranks_of_the_worked_example_put_the_best_score_first() -> None:
    table = score_table(golden_result())
    for (ward, period), expected in GOLDEN_RANKS.items():
        for condition, rank in zip(CONDITIONS, expected, strict=True):
            actual = table.loc[(ward, period, condition), "rank"]
            assert pd.isna(actual) if rank is None else actual == rank, (ward, period, condition)


def test_a_suppressed_cell_leaving_exactly_two_thirds_of_the_weight_still_gives_a_score() -> None:
    row = score_table(golden_result()).loc[("WK02", "2023", "zekerheid")]
    assert row["coverage"] == pytest.approx(2 / 3)
    assert row["value"] == pytest.approx(105.0)
    assert row["status"] == STATUS_SCORED


def test_a_condition_with_one_third_of_its_weight_reports_onvoldoende_gegevens() -> None:
    row = score_table(golden_result()).loc[("WK04", "2023", "cohesie")]
    assert math.isnan(row["value"])
    assert row["coverage"] == pytest.approx(1 / 3)
    assert row["status"] == "onvoldoende gegevens"
    assert pd.isna(row["rank"])


def test_the_drill_down_of_the_worked_example_adds_up_to_the_score() -> None:
    contributions = golden_result().contributions.set_index(["region", "period", "indicator"])
    assert contributions.loc[("WK02", "2019", "laag_inkomen"), "raw"] == 8.0
    assert contributions.loc[("WK02", "2019", "laag_inkomen"), "contribution"] == pytest.approx(
        68.8888889, abs=1e-6
    )
    assert contributions.loc[("WK02", "2019", "werkloosheid"), "contribution"] == pytest.approx(
        36.6666667, abs=1e-6
    )
    assert contributions.loc[("WK02", "2023", "laag_inkomen"), "contribution"] == pytest.approx(
        105.0
    )
    suppressed = contributions.loc[("WK02", "2023", "werkloosheid")]
    assert suppressed["suppressed"]
    assert math.isnan(suppressed["raw"])
    assert math.isnan(suppressed["contribution"])


@pytest.mark.parametrize("method", ["basisjaar", "percentiel"])
def test_leaving_out_the_contributions_gives_the_same_scores(method) -> None:
    values, indicators, inhabitants = golden_frames()
    lean = score(
        values,
        indicators,
        base_period="2019",
        method=method,
        inhabitants=inhabitants,
        with_contributions=False,
    )
    assert lean.contributions.empty
    assert list(lean.contributions.columns) == scoring.CONTRIBUTION_COLUMNS
    pd.testing.assert_frame_equal(lean.scores, golden_result(method).scores)


def test_a_ward_below_the_inhabitant_minimum_gets_no_index_score_or_rank() -> None:
    result = golden_result()
    small = result.scores[result.scores["region"] == SMALL_WARD]
    assert len(small) == 2 * len(CONDITIONS)
    assert small["value"].isna().all()
    assert small["rank"].isna().all()
    assert (small["status"] == STATUS_TOO_FEW_INHABITANTS).all()
    assert result.indices.loc[result.indices["region"] == SMALL_WARD, "index"].isna().all()


def test_context_and_inactive_indicators_are_not_scored() -> None:
    indicators_used = set(golden_result().contributions["indicator"])
    assert indicators_used == set(GOLDEN_INDICATORS)


def test_the_overall_figure_is_the_unweighted_mean_of_all_four_conditions() -> None:
    overall = unweighted_mean_of_conditions(golden_result().scores).set_index(["region", "period"])
    assert overall.loc[("WK01", "2019"), "value"] == pytest.approx(94.7222222, abs=1e-6)
    assert overall.loc[("WK04", "2019"), "value"] == pytest.approx(105.2777778, abs=1e-6)
    assert overall.loc[("WK02", "2023"), "value"] == pytest.approx(102.5, abs=1e-6)
    assert math.isnan(overall.loc[("WK04", "2023"), "value"])
    assert overall.loc[("WK04", "2023"), "n_conditions"] == 3
    assert (overall["label"] == UNWEIGHTED_MEAN_LABEL).all()


def test_the_default_base_period_is_the_earliest_year_with_enough_data() -> None:
    values, indicators, inhabitants = golden_frames()
    assert choose_base_period(values, indicators, inhabitants=inhabitants) == "2019"
    # Without the 2019 values of two of the three cohesion indicators, 2019 is not enough.
    thin = values[
        ~((values["period"] == "2019") & values["indicator"].isin(["eenzaamheid", "contact_buren"]))
    ]
    assert choose_base_period(thin, indicators, inhabitants=inhabitants) == "2023"


# A single indicator, four wards, lower is better: small enough to check every method by hand.
ONE_INDICATOR = pd.DataFrame(
    [{"code": "laag_inkomen", "condition": "zekerheid", "direction": -1, "weight": 1}]
)
ONE_INDICATOR_VALUES = pd.DataFrame(
    {
        "region": ["A", "B", "C", "D"],
        "indicator": "laag_inkomen",
        "period": "2019",
        "value": [10.0, 20.0, 20.0, 50.0],
    }
)


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        # mean 25, population sd 15: 100 - 10 * (value - 25) / 15
        ("basisjaar", [110.0, 103.3333333, 103.3333333, 83.3333333]),
        ("zscore", [110.0, 103.3333333, 103.3333333, 83.3333333]),
        # worst (50) is 0, best (10) is 100
        ("minmax", [100.0, 75.0, 75.0, 0.0]),
        # ranks after the direction 4, 2.5, 2.5, 1 -> 100 * (rank - 1) / 3
        ("percentiel", [100.0, 50.0, 50.0, 0.0]),
        # national value 30, base sd 15: 100 - 10 * (value - 30) / 15
        ("landelijk", [113.3333333, 106.6666667, 106.6666667, 86.6666667]),
    ],
)
def test_each_normalisation_matches_its_hand_computed_index(
    method: str, expected: list[float]
) -> None:
    national = pd.DataFrame({"indicator": ["laag_inkomen"], "period": ["2019"], "value": [30.0]})
    result = score(
        ONE_INDICATOR_VALUES, ONE_INDICATOR, base_period="2019", method=method, national=national
    )
    assert result.indices["index"].tolist() == pytest.approx(expected, abs=1e-6)


def test_tied_scores_share_the_better_rank() -> None:
    scores = score(ONE_INDICATOR_VALUES, ONE_INDICATOR, base_period="2019").scores
    assert scores.loc[scores["condition"] == "zekerheid", "rank"].tolist() == [1, 2, 2, 4]


def test_an_indicator_without_spread_in_the_base_year_gets_no_index_and_is_reported() -> None:
    values = ONE_INDICATOR_VALUES.assign(value=7.0)
    result = score(values, ONE_INDICATOR, base_period="2019")
    assert result.indices["index"].isna().all()
    assert result.diagnostics.to_dict("records") == [
        {
            "group": "",
            "indicator": "laag_inkomen",
            "period": "2019",
            "reason": "geen spreiding in de basisperiode",
            "n_values": 4,
        }
    ]


def test_an_indicator_with_one_base_year_value_gets_no_index_and_is_reported() -> None:
    values = ONE_INDICATOR_VALUES.assign(value=[10.0, np.nan, np.nan, np.nan])
    result = score(values, ONE_INDICATOR, base_period="2019")
    assert result.indices["index"].isna().all()
    assert result.diagnostics["reason"].tolist() == [
        "minder dan 2 bruikbare waarden in de basisperiode"
    ]


def test_a_missing_national_value_is_reported() -> None:
    national = pd.DataFrame({"indicator": [], "period": [], "value": []})
    result = score(
        ONE_INDICATOR_VALUES,
        ONE_INDICATOR,
        base_period="2019",
        method="landelijk",
        national=national,
    )
    assert result.indices["index"].isna().all()
    assert result.diagnostics["reason"].tolist() == ["geen landelijke waarde"]


def test_groups_are_normalised_and_ranked_separately() -> None:
    values = pd.concat(
        [
            ONE_INDICATOR_VALUES.assign(group="GM0001"),
            ONE_INDICATOR_VALUES.assign(
                group="GM0002",
                region=["E", "F", "G", "H"],
                value=[1000.0, 2000.0, 2000.0, 5000.0],
                period="2020",
            ),
        ]
    )
    result = score(values, ONE_INDICATOR, base_period={"GM0001": "2019", "GM0002": "2020"})
    assert result.indices["index"].tolist() == pytest.approx(
        [110.0, 103.3333333, 103.3333333, 83.3333333] * 2, abs=1e-6
    )
    assert result.scores["rank"].dropna().tolist() == [1, 2, 2, 4] * 2


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="Onbekende methode"):
        score(ONE_INDICATOR_VALUES, ONE_INDICATOR, base_period="2019", method="praktijk")


def test_duplicate_values_for_one_cell_are_refused() -> None:
    values = pd.concat([ONE_INDICATOR_VALUES, ONE_INDICATOR_VALUES.iloc[:1]])
    with pytest.raises(ValueError, match="Dubbele waarde"):
        score(values, ONE_INDICATOR, base_period="2019")


def test_an_empty_frame_scores_to_empty_frames() -> None:
    result = score(ONE_INDICATOR_VALUES.iloc[:0], ONE_INDICATOR, base_period="2019")
    assert result.scores.empty
    assert result.contributions.empty
    assert list(result.scores.columns) == scoring.SCORE_COLUMNS


def test_the_condition_codes_match_the_domain_model() -> None:
    from monitoring.conditions import Condition

    assert tuple(c.value for c in Condition) == CONDITIONS


def test_the_scoring_module_imports_no_django() -> None:
    code = (
        "import sys, monitoring.scoring; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[1]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0


# -- robustness --------------------------------------------------------------------------------


def robustness_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Six wards, two indicators; W1 has an extreme number of associations and the worst score
    on the other indicator. Where distances count (basisjaar, zscore, minmax) the outlier lifts
    W1 to second place; where only order counts (percentiel) it shares third place."""
    wards = ["W1", "W2", "W3", "W4", "W5", "W6"]
    associations = [1000.0, 5.0, 4.0, 3.0, 2.0, 1.0]
    participation = [0.0, 5.0, 4.0, 3.0, 2.0, 1.0]
    values = pd.DataFrame(
        {
            "region": wards * 2,
            "indicator": ["verenigingen"] * 6 + ["participatie"] * 6,
            "period": "2019",
            "value": associations + participation,
        }
    )
    indicators = pd.DataFrame(
        [
            {"code": "verenigingen", "condition": "cohesie", "direction": 1, "weight": 1},
            {"code": "participatie", "condition": "cohesie", "direction": 1, "weight": 1},
        ]
    )
    return values, indicators


def test_a_ward_whose_third_depends_on_the_normalisation_is_flagged() -> None:
    values, indicators = robustness_frames()
    table = rank_robustness(values, indicators, base_period="2019").set_index(
        ["region", "condition"]
    )
    w1 = table.loc[("W1", "cohesie")]
    # Under minmax W1 scores 50.0 and W2 50.2: both shown as 50, so they share first place
    # (ranks are taken on the scores as the pages show them, in whole points).
    assert [w1[f"rank_{m}"] for m in ("basisjaar", "zscore", "minmax", "percentiel")] == [
        2,
        2,
        1,
        3,
    ]
    assert w1["rank_spread"] == 2
    assert w1["method_dependent"]
    assert w1["reason"] == "bovenste derde bij basisjaar, middelste derde bij percentiel"


def test_a_ward_moving_one_place_within_its_third_is_not_flagged() -> None:
    values, indicators = robustness_frames()
    table = rank_robustness(values, indicators, base_period="2019").set_index(
        ["region", "condition"]
    )
    # W4: 50 under percentiel (tied third), fourth under minmax: middle third both times.
    w4 = table.loc[("W4", "cohesie")]
    assert (w4["rank_percentiel"], w4["rank_minmax"]) == (3, 4)
    assert not w4["method_dependent"]
    assert w4["reason"] == ""
    w6 = table.loc[("W6", "cohesie")]
    assert w6["rank_spread"] == 0
    assert not w6["method_dependent"]


def test_robustness_includes_the_national_method_only_when_national_values_are_given() -> None:
    values, indicators = robustness_frames()
    without = rank_robustness(values, indicators, base_period="2019")
    assert "rank_landelijk" not in without.columns
    national = pd.DataFrame(
        {"indicator": ["verenigingen", "participatie"], "period": "2019", "value": [3.0, 3.0]}
    )
    with_national = rank_robustness(values, indicators, base_period="2019", national=national)
    assert "rank_landelijk" in with_national.columns
    # Same base sd, reference shifted by a constant: the order matches basisjaar.
    assert with_national["rank_landelijk"].equals(with_national["rank_basisjaar"])


def test_conditions_without_scores_are_never_flagged() -> None:
    values, indicators = robustness_frames()
    table = rank_robustness(values, indicators, base_period="2019")
    others = table[table["condition"] != "cohesie"]
    assert not others["method_dependent"].any()
    assert others["rank_spread"].isna().all()


def test_method_dependence_reads_stored_ranks_without_recomputing() -> None:
    # Three wards; W1 is first under basisjaar but last under percentiel; W3 has no score.
    ranks = pd.DataFrame(
        [
            ("W1", "basisjaar", 1),
            ("W1", "percentiel", 3),
            ("W2", "basisjaar", 2),
            ("W2", "percentiel", 2),
            ("W4", "basisjaar", 3),
            ("W4", "percentiel", 1),
            ("W3", "basisjaar", None),
            ("W3", "percentiel", None),
        ],
        columns=["region", "method", "rank"],
    ).assign(period="2019", condition="zekerheid")
    table = scoring.method_dependence(ranks).set_index("region")
    assert list(table.columns[table.columns.str.startswith("rank_")]) == [
        "rank_basisjaar",
        "rank_percentiel",
        "rank_spread",
    ]
    assert table.loc["W1", "method_dependent"]
    assert (
        table.loc["W1", "reason"] == "bovenste derde bij basisjaar, onderste derde bij percentiel"
    )
    assert table.loc["W1", "rank_spread"] == 2
    assert not table.loc["W2", "method_dependent"]
    assert not table.loc["W3", "method_dependent"]
    assert pd.isna(table.loc["W3", "rank_spread"])


# -- properties --------------------------------------------------------------------------------

ALL_METHODS = ("basisjaar", "zscore", "minmax", "percentiel", "landelijk")
PERIODS = ("2019", "2020")


@st.composite
def datasets(draw: st.DrawFn, with_small_and_suppressed: bool = False) -> dict:
    """A small random municipality: 3–6 wards, two years, 1–3 indicators per condition.

    Values are whole numbers so that scaling and re-ordering stay exact enough for 1e-9."""
    n_wards = draw(st.integers(3, 6))
    wards = [f"WK{i:02d}" for i in range(n_wards)]
    indicator_rows = []
    for condition in CONDITIONS:
        for i in range(draw(st.integers(1, 3))):
            indicator_rows.append(
                {
                    "code": f"{condition}_{i}",
                    "condition": condition,
                    "direction": draw(st.sampled_from([1, -1])),
                    "weight": draw(st.sampled_from([0.5, 1.0, 2.0, 3.0])),
                }
            )
    rows = []
    for period in PERIODS:
        for ward in wards:
            for indicator in indicator_rows:
                missing = draw(st.integers(0, 9)) == 0
                value = np.nan if missing else float(draw(st.integers(0, 200)))
                suppressed = with_small_and_suppressed and draw(st.integers(0, 7)) == 0
                rows.append(
                    {
                        "region": ward,
                        "indicator": indicator["code"],
                        "period": period,
                        "value": value,
                        "suppressed": suppressed,
                    }
                )
    values = pd.DataFrame(rows)
    inhabitants = None
    if with_small_and_suppressed:
        # One ward has every cell of one year suppressed: a "suppressed region".
        hidden = draw(st.sampled_from(wards))
        hidden_period = draw(st.sampled_from(PERIODS))
        mask = (values["region"] == hidden) & (values["period"] == hidden_period)
        values.loc[mask, "suppressed"] = True
        inhabitants = pd.DataFrame(
            {
                "region": wards,
                "inhabitants": [draw(st.sampled_from([0, 20, 49, 50, 400, 5000])) for _ in wards],
            }
        )
    national = pd.DataFrame(
        [
            {"indicator": i["code"], "period": p, "value": float(draw(st.integers(0, 200)))}
            for i in indicator_rows
            for p in PERIODS
        ]
    )
    return {
        "values": values,
        "indicators": pd.DataFrame(indicator_rows),
        "inhabitants": inhabitants,
        "national": national,
    }


def run(data: dict, method: str, **changes) -> scoring.ScoreResult:
    arguments = {**data, **changes}
    return score(
        arguments["values"],
        arguments["indicators"],
        base_period="2019",
        method=method,
        inhabitants=arguments["inhabitants"],
        national=arguments["national"],
    )


PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(
    data=datasets(),
    method=st.sampled_from(ALL_METHODS),
    pick=st.integers(0, 10_000),
    step=st.integers(1, 50),
    period=st.sampled_from(PERIODS),
)
def test_improving_an_indicator_in_its_good_direction_never_lowers_its_condition_score(
    data: dict, method: str, pick: int, step: int, period: str
) -> None:
    # Under landelijk a better base-year value also widens the base sd that measures the
    # distance to the national value, so only later years are monotone there.
    assume(not (method == "landelijk" and period == "2019"))
    values = data["values"]
    candidates = values.index[(values["period"] == period) & values["value"].notna()]
    assume(len(candidates) > 0)
    row = candidates[pick % len(candidates)]
    code = values.loc[row, "indicator"]
    direction = data["indicators"].set_index("code").loc[code, "direction"]
    improved = values.copy()
    improved.loc[row, "value"] += direction * step

    before, after = run(data, method), run(data, method, values=improved)
    # A value that makes an indicator usable (spread where there was none) changes which
    # indicators count at all; that is not "the same score, one value better".
    assume(before.diagnostics.equals(after.diagnostics))
    key = (values.loc[row, "region"], period, code.rsplit("_", 1)[0])
    old = score_table(before).loc[key, "value"]
    new = score_table(after).loc[key, "value"]
    if math.isnan(old):
        assert math.isnan(new)
    else:
        assert new >= old - 1e-9


@PROPERTY_SETTINGS
@given(data=datasets(), method=st.sampled_from(ALL_METHODS), which=st.integers(0, 100))
def test_multiplying_an_indicators_values_by_1000_leaves_its_index_unchanged(
    data: dict, method: str, which: int
) -> None:
    codes = data["indicators"]["code"].tolist()
    code = codes[which % len(codes)]
    values, national = data["values"].copy(), data["national"].copy()
    values.loc[values["indicator"] == code, "value"] *= 1000
    national.loc[national["indicator"] == code, "value"] *= 1000

    before = run(data, method).indices
    after = run(data, method, values=values, national=national).indices
    np.testing.assert_allclose(
        after.loc[after["indicator"] == code, "index"].to_numpy(),
        before.loc[before["indicator"] == code, "index"].to_numpy(),
        rtol=0,
        atol=1e-9,
    )


@PROPERTY_SETTINGS
@given(
    data=datasets(),
    method=st.sampled_from(ALL_METHODS),
    pick=st.integers(0, 10_000),
    keep=st.integers(0, 10_000),
)
def test_dropping_indicators_below_the_coverage_threshold_gives_onvoldoende_gegevens(
    data: dict, method: str, pick: int, keep: int
) -> None:
    indicators = data["indicators"]
    condition = CONDITIONS[pick % len(CONDITIONS)]
    members = indicators[indicators["condition"] == condition]
    # Keep one indicator at most, and only if it carries less than 2/3 of the weight.
    kept = members.iloc[[keep % len(members)]]
    if kept["weight"].sum() >= 2 / 3 * members["weight"].sum():
        kept = kept.iloc[:0]
    dropped = set(members["code"]) - set(kept["code"])
    wards = sorted(data["values"]["region"].unique())
    ward = wards[pick % len(wards)]
    values = data["values"].copy()
    values.loc[
        (values["region"] == ward)
        & values["indicator"].isin(dropped)
        & (values["period"] == "2020"),
        "value",
    ] = np.nan

    row = score_table(run(data, method, values=values)).loc[(ward, "2020", condition)]
    assert math.isnan(row["value"])
    assert row["status"] == STATUS_INSUFFICIENT
    assert row["coverage"] < 2 / 3
    assert pd.isna(row["rank"])


@PROPERTY_SETTINGS
@given(data=datasets(with_small_and_suppressed=True), method=st.sampled_from(ALL_METHODS))
def test_a_suppressed_or_small_region_is_never_ranked(data: dict, method: str) -> None:
    result = run(data, method)
    scores = result.scores
    small = scores["region"].isin(
        data["inhabitants"].loc[data["inhabitants"]["inhabitants"] < 50, "region"]
    )
    assert scores.loc[small, "rank"].isna().all()
    assert (scores.loc[small, "status"] == STATUS_TOO_FEW_INHABITANTS).all()

    values = data["values"]
    fully_suppressed = values.groupby(["region", "period"])["suppressed"].all()
    fully_suppressed = fully_suppressed[fully_suppressed].index
    ranked_units = scores.loc[scores["rank"].notna()].set_index(["region", "period"]).index
    assert not ranked_units.isin(fully_suppressed).any()
    assert scores.loc[scores["rank"].notna(), "value"].notna().all()
    assert result.indices.loc[result.indices["suppressed"], "index"].isna().all()


@PROPERTY_SETTINGS
@given(
    data=datasets(with_small_and_suppressed=True),
    method=st.sampled_from(ALL_METHODS),
    noise=st.integers(-1000, 1000),
)
def test_small_regions_and_suppressed_cells_do_not_move_anyone_elses_index(
    data: dict, method: str, noise: int
) -> None:
    values = data["values"].copy()
    small_regions = data["inhabitants"].loc[data["inhabitants"]["inhabitants"] < 50, "region"]
    hidden = values["suppressed"] | values["region"].isin(small_regions)
    values.loc[hidden, "value"] = float(noise)
    before, after = run(data, method).indices, run(data, method, values=values).indices
    np.testing.assert_allclose(after["index"], before["index"], rtol=0, atol=1e-9)


@PROPERTY_SETTINGS
@given(data=datasets(with_small_and_suppressed=True), method=st.sampled_from(ALL_METHODS))
def test_contributions_add_up_to_the_score(data: dict, method: str) -> None:
    result = run(data, method)
    totals = result.contributions.groupby(["region", "period", "condition"])["contribution"].sum(
        min_count=1
    )
    scores = score_table(result)["value"]
    scored = scores.dropna()
    np.testing.assert_allclose(
        totals.reindex(scored.index).to_numpy(), scored.to_numpy(), rtol=1e-12
    )
    unscored = scores[scores.isna()].index
    assert totals.reindex(unscored).isna().all()


def test_score_and_score_methods_take_the_same_options_and_agree():
    """Both pass their keywords on as one ScoringOptions, so neither can lose one."""
    from dataclasses import fields

    from monitoring.scoring import ScoringOptions, score_methods

    options = {
        "base_period": "2019",
        "min_inhabitants": 0,
        "min_coverage": 0.5,
        "with_contributions": False,
        "method_version": "1.0",
        "rank_min_inhabitants": 1,
        "with_margins": True,
    }
    one = score(ONE_INDICATOR_VALUES, ONE_INDICATOR, method="zscore", **options)
    (many,) = score_methods(ONE_INDICATOR_VALUES, ONE_INDICATOR, methods=["zscore"], **options)
    pd.testing.assert_frame_equal(one.scores, many.scores)
    assert one.method_version == "1.0" and one.contributions.empty
    assert {"low", "high", "rank_best", "rank_worst"} <= set(one.scores.columns)
    assert set(options) <= {f.name for f in fields(ScoringOptions)}
    with pytest.raises(TypeError):
        score(ONE_INDICATOR_VALUES, ONE_INDICATOR, base_period="2019", min_inhabitans=50)
