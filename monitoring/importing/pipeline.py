"""One file into the store: parse, map columns to indicators, merge, recompute what follows.

This is the path every import takes (demo loader, command line, web). It is atomic: a file that
fails anywhere leaves the database as it was.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd
from django.db import transaction

from monitoring.importing.mapping import alias_index, map_columns
from monitoring.importing.parsers import CellProblem, ImportFileError, parse_table
from monitoring.models import ImportBatch, Indicator
from monitoring.periods import InvalidPeriod, Period
from monitoring.services import (
    ValueCounts,
    batch_finish,
    batch_start,
    derived_values_recompute,
    region_inhabitants_refresh,
    regions_sync,
    values_import,
)


@dataclass
class ImportOutcome:
    file_name: str
    period: str
    file_format: str
    batch: ImportBatch | None = None
    already_imported: bool = False
    counts: ValueCounts = field(default_factory=lambda: ValueCounts(0, 0, 0))
    regions_created: int = 0
    columns_unused: list[str] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_import(
    *,
    data: bytes,
    filename: str,
    period: str | None = None,
    file_format: str = "auto",
    user=None,
) -> ImportOutcome:
    """Import one tabular file (CBS or municipal); see ``monitoring.importing.parsers``."""
    digest = sha256_of(data)
    previous = ImportBatch.objects.filter(sha256=digest, status=ImportBatch.Status.APPLIED).first()
    if previous is not None:
        return ImportOutcome(
            file_name=filename,
            period=previous.period,
            file_format=previous.file_format,
            batch=previous,
            already_imported=True,
        )
    parsed = parse_table(data, filename=filename, file_format=file_format, period=period)
    file_period = _period_of(parsed.period or period)

    regions = parsed.regions[parsed.regions["level"].isin(["gemeente", "wijk", "buurt"])]
    values = parsed.values
    index = alias_index(Indicator.objects.values_list("id", "code", "aliases"))
    mapped = map_columns(values, index)
    unused = sorted(set(mapped.loc[mapped["indicator_id"].isna(), "column"]))
    mapped = mapped[mapped["indicator_id"].notna()]

    with transaction.atomic():
        region_ids, created = regions_sync(regions=regions, year=Period.parse(file_period).year)
        mapped = mapped.assign(region_id=mapped["code"].map(region_ids))
        mapped = mapped[mapped["region_id"].notna()]
        row_period = mapped.get("period")
        staged = pd.DataFrame(
            {
                "region_id": mapped["region_id"].astype("int64"),
                "indicator_id": mapped["indicator_id"].astype("int64"),
                "period": row_period.fillna(file_period) if row_period is not None else file_period,
                "value": mapped["value"].astype("float64"),
                "is_suppressed": mapped["suppressed"].astype(bool),
            }
        )
        # Cells that are simply empty are not stored; CBS's '.' (secret) is, as missing.
        staged = staged[staged["value"].notna() | staged["is_suppressed"]]
        batch = batch_start(
            file_name=filename,
            sha256=digest,
            file_format=parsed.format,
            period=file_period,
            user=user,
        )
        counts = values_import(values=staged, batch=batch)
        touched = sorted(set(region_ids.values()))
        derived_values_recompute(region_ids=touched)
        region_inhabitants_refresh(region_ids=touched)
        batch_finish(batch=batch, counts=counts, regions_created=created)
    return ImportOutcome(
        file_name=filename,
        period=file_period,
        file_format=parsed.format,
        batch=batch,
        counts=counts,
        regions_created=created,
        columns_unused=unused,
        problems=list(parsed.problems),
    )


def _period_of(text: str | None) -> str:
    if not text:
        raise ImportFileError(
            "Het bestand noemt geen periode. Geef de periode op (bijvoorbeeld 2023 of 2024-K3)."
        )
    try:
        return str(Period.parse(text))
    except InvalidPeriod as error:
        raise ImportFileError(str(error)) from None
