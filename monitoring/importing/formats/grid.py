"""Bytes -> a grid of text fields: the first step of every table format. Pure.

A CSV is decoded (UTF-8 with or without BOM, else Windows-1252), its delimiter detected and
its records split, recovering from an unclosed quote; a workbook (.xlsx) is read as the text a
CSV export would hold, from the sheet with the most region codes. Files that are no table at
all (PDF, HTML, JSON, binary) are refused with a Dutch message saying what they are.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from monitoring.importing.formats.common import (
    MAX_PROBLEMS_PER_KIND,
    REGION_CODE_RE,
    CellProblem,
    ImportFileError,
    check_header,
    row_preview,
)


def read_grid(data: bytes, filename: str) -> Grid:
    """The file as a grid: a workbook when it is one, otherwise text."""
    if is_workbook(data, filename):
        return read_workbook_grid(data)
    return read_text_grid(data, filename)


@dataclass
class Grid:
    """A file as rows of text fields, whatever it was (CSV in any encoding, or a workbook)."""

    rows: list[list[str]]
    lines: list[int]  # 1-based line in the original file where each row starts
    delimiter: str
    encoding: str
    problems: list[CellProblem] = field(default_factory=list)  # found while splitting rows
    title: str | None = None  # a workbook's sheet name (a CSV has none)


def sniff_binary(data: bytes, filename: str) -> None:
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


def read_text_grid(data: bytes, filename: str) -> Grid:
    if not data or not data.strip(b"\xef\xbb\xbf \t\r\n\x00"):
        raise ImportFileError("Het bestand is leeg.")
    sniff_binary(data, filename)
    text, encoding = _decode(data)
    if not text.strip():
        raise ImportFileError("Het bestand is leeg.")
    delimiter = _detect_delimiter(text)
    physical = text.splitlines(keepends=True)
    rows, lines, problems = _split_records(physical, delimiter)
    if not rows:
        raise ImportFileError("Het bestand is leeg.")
    return Grid(rows=rows, lines=lines, delimiter=delimiter, encoding=encoding, problems=problems)


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
                            row_preview([physical[first - 1].rstrip("\r\n")]),
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
                    row_preview([physical[line - 1].rstrip("\r\n")]),
                    f"Regel {line}: deze regel kan niet als CSV worden gelezen (waarschijnlijk "
                    "een aanhalingsteken dat niet wordt afgesloten); overgeslagen.",
                )
            )
            restart = line
        if restart is None:
            break
        start_at = restart
    return rows, lines, problems


def read_workbook_grid(data: bytes) -> Grid:
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
    return Grid(rows=rows, lines=lines, delimiter="", encoding="xlsx", title=title)


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


def is_workbook(data: bytes, filename: str) -> bool:
    return data.startswith(b"PK\x03\x04") and (
        filename.lower().endswith((".xlsx", ".xlsm")) or b"xl/" in data[:2000]
    )


def frame_from_rows(
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
                    value=row_preview(row),
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


def header_and_rows(
    grid: Grid,
) -> tuple[list[str], list[CellProblem], pd.DataFrame, list[int]]:
    """The checked header and the data rows that fit it; refuses a file without any."""
    header = check_header(grid.rows[0], grid.lines[0])
    if len(grid.rows) < 2:
        raise ImportFileError(
            "Het bestand bevat alleen een kopregel en geen gegevens.", line=grid.lines[0]
        )
    problems: list[CellProblem] = list(grid.problems)
    frame, lines = frame_from_rows(header, grid.rows[1:], grid.lines[1:], problems)
    if frame.empty:
        raise ImportFileError(
            f"Geen enkele gegevensregel heeft {len(header)} velden zoals de kopregel: "
            "klopt het scheidingsteken?",
            line=grid.lines[1],
        )
    return header, problems, frame, lines
