"""One module per import format, each behind the same small interface.

A format module has:

- ``NAME``: the format's name (``ParsedTable.format``, the ``file_format`` a caller may force);
- ``detect(grid) -> bool``: does the file look like this format (mostly: its header row);
- ``parse(grid, *, filename, period, require_codes) -> ParsedTable``: the common long table;
- ``DETECT_IN_WORKBOOKS``: False for a layout that only exists as CSV.

Around them: ``grid`` turns bytes into rows of text fields (CSV or workbook), ``common`` holds
what every format shares (result types, the Dutch error, cleaning of codes, numbers, headers and
periods), ``layout`` the shared wide -> long path of the one-header-row formats, and
``geometry`` reads boundary files (GeoJSON, TopoJSON), which are no table.

A new format: a module here with those three names, added to ``DETECTION_ORDER`` at the place
where its ``detect`` must be asked (more specific formats first; ``wide`` takes what is left).
"""

from __future__ import annotations

from types import ModuleType

from monitoring.importing.formats import (
    excel,
    long,
    odata,
    statline,
    statline_classic,
    wide,
)
from monitoring.importing.formats.grid import Grid

# The order in which ``detect`` is asked; the first that says yes wins.
DETECTION_ORDER: tuple[ModuleType, ...] = (odata, excel, long, statline, statline_classic, wide)
BY_NAME: dict[str, ModuleType] = {module.NAME: module for module in DETECTION_ORDER}
FORMATS: tuple[str, ...] = tuple(
    module.NAME for module in (odata, statline, statline_classic, excel, long, wide)
)
GENERIC_FORMATS = frozenset({long.NAME, wide.NAME})  # municipal files, not CBS


def detect(grid: Grid, *, workbook: bool) -> ModuleType:
    """The format module for this grid (``wide`` when nothing more specific fits)."""
    for module in DETECTION_ORDER:
        if (module.DETECT_IN_WORKBOOKS or not workbook) and module.detect(grid):
            return module
    return wide
