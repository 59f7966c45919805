"""What a production start (gunicorn, or any WSGI server importing ``socialquality.wsgi``)
checks before it serves, and says in the log."""

from __future__ import annotations

import gc
import logging

from django.conf import settings
from django.core.checks import ERROR, run_checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from operations.checks import OPERATIONS

logger = logging.getLogger("operations")


def production_start() -> None:
    """Run the operations checks; log each finding, refuse to start on an error.

    Development (``DEBUG=true``) skips this: ``runserver`` runs the system checks itself.
    """
    if settings.DEBUG:
        return
    try:
        findings = run_checks(
            tags=[OPERATIONS], include_deployment_checks=True, databases=["default"]
        )
    finally:
        # Opened while importing the app: close it, so that no worker carries it over.
        for connection in connections.all(initialized_only=True):
            if not connection.in_atomic_block:
                connection.close()
    for finding in findings:
        text = f"{finding.id}: {finding.msg} {finding.hint or ''}".strip()
        if finding.level >= ERROR:
            logger.error(text)
        else:
            logger.warning(text)
    errors = [finding for finding in findings if finding.level >= ERROR]
    if errors:
        raise ImproperlyConfigured(
            "De monitor start niet: " + " ".join(f"{e.msg} {e.hint or ''}" for e in errors)
        )


def freeze_startup_objects() -> None:
    """Put every object made while starting (modules, views, URL patterns, settings) out of
    the garbage collector's reach, as the Python documentation advises for servers (`gc.freeze`).

    These objects live as long as the worker. Left in the oldest generation, each full
    collection walks all of them: measured at national scale, that was 70–90 ms inside one
    request in every few municipality pages (benchmarks/bench_dashboard.py), a pause no page
    work explains. Frozen, a full collection walks only what requests made.
    """
    from django.urls import get_resolver

    # Resolving the URL patterns imports every view module, so that they are frozen too.
    get_resolver().url_patterns  # noqa: B018
    gc.collect()
    gc.freeze()
