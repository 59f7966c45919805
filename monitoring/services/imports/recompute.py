"""Scores after an import or a rollback: recomputed once the change is committed."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

from monitoring.models import ImportBatch, Level, Region
from monitoring.services.imports.results import (
    SCORES_ONE_PASS_FROM,
)

logger = logging.getLogger(__name__)


def scores_recompute_after(*, batch: ImportBatch, region_ids: list[int]) -> None:
    """Once the import is committed, recompute the scores of the municipalities concerned.

    Inside a caller's transaction (a test, a demo load of several files) this waits for the
    outermost commit, so scores are only ever computed from committed values.
    """
    transaction.on_commit(lambda: _scores_recompute_now(batch=batch, region_ids=region_ids))


def _scores_recompute_now(*, batch: ImportBatch, region_ids: list[int]) -> None:
    """Recompute scores for the municipalities concerned, if the scoring service exists yet."""
    try:
        # Written by the scoring issue (#4); until it lands there is nothing to recompute.
        from monitoring.services import scores_recompute  # type: ignore[attr-defined]
    except ImportError:
        return
    concerned = Region.objects.filter(pk__in=region_ids)
    if concerned.filter(level=Level.LAND).exists():
        # A national value is the reference of every municipality's "landelijk" scores.
        concerned = Region.objects.all()
    municipality_ids = set(
        concerned.exclude(municipality=None).values_list("municipality_id", flat=True)
    )
    if len(municipality_ids) > SCORES_ONE_PASS_FROM:
        # A national file: one pass over every municipality beats hundreds of small ones.
        from monitoring.services import scores_recompute_all

        targets: list[tuple[str, Callable[[], object]]] = [("alle gemeenten", scores_recompute_all)]
    else:
        targets = [
            (m.name, lambda m=m: scores_recompute(municipality=m))
            for m in Region.objects.filter(pk__in=municipality_ids).order_by("code")
        ]
    for name, recompute in targets:
        try:
            with transaction.atomic():
                recompute()
        except Exception:
            logger.exception("Scores voor %s konden niet worden herberekend", name)
            note = f"Scores voor {name} konden niet worden herberekend."
            batch.message = f"{batch.message}\n{note}"
            ImportBatch.objects.filter(pk=batch.pk).update(message=batch.message)
