"""Regions, indicators and their values: the write side of every import.

Bulk values travel through PostgreSQL COPY into a temporary staging table and are merged with
set-based SQL: one statement per step, whatever the number of values, and nothing half-written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from monitoring.bulk import copy_frame
from monitoring.importing.region_names import completes, region_name_kept
from monitoring.models import (
    LEVEL_BY_CODE_PREFIX,
    ImportBatch,
    Indicator,
    Level,
    Region,
)
from monitoring.services.data_version import bumps_data_version


@dataclass(frozen=True)
class ValueCounts:
    new: int
    changed: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.new + self.changed + self.unchanged


# --- Indicator framework ----------------------------------------------------------------------


@bumps_data_version
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


@dataclass
class RegionSync:
    """What ``regions_sync`` did: code → id, the ids it created, and the earlier state of every
    region it changed (``{id: {field: old value}}``), so that an import can be undone exactly."""

    ids: dict[str, int]
    created_ids: list[int]
    previous: dict[int, dict]


_REGION_STATE_FIELDS = ("name", "first_year", "parent_id", "municipality_id")


def _remember(previous: dict[int, dict], region: Region) -> None:
    if region.pk is not None and region.pk not in previous:
        previous[region.pk] = {name: getattr(region, name) for name in _REGION_STATE_FIELDS}


def regions_sync(*, regions: pd.DataFrame, year: int) -> tuple[dict[str, int], int]:
    """Make sure every region in ``regions`` exists for ``year``; returns (code → id, created).

    ``regions`` has the columns ``code`` and ``name`` (``level`` optional). Names are updated
    from the file. A region seen in an earlier year than its first year gets its range extended.
    Parents and municipalities are linked by the nesting of CBS codes.
    """
    result = regions_sync_recorded(regions=regions, year=year)
    return result.ids, len(result.created_ids)


@bumps_data_version
def regions_sync_recorded(*, regions: pd.DataFrame, year: int) -> RegionSync:
    """``regions_sync`` that also reports what it created and what each changed region was."""
    frame = regions.drop_duplicates("code").copy()
    frame = frame[frame["code"].map(level_of_code).notna()]
    if "name" not in frame:
        frame["name"] = ""
    frame["name"] = frame["name"].fillna("").astype(str).str.strip()
    codes = frame["code"].tolist()
    previous: dict[int, dict] = {}
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
                    _remember(previous, region)
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
            elif (name := region_name_kept(region.name, row.name)) != region.name:
                _remember(previous, region)  # a cut name never replaces the whole one
                region.name = name
                to_update.append(region)
        Region.objects.bulk_create(to_create, batch_size=2000)
        _regions_update(to_update, ["name", "first_year"])
        created_ids = {r.pk for r in to_create}
        _link_parents(
            [r for r in known.values() if r.parent_id is None or r.pk in created_ids],
            year,
            previous,
        )
    return RegionSync(
        ids={code: region.pk for code, region in known.items()},
        created_ids=sorted(created_ids),
        previous={pk: state for pk, state in previous.items() if pk not in created_ids},
    )


_REGION_COLUMN_TYPES = {
    "name": "text",
    "first_year": "integer",
    "parent_id": "bigint",
    "municipality_id": "bigint",
}


def _regions_update(regions: list[Region], fields: list[str]) -> None:
    """One set-based UPDATE for many regions (``bulk_update`` builds a CASE per row)."""
    if not regions or not fields:
        return
    unique = list({r.pk: r for r in regions}.values())
    columns = [f if f in _REGION_COLUMN_TYPES else f"{f}_id" for f in fields]
    arrays = [[r.pk for r in unique]] + [[getattr(r, c) for r in unique] for c in columns]
    casts = ", ".join(["%s::bigint[]"] + [f"%s::{_REGION_COLUMN_TYPES[c]}[]" for c in columns])
    assignments = ", ".join(f"{c} = v.{c}" for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE monitoring_region r SET {assignments}
              FROM unnest({casts}) AS v(id, {", ".join(columns)})
             WHERE r.id = v.id
            """,
            arrays,
        )


