"""CBS OData / bulk "TypedDataSet" CSV: ``ID;WijkenEnBuurten;Gemeentenaam_1;...``.

Keys carry a per-edition suffix (``AantalInwoners_5``); ``edition_key`` strips it so that one
indicator alias matches every year's file. Region names are not in these files: the code is all.
"""

from __future__ import annotations

import re

import pandas as pd

from monitoring.importing.formats.common import (
    ParsedTable,
    edition_key,
    mostly_codes,
    norm_header,
)
from monitoring.importing.formats.grid import Grid
from monitoring.importing.formats.layout import Layout, parse_with_layout

NAME = "cbs-odata"
DETECT_IN_WORKBOOKS = True

_ODATA_KEY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*_\d+$")


def detect(grid: Grid) -> bool:
    header = grid.rows[0]
    norm = [norm_header(h) for h in header]
    if any(re.fullmatch(r"codering_\d+", h) for h in norm) or "wijkenenbuurten" in norm:
        return True
    odata_like = sum(1 for h in header if _ODATA_KEY_RE.match(h.strip()))
    return "id" in norm and odata_like >= max(2, len(header) // 2)


def parse(grid: Grid, *, filename: str, period: str | None, require_codes: bool) -> ParsedTable:
    return parse_with_layout(
        NAME,
        grid,
        column_layout,
        filename=filename,
        period=period,
        require_codes=require_codes,
        code_by_content=False,
    )


_ODATA_META = {
    "ID",
    "WijkenEnBuurten",
    "Gemeentenaam",
    "SoortRegio",
    "Codering",
    "IndelingswijzigingWijkenEnBuurten",
    "IndelingswijzigingGemeenteWijkBuurt",
    "MeestVoorkomendePostcode",
    "Dekkingspercentage",
    "Perioden",
    "RegioS",
    "Regios",
    "Gemeentecode",
    "Naam",
}


def column_layout(header: list[str], frame: pd.DataFrame) -> Layout:
    by_key = {edition_key(h): h for h in header}
    code = None
    # WijkenEnBuurten is the row key and stays filled when a row is cut short (the 2017
    # Nuenen rows), so it goes first; Codering_3 holds the same code in CBS files.
    for candidate in ("WijkenEnBuurten", "Codering", "RegioS", "Regios"):
        if candidate in by_key and mostly_codes(frame[by_key[candidate]]):
            code = by_key[candidate]
            break
    layout = Layout(
        code=code,
        level=by_key.get("SoortRegio"),
        municipality=by_key.get("Gemeentenaam"),
        period=by_key.get("Perioden"),
    )
    for h in header:
        key = edition_key(h)
        if key in _ODATA_META or key.startswith("Indelingswijziging"):
            layout.metadata.append(h)
        else:
            layout.keys[h] = key
            layout.labels[h] = h
            layout.units[h] = ""
    layout.required = [c for c in (layout.level, by_key.get("Codering")) if c]
    return layout
