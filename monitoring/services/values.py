"""Regions, indicators and their values: the write side of every import.

Bulk values travel through PostgreSQL COPY into a temporary staging table and are merged with
set-based SQL: one statement per step, whatever the number of values, and nothing half-written.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from monitoring.models import (
    LEVEL_BY_CODE_PREFIX,
    ImportBatch,
    Indicator,
    Level,
    Region,
)


@dataclass(frozen=True)
class ValueCounts:
    new: int
    changed: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.new + self.changed + self.unchanged


# --- Indicator framework ----------------------------------------------------------------------


def framework_install(*, path: Path) -> int:
    """Add the indicators of a framework file that are not there yet; returns how many.

    Existing indicators are left as they are: admins may have changed weights or aliases, and
    running ``make run`` again must not undo their work.
    """
    document = json.loads(path.read_text(encoding="utf-8"))
    existing = set(Indicator.objects.values_list("code", flat=True))
    fields = {field.name for field in Indicator._meta.get_fields()}
    new = [
        Indicator(**{key: value for key, value in item.items() if key in fields})
        for item in document["indicators"]
        if item["code"] not in existing
    ]
    with transaction.atomic():
        Indicator.objects.bulk_create(new)
    return len(new)


# --- Regions ----------------------------------------------------------------------------------


def level_of_code(code: str) -> str | None:
    return LEVEL_BY_CODE_PREFIX.get(code[:2].upper())


def parent_code_of(code: str) -> str | None:
    """CBS codes nest: BU05180100 lies in WK051801, which lies in GM0518."""
    prefix, digits = code[:2].upper(), code[2:]
    if prefix == "BU" and len(digits) == 8:
        return f"WK{digits[:6]}"
    if prefix == "WK" and len(digits) == 6:
        return f"GM{digits[:4]}"
    return None


def municipality_code_of(code: str) -> str | None:
    prefix, digits = code[:2].upper(), code[2:]
    if prefix in ("GM", "WK", "BU") and len(digits) >= 4:
        return f"GM{digits[:4]}"
    return None


def regions_sync(*, regions: pd.DataFrame, year: int) -> tuple[dict[str, int], int]:
    """Make sure every region in ``regions`` exists for ``year``; returns (code → id, created).

    ``regions`` has the columns ``code`` and ``name`` (``level`` optional). Names are updated
    from the file. A region seen in an earlier year than its first year gets its range extended.
    Parents and municipalities are linked by the nesting of CBS codes.
    """
    frame = regions.drop_duplicates("code").copy()
    frame = frame[frame["code"].map(level_of_code).notna()]
    codes = frame["code"].tolist()
    with transaction.atomic():
        known = {r.code: r for r in Region.objects.filter(code__in=codes).valid_in(year)}
        # Codes that exist for other years only: extend their range when they start later.
        others = {
            r.code: r
            for r in Region.objects.filter(code__in=set(codes) - set(known)).order_by("first_year")
        }
        to_create: list[Region] = []
        to_update: list[Region] = []
        for row in frame.itertuples(index=False):
            region = known.get(row.code)
            if region is None and row.code in others:
                region = others[row.code]
                if region.first_year is not None and region.first_year > year:
                    region.first_year = year
                    to_update.append(region)
                    known[row.code] = region
                    continue
                region = None
            if region is None:
                region = Region(
                    code=row.code,
                    name=row.name or row.code,
                    level=level_of_code(row.code),
                    first_year=year,
                )
                to_create.append(region)
                known[row.code] = region
            elif row.name and region.name != row.name:
                region.name = row.name
                to_update.append(region)
        Region.objects.bulk_create(to_create)
        if to_update:
            Region.objects.bulk_update(to_update, ["name", "first_year"])
        _link_parents([r for r in known.values() if r.parent_id is None or r in to_create], year)
    return {code: region.pk for code, region in known.items()}, len(to_create)


def _link_parents(regions: list[Region], year: int) -> None:
    wanted = {
        code
        for region in regions
        for code in (parent_code_of(region.code), municipality_code_of(region.code))
        if code
    }
    by_code = {r.code: r for r in Region.objects.filter(code__in=wanted).valid_in(year)}
    changed = []
    for region in regions:
        parent = by_code.get(parent_code_of(region.code) or "")
        municipality = (
            region
            if region.level == Level.GEMEENTE
            else by_code.get(municipality_code_of(region.code) or "")
        )
        if parent is not None and region.parent_id != parent.pk:
            region.parent = parent
            changed.append(region)
        if municipality is not None and region.municipality_id != municipality.pk:
            region.municipality = municipality
            if region not in changed:
                changed.append(region)
    if changed:
        Region.objects.bulk_update(changed, ["parent", "municipality"])


def region_geometry_set(*, geometries: pd.DataFrame, year: int) -> int:
    """Store display geometry for existing regions (``code``, ``geometry``); returns how many."""
    by_code = {
        r.code: r
        for r in Region.objects.filter(code__in=geometries["code"].tolist()).valid_in(year)
    }
    changed = []
    for row in geometries.itertuples(index=False):
        region = by_code.get(row.code)
        if region is not None and region.geometry != row.geometry:
            region.geometry = row.geometry
            changed.append(region)
    with transaction.atomic():
        Region.objects.bulk_update(changed, ["geometry"], batch_size=500)
    return len(changed)


def region_inhabitants_refresh(*, region_ids: list[int] | None = None) -> None:
    """Copy each region's most recent inhabitant count onto the region, for lists and maps."""
    scope = "" if region_ids is None else "AND v.region_id = ANY(%(ids)s)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE monitoring_region r
               SET inhabitants = latest.value::integer, inhabitants_period = latest.period
              FROM (
                SELECT DISTINCT ON (v.region_id) v.region_id, v.value, v.period
                  FROM monitoring_indicatorvalue v
                  JOIN monitoring_indicator i ON i.id = v.indicator_id AND i.code = 'inwoners'
                 WHERE v.value IS NOT NULL {scope}
                 ORDER BY v.region_id, v.period DESC
              ) latest
             WHERE r.id = latest.region_id
            """,
            {"ids": region_ids},
        )


# --- Values -----------------------------------------------------------------------------------

_STAGING_COLUMNS = ("region_id", "indicator_id", "period", "value", "is_suppressed")


def _copy_into_staging(cursor, values: pd.DataFrame) -> None:
    # ON COMMIT DROP only fires at the outermost commit; inside a caller's transaction (tests,
    # a demo load of several files) the previous staging table may still be there.
    cursor.execute("DROP TABLE IF EXISTS pg_temp.import_staging")
    cursor.execute(
        """
        CREATE TEMP TABLE import_staging (
            region_id bigint NOT NULL,
            indicator_id bigint NOT NULL,
            period varchar(7) NOT NULL,
            value double precision,
            is_suppressed boolean NOT NULL
        ) ON COMMIT DROP
        """
    )
    buffer = io.StringIO()
    frame = values.loc[:, list(_STAGING_COLUMNS)]
    # repr-exact floats: a value read back from the database compares equal to the file's.
    frame.to_csv(buffer, index=False, header=False, na_rep="", float_format="%.17g")
    buffer.seek(0)
    with cursor.cursor.copy(
        "COPY import_staging (region_id, indicator_id, period, value, is_suppressed) "
        "FROM STDIN WITH (FORMAT csv)"
    ) as copy:
        while chunk := buffer.read(1 << 20):
            copy.write(chunk)


def values_import(*, values: pd.DataFrame, batch: ImportBatch | None = None) -> ValueCounts:
    """Merge values into the store: one row per region, indicator and period.

    ``values`` has ``region_id, indicator_id, period, value, is_suppressed``; ``value`` NaN means
    missing (with ``is_suppressed`` when CBS marked the cell secret). Every new or changed value
    is recorded against ``batch`` with its earlier state, so the batch can be rolled back exactly.
    Identical values are left untouched, so importing the same file twice changes nothing.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        _copy_into_staging(cursor, values)
        batch_id = batch.pk if batch else None
        cursor.execute(
            """
            WITH changes AS (
                INSERT INTO monitoring_valuechange (
                    batch_id, region_id, indicator_id, period, existed_before,
                    old_value, old_is_suppressed, old_batch_id, new_value)
                SELECT %(batch)s, s.region_id, s.indicator_id, s.period, v.id IS NOT NULL,
                       v.value, coalesce(v.is_suppressed, false), v.batch_id, s.value
                  FROM import_staging s
                  LEFT JOIN monitoring_indicatorvalue v
                    ON v.region_id = s.region_id AND v.indicator_id = s.indicator_id
                   AND v.period = s.period
                 WHERE %(batch)s IS NOT NULL
                   AND (v.id IS NULL OR v.value IS DISTINCT FROM s.value
                        OR v.is_suppressed <> s.is_suppressed)
                RETURNING existed_before
            )
            SELECT count(*) FILTER (WHERE NOT existed_before),
                   count(*) FILTER (WHERE existed_before)
              FROM changes
            """,
            {"batch": batch_id},
        )
        new, changed = cursor.fetchone()
        cursor.execute(
            """
            INSERT INTO monitoring_indicatorvalue
                   (region_id, indicator_id, period, value, is_suppressed, batch_id)
            SELECT region_id, indicator_id, period, value, is_suppressed, %(batch)s
              FROM import_staging
            ON CONFLICT (region_id, indicator_id, period) DO UPDATE
               SET value = EXCLUDED.value, is_suppressed = EXCLUDED.is_suppressed,
                   batch_id = EXCLUDED.batch_id
             WHERE monitoring_indicatorvalue.value IS DISTINCT FROM EXCLUDED.value
                OR monitoring_indicatorvalue.is_suppressed <> EXCLUDED.is_suppressed
            """,
            {"batch": batch_id},
        )
        written = cursor.rowcount
        if batch_id is None:
            # Without a batch nothing was recorded; count from the merge itself.
            new, changed = written, 0
    return ValueCounts(new=new, changed=changed, unchanged=len(values) - new - changed)


