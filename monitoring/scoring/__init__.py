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

This package imports no Django, so it can be tested, benchmarked and reasoned about on its own; a
service elsewhere reads values from the database, calls :func:`score` and stores the result.

Where things are: :mod:`.grid` (constants, input checks, the cell grid and its statistics),
:mod:`.normalisation` (indices, condition scores, the base year), :mod:`.ranking` (places and
whether they depend on the method) and :mod:`.robustness` (rank checks that recompute scores).
Everything public is re-exported here: ``from monitoring.scoring import score``.

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

from .change import basis_text, like_for_like_change
from .grid import (
    BASE_YEAR,
    CONDITIONS,
    CONTRIBUTION_COLUMNS,
    DEFAULT_MIN_COVERAGE,
    DEFAULT_MIN_INHABITANTS,
    DIAGNOSTIC_COLUMNS,
    INDEX_AT_MEAN,
    INDEX_COLUMNS,
    MARGIN_COLUMNS,
    METHOD_VERSION,
    METHOD_VERSIONS,
    METHODS,
    METHODS_USING_BASE_PERIOD,
    MINMAX,
    NATIONAL,
    PERCENTILE,
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
    ZSCORE,
    ScoreResult,
    ScoringOptions,
)
from .normalisation import (
    choose_base_period,
    choose_base_periods,
    score,
    score_methods,
    unweighted_mean_of_conditions,
)
from .ranking import competition_ranks, method_dependence, places_and_dependence
from .robustness import indicator_correlations, rank_robustness

__all__ = [
    "BASE_YEAR",
    "CONDITIONS",
    "CONTRIBUTION_COLUMNS",
    "DEFAULT_MIN_COVERAGE",
    "DEFAULT_MIN_INHABITANTS",
    "DIAGNOSTIC_COLUMNS",
    "INDEX_AT_MEAN",
    "INDEX_COLUMNS",
    "MARGIN_COLUMNS",
    "METHODS",
    "METHODS_USING_BASE_PERIOD",
    "METHOD_VERSION",
    "METHOD_VERSIONS",
    "MINMAX",
    "NATIONAL",
    "PERCENTILE",
    "POINTS_PER_SD",
    "RANK_DECIMALS",
    "REASON_NO_BASE_SPREAD",
    "REASON_NO_NATIONAL_VALUE",
    "REASON_NO_PERIOD_SPREAD",
    "REASON_TOO_FEW_BASE_VALUES",
    "REASON_TOO_FEW_PERIOD_VALUES",
    "REFERENCE_COLUMNS",
    "SCORE_COLUMNS",
    "STATUS_INSUFFICIENT",
    "STATUS_SCORED",
    "STATUS_TOO_FEW_INHABITANTS",
    "UNWEIGHTED_MEAN_LABEL",
    "ZSCORE",
    "ScoreResult",
    "ScoringOptions",
    "basis_text",
    "choose_base_period",
    "choose_base_periods",
    "competition_ranks",
    "indicator_correlations",
    "like_for_like_change",
    "method_dependence",
    "places_and_dependence",
    "rank_robustness",
    "score",
    "score_methods",
    "unweighted_mean_of_conditions",
]
