"""How long the pure scoring core takes at national scale, without any database.

A synthetic frame the size of the Netherlands: 342 municipalities of about 50 regions each
(~17,000 regions), 10 years, 20 indicators (5 per condition), with missing values, suppressed
cells and small regions in the proportions real CBS data shows. Run it as

    python benchmarks/bench_scoring_core.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

# Runnable as a plain script from the project root or from benchmarks/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitoring.scoring import CONDITIONS, score


def build_frames(
    n_municipalities: int = 342,
    years: int = 10,
    regions_per_municipality: int = 50,
    indicators_per_condition: int = 5,
    seed: int = 2024,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Values, indicators, inhabitants and national values of a synthetic country."""
    rng = np.random.default_rng(seed)
    indicators = pd.DataFrame(
        [
            {
                "code": f"{condition}_{i}",
                "condition": condition,
                "direction": 1 if i % 2 == 0 else -1,
                "weight": 1.0 + (i % 3),
            }
            for condition in CONDITIONS
            for i in range(indicators_per_condition)
        ]
    )
    municipalities = np.array([f"GM{m:04d}" for m in range(n_municipalities)], dtype=object)
    n_regions = n_municipalities * regions_per_municipality
    region_codes = np.array(
        [
            f"BU{m:04d}{r:04d}"
            for m in range(n_municipalities)
            for r in range(regions_per_municipality)
        ],
        dtype=object,
    )
    municipality_of_region = np.repeat(municipalities, regions_per_municipality)
    periods = np.array([str(2015 + y) for y in range(years)], dtype=object)
    codes = indicators["code"].to_numpy(dtype=object)

    n_cells = n_regions * years * len(codes)
    region_index = np.repeat(np.arange(n_regions), years * len(codes))
    period_index = np.tile(np.repeat(np.arange(years), len(codes)), n_regions)
    indicator_index = np.tile(np.arange(len(codes)), n_regions * years)
    level = rng.normal(50, 15, size=(n_regions, len(codes)))
    trend = rng.normal(0, 0.5, size=(n_regions, len(codes)))
    value = (
        level[region_index, indicator_index]
        + trend[region_index, indicator_index] * period_index
        + rng.normal(0, 2, size=n_cells)
    )
    value[rng.random(n_cells) < 0.10] = np.nan
    values = pd.DataFrame(
        {
            "group": municipality_of_region[region_index],
            "region": region_codes[region_index],
            "indicator": codes[indicator_index],
            "period": periods[period_index],
            "value": value,
            "suppressed": rng.random(n_cells) < 0.02,
        }
    )
    inhabitants = pd.DataFrame(
        {
            "region": region_codes,
            "inhabitants": rng.lognormal(mean=7, sigma=1.2, size=n_regions).round(),
        }
    )
    national = pd.DataFrame(
        {
            "indicator": np.tile(codes, years),
            "period": np.repeat(periods, len(codes)),
            "value": 50.0,
        }
    )
    return values, indicators, inhabitants, national


def run() -> dict:
    """For `make bench`: the pure core at national scale, one method and all five."""
    one = time_scoring()
    return {
        "regions": 342 * 50,
        "years": 10,
        "basisjaar_s": round(one, 1),
        "all_five_methods_s": round(
            time_scoring(methods=("basisjaar", "zscore", "minmax", "percentiel", "landelijk")), 1
        ),
    }


def time_scoring(
    n_municipalities: int = 342,
    years: int = 10,
    regions_per_municipality: int = 50,
    indicators_per_condition: int = 5,
    methods: Sequence[str] = ("basisjaar",),
) -> float:
    """Seconds it takes to score the synthetic country once per method (building it excluded)."""
    values, indicators, inhabitants, national = build_frames(
        n_municipalities, years, regions_per_municipality, indicators_per_condition
    )
    base_periods = dict.fromkeys(values["group"].unique(), str(values["period"].min()))
    started = time.perf_counter()
    for method in methods:
        score(
            values,
            indicators,
            base_period=base_periods,
            method=method,
            inhabitants=inhabitants,
            national=national,
        )
    return time.perf_counter() - started


if __name__ == "__main__":
    regions = 342 * 50
    elapsed = time_scoring()
    print(
        f"scoring core, basisjaar: {regions:,} regions x 10 years x 20 indicators "
        f"in {elapsed:.1f} s"
    )
    all_methods = ("basisjaar", "zscore", "minmax", "percentiel", "landelijk")
    elapsed_all = run(methods=all_methods)
    print(f"scoring core, all {len(all_methods)} methods: {elapsed_all:.1f} s")
