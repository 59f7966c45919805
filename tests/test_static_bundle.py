"""The plotly.js the pages load is the partial bundle in static/vendor/plotly/, and it holds
every trace type a chart draws (scripts/plotly-entry.js lists them; scripts/update_plotly.sh
builds it)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor" / "plotly"
CHART_SOURCES = [
    *sorted((ROOT / "monitoring" / "charts").glob("*.py")),
    ROOT / "initiatives" / "charts.py",
    ROOT / "observations" / "charts.py",
]


def _traces_drawn() -> set[str]:
    kinds: set[str] = set()
    for path in CHART_SOURCES:
        if path.exists():
            kinds |= set(re.findall(r'\btrace\(\s*"([a-z0-9]+)"', path.read_text()))
    return kinds


def _traces_bundled() -> set[str]:
    entry = (ROOT / "scripts" / "plotly-entry.js").read_text()
    return {"scatter", *re.findall(r"plotly\.js/lib/([a-z0-9]+)'\)", entry)} - {"core"}


def test_every_trace_type_a_chart_draws_is_in_the_bundle():
    drawn = _traces_drawn()
    assert {"scatter", "bar"} <= drawn  # the scan finds the charts' traces at all
    assert drawn <= _traces_bundled()


def test_the_bundle_is_the_built_partial_one_with_its_licence():
    bundle = (VENDOR / "plotly.min.js").read_text()
    assert bundle.startswith("/**\n* plotly.js (partial: ")
    assert ",".join(sorted(_traces_bundled())) == ",".join(
        sorted(re.search(r"partial: ([a-z0-9,]+)", bundle).group(1).split(","))
    ), "bundle out of date: run scripts/update_plotly.sh"
    assert "MIT" in (VENDOR / "LICENSE").read_text()
    assert len(bundle) < 1_500_000  # the full plotly.min.js is 4.8 MB


def test_pages_load_the_vendored_bundle():
    scripts = (ROOT / "templates" / "monitoring" / "_scripts.html").read_text()
    assert "vendor/plotly/plotly.min.js" in scripts


def test_make_run_serves_the_collected_files_through_whitenoise_as_make_serve_does():
    makefile = (ROOT / "Makefile").read_text()
    run = makefile.split("\nrun: demo", 1)[1].split("\n\n", 1)[0]
    assert "run: export STATIC_COLLECTED := true" in makefile
    assert "collectstatic --noinput" in run and "runserver --noreload --nostatic" in run


def test_collected_static_files_have_hashed_names_even_with_debug_on(tmp_path):
    """Hashed names are what whitenoise caches for a year; Django would hand out the plain
    names under DEBUG (make run)."""
    from django.test import override_settings

    from socialquality.storage import CollectedStaticFilesStorage

    (tmp_path / "staticfiles.json").write_text(
        '{"paths": {"css/app.css": "css/app.0123456789ab.css"}, "version": "1.1"}'
    )
    with override_settings(DEBUG=True, STATIC_ROOT=tmp_path):
        storage = CollectedStaticFilesStorage(location=tmp_path)
        assert storage.url("css/app.css") == "/static/css/app.0123456789ab.css"