def _link_parents(regions: list[Region], year: int, previous: dict[int, dict]) -> None:
    wanted = {
        code
        for region in regions
        for code in (parent_code_of(region.code), municipality_code_of(region.code))
        if code
    }
    by_code = {r.code: r for r in Region.objects.filter(code__in=wanted).valid_in(year)}
    changed: dict[int, Region] = {}
    for region in regions:
        parent = by_code.get(parent_code_of(region.code) or "")
        municipality = (
            region
            if region.level == Level.GEMEENTE
            else by_code.get(municipality_code_of(region.code) or "")
        )
        if parent is not None and region.parent_id != parent.pk:
            _remember(previous, region)
            region.parent_id = parent.pk
            changed[region.pk] = region
        if municipality is not None and region.municipality_id != municipality.pk:
            _remember(previous, region)
            region.municipality_id = municipality.pk
            changed[region.pk] = region
    _regions_update(list(changed.values()), ["parent", "municipality"])


@bumps_data_version
def regions_restore(*, previous: dict) -> int:
    """Put regions back as ``RegionSync.previous`` (or a geometry import) recorded them.

    ``previous`` maps region id (int, or str after a JSON round trip) to ``{field: value}``.
    """
    states = {int(pk): state for pk, state in previous.items()}
    regions = list(Region.objects.filter(pk__in=list(states)))
    for region in regions:
        for name, value in states[region.pk].items():
            setattr(region, name, value)
    by_fields: dict[tuple[str, ...], list[Region]] = {}
    for region in regions:
        by_fields.setdefault(tuple(sorted(states[region.pk])), []).append(region)
    for names, group in by_fields.items():
        plain = [n.removesuffix("_id") for n in names if n != "geometry"]
        _regions_update(group, plain)
        if "geometry" in names:
            Region.objects.bulk_update(group, ["geometry"], batch_size=200)
    return len(regions)


@bumps_data_version
def region_geometry_set(
    *, geometries: pd.DataFrame, year: int, previous: dict[int, dict] | None = None
) -> int:
    """Store display geometry for existing regions (``code``, ``geometry``); returns how many.

    With a ``name`` column, a region whose stored name is that name cut off (StatLine's 40
    characters) gets the whole name; other names stay (a map's labels are not the register).
    With ``previous``, the earlier geometry (and name) of every changed region is recorded in it.
    """
    by_code = {
        r.code: r
        for r in Region.objects.filter(code__in=geometries["code"].tolist()).valid_in(year)
    }
    changed = []
    renamed = []
    for row in geometries.itertuples(index=False):
        region = by_code.get(row.code)
        if region is None:
            continue
        name = getattr(row, "name", "")
        name = name if isinstance(name, str) else ""
        if completes(region.name, name, code=region.code):
            # The map has the whole of a name a StatLine file cut at 40 characters.
            if previous is not None:
                previous.setdefault(region.pk, {}).setdefault("name", region.name)
            region.name = " ".join(name.split())
            renamed.append(region)
        if region.geometry != row.geometry:
            if previous is not None:
                previous.setdefault(region.pk, {})["geometry"] = region.geometry
            region.geometry = row.geometry
            changed.append(region)
    with transaction.atomic():
        Region.objects.bulk_update(changed, ["geometry"], batch_size=500)
        Region.objects.bulk_update(renamed, ["name"], batch_size=500)
    return len(changed)


@bumps_data_version
def region_inhabitants_refresh(*, region_ids: list[int] | None = None) -> None:
    """Copy each region's most recent inhabitant count onto the region, for lists and maps.

    The count is a function of the values: a region in scope without any inhabitant count gets
    none (so rolling back the import that brought the count takes it away again).
    """
    scope = "" if region_ids is None else "AND v.region_id = ANY(%(ids)s)"
    region_scope = "" if region_ids is None else "AND r.id = ANY(%(ids)s)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH latest AS (
                SELECT DISTINCT ON (v.region_id) v.region_id, v.value, v.period
                  FROM monitoring_indicatorvalue v
                  JOIN monitoring_indicator i ON i.id = v.indicator_id AND i.code = 'inwoners'
                 WHERE v.value IS NOT NULL {scope}
                 ORDER BY v.region_id, v.period DESC
            )
            UPDATE monitoring_region r
               SET inhabitants = latest.value::integer,
                   inhabitants_period = coalesce(latest.period, '')
              FROM monitoring_region r2
              LEFT JOIN latest ON latest.region_id = r2.id
             WHERE r.id = r2.id {region_scope}
               AND (r.inhabitants IS DISTINCT FROM latest.value::integer
                    OR r.inhabitants_period IS DISTINCT FROM coalesce(latest.period, ''))
            """,
            {"ids": region_ids},
        )


# --- Values -----------------------------------------------------------------------------------

_STAGING_COLUMNS = (
    "region_id",
    "indicator_id",
    "period",
    "value",
    "is_suppressed",
    "missing_reason",
)

Progress = Callable[[int, int], None]


def _copy_into_staging(cursor, values: pd.DataFrame, progress: Progress | None = None) -> None:
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
            is_suppressed boolean NOT NULL,
            missing_reason varchar(16) NOT NULL DEFAULT ''
        ) ON COMMIT DROP
        """
    )
    # Binary COPY carries every float exactly: a value read back compares equal to the file's.
    if "missing_reason" not in values.columns:
        values = values.assign(missing_reason="")
    copy_frame("import_staging", values, columns=_STAGING_COLUMNS, progress=progress)


