"""Dashboard server time at national scale (issue 5, must-show 4).

Builds a throwaway database on the same server with 342 municipalities, ~3.200 wijken and
~12.800 buurten (one large municipality of 100 wijken and 500 buurten, like Amsterdam), all
indicators for ten years with set-based SQL (INSERT … SELECT generate_series), and the scores
of all of them for ten years and four methods from the real recompute. Then it times pages with the Django test Client,
warm, 30 requests each, and reports the 95th percentile in milliseconds against the targets:
ward ≤ 100 ms, municipality ≤ 200 ms, compare ≤ 150 ms. Each timed request is a first visit (a
new data version before it, as after an import, so the page is rendered and stored); the median
of a second, cached visit is reported beside it.
"""

from __future__ import annotations

import math
import os
import random
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.test import Client

from benchmarks.throwaway import throwaway_database

MUNICIPALITIES = 342
BIG_WARDS, BIG_BUURTEN_PER_WARD = 100, 5
WARDS, BUURTEN_PER_WARD = 9, 4
YEARS = range(2015, 2025)
REQUESTS = 30
WARM_UP = 5
TARGETS_MS = {"wijk": 100, "gemeente": 200, "vergelijk": 150}

# Set BENCH_DASHBOARD_KEEP=1 to keep the built database between runs (for profiling); the next
# run then reuses it instead of building again. Without it the database is dropped afterwards.
KEEP = os.environ.get("BENCH_DASHBOARD_KEEP") == "1"
KEPT_NAME = "bench_dashboard_kept"


def _polygon_sql(cx: str, cy: str) -> str:
    """A 41-point ring around (cx, cy), as simplified ward boundaries are."""
    return f"""jsonb_build_object('type', 'Polygon', 'coordinates', jsonb_build_array((
        SELECT jsonb_agg(jsonb_build_array(
            round(({cx} + 0.009 * cos(2 * pi() * k / 40))::numeric, 6),
            round(({cy} + 0.005 * sin(2 * pi() * k / 40))::numeric, 6)) ORDER BY k)
        FROM generate_series(0, 40) k)))"""


