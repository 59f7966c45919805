"""Building blocks of the scoring core: constants, input checks, the cell grid, statistics.

Shared by :mod:`.normalisation` (indices and condition scores) and :mod:`.ranking` /
:mod:`.robustness` (positions and how much they depend on the choices). No Django here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

METHOD_VERSION = "2.0"
# Method 1.0 stays available in the core (``method_version="1.0"``) to compare with: one base
# period for every indicator, 100 at the unweighted mean of the areas, no periods of validity,
# ranks on unrounded scores. The monitor stores 2.0.
METHOD_VERSIONS: tuple[str, ...] = ("1.0", "2.0")

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
# Below this many inhabitants an area gets a score (with its wide margin) but no place in the
# ranking: a ward of 135 inhabitants is not ranked beside one of 40,000. 0 ranks every score.
DEFAULT_RANK_MIN_INHABITANTS = 0
DEFAULT_MIN_COVERAGE = 2 / 3
INDEX_AT_MEAN = 100.0
POINTS_PER_SD = 10.0

# Weight shares such as 0.2 + 0.2 + ... land a hair under 2/3 in binary floating point; a
# coverage that equals the threshold on paper must count as enough.
COVERAGE_TOLERANCE = 1e-9

YEAR_RE = re.compile(r"^\d{4}$")

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
# With ``score(..., with_margins=True)`` (base-year methods): the 95 % interval of the score and
# the best and worst place under other reasonable weights (scoring.uncertainty).
MARGIN_COLUMNS = ["low", "high", "rank_best", "rank_worst"]
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
REFERENCE_COLUMNS = ["group", "indicator", "period", "reference", "sd", "weighted", "n_values"]

# Scores are ranked as the pages show them: in whole points (see ranking.competition_ranks).
RANK_DECIMALS = 0


@dataclass(frozen=True, eq=False, kw_only=True)
class ScoringOptions:
    """Every choice :func:`score` and :func:`score_methods` take besides the values, the
    indicators and the method, with its default. Both take these fields as keywords and pass
    them on as this one value, so the two signatures cannot drift apart.

    - ``base_period``: one period for all groups or a mapping group → period; required for
      ``basisjaar`` and ``landelijk``, ignored by the within-period methods.
    - ``inhabitants`` (region, inhabitants; optionally per period) and ``min_inhabitants``: an
      area with fewer (known) inhabitants gets no score.
    - ``min_coverage``: the share of a condition's weight its indicators must carry.
    - ``national`` (indicator, period, value): required for ``landelijk``.
    - ``with_contributions=False`` leaves ``contributions`` empty: a caller that stores only
      the scores (the national recompute: millions of cells) saves building that frame.
    - ``weights`` (region, period, indicator, weight), or a column ``reference_weight`` in the
      values (the same, placed beside each value, which saves a join per method): each area's
      weight in the reference value of method 2.0, the indicator's own denominator (households
      for a share of households, inhabitants of working age for a benefit rate). 100 is then
      the municipality as a whole: the weighted mean of its areas. Without weights for an
      indicator, the plain mean of the areas.
    - ``method_version``: ``"1.0"`` reproduces the first method (see :data:`METHOD_VERSIONS`).
    - ``rank_min_inhabitants``: areas with fewer (known) inhabitants keep their score but get
      no rank, and the others are ranked among themselves.
    - ``with_margins``: adds :data:`MARGIN_COLUMNS` to ``scores``: the 95 % interval of each
      score (``low``, ``high``; base-year methods only, which measure in the reference sd) and
      the best and worst place under other reasonable weights (``rank_best``, ``rank_worst``;
      where the score has a rank). The same numbers as ``uncertainty.score_intervals`` and
      ``rank_intervals``, computed on the cell grid; the indicators may carry ``unit`` for the
      error model, and the reference weights are the populations behind the values. One bool
      for every method, or a mapping method → bool.
    """

    base_period: str | Mapping[str, str] | None = None
    inhabitants: pd.DataFrame | None = None
    min_inhabitants: int = DEFAULT_MIN_INHABITANTS
    min_coverage: float = DEFAULT_MIN_COVERAGE
    national: pd.DataFrame | None = None
    with_contributions: bool = True
    weights: pd.DataFrame | None = None
    method_version: str = METHOD_VERSION
    rank_min_inhabitants: int = DEFAULT_RANK_MIN_INHABITANTS
    with_margins: bool | Mapping[str, bool] = False

    def check(self) -> None:
        """Refuse options no method can use, with a Dutch message."""
        if not 0 < self.min_coverage <= 1:
            raise ValueError("min_coverage moet groter dan 0 en hoogstens 1 zijn.")
        if self.method_version not in METHOD_VERSIONS:
            raise ValueError(
                f"Onbekende methodeversie '{self.method_version}': kies uit "
                f"{', '.join(METHOD_VERSIONS)}."
            )

    def margins_for(self, method: str) -> bool:
        if isinstance(self.with_margins, Mapping):
            return bool(self.with_margins.get(method, False))
        return bool(self.with_margins)


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

    ``references``: for the base-year methods, per group and indicator the period whose areas
    set 100 (the base period, or the indicator's first year with values when it has none there),
    the reference value (not oriented; for ``landelijk`` empty) and the standard deviation that
    is 10 points, columns :data:`REFERENCE_COLUMNS`. ``weighted`` says whether the reference is
    the mean weighted by the indicator's own denominator (the area as a whole) or, without known
    weights, the plain mean of the areas.
    """

    method: str
    method_version: str
    base_periods: dict[str, str]
    contributions: pd.DataFrame
    scores: pd.DataFrame
    diagnostics: pd.DataFrame
    references: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=REFERENCE_COLUMNS)
    )

    @property
    def indices(self) -> pd.DataFrame:
        """The index of every cell, columns :data:`INDEX_COLUMNS`."""
        return self.contributions[INDEX_COLUMNS]


