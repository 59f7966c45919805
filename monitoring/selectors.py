"""Reads for pages: each returns plain data built in a fixed number of queries.

"Fixed" means: the number of queries depends on which page is asked for, never on how many wards,
periods or indicators there are. tests/test_dashboard.py pins the numbers for 10 and 100 wards.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Avg, Count, F, IntegerField, OuterRef, Q, Subquery
from django.urls import reverse

from monitoring import scoring
from monitoring.charts import Area, ScorePoint
from monitoring.forms import area_period
from monitoring.importing.provenance import is_inferred_period
from monitoring.models import (
    ConditionScore,
    Indicator,
    IndicatorValue,
    Level,
    MissingReason,
    Region,
    ScoreMethod,
)
from monitoring.scoring.uncertainty import interval_text, rank_interval_text
from monitoring.scoring_inputs import score_inputs, score_read_inputs

LEVEL_PLURAL = {Level.WIJK: "wijken", Level.BUURT: "buurten"}
AREA_LEVELS = (Level.WIJK, Level.BUURT)


def region_url(code: str, level: str) -> str:
    name = "ward" if level == Level.WIJK else "buurt"
    return reverse(name, args=[code])


def _url_maker(level: str):
    """``reverse`` once, then fill in codes: a page with 500 buurten does not reverse 500 times."""
    template = region_url("CODE0000", level)
    return lambda code: template.replace("CODE0000", code)


# A CBS code is letters and digits; anything else (a NUL byte, a quote) cannot name a region and
# never reaches the database.
_REGION_CODE = re.compile(r"^[A-Za-z0-9]{1,16}$")


def is_region_code(code: str | None) -> bool:
    return bool(code) and bool(_REGION_CODE.match(code))


def municipalities(*, user) -> list[Region]:
    """The municipalities this user may view (access.permissions), by name, each with
    ``n_wijken`` and ``n_buurten``: one query."""

    def count_of(level: str) -> Subquery:
        return Subquery(
            Region.objects.filter(municipality=OuterRef("pk"), level=level)
            .order_by()
            .values("municipality")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        )

    return list(
        Region.objects.for_user(user)
        .municipalities()
        .annotate(n_wijken=count_of(Level.WIJK), n_buurten=count_of(Level.BUURT))
        .order_by("name")
    )


def municipality_get(code: str | None, *, user) -> Region | None:
    """Of the municipalities this user may view, the one with this code, or without a code the
    first one (by name): one query (plus the cached permission reads). Without its outline:
    no page draws it, and a municipality's boundary is the largest geometry there is."""
    queryset = Region.objects.for_user(user).municipalities().defer("geometry")
    if code:
        if not is_region_code(code):
            return None
        return queryset.filter(code=code.upper()).first()
    return queryset.order_by("name").first()


def area_get(code: str, level: str, *, user) -> Region | None:
    """A ward or neighbourhood by code that this user may view; of re-drawn codes, the current
    one. One query (plus the cached permission reads)."""
    if not is_region_code(code):
        return None
    return (
        Region.objects.for_user(user)
        .filter(code=code.upper(), level=level)
        .select_related("municipality", "parent")
        # No page of one area draws its outline, or its parents': reading them is waste.
        .defer("geometry", "municipality__geometry", "parent__geometry")
        .order_by(F("last_year").desc(nulls_first=True), F("first_year").desc(nulls_last=True))
        .first()
    )


def _areas(municipality: Region, level: str, *, with_geometry: bool = True) -> list[Area]:
    fields = ["code", "name", "inhabitants"] + (["geometry"] if with_geometry else [])
    url = _url_maker(level)
    rows = (
        Region.objects.filter(municipality=municipality, level=level, last_year__isnull=True)
        .order_by("code")
        .values_list(*fields)
    )
    return [
        Area(
            code=row[0],
            name=row[1],
            url=url(row[0]),
            geometry=row[3] if with_geometry else None,
            inhabitants=row[2],
        )
        for row in rows
    ]


