"""Change between two periods, like for like: only the indicators present in both count.

A condition scored on four indicators in one year and five in the next changes for that reason
alone. So the change of a region's condition is not the difference of its two stored scores but
of two weighted means over the same indicators: those with an index in both periods. The result
says on how many of the condition's indicators it rests ("op basis van 4 van 5 indicatoren").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .grid import (
    CONDITIONS,
    COVERAGE_TOLERANCE,
    DEFAULT_MIN_COVERAGE,
    STATUS_SCORED,
    prepare_indicators,
    require_columns,
)

STATUS_TOO_FEW_COMMON = "te weinig indicatoren in beide perioden"
STATUS_NOT_IN_BOTH = "geen index in beide perioden"

CHANGE_COLUMNS = [
    "group",
    "region",
    "condition",
    "start",
    "end",
    "score_start",
    "score_end",
    "change",
    "n_common",
    "n_indicators",
    "common_weight_share",
    "common_indicators",
    "status",
]


def like_for_like_change(
    contributions: pd.DataFrame,
    indicators: pd.DataFrame,
    *,
    start: str,
    end: str,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
) -> pd.DataFrame:
    """Per group, region and condition: the change from ``start`` to ``end`` on the common
    indicators.

    ``contributions`` is :attr:`ScoreResult.contributions` of one scoring run that holds both
    periods (its ``index`` per cell). ``indicators`` is the frame given to ``score``.

    - common indicators: active, scored, weight > 0, with an index in both periods;
    - ``score_start`` / ``score_end``: Σ weight × index / Σ weight over the common indicators;
    - ``change`` = ``score_end - score_start``, only when the common indicators carry at least
      ``min_coverage`` of the weight of all the condition's indicators (the same two thirds as
      a score) and the region is not too small in either period; otherwise NaN and ``status``
      says why;
    - ``n_common`` of ``n_indicators`` (the condition's active indicators with weight).
    """
    require_columns(contributions, ["region", "period", "indicator", "index"], "contributions")
    prepared = prepare_indicators(indicators)
    prepared = prepared[prepared["weight"] > 0]
    frame = contributions if "group" in contributions.columns else contributions.assign(group="")
    frame = frame[frame["period"].isin([start, end]) & frame["indicator"].isin(prepared["code"])]
    keys = ["group", "region", "indicator"]
    too_small = (
        frame["too_few_inhabitants"].astype(bool)
        if "too_few_inhabitants" in frame.columns
        else pd.Series(False, index=frame.index)
    )
    wide = (
        frame.assign(too_small=too_small)
        .pivot_table(
            index=keys,
            columns="period",
            values=["index", "too_small"],
            aggfunc="first",
            dropna=False,
        )
        .reindex(columns=pd.MultiIndex.from_product([["index", "too_small"], [start, end]]))
    )
    wide.columns = [
        f"{name}_{'start' if period == start else 'end'}" for name, period in wide.columns
    ]
    wide = wide.reset_index()
    info = prepared.set_index("code")
    wide["condition"] = wide["indicator"].map(info["condition"])
    wide["weight"] = wide["indicator"].map(info["weight"]).astype(float)
    index_start = pd.to_numeric(wide["index_start"], errors="coerce").to_numpy(dtype=float)
    index_end = pd.to_numeric(wide["index_end"], errors="coerce").to_numpy(dtype=float)
    common = ~np.isnan(index_start) & ~np.isnan(index_end)
    weight = wide["weight"].to_numpy(dtype=float)
    wide["common"] = common
    wide["w_common"] = np.where(common, weight, 0.0)
    wide["w_start"] = np.where(common, weight * index_start, 0.0)
    wide["w_end"] = np.where(common, weight * index_end, 0.0)
    wide["small"] = wide["too_small_start"].fillna(False).astype(bool) | wide[
        "too_small_end"
    ].fillna(False).astype(bool)
    wide["common_code"] = np.where(common, wide["indicator"], None)

    by_condition = wide.groupby(["group", "region", "condition"], sort=True)
    result = by_condition.agg(
        weight_common=("w_common", "sum"),
        sum_start=("w_start", "sum"),
        sum_end=("w_end", "sum"),
        n_common=("common", "sum"),
        small=("small", "any"),
        common_indicators=(
            "common_code",
            lambda codes: tuple(sorted(c for c in codes if isinstance(c, str))),
        ),
    ).reset_index()
    totals = prepared.groupby("condition")["weight"].agg(["sum", "count"])
    result["n_indicators"] = result["condition"].map(totals["count"]).astype(int)
    total_weight = result["condition"].map(totals["sum"]).to_numpy(dtype=float)
    weight_common = result["weight_common"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        result["score_start"] = np.where(
            weight_common > 0, result["sum_start"] / weight_common, np.nan
        )
        result["score_end"] = np.where(weight_common > 0, result["sum_end"] / weight_common, np.nan)
        share = weight_common / total_weight
    result["common_weight_share"] = share
    enough = (share >= min_coverage - COVERAGE_TOLERANCE) & ~result["small"].to_numpy()
    result["change"] = np.where(enough, result["score_end"] - result["score_start"], np.nan)
    result["status"] = np.where(
        enough,
        STATUS_SCORED,
        np.where(result["n_common"] == 0, STATUS_NOT_IN_BOTH, STATUS_TOO_FEW_COMMON),
    )
    result.loc[~enough, ["score_start", "score_end"]] = np.nan
    result["start"] = start
    result["end"] = end
    result["n_common"] = result["n_common"].astype(int)
    order = {c: i for i, c in enumerate(CONDITIONS)}
    result = result.sort_values(
        ["group", "region", "condition"], key=lambda c: c.map(order) if c.name == "condition" else c
    )
    return result[CHANGE_COLUMNS].reset_index(drop=True)


def basis_text(n_common: int, n_indicators: int) -> str:
    """``"op basis van 4 van 5 indicatoren"``."""
    noun = "indicator" if n_indicators == 1 else "indicatoren"
    return f"op basis van {n_common} van {n_indicators} {noun}"
