"""Robustness: does a region's position hold under other reasonable choices of method?"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from .grid import (
    CONDITIONS,
    DEFAULT_MIN_COVERAGE,
    DEFAULT_MIN_INHABITANTS,
    METHODS,
    NATIONAL,
    prepare_indicators,
)
from .normalisation import score
from .ranking import method_dependence


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


def indicator_correlations(
    values: pd.DataFrame, indicators: pd.DataFrame, *, period: str
) -> pd.DataFrame:
    """Per group and condition, the Spearman rank correlation between each pair of its
    indicators over the areas in ``period`` (areas with both values), and how many areas.

    Redundancy shown, not hidden: three income measures that correlate 0.9 are in effect one
    measure counted three times, which is why the framework lets them share their weight.
    Returns ``group, condition, indicator_a, indicator_b, spearman, n`` (a < b by code).
    """
    prepared = prepare_indicators(indicators)
    frame = values if "group" in values.columns else values.assign(group="")
    frame = frame[
        (frame["period"].astype(str) == period) & frame["indicator"].isin(prepared["code"])
    ]
    if "suppressed" in frame.columns:
        frame = frame[~frame["suppressed"].fillna(False).astype(bool)]
    condition_of = prepared.set_index("code")["condition"]
    rows = []
    for group, in_group in frame.groupby("group", sort=True):
        wide = in_group.pivot_table(
            index="region", columns="indicator", values="value", aggfunc="first"
        )
        for condition in CONDITIONS:
            codes = sorted(c for c in wide.columns if condition_of.get(c) == condition)
            for i, a in enumerate(codes):
                for b in codes[i + 1 :]:
                    both = wide[[a, b]].dropna()
                    rho = both[a].rank().corr(both[b].rank()) if len(both) >= 3 else np.nan
                    rows.append((group, condition, a, b, float(rho), len(both)))
    return pd.DataFrame(
        rows, columns=["group", "condition", "indicator_a", "indicator_b", "spearman", "n"]
    )
