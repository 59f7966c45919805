"""StatLine download, new style: one header row of labels with their unit,
``"Regioaanduiding/Codering (code)"``, ``"Bevolking/Aantal inwoners (aantal)"``; also the same
download re-written by R (``Regioaanduiding.Codering..code.``). The classic StatLine layout
(title line, subject and unit rows, footer) is ``statline_classic``.
"""

from __future__ import annotations

import re

import pandas as pd

from monitoring.importing.formats.common import ParsedTable, norm_header
from monitoring.importing.formats.grid import Grid
from monitoring.importing.formats.layout import Layout, parse_with_layout

NAME = "cbs-statline"
DETECT_IN_WORKBOOKS = True


MUNICIPAL_CODE_HEADERS = frozenset({"regiocode", "regio_code"})


def detect(grid: Grid) -> bool:
    norm = [norm_header(h) for h in grid.rows[0]]
    # A header that is just "regiocode" is the municipal convention (long and wide files, the
    # templates of the upload page); StatLine labels say more: "Regiocode (gemeente, ...)".
    return bool(
        any(
            "codering" in h
            or ("regiocode" in h and h not in MUNICIPAL_CODE_HEADERS)
            or h.startswith("regioaanduiding")
            for h in norm
        )
        or (norm and norm[0] == "wijken en buurten")
        or any(h.startswith(("regioaanduiding.", "wijken.en.buurten")) for h in norm)
    )


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


_UNIT_RE = re.compile(r"^(?P<label>.*?)\s*\((?P<unit>[^()]*)\)$")
# Units that mark a label as describing the region, not measuring it. "(code)" alone is not
# enough: "Mate van stedelijkheid (code)" is a figure (1-5), like MateVanStedelijkheid in OData.
_META_UNITS = {"naam", "omschrijving"}


def _split_label(header: str) -> tuple[str, str, str]:
    """``"Bevolking/Aantal inwoners (aantal)"`` -> (full label, label without unit, unit)."""
    label = " ".join(header.replace("\ufeff", "").split())
    match = _UNIT_RE.match(label)
    if match and match.group("label"):
        return label, match.group("label").strip(), match.group("unit").strip()
    return label, label, ""


def _r_unmangle(header: str) -> tuple[str, str, str]:
    """R's ``make.names`` turned ``"Bevolking/Aantal inwoners (aantal)"`` into
    ``Bevolking.Aantal.inwoners..aantal.``; the unit is recoverable, the slashes/spaces are not."""
    match = re.fullmatch(r"(?P<label>.+?)\.\.(?P<unit>[^.]+)\.", header.strip())
    if match:
        return header.strip(), match.group("label"), match.group("unit")
    return header.strip(), header.strip(), ""


def column_layout(header: list[str], frame: pd.DataFrame) -> Layout:
    layout = Layout(code=None)
    r_style = any(h.startswith("Regioaanduiding.") for h in header)
    for i, h in enumerate(header):
        full, label, unit = _r_unmangle(h) if r_style else _split_label(h)
        low = label.lower()
        unit_low = unit.lower()
        is_meta = False
        if low in {"wijken en buurten", "wijken.en.buurten", "regio's", "regios"}:
            layout.name = layout.name or h  # StatLine puts the region *name* here
            is_meta = True
        if not low and i == 0:
            is_meta = True  # R's row-number column
        if ("codering" in low or low.startswith("regiocode")) and unit_low == "code":
            layout.code = layout.code or h
            is_meta = True
        elif "gemeentenaam" in low:
            layout.municipality = h
            is_meta = True
        elif "soort" in low and "regio" in low:
            layout.level = h
            is_meta = True
        elif low in {"perioden", "periode", "jaar"}:
            layout.period = h
            is_meta = True
        elif (
            unit_low in _META_UNITS
            or "postcode" in low
            or "dekkingspercentage" in low
            or low.startswith(("regioaanduiding", "wijken en buurten", "wijken.en.buurten"))
        ):
            is_meta = True
        if is_meta:
            layout.metadata.append(h)
        else:
            layout.keys[h] = label
            layout.labels[h] = full
            layout.units[h] = unit
    if layout.code is None:
        # Older downloads call it just "Codering" without a unit.
        for h in header:
            if "codering" in h.lower() or "regiocode" in h.lower():
                layout.code = h
                if h in layout.keys:
                    del layout.keys[h]
                    layout.metadata.append(h)
                break
    layout.required = [c for c in (layout.level,) if c]
    return layout
