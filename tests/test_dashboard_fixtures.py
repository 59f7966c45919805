"""Data for the dashboard tests: scores for the demo, and synthetic municipalities of any size.

Scores always come from the real ``scores_recompute`` service, so that every page (and the
drill-down, which recomputes its breakdown from the values) sees scores that agree with values.
"""

from __future__ import annotations

import random

from monitoring.models import ConditionScore, Indicator, IndicatorValue, Level, Region
from monitoring.services import scores_recompute

SYNTHETIC_PERIODS = ("2019", "2020", "2021")


def demo_scores_ensure() -> None:
    """Scores for the demo municipality (the demo loader computes them; this repairs a flush)."""
    municipality = Region.objects.get(code="GM0518")
    if not ConditionScore.objects.filter(region__municipality=municipality).exists():
        scores_recompute(municipality=municipality)


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [
                [lon, lat],
                [lon + size, lat],
                [lon + size, lat + size],
                [lon, lat + size],
                [lon, lat],
            ]
        ],
    }


def synthetic_municipality(*, code: str, wards: int, buurten_per_ward: int = 1) -> Region:
    """A municipality with ``wards`` wards (geometry, values, scores), built with bulk inserts."""
    number = code[2:]
    municipality = Region.objects.create(
        code=code, name=f"Proefgemeente {number}", level=Level.GEMEENTE, inhabitants=100000
    )
    municipality.municipality = municipality
    municipality.save(update_fields=["municipality"])
    side = max(1, int(wards**0.5 + 0.999))
    ward_rows = [
        Region(
            code=f"WK{number}{i:02d}" if wards <= 100 else f"WK{number}{i:03d}",
            name=f"Wijk {i:03d}",
            level=Level.WIJK,
            parent=municipality,
            municipality=municipality,
            inhabitants=1000 + i,
            geometry=square(4.0 + (i % side) * 0.01, 52.0 + (i // side) * 0.01),
        )
        for i in range(wards)
    ]
    # WK + 4 digits + 2 digits: codes stay unique for up to 100 wards (00..99).
    Region.objects.bulk_create(ward_rows)
    ward_rows = list(Region.objects.filter(municipality=municipality, level=Level.WIJK))
    buurt_rows = [
        Region(
            code=f"BU{ward.code[2:]}{j:02d}",
            name=f"{ward.name} buurt {j}",
            level=Level.BUURT,
            parent=ward,
            municipality=municipality,
            inhabitants=500,
        )
        for ward in ward_rows
        for j in range(buurten_per_ward)
    ]
    Region.objects.bulk_create(buurt_rows)
    indicators = list(Indicator.objects.filter(is_active=True))
    rng = random.Random(wards)

    def value(region: Region, indicator: Indicator, period_index: int) -> float:
        if indicator.code == "inwoners":
            return float(region.inhabitants)
        # A ward's own level plus a small drift per year, so trends and changes have a direction.
        return rng.uniform(10, 90) + period_index * rng.uniform(-3, 3)

    values = [
        IndicatorValue(
            region=region, indicator=indicator, period=period, value=value(region, indicator, i)
        )
        for region in [municipality, *ward_rows]
        for indicator in indicators
        for i, period in enumerate(SYNTHETIC_PERIODS)
    ]
    IndicatorValue.objects.bulk_create(values, batch_size=5000)
    scores_recompute(municipality=municipality)
    return municipality
