"""Uncertainty: how sure is a score, and how sure is a place in the ranking (OECD/JRC Handbook,
step 7). Pure pandas and numpy on what :func:`normalisation.score` computed.

**Score interval.** Each value has a standard error from the size of the population behind it and
from CBS's rounding, chosen by the indicator's unit:

- a share in % of ``n`` (households, inhabitants: the indicator's own denominator, the same
  ``weights`` that set the reference): ``√(p (1 − p) / n)`` (as a share, times 100), plus the
  rounding of the published figure to 0.1 (a uniform error: width² / 12);
- a rate in ‰ of ``n`` from a count that CBS rounds to 10 (benefits): the count ``c = rate × n /
  1000`` varies by ``√c`` (Poisson) and by its rounding (10² / 12), divided by ``n`` again;
- an average (× € 1.000, km): only the rounding of the published figure to 0.1;
- anything else: no known error (the interval then rests on the other indicators).

The index error is ``10 × se / sd`` of the reference, the score error ``√Σ (wᵢ / W)² seᵢ²`` over
the indicators with an index (errors taken as independent), the interval ``score ± 1.96 × se``.

**Rank interval.** The place of an area under reasonable other choices: each indicator's weight
halved and one and a half times (one at a time), and each indicator left out of the framework in
turn (its weight 0, so the coverage is then measured against the others). The indices do not
depend on the weights, so every variant is a weighted mean of the same indices; a variant in which
an area's condition no longer has two thirds of its weight gives no place for it and is skipped. The interval runs from the best to the worst place over the stored choice and all
variants: "plaats 28–35".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .grid import (
    CONDITIONS,
    COVERAGE_TOLERANCE,
    DEFAULT_MIN_COVERAGE,
    POINTS_PER_SD,
    ScoreResult,
    prepare_indicators,
    valid_in_period,
)
from .ranking import competition_ranks

Z_95 = 1.959963984540054
ROUNDING_OF_PUBLISHED_FIGURES = 0.1  # CBS publishes shares, averages and distances to one decimal
ROUNDING_OF_BENEFIT_COUNTS = 10.0  # and benefit counts to tens
WEIGHT_FACTORS = (0.5, 1.5)

SHARE, RATE, AVERAGE = "aandeel", "per 1.000", "gemiddelde"
ERROR_MODEL_BY_UNIT = {"%": SHARE, "‰": RATE, "× € 1.000": AVERAGE, "km": AVERAGE}

INTERVAL_COLUMNS = ["group", "region", "period", "condition", "value", "se", "low", "high"]
RANK_INTERVAL_COLUMNS = ["group", "region", "period", "condition", "rank", "best", "worst"]


def value_errors(raw: np.ndarray, n: np.ndarray, model: np.ndarray) -> np.ndarray:
    """The standard error of each raw value (NaN where no model applies or the value is
    missing). ``n`` is the population behind the value (NaN when unknown: rounding only)."""
    raw = np.asarray(raw, dtype=float)
    n = np.asarray(n, dtype=float)
    model = np.asarray(model, dtype=object)
    rounding_var = ROUNDING_OF_PUBLISHED_FIGURES**2 / 12
    se = np.full(raw.shape, np.nan)
    known_n = np.isfinite(n) & (n > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.clip(raw / 100, 0, 1)
        sampling = np.where(known_n, share * (1 - share) / n, 0.0) * 100**2
        is_share = model == SHARE
        se[is_share] = np.sqrt(sampling[is_share] + rounding_var)
        count = raw * n / 1000
        count_var = np.where(known_n, np.maximum(count, 0) + ROUNDING_OF_BENEFIT_COUNTS**2 / 12, 0)
        rate_var = np.where(known_n, count_var / n**2 * 1000**2, rounding_var)
        is_rate = model == RATE
        se[is_rate] = np.sqrt(rate_var[is_rate])
        is_average = model == AVERAGE
        se[is_average] = np.sqrt(rounding_var)
    se[np.isnan(raw)] = np.nan
    return se


def score_errors(
    se_raw: np.ndarray,
    sd: np.ndarray,
    weight: np.ndarray,
    contributes: np.ndarray,
    score_key: np.ndarray,
    n_scores: int,
) -> np.ndarray:
    """The standard error of each score, ``√Σ (wᵢ seᵢ)² / Σ wᵢ`` over the cells that contribute
    to it (``score_key`` says which score a cell belongs to). An index error is ``10 × se / sd``
    of the reference; a cell without an error model counts as exact."""
    with np.errstate(invalid="ignore", divide="ignore"):
        se_index = POINTS_PER_SD * np.asarray(se_raw, dtype=float) / np.asarray(sd, dtype=float)
    weight = np.asarray(weight, dtype=float)
    variance = np.where(contributes, (weight * np.nan_to_num(se_index, nan=0.0)) ** 2, 0.0)
    summed_variance = np.bincount(score_key, weights=variance, minlength=n_scores)
    summed_weight = np.bincount(
        score_key, weights=np.where(contributes, weight, 0.0), minlength=n_scores
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(summed_variance) / summed_weight
    se[summed_weight <= 0] = np.nan
    return se


def error_models(units: pd.Series | np.ndarray) -> np.ndarray:
    """The error model of each unit (:data:`ERROR_MODEL_BY_UNIT`; None for anything else)."""
    return (
        pd.Series(np.asarray(units, dtype=object)).map(ERROR_MODEL_BY_UNIT).to_numpy(dtype=object)
    )


def score_intervals(
    result: ScoreResult,
    indicators: pd.DataFrame,
    *,
    weights: pd.DataFrame | None = None,
    z: float = Z_95,
) -> pd.DataFrame:
    """Per scored group, region, period and condition: ``se`` and the interval ``low``–``high``.

    Needs ``result`` from a base-year method with contributions (its ``references`` give the sd
    that is 10 points). ``indicators`` may carry ``unit`` (see :data:`ERROR_MODEL_BY_UNIT`).
    The recompute gets the same numbers from ``score(..., with_margins=True)``, which works on
    the cell grid instead of these frames (national scale).
    """
    cells = result.contributions
    if cells.empty or result.references.empty:
        return pd.DataFrame(columns=INTERVAL_COLUMNS)
    units = (
        indicators.set_index("code")["unit"]
        if "unit" in indicators.columns
        else pd.Series(dtype=object)
    )
    model = error_models(cells["indicator"].map(units))
    n = _population(cells, weights)
    se_raw = value_errors(cells["raw"].to_numpy(dtype=float), n, model)
    sd = (
        cells[["group", "indicator"]]
        .merge(result.references[["group", "indicator", "sd"]], how="left")["sd"]
        .to_numpy(dtype=float)
    )
    keys = ["group", "region", "period", "condition"]
    grouped = cells.groupby(keys, sort=False)
    score_key = grouped.ngroup().to_numpy()
    se = score_errors(
        se_raw,
        sd,
        cells["weight"].to_numpy(dtype=float),
        cells["contribution"].notna().to_numpy(),
        score_key,
        grouped.ngroups,
    )
    summed = grouped.size().reset_index()[keys].assign(se=se)
    out = result.scores[[*keys, "value"]].merge(summed, on=keys, how="left")
    out.loc[out["value"].isna(), "se"] = np.nan
    out["low"] = out["value"] - z * out["se"]
    out["high"] = out["value"] + z * out["se"]
    return out[INTERVAL_COLUMNS].reset_index(drop=True)


def _population(cells: pd.DataFrame, weights: pd.DataFrame | None) -> np.ndarray:
    if weights is None or weights.empty:
        return np.full(len(cells), np.nan)
    table = weights.assign(
        region=weights["region"].astype(str), period=weights["period"].astype(str)
    ).drop_duplicates(["region", "period", "indicator"], keep="last")
    merged = cells[["region", "period", "indicator"]].merge(
        table[["region", "period", "indicator", "weight"]], how="left"
    )
    return pd.to_numeric(merged["weight"], errors="coerce").to_numpy(dtype=float)


def place_ranges(
    index: np.ndarray,
    expected: np.ndarray,
    unrankable: np.ndarray,
    base_weight: np.ndarray,
    condition_code: np.ndarray,
    group_period: np.ndarray,
    *,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
    factors: tuple[float, ...] = WEIGHT_FACTORS,
    leave_one_out: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """The best and worst place of each unit on each condition over the variants of the
    weights, as two ``(n_units, n_conditions)`` arrays (NaN: no place in any variant).

    ``index`` and ``expected`` are ``(n_units, n_indicators)``: the indices, and whether each
    indicator belongs to the framework there. ``unrankable`` (``(n_units, n_conditions)``)
    marks what gets no place in any variant (too few inhabitants, under the population floor),
    so that it does not take a place from the others either. A variant changes one indicator's
    weight, so only the variants of a condition's own indicators can move its places."""
    n_units = index.shape[0]
    best = np.full((n_units, len(CONDITIONS)), np.nan)
    worst = np.full((n_units, len(CONDITIONS)), np.nan)
    has_index = ~np.isnan(index)
    for code in range(len(CONDITIONS)):
        in_condition = np.flatnonzero(condition_code == code)
        if not len(in_condition) or not n_units:
            continue
        block_index = np.where(has_index[:, in_condition], index[:, in_condition], 0.0)
        block_has = has_index[:, in_condition]
        block_expected = expected[:, in_condition] | block_has
        base = base_weight[in_condition]
        variants = [base]
        for i in range(len(in_condition)):
            for factor in factors:
                changed = base.copy()
                changed[i] *= factor
                variants.append(changed)
            if leave_one_out:
                changed = base.copy()
                changed[i] = 0.0
                variants.append(changed)
        w = np.column_stack(variants)  # (indicators of the condition, variants)
        total = block_expected.astype(float) @ w
        with_index = block_has.astype(float) @ w
        with np.errstate(invalid="ignore", divide="ignore"):
            value = (block_index @ w) / with_index
            coverage = with_index / total
        ok = (coverage >= min_coverage - COVERAGE_TOLERANCE) & (with_index > 0)
        ok &= ~unrankable[:, [code]]
        value = np.where(ok, value, np.nan)
        # By the rule of the stored ranks, all variants in one grouped pass.
        ranks = competition_ranks(pd.DataFrame(value), group_period).to_numpy(
            dtype="float64", na_value=np.nan
        )
        with np.errstate(invalid="ignore"):
            low = np.min(np.where(np.isnan(ranks), np.inf, ranks), axis=1)
            high = np.max(np.where(np.isnan(ranks), -np.inf, ranks), axis=1)
        best[:, code] = np.where(np.isfinite(low), low, np.nan)
        worst[:, code] = np.where(np.isfinite(high), high, np.nan)
    return best, worst


