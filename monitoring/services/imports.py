"""Importing a file in two steps, and undoing it.

- ``import_preview``: parse, map columns to indicators, check every cell and compare with the
  store. Writes nothing: the values are compared in a temporary staging table inside a
  transaction that is rolled back.
- ``import_apply``: the same checks, then one transaction: regions, values (COPY + set-based
  merge), derived indicators, inhabitants, the batch record. All or nothing.
- ``import_rollback``: values the batch created disappear, values it changed get their earlier
  value back, regions it created (and no one uses since) disappear, regions it renamed or
  re-linked get their earlier state back.

Policies (also in docs/architecture.md):

- Rejected cells (text in a number column, a value outside the indicator's range, a formula, a
  shifted or duplicate row, a region of another municipality, an unknown region in a municipal
  file) block ``import_apply`` unless the caller passes ``skip_rejected=True`` (the form's
  checkbox, the command's ``--skip-rejected``). Skipped cells are never stored, not even as
  missing.
- A file whose values are all already there changes nothing and says so: no batch is recorded
  (``ImportResult.already_imported``). A file imported before whose values were changed since by
  a later file is applied again (it puts its values back) and the preview says so.
- Rollback refuses, in Dutch, when a later import (or a hand edit) changed any of the same
  values: roll that later import back first. Imports are thus undone in reverse order, one at a
  time, and every rollback restores an exact earlier state.
- Scores: after a commit, ``scores_recompute(municipality=…)`` is called for each municipality
  concerned when that service exists. A failing score recompute does not undo the import; it
  is logged and noted on the batch.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from monitoring.importing.formats.geometry import parse_boundaries
from monitoring.importing.mapping import alias_index, alias_key, map_columns
from monitoring.importing.parsers import CellProblem, ImportFileError, parse_table, range_problems
from monitoring.models import ImportBatch, Indicator, Level, Region
from monitoring.periods import InvalidPeriod, Period
from monitoring.services.values import (
    ValueCounts,
    derived_values_recompute,
    municipality_code_of,
    region_geometry_set,
    region_inhabitants_refresh,
    regions_restore,
    regions_sync_recorded,
    values_compare,
    values_import,
    values_restore,
)

logger = logging.getLogger(__name__)

FORMAT_CHOICES = ("auto", "cbs", "long", "wide", "geojson")
BOUNDARY_FORMATS = frozenset({"geojson", "topojson"})
PREVIEW_MAX_REJECTED = 500  # shown and stored; the total is always counted
SCORES_ONE_PASS_FROM = 10  # municipalities; above this, scores are recomputed in one pass
ANALYZE_FROM_ROWS = 20_000  # after merging this many values, refresh the planner's statistics

# progress(percent, phase, rows_done, rows_total)
ProgressReport = Callable[[int, str, int, int], None]


class ImportRefused(ImportFileError):
    """``import_apply`` writes nothing because cells were rejected and skipping was not chosen."""


class RollbackRefused(Exception):
    """The batch cannot be rolled back; ``message`` says why, in Dutch."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- What a preview tells -------------------------------------------------------------------


@dataclass
class ImportPreview:
    file_name: str
    sha256: str
    size: int
    file_format: str
    period: str
    periods: list[str]
    municipality_code: str | None
    counts: ValueCounts
    regions_new: list[dict] = field(default_factory=list)  # {code, name, level}
    regions_renamed: int = 0
    regions_unknown: list[str] = field(default_factory=list)
    regions_outside: list[str] = field(default_factory=list)
    columns_used: list[dict] = field(default_factory=list)  # {column, indicator, name}
    columns_unused: list[str] = field(default_factory=list)
    rejected: list[CellProblem] = field(default_factory=list)
    rejected_total: int = 0
    notes: list[str] = field(default_factory=list)
    geometries_changed: int = 0
    previous_batch_id: int | None = None

    @property
    def has_rejections(self) -> bool:
        return self.rejected_total > 0

    @property
    def nothing_to_do(self) -> bool:
        return (
            self.counts.new == 0
            and self.counts.changed == 0
            and not self.regions_new
            and self.regions_renamed == 0
            and self.geometries_changed == 0
        )

    @property
    def summary(self) -> str:
        """One Dutch sentence: what applying would do."""
        if self.nothing_to_do:
            if self.previous_batch_id:
                return (
                    f"Dit bestand is al ingelezen (import #{self.previous_batch_id}); "
                    "er verandert niets."
                )
            return "Alle waarden in dit bestand staan er al; er verandert niets."
        parts = [
            f"{_nl_int(self.counts.new)} nieuwe waarden",
            f"{_nl_int(self.counts.changed)} gewijzigde waarden",
            f"{_nl_int(self.counts.unchanged)} ongewijzigd",
        ]
        if self.regions_new:
            parts.append(f"{_nl_int(len(self.regions_new))} nieuwe regio's")
        if self.geometries_changed:
            parts.append(f"{_nl_int(self.geometries_changed)} regiogrenzen bijgewerkt")
        return "Inlezen geeft " + ", ".join(parts) + "."

    def to_json(self) -> dict:
        data = asdict(self)
        data["counts"] = asdict(self.counts)
        data["rejected"] = [asdict(p) for p in self.rejected]
        return data

    @classmethod
    def from_json(cls, data: dict) -> ImportPreview:
        data = dict(data)
        data["counts"] = ValueCounts(**data["counts"])
        data["rejected"] = [CellProblem(**p) for p in data["rejected"]]
        return cls(**data)


