"""Scores on the four conditions of social quality: pandas in, pandas out, no database.

The method, in short (the Dutch write-up with a worked example is ``docs/methodology.md``):

1. Every indicator value is turned into an *index*. The default method (``basisjaar``) puts 100
   at the mean of the comparison group's regions in the base period and 10 points at one
   (population, ``ddof=0``) standard deviation of those regions in that period; the indicator's
   direction is applied first, so a higher index is always better.
2. A condition score is the weighted mean of the indices of its indicators, but only when the
   indicators that have an index carry at least ``min_coverage`` (default 2/3) of the weight of
   all active indicators of that condition. Otherwise the score is empty ("onvoldoende
   gegevens") and the coverage is still reported. Nothing is imputed.
3. Regions with fewer than ``min_inhabitants`` inhabitants get no index and no score, cells
   marked suppressed get no index; neither is ever ranked nor used for the base statistics.

This module imports no Django, so it can be tested, benchmarked and reasoned about on its own; a
service elsewhere reads values from the database, calls :func:`score` and stores the result.

Input contracts (extra columns are ignored):

``values``
    ``region`` (str), ``indicator`` (str, an indicator code), ``period`` (str: ``"2019"`` or
    ``"2024-K3"``), ``value`` (float, NaN = missing), optional ``suppressed`` (bool, default
    False) and optional ``group`` (str: the comparison group, normally the municipality code
    plus level; base statistics, within-period normalisations and ranks are per group; default:
    the whole frame is one group, named ``""``).
``indicators``
    ``code``, ``condition`` (one of :data:`CONDITIONS`; anything else, such as ``"context"``,
    is ignored), ``direction`` (+1 higher is better, -1 lower is better), ``weight`` (>= 0),
    optional ``is_active`` (bool, default True; inactive indicators are ignored).
``inhabitants``
    ``region``, ``inhabitants`` and optionally ``period``; without ``period`` a count applies to
    every period. Regions without a known count are treated as not small.
``national``
    ``indicator``, ``period``, ``value``: the national value, only for method ``landelijk``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

METHOD_VERSION = "1.0"

# The codes of monitoring.conditions.Condition, repeated here because that module imports Django
# and this one must not; tests/test_scoring.py keeps the two in step.
CONDITIONS: tuple[str, ...] = ("zekerheid", "inclusie", "cohesie", "empowerment")

BASE_YEAR = "basisjaar"
ZSCORE = "zscore"
MINMAX = "minmax"
PERCENTILE = "percentiel"
NATIONAL = "landelijk"
METHODS: tuple[str, ...] = (BASE_YEAR, ZSCORE, MINMAX, PERCENTILE, NATIONAL)
METHODS_USING_BASE_PERIOD: frozenset[str] = frozenset({BASE_YEAR, NATIONAL})

STATUS_SCORED = "berekend"
STATUS_INSUFFICIENT = "onvoldoende gegevens"
STATUS_TOO_FEW_INHABITANTS = "te weinig inwoners"

REASON_TOO_FEW_BASE_VALUES = "minder dan 2 bruikbare waarden in de basisperiode"
REASON_NO_BASE_SPREAD = "geen spreiding in de basisperiode"
REASON_TOO_FEW_PERIOD_VALUES = "minder dan 2 bruikbare waarden in de periode"
REASON_NO_PERIOD_SPREAD = "geen spreiding in de periode"
REASON_NO_NATIONAL_VALUE = "geen landelijke waarde"

UNWEIGHTED_MEAN_LABEL = "ongewogen gemiddelde van de vier condities"

DEFAULT_MIN_INHABITANTS = 50
DEFAULT_MIN_COVERAGE = 2 / 3
INDEX_AT_MEAN = 100.0
POINTS_PER_SD = 10.0

# Weight shares such as 0.2 + 0.2 + ... land a hair under 2/3 in binary floating point; a
# coverage that equals the threshold on paper must count as enough.
_COVERAGE_TOLERANCE = 1e-9

_YEAR_RE = re.compile(r"^\d{4}$")

SCORE_COLUMNS = [
    "group",
    "region",
    "period",
    "condition",
    "method",
    "value",
    "coverage",
    "rank",
    "status",
    "base_period",
]
CONTRIBUTION_COLUMNS = [
    "group",
    "region",
    "period",
    "condition",
    "indicator",
    "method",
    "raw",
    "index",
    "weight",
    "contribution",
    "suppressed",
    "too_few_inhabitants",
]
INDEX_COLUMNS = [
    "group",
    "region",
    "period",
    "indicator",
    "condition",
    "method",
    "raw",
    "index",
    "suppressed",
    "too_few_inhabitants",
]
DIAGNOSTIC_COLUMNS = ["group", "indicator", "period", "reason", "n_values"]


@dataclass(frozen=True, eq=False)
class ScoreResult:
    """Everything :func:`score` computed, so that every number can be explained.

    ``scores``: one row per group, region, period and each of the four conditions, columns
    :data:`SCORE_COLUMNS`. ``value`` is NaN when there is no score; ``status`` says why
    (:data:`STATUS_INSUFFICIENT` or :data:`STATUS_TOO_FEW_INHABITANTS`). ``coverage`` is the
    share of the condition's active weight whose indicators have an index. ``rank`` (nullable
    integer) is 1 for the best score per group, period and condition.

    ``contributions``: one row per group, region, period and active scored indicator, columns
    :data:`CONTRIBUTION_COLUMNS`. ``contribution = weight * index / (sum of the weights with an
    index)`` when the condition has a score, else NaN; the contributions of a scored condition
    add up to its score. ``raw`` is NaN for suppressed cells.

    ``diagnostics``: indicators (per group and period) that got no index at all, columns
    :data:`DIAGNOSTIC_COLUMNS`, with a Dutch reason.
    """

    method: str
    method_version: str
    base_periods: dict[str, str]
    contributions: pd.DataFrame
    scores: pd.DataFrame
    diagnostics: pd.DataFrame

    @property
    def indices(self) -> pd.DataFrame:
        """The index of every cell, columns :data:`INDEX_COLUMNS`."""
        return self.contributions[INDEX_COLUMNS]


@dataclass(frozen=True, eq=False)
class _Grid:
    """Every (unit = group, region, period) × active scored indicator, as flat numpy arrays.

    Cell ``unit * n_indicators + indicator`` holds that region's value; working on positions
    instead of merging on text keys keeps national scale (millions of cells) fast.
    """

    units: pd.DataFrame  # group, region, period, group_code, group_period_code, too_few
    indicators: pd.DataFrame  # code, condition, condition_code, direction, weight
    raw: np.ndarray
    suppressed: np.ndarray
    oriented: np.ndarray  # direction * raw where usable, else NaN

    @property
    def n_units(self) -> int:
        return len(self.units)

    @property
    def n_indicators(self) -> int:
        return len(self.indicators)

    def unit_of_cell(self) -> np.ndarray:
        return np.repeat(np.arange(self.n_units), self.n_indicators)

    def indicator_of_cell(self) -> np.ndarray:
        return np.tile(np.arange(self.n_indicators), self.n_units)


def score(
    values: pd.DataFrame,
    indicators: pd.DataFrame,
    *,
    base_period: str | Mapping[str, str] | None = None,
    method: str = BASE_YEAR,
    inhabitants: pd.DataFrame | None = None,
    min_inhabitants: int = DEFAULT_MIN_INHABITANTS,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
    national: pd.DataFrame | None = None,
    with_contributions: bool = True,
) -> ScoreResult:
    """Index every value, score every condition and rank the regions.

    ``with_contributions=False`` leaves ``contributions`` empty: a caller that stores only the
    scores (the national recompute: millions of cells) saves building that frame.

    ``base_period`` is one period for all groups or a mapping group → period; it is required for
    ``basisjaar`` and ``landelijk`` and ignored by the within-period methods. ``method`` is one of
    :data:`METHODS`:

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
    if method not in METHODS:
        raise ValueError(f"Onbekende methode '{method}': kies uit {', '.join(METHODS)}.")
    if not 0 < min_coverage <= 1:
        raise ValueError("min_coverage moet groter dan 0 en hoogstens 1 zijn.")
    grid = _build_grid(values, indicators, inhabitants, min_inhabitants)
    base_periods: dict[str, str] = {}
    if method in METHODS_USING_BASE_PERIOD:
        base_periods = _resolve_base_periods(base_period, grid.units)
    if method == NATIONAL and national is None:
        raise ValueError("Methode 'landelijk' heeft landelijke waarden nodig (national=...).")

    if method in METHODS_USING_BASE_PERIOD:
        index, diagnostics = _index_against_base(grid, base_periods, method, national)
    else:
        index, diagnostics = _index_within_period(grid, method)

    contributions, scores = _aggregate(grid, index, method, min_coverage, with_contributions)
    scores["base_period"] = (
        scores["group"].map(base_periods).fillna("").astype(object)
        if base_periods
        else pd.Series("", index=scores.index, dtype=object)
    )
    return ScoreResult(
        method=method,
        method_version=METHOD_VERSION,
        base_periods=base_periods,
        contributions=contributions,
        scores=scores[SCORE_COLUMNS],
        diagnostics=diagnostics,
    )


