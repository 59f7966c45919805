"""Scores: read values, call the pure scoring core, store what it computed.

One call scores any number of municipalities at once: the core works on comparison groups
(a municipality's wards, its neighbourhoods), so national scale is one vectorised pass per method
instead of 342 small ones. Values are read with COPY, scores are written with COPY.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from monitoring import scoring
from monitoring.conditions import Condition
from monitoring.models import ConditionScore, Indicator, Level, Region, ScoringSettings

# The methods stored for every region: the default first, then the alternatives that make the
# robustness check possible. "landelijk" needs national values and is added when they exist.
STORED_METHODS: tuple[str, ...] = (
    scoring.BASE_YEAR,
    scoring.ZSCORE,
    scoring.MINMAX,
    scoring.PERCENTILE,
)
# The drill-down explains the default method; the alternatives are kept for ranks only, which
# keeps national scale to one breakdown per score instead of five.
BREAKDOWN_METHODS = frozenset({scoring.BASE_YEAR})
SCORED_LEVELS = (Level.WIJK, Level.BUURT)
_CONDITIONS = {c.value for c in Condition}


@dataclass(frozen=True)
class ScoreSummary:
    municipality: str
    scores_written: int
    base_periods: dict[str, str]
    methods: tuple[str, ...]


@dataclass(frozen=True)
class ScoreInputs:
    values: pd.DataFrame
    indicators: pd.DataFrame
    inhabitants: pd.DataFrame
    national: pd.DataFrame | None


def score_inputs(*, municipality_ids: list[int] | None) -> ScoreInputs:
    """Frames for ``scoring.score``: one comparison group per municipality and level.

    ``region`` is the region's id as text, ``group`` is ``<municipality id>-<level>``: a ward is
    compared with the wards of its own municipality, a neighbourhood with its neighbourhoods.
    """
    indicator_rows = list(
        Indicator.objects.filter(is_active=True).values_list(
            "id", "code", "role", "direction", "weight"
        )
    )
    indicators = pd.DataFrame(
        [(code, role, direction, float(w)) for _, code, role, direction, w in indicator_rows],
        columns=["code", "condition", "direction", "weight"],
    )
    code_of = {pk: code for pk, code, *_ in indicator_rows}
    scored_ids = [pk for pk, _code, role, *_rest in indicator_rows if role in _CONDITIONS]
    inhabitants_id = next((pk for pk, code, *_ in indicator_rows if code == "inwoners"), None)
    wanted = scored_ids + ([inhabitants_id] if inhabitants_id else [])
    scope = "" if municipality_ids is None else "AND r.municipality_id = ANY(%(municipalities)s)"
    frame = _copy_out(
        f"""
        SELECT v.region_id, r.municipality_id, r.level, v.indicator_id, v.period, v.value,
               v.is_suppressed
          FROM monitoring_indicatorvalue v
          JOIN monitoring_region r ON r.id = v.region_id
         WHERE v.indicator_id = ANY(%(indicators)s) AND r.level = ANY(%(levels)s) {scope}
        """,
        {"indicators": wanted, "levels": list(SCORED_LEVELS), "municipalities": municipality_ids},
        names=["region", "municipality", "level", "indicator_id", "period", "value", "suppressed"],
        dtypes={"region": str, "municipality": str, "level": str, "period": str},
    )
    frame["suppressed"] = frame["suppressed"] == "t"
    frame["indicator"] = frame["indicator_id"].map(code_of)
    frame["group"] = frame["municipality"] + "-" + frame["level"]
    is_inhabitants = frame["indicator_id"] == inhabitants_id
    inhabitants = frame.loc[is_inhabitants, ["region", "period", "value"]].rename(
        columns={"value": "inhabitants"}
    )
    national = _copy_out(
        """
        SELECT v.indicator_id, v.period, v.value FROM monitoring_indicatorvalue v
          JOIN monitoring_region r ON r.id = v.region_id
         WHERE r.level = 'land' AND v.value IS NOT NULL AND v.indicator_id = ANY(%(ids)s)
        """,
        {"ids": scored_ids},
        names=["indicator_id", "period", "value"],
        dtypes={"period": str},
    )
    national["indicator"] = national["indicator_id"].map(code_of)
    return ScoreInputs(
        values=frame.loc[~is_inhabitants],
        indicators=indicators,
        inhabitants=inhabitants,
        national=None if national.empty else national[["indicator", "period", "value"]],
    )


def scores_recompute(*, municipality: Region) -> ScoreSummary:
    """Recompute and store every score of one municipality's wards and neighbourhoods.

    Runs after every import, rollback or change of weights. The old scores of the municipality
    are replaced in one transaction, so a page never shows half of the old and half of the new.
    """
    return _recompute([municipality])[0]


def scores_recompute_all() -> list[ScoreSummary]:
    """Recompute every municipality's scores in one pass."""
    return _recompute(list(Region.objects.municipalities().order_by("code")))


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
        for method in methods:
            result = scoring.score(
                values,
                inputs.indicators,
                base_period=base_periods,
                method=method,
                inhabitants=inputs.inhabitants,
                min_inhabitants=settings.SMALL_REGION_MIN_INHABITANTS,
                national=inputs.national,
            )
            frames.append(_score_rows(result, with_breakdown=method in BREAKDOWN_METHODS))
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    # TRUNCATE is refused while the caller's transaction has pending foreign-key checks (an
    # import that just wrote values), so it is only used for a recompute on its own.
    everything = (
        not connection.in_atomic_block and len(ids) == Region.objects.municipalities().count()
    )
    with transaction.atomic():
        if everything:
            # Deleting millions of rows one by one costs more than computing them.
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE monitoring_conditionscore")
        else:
            ConditionScore.objects.filter(region__municipality_id__in=ids).delete()
        if not rows.empty:
            _copy_scores(rows)
    written = (
        rows.groupby(rows["group"].str.split("-").str[0]).size().to_dict() if not rows.empty else {}
    )
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


