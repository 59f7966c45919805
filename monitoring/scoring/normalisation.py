"""Normalisation and aggregation: from values to indices to condition scores (pure pandas).

``score`` is the one entry point; ``choose_base_periods`` picks each group's base year. How the
regions are then ranked is in :mod:`.ranking`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from .grid import (
    BASE_YEAR,
    CONDITIONS,
    CONTRIBUTION_COLUMNS,
    COVERAGE_TOLERANCE,
    DEFAULT_MIN_COVERAGE,
    DEFAULT_MIN_INHABITANTS,
    DEFAULT_RANK_MIN_INHABITANTS,
    DIAGNOSTIC_COLUMNS,
    INDEX_AT_MEAN,
    MARGIN_COLUMNS,
    METHOD_VERSION,
    METHODS,
    METHODS_USING_BASE_PERIOD,
    MINMAX,
    NATIONAL,
    POINTS_PER_SD,
    RANK_DECIMALS,
    REASON_NO_BASE_SPREAD,
    REASON_NO_NATIONAL_VALUE,
    REASON_NO_PERIOD_SPREAD,
    REASON_TOO_FEW_BASE_VALUES,
    REASON_TOO_FEW_PERIOD_VALUES,
    REFERENCE_COLUMNS,
    SCORE_COLUMNS,
    STATUS_INSUFFICIENT,
    STATUS_SCORED,
    STATUS_TOO_FEW_INHABITANTS,
    UNWEIGHTED_MEAN_LABEL,
    YEAR_RE,
    ZSCORE,
    Grid,
    ScoreResult,
    ScoringOptions,
    build_grid,
    cell_group_stats,
    diagnostics_frame,
    group_period_indicator_key,
    require_columns,
    resolve_base_periods,
    stats_by_key,
    valid_in_period,
)
from .ranking import competition_ranks
from .uncertainty import Z_95, error_models, place_ranges, score_errors, value_errors


def score(
    values: pd.DataFrame,
    indicators: pd.DataFrame,
    *,
    method: str = BASE_YEAR,
    **options: Any,
) -> ScoreResult:
    """Index every value, score every condition and rank the regions.

    ``options`` are the fields of :class:`ScoringOptions` (base period, inhabitants, thresholds,
    national values, reference weights, method version, margins), as keywords; an unknown
    keyword is a ``TypeError``. ``method`` is one of :data:`METHODS`:

    - ``basisjaar``: ``100 + 10 * direction * (value - base mean) / base sd``.
    - ``zscore``: the same formula with the mean and sd of the period itself.
    - ``minmax``: after the direction, 0 for the worst and 100 for the best region in the period.
    - ``percentiel``: after the direction, the percentile rank in the period,
      ``100 * (rank - 1) / (n - 1)`` with tied values sharing their average rank.
    - ``landelijk``: ``100 + 10 * direction * (value - national value) / base sd``: 100 is the
      national value, and points mean the same as under ``basisjaar``.

    Statistics (mean, sd, min, max, ranks) use only usable cells: a value, not suppressed, region
    not too small. An indicator gets no index where these are fewer than 2 or all equal; it is
    then listed in ``diagnostics``.
    """
    return score_methods(values, indicators, methods=(method,), **options)[0]


def score_methods(
    values: pd.DataFrame,
    indicators: pd.DataFrame,
    *,
    methods: tuple[str, ...] | list[str],
    **options: Any,
) -> list[ScoreResult]:
    """:func:`score` for several methods on the same values, in that order: the cell grid is
    built once (at national scale that is a third of the work of one method).
    ``with_margins`` may be given per method."""
    for method in methods:
        if method not in METHODS:
            raise ValueError(f"Onbekende methode '{method}': kies uit {', '.join(METHODS)}.")
    chosen = ScoringOptions(**options)
    chosen.check()
    version_1 = chosen.method_version == "1.0"
    if version_1 and "reference_weight" in values.columns:
        # The first method knows no reference weights: 100 is the plain mean of the areas.
        values = values.drop(columns="reference_weight")
    grid = build_grid(
        values,
        indicators,
        chosen.inhabitants,
        chosen.min_inhabitants,
        weights=None if version_1 else chosen.weights,
    )
    if version_1:
        grid = replace(grid, valid=np.ones_like(grid.valid))
    return [_score_on_grid(grid, method=method, options=chosen) for method in methods]


def _score_on_grid(grid: Grid, *, method: str, options: ScoringOptions) -> ScoreResult:
    method_version = options.method_version
    min_coverage = options.min_coverage
    rank_min_inhabitants = options.rank_min_inhabitants
    national = options.national
    version_1 = method_version == "1.0"
    base_periods: dict[str, str] = {}
    if method in METHODS_USING_BASE_PERIOD:
        base_periods = resolve_base_periods(options.base_period, grid.units)
    if method == NATIONAL and national is None:
        raise ValueError("Methode 'landelijk' heeft landelijke waarden nodig (national=...).")

    references = pd.DataFrame(columns=REFERENCE_COLUMNS)
    cell_sd = None
    if method in METHODS_USING_BASE_PERIOD:
        index, diagnostics, references, cell_sd = _index_against_base(
            grid, base_periods, method, national, per_indicator_reference=not version_1
        )
    else:
        index, diagnostics = _index_within_period(grid, method)

    contributions, scores = _aggregate(
        grid,
        index,
        method,
        min_coverage,
        options.with_contributions,
        rank_decimals=None if version_1 else RANK_DECIMALS,
        rank_min_inhabitants=rank_min_inhabitants,
    )
    scores["base_period"] = (
        scores["group"].map(base_periods).fillna("").astype(object)
        if base_periods
        else pd.Series("", index=scores.index, dtype=object)
    )
    columns = SCORE_COLUMNS
    if options.margins_for(method):
        scores = _with_margins(
            scores,
            grid,
            index,
            cell_sd,
            min_coverage=min_coverage,
            rank_min_inhabitants=rank_min_inhabitants,
        )
        columns = [*SCORE_COLUMNS, *MARGIN_COLUMNS]
    return ScoreResult(
        method=method,
        method_version=method_version,
        base_periods=base_periods,
        contributions=contributions,
        scores=scores[columns],
        diagnostics=diagnostics,
        references=references,
    )


def choose_base_periods(
    values: pd.DataFrame,
    indicators: pd.DataFrame,
    *,
    inhabitants: pd.DataFrame | None = None,
    min_inhabitants: int = DEFAULT_MIN_INHABITANTS,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
    method_version: str = METHOD_VERSION,
) -> dict[str, str]:
    """Per group, the year that serves as base period.

    A condition is *ready* in a year when the indicators that could be indexed there (at least 2
    usable values that are not all equal) carry at least ``min_coverage`` of the weight of the
    condition's indicators that belong to the framework that year. Only years (``"2019"``), not
    quarters, are candidates.

    Method 2.0: the year in which the most conditions are ready; on ties the year whose shares
    add up to most (the most complete year), then the earliest. (Cohesion and empowerment rest
    on survey figures that many municipalities do not have; waiting for a year in which all four
    are ready would leave them without a base year.)

    Method 1.0: the earliest year in which every condition with weight is ready; failing that,
    the year whose smallest share is highest (the earliest on ties).
    """
    grid = build_grid(values, indicators, inhabitants, min_inhabitants)
    if grid.n_units == 0:
        return {}
    count, _, _, low, high = cell_group_stats(grid)
    can_index = (count >= 2) & (high > low)

    units_per_period = grid.units.drop_duplicates("group_period_code").sort_values(
        "group_period_code"
    )
    n_indicators = grid.n_indicators
    weight = grid.indicators["weight"].to_numpy()
    condition_code = grid.indicators["condition_code"].to_numpy()
    periods = units_per_period["period"].to_numpy(dtype=object)
    if method_version == "1.0":
        valid = np.ones((len(periods), n_indicators), dtype=bool)
    else:
        valid = valid_in_period(grid.indicators, periods)

    # Per (group, period) × condition: the weight share of indicators that can be indexed.
    can_index_matrix = can_index.reshape(-1, n_indicators)[
        units_per_period["group_period_code"].to_numpy()
    ]
    usable_weight = np.zeros((len(units_per_period), len(CONDITIONS)))
    total_weight = np.zeros((len(units_per_period), len(CONDITIONS)))
    for code in range(len(CONDITIONS)):
        in_condition = condition_code == code
        expected = valid[:, in_condition] | can_index_matrix[:, in_condition]
        usable_weight[:, code] = (can_index_matrix[:, in_condition] * weight[in_condition]).sum(1)
        total_weight[:, code] = (expected * weight[in_condition]).sum(1)
    has_weight = total_weight > 0
    shares = np.divide(
        usable_weight, total_weight, out=np.ones_like(usable_weight), where=has_weight
    )
    candidates = units_per_period[["group", "period"]].copy()
    is_candidate = candidates["period"].str.match(YEAR_RE).to_numpy()
    if not is_candidate.any():
        raise ValueError("Er is geen jaar met waarden om als basisjaar te dienen.")
    ready = has_weight & (shares >= min_coverage - COVERAGE_TOLERANCE)
    if method_version == "1.0":
        with_weight = has_weight.any(axis=0)
        candidates["worst_share"] = shares[:, with_weight].min(axis=1) if with_weight.any() else 0.0
        candidates = candidates[is_candidate]
        candidates["enough"] = candidates["worst_share"] >= min_coverage - COVERAGE_TOLERANCE
        # Per group: the earliest year that is enough; failing that, the best, earliest on ties.
        candidates["shortfall"] = np.where(candidates["enough"], 0.0, -candidates["worst_share"])
        best = candidates.sort_values(
            ["group", "enough", "shortfall", "period"], ascending=[True, False, True, True]
        ).drop_duplicates("group")
    else:
        candidates["ready"] = ready.sum(axis=1)
        candidates["share"] = np.where(has_weight, shares, 0.0).sum(axis=1)
        candidates = candidates[is_candidate]
        best = candidates.sort_values(
            ["group", "ready", "share", "period"], ascending=[True, False, False, True]
        ).drop_duplicates("group")
    return dict(zip(best["group"].astype(str), best["period"].astype(str), strict=True))


def choose_base_period(
    values: pd.DataFrame,
    indicators: pd.DataFrame,
    *,
    inhabitants: pd.DataFrame | None = None,
    min_inhabitants: int = DEFAULT_MIN_INHABITANTS,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
) -> str:
    """The base period for a frame that is one comparison group; see :func:`choose_base_periods`."""
    chosen = choose_base_periods(
        values,
        indicators,
        inhabitants=inhabitants,
        min_inhabitants=min_inhabitants,
        min_coverage=min_coverage,
    )
    if len(chosen) != 1:
        raise ValueError(
            f"Verwacht één vergelijkingsgroep, gevonden: {len(chosen)}; "
            "gebruik choose_base_periods()."
        )
    return next(iter(chosen.values()))


def unweighted_mean_of_conditions(scores: pd.DataFrame) -> pd.DataFrame:
    """The unweighted mean of the four condition scores, only where all four have a value.

    The four conditions form a profile; this single figure exists only where one number is asked
    for, and is always shown with its ``label`` (:data:`UNWEIGHTED_MEAN_LABEL`). Takes the
    ``scores`` frame of :class:`ScoreResult` (``group`` optional) and returns one row per group,
    region, period and method: ``value`` (NaN unless all four conditions have a score),
    ``n_conditions`` (how many have one) and ``label``.
    """
    frame = scores if "group" in scores.columns else scores.assign(group="")
    frame = frame[frame["condition"].isin(CONDITIONS)]
    keys = ["group", "region", "period", "method"]
    grouped = frame.groupby(keys, sort=True)["value"]
    result = grouped.agg(mean="mean", n_conditions="count").reset_index()
    all_four = result["n_conditions"] == len(CONDITIONS)
    result["value"] = result["mean"].where(all_four)
    result["label"] = UNWEIGHTED_MEAN_LABEL
    return result[[*keys, "value", "n_conditions", "label"]]


def _index_against_base(
    grid: Grid,
    base_periods: dict[str, str],
    method: str,
    national: pd.DataFrame | None,
    *,
    per_indicator_reference: bool,
) -> tuple[np.ndarray, pd.DataFrame, pd.DataFrame, np.ndarray]:
    """``basisjaar`` and ``landelijk``: both measure in reference-period standard deviations
    (returned per cell as the last item: the sd that is 10 points there).

    The reference period of an indicator is its group's base period; in method 2.0, an indicator
    without usable values there (CBS did not publish it that year) takes its earliest year that
    has them, so that a figure introduced later still gets a fixed reference.
    """
    n_indicators = grid.n_indicators
    units = grid.units
    group_periods = (
        units.drop_duplicates("group_period_code")
        .sort_values("group_period_code")[["group", "group_code", "period"]]
        .reset_index(drop=True)
    )
    n_group_periods = len(group_periods)
    key = group_period_indicator_key(grid)
    n_keys = n_group_periods * n_indicators
    count, mean, sd, low, high = stats_by_key(key, grid.oriented, n_keys)
    weighted_mean, has_weights = _weighted_means(key, grid, n_keys)
    can_index = (count >= 2) & (high > low)

    # Per (group, indicator): the group-period that sets the reference, or -1.
    candidates = pd.DataFrame(
        {
            "group_period": np.repeat(np.arange(n_group_periods), n_indicators),
            "indicator": np.tile(np.arange(n_indicators), n_group_periods),
            "group_code": np.repeat(group_periods["group_code"].to_numpy(), n_indicators),
            "period": np.repeat(group_periods["period"].to_numpy(dtype=object), n_indicators),
            "ok": can_index,
        }
    )
    base_of_group = group_periods["group"].map(base_periods).to_numpy(dtype=object)
    candidates["is_base"] = np.repeat(
        group_periods["period"].to_numpy(dtype=object) == base_of_group, n_indicators
    )
    candidates["is_year"] = candidates["period"].str.match(YEAR_RE)
    eligible = candidates["ok"] & (
        candidates["is_base"] | (per_indicator_reference & candidates["is_year"])
    )
    chosen = (
        candidates[eligible]
        .sort_values(["group_code", "indicator", "is_base", "period"], ascending=[1, 1, 0, 1])
        .drop_duplicates(["group_code", "indicator"])
    )
    n_groups = int(units["group_code"].max() + 1) if grid.n_units else 0
    reference_key = np.full(n_groups * n_indicators, -1, dtype=np.int64)
    reference_key[
        chosen["group_code"].to_numpy() * n_indicators + chosen["indicator"].to_numpy()
    ] = chosen["group_period"].to_numpy() * n_indicators + chosen["indicator"].to_numpy()

    cell_group = np.repeat(units["group_code"].to_numpy(), n_indicators)
    cell_reference = reference_key[cell_group * n_indicators + grid.indicator_of_cell()]
    has_reference = cell_reference >= 0
    safe = np.where(has_reference, cell_reference, 0)

    group_names = units.drop_duplicates("group_code").sort_values("group_code")["group"]
    diagnostics = _missing_reference_diagnostics(
        group_names.to_numpy(dtype=object),
        grid,
        base_periods,
        reference_key,
        candidates,
        count,
        high > low,
    )

    center = np.where(per_indicator_reference & has_weights, weighted_mean, mean)
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == BASE_YEAR:
            reference = center[safe]
        else:
            reference, national_diagnostics = _national_reference(grid, national)
            diagnostics = pd.concat([diagnostics, national_diagnostics], ignore_index=True)
        index = INDEX_AT_MEAN + POINTS_PER_SD * (grid.oriented - reference) / sd[safe]
    index = np.where(has_reference, index, np.nan)
    cell_sd = np.where(has_reference, sd[safe], np.nan)

    direction = grid.indicators["direction"].to_numpy()[chosen["indicator"].to_numpy()]
    ref_keys = chosen["group_period"].to_numpy() * n_indicators + chosen["indicator"].to_numpy()
    references = pd.DataFrame(
        {
            "group": group_names.to_numpy(dtype=object)[chosen["group_code"].to_numpy()],
            "indicator": grid.indicators["code"].to_numpy(dtype=object)[
                chosen["indicator"].to_numpy()
            ],
            "period": chosen["period"].to_numpy(dtype=object),
            "reference": center[ref_keys] * direction if method == BASE_YEAR else np.nan,
            "sd": sd[ref_keys],
            "weighted": bool(per_indicator_reference) & has_weights[ref_keys],
            "n_values": count[ref_keys].astype(np.int64),
        }
    )[REFERENCE_COLUMNS].reset_index(drop=True)
    return index, diagnostics, references, cell_sd


def _weighted_means(key: np.ndarray, grid: Grid, n_keys: int) -> tuple[np.ndarray, np.ndarray]:
    """Per key, the mean of the usable oriented values weighted by ``reference_weight``, over
    the cells whose weight is known; and whether any weight was known."""
    weight = grid.reference_weight
    usable = ~np.isnan(grid.oriented) & ~np.isnan(weight)
    total = np.bincount(key[usable], weights=weight[usable], minlength=n_keys)
    weighted = np.bincount(
        key[usable], weights=weight[usable] * grid.oriented[usable], minlength=n_keys
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = weighted / total
    return mean, total > 0


def _missing_reference_diagnostics(
    group_names: np.ndarray,
    grid: Grid,
    base_periods: dict[str, str],
    reference_key: np.ndarray,
    candidates: pd.DataFrame,
    count: np.ndarray,
    spread: np.ndarray,
) -> pd.DataFrame:
    """Indicators without a reference period, with the reason as seen in the base period."""
    n_indicators = grid.n_indicators
    n_groups = len(group_names)
    keys = pd.DataFrame(
        {
            "group": np.repeat(group_names, n_indicators),
            "indicator": np.tile(grid.indicators["code"].to_numpy(dtype=object), n_groups),
        }
    )
    keys["period"] = keys["group"].map(base_periods).astype(object)
    base_rows = candidates[candidates["is_base"]]
    base_key = np.full(n_groups * n_indicators, -1, dtype=np.int64)
    base_key[
        base_rows["group_code"].to_numpy() * n_indicators + base_rows["indicator"].to_numpy()
    ] = base_rows["group_period"].to_numpy() * n_indicators + base_rows["indicator"].to_numpy()
    in_base = base_key >= 0
    base_count = np.where(in_base, count[np.where(in_base, base_key, 0)], 0.0)
    base_spread = np.where(in_base, spread[np.where(in_base, base_key, 0)], False)
    reason = np.where(
        base_count < 2,
        REASON_TOO_FEW_BASE_VALUES,
        np.where(~base_spread, REASON_NO_BASE_SPREAD, ""),
    ).astype(object)
    frame = keys.assign(reason=reason, n_values=base_count.astype(np.int64))
    return frame[(reference_key < 0) & (frame["reason"] != "")][DIAGNOSTIC_COLUMNS].reset_index(
        drop=True
    )


def _national_reference(
    grid: Grid, national: pd.DataFrame | None
) -> tuple[np.ndarray, pd.DataFrame]:
    """The oriented national value for every cell (NaN where unknown), and what is missing."""
    assert national is not None
    require_columns(national, ["indicator", "period", "value"], "national")
    reference_frame = pd.DataFrame(
        {
            "indicator": national["indicator"].astype(str).to_numpy(dtype=object),
            "period": national["period"].astype(str).to_numpy(dtype=object),
            "national": pd.to_numeric(national["value"], errors="coerce").to_numpy(dtype=float),
        }
    ).drop_duplicates(["indicator", "period"], keep="last")
    periods = pd.Index(sorted(grid.units["period"].unique()))
    codes = grid.indicators["code"]
    # A small (period × indicator) table, looked up by position for every cell.
    table = (
        reference_frame.pivot(index="period", columns="indicator", values="national")
        .reindex(index=periods, columns=codes)
        .to_numpy(dtype=float)
    )
    table = table * grid.indicators["direction"].to_numpy()
    period_of_unit = periods.get_indexer(grid.units["period"])
    period_of_cell = np.repeat(period_of_unit, grid.n_indicators)
    reference = table[period_of_cell, grid.indicator_of_cell()]

    wanted = ~np.isnan(grid.oriented) & np.isnan(reference)
    unit_of_cell = grid.unit_of_cell()[wanted]
    missing = pd.DataFrame(
        {
            "group": grid.units["group"].to_numpy(dtype=object)[unit_of_cell],
            "indicator": codes.to_numpy(dtype=object)[grid.indicator_of_cell()[wanted]],
            "period": grid.units["period"].to_numpy(dtype=object)[unit_of_cell],
        }
    )
    missing = missing.groupby(["group", "indicator", "period"], sort=True).size()
    missing = missing.rename("n_values").reset_index()
    missing["reason"] = REASON_NO_NATIONAL_VALUE
    return reference, missing[DIAGNOSTIC_COLUMNS]


def _index_within_period(grid: Grid, method: str) -> tuple[np.ndarray, pd.DataFrame]:
    """``zscore``, ``minmax`` and ``percentiel``: each period is its own reference."""
    key = group_period_indicator_key(grid)
    count, mean, sd, low, high = cell_group_stats(grid)
    period_ok = (count >= 2) & (high > low)
    oriented = grid.oriented
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == ZSCORE:
            index = INDEX_AT_MEAN + POINTS_PER_SD * (oriented - mean[key]) / sd[key]
        elif method == MINMAX:
            index = 100.0 * (oriented - low[key]) / (high[key] - low[key])
        else:
            average_rank = (
                pd.Series(oriented).groupby(key).rank(method="average").to_numpy(dtype=float)
            )
            index = 100.0 * (average_rank - 1) / (count[key] - 1)
    index = np.where(period_ok[key], index, np.nan)

    group_periods = (
        grid.units.drop_duplicates("group_period_code")
        .sort_values("group_period_code")[["group", "period"]]
        .to_numpy(dtype=object)
    )
    keys = pd.DataFrame(
        {
            "group": np.repeat(group_periods[:, 0], grid.n_indicators),
            "indicator": np.tile(
                grid.indicators["code"].to_numpy(dtype=object), len(group_periods)
            ),
            "period": np.repeat(group_periods[:, 1], grid.n_indicators),
        }
    )
    diagnostics = diagnostics_frame(
        keys, count, high > low, REASON_TOO_FEW_PERIOD_VALUES, REASON_NO_PERIOD_SPREAD
    )
    return index, diagnostics


def _aggregate(
    grid: Grid,
    index: np.ndarray,
    method: str,
    min_coverage: float,
    with_contributions: bool,
    *,
    rank_decimals: int | None,
    rank_min_inhabitants: int = DEFAULT_RANK_MIN_INHABITANTS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Condition scores as the sum of the contributions, so the drill-down adds up to the score.

    Coverage is measured against the weight of the condition's indicators that belong to the
    framework in the period (``valid``), plus any other indicator that has an index there."""
    n_units, n_conditions = grid.n_units, len(CONDITIONS)
    unit_of_cell = grid.unit_of_cell()
    indicator_of_cell = grid.indicator_of_cell()
    weight_of_indicator = grid.indicators["weight"].to_numpy()
    condition_of_indicator = grid.indicators["condition_code"].to_numpy()
    weight = weight_of_indicator[indicator_of_cell]
    condition_key = unit_of_cell * n_conditions + condition_of_indicator[indicator_of_cell]

    n_scores = n_units * n_conditions
    has_index = ~np.isnan(index)
    weight_with_index = np.bincount(
        condition_key, weights=np.where(has_index, weight, 0.0), minlength=n_scores
    )
    expected = grid.valid | has_index
    total_weight = np.bincount(
        condition_key, weights=np.where(expected, weight, 0.0), minlength=n_scores
    )
    coverage = np.divide(
        weight_with_index,
        total_weight,
        out=np.zeros(n_scores),
        where=total_weight > 0,
    )
    too_few = np.repeat(grid.units["too_few"].to_numpy(), n_conditions)
    scored = (coverage >= min_coverage - COVERAGE_TOLERANCE) & (weight_with_index > 0) & ~too_few

    with np.errstate(invalid="ignore", divide="ignore"):
        contribution = weight * index / weight_with_index[condition_key]
    contribution = np.where(scored[condition_key] & has_index, contribution, np.nan)
    value = np.bincount(
        condition_key, weights=np.nan_to_num(contribution, nan=0.0), minlength=n_scores
    )
    value = np.where(scored, value, np.nan)

    group = grid.units["group"].to_numpy(dtype=object)
    region = grid.units["region"].to_numpy(dtype=object)
    period = grid.units["period"].to_numpy(dtype=object)
    if not with_contributions:
        contributions = pd.DataFrame(columns=CONTRIBUTION_COLUMNS)
    else:
        contributions = _contributions_frame(grid, index, method, weight, contribution)

    unit_of_score = np.repeat(np.arange(n_units), n_conditions)
    status = np.where(
        scored,
        STATUS_SCORED,
        np.where(too_few, STATUS_TOO_FEW_INHABITANTS, STATUS_INSUFFICIENT),
    ).astype(object)
    scores = pd.DataFrame(
        {
            "group": group[unit_of_score],
            "region": region[unit_of_score],
            "period": period[unit_of_score],
            "condition": np.tile(np.array(CONDITIONS, dtype=object), n_units),
            "method": method,
            "value": value,
            "coverage": coverage,
            "status": status,
        }
    )
    rank_key = np.repeat(
        grid.units["group_period_code"].to_numpy(), n_conditions
    ) * n_conditions + np.tile(np.arange(n_conditions), n_units)
    inhabitants = np.repeat(grid.units["inhabitants"].to_numpy(dtype=float), n_conditions)
    too_small_to_rank = inhabitants < rank_min_inhabitants  # unknown counts are ranked
    rankable = scores["value"].where(~too_small_to_rank)
    scores["rank"] = competition_ranks(rankable, rank_key, decimals=rank_decimals)
    return contributions, scores