def _staging_counts(cursor) -> tuple[int, int]:
    """How many staged values are new, and how many differ from the stored ones."""
    cursor.execute(
        """
        SELECT count(*) FILTER (WHERE v.id IS NULL),
               count(*) FILTER (WHERE v.id IS NOT NULL AND (v.value IS DISTINCT FROM s.value
                                OR v.is_suppressed <> s.is_suppressed
                                OR v.missing_reason <> s.missing_reason))
          FROM import_staging s
          LEFT JOIN monitoring_indicatorvalue v
            ON v.region_id = s.region_id AND v.indicator_id = s.indicator_id
           AND v.period = s.period
        """
    )
    return cursor.fetchone()


def values_compare(*, values: pd.DataFrame) -> ValueCounts:
    """How ``values_import`` would count ``values`` (new / changed / unchanged), writing nothing.

    The values go into the same temporary staging table, are compared with set-based SQL and
    the transaction is rolled back, staging table and all.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        _copy_into_staging(cursor, values)
        new, changed = _staging_counts(cursor)
        transaction.set_rollback(True)
    return ValueCounts(new=new, changed=changed, unchanged=len(values) - new - changed)


@bumps_data_version
def values_import(
    *,
    values: pd.DataFrame,
    batch: ImportBatch | None = None,
    progress: Progress | None = None,
) -> ValueCounts:
    """Merge values into the store: one row per region, indicator and period.

    ``values`` has ``region_id, indicator_id, period, value, is_suppressed``; ``value`` NaN means
    missing (with ``is_suppressed`` when CBS marked the cell secret). New values carry ``batch``;
    every changed value also gets a ValueChange with its earlier state, so the batch can be
    rolled back exactly.
    Identical values are left untouched, so importing the same file twice changes nothing.
    ``progress(done, total)`` is called as the values are loaded.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        _copy_into_staging(cursor, values, progress)
        batch_id = batch.pk if batch else None
        cursor.execute("ANALYZE pg_temp.import_staging")
        new, changed = _staging_counts(cursor)
        # New values need no record: they carry the batch and are simply deleted on rollback.
        # A changed value keeps its earlier state in a ValueChange.
        cursor.execute(
            """
            INSERT INTO monitoring_valuechange (
                batch_id, region_id, indicator_id, period, existed_before,
                old_value, old_is_suppressed, old_missing_reason, old_batch_id, new_value)
            SELECT %(batch)s, s.region_id, s.indicator_id, s.period, true,
                   v.value, v.is_suppressed, v.missing_reason, v.batch_id, s.value
              FROM import_staging s
              JOIN monitoring_indicatorvalue v
                ON v.region_id = s.region_id AND v.indicator_id = s.indicator_id
               AND v.period = s.period
             WHERE %(batch)s IS NOT NULL
               AND (v.value IS DISTINCT FROM s.value OR v.is_suppressed <> s.is_suppressed
                    OR v.missing_reason <> s.missing_reason)
            """,
            {"batch": batch_id},
        )
        cursor.execute(
            """
            INSERT INTO monitoring_indicatorvalue
                   (region_id, indicator_id, period, value, is_suppressed, missing_reason,
                    batch_id)
            SELECT region_id, indicator_id, period, value, is_suppressed, missing_reason,
                   %(batch)s
              FROM import_staging
            ON CONFLICT (region_id, indicator_id, period) DO UPDATE
               SET value = EXCLUDED.value, is_suppressed = EXCLUDED.is_suppressed,
                   missing_reason = EXCLUDED.missing_reason, batch_id = EXCLUDED.batch_id
             WHERE monitoring_indicatorvalue.value IS DISTINCT FROM EXCLUDED.value
                OR monitoring_indicatorvalue.is_suppressed <> EXCLUDED.is_suppressed
                OR monitoring_indicatorvalue.missing_reason <> EXCLUDED.missing_reason
            """,
            {"batch": batch_id},
        )
        written = cursor.rowcount
        if batch_id is None:
            # Without a batch nothing was recorded; count from the merge itself.
            new, changed = written, 0
        cursor.execute("DROP TABLE IF EXISTS pg_temp.import_staging")
    return ValueCounts(new=new, changed=changed, unchanged=len(values) - new - changed)


