"""`make bench`: run every benchmarks/bench_*.py and write the results to benchmarks/results/.

Each bench module has ``run() -> dict`` returning a flat mapping of measurement name to value
(seconds, counts, MB, and the target it is held against). Benchmarks measure; tests do not time.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import platform
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialquality.settings")


def main(selected: list[str]) -> int:
    import django

    django.setup()
    results: dict[str, dict] = {}
    failed = False
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if selected and name not in selected:
            continue
        print(f"== {name}", flush=True)
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
            outcome = module.run()
            results[name] = outcome if isinstance(outcome, dict) else {"result": outcome}
        except Exception:
            failed = True
            results[name] = {"error": traceback.format_exc(limit=5)}
        for key, value in results[name].items():
            print(f"   {key}: {value}", flush=True)
    out = HERE / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    # Running some benchmarks keeps the earlier results of the others.
    earlier = json.loads(out.read_text()).get("results", {}) if out.exists() else {}
    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    for result in results.values():
        result["measured_at"] = when
    record = {
        "when": when,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "results": {**earlier, **results},
    }
    out.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    print(f"\nResultaten geschreven naar {out.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