def _contributions_frame(
    grid: Grid, index: np.ndarray, method: str, weight: np.ndarray, contribution: np.ndarray
) -> pd.DataFrame:
    unit_of_cell = grid.unit_of_cell()
    indicator_of_cell = grid.indicator_of_cell()
    group = grid.units["group"].to_numpy(dtype=object)
    region = grid.units["region"].to_numpy(dtype=object)
    period = grid.units["period"].to_numpy(dtype=object)
    codes = grid.indicators["code"].to_numpy(dtype=object)
    condition_names = grid.indicators["condition"].to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "group": group[unit_of_cell],
            "region": region[unit_of_cell],
            "period": period[unit_of_cell],
            "condition": condition_names[indicator_of_cell],
            "indicator": codes[indicator_of_cell],
            "method": method,
            "raw": grid.raw,
            "index": index,
            "weight": weight,
            "contribution": contribution,
            "suppressed": grid.suppressed,
            "too_few_inhabitants": np.repeat(grid.units["too_few"].to_numpy(), grid.n_indicators),
        }
    )


def _with_margins(
    scores: pd.DataFrame,
    grid: Grid,
    index: np.ndarray,
    cell_sd: np.ndarray | None,
    *,
    min_coverage: float,
    rank_min_inhabitants: int,
) -> pd.DataFrame:
    """``scores`` (laid out unit by unit, condition by condition) with the margins."""
    n_units, n_conditions = grid.n_units, len(CONDITIONS)
    condition_of_indicator = grid.indicators["condition_code"].to_numpy()
    weight_of_indicator = grid.indicators["weight"].to_numpy(dtype=float)
    unit_of_cell = grid.unit_of_cell()
    indicator_of_cell = grid.indicator_of_cell()
    score_key = unit_of_cell * n_conditions + condition_of_indicator[indicator_of_cell]
    value = scores["value"].to_numpy(dtype=float)
    if cell_sd is None:
        se = np.full(len(scores), np.nan)
    else:
        model = error_models(grid.indicators["unit"].to_numpy(dtype=object))[indicator_of_cell]
        se_raw = value_errors(grid.raw, grid.reference_weight, model)
        contributes = ~np.isnan(index) & ~np.isnan(value[score_key])
        se = score_errors(
            se_raw,
            cell_sd,
            weight_of_indicator[indicator_of_cell],
            contributes,
            score_key,
            n_units * n_conditions,
        )
        se[np.isnan(value)] = np.nan
    rank = scores["rank"].to_numpy(dtype="float64", na_value=np.nan)
    inhabitants = grid.units["inhabitants"].to_numpy(dtype=float)
    unrankable = grid.units["too_few"].to_numpy(dtype=bool) | (inhabitants < rank_min_inhabitants)
    best, worst = place_ranges(
        index.reshape(n_units, grid.n_indicators),
        grid.valid.reshape(n_units, grid.n_indicators),
        np.repeat(unrankable[:, None], n_conditions, axis=1),
        weight_of_indicator,
        condition_of_indicator,
        grid.units["group_period_code"].to_numpy(),
        min_coverage=min_coverage,
    )
    has_rank = ~np.isnan(rank)
    return scores.assign(
        low=value - Z_95 * se,
        high=value + Z_95 * se,
        rank_best=pd.array(np.where(has_rank, best.reshape(-1), np.nan)).astype("Int64"),
        rank_worst=pd.array(np.where(has_rank, worst.reshape(-1), np.nan)).astype("Int64"),
    )