def rank_intervals(
    result: ScoreResult,
    indicators: pd.DataFrame,
    *,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
    factors: tuple[float, ...] = WEIGHT_FACTORS,
    leave_one_out: bool = True,
) -> pd.DataFrame:
    """Per group, region, period and condition: the stored ``rank`` and the ``best`` and
    ``worst`` place over the variants of the weights (see the module docstring). An area with
    a score but no rank (under the population floor) takes no place in the variants either."""
    cells = result.contributions
    if cells.empty:
        return pd.DataFrame(columns=RANK_INTERVAL_COLUMNS)
    prepared = prepare_indicators(indicators)
    codes = prepared["code"].tolist()
    keys = ["group", "region", "period"]
    wide = cells.pivot_table(index=keys, columns="indicator", values="index", dropna=False)
    wide = wide.reindex(columns=codes)
    index = wide.to_numpy(dtype=float)
    periods = wide.index.get_level_values("period").to_numpy(dtype=object)
    expected = valid_in_period(prepared, periods)
    small = (
        cells.groupby(keys)["too_few_inhabitants"].any().reindex(wide.index).to_numpy(dtype=bool)
        if "too_few_inhabitants" in cells.columns
        else np.zeros(len(wide), dtype=bool)
    )
    units = wide.index.to_frame(index=False)
    stored = result.scores.set_index([*keys, "condition"])
    long_keys = pd.MultiIndex.from_arrays(
        [np.repeat(units[key].to_numpy(dtype=object), len(CONDITIONS)) for key in keys]
        + [np.tile(np.array(CONDITIONS, dtype=object), len(units))]
    )
    rank = stored["rank"].reindex(long_keys).to_numpy(dtype="float64", na_value=np.nan)
    value = stored["value"].reindex(long_keys).to_numpy(dtype="float64", na_value=np.nan)
    under_floor = (np.isnan(rank) & ~np.isnan(value)).reshape(len(units), len(CONDITIONS))
    group_period = units.groupby(["group", "period"], sort=False).ngroup().to_numpy()
    best, worst = place_ranges(
        index,
        expected,
        under_floor | small[:, None],
        prepared["weight"].to_numpy(dtype=float),
        prepared["condition_code"].to_numpy(),
        group_period,
        min_coverage=min_coverage,
        factors=factors,
        leave_one_out=leave_one_out,
    )
    out = pd.DataFrame(
        {
            **{key: np.repeat(units[key].to_numpy(dtype=object), len(CONDITIONS)) for key in keys},
            "condition": np.tile(np.array(CONDITIONS, dtype=object), len(units)),
            "rank": rank,
            "best": best.reshape(-1),
            "worst": worst.reshape(-1),
        }
    )
    present = set(prepared["condition"])
    out = out[out["condition"].isin(present)].reset_index(drop=True)
    out.loc[out["rank"].isna(), ["best", "worst"]] = np.nan
    for column in ("rank", "best", "worst"):
        out[column] = out[column].astype("Int64")
    return out[RANK_INTERVAL_COLUMNS]


def interval_text(value: float, low: float, high: float) -> str:
    """``"93, tussen 88 en 98"`` (whole points, as the pages show scores)."""
    return f"{round(value)}, tussen {round(low)} en {round(high)}"


def rank_interval_text(best: int, worst: int) -> str:
    """``"plaats 28–35"``, or ``"plaats 3"`` when every variant gives the same place."""
    return f"plaats {best}" if best == worst else f"plaats {best}–{worst}"
