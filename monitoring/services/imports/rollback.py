"""Rolling a batch back: exactly the earlier state, or a Dutch refusal when a later import
(or a hand edit) changed the same values."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from monitoring.models import ImportBatch, Region
from monitoring.services.imports.recompute import scores_recompute_after
from monitoring.services.imports.results import (
    ProgressReport,
    RollbackRefused,
    RollbackResult,
    nl_int,
)
from monitoring.services.values import (
    derived_values_recompute,
    region_inhabitants_refresh,
    regions_restore,
    values_restore,
)


def import_rollback(*, batch: ImportBatch, user=None) -> RollbackResult:
    """Undo an applied batch exactly, here and now (command line, tests); raises
    RollbackRefused. The web queues it for the worker instead (``import_rollback_queue``)."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportBatch.Status.APPLIED:
            raise RollbackRefused(_status_refusal(batch))
        result, remaining = _undo(batch, user=user, report=_no_report)
    scores_recompute_after(batch=result.batch, region_ids=remaining)
    return result


def import_rollback_queue(*, batch: ImportBatch, user=None) -> ImportBatch:
    """Mark an applied batch as waiting for the worker to roll it back (the caller enqueues the
    task). One conditional update: of two requests at once, one queues and the other is
    refused (RollbackRefused, Dutch), so a batch is never rolled back twice."""
    updated = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.APPLIED).update(
        status=ImportBatch.Status.QUEUED,
        job=ImportBatch.Job.ROLLBACK,
        job_outcome="",
        rolled_back_by=user,
        progress=0,
        phase="",
        started_at=None,
    )
    batch.refresh_from_db()
    if not updated:
        raise RollbackRefused(_status_refusal(batch))
    return batch


def import_rollback_queued(*, batch: ImportBatch, progress: ProgressReport) -> RollbackResult:
    """Roll back a batch the worker has taken (status running, job rollback); raises
    RollbackRefused. One transaction: a worker that dies half-way leaves everything as it was.

    The batch row is not locked: taking the queued job (one conditional update) already made
    this worker the only one, and the progress writer must be able to update the row.
    """
    with transaction.atomic():
        result, remaining = _undo(batch, user=batch.rolled_back_by, report=progress)
    scores_recompute_after(batch=result.batch, region_ids=remaining)
    return result


def _no_report(percent: int, phase: str, done: int, total: int) -> None:
    return None


def _status_refusal(batch: ImportBatch) -> str:
    return (
        f"Import #{batch.pk} kan niet worden teruggedraaid: de status is "
        f"'{batch.get_status_display()}'. Alleen een ingelezen import kan terug."
    )


def _undo(batch: ImportBatch, *, user, report: ProgressReport) -> tuple[RollbackResult, list[int]]:
    """The rollback itself, inside the caller's transaction; also the regions left to score."""
    report(5, "Controleren of latere imports dezelfde waarden raken", 0, 0)
    _refuse_when_overwritten(batch)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT region_id FROM monitoring_valuechange WHERE batch_id = %(b)s UNION "
            "SELECT region_id FROM monitoring_indicatorvalue WHERE batch_id = %(b)s",
            {"b": batch.pk},
        )
        touched = {row[0] for row in cursor.fetchall()}
    report(20, "Waarden herstellen", 0, 0)
    restored = values_restore(batch=batch)
    changes = batch.region_changes or {}
    previous = changes.get("previous", {})
    regions_restore(previous=previous)
    touched |= {int(pk) for pk in previous}
    created = [int(pk) for pk in changes.get("created", [])]
    touched |= set(created)
    report(50, "Afgeleide indicatoren berekenen", 0, 0)
    derived_values_recompute(region_ids=sorted(touched))
    report(75, "Regio's opruimen en inwoners bijwerken", 0, 0)
    deleted, kept = _regions_delete_unused(created)
    remaining = sorted(touched - deleted)
    region_inhabitants_refresh(region_ids=remaining)
    message = f"Teruggedraaid: {nl_int(restored)} waarden hersteld"
    if deleted:
        message += f", {nl_int(len(deleted))} regio's verwijderd"
    if kept:
        message += (
            f"; {nl_int(len(kept))} regio's die deze import aanmaakte blijven bestaan "
            "omdat ze nog gebruikt worden"
        )
    message += "."
    batch.status = ImportBatch.Status.ROLLED_BACK
    batch.rolled_back_at = timezone.now()
    batch.rolled_back_by = user
    batch.message = f"{batch.message}\n{message}".strip()
    batch.save()
    result = RollbackResult(
        batch=batch,
        values_restored=restored,
        regions_deleted=len(deleted),
        regions_kept=len(kept),
        message=message,
    )
    return result, remaining


