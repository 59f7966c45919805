"""The same CBS figures, read from an OData file and from an Excel-style file with CBS's short
names, are stored as the same values.

The Excel-style file is built here from the OData file: the OData keys are renamed to the short
names of CBS's Excel edition (``tests/data/codebook/excel_short_names.csv``), codes unpadded,
numbers written as numbers and CBS's "." kept as text, as in ``kwb-YYYY.xlsx``.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from monitoring.models import IndicatorValue
from monitoring.services import import_apply, import_rollback

DATA = Path(__file__).parent / "data"
ODATA = (
    DATA / "cbs_kwb" / "kwb_den_haag_2019_2020_2021" / "kwb2019_84583NED_den_haag_odata_full.csv"
)
CODEBOOK = DATA / "codebook" / "excel_short_names.csv"


@pytest.fixture(autouse=True)
def empty_store(db):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE monitoring_valuechange, monitoring_indicatorvalue, "
            "monitoring_conditionscore, monitoring_importbatch, monitoring_region, "
            "monitoring_membership CASCADE"
        )


def excel_edition_of(odata: Path) -> bytes:
    """An xlsx in the layout of CBS's Excel edition, with the OData file's values."""
    with open(CODEBOOK, encoding="utf-8") as handle:
        short_name = {
            r["odata_key"]: r["excel_name"] for r in csv.DictReader(handle, delimiter=";")
        }
    frame = pd.read_csv(
        io.StringIO(odata.read_bytes().decode("utf-8-sig")),
        sep=";",
        dtype=str,
        keep_default_na=False,
    )
    columns = {}
    for column in frame.columns:
        key = re.sub(r"_\d+$", "", column)
        if key in short_name:
            columns[short_name[key]] = frame[column].str.strip()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "kwb-2019"
    names = list(columns)
    sheet.append(names)
    for row in zip(*(columns[name] for name in names), strict=True):
        sheet.append([_cell(text) for text in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(text: str):
    try:
        number = float(text)
    except ValueError:
        return text  # codes, names and CBS's "." for missing or secret
    return int(number) if number.is_integer() and "." not in text else number


def stored_values() -> list[tuple]:
    return list(
        IndicatorValue.objects.order_by("region__code", "indicator__code", "period").values_list(
            "region__code", "indicator__code", "period", "value", "is_suppressed"
        )
    )


def test_an_odata_file_and_its_excel_edition_store_the_same_values(framework):
    from_odata = import_apply(data=ODATA.read_bytes(), filename=ODATA.name, period="2019")
    odata_values = stored_values()
    assert len(odata_values) > 4000
    import_rollback(batch=from_odata.batch)
    assert stored_values() == []

    excel = excel_edition_of(ODATA)
    from_excel = import_apply(data=excel, filename="kwb-2019.xlsx", period="2019")
    assert from_excel.preview.file_format == "cbs-excel"
    assert stored_values() == odata_values


def test_the_excel_edition_built_here_uses_the_short_names_and_unpadded_codes():
    sheet = openpyxl.load_workbook(io.BytesIO(excel_edition_of(ODATA))).active
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert {"gwb_code_10", "regio", "recs", "a_inw", "p_hh_lkk", "p_hh_li"} <= set(header)
    first = [cell.value for cell in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert first[header.index("gwb_code_10")] == "GM0518"
