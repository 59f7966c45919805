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
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialquality.settings")


def main(selected: list[str]) -> int:
    results: dict[str, dict] = {}
    failed = False
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if selected and name not in selected:
            continue
        print(f"== {name}", flush=True)
        # Each benchmark in a process of its own, so that peak memory and garbage left by one
        # never shows up in the next one's numbers.
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            done = subprocess.run([sys.executable, __file__, "--single", name, out.name])
            outcome = json.loads(Path(out.name).read_text() or "{}")
        if done.returncode != 0 or not outcome:
            failed = True
            outcome = outcome or {"error": f"afgebroken met code {done.returncode}"}
        results[name] = outcome
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


def single(name: str, out: Path) -> int:
    """Run one benchmark in this process and write its result to ``out``."""
    import django

    django.setup()
    spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"bench_{name}.py")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        outcome = module.run()
        result = outcome if isinstance(outcome, dict) else {"result": outcome}
        code = 0
    except Exception:
        result = {"error": traceback.format_exc(limit=5)}
        code = 1
    out.write_text(json.dumps(result, ensure_ascii=False))
    return code


if __name__ == "__main__":
    if sys.argv[1:2] == ["--single"]:
        sys.exit(single(sys.argv[2], Path(sys.argv[3])))
    sys.exit(main(sys.argv[1:]))