def _refuse_when_overwritten(batch: ImportBatch) -> None:
    """Refuse when a value this batch wrote is no longer the value it wrote."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT v.batch_id, count(*)
              FROM monitoring_valuechange c
              JOIN monitoring_indicatorvalue v
                ON v.region_id = c.region_id AND v.indicator_id = c.indicator_id
               AND v.period = c.period
             WHERE c.batch_id = %s
               AND (v.batch_id IS DISTINCT FROM c.batch_id
                    OR v.value IS DISTINCT FROM c.new_value)
             GROUP BY v.batch_id
             ORDER BY v.batch_id NULLS LAST
            """,
            [batch.pk],
        )
        conflicts = dict(cursor.fetchall())
        # Values it created that a later, still applied import changed since.
        cursor.execute(
            """
            SELECT c.batch_id, count(*)
              FROM monitoring_valuechange c
              JOIN monitoring_importbatch b ON b.id = c.batch_id AND b.status = 'applied'
             WHERE c.old_batch_id = %s
             GROUP BY c.batch_id
            """,
            [batch.pk],
        )
        for pk, count in cursor.fetchall():
            conflicts[pk] = max(conflicts.get(pk, 0), count)
    conflicts = sorted(conflicts.items(), key=lambda item: (item[0] is None, item[0] or 0))
    if not conflicts:
        return
    later = {b.pk: b for b in ImportBatch.objects.filter(pk__in=[pk for pk, _n in conflicts if pk])}
    parts = []
    for pk, count in conflicts:
        if pk in later:
            parts.append(f"import #{pk} ({later[pk].file_name}) wijzigde er {nl_int(count)}")
        else:
            parts.append(f"{nl_int(count)} zijn daarna met de hand gewijzigd")
    raise RollbackRefused(
        f"Import #{batch.pk} kan niet worden teruggedraaid: latere wijzigingen raken dezelfde "
        f"waarden ({'; '.join(parts)}). Draai eerst de latere import terug; zo gaat alles in "
        "omgekeerde volgorde terug en komt precies de eerdere toestand terug."
    )


def _regions_delete_unused(created: list[int]) -> tuple[set[int], set[int]]:
    """Delete the regions a batch created that nothing refers to any more (leaves first)."""
    from monitoring.models import ConditionScore, ValueChange

    if not created:
        return set(), set()
    candidates = set(Region.objects.filter(pk__in=created).values_list("pk", flat=True))
    cascade_ok = {ValueChange, ConditionScore}
    changed = True
    while changed and candidates:
        changed = False
        for relation in Region._meta.related_objects:
            model = relation.related_model
            if model in cascade_ok:
                continue
            name = relation.field.name
            rows = model.objects.filter(**{f"{name}__in": candidates})
            if model is Region:
                rows = rows.exclude(pk__in=candidates)
            used = set(rows.values_list(name, flat=True)) & candidates
            if used:
                candidates -= used
                changed = True
    # Nothing outside the set refers to them: unlink them from each other, then delete.
    doomed = Region.objects.filter(pk__in=candidates)
    doomed.update(parent=None, municipality=None)
    doomed.delete()
    return candidates, set(created) - candidates
