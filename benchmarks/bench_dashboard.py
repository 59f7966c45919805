"""Dashboard server time at national scale (issue 5, must-show 4).

Builds a throwaway database on the same server with 342 municipalities, ~3.200 wijken and
~12.800 buurten (one large municipality of 100 wijken and 500 buurten, like Amsterdam), all
indicators for ten years and ConditionScore rows for ten years and four methods, all with
set-based SQL (INSERT … SELECT generate_series). Then it times pages with the Django test Client,
warm, 30 requests each, and reports the 95th percentile in milliseconds against the targets:
ward ≤ 100 ms, municipality ≤ 200 ms, compare ≤ 150 ms.
"""

from __future__ import annotations

import contextlib
import math
import os
import random
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client

MUNICIPALITIES = 342
BIG_WARDS, BIG_BUURTEN_PER_WARD = 100, 5
WARDS, BUURTEN_PER_WARD = 9, 4
YEARS = range(2015, 2025)
REQUESTS = 30
WARM_UP = 5
TARGETS_MS = {"wijk": 100, "gemeente": 200, "vergelijk": 150}

_BREAKDOWN = (
    "["
    + ",".join(
        f'{{"indicator": "ind_{i}", "raw": 12.5, "index": 101.2, "weight": 1, '
        f'"suppressed": false, "contribution": 20.24}}'
        for i in range(5)
    )
    + "]"
)


# Set BENCH_DASHBOARD_KEEP=1 to keep the built database between runs (for profiling); the next
# run then reuses it instead of building again. Without it the database is dropped afterwards.
KEEP = os.environ.get("BENCH_DASHBOARD_KEEP") == "1"
KEPT_NAME = "bench_dashboard_kept"


@contextlib.contextmanager
def _throwaway_database():
    """A fresh, migrated database on the same server; dropped afterwards. Yields whether it
    still has to be built."""
    name = KEPT_NAME if KEEP else f"bench_dashboard_{os.getpid()}"
    original = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
        if exists and not KEEP:
            cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not (exists and KEEP):
            cursor.execute(f'CREATE DATABASE "{name}"')
    connections["default"].close()
    connections.databases["default"]["NAME"] = name
    connection.settings_dict["NAME"] = name
    try:
        call_command("migrate", verbosity=0)
        yield not (exists and KEEP)
    finally:
        connections["default"].close()
        connections.databases["default"]["NAME"] = original
        connection.settings_dict["NAME"] = original
        if not KEEP:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_BULK_TABLES = ("monitoring_indicatorvalue", "monitoring_conditionscore")


def _drop_secondary_indexes(cursor) -> list[str]:
    """Drop the unique constraints, foreign keys and indexes of the two big tables (their primary
    keys stay) and return the statements that put them back: a bulk load is several times
    faster when indexes are built once afterwards."""
    restore: list[str] = []
    for table in _BULK_TABLES:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s"
            " AND indexname NOT LIKE '%%_pkey'",
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            restore.insert(0, definition)
    return restore


def _polygon_sql(cx: str, cy: str) -> str:
    """A 41-point ring around (cx, cy), as simplified ward boundaries are."""
    return f"""jsonb_build_object('type', 'Polygon', 'coordinates', jsonb_build_array((
        SELECT jsonb_agg(jsonb_build_array(
            round(({cx} + 0.009 * cos(2 * pi() * k / 40))::numeric, 6),
            round(({cy} + 0.005 * sin(2 * pi() * k / 40))::numeric, 6)) ORDER BY k)
        FROM generate_series(0, 40) k)))"""


def build() -> dict[str, float]:
    from monitoring.services import framework_install

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
            SELECT r.id, i.id, p::text, round((random() * 100)::numeric, 1), false
            FROM monitoring_region r CROSS JOIN monitoring_indicator i CROSS JOIN {years} p;""",
        ),
        (
            "scores",
            f"""INSERT INTO monitoring_conditionscore (region_id, period, condition, method, value,
                coverage, rank, status, breakdown, method_version, base_period, computed_at)
            SELECT r.id, p::text, c, m,
                   CASE WHEN c = 'cohesie' THEN NULL ELSE 100 + (random() - 0.5) * 30 END,
                   CASE WHEN c = 'cohesie' THEN 0.2 ELSE 1.0 END, NULL,
                   CASE WHEN c = 'cohesie' THEN 'onvoldoende gegevens' ELSE 'berekend' END,
                   CASE WHEN m = 'basisjaar' THEN '{_BREAKDOWN}'::jsonb ELSE '[]'::jsonb END,
                   '1.0', '{YEARS.start}', now()
            FROM monitoring_region r
            CROSS JOIN {years} p
            CROSS JOIN unnest(ARRAY['zekerheid', 'inclusie', 'cohesie', 'empowerment']) c
            CROSS JOIN unnest(ARRAY['basisjaar', 'zscore', 'minmax', 'percentiel']) m
            WHERE r.level IN ('wijk', 'buurt');""",
        ),
        ("analyze", "ANALYZE;"),
    ]
    timings = {}
    with connection.cursor() as cursor:
        restore = _drop_secondary_indexes(cursor)
        for name, sql in steps:
            if name == "analyze":
                start = time.perf_counter()
                for statement in restore:
                    cursor.execute(statement)
                timings["build_indexes_s"] = round(time.perf_counter() - start, 1)
            start = time.perf_counter()
            cursor.execute(sql)
            timings[f"build_{name}_s"] = round(time.perf_counter() - start, 1)
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


def _p95_ms(client: Client, urls: list[str]) -> tuple[float, float]:
    for url in urls[:WARM_UP]:
        assert client.get(url).status_code == 200, url
    times = []
    for url in urls[:REQUESTS]:
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    times.sort()
    p95 = times[math.ceil(0.95 * len(times)) - 1]
    return round(p95, 1), round(times[len(times) // 2], 1)


def measure() -> dict[str, float]:
    from monitoring.models import Region

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
        "indicator": [
            f"/indicator/sez_laag_inkomen/?gemeente=GM0001&periode={rng.choice(periods)}"
            for _ in range(REQUESTS)
        ],
        "verandering": [
            f"/verandering/?gemeente=GM0001&van=2015&tot={rng.choice(periods)}"
            for _ in range(REQUESTS)
        ],
    }
    client = Client()
    results: dict[str, float] = {}
    for name, urls in pages.items():
        p95, median = _p95_ms(client, urls)
        results[f"{name}_p95_ms"] = p95
        results[f"{name}_median_ms"] = median
        if name in TARGETS_MS:
            results[f"{name}_target_ms"] = TARGETS_MS[name]
            results[f"{name}_ok"] = p95 <= TARGETS_MS[name]
    return results


def run() -> dict:
    start = time.perf_counter()
    with _throwaway_database() as fresh:
        built = build() if fresh else {"build": "hergebruikt (BENCH_DASHBOARD_KEEP=1)"}
        built["build_total_s"] = round(time.perf_counter() - start, 1)
        measured = measure()
    return {**built, **measured, "requests_per_page": REQUESTS}


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialquality.settings")
    import django

    django.setup()
    for key, value in run().items():
        print(f"{key}: {value}")