@dataclass(frozen=True, eq=False)
class Grid:
    """Every (unit = group, region, period) × active scored indicator, as flat numpy arrays.

    Cell ``unit * n_indicators + indicator`` holds that region's value; working on positions
    instead of merging on text keys keeps national scale (millions of cells) fast.
    """

    units: (
        pd.DataFrame
    )  # group, region, period, group_code, group_period_code, inhabitants, too_few
    indicators: pd.DataFrame  # code, condition, condition_code, direction, weight, valid_*
    raw: np.ndarray
    suppressed: np.ndarray
    oriented: np.ndarray  # direction * raw where usable, else NaN
    # The weight of each area in its municipality's reference value (the indicator's own
    # denominator: households, inhabitants of working age...); NaN where unknown.
    reference_weight: np.ndarray
    # Whether the indicator belongs to the framework in the cell's period (its validity).
    valid: np.ndarray

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


def require_columns(frame: pd.DataFrame, required: Iterable[str], name: str) -> None:
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise ValueError(f"{name} mist kolom(men): {', '.join(missing)}.")


def prepare_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    require_columns(indicators, ["code", "condition", "direction", "weight"], "indicators")
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
            "valid_from": _period_bound(frame, "valid_from"),
            "valid_until": _period_bound(frame, "valid_until"),
            # The unit chooses the error model of the score interval (scoring.uncertainty).
            "unit": _period_bound(frame, "unit"),
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


def _period_bound(frame: pd.DataFrame, column: str) -> np.ndarray:
    """An optional text column per indicator ("" when absent): a period bound ("" = open), or
    the unit."""
    if column not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    return frame[column].fillna("").astype(str).to_numpy(dtype=object)


def valid_in_period(indicators: pd.DataFrame, periods: np.ndarray) -> np.ndarray:
    """``(len(periods), n_indicators)``: whether each indicator belongs to the framework in each
    period. Periods sort as text (``2019`` < ``2019-K1`` < ``2020``); a bound is a year or a
    period, and ``valid_until = "2017"`` includes the quarters of 2017."""
    periods = np.asarray(periods, dtype=object).reshape(-1, 1)
    start = indicators["valid_from"].to_numpy(dtype=object).reshape(1, -1)
    end = indicators["valid_until"].to_numpy(dtype=object).reshape(1, -1)
    year = np.vectorize(lambda p: str(p)[:4], otypes=[object])(periods)
    after_start = (start == "") | (periods >= start)
    before_end = (end == "") | (periods <= end) | (year == end)
    return after_start & before_end


