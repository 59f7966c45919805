"""Preparing a file: parse, map columns to indicators, check every cell, compare with the
store. Everything but writing; ``import_preview`` is this step on its own."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd
from django.conf import settings

from monitoring.importing.formats.geometry import parse_boundaries
from monitoring.importing.formats.grid import is_workbook, sniff_binary
from monitoring.importing.mapping import (
    IndicatorNames,
    alias_key,
    column_index,
    derived_of_column,
    is_name_key,
    map_columns,
)
from monitoring.importing.parsers import CellProblem, ImportFileError, parse_table, range_problems
from monitoring.importing.provenance import (
    INFERRED_PERIOD_TEXT,
    SECRET,
    UNAVAILABLE,
    is_inferred_period,
    missing_reasons,
)
from monitoring.importing.region_names import completes, region_name_kept
from monitoring.models import ImportBatch, Indicator, Level, Region
from monitoring.periods import InvalidPeriod, Period
from monitoring.services.imports.results import (
    BOUNDARY_FORMATS,
    FORMAT_CHOICES,
    PREVIEW_MAX_REJECTED,
    ImportPreview,
    ProgressReport,
    sha256_of,
)
from monitoring.services.values import (
    ValueCounts,
    municipality_code_of,
    values_compare,
)


@dataclass
class Plan:
    preview: ImportPreview
    region_year: int
    regions: pd.DataFrame  # code, name, level: to create or update
    cells: pd.DataFrame  # code, indicator_id, period, value, is_suppressed, missing_reason
    existing: dict[str, int]  # code -> region id for regions already there
    geometries: pd.DataFrame | None = None  # boundary files: code, geometry


def _check_size(data: bytes) -> None:
    limit = settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024
    if len(data) > limit:
        raise ImportFileError(
            f"Het bestand is {len(data) / 1024 / 1024:.1f} MB; de grens is "
            f"{settings.IMPORT_MAX_UPLOAD_MB} MB (instelling IMPORT_MAX_UPLOAD_MB).".replace(
                ".", ",", 1
            )
        )


def _check_format_choice(file_format: str) -> None:
    if file_format not in FORMAT_CHOICES and file_format not in BOUNDARY_FORMATS:
        raise ImportFileError(
            f"Onbekend formaat '{file_format}'; kies uit {', '.join(FORMAT_CHOICES)}."
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


def plan_file(
    *,
    data: bytes,
    filename: str,
    period: str | None,
    file_format: str,
    municipality: Region | None,
) -> Plan:
    _check_size(data)
    _check_format_choice(file_format)
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
    indicators = list(
        Indicator.objects.values_list("id", "code", "name_nl", "aliases", "numerator")
    )
    names = [
        IndicatorNames(pk, code, name, tuple(aliases), bool(numerator))
        for pk, code, name, aliases, numerator in indicators
    ]
    index = column_index(names)
    codes_by_id = {pk: code for pk, code, *_rest in indicators}
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
            if derived := derived_of_column(key_of_column.get(column, column), names):
                notes.append(
                    f"Kolom '{column}' is de berekende indicator ‘{derived.name}’ "
                    f"({derived.code}): die wordt uit andere indicatoren berekend en niet "
                    "ingelezen."
                )
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
    # Secret or not (yet) published: judged on the whole column of the file, before any row of
    # another municipality is left out.
    values = values.assign(missing_reason=missing_reasons(values))
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
        and region_name_kept(names.get(pk) or "", file_names[code]) != names.get(pk)
    )

    cells = pd.DataFrame(
        {
            "code": mapped["code"].to_numpy(dtype=object),
            "indicator_id": mapped["indicator_id"].astype("int64").to_numpy(),
            "period": mapped["period"].to_numpy(dtype=object),
            "value": mapped["value"].astype("float64").to_numpy(),
            "is_suppressed": mapped["suppressed"].astype(bool).to_numpy(),
            "missing_reason": mapped["missing_reason"].to_numpy(dtype=object),
        }
    )
    # Cells that are simply empty are not stored; CBS's '.' (secret) is, as missing.
    cells = cells[cells["value"].notna() | cells["is_suppressed"]].reset_index(drop=True)
    notes += _provenance_notes(cells, codes_by_id, period_source_of(parsed.period_source, period))

    problems.sort(key=lambda p: (p.line, p.column))
    preview = ImportPreview(
        file_name=filename,
        sha256=digest,
        size=len(data),
        file_format=parsed.format,
        period=file_period,
        periods=periods,
        period_source=period_source_of(parsed.period_source, period),
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
    return Plan(
        preview=preview,
        region_year=region_year,
        regions=regions.loc[:, ["code", "name", "level"]].drop_duplicates("code"),
        cells=cells,
        existing=existing,
    )


_YEAR_IN_NAME = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")


def _plan_boundaries(
    *, data: bytes, filename: str, period: str | None, municipality: Region | None
) -> Plan:
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
    stored = {
        pk: (geometry, name)
        for pk, geometry, name in Region.objects.filter(pk__in=list(existing.values())).values_list(
            "pk", "geometry", "name"
        )
    }
    current = {pk: geometry for pk, (geometry, _name) in stored.items()}
    completed = {
        row.code
        for row in frame.itertuples(index=False)
        if row.code in existing
        and completes(stored[existing[row.code]][1], row.name or "", code=row.code)
    }
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
        regions_renamed=len(completed),
        geometries_changed=changed + len(new),
        geometries_unchanged=max(0, len(frame) - changed - len(new)),
        previous_batch_id=_previous_batch_id(sha256_of(data)),
    )
    # Existing regions keep their names (a map's labels are not the CBS register), unless the
    # stored name is this one cut off (StatLine cuts names at 40 characters).
    regions = frame.loc[:, ["code", "name", "level"]].copy()
    regions.loc[regions["code"].isin(existing) & ~regions["code"].isin(completed), "name"] = ""
    return Plan(
        preview=preview,
        region_year=year,
        regions=regions,
        cells=pd.DataFrame(
            columns=["code", "indicator_id", "period", "value", "is_suppressed", "missing_reason"]
        ),
        existing=existing,
        geometries=frame.loc[:, ["code", "geometry"]],
    )


def _loose(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", alias_key(text))


def _map_loosely(mapped: pd.DataFrame, index: dict[str, int | None]) -> pd.DataFrame:
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
        if is_name_key(key):
            continue  # names are matched whole, never loosely
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


def period_source_of(parsed_source: str | None, given: str | None) -> str:
    """Where the batch's period came from; a period the person gave counts as given."""
    if given is not None and str(given).strip():
        return "opgegeven"
    return parsed_source or ""


