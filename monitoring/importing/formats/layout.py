"""The shared path of every format with one header row: a column layout, then wide -> long.

A format module knows its own headers and returns a ``Layout`` (which column holds the code,
the name, the level, the municipality, the period, and which columns are data with what key,
label and unit). ``build_table`` does the rest the same way for all of them: shifted rows,
invalid and duplicate codes, periods, levels, and one long row per region row and data column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

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
    choose_period,
    code_column_by_content,
    convert_numbers,
    normalise_period,
    period_from_title,
)
from monitoring.importing.formats.grid import Grid, header_and_rows


@dataclass
class Layout:
    code: str | None
    name: str | None = None
    level: str | None = None
    municipality: str | None = None
    period: str | None = None
    metadata: list[str] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)  # data column -> key
    labels: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    # Columns CBS always fills for a real row; empty while the code is filled = shifted row.
    required: list[str] = field(default_factory=list)


def build_table(
    fmt: str,
    frame: pd.DataFrame,
    lines: np.ndarray,
    layout: Layout,
    *,
    file_period: str | None,
    period_source: str | None,
    problems: list[CellProblem],
    require_codes: bool,
) -> ParsedTable:
    if layout.code is None:
        if require_codes:
            raise ImportFileError(
                "Geen kolom met regiocodes gevonden (zoals GM0518, WK051801 of BU05180170). "
                "Voeg een kolom 'regiocode' toe of download het CBS-bestand met de codering."
            )
        codes = pd.Series([""] * len(frame), index=frame.index, dtype=object)
    else:
        codes = frame[layout.code].str.upper().str.replace(" ", "", regex=False)

    keep = pd.Series(True, index=frame.index)
    # Shifted/truncated CBS rows: the code is there but the always-filled CBS columns are empty.
    if layout.required and layout.code is not None:
        empty_required = pd.Series(True, index=frame.index)
        for col in layout.required:
            empty_required &= frame[col] == ""
        shifted = empty_required & (codes != "")
        for idx in frame.index[shifted][:MAX_PROBLEMS_PER_KIND]:
            line = int(lines[idx])
            problems.append(
                CellProblem(
                    line=line,
                    column=layout.required[0],
                    value=str(codes[idx]),
                    reason=(
                        f"Regel {line}: rij {codes[idx]} is afgekapt of verschoven (alle velden "
                        "na de naam zijn leeg, waarschijnlijk door een komma in de naam zonder "
                        "aanhalingstekens); rij overgeslagen."
                    ),
                )
            )
        keep &= ~shifted

    if layout.code is not None:
        valid = codes.str.fullmatch(REGION_CODE_RE.pattern).fillna(False).astype(bool)
        invalid = keep & ~valid
        for idx in frame.index[invalid][:MAX_PROBLEMS_PER_KIND]:
            line = int(lines[idx])
            raw_code = frame.at[idx, layout.code]
            reason = (
                f"Regel {line}: geen regiocode ingevuld; rij overgeslagen."
                if not raw_code
                else f"Regel {line}: '{raw_code}' is geen geldige regiocode (verwacht bijvoorbeeld "
                "GM0518, WK051801 of BU05180170); rij overgeslagen."
            )
            problems.append(CellProblem(line, layout.code, raw_code, reason))
        keep &= valid

    if layout.period is not None:
        periods = frame[layout.period].map(normalise_period).astype(object)
        periods[periods == ""] = file_period
    else:
        periods = pd.Series([file_period] * len(frame), index=frame.index, dtype=object)

    # Duplicates: first wins (see module docstring).
    if layout.code is not None:
        dup_key = codes + "\x00" + periods.fillna("").astype(str)
        dup = keep & dup_key.where(keep).duplicated(keep="first") & keep
        if dup.any():
            first_line = {}
            for idx in frame.index[keep & ~dup]:
                first_line.setdefault(dup_key[idx], int(lines[idx]))
            for idx in frame.index[dup][:MAX_PROBLEMS_PER_KIND]:
                line = int(lines[idx])
                where = f" (periode {periods[idx]})" if periods[idx] else ""
                problems.append(
                    CellProblem(
                        line=line,
                        column=layout.code,
                        value=str(codes[idx]),
                        reason=(
                            f"Regel {line}: regio {codes[idx]}{where} staat al op regel "
                            f"{first_line.get(dup_key[idx], '?')}; deze rij is overgeslagen."
                        ),
                    )
                )
            keep &= ~dup

    frame = frame[keep]
    codes = codes[keep]
    periods = periods[keep]
    line_series = pd.Series(lines, index=keep.index)[keep]

    names = frame[layout.name] if layout.name else pd.Series("", index=frame.index, dtype=object)
    municipality = (
        frame[layout.municipality]
        if layout.municipality
        else pd.Series("", index=frame.index, dtype=object)
    )
    levels = codes.str[:2].map(LEVEL_BY_PREFIX)
    if layout.level:
        from_soort = frame[layout.level].str.lower().map(LEVEL_BY_SOORT)
        levels = levels.fillna(from_soort)
    levels = levels.fillna("")
    regions = pd.DataFrame(
        {
            "code": codes.astype(object),
            "name": names.astype(object),
            "level": levels.astype(object),
            "municipality_name": municipality.astype(object),
            "line": line_series.astype("int64"),
        }
    ).reset_index(drop=True)
    if layout.period is not None:
        regions["period"] = periods.to_numpy()

    data_cols = [c for c in frame.columns if c in layout.keys]
    values, text_cols = _melt_values(
        frame,
        data_cols,
        codes,
        periods,
        line_series,
        layout,
        problems,
    )
    columns = pd.DataFrame(
        {
            "column": [c for c in data_cols if c not in text_cols],
            "key": [layout.keys[c] for c in data_cols if c not in text_cols],
            "label": [layout.labels.get(c, c) for c in data_cols if c not in text_cols],
            "unit": [layout.units.get(c, "") for c in data_cols if c not in text_cols],
        }
    )
    problems.sort(key=lambda p: (p.line, p.column))
    return ParsedTable(
        format=fmt,
        period=file_period,
        regions=regions,
        values=values,
        problems=problems,
        metadata_columns=[c for c in layout.metadata if c] + text_cols,
        columns=columns,
        text_columns=text_cols,
        period_source=period_source,
    )


def _melt_values(
    frame: pd.DataFrame,
    data_cols: list[str],
    codes: pd.Series,
    periods: pd.Series,
    line_series: pd.Series,
    layout: Layout,
    problems: list[CellProblem],
) -> tuple[pd.DataFrame, list[str]]:
    """Wide -> long, one row per (region row, data column), in file order (row by row)."""
    nrows = len(frame)
    lines = line_series.to_numpy(dtype=np.int64)
    text_cols: list[str] = []
    used_cols: list[str] = []
    raws: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    sups: list[np.ndarray] = []
    reported = 0
    for col in data_cols:
        raw = frame[col].to_numpy(dtype=object)
        cells = convert_numbers(raw)
        n_bad = int(cells.bad.sum())
        if n_bad and n_bad == int((~cells.missing).sum()) and not cells.formula.any():
            # Not one number in the column: a text column (names, notes), not bad data.
            text_cols.append(col)
            continue
        used_cols.append(col)
        raws.append(raw)
        vals.append(cells.values)
        sups.append(cells.suppressed)
        for i in np.flatnonzero(cells.bad):
            reported += 1
            if reported > MAX_PROBLEMS_PER_KIND:
                break
            problems.append(cell_problem(int(lines[i]), col, raw[i], bool(cells.formula[i])))
    k = len(used_cols)
    if k:
        raw_all = np.column_stack(raws).ravel()
        val_all = np.column_stack(vals).ravel()
        sup_all = np.column_stack(sups).ravel()
    else:
        raw_all = np.array([], dtype=object)
        val_all = np.array([], dtype=np.float64)
        sup_all = np.array([], dtype=bool)
    values = pd.DataFrame(
        {
            "code": np.repeat(codes.to_numpy(dtype=object), k),
            "column": np.tile(np.array(used_cols, dtype=object), nrows),
            "key": np.tile(np.array([layout.keys[c] for c in used_cols], dtype=object), nrows),
            "period": np.repeat(periods.to_numpy(dtype=object), k),
            "value": val_all,
            "suppressed": sup_all,
            "line": np.repeat(lines, k),
            "raw": raw_all,
        }
    )
    return values, text_cols


def parse_with_layout(
    fmt: str,
    grid: Grid,
    layout_of: Callable[[list[str], pd.DataFrame], Layout],
    *,
    filename: str,
    period: str | None,
    require_codes: bool,
    code_by_content: bool,
) -> ParsedTable:
    """Parse a one-header-row table: ``layout_of`` (the format's own knowledge) says which
    column is what, the rest is shared. ``code_by_content``: when no header names the code
    column, take the first column that mostly holds region codes."""
    header, problems, frame, lines = header_and_rows(grid)
    layout = layout_of(header, frame)
    # The sheet of a CBS workbook (kwb-2023) names its year; a municipal sheet name may not.
    title_period = (
        period_from_title(grid.title) if grid.title and "kwb" in grid.title.lower() else None
    )
    if layout.code is not None and layout.code not in frame.columns:
        layout.code = None
    if layout.code is None and code_by_content:
        layout.code = code_column_by_content(header, frame)
        if layout.code is not None and layout.code in layout.keys:
            del layout.keys[layout.code]
            layout.metadata.append(layout.code)
    if layout.code is None and require_codes:
        raise ImportFileError(
            "Geen kolom met regiocodes gevonden (zoals GM0518, WK051801 of BU05180170). "
            "Voeg een kolom 'regiocode' toe of download het CBS-bestand met de codering "
            "(Regioaanduiding/Codering).",
            line=grid.lines[0],
        )
    if not layout.keys:
        raise ImportFileError(
            "Het bestand bevat geen kolommen met cijfers, alleen regiogegevens.",
            line=grid.lines[0],
        )
    file_period, source = choose_period(period, title_period, filename)
    if layout.period is not None:
        source = "kolom"
    table = build_table(
        fmt,
        frame,
        lines,
        layout,
        file_period=file_period,
        period_source=source,
        problems=problems,
        require_codes=require_codes,
    )
    if layout.period is not None and period is None:
        found = table.values["period"].dropna().unique()
        table.period = str(found[0]) if len(found) == 1 else None
    return table
