"""Background work for the web import: applied by ``manage.py db_worker`` (see ``make run``)."""

from __future__ import annotations

from django_tasks import task

from monitoring.services.imports import import_batch_run


@task()
def import_batch_apply(batch_id: int) -> str:
    """Apply an uploaded batch in the worker; the batch row shows progress and the outcome."""
    return str(import_batch_run(batch_id=batch_id))
