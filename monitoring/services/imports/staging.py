"""Keeping uploads: the stored file and its recorded preview, and forgetting them again."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from monitoring.models import ImportBatch, Region
from monitoring.services.imports.plan import upload_check
from monitoring.services.imports.results import ImportPreview, sha256_of


def import_upload(
    *,
    data: bytes,
    filename: str,
    period: str | None = None,
    file_format: str = "auto",
    municipality: Region | None = None,
    user=None,
) -> ImportBatch:
    """Keep an uploaded file under MEDIA_ROOT as a batch whose preview the worker makes (job
    ``preview``; the caller enqueues the task).

    Only what the first bytes tell is checked here (``upload_check``: size, format, clearly no
    table): then ImportFileError (Dutch) and nothing is kept. Reading the whole file and
    comparing it with the store take long for a national file, so they run in the worker,
    which records the preview, or the Dutch reason the file cannot be read.
    """
    upload_check(data=data, filename=filename, file_format=file_format)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(filename).name)[-120:] or "bestand"
    relative = Path("imports") / f"{uuid.uuid4().hex}-{safe}"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return ImportBatch.objects.create(
        file_name=filename[:255],
        sha256=sha256_of(data),
        municipality=municipality,
        user=user,
        status=ImportBatch.Status.QUEUED,
        job=ImportBatch.Job.PREVIEW,
        stored_file=str(relative),
        file_size=len(data),
        preview={"requested_period": period or None, "requested_format": file_format},
    )


def batch_preview_record(*, batch_id: int, preview: ImportPreview) -> None:
    """Record the preview the worker made: the batch is ready to be confirmed."""
    batch = ImportBatch.objects.get(pk=batch_id)
    stored = preview.to_json()
    stored.update({k: v for k, v in (batch.preview or {}).items() if k.startswith("requested_")})
    ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.RUNNING).update(
        status=ImportBatch.Status.PREVIEWED,
        sha256=preview.sha256,
        file_format=preview.file_format,
        period=preview.period,
        period_source=preview.period_source,
        preview=stored,
        cells_rejected=preview.rejected_total,
        progress=100,
        phase="Klaar",
    )


def upload_forget(*, batch_id: int) -> None:
    """Delete the stored file of a batch whose preview failed: an unreadable file is not kept."""
    name = ImportBatch.objects.filter(pk=batch_id).values_list("stored_file", flat=True).first()
    if name:
        ImportBatch.objects.filter(pk=batch_id).update(stored_file="")
        (Path(settings.MEDIA_ROOT) / name).unlink(missing_ok=True)


def batch_preview(batch: ImportBatch) -> ImportPreview | None:
    """The preview the worker recorded (None for batches from the command line or the demo)."""
    if not batch.preview or "counts" not in batch.preview:
        return None  # not made yet (the worker is busy) or the batch never had one
    data = {k: v for k, v in batch.preview.items() if not k.startswith("requested_")}
    return ImportPreview.from_json(data)


# --- Housekeeping -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PruneResult:
    previews_deleted: int
    files_deleted: int
    bytes_freed: int


def imports_prune(*, older_than: dt.timedelta, dry_run: bool = False) -> PruneResult:
    """Forget uploads nobody will use again: previews never confirmed (or never made), and the
    stored files of imports that are finished (applied, failed or rolled back), once older than
    ``older_than``.

    A finished batch keeps its record (file name, SHA-256, counts, value changes): rolling it
    back needs its value changes, never the file. Files under ``MEDIA_ROOT/imports`` that no
    batch refers to (left by a crash between writing the file and recording the batch) go too.
    Queued and running imports are never touched.
    """
    if older_than < dt.timedelta(days=1):
        raise ValueError("Ruim alleen uploads op die minstens een dag oud zijn.")
    cutoff = timezone.now() - older_than
    root = Path(settings.MEDIA_ROOT)
    finished = [
        ImportBatch.Status.APPLIED,
        ImportBatch.Status.FAILED,
        ImportBatch.Status.ROLLED_BACK,
    ]
    # Never confirmed: previews ready to confirm, and previews the worker could not make.
    stale_previews = ImportBatch.objects.filter(
        Q(status=ImportBatch.Status.PREVIEWED)
        | Q(status=ImportBatch.Status.FAILED, job=ImportBatch.Job.PREVIEW),
        created_at__lt=cutoff,
    )
    stale_files = ImportBatch.objects.filter(status__in=finished, created_at__lt=cutoff).exclude(
        stored_file=""
    )
    paths = [root / name for name in stale_previews.values_list("stored_file", flat=True) if name]
    paths += [root / name for name in stale_files.values_list("stored_file", flat=True)]
    referenced = set(
        ImportBatch.objects.exclude(stored_file="").values_list("stored_file", flat=True)
    )
    uploads = root / "imports"
    if uploads.is_dir():
        paths += [
            path
            for path in uploads.iterdir()
            if path.is_file()
            and str(path.relative_to(root)) not in referenced
            and dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC) < cutoff
        ]
    existing = [path for path in dict.fromkeys(paths) if path.is_file()]
    freed = sum(path.stat().st_size for path in existing)
    previews = stale_previews.count()
    if not dry_run:
        with transaction.atomic():
            stale_previews.delete()
            stale_files.update(stored_file="")
        # Files go after the commit: a failed transaction leaves records and files as they were.
        for path in existing:
            path.unlink(missing_ok=True)
    return PruneResult(previews_deleted=previews, files_deleted=len(existing), bytes_freed=freed)
