"""Initiatives and their reach as CSV and Excel files, both ways. Pure: no ORM, no request.

One column list serves export and import, so a file the monitor wrote reads back as the same
initiatives. Lists are written as labels separated by ";", wards as CBS codes, dates as
``2025-03-31``. Text that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return) is written as text: with a leading apostrophe in CSV, as a
text cell in Excel. Reading strips that apostrophe again; a CSV cell that starts with ``=`` is
refused as a formula, and so is a formula cell in Excel.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from initiatives.choices import Funding, Kind, PartnerKind, Status, TargetGroup
from initiatives.rules import InitiativeRecord
from monitoring.conditions import Condition
from monitoring.periods import InvalidPeriod, Period

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "; "
MAX_ROWS = 5000


class CellError(ValueError):
    pass


# --- Neutralising formulas --------------------------------------------------------------------


def neutralise(value: Any) -> Any:
    """A text a spreadsheet would run as a formula gets a leading apostrophe (CSV)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _unneutralise(text: str) -> str:
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


# --- Cell types ---------------------------------------------------------------------------


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()


def _choice(choices) -> Callable[[Any], str]:
    by_word = {}
    for value, label in choices.choices:
        by_word[value.lower()] = value
        by_word[label.lower()] = value
        by_word[label.split(" (")[0].lower()] = value

    def parse(raw: Any) -> str:
        text = _text(raw)
        if not text:
            return ""
        found = by_word.get(text.lower())
        if found is None:
            allowed = ", ".join(label.split(" (")[0] for _, label in choices.choices)
            raise CellError(f"‘{text}’ is geen geldige keuze (kies uit: {allowed}).")
        return found

    return parse


def _choice_list(choices) -> Callable[[Any], list[str]]:
    one = _choice(choices)

    def parse(raw: Any) -> list[str]:
        values = []
        for part in re.split(r"[;\n|]", _text(raw)):
            if part.strip():
                value = one(part)
                if value not in values:
                    values.append(value)
        return values

    return parse


def _codes(raw: Any) -> list[str]:
    codes = []
    for part in re.split(r"[;,\s]+", _text(raw).upper()):
        if not part:
            continue
        if not re.fullmatch(r"WK\d{6,8}", part):
            raise CellError(f"‘{part}’ is geen wijkcode (zoals WK051828).")
        if part not in codes:
            codes.append(part)
    return codes


_DATE_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def _date(raw: Any) -> date | None:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = _text(raw)
    if not text:
        return None
    try:
        match = _DATE_DMY.match(text)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        raise CellError(
            f"‘{text}’ is geen geldige datum (schrijf 2025-03-31 of 31-03-2025)."
        ) from None


def _float(raw: Any) -> float | None:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    text = _text(raw).replace(" ", "")
    if not text:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise CellError(f"‘{text}’ is geen getal.") from None


def _count(raw: Any) -> int | None:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    else:
        text = _text(raw).replace(".", "").replace(" ", "")
        if not text:
            return None
        if not text.isdigit():
            raise CellError(f"‘{_text(raw)}’ is geen heel, niet-negatief aantal.")
        value = int(text)
    if value < 0:
        raise CellError(f"{value} is negatief; een aantal is 0 of meer.")
    return value


def _yes_no(raw: Any) -> bool:
    text = _text(raw).lower()
    if text in ("", "nee", "n", "0", "false", "onwaar"):
        return False
    if text in ("ja", "j", "1", "true", "waar"):
        return True
    raise CellError(f"‘{_text(raw)}’: schrijf ja of nee.")


def _quarter(raw: Any) -> str:
    text = _text(raw)
    try:
        period = Period.parse(text)
    except InvalidPeriod as error:
        raise CellError(str(error)) from None
    if not period.is_quarter:
        raise CellError(f"‘{text}’ is een jaar; bereik geldt per kwartaal (zoals 2025-K1).")
    return str(period)


# --- Writing values -------------------------------------------------------------------------


def _labels(choices) -> Callable[[list[str]], str]:
    def write(values: list[str]) -> str:
        return LIST_SEPARATOR.join(str(choices(v).label) for v in values)

    return write


def _label(choices) -> Callable[[str], str]:
    return lambda value: str(choices(value).label) if value else ""


def _write_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def _write_float(value: float | None) -> str:
    return "" if value is None else repr(round(value, 6))


def _write_count(value: int | None) -> Any:
    return "" if value is None else value


@dataclass(frozen=True)
class FileColumn:
    header: str
    key: str
    read: Callable[[Any], Any]
    write: Callable[[Any], Any]
    required: bool = False


def _plain(value: Any) -> Any:
    return value if value is not None else ""