def choose_base_periods(
    values: pd.DataFrame,
    indicators: pd.DataFrame,
    *,
    inhabitants: pd.DataFrame | None = None,
    min_inhabitants: int = DEFAULT_MIN_INHABITANTS,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
) -> dict[str, str]:
    """Per group, the earliest year with enough data to serve as base period.

    "Enough" means: in every condition that has active weight, the indicators that could be
    indexed in that year (at least 2 usable values that are not all equal) carry at least
    ``min_coverage`` of the weight, so that a region with complete data can get all four scores.
    Only years (``"2019"``), not quarters, are candidates. When no year is good enough, the year
    whose smallest condition coverage is highest is chosen (the earliest on ties); the scores'
    diagnostics then show which indicators lack base statistics.
    """
    grid = _build_grid(values, indicators, inhabitants, min_inhabitants)
    if grid.n_units == 0:
        return {}
    count, _, _, low, high = _cell_group_stats(grid)
    can_index = (count >= 2) & (high > low)

    units_per_period = grid.units.drop_duplicates("group_period_code").sort_values(
        "group_period_code"
    )
    n_indicators = grid.n_indicators
    weight = grid.indicators["weight"].to_numpy()
    condition_code = grid.indicators["condition_code"].to_numpy()
    total_weight = np.bincount(condition_code, weights=weight, minlength=len(CONDITIONS))

    # Per (group, period) × condition: the weight share of indicators that can be indexed.
    can_index_matrix = can_index.reshape(-1, n_indicators)[
        units_per_period["group_period_code"].to_numpy()
    ]
    usable_weight = np.zeros((len(units_per_period), len(CONDITIONS)))
    for code in range(len(CONDITIONS)):
        in_condition = condition_code == code
        usable_weight[:, code] = (can_index_matrix[:, in_condition] * weight[in_condition]).sum(1)
    has_weight = total_weight > 0
    shares = np.divide(
        usable_weight, total_weight, out=np.ones_like(usable_weight), where=has_weight
    )
    candidates = units_per_period[["group", "period"]].copy()
    candidates["worst_share"] = shares[:, has_weight].min(axis=1) if has_weight.any() else 0.0
    candidates = candidates[candidates["period"].str.match(_YEAR_RE)]
    if candidates.empty:
        raise ValueError("Er is geen jaar met waarden om als basisjaar te dienen.")
    candidates["enough"] = candidates["worst_share"] >= min_coverage - _COVERAGE_TOLERANCE
    # Per group: the earliest year that is enough; failing that, the best year, earliest on ties.
    candidates["shortfall"] = np.where(candidates["enough"], 0.0, -candidates["worst_share"])
    best = candidates.sort_values(
        ["group", "enough", "shortfall", "period"], ascending=[True, False, True, True]
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


_BAND_NAMES = {
    3: ("bovenste derde", "middelste derde", "onderste derde"),
    4: ("bovenste kwart", "tweede kwart", "derde kwart", "onderste kwart"),
}


def rank_robustness(
    values: pd.DataFrame,
    indicators: pd.DataFrame,
    *,
    base_period: str | Mapping[str, str],
    inhabitants: pd.DataFrame | None = None,
    min_inhabitants: int = DEFAULT_MIN_INHABITANTS,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
    national: pd.DataFrame | None = None,
    methods: Iterable[str] | None = None,
    bands: int = 3,
) -> pd.DataFrame:
    """Each region's rank under each normalisation, and whether its position depends on it.

    Returns one row per group, region, period and condition with ``rank_<method>`` (nullable
    integer) for every method used (by default all of :data:`METHODS`, ``landelijk`` only when
    ``national`` is given), ``rank_spread`` (worst minus best rank), ``method_dependent`` (bool)
    and ``reason`` (Dutch, empty when not flagged).

    A region is flagged when it falls in a different band (thirds by default: the position
    ``ceil(bands * rank / n_ranked)``) under one method than under another. Bands, not a fixed
    number of places, because a move of three places means much in a municipality of eight wards
    and little in one of a hundred, and because a reader takes "top third" or "bottom third"
    from a ranking, not the exact place. Regions without a score under some method are compared
    over the methods under which they do have one.
    """
    if bands < 2:
        raise ValueError("bands moet minstens 2 zijn.")
    if methods is None:
        methods = [m for m in METHODS if m != NATIONAL or national is not None]
    methods = list(methods)
    if not methods:
        raise ValueError("Geef minstens één methode.")

    frames = []
    for method in methods:
        result = score(
            values,
            indicators,
            base_period=base_period,
            method=method,
            inhabitants=inhabitants,
            min_inhabitants=min_inhabitants,
            min_coverage=min_coverage,
            national=national,
            with_contributions=False,
        )
        frames.append(result.scores[["group", "region", "period", "condition", "method", "rank"]])
    return method_dependence(pd.concat(frames, ignore_index=True), methods=methods, bands=bands)


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
    _require_columns(ranks, ["region", "period", "condition", "method", "rank"], "ranks")
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
    with np.errstate(invalid="ignore", divide="ignore"):
        band_matrix = np.ceil(bands * rank_matrix / n_ranked)
    has_rank = ~np.isnan(rank_matrix)
    any_rank = has_rank.any(axis=1)

    result_frame = wide.index.to_frame(index=False)
    for position, method in enumerate(methods):
        result_frame[f"rank_{method}"] = pd.Series(rank_matrix[:, position]).astype("Int64")

    # Methods without a rank for a region take no part in its comparison.
    best_rank = np.min(np.where(has_rank, rank_matrix, np.inf), axis=1, initial=np.inf)
    worst_rank = np.max(np.where(has_rank, rank_matrix, -np.inf), axis=1, initial=-np.inf)
    best_band = np.min(np.where(has_rank, band_matrix, np.inf), axis=1, initial=np.inf)
    worst_band = np.max(np.where(has_rank, band_matrix, -np.inf), axis=1, initial=-np.inf)
    result_frame["rank_spread"] = pd.Series(
        np.where(any_rank, worst_rank - best_rank, np.nan)
    ).astype("Int64")
    flagged = any_rank & (worst_band > best_band)
    result_frame["method_dependent"] = flagged

    names = _BAND_NAMES.get(bands) or tuple(f"groep {i} van {bands}" for i in range(1, bands + 1))
    name_array = np.array(names, dtype=object)
    method_array = np.array(methods, dtype=object)
    reason = np.full(len(result_frame), "", dtype=object)
    if flagged.any() and methods:
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
    result_frame["reason"] = reason
    return result_frame


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


# -- building blocks -------------------------------------------------------------------------


def _require_columns(frame: pd.DataFrame, required: Iterable[str], name: str) -> None:
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise ValueError(f"{name} mist kolom(men): {', '.join(missing)}.")


def _prepare_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    _require_columns(indicators, ["code", "condition", "direction", "weight"], "indicators")
    frame = indicators.copy()
    if "is_active" in frame.columns:
        frame = frame[frame["is_active"].fillna(False).astype(bool)]
    frame = frame[frame["condition"].isin(CONDITIONS)]
    frame = pd.DataFrame(
        {
            "code": frame["code"].astype(str).to_numpy(dtype=object),
            "condition": frame["condition"].astype(str).to_numpy(dtype=object),
            "direction": pd.to_numeric(frame["direction"]).to_numpy(dtype=float),
            "weight": pd.to_numeric(frame["weight"].astype(float)).to_numpy(dtype=float),
        }
    )
    if frame["code"].duplicated().any():
        duplicates = sorted(frame.loc[frame["code"].duplicated(), "code"].unique())
        raise ValueError(f"Indicatorcode(s) dubbel: {', '.join(duplicates)}.")
    if not frame["direction"].isin([1.0, -1.0]).all():
        raise ValueError("Richting moet +1 (hoger is beter) of -1 (lager is beter) zijn.")
    if not (np.isfinite(frame["weight"]) & (frame["weight"] >= 0)).all():
        raise ValueError("Gewichten moeten eindige getallen van 0 of meer zijn.")
    frame["condition_code"] = frame["condition"].map({c: i for i, c in enumerate(CONDITIONS)})
    # Cells are laid out condition by condition so that a drill-down reads in a stable order.
    frame = frame.sort_values(["condition_code", "code"], kind="stable").reset_index(drop=True)
    return frame


def _build_grid(
    values: pd.DataFrame,
    indicators: pd.DataFrame,
    inhabitants: pd.DataFrame | None,
    min_inhabitants: int,
) -> _Grid:
    _require_columns(values, ["region", "indicator", "period", "value"], "values")
    scored = _prepare_indicators(indicators)

    frame = pd.DataFrame(
        {
            "group": (
                values["group"].astype(str).to_numpy(dtype=object)
                if "group" in values.columns
                else np.full(len(values), "", dtype=object)
            ),
            "region": values["region"].astype(str).to_numpy(dtype=object),
            "period": values["period"].astype(str).to_numpy(dtype=object),
            "indicator": values["indicator"].astype(str).to_numpy(dtype=object),
        }
    )
    raw_values = np.array(pd.to_numeric(values["value"], errors="coerce"), dtype=float)
    # An infinite value is a broken division upstream, not a measurement.
    raw_values[~np.isfinite(raw_values)] = np.nan
    suppressed_values = (
        values["suppressed"].fillna(False).astype(bool).to_numpy()
        if "suppressed" in values.columns
        else np.zeros(len(values), dtype=bool)
    )

    # Every region and period in the input gets a row, even one with only context indicators, so
    # that its profile shows "onvoldoende gegevens" instead of silently missing.
    unit_keys = ["group", "region", "period"]
    unit_id = frame.groupby(unit_keys, sort=True).ngroup().to_numpy()
    units = (
        frame[unit_keys]
        .assign(unit_id=unit_id)
        .drop_duplicates("unit_id")
        .sort_values("unit_id")
        .drop(columns="unit_id")
        .reset_index(drop=True)
    )
    units["group_code"] = pd.factorize(units["group"], sort=True)[0]
    units["group_period_code"] = units.groupby(["group", "period"], sort=True).ngroup()
    units["too_few"] = _too_few_inhabitants(units, inhabitants, min_inhabitants)

    n_indicators = len(scored)
    n_cells = len(units) * n_indicators
    indicator_id = pd.Index(scored["code"]).get_indexer(frame["indicator"])
    is_scored = indicator_id >= 0
    position = unit_id[is_scored] * n_indicators + indicator_id[is_scored]
    times_seen = np.bincount(position, minlength=n_cells)
    if n_cells and times_seen.max() > 1:
        first = int(np.flatnonzero(times_seen > 1)[0])
        duplicated = units.iloc[first // n_indicators]
        raise ValueError(
            "Dubbele waarde voor "
            f"{duplicated['region']} / {scored['code'].iloc[first % n_indicators]} / "
            f"{duplicated['period']}."
        )
    raw = np.full(n_cells, np.nan)
    raw[position] = raw_values[is_scored]
    suppressed = np.zeros(n_cells, dtype=bool)
    suppressed[position] = suppressed_values[is_scored]

    too_few_cell = np.repeat(units["too_few"].to_numpy(), n_indicators)
    direction = np.tile(scored["direction"].to_numpy(), len(units))
    usable = ~np.isnan(raw) & ~suppressed & ~too_few_cell
    oriented = np.where(usable, direction * raw, np.nan)
    raw[suppressed] = np.nan
    return _Grid(units, scored, raw, suppressed, oriented)


def _too_few_inhabitants(
    units: pd.DataFrame, inhabitants: pd.DataFrame | None, min_inhabitants: int
) -> np.ndarray:
    if inhabitants is None or len(units) == 0:
        return np.zeros(len(units), dtype=bool)
    _require_columns(inhabitants, ["region", "inhabitants"], "inhabitants")
    keys = ["region", "period"] if "period" in inhabitants.columns else ["region"]
    counts = pd.DataFrame(
        {key: inhabitants[key].astype(str).to_numpy(dtype=object) for key in keys}
    )
    counts["inhabitants"] = pd.to_numeric(inhabitants["inhabitants"], errors="coerce").to_numpy(
        dtype=float
    )
    counts = counts.dropna(subset=["inhabitants"]).drop_duplicates(keys, keep="last")
    matched = units[keys].merge(counts, on=keys, how="left")["inhabitants"].to_numpy(dtype=float)
    # Unknown counts (NaN) compare False: a region is only small when we know it is.
    return matched < min_inhabitants


def _resolve_base_periods(
    base_period: str | Mapping[str, str] | None, units: pd.DataFrame
) -> dict[str, str]:
    groups = sorted(units["group"].unique())
    if base_period is None:
        raise ValueError("Deze methode heeft een basisperiode nodig (base_period=...).")
    if isinstance(base_period, Mapping):
        missing = [group for group in groups if group not in base_period]
        if missing:
            raise ValueError(f"Geen basisperiode voor groep(en): {', '.join(missing)}.")
        return {group: str(base_period[group]) for group in groups}
    return {group: str(base_period) for group in groups}


def _cell_group_stats(
    grid: _Grid,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Count, mean, population sd, min and max of usable oriented values per (group, period,
    indicator), as arrays indexed by ``group_period_code * n_indicators + indicator``."""
    key = _group_period_indicator_key(grid)
    n_keys = (grid.units["group_period_code"].max() + 1 if grid.n_units else 0) * grid.n_indicators
    return _stats_by_key(key, grid.oriented, n_keys)


def _group_period_indicator_key(grid: _Grid) -> np.ndarray:
    group_period = grid.units["group_period_code"].to_numpy()
    return np.repeat(group_period, grid.n_indicators) * grid.n_indicators + grid.indicator_of_cell()


def _stats_by_key(
    key: np.ndarray, oriented: np.ndarray, n_keys: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    usable = ~np.isnan(oriented)
    key, values = key[usable], oriented[usable]
    count = np.bincount(key, minlength=n_keys).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(key, weights=values, minlength=n_keys) / count
        # Two passes (deviations from the mean) rather than E[x²] - E[x]², which cancels badly.
        deviation = values - mean[key]
        sd = np.sqrt(np.bincount(key, weights=deviation * deviation, minlength=n_keys) / count)
    low = np.full(n_keys, np.inf)
    np.minimum.at(low, key, values)
    high = np.full(n_keys, -np.inf)
    np.maximum.at(high, key, values)
    return count, mean, sd, low, high


def _diagnostics_frame(
    keys: pd.DataFrame, count: np.ndarray, spread: np.ndarray, too_few: str, no_spread: str
) -> pd.DataFrame:
    """Rows of ``keys`` (group, indicator, period) whose statistics cannot make an index."""
    reason = np.where(count < 2, too_few, np.where(~spread, no_spread, ""))
    frame = keys.assign(reason=reason, n_values=count.astype(np.int64))
    return frame[frame["reason"] != ""][DIAGNOSTIC_COLUMNS].reset_index(drop=True)


def _index_against_base(
    grid: _Grid, base_periods: dict[str, str], method: str, national: pd.DataFrame | None
) -> tuple[np.ndarray, pd.DataFrame]:
    """``basisjaar`` and ``landelijk``: both measure in base-period standard deviations."""
    n_indicators = grid.n_indicators
    n_groups = int(grid.units["group_code"].max() + 1) if grid.n_units else 0
    group_names = grid.units.drop_duplicates("group_code").sort_values("group_code")["group"]
    is_base_unit = (
        grid.units["period"].to_numpy() == grid.units["group"].map(base_periods).to_numpy()
    )
    group_of_cell = np.repeat(grid.units["group_code"].to_numpy(), n_indicators)
    key = group_of_cell * n_indicators + grid.indicator_of_cell()
    in_base = np.repeat(is_base_unit, n_indicators)
    base_only = np.where(in_base, grid.oriented, np.nan)
    count, mean, sd, low, high = _stats_by_key(key, base_only, n_groups * n_indicators)
    # "All equal" is tested exactly on min and max rather than on a tiny sd: exact, and unchanged
    # when an indicator's unit changes.
    base_ok = (count >= 2) & (high > low)

    keys = pd.DataFrame(
        {
            "group": np.repeat(group_names.to_numpy(dtype=object), n_indicators),
            "indicator": np.tile(grid.indicators["code"].to_numpy(dtype=object), n_groups),
        }
    )
    keys["period"] = keys["group"].map(base_periods).astype(object)
    diagnostics = _diagnostics_frame(
        keys, count, high > low, REASON_TOO_FEW_BASE_VALUES, REASON_NO_BASE_SPREAD
    )

    with np.errstate(invalid="ignore", divide="ignore"):
        if method == BASE_YEAR:
            reference = mean[key]
        else:
            reference, national_diagnostics = _national_reference(grid, national)
            diagnostics = pd.concat([diagnostics, national_diagnostics], ignore_index=True)
        index = INDEX_AT_MEAN + POINTS_PER_SD * (grid.oriented - reference) / sd[key]
    index = np.where(base_ok[key], index, np.nan)
    return index, diagnostics


def _national_reference(
    grid: _Grid, national: pd.DataFrame | None
) -> tuple[np.ndarray, pd.DataFrame]:
    """The oriented national value for every cell (NaN where unknown), and what is missing."""
    assert national is not None
    _require_columns(national, ["indicator", "period", "value"], "national")
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


def _index_within_period(grid: _Grid, method: str) -> tuple[np.ndarray, pd.DataFrame]:
    """``zscore``, ``minmax`` and ``percentiel``: each period is its own reference."""
    key = _group_period_indicator_key(grid)
    count, mean, sd, low, high = _cell_group_stats(grid)
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
    diagnostics = _diagnostics_frame(
        keys, count, high > low, REASON_TOO_FEW_PERIOD_VALUES, REASON_NO_PERIOD_SPREAD
    )
    return index, diagnostics


def _aggregate(
    grid: _Grid, index: np.ndarray, method: str, min_coverage: float, with_contributions: bool
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Condition scores as the sum of the contributions, so the drill-down adds up to the score."""
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
    total_weight = np.tile(
        np.bincount(condition_of_indicator, weights=weight_of_indicator, minlength=n_conditions),
        n_units,
    )
    coverage = np.divide(
        weight_with_index,
        total_weight,
        out=np.zeros(n_scores),
        where=total_weight > 0,
    )
    too_few = np.repeat(grid.units["too_few"].to_numpy(), n_conditions)
    scored = (coverage >= min_coverage - _COVERAGE_TOLERANCE) & (weight_with_index > 0) & ~too_few

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
    # Competition ranking ("1, 2, 2, 4"): tied regions share the better place.
    scores["rank"] = (
        scores["value"].groupby(rank_key).rank(ascending=False, method="min").astype("Int64")
    )
    return contributions, scores


def _contributions_frame(
    grid: _Grid, index: np.ndarray, method: str, weight: np.ndarray, contribution: np.ndarray
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
