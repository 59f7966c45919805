"""A municipal long file: region code, indicator, period, value; one row per figure.

Duplicate rows (same code, indicator and period) are problems: the first wins and the later
one is reported with both line numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from monitoring.importing.formats.common import (
    CODE_HEADERS,
    INDICATOR_HEADERS,
    LEVEL_BY_PREFIX,
    MAX_PROBLEMS_PER_KIND,
    NAME_HEADERS,
    PERIOD_HEADERS,
    REGION_CODE_RE,
    VALUE_HEADERS,
    CellProblem,
    ImportFileError,
    ParsedTable,
    cell_problem,
    choose_period,
    code_column_by_content,
    convert_numbers,
    mostly_codes,
    norm_header,
    normalise_period,
)
from monitoring.importing.formats.grid import Grid, header_and_rows

NAME = "long"
DETECT_IN_WORKBOOKS = True


def detect(grid: Grid) -> bool:
    # Checked before StatLine: a municipal long file may call its first column "regiocode".
    lowered = {norm_header(h) for h in grid.rows[0]}
    return bool(lowered & INDICATOR_HEADERS and lowered & VALUE_HEADERS)


def parse(grid: Grid, *, filename: str, period: str | None, require_codes: bool) -> ParsedTable:
    header, problems, frame, lines = header_and_rows(grid)
    norm = {norm_header(h): h for h in header}
    indicator = next((norm[n] for n in norm if n in INDICATOR_HEADERS), None)
    value_col = next((norm[n] for n in norm if n in VALUE_HEADERS), None)
    period_col = next((norm[n] for n in norm if n in PERIOD_HEADERS), None)
    name_col = next((norm[n] for n in norm if n in NAME_HEADERS), None)
    code_col = next((norm[n] for n in norm if n in CODE_HEADERS), None)
    if code_col is None or not mostly_codes(frame[code_col]):
        code_col = (
            code_column_by_content([h for h in header if h not in {indicator, value_col}], frame)
            or code_col
        )
    if code_col is None:
        raise ImportFileError(
            "Geen kolom met regiocodes gevonden (zoals GM0518, WK051801 of BU05180170). "
            "Een lang bestand heeft de kolommen regiocode, indicator, periode en waarde.",
            line=grid.lines[0],
        )
    if indicator is None or value_col is None:
        raise ImportFileError(
            "Een lang bestand heeft de kolommen regiocode, indicator, periode en waarde; "
            "de kolom 'indicator' of 'waarde' ontbreekt.",
            line=grid.lines[0],
        )
    file_period, source = choose_period(period, None, filename)
    if period_col is not None:
        source = "kolom"
    codes = frame[code_col].str.upper().str.replace(" ", "", regex=False)
    valid = codes.str.fullmatch(REGION_CODE_RE.pattern).fillna(False).astype(bool)
    for idx in frame.index[~valid][:MAX_PROBLEMS_PER_KIND]:
        line = int(lines[idx])
        raw_code = frame.at[idx, code_col]
        problems.append(
            CellProblem(
                line,
                code_col,
                raw_code,
                f"Regel {line}: '{raw_code}' is geen geldige regiocode; rij overgeslagen."
                if raw_code
                else f"Regel {line}: geen regiocode ingevuld; rij overgeslagen.",
            )
        )
    keys = frame[indicator]
    no_key = valid & (keys == "")
    for idx in frame.index[no_key][:MAX_PROBLEMS_PER_KIND]:
        line = int(lines[idx])
        problems.append(
            CellProblem(
                line, indicator, "", f"Regel {line}: geen indicator ingevuld; rij overgeslagen."
            )
        )
    keep = valid & ~no_key
    if period_col is not None:
        periods = frame[period_col].map(normalise_period).astype(object)
        periods[periods == ""] = file_period
    else:
        periods = pd.Series([file_period] * len(frame), index=frame.index, dtype=object)
    dup_key = codes + "\x00" + keys + "\x00" + periods.fillna("").astype(str)
    dup = keep & dup_key.where(keep).duplicated(keep="first")
    if dup.any():
        first_line: dict[str, int] = {}
        for idx in frame.index[keep & ~dup]:
            first_line.setdefault(dup_key[idx], int(lines[idx]))
        for idx in frame.index[dup][:MAX_PROBLEMS_PER_KIND]:
            line = int(lines[idx])
            problems.append(
                CellProblem(
                    line,
                    indicator,
                    keys[idx],
                    f"Regel {line}: regio {codes[idx]}, indicator {keys[idx]}"
                    + (f", periode {periods[idx]}" if periods[idx] else "")
                    + f" staat al op regel {first_line.get(dup_key[idx], '?')}; "
                    "deze rij is overgeslagen.",
                )
            )
    keep &= ~dup
    line_series = pd.Series(lines, index=frame.index)
    sub = frame[keep]
    raw = sub[value_col].to_numpy(dtype=object)
    cells = convert_numbers(raw)
    sub_lines = line_series[keep].to_numpy(dtype=np.int64)
    for i in np.flatnonzero(cells.bad)[:MAX_PROBLEMS_PER_KIND]:
        problems.append(cell_problem(int(sub_lines[i]), value_col, raw[i], bool(cells.formula[i])))
    values = pd.DataFrame(
        {
            "code": codes[keep].to_numpy(dtype=object),
            "column": keys[keep].to_numpy(dtype=object),
            "key": keys[keep].to_numpy(dtype=object),
            "period": periods[keep].to_numpy(dtype=object),
            "value": cells.values,
            "suppressed": cells.suppressed,
            "line": sub_lines,
            "raw": raw,
        }
    )
    first = sub.assign(_code=codes[keep], _line=line_series[keep]).drop_duplicates("_code")
    regions = pd.DataFrame(
        {
            "code": first["_code"].to_numpy(dtype=object),
            "name": (first[name_col] if name_col else pd.Series("", index=first.index))
            .astype(object)
            .to_numpy(),
            "level": first["_code"].str[:2].map(LEVEL_BY_PREFIX).fillna("").to_numpy(dtype=object),
            "municipality_name": np.array([""] * len(first), dtype=object),
            "line": first["_line"].to_numpy(dtype="int64"),
        }
    )
    unique_keys = list(dict.fromkeys(values["key"]))
    columns = pd.DataFrame(
        {
            "column": unique_keys,
            "key": unique_keys,
            "label": unique_keys,
            "unit": [""] * len(unique_keys),
        }
    )
    problems.sort(key=lambda p: (p.line, p.column))
    table_period = file_period
    if period_col is not None and period is None:
        found = values["period"].dropna().unique()
        table_period = str(found[0]) if len(found) == 1 else None
    return ParsedTable(
        format="long",
        period=table_period,
        regions=regions,
        values=values,
        problems=problems,
        metadata_columns=[h for h in header if h not in {value_col}],
        columns=columns,
        period_source=source,
    )
