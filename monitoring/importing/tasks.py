"""Background work for the web import, done by ``manage.py db_worker`` (see ``make run``).

One task per job, so that the task list says what runs; each does the queued job of its batch
(``import_batch_run``) and the batch row shows the progress and the outcome.
"""

from __future__ import annotations

from django_tasks import task

from monitoring.services.imports import import_batch_run


@task()
def import_batch_preview(batch_id: int) -> str:
    """Read an uploaded file and compare it with the store: the preview to confirm."""
    return str(import_batch_run(batch_id=batch_id))


@task()
def import_batch_apply(batch_id: int) -> str:
    """Apply a confirmed batch."""
    return str(import_batch_run(batch_id=batch_id))


@task()
def import_batch_rollback(batch_id: int) -> str:
    """Roll an applied batch back."""
    return str(import_batch_run(batch_id=batch_id))
