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
    RANK_DECIMALS,
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
    """
    cells = result.contributions
    if cells.empty or result.references.empty:
        return pd.DataFrame(columns=INTERVAL_COLUMNS)
    units = (
        indicators.set_index("code")["unit"]
        if "unit" in indicators.columns
        else pd.Series(dtype=object)
    )
    model = cells["indicator"].map(units).map(ERROR_MODEL_BY_UNIT).to_numpy(dtype=object)
    n = _population(cells, weights)
    se_raw = value_errors(cells["raw"].to_numpy(dtype=float), n, model)
    sd = (
        cells[["group", "indicator"]]
        .merge(result.references[["group", "indicator", "sd"]], how="left")["sd"]
        .to_numpy(dtype=float)
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        se_index = POINTS_PER_SD * se_raw / sd
    scored = cells["contribution"].notna().to_numpy()
    weight = cells["weight"].to_numpy(dtype=float)
    frame = cells[["group", "region", "period", "condition"]].assign(
        weight=np.where(scored, weight, 0.0),
        variance=np.where(scored, weight**2 * np.nan_to_num(se_index, nan=0.0) ** 2, 0.0),
    )
    keys = ["group", "region", "period", "condition"]
    summed = frame.groupby(keys, sort=False)[["weight", "variance"]].sum().reset_index()
    scores = result.scores[[*keys, "value"]]
    out = scores.merge(summed, on=keys, how="left")
    with np.errstate(invalid="ignore", divide="ignore"):
        out["se"] = np.sqrt(out["variance"]) / out["weight"]
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


def rank_intervals(
    result: ScoreResult,
    indicators: pd.DataFrame,
    *,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
    factors: tuple[float, ...] = WEIGHT_FACTORS,
    leave_one_out: bool = True,
) -> pd.DataFrame:
    """Per group, region, period and condition: the stored ``rank`` and the ``best`` and
    ``worst`` place over the variants of the weights (see the module docstring)."""
    cells = result.contributions
    if cells.empty:
        return pd.DataFrame(columns=RANK_INTERVAL_COLUMNS)
    prepared = prepare_indicators(indicators)
    codes = prepared["code"].tolist()
    base_weight = prepared["weight"].to_numpy(dtype=float)
    keys = ["group", "region", "period"]
    wide = cells.pivot_table(index=keys, columns="indicator", values="index", dropna=False)
    wide = wide.reindex(columns=codes)
    index = wide.to_numpy(dtype=float)
    has_index = ~np.isnan(index)
    periods = wide.index.get_level_values("period").to_numpy(dtype=object)
    expected = valid_in_period(prepared, periods)
    small = (
        cells.groupby(keys)["too_few_inhabitants"].any().reindex(wide.index).to_numpy(dtype=bool)
        if "too_few_inhabitants" in cells.columns
        else np.zeros(len(wide), dtype=bool)
    )
    stored = result.scores.set_index([*keys, "condition"])["rank"]
    condition_code = prepared["condition_code"].to_numpy()
    units = wide.index.to_frame(index=False)
    group_period = units.groupby(["group", "period"], sort=False).ngroup().to_numpy()

    variants = [base_weight]
    for i in range(len(codes)):
        for factor in factors:
            changed = base_weight.copy()
            changed[i] *= factor
            variants.append(changed)
        if leave_one_out:
            changed = base_weight.copy()
            changed[i] = 0.0
            variants.append(changed)

    frames = []
    for code, condition in enumerate(CONDITIONS):
        in_condition = condition_code == code
        if not in_condition.any():
            continue
        block_index = np.where(has_index[:, in_condition], index[:, in_condition], 0.0)
        block_has = has_index[:, in_condition]
        block_expected = expected[:, in_condition] | block_has
        ranks = []
        for weight in variants:
            w = weight[in_condition]
            total = (block_expected * w).sum(axis=1)
            with_index = (block_has * w).sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                value = (block_index * w).sum(axis=1) / with_index
                coverage = with_index / total
            ok = (coverage >= min_coverage - COVERAGE_TOLERANCE) & (with_index > 0) & ~small
            value = np.where(ok, value, np.nan)
            ranks.append(
                competition_ranks(pd.Series(value), group_period, decimals=RANK_DECIMALS)
                .astype("float64")
                .to_numpy()
            )
        matrix = np.vstack(ranks)
        with np.errstate(invalid="ignore"):
            best = np.nanmin(np.where(np.isnan(matrix), np.inf, matrix), axis=0)
            worst = np.nanmax(np.where(np.isnan(matrix), -np.inf, matrix), axis=0)
        frame = units.copy()
        frame["condition"] = condition
        frame["best"] = np.where(np.isfinite(best), best, np.nan)
        frame["worst"] = np.where(np.isfinite(worst), worst, np.nan)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["rank"] = stored.reindex(pd.MultiIndex.from_frame(out[[*keys, "condition"]])).to_numpy()
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
