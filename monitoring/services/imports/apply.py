"""Applying a file: the checks of the plan, then one transaction (regions, values by COPY and
a set-based merge, derived indicators, inhabitants, the batch record). All or nothing."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from monitoring.models import ImportBatch, Region
from monitoring.services.imports.plan import (
    count_changes,
    plan_file,
    staged_values,
)
from monitoring.services.imports.recompute import scores_recompute_after
from monitoring.services.imports.results import (
    ANALYZE_FROM_ROWS,
    ImportPreview,
    ImportRefused,
    ImportResult,
    ProgressReport,
    nl_int,
)
from monitoring.services.values import (
    ValueCounts,
    derived_values_recompute,
    region_geometry_set,
    region_inhabitants_refresh,
    regions_sync_recorded,
    values_import,
)


def import_apply(
    *,
    data: bytes,
    filename: str,
    period: str | None = None,
    file_format: str = "auto",
    municipality: Region | None = None,
    user=None,
    skip_rejected: bool = False,
    batch: ImportBatch | None = None,
    progress: ProgressReport | None = None,
    recompute_scores: bool = True,
) -> ImportResult:
    """Import one file in one transaction; see the module docstring for the policies.

    ``batch``: an existing batch (the web's upload record) to fill in; otherwise one is
    created. Raises ImportFileError (Dutch) for an unusable file and ImportRefused when cells
    were rejected and ``skip_rejected`` is False; in both cases nothing is written.
    """

    def report(percent: int, phase: str, done: int = 0, total: int = 0) -> None:
        if progress is not None:
            progress(percent, phase, done, total)

    report(2, "Bestand lezen")
    plan = plan_file(
        data=data,
        filename=filename,
        period=period,
        file_format=file_format,
        municipality=municipality,
    )
    preview = plan.preview
    if preview.has_rejections and not skip_rejected:
        first = preview.rejected[0].reason if preview.rejected else ""
        raise ImportRefused(
            f"{nl_int(preview.rejected_total)} cellen of rijen zijn afgewezen (eerste: {first}) "
            "Er is niets ingelezen. Verbeter het bestand, of kies ervoor de afgewezen cellen "
            "over te slaan."
        )
    report(10, "Vergelijken met wat er al staat")
    with transaction.atomic():
        preview.counts = count_changes(plan)
        if preview.nothing_to_do:
            return ImportResult(
                preview=preview,
                batch=None,
                counts=preview.counts,
                already_imported=True,
                message=preview.summary,
            )
        report(15, "Regio's bijwerken")
        synced = regions_sync_recorded(regions=plan.regions, year=plan.region_year)
        previous: dict[int, dict] = dict(synced.previous)
        if plan.geometries is not None:
            region_geometry_set(
                geometries=plan.geometries, year=plan.region_year, previous=previous
            )
        if batch is None:
            batch = ImportBatch(status=ImportBatch.Status.RUNNING, user=user)
        batch.file_name = filename
        batch.sha256 = preview.sha256
        batch.file_format = preview.file_format
        batch.period = preview.period
        batch.period_source = preview.period_source
        batch.municipality = municipality
        batch.file_size = len(data)
        batch.skip_rejected = skip_rejected
        if batch.pk is None:
            batch.save()
        staged = staged_values(plan.cells, synced.ids)
        total = len(staged)

        def loaded(done: int, all_rows: int) -> None:
            report(20 + int(60 * done / max(all_rows, 1)), "Waarden laden", done, total)

        report(20, "Waarden laden", 0, total)
        counts = values_import(values=staged, batch=batch, progress=loaded)
        if counts.new + counts.changed >= ANALYZE_FROM_ROWS:
            # Fresh statistics (they see this transaction's rows), or the queries that follow
            # plan for the nearly empty tables they knew before.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE monitoring_indicatorvalue, monitoring_region")
        report(85, "Afgeleide indicatoren berekenen", total, total)
        touched = sorted(set(synced.ids.values()))
        derived_values_recompute(region_ids=touched)
        region_inhabitants_refresh(region_ids=touched)
        report(95, "Afronden", total, total)
        batch.values_new = counts.new
        batch.values_changed = counts.changed
        batch.values_unchanged = counts.unchanged
        batch.cells_rejected = preview.rejected_total
        batch.regions_created = len(synced.created_ids)
        batch.region_changes = {
            "created": synced.created_ids,
            "previous": {str(pk): state for pk, state in previous.items()},
        }
        batch.status = ImportBatch.Status.APPLIED
        batch.finished_at = timezone.now()
        batch.message = _applied_message(counts, len(synced.created_ids), preview)
        batch.save()
    if recompute_scores:
        scores_recompute_after(batch=batch, region_ids=touched)
    return ImportResult(
        preview=preview,
        batch=batch,
        counts=counts,
        regions_created=len(synced.created_ids),
        message=batch.message,
    )


def _applied_message(counts: ValueCounts, created: int, preview: ImportPreview) -> str:
    parts = [
        f"{nl_int(counts.new)} nieuwe waarden",
        f"{nl_int(counts.changed)} gewijzigd",
        f"{nl_int(counts.unchanged)} ongewijzigd",
    ]
    if created:
        parts.append(f"{nl_int(created)} nieuwe regio's")
    if preview.geometries_changed:
        parts.append(f"{nl_int(preview.geometries_changed)} regiogrenzen")
    text = "Ingelezen: " + ", ".join(parts) + "."
    if preview.rejected_total:
        text += f" {nl_int(preview.rejected_total)} afgewezen cellen of rijen overgeslagen."
    return text
