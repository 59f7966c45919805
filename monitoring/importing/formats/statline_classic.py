"""StatLine download, classic: title line, ``"";"Onderwerp"``, a subject row with ``|`` in
the labels, a unit row, the data and a ``"Bron: CBS"`` footer; regions as rows or, transposed,
as columns. The period comes from the title unless the file has a Perioden column or the
caller gives one.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from monitoring.importing.formats.common import (
    LEVEL_BY_PREFIX,
    LEVEL_BY_SOORT,
    MAX_PROBLEMS_PER_KIND,
    REGION_CODE_RE,
    CellProblem,
    ImportFileError,
    ParsedTable,
    cell_problem,
    check_header,
    choose_period,
    code_column_by_content,
    convert_numbers,
    period_from_title,
    row_preview,
)
from monitoring.importing.formats.grid import Grid, frame_from_rows
from monitoring.importing.formats.layout import Layout, build_table

NAME = "cbs-statline-classic"
# Only a CSV download has this layout; a workbook is never guessed to be one.
DETECT_IN_WORKBOOKS = False


def detect(grid: Grid) -> bool:
    if len(grid.rows[0]) > 1 and any(c.strip() for c in grid.rows[0][1:]):
        return False
    head = grid.rows[:12]
    tail = grid.rows[-3:]
    return any(
        any(c.strip() == "Onderwerp" for c in r) or any("|" in c for c in r) for r in head
    ) or any(r and r[0].strip().startswith("Bron: CBS") for r in tail)


def parse(grid: Grid, *, filename: str, period: str | None, require_codes: bool) -> ParsedTable:
    """Classic StatLine: title, blank, ``"";"Onderwerp"``, subjects (``|``), units, data, footer.

    The transposed variant has regions as columns; it is turned into the normal layout first.
    """
    rows = list(grid.rows)
    lines = list(grid.lines)
    title = ""
    if rows and (len(rows[0]) == 1 or not any(c.strip() for c in rows[0][1:])):
        title = rows[0][0].strip()
        rows, lines = rows[1:], lines[1:]
    # Footer: "Bron: CBS" and anything after it.
    for i, row in enumerate(rows):
        if row and row[0].strip().startswith("Bron:") and not any(c.strip() for c in row[1:]):
            rows, lines = rows[:i], lines[:i]
            break
    title_period = period_from_title(title)
    transposed = _classic_transposed_code_row(rows)
    if transposed is not None:
        return _parse_classic_transposed(
            rows,
            lines,
            transposed,
            problems=list(grid.problems),
            filename=filename,
            period=period,
            title_period=title_period,
            require_codes=require_codes,
        )
    # Find the subject row (contains '|' labels or follows the "Onderwerp" row) and unit row.
    subject_idx = None
    for i, row in enumerate(rows[:20]):
        if sum(1 for c in row[1:] if "|" in c) >= 1 or (
            i > 0 and any(c.strip() == "Onderwerp" for c in rows[i - 1])
        ):
            subject_idx = i
            break
    if subject_idx is None:
        raise ImportFileError(
            "Dit StatLine-bestand heeft een indeling die niet gelezen kan worden (geen regel met "
            "onderwerpen gevonden). Download de tabel opnieuw als CSV met de regio's als rijen.",
            line=lines[0] if lines else 1,
        )
    subjects = rows[subject_idx]
    unit_row = rows[subject_idx + 1] if subject_idx + 1 < len(rows) else []
    has_units = bool(unit_row) and _looks_like_unit_row(unit_row)
    data_start = subject_idx + (2 if has_units else 1)
    width = len(subjects)
    header: list[str] = []
    units: list[str] = []
    for i in range(width):
        subject = " ".join(subjects[i].split())
        unit = " ".join(unit_row[i].split()) if has_units and i < len(unit_row) else ""
        if i == 0:
            label = (unit_row[0].strip() if has_units and unit_row[0].strip() else subject) or (
                "Wijken en buurten"
            )
            header.append(label)
            units.append("")
            continue
        header.append(f"{subject} ({unit})" if unit else subject)
        units.append(unit)
    header = check_header(header, lines[subject_idx])
    data_rows = rows[data_start:]
    data_lines = lines[data_start:]
    if not data_rows:
        raise ImportFileError(
            "Het bestand bevat alleen kopregels en geen gegevens.", line=lines[subject_idx]
        )
    problems: list[CellProblem] = list(grid.problems)
    frame, frame_lines = frame_from_rows(header, data_rows, data_lines, problems)
    layout = Layout(code=None, name=header[0], metadata=[header[0]])
    for i, h in enumerate(header[1:], start=1):
        label = " ".join(subjects[i].split()).replace("|", "/")
        low = label.lower()
        if "codering" in low or "regiocode" in low:
            layout.code = h
            layout.metadata.append(h)
        elif "gemeentenaam" in low:
            layout.municipality = h
            layout.metadata.append(h)
        elif "soort regio" in low:
            layout.level = h
            layout.metadata.append(h)
        elif low.startswith("regioaanduiding") or low in {"perioden", "periode"}:
            if low in {"perioden", "periode"}:
                layout.period = h
            layout.metadata.append(h)
        else:
            layout.keys[h] = label
            layout.labels[h] = f"{label} ({units[i]})" if units[i] else label
            layout.units[h] = units[i]
    if layout.code is None:
        layout.code = code_column_by_content(header, frame)
        if layout.code is not None:
            layout.keys.pop(layout.code, None)
            layout.metadata.append(layout.code)
    if layout.code is None and require_codes:
        raise ImportFileError(
            "Dit StatLine-bestand bevat alleen regionamen en geen regiocodes. Download de tabel "
            "opnieuw met het onderwerp 'Regioaanduiding/Codering' erbij.",
            line=lines[subject_idx],
        )
    file_period, source = choose_period(period, title_period, filename)
    return build_table(
        "cbs-statline-classic",
        frame,
        frame_lines,
        layout,
        file_period=file_period,
        period_source=source,
        problems=problems,
        require_codes=require_codes,
    )


def _looks_like_unit_row(row: list[str]) -> bool:
    cells = [c.strip() for c in row[1:] if c.strip()]
    if not cells:
        return False
    numeric = sum(1 for c in cells if re.fullmatch(r"[+-]?[\d.,]+", c) or c == ".")
    return numeric == 0


def _classic_transposed_code_row(rows: list[list[str]]) -> int | None:
    for i, row in enumerate(rows[:30]):
        if (
            row
            and "codering" in row[0].lower()
            and sum(1 for c in row[1:] if REGION_CODE_RE.match(c.strip().upper())) >= 1
        ):
            return i
    return None


def _parse_classic_transposed(
    rows: list[list[str]],
    lines: list[int],
    code_idx: int,
    *,
    problems: list[CellProblem],
    filename: str,
    period: str | None,
    title_period: str | None,
    require_codes: bool,
) -> ParsedTable:
    """Regions as columns: row ``"Regioaanduiding|Codering";"code";"NL00";...``, then one row per
    subject with its unit in column 2. Transposed here into one row per region."""
    code_row = rows[code_idx]
    region_cols = [
        j for j in range(2, len(code_row)) if REGION_CODE_RE.match(code_row[j].strip().upper())
    ]
    if not region_cols:
        raise ImportFileError(
            "Dit StatLine-bestand heeft de regio's als kolommen, maar er staan geen regiocodes "
            "in de regel 'Regioaanduiding|Codering'.",
            line=lines[code_idx],
        )
    names_row = None
    for i in range(code_idx):
        if rows[i] and rows[i][0].strip().lower() == "onderwerp":
            names_row = rows[i]
    meta: dict[str, list[str]] = {}
    subjects: list[tuple[str, str, list[str], int]] = []
    width = len(code_row)
    for row, line in zip(rows[code_idx + 1 :], lines[code_idx + 1 :], strict=True):
        if len(row) != width:
            problems.append(
                CellProblem(
                    line,
                    "",
                    row_preview(row),
                    f"Regel {line}: {len(row)} velden in plaats van {width}; rij overgeslagen.",
                )
            )
            continue
        subject = " ".join(row[0].split()).replace("|", "/")
        unit = row[1].strip()
        if subject.lower().startswith("regioaanduiding"):
            meta[subject] = row
            continue
        subjects.append((subject, unit, row, line))
    for i in range(code_idx):
        subject = " ".join(rows[i][0].split()).replace("|", "/")
        if subject.lower().startswith("regioaanduiding"):
            meta[subject] = rows[i]
    soort = next((r for s, r in meta.items() if "soort regio" in s.lower()), None)
    gemeente = next((r for s, r in meta.items() if "gemeentenaam" in s.lower()), None)
    codes = [code_row[j].strip().upper() for j in region_cols]
    file_period, source = choose_period(period, title_period, filename)
    regions = pd.DataFrame(
        {
            "code": codes,
            "name": [
                names_row[j].strip() if names_row and j < len(names_row) else ""
                for j in region_cols
            ],
            "level": [
                LEVEL_BY_PREFIX.get(c[:2], "")
                or (
                    LEVEL_BY_SOORT.get(soort[j].strip().lower(), "")
                    if soort and j < len(soort)
                    else ""
                )
                for c, j in zip(codes, region_cols, strict=True)
            ],
            # A stray quote can make a metadata row shorter than the code row.
            "municipality_name": [
                gemeente[j].strip() if gemeente and j < len(gemeente) else "" for j in region_cols
            ],
            # A region has no own line in this layout; its column sits on the code line.
            "line": [lines[code_idx]] * len(region_cols),
        }
    )
    records = []
    for subject, unit, row, line in subjects:
        label = f"{subject} ({unit})" if unit else subject
        for code, j in zip(codes, region_cols, strict=True):
            records.append((code, label, subject, file_period, row[j].strip(), line, unit))
    frame = pd.DataFrame(
        records, columns=["code", "column", "key", "period", "raw", "line", "unit"]
    )
    raw = frame["raw"].to_numpy(dtype=object)
    cells = convert_numbers(raw)
    for i in np.flatnonzero(cells.bad)[:MAX_PROBLEMS_PER_KIND]:
        line = int(frame.at[i, "line"])
        problems.append(
            cell_problem(line, f"{frame.at[i, 'code']}", raw[i], bool(cells.formula[i]))
        )
    values = pd.DataFrame(
        {
            "code": frame["code"].astype(object),
            "column": frame["column"].astype(object),
            "key": frame["key"].astype(object),
            "period": frame["period"].astype(object),
            "value": cells.values,
            "suppressed": cells.suppressed,
            "line": frame["line"].to_numpy(dtype=np.int64),
            "raw": raw,
        }
    )
    seen: dict[str, tuple[str, str]] = {}
    for subject, unit, _row, _line in subjects:
        label = f"{subject} ({unit})" if unit else subject
        seen.setdefault(label, (subject, unit))
    columns = pd.DataFrame(
        {
            "column": list(seen),
            "key": [v[0] for v in seen.values()],
            "label": list(seen),
            "unit": [v[1] for v in seen.values()],
        }
    )
    problems.sort(key=lambda p: (p.line, p.column))
    return ParsedTable(
        format="cbs-statline-classic",
        period=file_period,
        regions=regions,
        values=values,
        problems=problems,
        metadata_columns=list(meta),
        columns=columns,
        period_source=source,
    )
