"""National import: one year of KWB at full width (~17,000 regions × 118 columns).

The real national file here has 22 columns, so the benchmark file is built from the REAL region
list of the 2017 national file (codes, names, region types) and the REAL column layout of the
2019 OData file (118 columns, same quoting and padding), with plausible values drawn per column
from the real 2019 Amsterdam values. It is imported through ``import_apply`` (parse, map,
check, COPY + set-based merge, derived indicators, inhabitants; scores are issue 4's benchmark)
into a throwaway database on the same server, next to a plain COPY of the same values into a
bare temporary table: the limit on this machine.
"""

from __future__ import annotations

import csv
import io
import os
import resource
import time
from pathlib import Path

import numpy as np

from benchmarks.throwaway import throwaway_database

ROOT = Path(__file__).resolve().parent.parent
NATIONAL_2017 = (
    ROOT / "tests/data/cbs_kwb/kwb2017_national_odata/kwb2017_83765NED_national_22cols.csv"
)
LAYOUT_2019 = (
    ROOT
    / "tests/data/cbs_kwb/kwb_amsterdam_2017_2019_2021/kwb2019_84583NED_amsterdam_odata_full.csv"
)
TARGET_S = 20.0
META = 6  # ID, WijkenEnBuurten, Gemeentenaam_1, SoortRegio_2, Codering_3, Indelingswijziging


def national_full_width_file(seed: int = 2019) -> tuple[bytes, int, int]:
    """The benchmark file as bytes, with its number of regions and columns."""
    with NATIONAL_2017.open(encoding="utf-8-sig", newline="") as handle:
        regions = [
            row
            for row in csv.DictReader(handle)
            if row["SoortRegio_2"].strip() in ("Gemeente", "Wijk", "Buurt")
        ]
    with LAYOUT_2019.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        header = next(reader)
        sample = list(reader)
    columns = list(zip(*sample, strict=True))
    rng = np.random.default_rng(seed)
    # Per data column, draw from that column's real (padded) cells: plausible values, real
    # missing markers ("       ."), real widths.
    drawn = [
        np.asarray(columns[i], dtype=object)[rng.integers(0, len(sample), len(regions))]
        for i in range(META, len(header))
    ]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    for n, region in enumerate(regions):
        code = region["Codering_3"].strip()
        meta = [
            str(n),
            code.ljust(10),
            region["Gemeentenaam_1"].strip().ljust(40),
            region["SoortRegio_2"].strip().ljust(10),
            code.ljust(10),
            "1" if not code.startswith("GM") else ".",
        ]
        writer.writerow(meta + [column[n] for column in drawn])
    return "\ufeff".encode() + out.getvalue().encode("utf-8"), len(regions), len(header)


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run() -> dict:
    from django.conf import settings
    from django.db import connection

    from monitoring.models import IndicatorValue
    from monitoring.services import framework_install, import_apply, import_preview

    started = time.perf_counter()
    data, n_regions, n_columns = national_full_width_file()
    build_s = time.perf_counter() - started
    peak_before = _peak_mb()
    with throwaway_database(f"bench_import_{os.getpid()}"):
        framework_install(path=Path(settings.BASE_DIR) / "fixtures" / "indicator_framework.json")

        t = time.perf_counter()
        preview = import_preview(data=data, filename="kwb2019_national_full_width.csv")
        preview_s = time.perf_counter() - t
        assert preview.counts.new > 0

        t = time.perf_counter()
        result = import_apply(
            data=data,
            filename="kwb2019_national_full_width.csv",
            skip_rejected=True,
            recompute_scores=False,
        )
        import_s = time.perf_counter() - t
        stored = result.counts.new + result.counts.changed
        assert stored == IndicatorValue.objects.filter(batch=result.batch).count()

        t = time.perf_counter()
        again = import_apply(
            data=data, filename="kwb2019_national_full_width.csv", skip_rejected=True
        )
        reimport_s = time.perf_counter() - t
        assert again.already_imported

        # The limit: the same values, COPY'd into a bare temporary table (no index, no merge).
        buffer = io.BytesIO()
        with connection.cursor() as cursor:
            with cursor.cursor.copy(
                "COPY (SELECT region_id, indicator_id, period, value, is_suppressed "
                "FROM monitoring_indicatorvalue WHERE batch_id = %s) TO STDOUT",
                [result.batch.pk],
            ) as copy:
                for chunk in copy:
                    buffer.write(chunk)
            cursor.execute(
                "CREATE TEMP TABLE bare (region_id bigint, indicator_id bigint, "
                "period varchar(7), value double precision, is_suppressed boolean)"
            )
            t = time.perf_counter()
            with cursor.cursor.copy("COPY bare FROM STDIN") as copy:
                copy.write(buffer.getvalue())
            copy_s = time.perf_counter() - t
            cursor.execute("DROP TABLE bare")
    return {
        "file_mb": round(len(data) / 1024 / 1024, 1),
        "regions": n_regions,
        "columns": n_columns,
        "cells": n_regions * (n_columns - META),
        "values_stored": stored,
        "regions_created": result.regions_created,
        "build_file_s": round(build_s, 2),
        "preview_s": round(preview_s, 2),
        "import_s": round(import_s, 2),
        "import_target_s": TARGET_S,
        "import_within_target": import_s <= TARGET_S,
        "values_per_s": round(stored / import_s),
        "reimport_unchanged_s": round(reimport_s, 2),
        "plain_copy_s": round(copy_s, 2),
        "plain_copy_values_per_s": round(stored / copy_s),
        "import_vs_plain_copy": round(import_s / copy_s, 1),
        "peak_memory_mb": _peak_mb(),
        "peak_memory_before_mb": peak_before,
    }