@dataclass
class ImportResult:
    preview: ImportPreview
    batch: ImportBatch | None
    counts: ValueCounts
    regions_created: int = 0
    already_imported: bool = False
    message: str = ""

    @property
    def file_name(self) -> str:
        return self.preview.file_name

    @property
    def period(self) -> str:
        return self.preview.period

    @property
    def file_format(self) -> str:
        return self.preview.file_format


@dataclass
class RollbackResult:
    batch: ImportBatch
    values_restored: int
    regions_deleted: int
    regions_kept: int
    message: str


# --- Preparing a file: everything but writing ------------------------------------------------


@dataclass
class _Plan:
    preview: ImportPreview
    region_year: int
    regions: pd.DataFrame  # code, name, level: to create or update
    cells: pd.DataFrame  # code, indicator_id, period, value, is_suppressed
    existing: dict[str, int]  # code -> region id for regions already there
    geometries: pd.DataFrame | None = None  # boundary files: code, geometry


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _nl_int(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _check_size(data: bytes) -> None:
    limit = settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024
    if len(data) > limit:
        raise ImportFileError(
            f"Het bestand is {len(data) / 1024 / 1024:.1f} MB; de grens is "
            f"{settings.IMPORT_MAX_UPLOAD_MB} MB (instelling IMPORT_MAX_UPLOAD_MB).".replace(
                ".", ",", 1
            )
        )


def _is_boundary_file(data: bytes, filename: str, file_format: str) -> bool:
    if file_format in BOUNDARY_FORMATS:
        return True
    if file_format != "auto":
        return False
    if filename.lower().endswith((".geojson", ".topojson")):
        return True
    # Tables are never JSON: a JSON object is a GeoJSON or TopoJSON boundary file (or nothing).
    return data[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def _resolve_period(text: str | None) -> str:
    if not text:
        raise ImportFileError(
            "Het bestand noemt geen periode. Geef de periode op (bijvoorbeeld 2023 of 2024-K3)."
        )
    try:
        return str(Period.parse(text))
    except InvalidPeriod as error:
        raise ImportFileError(str(error)) from None


def _previous_batch_id(digest: str) -> int | None:
    return (
        ImportBatch.objects.filter(sha256=digest, status=ImportBatch.Status.APPLIED)
        .order_by("-finished_at")
        .values_list("pk", flat=True)
        .first()
    )


def _existing_regions(codes: list[str], year: int) -> dict[str, int]:
    """Regions already there for ``year`` (or that ``regions_sync`` would extend back to it)."""
    found = dict(Region.objects.filter(code__in=codes).valid_in(year).values_list("code", "pk"))
    for code, pk in (
        Region.objects.filter(code__in=set(codes) - set(found), first_year__gt=year)
        .order_by("first_year")
        .values_list("code", "pk")
    ):
        found.setdefault(code, pk)
    return found


def _problem(line: int, column: str, value: str, reason: str) -> CellProblem:
    return CellProblem(line=int(line), column=str(column), value=str(value), reason=reason)


def _plan(
    *,
    data: bytes,
    filename: str,
    period: str | None,
    file_format: str,
    municipality: Region | None,
) -> _Plan:
    _check_size(data)
    if file_format not in FORMAT_CHOICES and file_format not in BOUNDARY_FORMATS:
        raise ImportFileError(
            f"Onbekend formaat '{file_format}'; kies uit {', '.join(FORMAT_CHOICES)}."
        )
    if _is_boundary_file(data, filename, file_format):
        return _plan_boundaries(
            data=data, filename=filename, period=period, municipality=municipality
        )
    parsed = parse_table(data, filename=filename, file_format=file_format, period=period)
    digest = sha256_of(data)
    problems: list[CellProblem] = list(parsed.problems)
    notes: list[str] = []
    values = parsed.values
    if parsed.regions.empty:
        raise ImportFileError(
            "Het bestand bevat geen gegevensregels, alleen een kopregel (of niets bruikbaars)."
        )

    # Columns → indicators, decided once per column. Derived indicators are computed, never
    # read from a file.
    indicators = list(Indicator.objects.values_list("id", "code", "aliases", "numerator"))
    index = alias_index((pk, code, aliases) for pk, code, aliases, numerator in indicators)
    derived_keys = {alias_key(code) for pk, code, aliases, numerator in indicators if numerator}
    index = {key: pk for key, pk in index.items() if key not in derived_keys}
    codes_by_id = {pk: code for pk, code, _aliases, _num in indicators}
    column_order = list(pd.unique(values["column"]))
    if {"column", "key"} <= set(parsed.columns.columns) and set(column_order) <= set(
        parsed.columns["column"]
    ):
        pairs = parsed.columns.loc[parsed.columns["column"].isin(column_order), ["column", "key"]]
    else:
        pairs = values.drop_duplicates("column").loc[:, ["column", "key"]]
    pairs = _map_loosely(map_columns(pairs, index), index)
    indicator_of_column = pairs.set_index("column")["indicator_id"].to_dict()
    key_of_column = pairs.set_index("column")["key"].to_dict()
    first_column: dict[int, str] = {}
    unused: list[str] = []
    for column in column_order:
        indicator_id = indicator_of_column.get(column)
        if indicator_id is None or pd.isna(indicator_id):
            unused.append(column)
        elif int(indicator_id) in first_column:
            unused.append(column)
            notes.append(
                f"Kolom '{column}' hoort ook bij indicator {codes_by_id[int(indicator_id)]}; "
                f"alleen kolom '{first_column[int(indicator_id)]}' wordt gebruikt."
            )
        else:
            first_column[int(indicator_id)] = column
    unused += [c for c in parsed.text_columns if c not in unused]
    indicator_by_column = {column: pk for pk, column in first_column.items()}
    # From here on only the cells that feed an indicator: a national file has millions of cells.
    values = values[values["column"].isin(list(indicator_by_column))]
    columns_used = [
        {"column": column, "indicator": codes_by_id[pk]} for pk, column in first_column.items()
    ]

    # Periods: from the file (a column, the title or the file name) or as given.
    row_periods = (
        values["period"]
        if "period" in values
        else pd.Series(None, index=values.index, dtype=object)
    )
    given = parsed.period or period
    distinct = sorted({p for p in row_periods.dropna().unique() if p})
    if not distinct:
        distinct = [_resolve_period(given)]
    normal: dict[str, str] = {}
    for text in distinct:
        try:
            normal[text] = str(Period.parse(text))
        except InvalidPeriod:
            continue
    if not normal:
        _resolve_period(given if given else None)  # raises the Dutch message
        raise ImportFileError(f"'{distinct[0]}' is geen geldige periode.")
    file_period = (
        _resolve_period(given) if given else str(max(Period.parse(p) for p in normal.values()))
    )
    values = values.assign(period=row_periods.fillna(file_period).replace("", file_period))
    bad_period = ~values["period"].isin([*normal, file_period])
    for row in values.loc[bad_period].drop_duplicates("line").itertuples(index=False):
        problems.append(
            _problem(
                row.line,
                "periode",
                row.period,
                f"Regel {row.line}: '{row.period}' is geen geldige periode (gebruik een jaar, "
                "2019, of een kwartaal, 2024-K3); rij overgeslagen.",
            )
        )
    values = values.loc[~bad_period]
    values = values.assign(period=values["period"].map(normal).fillna(file_period))
    periods = sorted(set(values["period"]), key=Period.parse) or [file_period]
    region_year = Period.parse(periods[0]).year

    mapped = values.assign(indicator_id=values["column"].map(indicator_by_column).astype("Int64"))

    # Ranges from the indicators' minimum and maximum.
    limits_by_id = {
        pk: (low, high)
        for pk, low, high in Indicator.objects.filter(pk__in=list(first_column)).values_list(
            "pk", "minimum", "maximum"
        )
        if low is not None or high is not None
    }
    limits = {
        key_of_column[first_column[pk]]: bounds
        for pk, bounds in limits_by_id.items()
        if first_column[pk] in key_of_column
    }
    out_of_range = range_problems(mapped[mapped["value"].notna()], limits)
    problems += out_of_range
    if out_of_range:
        bad = {(p.line, p.column) for p in out_of_range}
        keys = pd.Series(
            list(zip(mapped["line"], mapped["column"], strict=True)), index=mapped.index
        )
        mapped = mapped[~keys.isin(bad)]

    # Regions: those outside the chosen municipality and, in municipal (generic) files, those
    # that do not exist yet are rejected. The country row (NL00) belongs to every municipality:
    # it is the reference of the method "afstand tot de landelijke waarde".
    regions = parsed.regions
    land = regions["code"].str.upper().str.startswith("NL")
    if land.any():
        notes.append(
            "De landelijke rij (NL00) wordt opgeslagen als vergelijkingswaarde voor de methode "
            "‘afstand tot de landelijke waarde’."
        )
    outside: list[str] = []
    if municipality is not None:
        municipality_codes = regions["code"].map(municipality_code_of)
        is_outside = (municipality_codes != municipality.code) & ~land
        outside = regions.loc[is_outside, "code"].tolist()
        for row in regions[is_outside].itertuples(index=False):
            problems.append(
                _problem(
                    row.line,
                    "regio",
                    row.code,
                    f"Regel {row.line}: {row.code} hoort niet bij {municipality.name} "
                    f"({municipality.code}); rij overgeslagen.",
                )
            )
        regions = regions[~is_outside]
        mapped = mapped[mapped["code"].isin(set(regions["code"]))]
    codes = regions["code"].drop_duplicates().tolist()
    existing = _existing_regions(codes, region_year)
    unknown: list[str] = []
    # CBS files may create the regions they hold (OData files carry codes only: the code is the
    # name until a file with names comes). Municipal files (long, wide, or any other file
    # without region names) refer to regions that must exist already.
    nameless = regions["name"].fillna("").astype(str).str.strip() == ""
    generic = parsed.format in ("long", "wide")
    if generic or (parsed.format != "cbs-odata" and nameless.any()):
        placeable = ~nameless & (not generic)
        missing = regions[~regions["code"].isin(existing) & ~placeable]
        unknown = missing["code"].drop_duplicates().tolist()
        for row in missing.drop_duplicates("code").itertuples(index=False):
            problems.append(
                _problem(
                    row.line,
                    "regio",
                    row.code,
                    f"Regel {row.line}: regio {row.code} is onbekend. Lees eerst de "
                    "CBS-kerncijfers of de grenzen in waarin deze regio staat; rij overgeslagen.",
                )
            )
        regions = regions[~regions["code"].isin(set(unknown))]
        mapped = mapped[~mapped["code"].isin(set(unknown))]
    new_regions = regions[~regions["code"].isin(existing)].drop_duplicates("code")
    names = dict(Region.objects.filter(pk__in=list(existing.values())).values_list("pk", "name"))
    file_names = regions.drop_duplicates("code").set_index("code")["name"].fillna("").astype(str)
    renamed = sum(
        1
        for code, pk in existing.items()
        if code in file_names.index
        and file_names[code].strip()
        and file_names[code].strip() != names.get(pk)
    )

    cells = pd.DataFrame(
        {
            "code": mapped["code"].to_numpy(dtype=object),
            "indicator_id": mapped["indicator_id"].astype("int64").to_numpy(),
            "period": mapped["period"].to_numpy(dtype=object),
            "value": mapped["value"].astype("float64").to_numpy(),
            "is_suppressed": mapped["suppressed"].astype(bool).to_numpy(),
        }
    )
    # Cells that are simply empty are not stored; CBS's '.' (secret) is, as missing.
    cells = cells[cells["value"].notna() | cells["is_suppressed"]].reset_index(drop=True)
    if cells.empty and not len(new_regions) and not problems:
        notes.append("Geen enkele kolom van dit bestand hoort bij een indicator.")

    problems.sort(key=lambda p: (p.line, p.column))
    preview = ImportPreview(
        file_name=filename,
        sha256=digest,
        size=len(data),
        file_format=parsed.format,
        period=file_period,
        periods=periods,
        municipality_code=municipality.code if municipality else None,
        counts=ValueCounts(0, 0, 0),
        regions_new=[
            {"code": r.code, "name": r.name or "", "level": r.level or ""}
            for r in new_regions.itertuples(index=False)
        ],
        regions_renamed=renamed,
        regions_unknown=unknown,
        regions_outside=outside,
        columns_used=columns_used,
        columns_unused=unused,
        rejected=problems[:PREVIEW_MAX_REJECTED],
        rejected_total=len(problems),
        notes=notes,
        previous_batch_id=_previous_batch_id(digest),
    )
    return _Plan(
        preview=preview,
        region_year=region_year,
        regions=regions.loc[:, ["code", "name", "level"]].drop_duplicates("code"),
        cells=cells,
        existing=existing,
    )


_YEAR_IN_NAME = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")


def _plan_boundaries(
    *, data: bytes, filename: str, period: str | None, municipality: Region | None
) -> _Plan:
    parsed = parse_boundaries(data, filename=filename)
    problems = list(parsed.problems)
    if period:
        file_period = _resolve_period(period)
    elif match := _YEAR_IN_NAME.search(filename):
        file_period = match.group(1)
    else:
        file_period = str(date.today().year)
    year = Period.parse(file_period).year
    frame = parsed.regions
    if frame.empty:
        raise ImportFileError("Het grenzenbestand bevat geen enkele regio met een code.")
    frame = frame[frame["level"].isin([Level.GEMEENTE, Level.WIJK, Level.BUURT])]
    outside: list[str] = []
    if municipality is not None:
        is_outside = frame["code"].map(municipality_code_of) != municipality.code
        outside = frame.loc[is_outside, "code"].tolist()
        for position, code in enumerate(outside[:PREVIEW_MAX_REJECTED]):
            problems.append(
                _problem(
                    0,
                    "regio",
                    code,
                    f"Object {position + 1}: {code} hoort niet bij {municipality.name} "
                    f"({municipality.code}); overgeslagen.",
                )
            )
        frame = frame[~is_outside]
    codes = frame["code"].tolist()
    existing = _existing_regions(codes, year)
    current = dict(
        Region.objects.filter(pk__in=list(existing.values())).values_list("pk", "geometry")
    )
    changed = sum(
        1
        for row in frame.itertuples(index=False)
        if row.code in existing and current.get(existing[row.code]) != row.geometry
    )
    new = frame[~frame["code"].isin(existing)]
    preview = ImportPreview(
        file_name=filename,
        sha256=sha256_of(data),
        size=len(data),
        file_format=parsed.format,
        period=file_period,
        periods=[file_period],
        municipality_code=municipality.code if municipality else None,
        counts=ValueCounts(0, 0, 0),
        regions_new=[
            {"code": r.code, "name": r.name or "", "level": r.level}
            for r in new.itertuples(index=False)
        ],
        rejected=problems[:PREVIEW_MAX_REJECTED],
        rejected_total=len(problems),
        notes=[f"Grenzen in {parsed.source_crs}, omgezet naar WGS84 en vereenvoudigd."],
        geometries_changed=changed + len(new),
        previous_batch_id=_previous_batch_id(sha256_of(data)),
    )
    # Existing regions keep their names: a map's labels are not the CBS register.
    regions = frame.loc[:, ["code", "name", "level"]].copy()
    regions.loc[regions["code"].isin(existing), "name"] = ""
    return _Plan(
        preview=preview,
        region_year=year,
        regions=regions,
        cells=pd.DataFrame(columns=["code", "indicator_id", "period", "value", "is_suppressed"]),
        existing=existing,
        geometries=frame.loc[:, ["code", "geometry"]],
    )


def _loose(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", alias_key(text))


def _map_loosely(mapped: pd.DataFrame, index: dict[str, int]) -> pd.DataFrame:
    """Second chance for columns no alias matched, ignoring punctuation and spaces.

    StatLine downloads re-written by R have every space, slash and bracket turned into a dot
    (``Bevolking.Aantal.inwoners..aantal.``); the parser keeps those keys as they are. Only
    unambiguous matches count.
    """
    missing = mapped["indicator_id"].isna()
    if not missing.any():
        return mapped
    loose: dict[str, int | None] = {}
    for key, pk in index.items():
        name = _loose(key)
        loose[name] = pk if loose.get(name, pk) == pk else None
    table = {}
    for key in mapped.loc[missing, "key"].unique():
        name = _loose(re.sub(r"\.\.[^.]*\.$", "", str(key)))  # R's "..unit." suffix
        table[key] = loose.get(name)
    found = mapped.loc[missing, "key"].map(table)
    mapped = mapped.copy()
    mapped.loc[missing, "indicator_id"] = found.astype("Int64")
    return mapped


def _staged(cells: pd.DataFrame, region_ids: dict[str, int]) -> pd.DataFrame:
    region_id = cells["code"].map(region_ids)
    keep = region_id.notna()
    return pd.DataFrame(
        {
            "region_id": region_id[keep].astype("int64"),
            "indicator_id": cells.loc[keep, "indicator_id"],
            "period": cells.loc[keep, "period"],
            "value": cells.loc[keep, "value"],
            "is_suppressed": cells.loc[keep, "is_suppressed"],
        }
    )


def _count(plan: _Plan) -> ValueCounts:
    """New / changed / unchanged against the store, without writing."""
    on_existing = plan.cells["code"].isin(plan.existing)
    compared = values_compare(values=_staged(plan.cells[on_existing], plan.existing))
    on_new = int((~on_existing).sum())
    return ValueCounts(
        new=compared.new + on_new, changed=compared.changed, unchanged=compared.unchanged
    )


# --- The three services ---------------------------------------------------------------------


def import_preview(
    *,
    data: bytes,
    filename: str,
    period: str | None = None,
    file_format: str = "auto",
    municipality: Region | None = None,
) -> ImportPreview:
    """What importing this file would do; writes nothing. Raises ImportFileError (Dutch)."""
    plan = _plan(
        data=data,
        filename=filename,
        period=period,
        file_format=file_format,
        municipality=municipality,
    )
    plan.preview.counts = _count(plan)
    return plan.preview


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
    plan = _plan(
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
            f"{_nl_int(preview.rejected_total)} cellen of rijen zijn afgewezen (eerste: {first}) "
            "Er is niets ingelezen. Verbeter het bestand, of kies ervoor de afgewezen cellen "
            "over te slaan."
        )
    report(10, "Vergelijken met wat er al staat")
    with transaction.atomic():
        preview.counts = _count(plan)
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
        batch.municipality = municipality
        batch.file_size = len(data)
        batch.skip_rejected = skip_rejected
        if batch.pk is None:
            batch.save()
        staged = _staged(plan.cells, synced.ids)
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
        _scores_recompute_after(batch=batch, region_ids=touched)
    return ImportResult(
        preview=preview,
        batch=batch,
        counts=counts,
        regions_created=len(synced.created_ids),
        message=batch.message,
    )


def _applied_message(counts: ValueCounts, created: int, preview: ImportPreview) -> str:
    parts = [
        f"{_nl_int(counts.new)} nieuwe waarden",
        f"{_nl_int(counts.changed)} gewijzigd",
        f"{_nl_int(counts.unchanged)} ongewijzigd",
    ]
    if created:
        parts.append(f"{_nl_int(created)} nieuwe regio's")
    if preview.geometries_changed:
        parts.append(f"{_nl_int(preview.geometries_changed)} regiogrenzen")
    text = "Ingelezen: " + ", ".join(parts) + "."
    if preview.rejected_total:
        text += f" {_nl_int(preview.rejected_total)} afgewezen cellen of rijen overgeslagen."
    return text


def import_rollback(*, batch: ImportBatch, user=None) -> RollbackResult:
    """Undo an applied batch exactly (see the module docstring); raises RollbackRefused."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportBatch.Status.APPLIED:
            raise RollbackRefused(
                f"Import #{batch.pk} kan niet worden teruggedraaid: de status is "
                f"'{batch.get_status_display()}'. Alleen een ingelezen import kan terug."
            )
        _refuse_when_overwritten(batch)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT region_id FROM monitoring_valuechange WHERE batch_id = %(b)s UNION "
                "SELECT region_id FROM monitoring_indicatorvalue WHERE batch_id = %(b)s",
                {"b": batch.pk},
            )
            touched = {row[0] for row in cursor.fetchall()}
        restored = values_restore(batch=batch)
        changes = batch.region_changes or {}
        previous = changes.get("previous", {})
        regions_restore(previous=previous)
        touched |= {int(pk) for pk in previous}
        created = [int(pk) for pk in changes.get("created", [])]
        touched |= set(created)
        derived_values_recompute(region_ids=sorted(touched))
        deleted, kept = _regions_delete_unused(created)
        remaining = sorted(touched - deleted)
        region_inhabitants_refresh(region_ids=remaining)
        message = f"Teruggedraaid: {_nl_int(restored)} waarden hersteld"
        if deleted:
            message += f", {_nl_int(len(deleted))} regio's verwijderd"
        if kept:
            message += (
                f"; {_nl_int(len(kept))} regio's die deze import aanmaakte blijven bestaan "
                "omdat ze nog gebruikt worden"
            )
        message += "."
        batch.status = ImportBatch.Status.ROLLED_BACK
        batch.rolled_back_at = timezone.now()
        batch.rolled_back_by = user
        batch.message = f"{batch.message}\n{message}".strip()
        batch.save()
    _scores_recompute_after(batch=batch, region_ids=remaining)
    return RollbackResult(
        batch=batch,
        values_restored=restored,
        regions_deleted=len(deleted),
        regions_kept=len(kept),
        message=message,
    )


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
            parts.append(f"import #{pk} ({later[pk].file_name}) wijzigde er {_nl_int(count)}")
        else:
            parts.append(f"{_nl_int(count)} zijn daarna met de hand gewijzigd")
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


def _scores_recompute_after(*, batch: ImportBatch, region_ids: list[int]) -> None:
    """Once the import is committed, recompute the scores of the municipalities concerned.

    Inside a caller's transaction (a test, a demo load of several files) this waits for the
    outermost commit, so scores are only ever computed from committed values.
    """
    transaction.on_commit(lambda: _scores_recompute_now(batch=batch, region_ids=region_ids))


def _scores_recompute_now(*, batch: ImportBatch, region_ids: list[int]) -> None:
    """Recompute scores for the municipalities concerned, if the scoring service exists yet."""
    try:
        # Written by the scoring issue (#4); until it lands there is nothing to recompute.
        from monitoring.services import scores_recompute  # type: ignore[attr-defined]
    except ImportError:
        return
    concerned = Region.objects.filter(pk__in=region_ids)
    if concerned.filter(level=Level.LAND).exists():
        # A national value is the reference of every municipality's "landelijk" scores.
        concerned = Region.objects.all()
    municipality_ids = set(
        concerned.exclude(municipality=None).values_list("municipality_id", flat=True)
    )
    if len(municipality_ids) > SCORES_ONE_PASS_FROM:
        # A national file: one pass over every municipality beats hundreds of small ones.
        from monitoring.services import scores_recompute_all

        targets: list[tuple[str, Callable[[], object]]] = [("alle gemeenten", scores_recompute_all)]
    else:
        targets = [
            (m.name, lambda m=m: scores_recompute(municipality=m))
            for m in Region.objects.filter(pk__in=municipality_ids).order_by("code")
        ]
    for name, recompute in targets:
        try:
            with transaction.atomic():
                recompute()
        except Exception:
            logger.exception("Scores voor %s konden niet worden herberekend", name)
            note = f"Scores voor {name} konden niet worden herberekend."
            batch.message = f"{batch.message}\n{note}"
            ImportBatch.objects.filter(pk=batch.pk).update(message=batch.message)


# --- Running an uploaded file in the worker ---------------------------------------------------

# Advisory lock held (session level) by the process applying a batch: if that process dies,
# PostgreSQL releases it, which is how a page tells a crashed import from a slow one.
_RUN_LOCK = 3  # first key of pg_advisory_lock(int, int); the second is the batch id
PROGRESS_INTERVAL_S = 0.5


class _ProgressWriter:
    """Writes progress on its own connection, outside the import's transaction, so that the
    progress page sees it while the import is still running. At most every half second."""

    def __init__(self, batch_id: int) -> None:
        from django.db import connections

        self.batch_id = batch_id
        self.connection = connections.create_connection("default")
        self.last = 0.0
        self.broken = False

    def __call__(self, percent: int, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if self.broken or (now - self.last < PROGRESS_INTERVAL_S and percent < 95):
            return
        self.last = now
        try:
            with self.connection.cursor() as cursor:
                # Never wait for a lock: if the row is locked (a caller's transaction holds the
                # table), progress is skipped rather than the import stalled.
                cursor.execute("SET lock_timeout = '1s'")
                cursor.execute(
                    "UPDATE monitoring_importbatch SET progress = %s, phase = %s, "
                    "rows_done = %s, rows_total = %s WHERE id = %s",
                    [percent, phase[:100], done, total, self.batch_id],
                )
        except Exception:  # progress is a courtesy: never let it break the import
            self.broken = True
            logger.warning("Voortgang van import #%s niet bijgewerkt", self.batch_id)

    def close(self) -> None:
        self.connection.close()


def import_batch_queue(*, batch: ImportBatch, skip_rejected: bool) -> ImportBatch:
    """Mark a previewed batch as waiting for the worker (the caller enqueues the task)."""
    updated = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEWED).update(
        status=ImportBatch.Status.QUEUED, skip_rejected=skip_rejected, progress=0
    )
    if not updated:
        raise ImportFileError(f"Import #{batch.pk} is al gestart of afgerond.")
    batch.refresh_from_db()
    return batch


def import_batch_run(*, batch_id: int) -> str:
    """Apply an uploaded, queued batch (in the worker); returns its final status.

    The apply is one transaction: if the worker dies half-way, nothing was written and the
    batch shows as failed (see ``import_batch_status_refresh``).
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_RUN_LOCK, batch_id])
        if not cursor.fetchone()[0]:
            return "bezig"  # another worker has it
    progress = _ProgressWriter(batch_id)
    try:
        started = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.QUEUED).update(
            status=ImportBatch.Status.RUNNING, started_at=timezone.now(), progress=1
        )
        if not started:
            return "overgeslagen"
        batch = ImportBatch.objects.select_related("municipality", "user").get(pk=batch_id)
        try:
            data = (Path(settings.MEDIA_ROOT) / batch.stored_file).read_bytes()
            result = import_apply(
                data=data,
                filename=batch.file_name,
                period=batch.preview.get("requested_period") if batch.preview else None,
                file_format=(batch.preview or {}).get("requested_format", "auto"),
                municipality=batch.municipality,
                user=batch.user,
                skip_rejected=batch.skip_rejected,
                batch=batch,
                progress=progress,
            )
        except ImportFileError as error:
            _batch_fail(batch_id, error.message)
            return ImportBatch.Status.FAILED
        except Exception as error:
            logger.exception("Import #%s mislukt", batch_id)
            _batch_fail(
                batch_id,
                f"Onverwachte fout ({type(error).__name__}); er is niets ingelezen. "
                "Meld dit aan de beheerder.",
            )
            raise
        if result.already_imported:
            ImportBatch.objects.filter(pk=batch_id).update(
                status=ImportBatch.Status.APPLIED,
                values_unchanged=result.counts.unchanged,
                finished_at=timezone.now(),
                message=result.message,
                progress=100,
                phase="Klaar",
            )
        else:
            ImportBatch.objects.filter(pk=batch_id).update(progress=100, phase="Klaar")
        return ImportBatch.Status.APPLIED
    finally:
        progress.close()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_RUN_LOCK, batch_id])


