"""Reads for the change page: every area's score on one condition in every period, and the
like-for-like change between two of them. Kept apart from ``selectors`` because it recomputes
scores from values rather than reading stored ones."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from monitoring import scoring
from monitoring.charts import Area
from monitoring.forms import choose_period
from monitoring.models import ConditionScore, Region
from monitoring.scoring.change import basis_text, like_for_like_change
from monitoring.scoring_inputs import score_inputs, score_read_inputs
from monitoring.selectors import LEVEL_PLURAL, _areas, _number


@dataclass(frozen=True)
class ChangeData:
    municipality: Region
    level: str
    method: str
    condition: str
    areas: list[Area]
    scores: dict[tuple[str, str], float | None]  # (code, period): the stored scores
    periods: list[str]
    start: str | None = None
    end: str | None = None
    # Like for like, per area code: scores on the indicators present in both periods, their
    # difference and on how many indicators it rests ("op basis van 4 van 5 indicatoren").
    like_for_like: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def level_plural(self) -> str:
        return LEVEL_PLURAL.get(self.level, "gebieden")


def change_data(
    *,
    municipality: Region,
    level: str,
    method: str,
    condition: str,
    start: str | None = None,
    end: str | None = None,
) -> ChangeData:
    """Every area's score on one condition in every period, and the like-for-like change
    between ``start`` and ``end`` (defaults: the first and last period with scores).

    The change is recomputed from the values of the comparison group, with the same reader and
    core function as the stored scores, because it depends on which indicators both periods
    share. Queries: areas, scores, and the values of the group (plus the national values for
    ``landelijk``).
    """
    areas = _areas(municipality, level)
    scores: dict[tuple[str, str], float | None] = {}
    code_of: dict[str, str] = {}
    base_period = ""
    for region_id, code, period, value, base in ConditionScore.objects.filter(
        region__municipality=municipality,
        region__level=level,
        method=method,
        condition=condition,
    ).values_list("region_id", "region__code", "period", "value", "base_period"):
        scores[(code, period)] = value
        code_of[str(region_id)] = code
        base_period = base_period or base
    periods = sorted({p for _, p in scores})
    with_values = sorted({p for (_, p), v in scores.items() if v is not None})
    start = choose_period(start, periods, preferred=with_values, default_index=0)
    end = choose_period(end, periods, preferred=with_values)
    if start and end and start > end:
        start, end = end, start
    like_for_like: dict[str, dict[str, Any]] = {}
    if start and end and start != end and method in scoring.METHODS:
        like_for_like = _like_for_like(
            municipality, level, method, condition, start, end, base_period, code_of
        )
    return ChangeData(
        municipality, level, method, condition, areas, scores, periods, start, end, like_for_like
    )


def _like_for_like(
    municipality: Region,
    level: str,
    method: str,
    condition: str,
    start: str,
    end: str,
    base_period: str,
    code_of: dict[str, str],
) -> dict[str, dict[str, Any]]:
    uses_base = method in scoring.METHODS_USING_BASE_PERIOD
    if uses_base and not base_period:
        return {}
    inputs = score_inputs(
        municipality_ids=[municipality.pk],
        levels=(level,),
        periods=None if uses_base else [start, end],
        with_national=method == scoring.NATIONAL,
        bulk=False,
    )
    if inputs.values.empty or (method == scoring.NATIONAL and inputs.national is None):
        return {}
    (result,) = score_read_inputs(
        inputs, methods=(method,), base_period=base_period if uses_base else None
    )
    change = like_for_like_change(result.contributions, inputs.indicators, start=start, end=end)
    change = change[change["condition"] == condition]
    return {
        code_of.get(row.region, row.region): {
            "start": _number(row.score_start),
            "end": _number(row.score_end),
            "change": _number(row.change),
            "n_common": int(row.n_common),
            "n_indicators": int(row.n_indicators),
            "status": row.status,
            "basis": basis_text(int(row.n_common), int(row.n_indicators)),
        }
        for row in change.itertuples(index=False)
    }
