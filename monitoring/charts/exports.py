"""A chart's table as a file: CSV as Dutch Excel opens it, and an Excel workbook (pure).

CSV is written in the dialect a Dutch Excel reads into columns on a double-click: a semicolon
between fields, a decimal comma, UTF-8 with a byte-order mark (without it Excel reads the text as
Windows-1252). JSON (:meth:`Table.to_json`) stays the format for machines.

Every text cell is neutralised: a name such as ``=HYPERLINK(…)`` or ``@SUM(A1)`` would otherwise
become a live formula when the file is opened (CSV injection). In CSV such a cell gets a leading
apostrophe, in Excel it is a string cell (never a formula) with Excel's own quote prefix.
Numbers stay numbers: a negative number is not text and is left alone.
"""

from __future__ import annotations

import csv
import io
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from monitoring.charts.types import Column, Table

# What a spreadsheet reads as the start of a formula (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def label_with_unit(column: Column) -> str:
    return f"{column.label} ({column.unit})" if column.unit else column.label


def json_value(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def neutralised(text: str) -> str:
    """Text that no spreadsheet runs as a formula: an apostrophe before a risky first character."""
    return f"'{text}" if is_formula_like(text) else text


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def csv_number(value: float | int) -> str:
    """All the precision of the data (six decimals at most), with a decimal comma, no thousands."""
    if isinstance(value, int):
        return str(value)
    text = repr(round(value, 6))
    if "e" in text:  # 1e-06, 1e+16: Excel reads a plain number
        text = f"{value:.6f}".rstrip("0").rstrip(".") if abs(value) < 1 else f"{value:.0f}"
    return text.replace(".", ",")


def csv_cell(value: Any) -> str:
    if _is_missing(value):
        return ""
    if _is_number(value):
        return csv_number(value)
    return neutralised(str(value))


def decimals_of(column: Column, row: dict[str, Any]) -> int:
    """The decimals the screen shows for this cell (some tables differ per row, by unit)."""
    if column.decimals_key and row.get(column.decimals_key) is not None:
        return int(row[column.decimals_key])
    return column.decimals or 0


def is_change(column: Column) -> bool:
    """A column the screen shows as a signed change (▲ +3, ▼ −2)."""
    return column.key.startswith(("change", "diff"))


def number_format(decimals: int, *, signed: bool = False) -> str:
    """An Excel number format as on screen: a dot between thousands and a decimal comma in a Dutch
    Excel (the format code itself is written the international way: ``#,##0.0``)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    if signed:
        return f"+{pattern};-{pattern};0"
    return pattern


def table_csv(table: Table, *, title: str = "", source: str = "") -> bytes:
    """The table as a CSV file: the title row, the header, the rows and the source below."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    if title:
        writer.writerow([neutralised(title)])
    writer.writerow([neutralised(label_with_unit(c)) for c in table.columns])
    for row in table.rows:
        writer.writerow([csv_cell(row.get(c.key)) for c in table.columns])
    if source:
        writer.writerow([])
        writer.writerow([neutralised(source)])
    return out.getvalue().encode("utf-8-sig")


def table_xlsx(table: Table, *, title: str = "", source: str = "") -> bytes:
    """The table as an Excel workbook: numbers stay numbers with the screen's format, the title
    is the first row and the source is named below the rows."""
    import openpyxl  # only exports need it
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Tabel"

    def put(row: int, column: int, value: Any):
        cell = sheet.cell(row=row, column=column)
        if _is_missing(value):
            return cell
        if isinstance(value, str):
            # Assigned after the value: openpyxl would make "=…" a formula cell.
            cell.value = value
            cell.data_type = "s"
            if is_formula_like(value):
                cell.quotePrefix = True
        else:
            cell.value = value
        return cell

    put(1, 1, title or table.caption).font = Font(bold=True)
    for position, column in enumerate(table.columns, start=1):
        put(2, position, label_with_unit(column)).font = Font(bold=True)
    for offset, row in enumerate(table.rows):
        for position, column in enumerate(table.columns, start=1):
            value = json_value(row.get(column.key))
            cell = put(3 + offset, position, value)
            if column.is_number and _is_number(value):
                cell.number_format = number_format(
                    decimals_of(column, row), signed=is_change(column)
                )
    for position, column in enumerate(table.columns, start=1):
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = max(10, min(60, len(column.label) + 4))
    sheet.freeze_panes = "A3"
    if source:
        put(3 + len(table.rows) + 1, 1, source)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
