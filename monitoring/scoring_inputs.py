"""Reads for the scoring core: the frames that ``scoring.score`` takes, straight from the database,
and ``score_read_inputs``: the one way, outside the pure core, to score what was read.

Two callers with different sizes share this one reader, so that a stored score and the breakdown
a page shows for it are computed from the same inputs by the same function:

- the recompute (``services.scores``) reads every value of many municipalities at once, as a
  few large pieces of text (``bulk=True``), far faster than rows at national scale;
- the drill-down (``selectors``) reads one comparison group in one or two periods with one plain
  query, which the query-count tests see.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection

from monitoring import scoring
from monitoring.conditions import Condition
from monitoring.models import Indicator, Level, Region

SCORED_LEVELS: tuple[str, ...] = (Level.WIJK, Level.BUURT)
INHABITANTS_CODE = "inwoners"
_CONDITIONS = [c.value for c in Condition]


@dataclass(frozen=True)
class ScoreInputs:
    values: pd.DataFrame
    indicators: pd.DataFrame
    inhabitants: pd.DataFrame
    national: pd.DataFrame | None
    # Each area's weight in the municipal reference per scored indicator (method 2.0).
    weights: pd.DataFrame | None = None


def indicator_frame(indicators: list[Indicator]) -> pd.DataFrame:
    """The ``indicators`` frame of the scoring core, from active Indicator rows."""
    return pd.DataFrame(
        [
            (i.code, i.role, i.direction, float(i.weight), i.valid_from, i.valid_until, i.unit)
            for i in indicators
            if i.is_active
        ],
        columns=["code", "condition", "direction", "weight", "valid_from", "valid_until", "unit"],
    )


def _weight_codes(indicators: list[Indicator]) -> set[str]:
    return {
        code for i in indicators if i.is_active and i.role in _CONDITIONS for code in i.weighted_by
    }


def reference_weights(frame: pd.DataFrame, indicators: list[Indicator]) -> pd.DataFrame | None:
    """``region, period, indicator, weight``: per scored indicator with ``weighted_by``, the sum
    of those indicators' values for each area and period (missing when one of them is).

    Indicators share few weight bases (households, inhabitants of 15 to 65...): each base is
    summed once, in one grouped pass, and then given to every indicator that uses it."""
    users: dict[tuple[str, ...], list[str]] = {}
    for indicator in indicators:
        if indicator.is_active and indicator.role in _CONDITIONS and indicator.weighted_by:
            users.setdefault(tuple(sorted(indicator.weighted_by)), []).append(indicator.code)
    parts = []
    for codes, scored in users.items():
        rows = frame[frame["indicator"].isin(codes)]
        if rows.empty:
            continue
        totals = rows.groupby(["region", "period"], sort=False)["value"].agg(["sum", "count"])
        totals = totals[totals["count"] == len(codes)]
        for code in scored:
            parts.append(
                pd.DataFrame(
                    {
                        "region": totals.index.get_level_values("region"),
                        "period": totals.index.get_level_values("period"),
                        "indicator": code,
                        "weight": totals["sum"].to_numpy(dtype=float),
                    }
                )
            )
    return pd.concat(parts, ignore_index=True) if parts else None


def score_inputs(
    *,
    municipality_ids: list[int] | None,
    indicators: list[Indicator] | None = None,
    levels: tuple[str, ...] = SCORED_LEVELS,
    periods: list[str] | None = None,
    with_national: bool = True,
    bulk: bool = True,
) -> ScoreInputs:
    """Frames for ``scoring.score``: one comparison group per municipality and level.

    ``region`` is the region's id as text, ``group`` is ``<municipality id>-<level>``: a ward is
    compared with the wards of its own municipality, a neighbourhood with its neighbourhoods.
    ``municipality_ids=None`` reads every municipality; ``periods=None`` every period.
    ``indicators`` (the active ones) may be passed by a caller that has read them already.
    """
    if indicators is None:
        indicators = list(Indicator.objects.filter(is_active=True))
    weight_codes = _weight_codes(indicators)
    code_of = {
        i.pk: i.code
        for i in indicators
        if i.is_active
        and (i.role in _CONDITIONS or i.code == INHABITANTS_CODE or i.code in weight_codes)
    }
    wanted = {INHABITANTS_CODE, *weight_codes} - set(code_of.values())
    if wanted:
        # Context counts (inhabitants, households, age groups) are read whether active or not.
        code_of.update(Indicator.objects.filter(code__in=wanted).values_list("pk", "code"))
    auxiliary = {INHABITANTS_CODE, *weight_codes} - {
        i.code for i in indicators if i.is_active and i.role in _CONDITIONS
    }
    scored_ids = [pk for pk, code in code_of.items() if code not in auxiliary]
    params = {"indicators": list(code_of), "periods": periods}
    period_filter = "" if periods is None else "AND v.period = ANY(%(periods)s)"
    if bulk:
        frame = _bulk_values(
            municipality_ids, levels, code_of, period_filter=period_filter, params=params
        )
    else:
        # One group: its region ids first, joined as a list so that each region's values come
        # from the unique (region, indicator, period) index. Given as "region_id = ANY(...)",
        # the planner intersects with the (indicator, period) index: every region in the
        # country in those periods, five times slower at national scale.
        frame = _group_values(
            municipality_ids, levels, code_of, period_filter=period_filter, params=params
        )
    is_inhabitants = frame["indicator"] == INHABITANTS_CODE
    inhabitants = frame.loc[is_inhabitants, ["region", "period", "value"]].rename(
        columns={"value": "inhabitants"}
    )
    is_auxiliary = frame["indicator"].isin(auxiliary)
    weights = reference_weights(frame.loc[is_auxiliary], indicators)
    national = None
    if with_national:
        national = _read(
            """
            SELECT v.indicator_id, v.period, v.value FROM monitoring_indicatorvalue v
              JOIN monitoring_region r ON r.id = v.region_id
             WHERE r.level = 'land' AND v.value IS NOT NULL AND v.indicator_id = ANY(%(ids)s)
            """,
            {"ids": scored_ids},
            names=["indicator", "period", "value"],
            dtypes={"indicator": str, "period": str},
            bulk=bulk,
        )
        national["indicator"] = national["indicator"].astype("int64").map(code_of)
    return ScoreInputs(
        values=frame.loc[~is_auxiliary].reset_index(drop=True),
        indicators=indicator_frame(indicators),
        inhabitants=inhabitants.reset_index(drop=True),
        national=None if national is None or national.empty else national,
        weights=weights,
    )


# Values are sent as text in a few large pieces rather than row by row: COPY TO hands every row
# to Python on its own (3 million calls at national scale), string_agg builds one text per piece
# on the server, which pandas' C parser reads at once: half the time of the national read.
_BULK_PIECES = 64


def _bulk_values(
    municipality_ids: list[int] | None,
    levels: tuple[str, ...],
    code_of: dict[int, str],
    *,
    period_filter: str,
    params: dict,
) -> pd.DataFrame:
    """The values of many municipalities (the recompute): one pass over the values; region,
    group and indicator code are looked up by position from the (few) regions and indicators
    instead of being sent with every value."""
    regions = Region.objects.filter(level__in=levels)
    if municipality_ids is not None:
        regions = regions.filter(municipality_id__in=municipality_ids)
    region_rows = list(regions.values_list("id", "municipality_id", "level"))
    region_ids = pd.Index([pk for pk, _, _ in region_rows], dtype="int64")
    region_names = np.array([str(pk) for pk, _, _ in region_rows], dtype=object)
    group_names = np.array([f"{m}-{level}" for _, m, level in region_rows], dtype=object)
    scope = "" if municipality_ids is None else "AND r.municipality_id = ANY(%(municipalities)s)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT string_agg(concat_ws(',', v.region_id, v.indicator_id, v.period,
                                        coalesce(v.value::text, ''),
                                        CASE WHEN v.is_suppressed THEN 't' ELSE 'f' END), E'\\n')
              FROM monitoring_indicatorvalue v
              JOIN monitoring_region r ON r.id = v.region_id
             WHERE v.indicator_id = ANY(%(indicators)s) AND r.level = ANY(%(levels)s)
                   {scope} {period_filter}
             GROUP BY v.region_id %% {_BULK_PIECES}
            """,
            {**params, "levels": list(levels), "municipalities": municipality_ids},
        )
        text = "\n".join(piece for (piece,) in cursor.fetchall() if piece)
    if not text:
        rows = pd.DataFrame(
            {
                "region_id": pd.Series(dtype="int64"),
                "indicator_id": pd.Series(dtype="int64"),
                "period": pd.Series(dtype=object),
                "value": pd.Series(dtype="float64"),
                "suppressed": pd.Series(dtype=object),
            }
        )
    else:
        rows = pd.read_csv(
            io.StringIO(text),
            names=["region_id", "indicator_id", "period", "value", "suppressed"],
            dtype={"region_id": "int64", "indicator_id": "int64", "period": str},
            keep_default_na=False,
            na_values=[""],
        )
    position = region_ids.get_indexer(rows["region_id"].to_numpy())
    indicator_ids = pd.Index(list(code_of), dtype="int64")
    codes = np.array(list(code_of.values()), dtype=object)
    return pd.DataFrame(
        {
            "region": region_names[position],
            "indicator": codes[indicator_ids.get_indexer(rows["indicator_id"].to_numpy())],
            "period": rows["period"].to_numpy(dtype=object),
            "value": rows["value"].to_numpy(dtype="float64"),
            "suppressed": (rows["suppressed"] == "t").to_numpy(),
            "group": group_names[position],
        }
    )


