"""Pure parsing of tabular region data files (CBS and municipal) into one long table.

No Django and no database here: the importer and the demo loader call `parse_table` and
decide themselves what to do with the result. Every message meant for the admin is Dutch.

Formats (see `detect_format`):

- ``cbs-odata``: CBS OData / bulk "TypedDataSet" CSV (``ID;WijkenEnBuurten;Gemeentenaam_1;...``).
- ``cbs-statline``: StatLine download, new style (``"Regioaanduiding/Codering (code)"`` labels),
  also the same download re-written by R (``Regioaanduiding.Codering..code.``).
- ``cbs-statline-classic``: StatLine download, classic (title line, ``|`` subject row, unit row,
  ``"Bron: CBS"`` footer), regions as rows or (transposed) as columns.
- ``cbs-excel``: CBS Excel edition ``kwb-YYYY.xlsx`` (short names ``gwb_code_10, a_inw, ...``) and
  its CSV conversion.
- ``long``: region code, indicator code, period, value.
- ``wide``: region code, optional period, one column per indicator code.

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

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "CellProblem",
    "ImportFileError",
    "ParsedTable",
    "detect_format",
    "edition_key",
    "parse_table",
    "range_problems",
]

FORMATS = (
    "cbs-odata",
    "cbs-statline",
    "cbs-statline-classic",
    "cbs-excel",
    "long",
    "wide",
)

# Since 2022 CBS uses letters in the last positions of new wijk/buurt codes (WK0363AA, BU0363AA01).
REGION_CODE_RE = re.compile(r"^(?:NL\d{2}|GM\d{4}|WK\d{4}[0-9A-Z]{2}|BU\d{4}[0-9A-Z]{4})$")
LEVEL_BY_PREFIX = {"NL": "land", "GM": "gemeente", "WK": "wijk", "BU": "buurt"}
LEVEL_BY_SOORT = {
    "land": "land",
    "nederland": "land",
    "gemeente": "gemeente",
    "wijk": "wijk",
    "buurt": "buurt",
}

# CBS statistical symbols: "." = missing or secret, "x"/"×" = secret in older tables.
SUPPRESSED_TOKENS = frozenset({".", "x", "X", "×"})
# Empty and R/pandas "not available" spellings: missing, but nobody marked them as secret.
EMPTY_TOKENS = frozenset({"", "NA", "NaN", "nan", "N/A", "n/a", "#N/A"})

MAX_PROBLEMS_PER_KIND = 1000  # a totally wrong file should not produce a million problem rows


class ImportFileError(Exception):
    """The whole file is unusable; ``message`` is Dutch and shown to the admin as is.

    ``unexpected`` is True only when the error wraps a bug in this module (a Python exception we
    did not foresee); the property tests assert that this never happens.
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: str | None = None,
        unexpected: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.unexpected = unexpected

    def __str__(self) -> str:
        return self.message


@dataclass
class CellProblem:
    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return self.reason  # the reason already starts with "Regel N[, kolom X]: "


@dataclass
class ParsedTable:
    format: str
    period: str | None
    regions: pd.DataFrame
    values: pd.DataFrame
    problems: list[CellProblem] = field(default_factory=list)
    metadata_columns: list[str] = field(default_factory=list)
    # One row per data column: column (as in the file), key (matching key), label (full label,
    # whitespace normalised), unit ("" when the file gives none).
    columns: pd.DataFrame = field(default_factory=lambda: pd.DataFrame())
    # Columns left out because not one of their cells is a number (names, postcodes as text...).
    text_columns: list[str] = field(default_factory=list)
    period_source: str | None = None  # "kolom" | "titel" | "bestandsnaam" | "opgegeven" | None
    encoding: str = "utf-8"
    delimiter: str | None = None

    @property
    def value_count(self) -> int:
        """Number of cells with a number (what an import would store at most)."""
        return int(self.values["value"].notna().sum())


REGION_COLUMNS = ["code", "name", "level", "municipality_name", "line"]
VALUE_COLUMNS = ["code", "column", "key", "period", "value", "suppressed", "line", "raw"]


# --------------------------------------------------------------------------------------------
# Small pure helpers
# --------------------------------------------------------------------------------------------

_EDITION_RE = re.compile(r"^(?P<base>.*[^_\d].*?)_(?P<num>\d+)$")


def edition_key(column: str) -> str:
    """Strip the per-edition ``_NN`` suffix of a CBS OData key.

    ``HuishoudensMetEenLaagInkomen_72`` -> ``HuishoudensMetEenLaagInkomen``;
    ``k_65JaarOfOuder_12`` -> ``k_65JaarOfOuder``. Only the last ``_digits`` goes, and only when
    something that is not just ``k`` (CBS's prefix for keys starting with a digit) remains.
    """
    col = column.strip()
    match = _EDITION_RE.match(col)
    if not match:
        return col
    base = match.group("base")
    if base in {"k", "K"} or not base:
        return col
    return base