INITIATIVE_COLUMNS: tuple[FileColumn, ...] = (
    FileColumn("naam", "name", _text, _plain, required=True),
    FileColumn("soort", "kind", _choice(Kind), _label(Kind), required=True),
    FileColumn("beschrijving", "description", _text, _plain),
    FileColumn("wijken", "ward_codes", _codes, lambda v: LIST_SEPARATOR.join(v), required=True),
    FileColumn("condities", "conditions", _choice_list(Condition), _labels(Condition)),
    FileColumn("doelgroepen", "target_groups", _choice_list(TargetGroup), _labels(TargetGroup)),
    FileColumn("partners", "partner_kinds", _choice_list(PartnerKind), _labels(PartnerKind)),
    FileColumn("start", "start_date", _date, _write_date),
    FileColumn("einde", "end_date", _date, _write_date),
    FileColumn("status", "status", _choice(Status), _label(Status), required=True),
    FileColumn("financiering", "funding", _choice(Funding), _label(Funding)),
    FileColumn("financiering tot", "funding_until", _date, _write_date),
    FileColumn("financier", "funder", _text, _plain),
    FileColumn("contactorganisatie", "contact_organisation", _text, _plain),
    FileColumn("e-mail", "contact_email", _text, _plain),
    FileColumn("telefoon", "contact_phone", _text, _plain),
    FileColumn("website", "website", _text, _plain),
    FileColumn("breedtegraad", "latitude", _float, _write_float),
    FileColumn("lengtegraad", "longitude", _float, _write_float),
    FileColumn("voorbeeldgegevens", "is_example", _yes_no, lambda v: "ja" if v else "nee"),
)


@dataclass
class ReachRecord:
    initiative_name: str
    period: str
    participants: int | None = None
    volunteers: int | None = None
    reached_groups: list[str] = field(default_factory=list)
    missed_groups: list[str] = field(default_factory=list)
    missed_note: str = ""


REACH_COLUMNS: tuple[FileColumn, ...] = (
    FileColumn("initiatief", "initiative_name", _text, _plain, required=True),
    FileColumn("kwartaal", "period", _quarter, _plain, required=True),
    FileColumn("deelnemers", "participants", _count, _write_count),
    FileColumn("vrijwilligers", "volunteers", _count, _write_count),
    FileColumn(
        "bereikte doelgroepen", "reached_groups", _choice_list(TargetGroup), _labels(TargetGroup)
    ),
    FileColumn("niet bereikt", "missed_groups", _choice_list(TargetGroup), _labels(TargetGroup)),
    FileColumn("toelichting niet bereikt", "missed_note", _text, _plain),
)


# --- Reading files --------------------------------------------------------------------------


@dataclass
class Line:
    number: int  # as a spreadsheet counts: the header is line 1
    cells: dict[str, Any]


@dataclass
class ParsedFile:
    kind: str  # "initiatieven" or "bereik"
    records: list[tuple[int, Any]] = field(default_factory=list)  # (line, record)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line or 0, message)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _header_key(text: Any) -> str:
    return re.sub(r"\s+", " ", _text(text).lower().replace("_", " "))


def read_table(data: bytes, filename: str) -> tuple[list[str], list[Line]]:
    """Header and lines of a CSV (``,`` or ``;``, UTF-8 or Windows-1252) or XLSX file."""
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        return _read_xlsx(data)
    return _read_csv(data)


