"""The export of observations as a table (CSV and XLSX through ``Table``). Pure: rows in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from monitoring.charts import Column, Table
from monitoring.conditions import CONDITIONS
from observations.practice import SCALE_HIGH, SCALE_LOW, Direction, Rating

_RATING_LABELS = dict(Rating.choices)
_DIRECTION_LABELS = dict(Direction.choices)


@dataclass(frozen=True)
class ExportRow:
    period: str
    ward_code: str
    ward_name: str
    status: str
    is_example: bool
    residents_reached: int | None
    sources: str
    ratings: dict[str, int | None]
    directions: dict[str, str]
    narratives: dict[str, str]
    signals: dict[str, str]  # kind name → frequency label


def export_table(
    rows: Sequence[ExportRow], *, caption: str, with_narratives: bool, signal_names: Sequence[str]
) -> Table:
    columns = [
        Column("period", "Kwartaal", decimals=None),
        Column("ward_code", "Wijkcode", decimals=None),
        Column("ward_name", "Wijk", decimals=None),
        Column("status", "Status", decimals=None),
        Column("example", "Voorbeeldgegevens", decimals=None),
        Column("residents_reached", "Bereikte bewoners", decimals=0),
        Column("sources", "Bronnen", decimals=None),
    ]
    for info in CONDITIONS:
        c = info.condition.value
        columns += [
            Column(f"rating_{c}", f"Oordeel {info.short_nl.lower()}", decimals=None),
            Column(f"score_{c}", f"Oordeel {info.short_nl.lower()}", unit="1–5", decimals=0),
            Column(f"direction_{c}", f"Richting {info.short_nl.lower()}", decimals=None),
        ]
        if with_narratives:
            columns.append(
                Column(f"narrative_{c}", f"Toelichting {info.short_nl.lower()}", decimals=None)
            )
    columns += [
        Column(f"signal_{name}", f"Signaal: {name}", decimals=None) for name in signal_names
    ]
    table_rows = []
    for row in rows:
        values = {
            "period": row.period,
            "ward_code": row.ward_code,
            "ward_name": row.ward_name,
            "status": row.status,
            "example": "ja" if row.is_example else "nee",
            "residents_reached": row.residents_reached,
            "sources": row.sources,
        }
        for info in CONDITIONS:
            c = info.condition.value
            rating = row.ratings.get(c)
            values[f"rating_{c}"] = _RATING_LABELS.get(rating, "") if rating is not None else ""
            values[f"score_{c}"] = rating if rating and SCALE_LOW <= rating <= SCALE_HIGH else None
            values[f"direction_{c}"] = _DIRECTION_LABELS.get(row.directions.get(c, ""), "")
            if with_narratives:
                values[f"narrative_{c}"] = row.narratives.get(c, "")
        for name in signal_names:
            values[f"signal_{name}"] = row.signals.get(name, "")
        table_rows.append(values)
    return Table(caption=caption, columns=columns, rows=table_rows, header_key="ward_name")
