"""Reads for the compare page: two to six areas side by side, and the areas most like them.

Split from ``monitoring.selectors`` (which it builds on) to keep each module to one concern;
the same rule holds: a fixed number of queries whatever the number of areas, pinned in
tests/test_dashboard.py.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection

from monitoring.charts import Area
from monitoring.models import ConditionScore, Indicator, IndicatorValue, Level, Region
from monitoring.selectors import AREA_LEVELS, _areas, _url_maker, municipality_get

# Context that makes wards alike for "vergelijkbare wijken": urbanity, age profile, household
# composition, income level and housing. Never migration background.
SIMILARITY_INDICATORS = (
    "stedelijkheid",
    "aandeel_0_14",
    "aandeel_65plus",
    "aandeel_hh_met_kinderen",
    "huishoudensgrootte",
    "inkomen_per_inwoner",
    "woz_waarde",
    "huurwoningen",
    "corporatiewoningen",
)


@dataclass(frozen=True)
class CompareData:
    municipality: Region | None
    level: str
    method: str
    selected: list[Area]
    unknown_codes: list[str]
    options: list[Area]
    periods: list[str]
    scores: dict[tuple[str, str, str], float | None]  # (code, period, condition)
    indicators: list[Indicator]
    values: dict[tuple[str, int], tuple[float | None, str]]  # (code, indicator id) → latest
    similar: list[tuple[Area, float]]
    inhabitants: dict[str, int | None] = field(default_factory=dict)  # selected code → number


def compare(*, codes: list[str], municipality: Region | None, method: str, user) -> CompareData:
    """Two to six areas side by side: six queries (two without a selection). Codes of areas
    this user may not view count as unknown. Without a selection, the areas of
    ``municipality`` (else of the first municipality the user may view) are offered."""
    from monitoring.charts import similarity_ranking, spreads

    found: dict[str, Region] = {}
    if codes:
        for region in (
            Region.objects.for_user(user)
            .filter(code__in=codes, level__in=AREA_LEVELS, last_year__isnull=True)
            .select_related("municipality")
            .order_by("code")
        ):
            found[region.code] = region
    selected_regions = [found[c] for c in codes if c in found]
    unknown = [c for c in codes if c not in found]
    if selected_regions:
        municipality = selected_regions[0].municipality
        level = selected_regions[0].level
    else:
        if municipality is None:
            municipality = municipality_get(None, user=user)
        level = Level.WIJK
    if municipality is None:
        return CompareData(None, level, method, [], unknown, [], [], {}, [], {}, [])
    options = _areas(municipality, level, with_geometry=False)
    by_code = {a.code: a for a in options}
    url = _url_maker(level)
    selected = [
        by_code.get(r.code) or Area(r.code, r.name, url(r.code), None) for r in selected_regions
    ]
    if not selected:
        return CompareData(municipality, level, method, [], unknown, options, [], {}, [], {}, [])

    ids = [r.pk for r in selected_regions]
    scores: dict[tuple[str, str, str], float | None] = {}
    for code, period, condition, value in ConditionScore.objects.filter(
        region_id__in=ids, method=method
    ).values_list("region__code", "period", "condition", "value"):
        scores[(code, period, condition)] = value
    periods = sorted({p for _, p, _ in scores})
    indicators = list(Indicator.objects.filter(is_active=True))
    values: dict[tuple[str, int], tuple[float | None, str]] = {}
    for code, indicator_id, value, period in (
        IndicatorValue.objects.filter(region_id__in=ids, value__isnull=False)
        .order_by("region_id", "indicator_id", "-period")
        .distinct("region_id", "indicator_id")
        .values_list("region__code", "indicator_id", "value", "period")
    ):
        values[(code, indicator_id)] = (value, period)
    similar = _similar(municipality, level, selected, by_code, similarity_ranking, spreads)
    return CompareData(
        municipality,
        level,
        method,
        selected,
        unknown,
        options,
        periods,
        scores,
        indicators,
        values,
        similar,
        {r.code: r.inhabitants for r in selected_regions},
    )


def _latest_context_values(municipality: Region, level: str) -> list[tuple[str, str, float]]:
    """(area code, indicator code, value) of the latest known value of each context indicator
    of every area at this level. Plain SQL: one step back along the value index per area and
    indicator (LATERAL … LIMIT 1), where DISTINCT ON sorted every period of every area (a
    tenth of a second for a municipality of 100 wards at national scale)."""
    regions, indicators, values = (
        Region._meta.db_table,
        Indicator._meta.db_table,
        IndicatorValue._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT r."code", i."code", v."value" FROM "{regions}" r '
            f'CROSS JOIN "{indicators}" i '
            f'CROSS JOIN LATERAL (SELECT "value" FROM "{values}" '
            'WHERE "region_id" = r."id" AND "indicator_id" = i."id" AND "value" IS NOT NULL '
            'ORDER BY "period" DESC LIMIT 1) v '
            'WHERE r."municipality_id" = %s AND r."level" = %s AND i."code" = ANY(%s)',
            [municipality.pk, level, list(SIMILARITY_INDICATORS)],
        )
        return cursor.fetchall()


def _similar(municipality, level, selected, by_code, similarity_ranking, spreads):
    """The five areas nearest to the average context profile of the selection: one query."""
    profiles: dict[str, dict[str, float]] = defaultdict(dict)
    for code, indicator, value in _latest_context_values(municipality, level):
        profiles[code][indicator] = value
    chosen = {a.code for a in selected}
    target_profiles = [profiles[c] for c in chosen if c in profiles]
    if not target_profiles:
        return []
    target: dict[str, float] = {}
    for key in SIMILARITY_INDICATORS:
        known = [p[key] for p in target_profiles if key in p]
        if known:
            target[key] = sum(known) / len(known)
    candidates = {c: p for c, p in profiles.items() if c not in chosen and c in by_code}
    ranking = similarity_ranking(target=target, candidates=candidates, spread=spreads(profiles))
    return [(by_code[code], distance) for code, distance in ranking]
