"""Score recompute: the demo municipality (target < 2 s) and national scale (target <= 60 s).

National scale: the real region list of the 2017 national KWB file (388 gemeenten, 3,067 wijken,
13,198 buurten) with ten years of every scored indicator, values drawn at random around
plausible means. Runs in a throwaway database.
"""

from __future__ import annotations

import gc
import io
import resource
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd
from django.db import connection

from benchmarks.throwaway import throwaway_database

ROOT = Path(__file__).parent.parent
NATIONAL_FILE = (
    ROOT / "tests/data/cbs_kwb/kwb2017_national_odata/kwb2017_83765NED_national_22cols.csv"
)
YEARS = [str(year) for year in range(2015, 2025)]


def run() -> dict:
    from monitoring.demo import demo_load
    from monitoring.models import Region
    from monitoring.services import scores_recompute

    results: dict = {}
    with throwaway_database():
        demo_load(with_users=False)
        municipality = Region.objects.get(code="GM0518")
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            scores_recompute(municipality=municipality)
            timings.append(time.perf_counter() - started)
        results["demo_recompute_s"] = round(statistics.median(timings), 3)
        results["demo_recompute_target_s"] = 2.0

    with throwaway_database():
        n_regions, n_values = _build_national()
        results["national_regions"] = n_regions
        results["national_values"] = n_values
        from monitoring.services import scores_recompute_all

        gc.collect()
        peak_before = _peak_mb()
        started = time.perf_counter()
        summaries = scores_recompute_all()
        results["national_recompute_s"] = round(time.perf_counter() - started, 1)
        # Peak resident memory of this process (make bench runs each benchmark in its own);
        # "before" is what building the test data already took.
        results["national_peak_memory_mb"] = _peak_mb()
        results["national_peak_memory_before_mb"] = peak_before
        results["national_scores_written"] = sum(s.scores_written for s in summaries)
        results["national_recompute_target_s"] = 60.0
    return results


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _build_national() -> tuple[int, int]:
    from monitoring.importing.parsers import parse_table
    from monitoring.models import Indicator, Level, Region
    from monitoring.services import framework_install, parent_code_of

    framework_install(path=ROOT / "fixtures" / "indicator_framework.json")
    parsed = parse_table(NATIONAL_FILE.read_bytes(), filename=NATIONAL_FILE.name)
    regions = parsed.regions[parsed.regions["level"].isin(["gemeente", "wijk", "buurt"])]
    regions = regions.drop_duplicates("code")
    Region.objects.bulk_create(
        [
            Region(code=row.code, name=row.name or row.code, level=row.level, first_year=2015)
            for row in regions.itertuples()
        ],
        batch_size=5000,
    )
    ids = dict(Region.objects.values_list("code", "id"))
    with connection.cursor() as cursor:
        # Link wards and neighbourhoods to their parent and municipality in two statements
        # (one UPDATE per region took a minute).
        cursor.execute("UPDATE monitoring_region SET municipality_id = id WHERE level = 'gemeente'")
        links = pd.DataFrame({"code": list(ids)})
        links["parent"] = links["code"].map(lambda code: ids.get(parent_code_of(code) or ""))
        links["municipality"] = links["code"].map(lambda c: ids.get(f"GM{c[2:6]}"))
        links["id"] = links["code"].map(ids)
        links = links.dropna(subset=["municipality"])
        cursor.execute(
            "UPDATE monitoring_region r SET parent_id = l.parent, municipality_id = l.municipality"
            "  FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS l(id, parent, municipality)"
            " WHERE r.id = l.id",
            [
                [int(i) for i in links["id"]],
                [None if pd.isna(p) else int(p) for p in links["parent"]],
                [int(m) for m in links["municipality"]],
            ],
        )
    scored = list(
        Indicator.objects.exclude(role="context")
        .filter(is_active=True)
        .values_list("id", flat=True)
    )
    inhabitants = Indicator.objects.get(code="inwoners").pk
    # Method 2.0 weighs each area by the indicator's own denominator (households, inhabitants of
    # working age...): those counts are read and summed too, so they belong in the data.
    bases = {
        code
        for codes in Indicator.objects.exclude(role="context")
        .filter(is_active=True)
        .values_list("weighted_by", flat=True)
        for code in codes
    }
    counts = list(
        Indicator.objects.filter(code__in=bases - {"inwoners"}).values_list("id", flat=True)
    )
    region_ids = np.array(
        Region.objects.filter(level__in=[Level.WIJK, Level.BUURT]).values_list("id", flat=True)
    )
    rng = np.random.default_rng(20261122)
    frames = []
    for year in YEARS:
        for indicator in [*scored, inhabitants, *counts]:
            if indicator == inhabitants or indicator in counts:
                values = rng.integers(0, 20000, len(region_ids)).astype(float)
            else:
                values = rng.normal(50, 12, len(region_ids)).clip(0, 100)
                values[rng.random(len(region_ids)) < 0.05] = np.nan  # CBS secret cells
            frames.append(
                pd.DataFrame(
                    {
                        "region_id": region_ids,
                        "indicator_id": indicator,
                        "period": year,
                        "value": values,
                        "is_suppressed": np.isnan(values),
                    }
                )
            )
    values = pd.concat(frames, ignore_index=True)
    buffer = io.StringIO()
    values.to_csv(buffer, index=False, header=False, na_rep="")
    buffer.seek(0)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            "COPY monitoring_indicatorvalue (region_id, indicator_id, period, value, "
            "is_suppressed) FROM STDIN WITH (FORMAT csv)"
        ) as copy,
    ):
        while chunk := buffer.read(1 << 20):
            copy.write(chunk)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE monitoring_indicatorvalue")
    return len(regions), len(values)


if __name__ == "__main__":
    import os
    import sys

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialquality.settings")
    import django

    django.setup()
    print(run())
