"""Pure parsing of tabular region data files (CBS and municipal) into one long table.

The public entry point: ``parse_table`` picks the format and hands the file to its module in
``monitoring.importing.formats`` (one module per format, see that package). No Django and no
database here: the importer and the demo loader call `parse_table` and decide themselves what to
do with the result. Every message meant for the admin is Dutch.

Formats (see `detect_format`; the module of each in brackets):

- ``cbs-odata`` (``odata``): CBS OData / bulk "TypedDataSet" CSV (``ID;WijkenEnBuurten;Gemeentenaam_1;...``).
- ``cbs-statline`` (``statline``): StatLine download, new style (``"Regioaanduiding/Codering (code)"`` labels),
  also the same download re-written by R (``Regioaanduiding.Codering..code.``).
- ``cbs-statline-classic`` (``statline_classic``): StatLine download, classic (title line, ``|`` subject row, unit row,
  ``"Bron: CBS"`` footer), regions as rows or (transposed) as columns.
- ``cbs-excel`` (``excel``): CBS Excel edition ``kwb-YYYY.xlsx`` (short names ``gwb_code_10, a_inw, ...``) and
  its CSV conversion.
- ``long`` (``long``): region code, indicator code, period, value.
- ``wide`` (``wide``): region code, optional period, one column per indicator code.

Decisions worth knowing:

- Missing cells stay in ``values`` with ``value`` NaN. ``suppressed`` is True when CBS marked the
  cell secret/missing with ``.`` (or ``x``/``×``); empty fields and ``NA`` are missing but not
  suppressed.
- Duplicate region rows (same code and period) and duplicate long rows (same code, indicator and
  period) are *problems*, not fatal: the first occurrence wins, later ones are skipped and reported
  with both line numbers. The importer decides whether any problem blocks the import.
- Rows with the wrong number of fields, or CBS rows whose region type/coding is empty while the
  code is present (the comma-in-a-name artefact of the 2017 national file), are reported and
  skipped. A quote that is opened and never closed costs its own line only: reading restarts on
  the next line instead of swallowing the rest of the file.
- Rows with an invalid or empty region code are reported and skipped; a file in which no row
  has a valid code is rejected. StatLine downloads with names only are rejected unless the
  caller passes ``require_codes=False`` (then ``code`` is "" and ``name`` is filled).
- Columns in which not one cell is a number are left out (``text_columns``), not reported cell
  by cell; a number column with some text cells reports each of those cells.
- Problems are capped at ``MAX_PROBLEMS_PER_KIND`` per kind, so a wrong file stays readable.
- A caller-supplied ``period`` replaces a period found in the title or file name; a per-row period
  column in the file always wins for its rows.
- A cell starting with ``=`` is never evaluated: it is kept in ``raw``, its value is NaN, and it is
  reported.
"""

from __future__ import annotations

from monitoring.importing import formats
from monitoring.importing.formats import BY_NAME, FORMATS, GENERIC_FORMATS
from monitoring.importing.formats.common import (
    LEVEL_BY_PREFIX,
    MAX_PROBLEMS_PER_KIND,
    REGION_CODE_RE,
    REGION_COLUMNS,
    VALUE_COLUMNS,
    CellProblem,
    ImportFileError,
    ParsedTable,
    edition_key,
    normalise_period,
    range_problems,
)
from monitoring.importing.formats.grid import is_workbook, read_grid

__all__ = [
    "FORMATS",
    "LEVEL_BY_PREFIX",
    "MAX_PROBLEMS_PER_KIND",
    "REGION_CODE_RE",
    "CellProblem",
    "ImportFileError",
    "ParsedTable",
    "detect_format",
    "edition_key",
    "normalise_period",
    "parse_table",
    "range_problems",
]


def detect_format(data: bytes, filename: str) -> str:
    """Name of the format (one of ``FORMATS``); raises ImportFileError for unusable files."""
    grid = read_grid(data, filename)
    return formats.detect(grid, workbook=is_workbook(data, filename)).NAME


def parse_table(
    data: bytes,
    *,
    filename: str,
    file_format: str = "auto",
    period: str | None = None,
    require_codes: bool = True,
) -> ParsedTable:
    """Parse a tabular file into regions and long-form values.

    ``file_format`` is ``"auto"`` or one of ``FORMATS`` (``"cbs"`` means: any CBS format,
    detected). ``require_codes=False`` lets files with region names only (some StatLine
    downloads) through with empty codes, for callers that match by name; by default they are
    rejected because names are not unique.

    Raises ImportFileError (Dutch ``message``) when the file as a whole is unusable; every other
    kind of trouble ends up in ``problems``.
    """
    try:
        return _parse_table(
            data,
            filename=filename,
            file_format=file_format,
            period=period,
            require_codes=require_codes,
        )
    except ImportFileError:
        raise
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:  # a bug here must not become a 500 page for the admin
        raise ImportFileError(
            "Het bestand kon niet worden gelezen door een onverwachte fout "
            f"({type(exc).__name__}). Meld dit aan de beheerder.",
            unexpected=True,
        ) from exc


def _parse_table(
    data: bytes, *, filename: str, file_format: str, period: str | None, require_codes: bool
) -> ParsedTable:
    if file_format not in {"auto", "cbs", *FORMATS}:
        raise ImportFileError(f"Onbekend formaat '{file_format}'.")
    if not data or not data.strip(b"\xef\xbb\xbf \t\r\n\x00"):
        raise ImportFileError("Het bestand is leeg.")
    grid = read_grid(data, filename)
    detected = formats.detect(grid, workbook=is_workbook(data, filename))
    module = detected
    if file_format not in {"auto", "cbs"}:
        module = BY_NAME[file_format]
    elif file_format == "cbs" and detected.NAME in GENERIC_FORMATS:
        raise ImportFileError(
            "Dit is geen CBS-bestand dat herkend wordt (geen OData-sleutels, StatLine-labels of "
            "Excel-kolomnamen zoals gwb_code_10)."
        )
    table = module.parse(grid, filename=filename, period=period, require_codes=require_codes)
    # Same column order whatever the format, so callers can rely on it.
    table.regions = table.regions[
        REGION_COLUMNS + [c for c in table.regions.columns if c not in REGION_COLUMNS]
    ]
    table.values = table.values[VALUE_COLUMNS]
    if require_codes and table.regions.empty:
        first = f" Eerste melding: {table.problems[0].reason}" if table.problems else ""
        raise ImportFileError(
            "Geen enkele rij met een geldige regiocode (zoals GM0518, WK051801 of BU05180170) "
            f"gevonden.{first}"
        )
    table.encoding = grid.encoding
    table.delimiter = grid.delimiter or None
    return table
