"""A batch's work in the worker (``monitoring.importing.tasks``): its preview, its apply or its
rollback. Each job runs under the batch's advisory lock (see ``progress``), reports progress
on the batch row, and ends in a state the pages can show: previewed, applied, rolled back, or
failed with a Dutch reason (a rollback that did not happen leaves the batch applied)."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from monitoring.importing.parsers import ImportFileError
from monitoring.models import ImportBatch
from monitoring.services.imports.apply import import_apply
from monitoring.services.imports.plan import import_preview
from monitoring.services.imports.progress import (
    RUN_LOCK,
    ProgressWriter,
    batch_back_to_applied,
    batch_fail,
)
from monitoring.services.imports.results import RollbackRefused
from monitoring.services.imports.rollback import import_rollback_queued
from monitoring.services.imports.staging import batch_preview_record, upload_forget

logger = logging.getLogger(__name__)


def import_batch_confirm(*, batch: ImportBatch, skip_rejected: bool) -> bool:
    """Mark a previewed batch as waiting for the worker to apply it (the caller enqueues the
    task). True when this call queued it; False when it was confirmed already.

    One conditional update, so of two confirmations at the same moment exactly one queues the
    batch (PostgreSQL re-checks the status of a row another transaction just changed): a
    preview is never applied twice, and the second confirmation is simply told it is on its
    way.
    """
    updated = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEWED).update(
        status=ImportBatch.Status.QUEUED,
        job=ImportBatch.Job.APPLY,
        skip_rejected=skip_rejected,
        progress=0,
        phase="",
    )
    batch.refresh_from_db()
    return bool(updated)


def import_batch_run(*, batch_id: int) -> str:
    """Do a queued batch's job (in the worker); returns how it ended.

    Preview and apply read the stored file; apply and rollback are one transaction each, so a
    worker that dies half-way changed nothing (``import_batch_status_refresh`` says so).
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
        batch = ImportBatch.objects.select_related("municipality", "user", "rolled_back_by").get(
            pk=batch_id
        )
        if batch.job == ImportBatch.Job.PREVIEW:
            return _preview(batch, progress)
        if batch.job == ImportBatch.Job.ROLLBACK:
            return _rollback(batch, progress)
        return _apply(batch, progress)
    finally:
        progress.close()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK, batch_id])


def _requested(batch: ImportBatch) -> tuple[str | None, str]:
    asked = batch.preview or {}
    return asked.get("requested_period"), asked.get("requested_format", "auto")


def _stored_bytes(batch: ImportBatch) -> bytes:
    return (Path(settings.MEDIA_ROOT) / batch.stored_file).read_bytes()


def _preview(batch: ImportBatch, progress: ProgressWriter) -> str:
    period, file_format = _requested(batch)
    try:
        preview = import_preview(
            data=_stored_bytes(batch),
            filename=batch.file_name,
            period=period,
            file_format=file_format,
            municipality=batch.municipality,
            progress=progress,
        )
    except ImportFileError as error:
        batch_fail(batch.pk, error.message)
        upload_forget(batch_id=batch.pk)
        return ImportBatch.Status.FAILED
    except Exception as error:
        logger.exception("Voorbeeld van import #%s mislukt", batch.pk)
        batch_fail(
            batch.pk,
            f"Het bestand kon niet worden gelezen door een onverwachte fout "
            f"({type(error).__name__}); er is niets ingelezen. Meld dit aan de beheerder.",
        )
        upload_forget(batch_id=batch.pk)
        raise
    batch_preview_record(batch_id=batch.pk, preview=preview)
    return ImportBatch.Status.PREVIEWED


def _apply(batch: ImportBatch, progress: ProgressWriter) -> str:
    period, file_format = _requested(batch)
    try:
        result = import_apply(
            data=_stored_bytes(batch),
            filename=batch.file_name,
            period=period,
            file_format=file_format,
            municipality=batch.municipality,
            user=batch.user,
            skip_rejected=batch.skip_rejected,
            batch=batch,
            progress=progress,
        )
    except ImportFileError as error:
        batch_fail(batch.pk, error.message)
        return ImportBatch.Status.FAILED
    except Exception as error:
        logger.exception("Import #%s mislukt", batch.pk)
        batch_fail(
            batch.pk,
            f"Onverwachte fout ({type(error).__name__}); er is niets ingelezen. "
            "Meld dit aan de beheerder.",
        )
        raise
    if result.already_imported:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.APPLIED,
            values_unchanged=result.counts.unchanged,
            finished_at=timezone.now(),
            message=result.message,
            progress=100,
            phase="Klaar",
        )
    else:
        ImportBatch.objects.filter(pk=batch.pk).update(progress=100, phase="Klaar")
    return ImportBatch.Status.APPLIED


def _rollback(batch: ImportBatch, progress: ProgressWriter) -> str:
    try:
        result = import_rollback_queued(batch=batch, progress=progress)
    except RollbackRefused as refused:
        batch_back_to_applied(batch.pk, outcome=refused.message, phase="Geweigerd")
        return "geweigerd"
    except Exception as error:
        logger.exception("Terugdraaien van import #%s mislukt", batch.pk)
        batch_back_to_applied(
            batch.pk,
            outcome=f"Terugdraaien mislukt door een onverwachte fout ({type(error).__name__}); "
            "er is niets veranderd: de import staat er nog. Meld dit aan de beheerder.",
            phase="Mislukt",
        )
        raise
    ImportBatch.objects.filter(pk=batch.pk).update(
        progress=100,
        phase="Klaar",
        job_outcome=f"Import #{batch.pk} ({batch.file_name}): {result.message}",
    )
    return ImportBatch.Status.ROLLED_BACK