def normalise_period(value: str) -> str:
    """CBS period codes ``2019JJ00`` mean the year 2019; labels are already ``2019``."""
    text = " ".join(str(value).split())
    match = re.fullmatch(r"(\d{4})JJ00", text)
    if match:
        return match.group(1)
    match = re.fullmatch(r"(\d{4})\*{0,2}", text)  # "2023*" = voorlopig cijfer
    if match:
        return match.group(1)
    return text


def range_problems(
    values: pd.DataFrame, limits: dict[str, tuple[float | None, float | None]]
) -> list[CellProblem]:
    """Cells outside ``limits[key] = (low, high)`` (inclusive; None = open), as problems.

    Pure and vectorised: the importer supplies limits from the indicator definitions (for example
    ``(0, 100)`` for a percentage) because this module does not know what a column means.
    """
    problems: list[CellProblem] = []
    if values.empty or not limits:
        return problems
    for key, (low, high) in limits.items():
        sub = values[values["key"] == key]
        if sub.empty:
            continue
        nums = sub["value"]
        bad = pd.Series(False, index=sub.index)
        if low is not None:
            bad |= nums < low
        if high is not None:
            bad |= nums > high
        for row in sub[bad].itertuples(index=False):
            problems.append(
                CellProblem(
                    line=int(row.line),
                    column=str(row.column),
                    value=str(row.raw),
                    reason=(
                        f"Regel {int(row.line)}, kolom {row.column}: {row.raw} ligt buiten het "
                        f"toegestane bereik ({_fmt_limit(low)} tot en met {_fmt_limit(high)})."
                    ),
                )
            )
    problems.sort(key=lambda p: (p.line, p.column))
    return problems


def _fmt_limit(limit: float | None) -> str:
    if limit is None:
        return "onbeperkt"
    return f"{limit:g}".replace(".", ",")


# --------------------------------------------------------------------------------------------
# Bytes -> text -> grid of fields
# --------------------------------------------------------------------------------------------


@dataclass
class _Grid:
    rows: list[list[str]]
    lines: list[int]  # 1-based line in the original file where each row starts
    delimiter: str
    encoding: str
    problems: list[CellProblem] = field(default_factory=list)  # found while splitting rows


def _sniff_binary(data: bytes, filename: str) -> None:
    """Reject files that are clearly not text tables, with a message saying what they are."""
    head = data[:8192]
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%PDF"):
        raise ImportFileError("Dit is een PDF-bestand, geen CSV- of Excel-bestand.")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "Dit is een oud Excel-bestand (.xls). Sla het op als .xlsx of als CSV en probeer opnieuw."
        )
    if head.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            "Dit is een ZIP-bestand en geen Excel-werkmap (.xlsx). Pak het uit en kies het CSV- of "
            "Excel-bestand."
        )
    if stripped.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (
        stripped.startswith(b"<") and b"<html" in stripped[:2048]
    ):
        raise ImportFileError("Dit lijkt een HTML-pagina, geen CSV.")
    if stripped.startswith(b"<?xml") or stripped.startswith(b"<"):
        raise ImportFileError("Dit lijkt een XML-bestand, geen CSV.")
    if stripped.startswith((b"{", b"[")):
        raise ImportFileError(
            "Dit lijkt een JSON-bestand, geen CSV. Grenzen (GeoJSON/TopoJSON) horen bij de "
            "import van gebiedsgrenzen."
        )
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(
            "Dit is een binair bestand, geen tekst. Kies een CSV-bestand (puntkomma of komma "
            "gescheiden) of een Excel-werkmap (.xlsx)."
        )


def _decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) first, else Windows-1252: what Dutch Excel writes."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise ImportFileError("Het bestand is geen geldige UTF-16-tekst.") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
            encoding = "cp1252"
        except UnicodeDecodeError:
            # cp1252 leaves five bytes undefined; latin-1 never fails, the binary check follows.
            text = data.decode("latin-1")
            encoding = "latin-1"
    sample = text[:20000]
    if sample:
        controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
        if controls / len(sample) > 0.01:
            raise ImportFileError(
                "Dit is een binair bestand, geen tekst. Kies een CSV-bestand (puntkomma of komma "
                "gescheiden) of een Excel-werkmap (.xlsx)."
            )
    return text, encoding


def _count_fields(line: str, delimiter: str) -> int:
    """Fields on one physical line, ignoring delimiters between quotes."""
    count = 1
    in_quotes = False
    for ch in line:
        if ch == '"':
            in_quotes = not in_quotes
        elif ch == delimiter and not in_quotes:
            count += 1
    return count


