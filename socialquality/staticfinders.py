"""Serve plotly.min.js straight from the installed plotly package (no CDN, no copy in git).

The package directory also holds a 5 MB widget bundle and sample data sets that we never serve,
so this finder exposes exactly one file instead of the whole folder.
"""

from __future__ import annotations

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_STATIC_PATH = "vendor/plotly.min.js"
_PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"


class PlotlyFinder(BaseFinder):
    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path == PLOTLY_STATIC_PATH:
            found = str(_PLOTLY_DIR / "plotly.min.js")
            return [found] if find_all else found
        return [] if find_all else None

    def list(self, ignore_patterns):
        storage = FileSystemStorage(location=str(_PLOTLY_DIR))
        storage.prefix = "vendor"
        yield "plotly.min.js", storage