# --- Municipality -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MunicipalityDashboard:
    municipality: Region
    level: str
    method: str
    areas: list[Area]
    points: list[ScorePoint]
    periods: list[str]
    buurt_count: int
    wijk_count: int

    @property
    def level_plural(self) -> str:
        return LEVEL_PLURAL.get(self.level, "gebieden")

    @functools.cached_property
    def averages(self) -> dict[tuple[str, str], float | None]:
        """Per (period, condition): the unweighted mean of the areas' scores (worked out once:
        the scorecard and the practice section both ask)."""
        sums: dict[tuple[str, str], list[float]] = defaultdict(list)
        for p in self.points:
            if p.value is not None:
                sums[(p.period, p.condition)].append(p.value)
        return {key: sum(v) / len(v) for key, v in sums.items()}


def municipality_dashboard(
    *, municipality: Region, level: str, method: str
) -> MunicipalityDashboard:
    """Areas with geometry, and every score at this level and method: three queries."""
    areas = _areas(municipality, level)
    counts = dict(
        Region.objects.filter(municipality=municipality, level__in=AREA_LEVELS)
        .values_list("level")
        .annotate(n=Count("id"))
        .values_list("level", "n")
    )
    code_of = {a.code: a.code for a in areas}
    rows = ConditionScore.objects.filter(
        region__municipality=municipality, region__level=level, method=method
    ).values_list("region__code", "period", "condition", "value", "status", "rank", "coverage")
    points = [ScorePoint._make(row) for row in rows if row[0] in code_of]
    periods = sorted({p.period for p in points})
    return MunicipalityDashboard(
        municipality=municipality,
        level=level,
        method=method,
        areas=areas,
        points=points,
        periods=periods,
        buurt_count=counts.get(Level.BUURT, 0),
        wijk_count=counts.get(Level.WIJK, 0),
    )


# --- Ward -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredScore:
    period: str
    condition: str
    value: float | None
    status: str
    coverage: float
    rank: int | None
    base_period: str = ""
    # The stored margins of the base-year methods (scoring.uncertainty): the 95 % interval of
    # the score, and the best and worst place under ±50 % weights and leaving one out.
    low: float | None = None
    high: float | None = None
    rank_best: int | None = None
    rank_worst: int | None = None
    # Filled for the period a page explains, by score_breakdowns().
    breakdown: list[dict[str, Any]] = field(default_factory=list)

    @property
    def margin(self) -> tuple[float, float] | None:
        if self.value is None or self.low is None or self.high is None:
            return None
        return (self.low, self.high)

    @property
    def places(self) -> tuple[int, int] | None:
        if self.rank is None or self.rank_best is None or self.rank_worst is None:
            return None
        return (self.rank_best, self.rank_worst)

    @property
    def margin_text(self) -> str:
        return interval_text(self.value, *self.margin) if self.margin else ""

    @property
    def places_text(self) -> str:
        return rank_interval_text(*self.places) if self.places else ""


@dataclass(frozen=True)
class IndicatorSeries:
    indicator: Indicator
    ward: dict[str, float | None]  # period → value
    municipal: dict[str, float | None]
    suppressed: set[str] = field(default_factory=set)
    # Provenance per period: why CBS gave no figure ("geheim", "niet_beschikbaar"), and the
    # periods of the area's values that were inferred rather than stated (→ their source).
    missing: dict[str, str] = field(default_factory=dict)
    inferred: dict[str, str] = field(default_factory=dict)

    def latest_period(self) -> str | None:
        known = [p for p, v in self.ward.items() if v is not None]
        return max(known) if known else None


@dataclass(frozen=True)
class WardDashboard:
    region: Region
    method: str
    period: str | None  # the period shown; with breakdowns, its scores carry theirs
    periods: list[str]
    scores: dict[tuple[str, str], StoredScore]
    averages: dict[tuple[str, str], float | None]
    ranked: dict[tuple[str, str], int]
    indicators: list[IndicatorSeries]
    with_breakdowns: bool = False
    # (condition, method, rank, rank_of, method_dependence) of this area in the period shown,
    # under each method: its place "rank van rank_of" and why it depends on the method.
    method_places: list[tuple[str, str, int | None, int | None, str]] = field(default_factory=list)
    buurten: list[Area] = field(default_factory=list)  # of a wijk: its buurten, by name

    @property
    def level_plural(self) -> str:
        return LEVEL_PLURAL.get(self.region.level, "gebieden")


