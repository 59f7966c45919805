"""A municipal wide file: region code, optional period, one column per indicator.

The fallback: any table that no other format recognises is read as wide. The code column is
found by its header (``regiocode``, ``wijkcode``, ...) or, failing that, by its content.
"""

from __future__ import annotations

import pandas as pd

from monitoring.importing.formats.common import (
    CODE_HEADERS,
    NAME_HEADERS,
    PERIOD_HEADERS,
    ParsedTable,
    code_column_by_content,
    mostly_codes,
    norm_header,
)
from monitoring.importing.formats.grid import Grid
from monitoring.importing.formats.layout import Layout, parse_with_layout

NAME = "wide"
DETECT_IN_WORKBOOKS = True


def detect(grid: Grid) -> bool:
    return True  # last in the detection order: whatever is left is read as wide


def parse(grid: Grid, *, filename: str, period: str | None, require_codes: bool) -> ParsedTable:
    return parse_with_layout(
        NAME,
        grid,
        column_layout,
        filename=filename,
        period=period,
        require_codes=require_codes,
        code_by_content=True,
    )


def column_layout(header: list[str], frame: pd.DataFrame) -> Layout:
    norm = [norm_header(h) for h in header]
    code = next((h for h, n in zip(header, norm, strict=True) if n in CODE_HEADERS), None)
    if code is None or not mostly_codes(frame[code]):
        code = code_column_by_content(header, frame) or code
    name = next((h for h, n in zip(header, norm, strict=True) if n in NAME_HEADERS), None)
    period = next((h for h, n in zip(header, norm, strict=True) if n in PERIOD_HEADERS), None)
    level = next(
        (h for h, n in zip(header, norm, strict=True) if n in {"niveau", "soort", "soortregio"}),
        None,
    )
    municipality = next(
        (h for h, n in zip(header, norm, strict=True) if n in {"gemeente", "gemeentenaam"}),
        None,
    )
    layout = Layout(code=code, name=name, level=level, municipality=municipality, period=period)
    for h in header:
        if h in {code, name, period, level, municipality} or not h.strip():
            layout.metadata.append(h)
        else:
            layout.keys[h] = h.strip()
            layout.labels[h] = " ".join(h.split())
            layout.units[h] = ""
    return layout
