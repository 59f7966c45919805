"""CBS Excel edition ``kwb-YYYY.xlsx`` (short names ``gwb_code_10, a_inw, ...``) and its CSV
conversion. The workbook itself is read in ``grid`` (any .xlsx is); this module knows the
CBS column names."""

from __future__ import annotations

import pandas as pd

from monitoring.importing.formats.common import PERIOD_HEADERS, ParsedTable, norm_header
from monitoring.importing.formats.grid import Grid
from monitoring.importing.formats.layout import Layout, parse_with_layout

NAME = "cbs-excel"
DETECT_IN_WORKBOOKS = True

_EXCEL_MARKERS = {"gwb_code_10", "gwb_code_8", "gwb_code", "recs", "gm_naam", "regio"}


def detect(grid: Grid) -> bool:
    norm = [norm_header(h) for h in grid.rows[0]]
    return "gwb_code_10" in norm or len(_EXCEL_MARKERS & set(norm)) >= 3


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


_EXCEL_META = {
    "gwb_code_10",
    "gwb_code_8",
    "gwb_code",
    "regio",
    "gm_naam",
    "recs",
    "ind_wbi",
    "pst_mvp",
    "pst_dekp",
    "wk_code",
    "bu_code",
    "gm_code",
    "wk_naam",
    "bu_naam",
    "water",
}


def column_layout(header: list[str], frame: pd.DataFrame) -> Layout:
    norm = {h.strip().lower(): h for h in header}
    code = norm.get("gwb_code_10") or norm.get("gwb_code")
    layout = Layout(
        code=code,
        name=norm.get("regio"),
        level=norm.get("recs"),
        municipality=norm.get("gm_naam"),
    )
    for h in header:
        low = h.strip().lower()
        if low in _EXCEL_META or low in PERIOD_HEADERS:
            layout.metadata.append(h)
            if low in PERIOD_HEADERS:
                layout.period = h
        else:
            layout.keys[h] = h.strip()
            layout.labels[h] = h.strip()
            layout.units[h] = ""
    layout.required = [c for c in (layout.level,) if c]
    return layout