def _municipal_averages(
    *, municipality: Region, level: str, method: str, condition: str | None = None
) -> tuple[dict[tuple[str, str], float | None], dict[tuple[str, str], int]]:
    """Mean score of all areas at this level per (period, condition), in one grouped query."""
    queryset = ConditionScore.objects.filter(
        region__municipality=municipality, region__level=level, method=method
    )
    if condition:
        queryset = queryset.filter(condition=condition)
    rows = (
        queryset.values("period", "condition")
        .annotate(mean=Avg("value"), n=Count("value"))
        .values_list("period", "condition", "mean", "n")
        .order_by()
    )
    averages, counts = {}, {}
    for period, cond, mean, n in rows:
        averages[(period, cond)] = mean
        counts[(period, cond)] = n
    return averages, counts


_SCORE_FIELDS = (
    "period",
    "condition",
    "value",
    "status",
    "coverage",
    "rank",
    "base_period",
    "low",
    "high",
    "rank_best",
    "rank_worst",
)


def ward_dashboard(
    *, region: Region, method: str, period: str | None = None, with_breakdowns: bool = False
) -> WardDashboard:
    """Scores, municipal averages, indicators and values of one area, and every area's rank
    under each method in the period shown (``period`` when it has scores), and a wijk's buurten:
    seven queries. With ``with_breakdowns`` (the section only) the breakdown of its scores in
    that period instead of the buurten: eight."""
    municipality = region.municipality
    scores = {
        (s.period, s.condition): s
        for s in (
            StoredScore(*row)
            for row in ConditionScore.objects.filter(region=region, method=method).values_list(
                *_SCORE_FIELDS
            )
        )
    }
    averages, ranked = _municipal_averages(
        municipality=municipality, level=region.level, method=method
    )
    periods = sorted({p for p, _ in averages} | {p for p, _ in scores})
    shown = area_period(period, periods, [p for (p, _), s in scores.items() if s.value is not None])
    indicators = list(Indicator.objects.filter(is_active=True))
    if with_breakdowns:
        scores = _with_breakdowns(
            scores, region=region, method=method, period=shown, indicators=indicators
        )
    method_places = (
        list(
            ConditionScore.objects.filter(region=region, period=shown)
            .exclude(method=ScoreMethod.PRACTICE)
            .values_list("condition", "method", "rank", "rank_of", "method_dependence")
        )
        if shown
        else []
    )
    ward_values: dict[int, dict[str, float | None]] = defaultdict(dict)
    municipal_values: dict[int, dict[str, float | None]] = defaultdict(dict)
    suppressed: dict[int, set[str]] = defaultdict(set)
    missing: dict[int, dict[str, str]] = defaultdict(dict)
    inferred: dict[int, dict[str, str]] = defaultdict(dict)
    # Provenance rides along in the same query: why CBS gave no figure, and whether the period
    # of the file it came from was inferred (the batch, joined).
    for (
        region_id,
        indicator_id,
        value_period,
        value,
        is_suppressed,
        missing_reason,
        period_source,
    ) in IndicatorValue.objects.filter(region_id__in=[region.pk, municipality.pk]).values_list(
        "region_id",
        "indicator_id",
        "period",
        "value",
        "is_suppressed",
        "missing_reason",
        "batch__period_source",
    ):
        if region_id == region.pk:
            ward_values[indicator_id][value_period] = value
            if is_suppressed:
                suppressed[indicator_id].add(value_period)
                # Stored before the reason was kept: CBS marked it, so geheim as before.
                missing[indicator_id][value_period] = missing_reason or MissingReason.SECRET
            if is_inferred_period(period_source):
                inferred[indicator_id][value_period] = period_source
        else:
            municipal_values[indicator_id][value_period] = value
    return WardDashboard(
        region=region,
        method=method,
        period=shown,
        periods=periods,
        scores=scores,
        averages=averages,
        ranked=ranked,
        indicators=[
            IndicatorSeries(
                indicator=i,
                ward=ward_values.get(i.pk, {}),
                municipal=municipal_values.get(i.pk, {}),
                suppressed=suppressed.get(i.pk, set()),
                missing=missing.get(i.pk, {}),
                inferred=inferred.get(i.pk, {}),
            )
            for i in indicators
        ],
        method_places=method_places,
        with_breakdowns=with_breakdowns,
        buurten=[] if with_breakdowns else _buurten_of(region),
    )