def _score_rows(result: scoring.ScoreResult, *, with_breakdown: bool) -> pd.DataFrame:
    scores = result.scores
    rows = pd.DataFrame(
        {
            "group": scores["group"],
            "region_id": scores["region"],
            "period": scores["period"],
            "condition": scores["condition"],
            "method": result.method,
            "value": scores["value"].astype("float64"),
            "coverage": scores["coverage"].astype("float64"),
            "rank": scores["rank"].astype("Int64"),
            "status": scores["status"],
            "breakdown": "[]",
            "method_version": result.method_version,
            "base_period": scores["base_period"],
        }
    )
    if with_breakdown:
        breakdown = _breakdown_json(result.contributions)
        keys = pd.MultiIndex.from_frame(scores[["region", "period", "condition"]])
        rows["breakdown"] = breakdown.reindex(keys).fillna("[]").to_numpy()
    return rows


def _breakdown_json(contributions: pd.DataFrame) -> pd.Series:
    """One JSON list per score, built with vectorised string operations (national scale has
    millions of contributions; a Python dict per row would dominate the recompute)."""

    def number(column: str) -> pd.Series:
        # Python's float repr round-trips exactly and is the fastest vectorised formatting here.
        values = contributions[column].astype("float64")
        return values.astype(str).where(values.notna(), "null")

    entries = (
        '{"indicator": "'
        + contributions["indicator"].astype(str)
        + '", "raw": '
        + number("raw")
        + ', "index": '
        + number("index")
        + ', "weight": '
        + number("weight")
        + ', "contribution": '
        + number("contribution")
        + ', "suppressed": '
        + np.where(contributions["suppressed"].astype(bool), "true", "false")
        + "}"
    )
    keys = [contributions["region"], contributions["period"], contributions["condition"]]
    return "[" + entries.groupby(keys, sort=False).agg(", ".join) + "]"


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
    "computed_at",
)


def _copy_scores(rows: pd.DataFrame) -> None:
    buffer = io.StringIO()
    rows.assign(computed_at=timezone.now().isoformat()).loc[:, list(_SCORE_COLUMNS)].to_csv(
        buffer, index=False, header=False, na_rep="", float_format="%.17g"
    )
    buffer.seek(0)
    columns = ", ".join(_SCORE_COLUMNS)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY monitoring_conditionscore ({columns}) FROM STDIN "
            # An empty base period is text "", not NULL.
            "WITH (FORMAT csv, FORCE_NOT_NULL (base_period, status))"
        ) as copy,
    ):
        while chunk := buffer.read(1 << 20):
            copy.write(chunk)


def _copy_out(sql: str, params: dict, *, names: list[str], dtypes: dict) -> pd.DataFrame:
    """Run a query and read its rows through COPY TO, far faster than ORM rows at scale."""
    with connection.cursor() as cursor:
        query = cursor.mogrify(sql, params)
        buffer = io.BytesIO()
        with cursor.cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
            for block in copy:
                buffer.write(block)
    buffer.seek(0)
    if buffer.getbuffer().nbytes == 0:
        return pd.DataFrame({name: pd.Series(dtype=dtypes.get(name, "float64")) for name in names})
    return pd.read_csv(buffer, names=names, dtype=dtypes, keep_default_na=False, na_values=[""])
