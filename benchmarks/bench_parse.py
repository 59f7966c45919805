"""Parse speed of a full-width national file: the pure parser only, no database.

The real 2017 national OData file (16,667 rows) widened to 118 columns like a full KWB year:
its 16 real data columns repeated 7 times under distinct keys (the same file the parser test
checks for correctness). Target: parsed within ``TARGET_S`` seconds, so that the preview of a
national file spends its time comparing, not reading. Run it as

    python benchmarks/run.py parse
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
from pathlib import Path

# Runnable as a plain script from the project root or from benchmarks/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitoring.importing.parsers import edition_key, parse_table

ROOT = Path(__file__).resolve().parent.parent
NATIONAL_2017 = (
    ROOT / "tests/data/cbs_kwb/kwb2017_national_odata/kwb2017_83765NED_national_22cols.csv"
)
TARGET_S = 8.0
ROUNDS = 3


def national_file_with_118_columns() -> bytes:
    lines = NATIONAL_2017.read_text(encoding="utf-8-sig").split("\n")
    out = []
    for line in lines:
        parts = line.split(",")
        if len(parts) != 22:
            out.append(line)
            continue
        meta, data = parts[:6], parts[6:]
        if line.startswith("ID,"):
            data = [
                f"{edition_key(d)}{copy}_{100 + copy * 16 + j}"
                for copy in range(7)
                for j, d in enumerate(data)
            ]
        else:
            data = data * 7
        out.append(",".join(meta + data))
    return ("\ufeff" + "\n".join(out)).encode()


def run() -> dict:
    data = national_file_with_118_columns()
    timings = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        table = parse_table(data, filename="kwb-2017.csv")
        timings.append(time.perf_counter() - started)
    best = min(timings)
    return {
        "file_mb": round(len(data) / 1024 / 1024, 1),
        "regions": len(table.regions),
        "cells": len(table.values),
        "parse_best_s": round(best, 2),
        "parse_median_s": round(statistics.median(timings), 2),
        "parse_target_s": TARGET_S,
        "parse_within_target": best <= TARGET_S,
        "cells_per_s": round(len(table.values) / best),
        # Other work on the machine slows this down; the figure is only comparable at low load.
        "load_average_1m": round(os.getloadavg()[0], 1),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