def _buurten_of(region: Region) -> list[Area]:
    """The current buurten of a wijk, by name (one query; none for a buurt)."""
    if region.level != Level.WIJK:
        return []
    url = _url_maker(Level.BUURT)
    rows = (
        Region.objects.filter(parent__code=region.code, level=Level.BUURT, last_year__isnull=True)
        .order_by("name", "code")
        .values_list("code", "name")
    )
    return [Area(code=code, name=name, url=url(code)) for code, name in rows]


def score_breakdowns(
    *, region: Region, method: str, period: str, base_period: str, indicators: list[Indicator]
) -> dict[str, list[dict[str, Any]]]:
    """Per condition, how the area's score in ``period`` is made: for each active indicator its
    raw value, index, weight and contribution (the contributions add up to the score).

    Computed, not stored: the values of the area's comparison group (its municipality's areas at
    its level) go through the same reader and the same core function as the stored scores did,
    so the numbers agree with them by construction. One query (two for ``landelijk``); the group
    is at most a few hundred areas.
    """
    scored = _group_scoring(
        region=region, method=method, period=period, base_period=base_period, indicators=indicators
    )
    return _breakdowns_of(scored, region, period) if scored else {}


def _group_scoring(
    *, region: Region, method: str, period: str, base_period: str, indicators: list[Indicator]
) -> scoring.ScoreResult | None:
    if method not in scoring.METHODS:
        return None
    uses_base = method in scoring.METHODS_USING_BASE_PERIOD
    if uses_base and not base_period:
        return None
    inputs = score_inputs(
        municipality_ids=[region.municipality_id],
        indicators=indicators,
        levels=(region.level,),
        # An indicator without values in the base year takes its first year with values as
        # its reference (method 2.0): the base-year methods need every period of the group.
        periods=None if uses_base else [period],
        with_national=method == scoring.NATIONAL,
        bulk=False,
    )
    if inputs.values.empty or (method == scoring.NATIONAL and inputs.national is None):
        return None
    return score_read_inputs(
        inputs, methods=(method,), base_period=base_period if uses_base else None
    )[0]


def _breakdowns_of(
    result: scoring.ScoreResult, region: Region, period: str
) -> dict[str, list[dict[str, Any]]]:
    frame = result.contributions
    own = frame[(frame["region"] == str(region.pk)) & (frame["period"] == period)]
    breakdowns: dict[str, list[dict[str, Any]]] = {}
    for row in own.itertuples(index=False):
        breakdowns.setdefault(row.condition, []).append(
            {
                "indicator": row.indicator,
                "raw": _number(row.raw),
                "index": _number(row.index),
                "weight": float(row.weight),
                "contribution": _number(row.contribution),
                "suppressed": bool(row.suppressed),
            }
        )
    return breakdowns


def _number(value: float) -> float | None:
    return None if value != value else float(value)  # NaN is the only value unequal to itself


def _with_breakdowns(
    scores: dict[Any, StoredScore],
    *,
    region: Region,
    method: str,
    period: str | None,
    indicators: list[Indicator],
) -> dict[Any, StoredScore]:
    """The scores, with the breakdown filled in for those in ``period``."""
    in_period = [s for s in scores.values() if s.period == period]
    if not in_period:
        return scores
    scored = _group_scoring(
        region=region,
        method=method,
        period=period,
        base_period=in_period[0].base_period,
        indicators=indicators,
    )
    if scored is None:
        return {
            key: replace(s, breakdown=[]) if s.period == period else s for key, s in scores.items()
        }
    breakdowns = _breakdowns_of(scored, region, period)
    return {
        key: replace(s, breakdown=breakdowns.get(s.condition, [])) if s.period == period else s
        for key, s in scores.items()
    }


