"""Reads for pages: each returns plain data built in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from monitoring.models import Indicator, IndicatorValue, Level, Region

OVERVIEW_INDICATORS = (
    "inwoners",
    "sez_laag_inkomen",
    "sez_gest_inkomen",
    "inc_arbeidsparticipatie",
    "coh_eenpersoons_hh",
    "emp_opleiding_laag",
    "aandeel_65plus",
)


@dataclass(frozen=True)
class Cell:
    value: float | None
    period: str | None
    is_suppressed: bool = False
    unit: str = ""


@dataclass(frozen=True)
class WardRow:
    region: Region
    cells: list[Cell]


@dataclass(frozen=True)
class MunicipalityOverview:
    municipality: Region
    indicators: list[Indicator]
    totals: list[Cell]
    wards: list[WardRow]
    periods: list[str]
    buurt_count: int


def municipalities() -> list[Region]:
    return list(Region.objects.municipalities().order_by("name"))


def municipality_overview(
    *, municipality: Region, indicator_codes: tuple[str, ...] = OVERVIEW_INDICATORS
) -> MunicipalityOverview:
    """The municipality, its wards and, per indicator, each ward's most recent figure."""
    indicators = sorted(
        Indicator.objects.filter(code__in=indicator_codes),
        key=lambda i: indicator_codes.index(i.code),
    )
    regions = list(
        Region.objects.filter(municipality=municipality, level=Level.WIJK).order_by("code")
    )
    buurt_count = Region.objects.filter(municipality=municipality, level=Level.BUURT).count()
    latest: dict[tuple[int, int], Cell] = {}
    values = (
        IndicatorValue.objects.filter(
            region__municipality=municipality,
            region__level__in=[Level.WIJK, Level.GEMEENTE],
            indicator__in=indicators,
        )
        .order_by("region_id", "indicator_id", "-period")
        .distinct("region_id", "indicator_id")
        .values_list("region_id", "indicator_id", "value", "period", "is_suppressed")
    )
    units = {i.pk: i.unit for i in indicators}
    for region_id, indicator_id, value, period, suppressed in values:
        latest[(region_id, indicator_id)] = Cell(value, period, suppressed, units[indicator_id])
    empty = Cell(None, None)
    periods = list(
        IndicatorValue.objects.filter(region=municipality)
        .values_list("period", flat=True)
        .distinct()
        .order_by("period")
    )
    return MunicipalityOverview(
        municipality=municipality,
        indicators=indicators,
        totals=[latest.get((municipality.pk, i.pk), empty) for i in indicators],
        wards=[
            WardRow(region, [latest.get((region.pk, i.pk), empty) for i in indicators])
            for region in regions
        ],
        periods=periods,
        buurt_count=buurt_count,
    )


__all__ = ["MunicipalityOverview", "municipalities", "municipality_overview"]