def _read_csv(data: bytes) -> tuple[list[str], list[Line]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = list(reader)
    if not rows:
        raise CellError("Het bestand is leeg.")
    header = [_header_key(h) for h in rows[0]]
    lines = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {}
        for key, value in zip(header, row, strict=False):
            if value.startswith("="):
                raise _FormulaInCsv(number, key)
            cells[key] = _unneutralise(value)
        lines.append(Line(number, cells))
    return header, lines


class _FormulaInCsv(CellError):
    def __init__(self, line: int, column: str):
        super().__init__(
            f"Regel {line}, kolom ‘{column}’: de cel begint met ‘=’ en lijkt een formule. "
            "Formules worden niet ingelezen; zet er een ' voor als het tekst is."
        )
        self.line = line


def _read_xlsx(data: bytes) -> tuple[list[str], list[Line]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise CellError(f"Het Excel-bestand is niet te lezen ({type(error).__name__}).") from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows()
    try:
        header_cells = next(rows)
    except StopIteration:
        raise CellError("Het bestand is leeg.") from None
    header = [_header_key(c.value) for c in header_cells]
    lines = []
    for number, row in enumerate(rows, start=2):
        if all(c.value is None or _text(c.value) == "" for c in row):
            continue
        cells = {}
        for key, cell in zip(header, row, strict=False):
            if cell.data_type == "f":
                raise CellError(
                    f"Regel {number}, kolom ‘{key}’: de cel bevat een formule. Formules worden "
                    "niet ingelezen; plak de waarde als tekst of getal."
                )
            value = cell.value
            cells[key] = _unneutralise(value) if isinstance(value, str) else value
        lines.append(Line(number, cells))
    return header, lines


def parse_file(data: bytes, filename: str) -> ParsedFile:
    """Records and every problem, per line, of an initiatives or reach file. Never raises."""
    try:
        header, lines = read_table(data, filename)
    except _FormulaInCsv as error:
        return ParsedFile("initiatieven", problems=[(error.line, str(error))])
    except CellError as error:
        return ParsedFile("initiatieven", problems=[(0, str(error))])
    kind, columns, record_type = (
        ("bereik", REACH_COLUMNS, ReachRecord)
        if "kwartaal" in header
        else ("initiatieven", INITIATIVE_COLUMNS, InitiativeRecord)
    )
    parsed = ParsedFile(kind)
    known = {c.header for c in columns}
    parsed.ignored_columns = [h for h in header if h and h not in known]
    missing = [c.header for c in columns if c.required and c.header not in header]
    if missing:
        parsed.problems.append(
            (1, f"Kolom{'men' if len(missing) > 1 else ''} ontbreekt: {', '.join(missing)}.")
        )
        return parsed
    if len(lines) > MAX_ROWS:
        parsed.problems.append((0, f"Te veel regels: hoogstens {MAX_ROWS} per bestand."))
        return parsed
    if not lines:
        parsed.problems.append((0, "Het bestand heeft een kopregel maar geen regels."))
    key_of = (
        (lambda r: r.name.strip().lower())
        if kind == "initiatieven"
        else (lambda r: (r.initiative_name.strip().lower(), r.period))
    )
    seen: dict[Any, int] = {}
    for line in lines:
        values, ok = {}, True
        for column in columns:
            if column.header not in header:
                continue
            try:
                values[column.key] = column.read(line.cells.get(column.header))
            except CellError as error:
                parsed.problems.append((line.number, f"kolom ‘{column.header}’: {error}"))
                ok = False
        for column in columns:
            if column.required and column.header in header and ok and not values.get(column.key):
                parsed.problems.append((line.number, f"kolom ‘{column.header}’ is leeg."))
                ok = False
        if not ok:
            continue
        record = record_type(**{k: v for k, v in values.items() if v not in (None, "")})
        key = key_of(record)
        if key in seen:
            parsed.problems.append(
                (
                    line.number,
                    f"staat al op regel {seen[key]}; elk initiatief (per kwartaal) één keer.",
                )
            )
            continue
        seen[key] = line.number
        parsed.records.append((line.number, record))
    return parsed


# --- Writing files --------------------------------------------------------------------------


def _rows(records: Iterable[Any], columns: Sequence[FileColumn]) -> list[list[Any]]:
    return [[c.write(getattr(r, c.key)) for c in columns] for r in records]


def to_csv(records: Iterable[Any], columns: Sequence[FileColumn]) -> bytes:
    return rows_to_csv([c.header for c in columns], _rows(records, columns))


def to_xlsx(
    records: Iterable[Any], columns: Sequence[FileColumn], *, notes: Sequence[str] = ()
) -> bytes:
    return rows_to_xlsx([c.header for c in columns], _rows(records, columns), notes=notes)


def rows_to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """Semicolon-separated UTF-8 with a byte-order mark: Dutch Excel opens it as it is."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def rows_to_xlsx(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, notes: Sequence[str] = ()
) -> bytes:
    """An Excel workbook: the header on line 1 (so it reads back), every text a text cell."""
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Gegevens"
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([None if v == "" or v is None else v for v in row])
    for row in sheet.iter_rows(min_row=1):
        for cell in row:
            if isinstance(cell.value, str):
                # openpyxl would store "=…" as a formula; a text cell with a quote prefix is
                # shown and kept as text when someone edits it in Excel.
                cell.data_type = "s"
                if cell.value.startswith(FORMULA_STARTS):
                    cell.quotePrefix = True
    for position, title in enumerate(header, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(position)].width = max(
            12, min(50, len(str(title)) + 6)
        )
    sheet.freeze_panes = "A2"
    if notes:
        about = workbook.create_sheet("Toelichting")
        for note in notes:
            about.append([note])
            about.cell(row=about.max_row, column=1).data_type = "s"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def table_to_csv(table) -> bytes:
    """A page's table (``monitoring.charts.Table``) as CSV, formulas neutralised."""
    header = [f"{c.label} ({c.unit})" if c.unit else c.label for c in table.columns]
    return rows_to_csv(header, ([row.get(c.key) for c in table.columns] for row in table.rows))


def table_to_xlsx(table, *, notes: Sequence[str] = ()) -> bytes:
    header = [f"{c.label} ({c.unit})" if c.unit else c.label for c in table.columns]
    rows = ([row.get(c.key) for c in table.columns] for row in table.rows)
    return rows_to_xlsx(header, rows, notes=[table.caption, *notes])


__all__ = [
    "INITIATIVE_COLUMNS",
    "REACH_COLUMNS",
    "XLSX_TYPE",
    "FileColumn",
    "ParsedFile",
    "ReachRecord",
    "neutralise",
    "parse_file",
    "to_csv",
    "to_xlsx",
]
