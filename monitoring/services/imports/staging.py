"""Keeping uploads: the stored file and its recorded preview, and forgetting them again."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from monitoring.models import ImportBatch, Region
from monitoring.services.imports.plan import (
    import_preview,
)
from monitoring.services.imports.results import (
    ImportPreview,
)


def import_upload(
    *,
    data: bytes,
    filename: str,
    period: str | None = None,
    file_format: str = "auto",
    municipality: Region | None = None,
    user=None,
) -> ImportBatch:
    """Keep an uploaded file under MEDIA_ROOT and record its preview as a batch to confirm.

    Raises ImportFileError (Dutch) for an unusable file; then nothing is kept.
    """
    preview = import_preview(
        data=data,
        filename=filename,
        period=period or None,
        file_format=file_format,
        municipality=municipality,
    )
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(filename).name)[-120:] or "bestand"
    relative = Path("imports") / f"{uuid.uuid4().hex}-{safe}"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    stored = preview.to_json()
    stored["requested_period"] = period or None
    stored["requested_format"] = file_format
    return ImportBatch.objects.create(
        file_name=filename[:255],
        sha256=preview.sha256,
        file_format=preview.file_format,
        period=preview.period,
        municipality=municipality,
        user=user,
        status=ImportBatch.Status.PREVIEWED,
        stored_file=str(relative),
        file_size=len(data),
        preview=stored,
        cells_rejected=preview.rejected_total,
    )


def batch_preview(batch: ImportBatch) -> ImportPreview | None:
    """The preview recorded at upload (None for batches from the command line or the demo)."""
    if not batch.preview:
        return None
    data = {k: v for k, v in batch.preview.items() if not k.startswith("requested_")}
    return ImportPreview.from_json(data)


# --- Housekeeping -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PruneResult:
    previews_deleted: int
    files_deleted: int
    bytes_freed: int


def imports_prune(*, older_than: dt.timedelta, dry_run: bool = False) -> PruneResult:
    """Forget uploads nobody will use again: previews never confirmed, and the stored files of
    imports that are finished (applied, failed or rolled back), once older than ``older_than``.

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
    stale_previews = ImportBatch.objects.filter(
        status=ImportBatch.Status.PREVIEWED, created_at__lt=cutoff
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