@dataclass(frozen=True)
class ScoreDetail:
    region: Region
    condition: str
    method: str
    period: str | None  # the period explained; its score carries the breakdown
    scores: dict[str, StoredScore]  # period → score
    averages: dict[str, float | None]
    indicators: dict[str, Indicator]

    @property
    def periods(self) -> list[str]:
        return sorted(self.scores)


def score_detail(
    *, region: Region, condition: str, method: str, period: str | None = None
) -> ScoreDetail:
    """One condition of one area over all periods, and the breakdown of its score in ``period``
    (else its latest period with a score): four queries."""
    scores = {
        row[0]: StoredScore(*row)
        for row in ConditionScore.objects.filter(
            region=region, method=method, condition=condition
        ).values_list(*_SCORE_FIELDS)
    }
    averages, _ = _municipal_averages(
        municipality=region.municipality, level=region.level, method=method, condition=condition
    )
    active = list(Indicator.objects.filter(is_active=True))
    shown = area_period(
        period, sorted(scores), [p for p, s in scores.items() if s.value is not None]
    )
    scores = _with_breakdowns(scores, region=region, method=method, period=shown, indicators=active)
    return ScoreDetail(
        region=region,
        condition=condition,
        method=method,
        period=shown,
        scores=scores,
        averages={p: v for (p, _), v in averages.items()},
        indicators={i.code: i for i in active if i.role == condition},
    )


# --- Indicator --------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorData:
    indicator: Indicator
    municipality: Region
    level: str
    areas: list[Area]
    values: dict[tuple[str, str], float | None]  # (code, period)
    municipal: dict[str, float | None]
    national: dict[str, float | None]
    periods: list[str]
    inhabitants: dict[str, int | None] = field(default_factory=dict)  # area code → number

    @property
    def level_plural(self) -> str:
        return LEVEL_PLURAL.get(self.level, "gebieden")


def indicator_data(*, indicator: Indicator, municipality: Region, level: str) -> IndicatorData:
    """One indicator for every area of a municipality, plus municipal and national values.

    Two queries: the regions (areas and the national region), then the values by region id, so
    PostgreSQL walks the (region, indicator, period) index instead of every value of the
    indicator in the country.
    """
    url = _url_maker(level)
    areas: list[Area] = []
    ids = [municipality.pk]
    national_ids: set[int] = set()
    inhabitants: dict[str, int | None] = {}
    for pk, code, name, region_level, geometry, number in (
        Region.objects.filter(
            Q(municipality=municipality, level=level, last_year__isnull=True) | Q(level=Level.LAND)
        )
        .order_by("code")
        .values_list("pk", "code", "name", "level", "geometry", "inhabitants")
    ):
        ids.append(pk)
        if region_level == Level.LAND:
            national_ids.add(pk)
        else:
            areas.append(Area(code=code, name=name, url=url(code), geometry=geometry))
            inhabitants[code] = number
    values: dict[tuple[str, str], float | None] = {}
    municipal: dict[str, float | None] = {}
    national: dict[str, float | None] = {}
    for region_id, code, period, value in IndicatorValue.objects.filter(
        indicator=indicator, region_id__in=ids
    ).values_list("region_id", "region__code", "period", "value"):
        if region_id in national_ids:
            national[period] = value
        elif region_id == municipality.pk:
            municipal[period] = value
        else:
            values[(code, period)] = value
    periods = sorted({p for _, p in values} | set(municipal) | set(national))
    return IndicatorData(
        indicator, municipality, level, areas, values, municipal, national, periods, inhabitants
    )


def indicator_get(code: str) -> Indicator | None:
    return Indicator.objects.filter(code=code).first()


def indicators_for_menu() -> list[Indicator]:
    return list(Indicator.objects.filter(is_active=True))


# --- Change -----------------------------------------------------------------------------------


DEFAULT_METHOD = ScoreMethod.BASE_YEAR.value

__all__ = [
    "AREA_LEVELS",
    "DEFAULT_METHOD",
    "LEVEL_PLURAL",
    "IndicatorData",
    "MunicipalityDashboard",
    "ScoreDetail",
    "StoredScore",
    "WardDashboard",
    "area_get",
    "indicator_data",
    "indicator_get",
    "municipalities",
    "municipality_dashboard",
    "municipality_get",
    "score_detail",
    "ward_dashboard",
]
