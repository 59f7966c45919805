"""What the public site shows of a page's data: small regions' values are suppressed.

The public (an anonymous visitor of a published municipality, or a user without a role there,
see access.permissions) sees statistics and scores only. A region with fewer inhabitants than
``SMALL_REGION_MIN_INHABITANTS``, or whose number of inhabitants is unknown, shows no values to
them: a figure about a handful of households can point at a person. Its scores are already
withheld by the scoring itself ("te weinig inwoners").

Pure functions: selector data in, selector data out, no queries. The threshold counts the
region's most recent number of inhabitants (``Region.inhabitants``).
"""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings

from monitoring.compare_selectors import CompareData
from monitoring.selectors import IndicatorData, ScoreDetail, WardDashboard


def is_small(inhabitants: int | None, minimum: int | None = None) -> bool:
    minimum = settings.SMALL_REGION_MIN_INHABITANTS if minimum is None else minimum
    return inhabitants is None or inhabitants < minimum


def ward_for_public(data: WardDashboard) -> WardDashboard:
    """A small area's own values and breakdowns are left out (the municipality's stay)."""
    if not is_small(data.region.inhabitants):
        return data
    return replace(
        data,
        indicators=[
            replace(series, ward={}, suppressed=set(), missing={}, inferred={})
            for series in data.indicators
        ],
        scores={key: replace(score, breakdown=[]) for key, score in data.scores.items()},
    )


def score_detail_for_public(detail: ScoreDetail) -> ScoreDetail:
    if not is_small(detail.region.inhabitants):
        return detail
    return replace(
        detail, scores={key: replace(score, breakdown=[]) for key, score in detail.scores.items()}
    )


def compare_for_public(data: CompareData) -> CompareData:
    small = {code for code, number in data.inhabitants.items() if is_small(number)}
    if not small:
        return data
    return replace(
        data, values={key: value for key, value in data.values.items() if key[0] not in small}
    )


def indicator_for_public(data: IndicatorData) -> IndicatorData:
    small = {code for code, number in data.inhabitants.items() if is_small(number)}
    if not small:
        return data
    return replace(
        data, values={key: value for key, value in data.values.items() if key[0] not in small}
    )
