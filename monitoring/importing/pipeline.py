"""One file into the store, in one step: the demo loader's route.

The import itself lives in ``monitoring.services.imports`` (preview, apply, rollback); this
module keeps the one-step call the demo loader uses. It is atomic: a file that fails anywhere
leaves the database as it was.
"""

from __future__ import annotations

from monitoring.services.imports import ImportResult, import_apply, sha256_of

ImportOutcome = ImportResult  # the name the demo loader knows

__all__ = ["ImportOutcome", "file_import", "sha256_of"]


def file_import(
    *,
    data: bytes,
    filename: str,
    period: str | None = None,
    file_format: str = "auto",
    user=None,
    skip_rejected: bool = False,
    recompute_scores: bool = True,
) -> ImportResult:
    """Import one file (CBS or municipal); ``already_imported`` when nothing would change.

    ``recompute_scores=False`` leaves the scores to the caller: the demo loader imports several
    files and recomputes once at the end."""
    return import_apply(
        data=data,
        filename=filename,
        period=period,
        file_format=file_format,
        user=user,
        skip_rejected=skip_rejected,
        recompute_scores=recompute_scores,
    )
