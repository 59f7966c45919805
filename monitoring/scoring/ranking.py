"""Ranks: the place of each region per group, period and condition, and whether it depends on
the normalisation (from stored ranks). Pure pandas/numpy.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .grid import METHODS, RANK_DECIMALS, require_columns


def competition_ranks(
    values: pd.Series | pd.DataFrame, key: np.ndarray, *, decimals: int | None = RANK_DECIMALS
) -> pd.Series | pd.DataFrame:
    """Competition ranking per ``key`` ("1, 2, 2, 4"), highest value first: tied regions share
    the better place. NaN gets no rank. A frame is ranked column by column (one variant of the
    weights per column, see ``uncertainty.place_ranges``).

    Scores are compared as the pages show them, rounded to ``decimals`` (whole points): two
    wards shown as 93 and 93 share their place, instead of being split by a difference of 10⁻¹⁴
    or of a tenth that no reader sees. ``decimals=None`` ranks the unrounded scores (method 1.0).
    """
    compared = values if decimals is None else values.round(decimals)
    return compared.groupby(key).rank(ascending=False, method="min").astype("Int64")


_BAND_NAMES = {
    3: ("bovenste derde", "middelste derde", "onderste derde"),
    4: ("bovenste kwart", "tweede kwart", "derde kwart", "onderste kwart"),
}


def method_dependence(
    ranks: pd.DataFrame, *, methods: Sequence[str] | None = None, bands: int = 3
) -> pd.DataFrame:
    """Whether each region's position depends on the normalisation, from its ranks.

    ``ranks`` is long: ``region``, ``period``, ``condition``, ``method``, ``rank`` (nullable;
    empty for no score) and optionally ``group``, as stored scores are. ``methods`` fixes the
    columns and their order (default: the methods present, in the order of :data:`METHODS`).
    Returns what :func:`rank_robustness` describes, one row per group, region, period and
    condition, sorted by them.
    """
    if bands < 2:
        raise ValueError("bands moet minstens 2 zijn.")
    require_columns(ranks, ["region", "period", "condition", "method", "rank"], "ranks")
    frame = ranks if "group" in ranks.columns else ranks.assign(group="")
    present = set(frame["method"])
    methods = list(methods) if methods is not None else [m for m in METHODS if m in present]
    keys = ["group", "region", "period", "condition"]
    wide = (
        frame.assign(rank=pd.to_numeric(frame["rank"]).astype("float64"))
        .set_index([*keys, "method"])["rank"]
        .unstack("method")
        .reindex(columns=methods)
        .sort_index()
    )
    rank_matrix = wide.to_numpy(dtype=float)
    n_ranked = (
        pd.DataFrame(~np.isnan(rank_matrix), index=wide.index)
        .groupby(level=["group", "period", "condition"])
        .transform("sum")
        .to_numpy(dtype=float)
    )
    result_frame = wide.index.to_frame(index=False)
    for position, method in enumerate(methods):
        result_frame[f"rank_{method}"] = pd.Series(rank_matrix[:, position]).astype("Int64")
    spread, flagged, reason = _dependence(rank_matrix, n_ranked, methods, bands)
    result_frame["rank_spread"] = pd.Series(spread).astype("Int64")
    result_frame["method_dependent"] = flagged
    result_frame["reason"] = reason
    return result_frame


def _dependence(
    rank_matrix: np.ndarray, n_ranked: np.ndarray, methods: Sequence[str], bands: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """From one row of ranks per region, period and condition (a column per method, NaN for
    no rank) and the number ranked beside each: the spread of its ranks (NaN without any), whether
    it lands in different bands under different methods, and the Dutch reason."""
    with np.errstate(invalid="ignore", divide="ignore"):
        band_matrix = np.ceil(bands * rank_matrix / n_ranked)
    has_rank = ~np.isnan(rank_matrix)
    any_rank = has_rank.any(axis=1)
    # Methods without a rank for a region take no part in its comparison.
    best_rank = np.min(np.where(has_rank, rank_matrix, np.inf), axis=1, initial=np.inf)
    worst_rank = np.max(np.where(has_rank, rank_matrix, -np.inf), axis=1, initial=-np.inf)
    best_band = np.min(np.where(has_rank, band_matrix, np.inf), axis=1, initial=np.inf)
    worst_band = np.max(np.where(has_rank, band_matrix, -np.inf), axis=1, initial=-np.inf)
    spread = np.where(any_rank, worst_rank - best_rank, np.nan)
    flagged = any_rank & (worst_band > best_band)

    names = _BAND_NAMES.get(bands) or tuple(f"groep {i} van {bands}" for i in range(1, bands + 1))
    name_array = np.array(names, dtype=object)
    method_array = np.array(methods, dtype=object)
    reason = np.full(len(rank_matrix), "", dtype=object)
    if flagged.any() and len(methods):
        best_method = method_array[np.argmin(np.where(has_rank, band_matrix, np.inf), axis=1)]
        worst_method = method_array[np.argmax(np.where(has_rank, band_matrix, -np.inf), axis=1)]
        reason[flagged] = (
            name_array[best_band[flagged].astype(int) - 1]
            + " bij "
            + best_method[flagged]
            + ", "
            + name_array[worst_band[flagged].astype(int) - 1]
            + " bij "
            + worst_method[flagged]
        )
    return spread, flagged, reason


def places_and_dependence(scores: pd.DataFrame, *, bands: int = 3) -> pd.DataFrame:
    """For stored scores (long: ``group``, ``region``, ``period``, ``condition``, ``method``,
    ``rank``), per row: ``rank_of``, the number of areas ranked in its group, period, condition
    and method (the "van 28" of "plaats 3 van 28"), and ``method_dependence``, the reason its
    place depends on the method, as :func:`method_dependence` gives it (the same for each
    method of a region, period and condition; empty when it does not).

    Computed once when scores are stored, so that a ward page reads its own few rows instead of
    every area's ranks. Millions of rows at national scale: the keys are factorised into
    integers rather than unstacked (a region is in one group, so region, period and condition
    name a row of the rank matrix)."""
    require_columns(scores, ["group", "region", "period", "condition", "method", "rank"], "scores")
    method_code, present = pd.factorize(scores["method"])
    methods = [m for m in METHODS if m in set(present)] + sorted(set(present) - set(METHODS))
    method_pos = np.array([methods.index(m) for m in present], dtype=np.int64)[method_code]
    group_code, _ = pd.factorize(scores["group"])
    region_code, _ = pd.factorize(scores["region"])
    period_code, periods = pd.factorize(scores["period"])
    condition_code, conditions = pd.factorize(scores["condition"])
    n_p, n_c, n_m = len(periods), len(conditions), len(methods)
    row_code, _ = pd.factorize(
        (region_code.astype(np.int64) * n_p + period_code) * n_c + condition_code
    )
    cell_code = ((group_code.astype(np.int64) * n_p + period_code) * n_c + condition_code) * n_m
    cell_code += method_pos
    ranks = pd.array(scores["rank"], dtype="Float64").to_numpy(dtype="float64", na_value=np.nan)
    ranked = ~np.isnan(ranks)
    counts = np.bincount(cell_code[ranked], minlength=int(cell_code.max()) + 1)
    rank_of = counts[cell_code]

    rank_matrix = np.full((int(row_code.max()) + 1, n_m), np.nan)
    rank_matrix[row_code, method_pos] = ranks
    n_ranked = np.zeros_like(rank_matrix)
    n_ranked[row_code, method_pos] = rank_of
    _, _, reason = _dependence(rank_matrix, n_ranked, methods, bands)
    return pd.DataFrame(
        {"rank_of": rank_of.astype("int64"), "method_dependence": reason[row_code]},
        index=scores.index,
    )