def _detect_delimiter(text: str) -> str:
    """Pick ``;``, ``,`` or tab by how consistently the first lines split into several fields.

    Classic StatLine files start with a one-field title line and titles may contain ``;`` in
    quotes, so the first lines are scored together instead of trusting line 1 alone.
    """
    lines = [ln for ln in text.splitlines()[:60] if ln.strip()]
    if not lines:
        raise ImportFileError("Het bestand is leeg.")
    best = None
    best_score = 0.0
    for delim in (";", ",", "\t", "|"):
        counts = [_count_fields(ln, delim) for ln in lines]
        multi = [c for c in counts if c > 1]
        if not multi:
            continue
        mode = max(set(multi), key=multi.count)
        score = multi.count(mode) + 0.001 * mode
        if score > best_score:
            best, best_score = delim, score
    if best is None or best == "|":
        found = " (wel | gevonden)" if best == "|" else ""
        raise ImportFileError(
            f"Regel 1: geen scheidingsteken gevonden (verwacht ; of ,){found}.", line=1
        )
    header_counts = {d: _count_fields(lines[0], d) for d in (";", ",", "\t")}
    header_best = max(header_counts, key=lambda d: header_counts[d])
    if header_counts[best] == 1 and header_counts[header_best] > 1:
        # A title line has one field whatever the delimiter; a split header did choose one.
        names = {";": "';'", ",": "','", "\t": "tab"}
        raise ImportFileError(
            f"Regel 1: de kopregel is gescheiden met {names[header_best]} maar de gegevens met "
            f"{names[best]}; gebruik één scheidingsteken.",
            line=1,
        )
    return best


def _read_grid(data: bytes, filename: str) -> _Grid:
    if not data or not data.strip(b"\xef\xbb\xbf \t\r\n\x00"):
        raise ImportFileError("Het bestand is leeg.")
    _sniff_binary(data, filename)
    text, encoding = _decode(data)
    if not text.strip():
        raise ImportFileError("Het bestand is leeg.")
    delimiter = _detect_delimiter(text)
    physical = text.splitlines(keepends=True)
    rows, lines, problems = _split_records(physical, delimiter)
    if not rows:
        raise ImportFileError("Het bestand is leeg.")
    return _Grid(rows=rows, lines=lines, delimiter=delimiter, encoding=encoding, problems=problems)


def _split_records(
    physical: list[str], delimiter: str
) -> tuple[list[list[str]], list[int], list[CellProblem]]:
    """csv-split the lines, recovering from a quote that is opened and never closed.

    Such a quote makes the csv module read every following line into one field. A data record
    that spans several lines *and* has the wrong number of fields is that case: it is reported
    and reading restarts on the next physical line, so one bad cell costs one row.
    """
    rows: list[list[str]] = []
    lines: list[int] = []
    problems: list[CellProblem] = []
    start_at = 0
    width: int | None = None
    while start_at < len(physical):
        reader = csv.reader(physical[start_at:], delimiter=delimiter, quotechar='"')
        previous_end = 0
        restart = None
        try:
            for record in reader:
                first = start_at + previous_end + 1
                previous_end = reader.line_num
                last = start_at + previous_end
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue  # blank line
                if width is None and len(record) > 1:
                    width = len(record)  # header (or first real row): the expected width
                elif width is not None and last > first and len(record) != width:
                    problems.append(
                        CellProblem(
                            first,
                            "",
                            _preview([physical[first - 1].rstrip("\r\n")]),
                            f"Regel {first}: een aanhalingsteken wordt niet afgesloten, waardoor "
                            f"de regels {first} tot en met {last} als één rij gelezen worden; "
                            f"regel {first} is overgeslagen.",
                        )
                    )
                    restart = first  # continue right after the broken line
                    break
                rows.append(record)
                lines.append(first)
        except csv.Error as exc:
            line = start_at + previous_end + 1
            if not rows:
                raise ImportFileError(
                    f"Regel {line}: het bestand kan niet als CSV worden gelezen ({exc}).",
                    line=line,
                ) from exc
            # Typically an unclosed quote that swallowed more than the csv field limit.
            problems.append(
                CellProblem(
                    line,
                    "",
                    _preview([physical[line - 1].rstrip("\r\n")]),
                    f"Regel {line}: deze regel kan niet als CSV worden gelezen (waarschijnlijk "
                    "een aanhalingsteken dat niet wordt afgesloten); overgeslagen.",
                )
            )
            restart = line
        if restart is None:
            break
        start_at = restart
    return rows, lines, problems


