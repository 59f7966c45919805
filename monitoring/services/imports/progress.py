"""Progress of a batch in the worker, and telling a crashed worker from a slow one."""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid

from django.db import connection, transaction
from django.utils import timezone

from monitoring.models import ImportBatch

logger = logging.getLogger(__name__)


# Advisory lock held (session level) by the process working on a batch: if that process dies,
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


def batch_back_to_applied(batch_id: int, *, outcome: str, phase: str) -> None:
    """A rollback that did not happen (refused, failed, interrupted): the batch stays applied,
    exactly as it was, and ``job_outcome`` says why."""
    ImportBatch.objects.filter(pk=batch_id).update(
        status=ImportBatch.Status.APPLIED,
        rolled_back_by=None,
        job_outcome=outcome,
        phase=phase,
    )


ACTIVE = (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING)
# A task the worker claimed but whose batch it has not started within this time has lost its
# worker (starting takes a moment: the lock, one update).
STARTING_GRACE = dt.timedelta(minutes=2)
WORKER_LOST = "monitoring.services.imports.progress.WorkerLost"

_STOPPED = {
    ImportBatch.Job.PREVIEW: "Het lezen van het bestand is onderbroken (de worker is gestopt). "
    "Er is niets ingelezen. Lees het bestand opnieuw in.",
    ImportBatch.Job.APPLY: "De verwerking is onderbroken (de worker is gestopt). Er is niets "
    "ingelezen: de database is zoals hij was. Lees het bestand opnieuw in.",
    ImportBatch.Job.ROLLBACK: "Het terugdraaien is onderbroken (de worker is gestopt). Er is "
    "niets veranderd: de import staat er nog. Probeer het opnieuw.",
}
_NEVER_STARTED = {
    ImportBatch.Job.PREVIEW: "De taak is afgebroken voordat het bestand gelezen werd; er is "
    "niets ingelezen. Lees het bestand opnieuw in.",
    ImportBatch.Job.APPLY: "De taak is afgebroken voordat de import begon; er is niets ingelezen.",
    ImportBatch.Job.ROLLBACK: "De taak is afgebroken voordat het terugdraaien begon; er is niets "
    "veranderd: de import staat er nog.",
}


def import_batch_status_refresh(*, batch: ImportBatch) -> ImportBatch:
    """Tell a dead worker from a slow one, when the status is read.

    - Running, while no process holds the batch's lock: the worker is gone. The job's
      transaction died with it, so nothing changed; the batch says so and its task row is
      marked failed (django-tasks would leave it "running" for ever).
    - Queued, while its task row has finished or failed without starting it: failed too.
    - Queued, while its task row was claimed long ago by a worker that holds no lock: that
      worker died before it started; batch and task row are marked as above.

    A rollback that did not happen leaves the batch applied; anything else fails.
    """
    if batch.status == ImportBatch.Status.RUNNING:
        if _worker_gone(batch.pk):
            _interrupted(batch, _STOPPED, from_status=ImportBatch.Status.RUNNING)
    elif batch.status == ImportBatch.Status.QUEUED and batch.task_id:
        task = _task_rows(batch.task_id).values("status", "started_at").first()
        if task and task["status"] in ("FAILED", "SUCCESSFUL"):
            _interrupted(batch, _NEVER_STARTED, from_status=ImportBatch.Status.QUEUED)
        elif (
            task
            and task["status"] == "RUNNING"
            and task["started_at"] is not None
            and task["started_at"] < timezone.now() - STARTING_GRACE
            and _worker_gone(batch.pk)
        ):
            _interrupted(batch, _STOPPED, from_status=ImportBatch.Status.QUEUED)
    batch.refresh_from_db()
    return batch


def imports_refresh_active() -> int:
    """``import_batch_status_refresh`` for every queued or running batch (a handful at most);
    returns how many are still active."""
    active = 0
    for batch in ImportBatch.objects.filter(status__in=ACTIVE):
        active += import_batch_status_refresh(batch=batch).status in ACTIVE
    return active


def import_batch_outcome_take(*, batch: ImportBatch) -> str:
    """How the batch's last job ended, once: the sentence is cleared as it is read, so that a
    page shows it one time (the message after a rollback)."""
    outcome = batch.job_outcome
    if outcome:
        taken = ImportBatch.objects.filter(pk=batch.pk, job_outcome=outcome).update(job_outcome="")
        batch.job_outcome = ""
        if not taken:
            return ""  # another request showed it already
    return outcome


def _worker_gone(batch_id: int) -> bool:
    """True when no process holds the batch's lock (the worker holds it while it works)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [RUN_LOCK, batch_id])
        return bool(cursor.fetchone()[0])


def _interrupted(batch: ImportBatch, messages: dict, *, from_status: str) -> None:
    job = batch.job or ImportBatch.Job.APPLY
    message = messages[job]
    if job == ImportBatch.Job.ROLLBACK:
        outcome = {
            "status": ImportBatch.Status.APPLIED,
            "rolled_back_by": None,
            "job_outcome": message,
            "phase": "Onderbroken",
        }
    else:
        outcome = {
            "status": ImportBatch.Status.FAILED,
            "finished_at": timezone.now(),
            "phase": "Mislukt",
            "message": message,
        }
    with transaction.atomic():
        if not ImportBatch.objects.filter(pk=batch.pk, status=from_status).update(**outcome):
            return  # the worker (or another request) got there first
        _task_rows(batch.task_id).filter(status="RUNNING").update(
            status="FAILED",
            finished_at=timezone.now(),
            exception_class_path=WORKER_LOST,
            traceback="De worker is gestopt terwijl deze taak liep; gezien toen de status van "
            "de import werd gelezen.",
        )
    if job == ImportBatch.Job.PREVIEW:
        from monitoring.services.imports.staging import upload_forget

        upload_forget(batch_id=batch.pk)


def _task_rows(task_id: str):
    """The django-tasks row of a batch (none for the immediate backend's ids, which are no
    UUID, or for a batch that never had a task)."""
    from django_tasks_db.models import DBTaskResult

    try:
        key = uuid.UUID(task_id)
    except (TypeError, ValueError):
        return DBTaskResult.objects.none()
    return DBTaskResult.objects.filter(pk=key)