def _group_values(
    municipality_ids: list[int] | None,
    levels: tuple[str, ...],
    code_of: dict[int, str],
    *,
    period_filter: str,
    params: dict,
) -> pd.DataFrame:
    """The values of a few comparison groups, built straight from the rows (a page waits)."""
    regions = Region.objects.filter(level__in=levels)
    if municipality_ids is not None:
        regions = regions.filter(municipality_id__in=municipality_ids)
    group_of = {
        pk: f"{municipality}-{level}"
        for pk, municipality, level in regions.values_list("id", "municipality_id", "level")
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT v.region_id, v.indicator_id, v.period, v.value, v.is_suppressed
              FROM unnest(%(regions)s::bigint[]) AS g(region_id)
              JOIN monitoring_indicatorvalue v ON v.region_id = g.region_id
             WHERE v.indicator_id = ANY(%(indicators)s) {period_filter}
            """,
            {**params, "regions": list(group_of)},
        )
        rows = cursor.fetchall()
    region, indicator, period, value, suppressed = zip(*rows, strict=True) if rows else [()] * 5
    return pd.DataFrame(
        {
            "region": [str(pk) for pk in region],
            "indicator": [code_of[pk] for pk in indicator],
            "period": list(period),
            "value": np.array(value, dtype=float),  # None becomes NaN
            "suppressed": np.array(suppressed, dtype=bool),
            "group": [group_of[pk] for pk in region],
        }
    )


def _read(sql: str, params: dict, *, names: list[str], dtypes: dict, bulk: bool) -> pd.DataFrame:
    """The query's rows as a frame: through ``COPY TO`` in bulk, else as one plain query."""
    with connection.cursor() as cursor:
        if not bulk:
            cursor.execute(sql, params)
            frame = pd.DataFrame(cursor.fetchall(), columns=names)
            frame = frame.astype({k: v for k, v in dtypes.items() if k in frame.columns})
            frame["value"] = pd.to_numeric(frame["value"]).astype("float64")
            return frame
        query = cursor.mogrify(sql, params)
        buffer = io.BytesIO()
        with cursor.cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
            for block in copy:
                buffer.write(block)
    buffer.seek(0)
    if buffer.getbuffer().nbytes == 0:
        return pd.DataFrame({name: pd.Series(dtype=dtypes.get(name, "float64")) for name in names})
    return pd.read_csv(buffer, names=names, dtype=dtypes, keep_default_na=False, na_values=[""])


def score_read_inputs(
    inputs: ScoreInputs,
    *,
    methods: tuple[str, ...],
    base_period: str | Mapping[str, str] | None,
    with_contributions: bool = True,
    with_margins: bool | Mapping[str, bool] = False,
) -> list[scoring.ScoreResult]:
    """``scoring.score_methods`` on what :func:`score_inputs` read, with the site's thresholds:
    no score below ``SMALL_REGION_MIN_INHABITANTS`` inhabitants, no rank below
    ``RANK_MIN_INHABITANTS``.

    The recompute, the breakdown and the change page all score through here, so that what a
    page recomputes follows the same rules as the stored scores (a page that left out a
    threshold once ranked areas too small to rank). ``base_period`` is ignored by the
    within-period methods."""
    return scoring.score_methods(
        inputs.values,
        inputs.indicators,
        methods=methods,
        base_period=base_period,
        inhabitants=inputs.inhabitants,
        min_inhabitants=settings.SMALL_REGION_MIN_INHABITANTS,
        national=inputs.national,
        with_contributions=with_contributions,
        weights=inputs.weights,
        rank_min_inhabitants=settings.RANK_MIN_INHABITANTS,
        with_margins=with_margins,
    )