def _xlsx_grid(data: bytes) -> tuple[_Grid, str | None]:
    """Read the sheet that holds region codes; numbers become text like in a CSV export.

    Formula cells are read as their formula text (``data_only=False``), so a ``=...`` cell stays
    text and is reported later; nothing is ever evaluated.
    """
    from openpyxl import load_workbook  # local: only the Excel path needs it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ImportFileError(
            "Het Excel-bestand kan niet worden geopend (beschadigd of geen .xlsx)."
        ) from exc
    try:
        best: tuple[int, list[list[str]], list[int], str] | None = None
        for sheet in workbook.worksheets:
            rows: list[list[str]] = []
            lines: list[int] = []
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [_excel_text(v) for v in row]
                while cells and cells[-1] == "":
                    cells.pop()
                if not cells:
                    continue
                rows.append(cells)
                lines.append(number)
            codes = sum(
                1 for r in rows[:200] for c in r[:12] if REGION_CODE_RE.match(c.strip().upper())
            )
            if best is None or codes > best[0]:
                best = (codes, rows, lines, sheet.title)
    finally:
        workbook.close()
    if best is None or not best[1]:
        raise ImportFileError("Het Excel-bestand is leeg.")
    _, rows, lines, title = best
    # Hand-made workbooks often start with a title row or two: the header is the first row
    # with at least two filled cells.
    for skip, row in enumerate(rows[:20]):
        if sum(1 for c in row if c.strip()) >= 2:
            rows, lines = rows[skip:], lines[skip:]
            break
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    return _Grid(rows=rows, lines=lines, delimiter="", encoding="xlsx"), title


def _excel_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[no-any-return]
    return str(value)


def _is_xlsx(data: bytes, filename: str) -> bool:
    return data.startswith(b"PK\x03\x04") and (
        filename.lower().endswith((".xlsx", ".xlsm")) or b"xl/" in data[:2000]
    )


# --------------------------------------------------------------------------------------------
# Format detection
# --------------------------------------------------------------------------------------------

_ODATA_KEY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*_\d+$")
_EXCEL_MARKERS = {"gwb_code_10", "gwb_code_8", "gwb_code", "recs", "gm_naam", "regio"}
_CODE_HEADERS = {
    "code",
    "regiocode",
    "regio_code",
    "regio",
    "gebied",
    "gebiedcode",
    "gebiedscode",
    "gebied_code",
    "wijkcode",
    "buurtcode",
    "gemeentecode",
    "gwb_code",
    "gwb_code_10",
    "statcode",
    "region",
    "region_code",
    "regioncode",
    "wijkenenbuurten",
    "codering",
    "cbs_code",
    "cbscode",
}
_NAME_HEADERS = {
    "naam",
    "regionaam",
    "regio_naam",
    "gebiedsnaam",
    "gebiednaam",
    "gebied_naam",
    "wijknaam",
    "buurtnaam",
    "statnaam",
    "name",
    "omschrijving",
    "wijken en buurten",
}
_INDICATOR_HEADERS = {
    "indicator",
    "indicatorcode",
    "indicator_code",
    "indicatorsleutel",
    "variabele",
    "kenmerk",
    "onderwerp",
    "sleutel",
    "key",
}
_PERIOD_HEADERS = {"periode", "perioden", "jaar", "period", "year", "peiljaar", "jaartal"}
_VALUE_HEADERS = {"waarde", "value", "getal", "score", "cijfer"}