def build() -> dict[str, float]:
    from monitoring.bulk import indexes_set_aside
    from monitoring.services import framework_install, scores_recompute_all

    framework_install(path=Path(settings.BASE_DIR) / "fixtures" / "indicator_framework.json")
    years = f"generate_series({YEARS.start}, {YEARS.stop - 1})"
    steps = [
        (
            "gemeenten",
            f"""INSERT INTO monitoring_region (code, name, level, inhabitants, inhabitants_period)
            SELECT 'GM' || lpad(g::text, 4, '0'), 'Gemeente ' || g, 'gemeente', 50000, '2024'
            FROM generate_series(1, {MUNICIPALITIES}) g;
            UPDATE monitoring_region SET municipality_id = id WHERE level = 'gemeente';""",
        ),
        (
            "wijken",
            f"""INSERT INTO monitoring_region
                (code, name, level, parent_id, municipality_id, inhabitants, inhabitants_period, geometry)
            SELECT 'WK' || substr(m.code, 3) || lpad(w::text, 2, '0'),
                   'Wijk ' || lpad(w::text, 2, '0') || ' ' || m.name, 'wijk', m.id, m.id, 5000, '2024',
                   {_polygon_sql("(4.0 + (w % 10) * 0.02)", "(52.0 + (w / 10) * 0.012)")}
            FROM monitoring_region m
            CROSS JOIN LATERAL generate_series(
                0, CASE WHEN m.code = 'GM0001' THEN {BIG_WARDS - 1} ELSE {WARDS - 1} END) w
            WHERE m.level = 'gemeente';""",
        ),
        (
            "buurten",
            f"""INSERT INTO monitoring_region
                (code, name, level, parent_id, municipality_id, inhabitants, inhabitants_period)
            SELECT 'BU' || substr(w.code, 3) || lpad(b::text, 2, '0'),
                   'Buurt ' || b || ' ' || w.name, 'buurt', w.id, w.municipality_id, 1000, '2024'
            FROM monitoring_region w
            JOIN monitoring_region m ON m.id = w.municipality_id
            CROSS JOIN LATERAL generate_series(
                0, CASE WHEN m.code = 'GM0001' THEN {BIG_BUURTEN_PER_WARD - 1}
                        ELSE {BUURTEN_PER_WARD - 1} END) b
            WHERE w.level = 'wijk';""",
        ),
        (
            "waarden",
            f"""INSERT INTO monitoring_indicatorvalue (region_id, indicator_id, period, value, is_suppressed)
            SELECT r.id, i.id, p::text,
                   CASE WHEN i.code = 'inwoners' THEN r.inhabitants
                        ELSE round((random() * 100)::numeric, 1) END,
                   false
            FROM monitoring_region r CROSS JOIN monitoring_indicator i CROSS JOIN {years} p;""",
        ),
    ]
    timings = {}
    with connection.cursor() as cursor:
        # Regions in their own transaction: dropping the values' foreign key is refused while
        # checks on the region table are pending.
        for name, sql in steps[:3]:
            start = time.perf_counter()
            cursor.execute(sql)
            timings[f"build_{name}_s"] = round(time.perf_counter() - start, 1)
    with transaction.atomic(), indexes_set_aside("monitoring_indicatorvalue"):
        for name, sql in steps[3:]:
            start = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(sql)
            timings[f"build_{name}_s"] = round(time.perf_counter() - start, 1)
        start = time.perf_counter()
    timings["build_indexes_s"] = round(time.perf_counter() - start, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # Real scores from the real service, so that each score's breakdown (recomputed by the
    # drill-down from the values) agrees with it, as in production.
    start = time.perf_counter()
    scores_recompute_all()
    timings["build_scores_s"] = round(time.perf_counter() - start, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(
            "SELECT (SELECT count(*) FROM monitoring_region WHERE level = 'wijk'),"
            " (SELECT count(*) FROM monitoring_region WHERE level = 'buurt'),"
            " (SELECT count(*) FROM monitoring_indicatorvalue),"
            " (SELECT count(*) FROM monitoring_conditionscore)"
        )
        wijken, buurten, values, scores = cursor.fetchone()
    return {
        **timings,
        "wijken": wijken,
        "buurten": buurten,
        "indicator_values": values,
        "condition_scores": scores,
    }


def _p95_ms(client: Client, urls: list[str]) -> tuple[float, float, float]:
    """p95 and median of first visits (a new data version before each, as every import,
    rollback or recompute makes: the page is rendered and stored), and the median of a second
    visit (cached)."""
    from monitoring.services.data_version import data_version_bump

    for url in urls[:WARM_UP]:
        assert client.get(url).status_code == 200, url
    times, cached = [], []
    for url in urls[:REQUESTS]:
        data_version_bump()
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
        start = time.perf_counter()
        response = client.get(url)
        cached.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    times.sort()
    p95 = times[math.ceil(0.95 * len(times)) - 1]
    return round(p95, 1), round(times[len(times) // 2], 1), round(statistics.median(cached), 1)


def measure() -> dict[str, float]:
    from monitoring.models import Region
    from operations.startup import freeze_startup_objects

    # As a server worker does once it has loaded the app (socialquality/wsgi.py).
    freeze_startup_objects()

    rng = random.Random(5)
    big = list(
        Region.objects.filter(municipality__code="GM0001", level="wijk").values_list(
            "code", flat=True
        )
    )
    others = list(
        Region.objects.filter(level="wijk")
        .exclude(municipality__code="GM0001")[:2000]
        .values_list("code", flat=True)
    )
    conditions = ["zekerheid", "inclusie", "cohesie", "empowerment"]
    periods = [str(y) for y in YEARS]
    pages = {
        "gemeente": [
            f"/gemeente/GM0001/?conditie={rng.choice(conditions)}&periode={rng.choice(periods)}"
            for _ in range(REQUESTS)
        ],
        "wijk": [f"/wijk/{rng.choice(big + others)}/" for _ in range(REQUESTS)],
        "vergelijk": [
            "/vergelijk/?" + "&".join(f"wijk={code}" for code in rng.sample(big, 3))
            for _ in range(REQUESTS)
        ],
        "opbouw": [f"/wijk/{rng.choice(big)}/zekerheid/" for _ in range(REQUESTS)],
        # The ward page's breakdown section, which the page loads once it is in view.
        "wijk_opbouw": [f"/wijk/{rng.choice(big)}/?deel=opbouw" for _ in range(REQUESTS)],
        "indicator": [
            f"/indicator/sez_laag_inkomen/?gemeente=GM0001&periode={rng.choice(periods)}"
            for _ in range(REQUESTS)
        ],
        "verandering": [
            f"/verandering/?gemeente=GM0001&van=2015&tot={rng.choice(periods)}"
            for _ in range(REQUESTS)
        ],
    }
    # Pages need a login; a site administrator may view every municipality of the benchmark.
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(
        get_user_model().objects.get_or_create(username="bench", is_superuser=True)[0]
    )
    results: dict[str, float] = {}
    for name, urls in pages.items():
        p95, median, cached = _p95_ms(client, urls)
        results[f"{name}_p95_ms"] = p95
        results[f"{name}_median_ms"] = median
        results[f"{name}_cached_median_ms"] = cached
        if name in TARGETS_MS:
            results[f"{name}_target_ms"] = TARGETS_MS[name]
            results[f"{name}_ok"] = p95 <= TARGETS_MS[name]
    return results


def run() -> dict:
    start = time.perf_counter()
    name = KEPT_NAME if KEEP else f"bench_dashboard_{os.getpid()}"
    with throwaway_database(name, keep=KEEP) as fresh:
        built = build() if fresh else {"build": "hergebruikt (BENCH_DASHBOARD_KEEP=1)"}
        built["build_total_s"] = round(time.perf_counter() - start, 1)
        measured = measure()
    return {
        **built,
        **measured,
        "requests_per_page": REQUESTS,
        # Timings on a shared machine: the load beside them says how far to trust them.
        "load_average_1m": round(os.getloadavg()[0], 1),
    }


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialquality.settings")
    import django

    django.setup()
    for key, value in run().items():
        print(f"{key}: {value}")