def _batch_fail(batch_id: int, message: str) -> None:
    ImportBatch.objects.filter(pk=batch_id).update(
        status=ImportBatch.Status.FAILED,
        finished_at=timezone.now(),
        message=message,
        phase="Mislukt",
    )


def import_batch_status_refresh(*, batch: ImportBatch) -> ImportBatch:
    """A batch marked running whose worker is gone (its lock is free) has failed: say so.

    A queued batch whose task has finished or failed without starting it has failed too.
    """
    if batch.status == ImportBatch.Status.RUNNING:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [_RUN_LOCK, batch.pk])
            free = cursor.fetchone()[0]
            if free:
                ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.RUNNING).update(
                    status=ImportBatch.Status.FAILED,
                    finished_at=timezone.now(),
                    phase="Mislukt",
                    message="De verwerking is onderbroken (de worker is gestopt). Er is niets "
                    "ingelezen: de database is zoals hij was. Lees het bestand opnieuw in.",
                )
    elif batch.status == ImportBatch.Status.QUEUED and batch.task_id:
        from django_tasks_db.models import DBTaskResult

        task_status = (
            DBTaskResult.objects.filter(pk=batch.task_id).values_list("status", flat=True).first()
        )
        if task_status in ("FAILED", "SUCCESSFUL"):
            _batch_fail(
                batch.pk, "De taak is afgebroken voordat de import begon; er is niets ingelezen."
            )
    batch.refresh_from_db()
    return batch


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