def _norm_header(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").split()).strip().lower()


def _classify_header(header: list[str]) -> str | None:
    norm = [_norm_header(h) for h in header]
    if any(re.fullmatch(r"codering_\d+", h) for h in norm) or "wijkenenbuurten" in norm:
        return "cbs-odata"
    odata_like = sum(1 for h in header if _ODATA_KEY_RE.match(h.strip()))
    if "id" in norm and odata_like >= max(2, len(header) // 2):
        return "cbs-odata"
    if "gwb_code_10" in norm or len(_EXCEL_MARKERS & set(norm)) >= 3:
        return "cbs-excel"
    lowered = set(norm)
    # Before the StatLine rule: a municipal long file may call its first column "regiocode".
    if lowered & _INDICATOR_HEADERS and lowered & _VALUE_HEADERS:
        return "long"
    if (
        any("codering" in h or "regiocode" in h or h.startswith("regioaanduiding") for h in norm)
        or (norm and norm[0] == "wijken en buurten")
        or any(h.startswith(("regioaanduiding.", "wijken.en.buurten")) for h in norm)
    ):
        return "cbs-statline"
    return None


def detect_format(data: bytes, filename: str) -> str:
    """Name of the format (one of ``FORMATS``); raises ImportFileError for unusable files."""
    if _is_xlsx(data, filename):
        grid, _title = _xlsx_grid(data)
        return _classify_header(grid.rows[0]) or "wide"
    grid = _read_grid(data, filename)
    return _detect_grid_format(grid)


def _detect_grid_format(grid: _Grid) -> str:
    first = grid.rows[0]
    found = _classify_header(first)
    if found:
        return found
    if _looks_classic(grid):
        return "cbs-statline-classic"
    return "wide"


def _looks_classic(grid: _Grid) -> bool:
    if len(grid.rows[0]) > 1 and any(c.strip() for c in grid.rows[0][1:]):
        return False
    head = grid.rows[:12]
    tail = grid.rows[-3:]
    return any(
        any(c.strip() == "Onderwerp" for c in r) or any("|" in c for c in r) for r in head
    ) or any(r and r[0].strip().startswith("Bron: CBS") for r in tail)


# --------------------------------------------------------------------------------------------
# Column layouts and the shared wide -> long path
# --------------------------------------------------------------------------------------------


@dataclass
class _Layout:
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


def _odata_layout(header: list[str], frame: pd.DataFrame) -> _Layout:
    by_key = {edition_key(h): h for h in header}
    code = None
    # WijkenEnBuurten is the row key and stays filled when a row is cut short (the 2017
    # Nuenen rows), so it goes first; Codering_3 holds the same code in CBS files.
    for candidate in ("WijkenEnBuurten", "Codering", "RegioS", "Regios"):
        if candidate in by_key and _mostly_codes(frame[by_key[candidate]]):
            code = by_key[candidate]
            break
    layout = _Layout(
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


def _statline_layout(header: list[str]) -> _Layout:
    layout = _Layout(code=None)
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


def _excel_layout(header: list[str]) -> _Layout:
    norm = {h.strip().lower(): h for h in header}
    code = norm.get("gwb_code_10") or norm.get("gwb_code")
    layout = _Layout(
        code=code,
        name=norm.get("regio"),
        level=norm.get("recs"),
        municipality=norm.get("gm_naam"),
    )
    for h in header:
        low = h.strip().lower()
        if low in _EXCEL_META or low in _PERIOD_HEADERS:
            layout.metadata.append(h)
            if low in _PERIOD_HEADERS:
                layout.period = h
        else:
            layout.keys[h] = h.strip()
            layout.labels[h] = h.strip()
            layout.units[h] = ""
    layout.required = [c for c in (layout.level,) if c]
    return layout


def _generic_layout(header: list[str], frame: pd.DataFrame) -> _Layout:
    norm = [_norm_header(h) for h in header]
    code = next((h for h, n in zip(header, norm, strict=True) if n in _CODE_HEADERS), None)
    if code is None or not _mostly_codes(frame[code]):
        code = _code_column_by_content(header, frame) or code
    name = next((h for h, n in zip(header, norm, strict=True) if n in _NAME_HEADERS), None)
    period = next((h for h, n in zip(header, norm, strict=True) if n in _PERIOD_HEADERS), None)
    level = next(
        (h for h, n in zip(header, norm, strict=True) if n in {"niveau", "soort", "soortregio"}),
        None,
    )
    municipality = next(
        (h for h, n in zip(header, norm, strict=True) if n in {"gemeente", "gemeentenaam"}),
        None,
    )
    layout = _Layout(code=code, name=name, level=level, municipality=municipality, period=period)
    for h in header:
        if h in {code, name, period, level, municipality} or not h.strip():
            layout.metadata.append(h)
        else:
            layout.keys[h] = h.strip()
            layout.labels[h] = " ".join(h.split())
            layout.units[h] = ""
    return layout


def _mostly_codes(column: pd.Series) -> bool:
    sample = column.head(500).str.strip().str.upper()
    sample = sample[sample != ""]
    if sample.empty:
        return False
    return bool(sample.str.fullmatch(REGION_CODE_RE.pattern).mean() >= 0.5)


def _code_column_by_content(header: list[str], frame: pd.DataFrame) -> str | None:
    for h in header:
        if _mostly_codes(frame[h]):
            return h
    return None


def _frame_from_rows(
    header: list[str], rows: list[list[str]], lines: list[int], problems: list[CellProblem]
) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows of the right width become a string frame; others are reported with their line."""
    width = len(header)
    good: list[list[str]] = []
    good_lines: list[int] = []
    bad = 0
    for row, line in zip(rows, lines, strict=True):
        if len(row) == width:
            good.append(row)
            good_lines.append(line)
            continue
        if len(row) > width and not any(c.strip() for c in row[width:]):
            good.append(row[:width])  # trailing delimiters only: harmless
            good_lines.append(line)
            continue
        bad += 1
        if bad <= MAX_PROBLEMS_PER_KIND:
            problems.append(
                CellProblem(
                    line=line,
                    column="",
                    value=_preview(row),
                    reason=(
                        f"Regel {line}: {len(row)} velden in plaats van {width} (de rij is "
                        "verschoven, bijvoorbeeld door een losse komma of een aanhalingsteken); "
                        "rij overgeslagen."
                    ),
                )
            )
    # str.strip in map() per row is far cheaper than pandas' .str.strip per column, and it
    # also removes the non-breaking spaces StatLine pads labels with.
    stripped = [list(map(str.strip, row)) for row in good]
    matrix = np.empty((len(stripped), width), dtype=object)
    if stripped:
        matrix[:, :] = stripped
    frame = pd.DataFrame(matrix, columns=pd.Index(header), dtype=object, copy=False)
    return frame, np.asarray(good_lines, dtype=np.int64)


def _preview(row: list[str]) -> str:
    text = ";".join(c.strip() for c in row)
    return text if len(text) <= 120 else text[:117] + "..."


def _check_header(header: list[str], first_line: int) -> list[str]:
    header = [h.replace("\ufeff", "") for h in header]
    # A trailing empty header (line ending in a delimiter) is not a column anybody meant.
    while len(header) > 1 and not header[-1].strip():
        header = header[:-1]
    seen: dict[str, int] = {}
    for i, h in enumerate(header, start=1):
        key = h.strip()
        if key and key in seen:
            raise ImportFileError(
                f"Regel {first_line}: kolom '{key}' komt twee keer voor in de kop "
                f"(kolom {seen[key]} en {i}).",
                line=first_line,
                column=key,
            )
        seen[key] = i
    return header


def _build(
    fmt: str,
    frame: pd.DataFrame,
    lines: np.ndarray,
    layout: _Layout,
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


_DECIMAL_COMMA = r"[+-]?\d*,\d+"
_NL_THOUSANDS = r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?"
_EN_THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"
_DOT_THOUSANDS = r"[+-]?\d{1,3}(?:\.\d{3})+"


@dataclass
class _Cells:
    values: np.ndarray  # float64, NaN where missing or not a number
    suppressed: np.ndarray  # bool: CBS "." / "x"
    bad: np.ndarray  # bool: text that is no number (report it)
    formula: np.ndarray  # bool: starts with "=" (subset of bad)
    missing: np.ndarray  # bool: empty, ".", NA...


def _convert(raw: np.ndarray) -> _Cells:
    """Vectorised text -> float for one column (or one long value column) of stripped text.

    Fast path: numpy's own float conversion over the whole column, after blanking the
    missing tokens; that covers CBS OData and most files. Only if it fails do the slower
    pandas/regex steps run, and the regexes only see the cells that failed: decimal comma
    (``2,2``), Dutch thousands (``1.234,5``), English thousands (``1,234.5``). When a column uses
    the decimal comma, ``1.234`` in that column is a thousands separator too.
    """
    suppressed = np.zeros(len(raw), dtype=bool)
    for token in SUPPRESSED_TOKENS:  # element-wise == on the object array: C speed
        suppressed |= raw == token
    missing = suppressed | (raw == "")
    work = np.array(raw, dtype=object, copy=True)
    work[missing] = np.nan
    n = len(raw)
    try:
        values = np.array(work, dtype=np.float64)
    except (ValueError, TypeError, OverflowError):
        values = None
    if values is not None:
        # float() also accepts "nan"/"inf": "nan" spellings are empty cells, infinity is bad.
        text_nan = np.isnan(values) & ~missing
        missing |= text_nan
        bad = np.isinf(values)
        values[bad] = np.nan
        return _Cells(values, suppressed, bad, np.zeros(n, dtype=bool), missing)

    series = pd.Series(work, dtype=object)
    # Copy: pandas (copy-on-write) may hand out a read-only view.
    values = np.array(
        pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan),
        dtype=np.float64,
        copy=True,
    )
    values[np.isinf(values)] = np.nan
    failed = np.isnan(values) & ~missing
    idx = np.flatnonzero(failed)
    sub = pd.Series(raw[idx], dtype=object)
    empty_token = sub.isin(EMPTY_TOKENS).to_numpy()
    comma = sub.str.fullmatch(_DECIMAL_COMMA).to_numpy(dtype=bool, na_value=False)
    nl = sub.str.fullmatch(_NL_THOUSANDS).to_numpy(dtype=bool, na_value=False) & ~comma
    converted = np.zeros(len(idx), dtype=bool)
    if comma.any():
        values[idx[comma]] = pd.to_numeric(
            sub[comma].str.replace(",", ".", regex=False), errors="coerce"
        ).to_numpy(dtype=np.float64, na_value=np.nan)
        converted |= comma
    if nl.any():
        values[idx[nl]] = pd.to_numeric(
            sub[nl].str.replace(".", "", regex=False).str.replace(",", ".", regex=False),
            errors="coerce",
        ).to_numpy(dtype=np.float64, na_value=np.nan)
        converted |= nl
    if comma.any() or nl.any():
        # This column writes decimals with a comma, so "1.234" here means 1234.
        whole = pd.Series(raw, dtype=object)
        thousands = whole.str.fullmatch(_DOT_THOUSANDS).to_numpy(dtype=bool, na_value=False)
        if thousands.any():
            values[thousands] = pd.to_numeric(
                whole[thousands].str.replace(".", "", regex=False), errors="coerce"
            ).to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        en = sub.str.fullmatch(_EN_THOUSANDS).to_numpy(dtype=bool, na_value=False)
        if en.any():
            values[idx[en]] = pd.to_numeric(
                sub[en].str.replace(",", "", regex=False), errors="coerce"
            ).to_numpy(dtype=np.float64, na_value=np.nan)
            converted |= en
    missing[idx[empty_token]] = True
    bad = np.zeros(n, dtype=bool)
    bad[idx[~converted & ~empty_token]] = True
    formula = np.zeros(n, dtype=bool)
    if bad.any():
        formula[bad] = pd.Series(raw[bad], dtype=object).str.startswith("=").to_numpy(dtype=bool)
    values[bad | missing] = np.nan
    return _Cells(values, suppressed, bad, formula, missing)


def _cell_problem(line: int, column: str, text: str, is_formula: bool) -> CellProblem:
    if is_formula:
        reason = (
            f"Regel {line}, kolom {column}: '{_short(text)}' is een formule; die wordt niet "
            "uitgerekend en als tekst bewaard."
        )
    else:
        reason = f"Regel {line}, kolom {column}: '{_short(text)}' is geen getal."
    return CellProblem(line, column, text, reason)


def _melt_values(
    frame: pd.DataFrame,
    data_cols: list[str],
    codes: pd.Series,
    periods: pd.Series,
    line_series: pd.Series,
    layout: _Layout,
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
        cells = _convert(raw)
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
            problems.append(_cell_problem(int(lines[i]), col, raw[i], bool(cells.formula[i])))
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


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


# --------------------------------------------------------------------------------------------
# Period from file name / title
# --------------------------------------------------------------------------------------------

_FILENAME_YEAR_RE = re.compile(
    r"(?:kwb|kerncijfers[_ -]wijken[_ -]en[_ -]buurten)[_ -]?((?:19|20)\d{2})", re.IGNORECASE
)


def _period_from_filename(filename: str) -> str | None:
    """``kwb-2023.xlsx``, ``kwb2019_...csv``, ``nabijheid_buurt_2023_utrecht.csv`` -> the year.

    A CBS name (kwb, kerncijfers) wins; otherwise exactly one distinct stand-alone year must
    appear, so ``export_20240131`` or ``2019-2021`` give nothing.
    """
    base = re.split(r"[\\/]", filename)[-1]
    match = _FILENAME_YEAR_RE.search(base)
    if match:
        return match.group(1)
    years = set(re.findall(r"(?<![\dA-Za-z])((?:19|20)\d{2})(?!\d)", base))
    return years.pop() if len(years) == 1 else None


def _period_from_title(title: str) -> str | None:
    years = re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", title)
    return years[-1] if years else None


# --------------------------------------------------------------------------------------------
# Format-specific entry points
# --------------------------------------------------------------------------------------------


def _parse_header_table(
    fmt: str,
    grid: _Grid,
    *,
    filename: str,
    period: str | None,
    require_codes: bool,
    title_period: str | None = None,
) -> ParsedTable:
    header, problems, frame, lines = _header_and_rows(grid)
    if fmt == "cbs-odata":
        layout = _odata_layout(header, frame)
    elif fmt == "cbs-statline":
        layout = _statline_layout(header)
    elif fmt == "cbs-excel":
        layout = _excel_layout(header)
    else:
        layout = _generic_layout(header, frame)
    if layout.code is not None and layout.code not in frame.columns:
        layout.code = None
    if layout.code is None and fmt in {"cbs-statline", "wide", "cbs-excel"}:
        layout.code = _code_column_by_content(header, frame)
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
    file_period, source = _choose_period(period, title_period, filename)
    if layout.period is not None:
        source = "kolom"
    table = _build(
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


def _choose_period(
    period: str | None, title_period: str | None, filename: str
) -> tuple[str | None, str | None]:
    if period is not None and str(period).strip():
        return normalise_period(str(period)), "opgegeven"
    if title_period:
        return title_period, "titel"
    from_name = _period_from_filename(filename)
    if from_name:
        return from_name, "bestandsnaam"
    return None, None


def _header_and_rows(
    grid: _Grid,
) -> tuple[list[str], list[CellProblem], pd.DataFrame, list[int]]:
    """The checked header and the data rows that fit it; refuses a file without any."""
    header = _check_header(grid.rows[0], grid.lines[0])
    if len(grid.rows) < 2:
        raise ImportFileError(
            "Het bestand bevat alleen een kopregel en geen gegevens.", line=grid.lines[0]
        )
    problems: list[CellProblem] = list(grid.problems)
    frame, lines = _frame_from_rows(header, grid.rows[1:], grid.lines[1:], problems)
    if frame.empty:
        raise ImportFileError(
            f"Geen enkele gegevensregel heeft {len(header)} velden zoals de kopregel: "
            "klopt het scheidingsteken?",
            line=grid.lines[1],
        )
    return header, problems, frame, lines


def _parse_long(
    grid: _Grid, *, filename: str, period: str | None, require_codes: bool
) -> ParsedTable:
    header, problems, frame, lines = _header_and_rows(grid)
    norm = {_norm_header(h): h for h in header}
    indicator = next((norm[n] for n in norm if n in _INDICATOR_HEADERS), None)
    value_col = next((norm[n] for n in norm if n in _VALUE_HEADERS), None)
    period_col = next((norm[n] for n in norm if n in _PERIOD_HEADERS), None)
    name_col = next((norm[n] for n in norm if n in _NAME_HEADERS), None)
    code_col = next((norm[n] for n in norm if n in _CODE_HEADERS), None)
    if code_col is None or not _mostly_codes(frame[code_col]):
        code_col = (
            _code_column_by_content([h for h in header if h not in {indicator, value_col}], frame)
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
    file_period, source = _choose_period(period, None, filename)
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
    cells = _convert(raw)
    sub_lines = line_series[keep].to_numpy(dtype=np.int64)
    for i in np.flatnonzero(cells.bad)[:MAX_PROBLEMS_PER_KIND]:
        problems.append(_cell_problem(int(sub_lines[i]), value_col, raw[i], bool(cells.formula[i])))
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


def _parse_classic(
    grid: _Grid, *, filename: str, period: str | None, require_codes: bool
) -> ParsedTable:
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
    title_period = _period_from_title(title)
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
    header = _check_header(header, lines[subject_idx])
    data_rows = rows[data_start:]
    data_lines = lines[data_start:]
    if not data_rows:
        raise ImportFileError(
            "Het bestand bevat alleen kopregels en geen gegevens.", line=lines[subject_idx]
        )
    problems: list[CellProblem] = list(grid.problems)
    frame, frame_lines = _frame_from_rows(header, data_rows, data_lines, problems)
    layout = _Layout(code=None, name=header[0], metadata=[header[0]])
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
        layout.code = _code_column_by_content(header, frame)
        if layout.code is not None:
            layout.keys.pop(layout.code, None)
            layout.metadata.append(layout.code)
    if layout.code is None and require_codes:
        raise ImportFileError(
            "Dit StatLine-bestand bevat alleen regionamen en geen regiocodes. Download de tabel "
            "opnieuw met het onderwerp 'Regioaanduiding/Codering' erbij.",
            line=lines[subject_idx],
        )
    file_period, source = _choose_period(period, title_period, filename)
    return _build(
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
                    _preview(row),
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
    file_period, source = _choose_period(period, title_period, filename)
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
    cells = _convert(raw)
    for i in np.flatnonzero(cells.bad)[:MAX_PROBLEMS_PER_KIND]:
        line = int(frame.at[i, "line"])
        problems.append(
            _cell_problem(line, f"{frame.at[i, 'code']}", raw[i], bool(cells.formula[i]))
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


# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------


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
    sheet_title = None
    if _is_xlsx(data, filename):
        grid, sheet_title = _xlsx_grid(data)
        detected = _classify_header(grid.rows[0]) or "wide"
    else:
        grid = _read_grid(data, filename)
        detected = _detect_grid_format(grid)
    fmt = detected
    if file_format not in {"auto", "cbs"}:
        fmt = file_format
    elif file_format == "cbs" and detected in {"long", "wide"}:
        raise ImportFileError(
            "Dit is geen CBS-bestand dat herkend wordt (geen OData-sleutels, StatLine-labels of "
            "Excel-kolomnamen zoals gwb_code_10)."
        )
    title_period = None
    if sheet_title:
        title_period = _period_from_title(sheet_title) if "kwb" in sheet_title.lower() else None
    if fmt == "cbs-statline-classic":
        table = _parse_classic(grid, filename=filename, period=period, require_codes=require_codes)
    elif fmt == "long":
        table = _parse_long(grid, filename=filename, period=period, require_codes=require_codes)
    else:
        table = _parse_header_table(
            fmt,
            grid,
            filename=filename,
            period=period,
            require_codes=require_codes,
            title_period=title_period,
        )
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
