"""Scores: read a municipality's values, call the pure scoring core, store what it computed."""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass

import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from monitoring import scoring
from monitoring.conditions import Condition
from monitoring.models import (
    ConditionScore,
    Indicator,
    IndicatorValue,
    Level,
    Region,
    ScoringSettings,
)

# The methods stored for every region: the default first, then the alternatives that make the
# robustness check possible. "landelijk" needs national values and is added when they exist.
STORED_METHODS: tuple[str, ...] = (
    scoring.BASE_YEAR,
    scoring.ZSCORE,
    scoring.MINMAX,
    scoring.PERCENTILE,
)
SCORED_LEVELS = (Level.WIJK, Level.BUURT)
_CONDITIONS = {c.value for c in Condition}


@dataclass(frozen=True)
class ScoreSummary:
    municipality: str
    scores_written: int
    base_periods: dict[str, str]
    methods: tuple[str, ...]


def municipality_score_inputs(
    *, municipality: Region
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """Values, indicators, inhabitants and national values, as frames for ``scoring.score``.

    The comparison groups are the municipality's wards and its neighbourhoods, each on its own:
    a ward is compared with wards, a neighbourhood with neighbourhoods.
    """
    indicator_rows = list(
        Indicator.objects.filter(is_active=True).values_list(
            "id", "code", "role", "direction", "weight"
        )
    )
    indicators = pd.DataFrame(
        [
            (code, role, direction, float(weight))
            for _, code, role, direction, weight in indicator_rows
        ],
        columns=["code", "condition", "direction", "weight"],
    )
    code_of = {pk: code for pk, code, *_ in indicator_rows}
    wanted = [pk for pk, _code, role, *_rest in indicator_rows if role in _CONDITIONS]
    inhabitants_id = next((pk for pk, code, *_ in indicator_rows if code == "inwoners"), None)
    if inhabitants_id is not None:
        wanted.append(inhabitants_id)
    rows = IndicatorValue.objects.filter(
        region__municipality=municipality,
        region__level__in=SCORED_LEVELS,
        indicator_id__in=wanted,
    ).values_list(
        "region__code", "region__level", "indicator_id", "period", "value", "is_suppressed"
    )
    frame = pd.DataFrame(
        list(rows), columns=["region", "level", "indicator_id", "period", "value", "suppressed"]
    )
    frame["indicator"] = frame["indicator_id"].map(code_of)
    frame["value"] = frame["value"].astype("float64")
    frame["group"] = municipality.code + "-" + frame["level"]
    inhabitants = frame.loc[frame["indicator"] == "inwoners", ["region", "period", "value"]].rename(
        columns={"value": "inhabitants"}
    )
    values = frame[frame["indicator"] != "inwoners"]
    national_rows = IndicatorValue.objects.filter(
        region__level=Level.LAND, indicator_id__in=wanted, value__isnull=False
    ).values_list("indicator_id", "period", "value")
    national = pd.DataFrame(list(national_rows), columns=["indicator_id", "period", "value"])
    if national.empty:
        national_frame = None
    else:
        national["indicator"] = national["indicator_id"].map(code_of)
        national_frame = national[["indicator", "period", "value"]]
    return values, indicators, inhabitants, national_frame


def scores_recompute(*, municipality: Region) -> ScoreSummary:
    """Recompute and store every score of a municipality's wards and neighbourhoods.

    Runs after every import, rollback or change of weights. The old scores of the municipality
    are replaced in one transaction, so a page never shows half of the old and half of the new.
    """
    values, indicators, inhabitants, national = municipality_score_inputs(municipality=municipality)
    region_ids = dict(
        Region.objects.filter(municipality=municipality, level__in=SCORED_LEVELS).values_list(
            "code", "id"
        )
    )
    methods = STORED_METHODS + ((scoring.NATIONAL,) if national is not None else ())
    frames: list[pd.DataFrame] = []
    base_periods: dict[str, str] = {}
    has_data = not values.empty and values["value"].notna().any()
    if has_data:
        base_periods = _base_periods(municipality, values, indicators, inhabitants)
        for method in methods:
            result = scoring.score(
                values,
                indicators,
                base_period=base_periods,
                method=method,
                inhabitants=inhabitants,
                min_inhabitants=settings.SMALL_REGION_MIN_INHABITANTS,
                national=national,
            )
            frames.append(_score_rows(result, region_ids))
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    with transaction.atomic():
        ConditionScore.objects.filter(region__municipality=municipality).delete()
        if not rows.empty:
            _copy_scores(rows)
    return ScoreSummary(
        municipality=municipality.code,
        scores_written=len(rows),
        base_periods=base_periods,
        methods=methods,
    )


def scores_recompute_all() -> list[ScoreSummary]:
    return [
        scores_recompute(municipality=municipality)
        for municipality in Region.objects.municipalities().order_by("code")
    ]


def _base_periods(
    municipality: Region,
    values: pd.DataFrame,
    indicators: pd.DataFrame,
    inhabitants: pd.DataFrame,
) -> dict[str, str]:
    chosen = scoring.choose_base_periods(
        values,
        indicators,
        inhabitants=inhabitants,
        min_inhabitants=settings.SMALL_REGION_MIN_INHABITANTS,
    )
    configured = (
        ScoringSettings.objects.filter(municipality=municipality)
        .values_list("base_period", flat=True)
        .first()
    )
    if configured:
        return {group: configured for group in chosen}
    # Wards and neighbourhoods share one base year: the later of the two defaults, so that
    # both levels have enough data in it.
    common = max(chosen.values()) if chosen else ""
    return {group: common for group in chosen}


def _score_rows(result: scoring.ScoreResult, region_ids: dict[str, int]) -> pd.DataFrame:
    scores = result.scores
    contributions = result.contributions
    breakdown = (
        contributions.assign(
            entry=[
                {
                    "indicator": indicator,
                    "raw": _clean(raw),
                    "index": _clean(index),
                    "weight": _clean(weight),
                    "contribution": _clean(contribution),
                    "suppressed": bool(suppressed),
                }
                for indicator, raw, index, weight, contribution, suppressed in zip(
                    contributions["indicator"],
                    contributions["raw"],
                    contributions["index"],
                    contributions["weight"],
                    contributions["contribution"],
                    contributions["suppressed"],
                    strict=True,
                )
            ]
        )
        .groupby(["region", "period", "condition"], sort=False)["entry"]
        .agg(list)
    )
    keys = pd.MultiIndex.from_frame(scores[["region", "period", "condition"]])
    rows = pd.DataFrame(
        {
            "region_id": scores["region"].map(region_ids),
            "period": scores["period"],
            "condition": scores["condition"],
            "method": result.method,
            "value": scores["value"].astype("float64"),
            "coverage": scores["coverage"].astype("float64"),
            "rank": scores["rank"].astype("Int64"),
            "status": scores["status"],
            "breakdown": [json.dumps(entries) for entries in breakdown.reindex(keys)],
            "method_version": result.method_version,
            "base_period": scores["base_period"],
        }
    )
    return rows[rows["region_id"].notna()]


def _clean(number) -> float | None:
    if number is None:
        return None
    number = float(number)
    return None if math.isnan(number) else number


_SCORE_COLUMNS = (
    "region_id",
    "period",
    "condition",
    "method",
    "value",
    "coverage",
    "rank",
    "status",
    "breakdown",
    "method_version",
    "base_period",
)


def _copy_scores(rows: pd.DataFrame) -> None:
    buffer = io.StringIO()
    rows.assign(computed_at=timezone.now().isoformat()).loc[
        :, [*_SCORE_COLUMNS, "computed_at"]
    ].to_csv(buffer, index=False, header=False, na_rep="", float_format="%.17g")
    buffer.seek(0)
    columns = ", ".join([*_SCORE_COLUMNS, "computed_at"])
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY monitoring_conditionscore ({columns}) FROM STDIN "
            "WITH (FORMAT csv, FORCE_NOT_NULL (base_period, status))"
        ) as copy,
    ):
        while chunk := buffer.read(1 << 20):
            copy.write(chunk)
