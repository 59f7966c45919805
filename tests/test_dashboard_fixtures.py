"""Data for the dashboard tests: scores for the demo, and synthetic municipalities of any size.

The real ``scores_recompute`` service fills ConditionScore for the demo when it exists; until
then (and for synthetic municipalities) scores are made up here, with a breakdown whose
contributions add up to the score, as the model promises.
"""

from __future__ import annotations

import random

from monitoring.conditions import CONDITIONS
from monitoring.models import ConditionScore, Indicator, IndicatorValue, Level, Region

SYNTHETIC_PERIODS = ("2019", "2020", "2021")


def demo_scores_ensure() -> str:
    """Scores for the demo municipality; returns which way they were made."""
    municipality = Region.objects.get(code="GM0518")
    if ConditionScore.objects.filter(region__municipality=municipality).exists():
        return "present"
    try:
        from monitoring.services import scores_recompute
    except ImportError:
        scores_recompute = None
    if scores_recompute is not None:
        scores_recompute(municipality=municipality)
        return "service"
    regions = list(
        Region.objects.filter(municipality=municipality, level__in=[Level.WIJK, Level.BUURT])
    )
    periods = sorted(
        set(IndicatorValue.objects.filter(region=municipality).values_list("period", flat=True))
        - {"2024"}
    )
    synthetic_scores_create(regions=regions, periods=periods, seed=518)
    return "synthetic"


def synthetic_scores_create(
    *, regions: list[Region], periods: tuple[str, ...] | list[str], seed: int = 1
) -> int:
    """Plausible scores with a consistent breakdown; cohesion lacks data, as in the demo."""
    rng = random.Random(seed)
    indicators: dict[str, list[Indicator]] = {}
    for indicator in Indicator.objects.filter(is_active=True).exclude(role="context"):
        indicators.setdefault(indicator.role, []).append(indicator)
    rows = []
    for region in regions:
        base = {info.condition.value: rng.gauss(100, 8) for info in CONDITIONS}
        for i, period in enumerate(periods):
            for info in CONDITIONS:
                condition = info.condition.value
                members = indicators.get(condition, [])
                missing_period = rng.random() < 0.05 and 0 < i < len(periods) - 1
                if condition == "cohesie" or not members or missing_period:
                    present = members[:1]
                    breakdown = [
                        {
                            "indicator": m.code,
                            "raw": None if m not in present else 40.0,
                            "index": None,
                            "weight": float(m.weight),
                            "contribution": None,
                        }
                        for m in members
                    ]
                    total = sum(float(m.weight) for m in members) or 1.0
                    coverage = sum(float(m.weight) for m in present) / total
                    rows.append(
                        ConditionScore(
                            region=region,
                            period=period,
                            condition=condition,
                            value=None,
                            coverage=coverage if condition == "cohesie" else 0.4,
                            status="onvoldoende gegevens",
                            breakdown=breakdown,
                            method_version="test",
                            base_period=periods[0],
                        )
                    )
                    continue
                indices = [base[condition] + i * 1.5 + rng.gauss(0, 6) for _ in members]
                weights = [float(m.weight) for m in members]
                total = sum(weights)
                breakdown = [
                    {
                        "indicator": m.code,
                        "raw": round(rng.uniform(1, 60), 1),
                        "index": index,
                        "weight": weight,
                        "contribution": index * weight / total,
                    }
                    for m, index, weight in zip(members, indices, weights, strict=True)
                ]
                rows.append(
                    ConditionScore(
                        region=region,
                        period=period,
                        condition=condition,
                        value=sum(b["contribution"] for b in breakdown),
                        coverage=1.0,
                        status="berekend",
                        breakdown=breakdown,
                        method_version="test",
                        base_period=periods[0],
                    )
                )
    ConditionScore.objects.bulk_create(rows, batch_size=2000)
    _ranks_set(regions)
    return len(rows)


def _ranks_set(regions: list[Region]) -> None:
    scores = list(
        ConditionScore.objects.filter(region__in=regions, value__isnull=False).order_by("-value")
    )
    level_of = {r.pk: r.level for r in regions}
    seen: dict[tuple, int] = {}
    for score in scores:
        key = (score.period, score.condition, score.method, level_of[score.region_id])
        seen[key] = seen.get(key, 0) + 1
        score.rank = seen[key]
    ConditionScore.objects.bulk_update(scores, ["rank"], batch_size=2000)


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
    values = [
        IndicatorValue(region=region, indicator=indicator, period=period, value=rng.uniform(1, 100))
        for region in [municipality, *ward_rows]
        for indicator in indicators
        for period in SYNTHETIC_PERIODS
    ]
    IndicatorValue.objects.bulk_create(values, batch_size=5000)
    synthetic_scores_create(regions=ward_rows, periods=SYNTHETIC_PERIODS, seed=wards)
    return municipality