def build_grid(
    values: pd.DataFrame,
    indicators: pd.DataFrame,
    inhabitants: pd.DataFrame | None,
    min_inhabitants: int,
    weights: pd.DataFrame | None = None,
) -> Grid:
    require_columns(values, ["region", "indicator", "period", "value"], "values")
    scored = prepare_indicators(indicators)

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
    units["inhabitants"] = _inhabitants_of(units, inhabitants)
    # Unknown counts (NaN) compare False: a region is only small when we know it is.
    units["too_few"] = units["inhabitants"].to_numpy(dtype=float) < min_inhabitants

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
    if "reference_weight" in values.columns:
        # Given beside each value: placed like the values, no join (the national recompute).
        given = pd.to_numeric(values["reference_weight"], errors="coerce").to_numpy(dtype=float)
        reference_weight = np.full(n_cells, np.nan)
        reference_weight[position] = given[is_scored]
        reference_weight[~(reference_weight > 0)] = np.nan
    else:
        reference_weight = _reference_weights(units, scored, weights)
    periods = units["period"].to_numpy(dtype=object)
    valid = valid_in_period(scored, periods).reshape(-1) if n_cells else np.zeros(0, dtype=bool)
    return Grid(units, scored, raw, suppressed, oriented, reference_weight, valid)


def _reference_weights(
    units: pd.DataFrame, scored: pd.DataFrame, weights: pd.DataFrame | None
) -> np.ndarray:
    """Each cell's weight in the reference value, from ``weights`` (region, period, indicator,
    weight); NaN where not given, not a number, or not positive."""
    n_cells = len(units) * len(scored)
    result = np.full(n_cells, np.nan)
    if weights is None or weights.empty or n_cells == 0:
        return result
    require_columns(weights, ["region", "period", "indicator", "weight"], "weights")
    unit_index = pd.MultiIndex.from_arrays(
        [units["region"].to_numpy(dtype=object), units["period"].to_numpy(dtype=object)]
    )
    # A region appears once per period within a frame of one group; across groups the same
    # region code is the same region, so the first unit of each (region, period) is enough.
    unit_of = pd.Series(np.arange(len(units)), index=unit_index)
    unit_of = unit_of[~unit_of.index.duplicated()]
    keys = pd.MultiIndex.from_arrays(
        [
            weights["region"].astype(str).to_numpy(dtype=object),
            weights["period"].astype(str).to_numpy(dtype=object),
        ]
    )
    unit_id = unit_of.reindex(keys).to_numpy()
    indicator_id = pd.Index(scored["code"]).get_indexer(weights["indicator"].astype(str))
    value = pd.to_numeric(weights["weight"], errors="coerce").to_numpy(dtype=float)
    keep = ~np.isnan(unit_id) & (indicator_id >= 0) & np.isfinite(value) & (value > 0)
    position = unit_id[keep].astype(np.int64) * len(scored) + indicator_id[keep]
    result[position] = value[keep]
    return result


def _inhabitants_of(units: pd.DataFrame, inhabitants: pd.DataFrame | None) -> np.ndarray:
    """Each unit's number of inhabitants (NaN when unknown)."""
    if inhabitants is None or len(units) == 0:
        return np.full(len(units), np.nan)
    require_columns(inhabitants, ["region", "inhabitants"], "inhabitants")
    keys = ["region", "period"] if "period" in inhabitants.columns else ["region"]
    counts = pd.DataFrame(
        {key: inhabitants[key].astype(str).to_numpy(dtype=object) for key in keys}
    )
    counts["inhabitants"] = pd.to_numeric(inhabitants["inhabitants"], errors="coerce").to_numpy(
        dtype=float
    )
    counts = counts.dropna(subset=["inhabitants"]).drop_duplicates(keys, keep="last")
    return units[keys].merge(counts, on=keys, how="left")["inhabitants"].to_numpy(dtype=float)


def resolve_base_periods(
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


def cell_group_stats(
    grid: Grid,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Count, mean, population sd, min and max of usable oriented values per (group, period,
    indicator), as arrays indexed by ``group_period_code * n_indicators + indicator``."""
    key = group_period_indicator_key(grid)
    n_keys = (grid.units["group_period_code"].max() + 1 if grid.n_units else 0) * grid.n_indicators
    return stats_by_key(key, grid.oriented, n_keys)


def group_period_indicator_key(grid: Grid) -> np.ndarray:
    group_period = grid.units["group_period_code"].to_numpy()
    return np.repeat(group_period, grid.n_indicators) * grid.n_indicators + grid.indicator_of_cell()


def stats_by_key(
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


def diagnostics_frame(
    keys: pd.DataFrame, count: np.ndarray, spread: np.ndarray, too_few: str, no_spread: str
) -> pd.DataFrame:
    """Rows of ``keys`` (group, indicator, period) whose statistics cannot make an index."""
    reason = np.where(count < 2, too_few, np.where(~spread, no_spread, ""))
    frame = keys.assign(reason=reason, n_values=count.astype(np.int64))
    return frame[frame["reason"] != ""][DIAGNOSTIC_COLUMNS].reset_index(drop=True)
