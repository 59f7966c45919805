"""Scores: read values, call the pure scoring core, store what it computed.

One call scores any number of municipalities at once: the core works on comparison groups
(a municipality's wards, its neighbourhoods), so national scale is one vectorised pass per method
instead of 342 small ones. Values are read with COPY, scores are written with binary COPY.

A stored score carries no breakdown: the drill-down recomputes it for the one comparison group
with the same reader and the same core function (``selectors.score_breakdowns``), so storing
millions of breakdowns would only duplicate what the values already say.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from monitoring import scoring
from monitoring.bulk import copy_frame, indexes_set_aside
from monitoring.models import ConditionScore, Region, ScoringSettings
from monitoring.scoring_inputs import ScoreInputs, score_inputs, score_read_inputs
from monitoring.services.data_version import bumps_data_version

# The methods stored for every region: the default first, then the alternatives that make the
# robustness check possible. "landelijk" needs national values and is added when they exist.
STORED_METHODS: tuple[str, ...] = (
    scoring.BASE_YEAR,
    scoring.ZSCORE,
    scoring.MINMAX,
    scoring.PERCENTILE,
)

# From this many rows on, a full recompute drops the table's indexes and constraints and creates
# them again after the load (see bulk.indexes_set_aside); below it, keeping them is cheaper.
BULK_LOAD_MIN_ROWS = 200_000


@dataclass(frozen=True)
class ScoreSummary:
    municipality: str
    scores_written: int
    base_periods: dict[str, str]
    methods: tuple[str, ...]


def scores_recompute(*, municipality: Region) -> ScoreSummary:
    """Recompute and store every score of one municipality's wards and neighbourhoods.

    Runs after every import, rollback or change of weights. The old scores of the municipality
    are replaced in one transaction, so a page never shows half of the old and half of the new.
    """
    return _recompute([municipality])[0]


def scores_recompute_many(*, municipalities: list[Region]) -> list[ScoreSummary]:
    """Recompute several municipalities' scores in one vectorised pass (the demo loader)."""
    return _recompute(sorted(municipalities, key=lambda m: m.code))


def scores_recompute_all() -> list[ScoreSummary]:
    """Recompute every municipality's scores in one pass."""
    return _recompute(list(Region.objects.municipalities().order_by("code")))


@bumps_data_version
def _recompute(municipalities: list[Region]) -> list[ScoreSummary]:
    ids = [m.pk for m in municipalities]
    inputs = score_inputs(municipality_ids=ids)
    methods = STORED_METHODS + ((scoring.NATIONAL,) if inputs.national is not None else ())
    usable = inputs.values[inputs.values["value"].notna()]
    base_periods: dict[str, str] = {}
    frames: list[pd.DataFrame] = []
    if not usable.empty:
        base_periods = _base_periods(inputs, ids)
        values = inputs.values[inputs.values["group"].isin(base_periods)]
        results = score_read_inputs(
            replace(inputs, values=values),
            methods=methods,
            base_period=base_periods,
            with_contributions=False,  # the drill-down recomputes its own group
            # Stored so that the ward page shows them without recomputing its group.
            with_margins={m: m in scoring.METHODS_USING_BASE_PERIOD for m in methods},
        )
        for result in results:
            frames.append(_score_rows(result))
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if not rows.empty:
        places = scoring.places_and_dependence(
            pd.DataFrame(
                {
                    "group": rows["group"],
                    "region": rows["region_id"],
                    "period": rows["period"],
                    "condition": rows["condition"],
                    "method": rows["method"],
                    "rank": rows["rank"],
                }
            )
        )
        rows["rank_of"] = places["rank_of"]
        rows["method_dependence"] = places["method_dependence"]
    everything = len(ids) == Region.objects.municipalities().count()
    with transaction.atomic():
        if everything and _table_truncated():
            if len(rows) >= BULK_LOAD_MIN_ROWS:
                with indexes_set_aside(_TABLE):
                    _copy_scores(rows)
            elif not rows.empty:
                _copy_scores(rows)
        else:
            ConditionScore.objects.filter(region__municipality_id__in=ids).delete()
            if not rows.empty:
                _copy_scores(rows)
    # Counted per group first: splitting millions of group names would take seconds.
    written: dict[str, int] = {}
    if not rows.empty:
        for group, count in rows.groupby("group", sort=False).size().items():
            municipality = str(group).split("-", 1)[0]
            written[municipality] = written.get(municipality, 0) + int(count)
    return [
        ScoreSummary(
            municipality=m.code,
            scores_written=int(written.get(str(m.pk), 0)),
            base_periods={
                group.split("-", 1)[1]: period
                for group, period in base_periods.items()
                if group.startswith(f"{m.pk}-")
            },
            methods=methods,
        )
        for m in municipalities
    ]


def _table_truncated() -> bool:
    """Empty the score table at once; deleting millions of rows one by one costs more than
    computing them. PostgreSQL refuses while the transaction has pending foreign-key checks on
    the table (an import that has just written), and then the caller deletes instead."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {_TABLE}")
    except OperationalError:
        return False
    return True


def _base_periods(inputs: ScoreInputs, municipality_ids: list[int]) -> dict[str, str]:
    """Per group, the base year: the municipality's setting, else the earliest year with
    enough data. Wards and neighbourhoods of one municipality share one base year (the later
    of their two defaults, so that both levels have enough data in it)."""
    chosen = scoring.choose_base_periods(
        inputs.values,
        inputs.indicators,
        inhabitants=inputs.inhabitants,
        min_inhabitants=settings.SMALL_REGION_MIN_INHABITANTS,
    )
    configured = {
        str(pk): period
        for pk, period in ScoringSettings.objects.filter(
            municipality_id__in=municipality_ids
        ).values_list("municipality_id", "base_period")
        if period
    }
    per_municipality: dict[str, str] = {}
    for group, period in chosen.items():
        municipality = group.split("-", 1)[0]
        per_municipality[municipality] = max(per_municipality.get(municipality, ""), period)
    per_municipality.update(configured)
    return {group: per_municipality[group.split("-", 1)[0]] for group in chosen}


def _score_rows(result: scoring.ScoreResult) -> pd.DataFrame:
    scores = result.scores
    return pd.DataFrame(
        {
            "group": scores["group"],
            "region_id": scores["region"].astype("int64"),
            "period": scores["period"],
            "condition": scores["condition"],
            "method": result.method,
            "value": scores["value"].astype("float64"),
            "coverage": scores["coverage"].astype("float64"),
            "rank": scores["rank"].astype("Int64"),
            "status": scores["status"],
            "method_version": result.method_version,
            "base_period": scores["base_period"],
            # Typed even when absent, so that the frames of all methods concatenate into float
            # and integer columns (an object column is several times slower to COPY).
            **{
                column: scores[column]
                if column in scores.columns
                else pd.Series(
                    pd.NA if column.startswith("rank") else np.nan, index=scores.index
                ).astype("Int64" if column.startswith("rank") else "float64")
                for column in scoring.MARGIN_COLUMNS
            },
        }
    )


_SCORE_COLUMNS = (
    "region_id",
    "period",
    "condition",
    "method",
    "value",
    "coverage",
    "rank",
    "status",
    "method_version",
    "base_period",
    *scoring.MARGIN_COLUMNS,
    "rank_of",
    "method_dependence",
)
_TABLE = ConditionScore._meta.db_table


def _copy_scores(rows: pd.DataFrame) -> None:
    copy_frame(_TABLE, rows, columns=_SCORE_COLUMNS, constants={"computed_at": timezone.now()})
