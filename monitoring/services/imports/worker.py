"""Running an uploaded batch in the worker (``monitoring.importing.tasks``)."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from monitoring.importing.parsers import ImportFileError
from monitoring.models import ImportBatch
from monitoring.services.imports.apply import import_apply
from monitoring.services.imports.progress import RUN_LOCK, ProgressWriter, batch_fail

logger = logging.getLogger(__name__)


def import_batch_queue(*, batch: ImportBatch, skip_rejected: bool) -> ImportBatch:
    """Mark a previewed batch as waiting for the worker (the caller enqueues the task)."""
    updated = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEWED).update(
        status=ImportBatch.Status.QUEUED, skip_rejected=skip_rejected, progress=0
    )
    if not updated:
        raise ImportFileError(f"Import #{batch.pk} is al gestart of afgerond.")
    batch.refresh_from_db()
    return batch


def import_batch_run(*, batch_id: int) -> str:
    """Apply an uploaded, queued batch (in the worker); returns its final status.

    The apply is one transaction: if the worker dies half-way, nothing was written and the
    batch shows as failed (see ``import_batch_status_refresh``).
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [RUN_LOCK, batch_id])
        if not cursor.fetchone()[0]:
            return "bezig"  # another worker has it
    progress = ProgressWriter(batch_id)
    try:
        started = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.QUEUED).update(
            status=ImportBatch.Status.RUNNING, started_at=timezone.now(), progress=1
        )
        if not started:
            return "overgeslagen"
        batch = ImportBatch.objects.select_related("municipality", "user").get(pk=batch_id)
        try:
            data = (Path(settings.MEDIA_ROOT) / batch.stored_file).read_bytes()
            result = import_apply(
                data=data,
                filename=batch.file_name,
                period=batch.preview.get("requested_period") if batch.preview else None,
                file_format=(batch.preview or {}).get("requested_format", "auto"),
                municipality=batch.municipality,
                user=batch.user,
                skip_rejected=batch.skip_rejected,
                batch=batch,
                progress=progress,
            )
        except ImportFileError as error:
            batch_fail(batch_id, error.message)
            return ImportBatch.Status.FAILED
        except Exception as error:
            logger.exception("Import #%s mislukt", batch_id)
            batch_fail(
                batch_id,
                f"Onverwachte fout ({type(error).__name__}); er is niets ingelezen. "
                "Meld dit aan de beheerder.",
            )
            raise
        if result.already_imported:
            ImportBatch.objects.filter(pk=batch_id).update(
                status=ImportBatch.Status.APPLIED,
                values_unchanged=result.counts.unchanged,
                finished_at=timezone.now(),
                message=result.message,
                progress=100,
                phase="Klaar",
            )
        else:
            ImportBatch.objects.filter(pk=batch_id).update(progress=100, phase="Klaar")
        return ImportBatch.Status.APPLIED
    finally:
        progress.close()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK, batch_id])