def derived_values_recompute(*, region_ids: list[int] | None = None) -> int:
    """Recompute every derived indicator (numerator / denominator × factor) from its inputs.

    A derived value is missing when an input is missing or the denominator is 0. The derived
    values in scope are replaced as a whole, so they are always a function of their inputs (a
    rollback of the inputs followed by this gives back exactly the earlier derived values).
    """
    derived = list(Indicator.objects.exclude(numerator=[]))
    if not derived:
        return 0
    codes = {code for d in derived for code in (*d.numerator, *d.denominator)}
    ids = dict(Indicator.objects.filter(code__in=codes).values_list("code", "id"))
    scope = "" if region_ids is None else "AND v.region_id = ANY(%(regions)s)"
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for indicator in derived:
            numerator = [ids[c] for c in indicator.numerator if c in ids]
            denominator = [ids[c] for c in indicator.denominator if c in ids]
            if len(numerator) != len(indicator.numerator) or len(denominator) != len(
                indicator.denominator
            ):
                continue
            params = {
                "target": indicator.pk,
                "num": numerator,
                "den": denominator,
                "n_num": len(set(numerator)),
                "n_den": len(set(denominator)),
                "factor": indicator.factor,
                "regions": region_ids,
            }
            cursor.execute(
                f"DELETE FROM monitoring_indicatorvalue v WHERE v.indicator_id = %(target)s {scope}",
                params,
            )
            cursor.execute(
                f"""
                INSERT INTO monitoring_indicatorvalue
                       (region_id, indicator_id, period, value, is_suppressed, batch_id)
                SELECT region_id, %(target)s, period, num / den * %(factor)s, false, NULL
                  FROM (
                    SELECT v.region_id, v.period,
                           sum(v.value) FILTER (WHERE v.indicator_id = ANY(%(num)s)) AS num,
                           sum(v.value) FILTER (WHERE v.indicator_id = ANY(%(den)s)) AS den,
                           count(v.value) FILTER (WHERE v.indicator_id = ANY(%(num)s)) AS n_num,
                           count(v.value) FILTER (WHERE v.indicator_id = ANY(%(den)s)) AS n_den
                      FROM monitoring_indicatorvalue v
                     WHERE v.indicator_id = ANY(%(num)s || %(den)s) {scope}
                     GROUP BY v.region_id, v.period
                  ) inputs
                 WHERE n_num = %(n_num)s AND n_den = %(n_den)s AND den <> 0
                """,
                params,
            )
            written += cursor.rowcount
    return written


def batch_start(*, file_name: str, sha256: str, file_format: str, period: str, user=None):
    return ImportBatch.objects.create(
        file_name=file_name,
        sha256=sha256,
        file_format=file_format,
        period=period,
        user=user,
        status=ImportBatch.Status.RUNNING,
    )


def batch_finish(*, batch: ImportBatch, counts: ValueCounts, regions_created: int) -> None:
    batch.values_new = counts.new
    batch.values_changed = counts.changed
    batch.values_unchanged = counts.unchanged
    batch.regions_created = regions_created
    batch.status = ImportBatch.Status.APPLIED
    batch.finished_at = timezone.now()
    batch.save()