@bumps_data_version
def values_restore(*, batch: ImportBatch) -> int:
    """Undo what ``values_import`` did for ``batch``: values it created (those carrying the
    batch without a ValueChange) are deleted, values it changed get their earlier value,
    secrecy and batch back. Returns the number of values."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            DELETE FROM monitoring_indicatorvalue v
             WHERE v.batch_id = %(batch)s
               AND NOT EXISTS (
                   SELECT 1 FROM monitoring_valuechange c
                    WHERE c.batch_id = %(batch)s AND c.existed_before
                      AND c.region_id = v.region_id AND c.indicator_id = v.indicator_id
                      AND c.period = v.period)
            """,
            {"batch": batch.pk},
        )
        deleted = cursor.rowcount
        cursor.execute(
            """
            UPDATE monitoring_indicatorvalue v
               SET value = c.old_value, is_suppressed = c.old_is_suppressed,
                   missing_reason = c.old_missing_reason, batch_id = c.old_batch_id
              FROM monitoring_valuechange c
             WHERE c.batch_id = %(batch)s AND c.existed_before
               AND v.region_id = c.region_id AND v.indicator_id = c.indicator_id
               AND v.period = c.period
            """,
            {"batch": batch.pk},
        )
        return deleted + cursor.rowcount


@bumps_data_version
def derived_values_recompute(*, region_ids: list[int] | None = None) -> int:
    """Recompute every derived indicator (numerator / denominator × factor) from its inputs.

    A derived value is missing when an input is missing or the denominator is 0. The derived
    values in scope are always a function of their inputs: values that can no longer be
    computed are deleted, the others inserted or updated in place (so a rollback of the inputs
    followed by this gives back exactly the earlier derived rows). Returns the rows written.
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
            computed = f"""
                SELECT region_id, period, num / den * %(factor)s AS value
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
            """
            cursor.execute("DROP TABLE IF EXISTS pg_temp.derived_staging")
            cursor.execute(
                f"CREATE TEMP TABLE derived_staging ON COMMIT DROP AS {computed}", params
            )
            cursor.execute(
                f"""
                DELETE FROM monitoring_indicatorvalue v
                 WHERE v.indicator_id = %(target)s {scope}
                   AND NOT EXISTS (SELECT 1 FROM derived_staging d
                                    WHERE d.region_id = v.region_id AND d.period = v.period)
                """,
                params,
            )
            written += cursor.rowcount
            cursor.execute(
                """
                INSERT INTO monitoring_indicatorvalue
                       (region_id, indicator_id, period, value, is_suppressed, batch_id)
                SELECT region_id, %(target)s, period, value, false, NULL FROM derived_staging
                ON CONFLICT (region_id, indicator_id, period) DO UPDATE
                   SET value = EXCLUDED.value, is_suppressed = false, missing_reason = '',
                       batch_id = NULL
                 WHERE monitoring_indicatorvalue.value IS DISTINCT FROM EXCLUDED.value
                    OR monitoring_indicatorvalue.is_suppressed
                    OR monitoring_indicatorvalue.batch_id IS NOT NULL
                """,
                params,
            )
            written += cursor.rowcount
            cursor.execute("DROP TABLE pg_temp.derived_staging")
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