def _provenance_notes(
    cells: pd.DataFrame, codes_by_id: dict[int, str], period_source: str
) -> list[str]:
    """What the preview says about missing figures and an inferred period."""
    notes = []
    if is_inferred_period(period_source):
        notes.append(
            f"De {INFERRED_PERIOD_TEXT[period_source]}. Controleer haar; de waarden worden op "
            "de pagina's gemarkeerd als ‘periode afgeleid’."
        )
    reasons = cells["missing_reason"]
    unavailable = cells.loc[reasons == UNAVAILABLE, "indicator_id"]
    if len(unavailable):
        names = sorted({codes_by_id.get(int(pk), str(pk)) for pk in unavailable.unique()})
        notes.append(
            f"{len(unavailable)} cellen zijn ‘niet beschikbaar’: CBS publiceerde "
            f"{', '.join(names)} voor deze periode (nog) niet (een punt in de hele kolom). "
            "Ze worden zo getoond, niet als geheim."
        )
    secret = int((reasons == SECRET).sum())
    if secret:
        notes.append(
            f"{secret} cellen zijn geheim: CBS toont ze niet omdat ze te weinig inwoners of "
            "waarnemingen tellen."
        )
    return notes


def staged_values(cells: pd.DataFrame, region_ids: dict[str, int]) -> pd.DataFrame:
    region_id = cells["code"].map(region_ids)
    keep = region_id.notna()
    return pd.DataFrame(
        {
            "region_id": region_id[keep].astype("int64"),
            "indicator_id": cells.loc[keep, "indicator_id"],
            "period": cells.loc[keep, "period"],
            "value": cells.loc[keep, "value"],
            "is_suppressed": cells.loc[keep, "is_suppressed"],
            "missing_reason": cells.loc[keep, "missing_reason"]
            if "missing_reason" in cells
            else "",
        }
    )


def count_changes(plan: Plan) -> ValueCounts:
    """New / changed / unchanged against the store, without writing."""
    on_existing = plan.cells["code"].isin(plan.existing)
    compared = values_compare(values=staged_values(plan.cells[on_existing], plan.existing))
    on_new = int((~on_existing).sum())
    return ValueCounts(
        new=compared.new + on_new, changed=compared.changed, unchanged=compared.unchanged
    )


def import_preview(
    *,
    data: bytes,
    filename: str,
    period: str | None = None,
    file_format: str = "auto",
    municipality: Region | None = None,
    progress: ProgressReport | None = None,
) -> ImportPreview:
    """What importing this file would do; writes nothing. Raises ImportFileError (Dutch)."""
    if progress is not None:
        progress(5, "Bestand lezen en controleren", 0, 0)
    plan = plan_file(
        data=data,
        filename=filename,
        period=period,
        file_format=file_format,
        municipality=municipality,
    )
    if progress is not None:
        progress(60, "Vergelijken met wat er al staat", 0, len(plan.cells))
    plan.preview.counts = count_changes(plan)
    return plan.preview


def upload_check(*, data: bytes, filename: str, file_format: str) -> None:
    """What can be refused from the first bytes alone, before a file is kept for the worker:
    too large, an unknown format, or clearly no table (empty, PDF, HTML, XML, binary).
    Raises ImportFileError (Dutch)."""
    _check_format_choice(file_format)
    _check_size(data)
    if _is_boundary_file(data, filename, file_format) or is_workbook(data, filename):
        return  # read in the worker; both are refused there with their own Dutch message
    if not data or not data.strip(b"\xef\xbb\xbf \t\r\n\x00"):
        raise ImportFileError("Het bestand is leeg.")
    sniff_binary(data, filename)
