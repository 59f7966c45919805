"""Progress of a batch in the worker, and telling a crashed worker from a slow one."""

from __future__ import annotations

import logging
import time

from django.db import connection, transaction
from django.utils import timezone

from monitoring.models import ImportBatch

logger = logging.getLogger(__name__)


# Advisory lock held (session level) by the process applying a batch: if that process dies,
# PostgreSQL releases it, which is how a page tells a crashed import from a slow one.
RUN_LOCK = 3  # first key of pg_advisory_lock(int, int); the second is the batch id
PROGRESS_INTERVAL_S = 0.5


class ProgressWriter:
    """Writes progress on its own connection, outside the import's transaction, so that the
    progress page sees it while the import is still running. At most every half second."""

    def __init__(self, batch_id: int) -> None:
        from django.db import connections

        self.batch_id = batch_id
        self.connection = connections.create_connection("default")
        self.last = 0.0
        self.broken = False

    def __call__(self, percent: int, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if self.broken or (now - self.last < PROGRESS_INTERVAL_S and percent < 95):
            return
        self.last = now
        try:
            with self.connection.cursor() as cursor:
                # Never wait for a lock: if the row is locked (a caller's transaction holds the
                # table), progress is skipped rather than the import stalled.
                cursor.execute("SET lock_timeout = '1s'")
                cursor.execute(
                    "UPDATE monitoring_importbatch SET progress = %s, phase = %s, "
                    "rows_done = %s, rows_total = %s WHERE id = %s",
                    [percent, phase[:100], done, total, self.batch_id],
                )
        except Exception:  # progress is a courtesy: never let it break the import
            self.broken = True
            logger.warning("Voortgang van import #%s niet bijgewerkt", self.batch_id)

    def close(self) -> None:
        self.connection.close()


def batch_fail(batch_id: int, message: str) -> None:
    ImportBatch.objects.filter(pk=batch_id).update(
        status=ImportBatch.Status.FAILED,
        finished_at=timezone.now(),
        message=message,
        phase="Mislukt",
    )


def import_batch_status_refresh(*, batch: ImportBatch) -> ImportBatch:
    """A batch marked running whose worker is gone (its lock is free) has failed: say so.

    A queued batch whose task has finished or failed without starting it has failed too.
    """
    if batch.status == ImportBatch.Status.RUNNING:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [RUN_LOCK, batch.pk])
            free = cursor.fetchone()[0]
            if free:
                ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.RUNNING).update(
                    status=ImportBatch.Status.FAILED,
                    finished_at=timezone.now(),
                    phase="Mislukt",
                    message="De verwerking is onderbroken (de worker is gestopt). Er is niets "
                    "ingelezen: de database is zoals hij was. Lees het bestand opnieuw in.",
                )
    elif batch.status == ImportBatch.Status.QUEUED and batch.task_id:
        from django_tasks_db.models import DBTaskResult

        task_status = (
            DBTaskResult.objects.filter(pk=batch.task_id).values_list("status", flat=True).first()
        )
        if task_status in ("FAILED", "SUCCESSFUL"):
            batch_fail(
                batch.pk, "De taak is afgebroken voordat de import begon; er is niets ingelezen."
            )
    batch.refresh_from_db()
    return batch
