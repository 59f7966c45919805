"""The data version: one value that changes whenever what a dashboard page shows may change.

Every write that changes shown data calls ``data_version_bump``: an import, a rollback, a
recompute of scores, a change of scoring settings, a renamed region, an observation or an
initiative. Cached pages are keyed by it (``monitoring.page_cache``), so a page rendered before
the change is never served after it, on any worker.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.core.cache import caches
from django.db import transaction

PAGE_CACHE = "pages"
DATA_VERSION_KEY = "data-version"
P = ParamSpec("P")
R = TypeVar("R")


def _new_version() -> None:
    # A new value, not an increment: two bumps at once both leave a value no page was cached
    # under, and a version lost to culling is simply a new one.
    pages = caches[PAGE_CACHE]
    pages.set(DATA_VERSION_KEY, str(time.time_ns()), timeout=None)
    # Pages of the old version are never served again: gone at once rather than at a cull.
    if hasattr(pages, "drop_pages"):
        pages.drop_pages()


def data_version() -> str:
    """The current data version (a new one if none is stored yet, or it was culled)."""
    cache = caches[PAGE_CACHE]
    version = cache.get(DATA_VERSION_KEY)
    if version is None:
        version = str(time.time_ns())
        if not cache.add(DATA_VERSION_KEY, version, timeout=None):
            version = cache.get(DATA_VERSION_KEY, version)
    return version


def data_version_bump() -> None:
    """A new data version once the caller's transaction commits (at once outside one).

    Only after the commit: a page read before it is keyed by the old version, one read after
    it by the new. Bumping inside the transaction would also hold a lock on the version row
    until the commit, which a cache cull on another request would wait for."""
    transaction.on_commit(_new_version)


def bumps_data_version(function: Callable[P, R]) -> Callable[P, R]:
    """A write that changes what pages show: a new data version once it has succeeded."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        result = function(*args, **kwargs)
        data_version_bump()
        return result

    return wrapper
