"""Every alias of the framework, laid beside every column of every real CBS file the project carries.

What a column *means* is decided here without the aliases, so that the check is not circular:

- an OData key means itself (without its edition suffix);
- a StatLine label (new style, classic, or as R rewrote it) means the OData key in the same
  position of the 2019 release that exists in both forms (Amsterdam, 84583NED: the OData file and
  the R-rewritten StatLine file have the same 118 columns in the same order), or what
  ``LABELS_NOT_IN_2019`` says for the few labels CBS introduced later;
- an Excel short name means what ``tests/data/codebook/excel_short_names.csv`` says.

A framework indicator may only be fed by a column that means the same CBS figure as one of its
OData aliases. The case this guards against: ``p_hh_li`` is the share of households in the
national bottom 40 % (``k_40HuishoudensMetLaagsteInkomen``), not the low-income share.
"""

from __future__ import annotations

import csv
import io
import json
import re
from functools import cache
from pathlib import Path

import openpyxl
import pytest

from monitoring.importing.mapping import (
    alias_index,
    alias_key,
    loose_index,
    loose_key,
    match_column,
)

ROOT = Path(__file__).parent.parent
KWB = Path(__file__).parent / "data" / "cbs_kwb"
FRAMEWORK = ROOT / "fixtures" / "indicator_framework.json"
AMSTERDAM = KWB / "kwb_amsterdam_2017_2019_2021"
CODEBOOK = Path(__file__).parent / "data" / "codebook" / "excel_short_names.csv"

CARRIED_FILES = sorted(
    [
        p
        for p in KWB.rglob("*")
        if p.suffix in {".csv", ".xlsx"} and p.name != "excel_short_names.csv"
    ]
    + [p for p in (ROOT / "fixtures" / "demo").glob("kwb*.csv")]
)

# StatLine labels that the 2019 release does not have, with the OData key they stand for.
LABELS_NOT_IN_2019 = {
    "Onderwijs/Hoogst behaald onderwijsniveau/Basisonderwijs, vmbo, mbo1": "OpleidingsniveauLaag",
    "Onderwijs/Hoogst behaald onderwijsniveau/Havo, vwo, mbo2-4": "OpleidingsniveauMiddelbaar",
    "Onderwijs/Hoogst behaald onderwijsniveau/Hbo, wo": "OpleidingsniveauHoog",
}
_ODATA_KEY = re.compile(r"^[A-Za-z0-9_]+$")


def _rows(path: Path, limit: int = 6) -> list[list[str]]:
    if path.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        return [
            ["" if cell is None else str(cell) for cell in row]
            for row in sheet.iter_rows(max_row=limit, values_only=True)
        ]
    text = path.read_bytes().decode("utf-8-sig")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    return [row for _, row in zip(range(limit), reader, strict=False)]


@cache
def headers(path: Path) -> tuple[str, ...]:
    """The column names of a file: its first row, or the subject row of a classic StatLine
    download (title line first, hierarchy with ``|``)."""
    rows = _rows(path)
    if len(rows[0]) == 1:
        return tuple(next(row for row in rows if any("|" in cell for cell in row)))
    return tuple(rows[0])


def is_excel(path: Path) -> bool:
    return "gwb_code_10" in headers(path)


@cache
def excel_meanings() -> dict[str, str]:
    with open(CODEBOOK, encoding="utf-8") as handle:
        return {
            row["excel_name"]: row["odata_key"] for row in csv.DictReader(handle, delimiter=";")
        }


@cache
def label_meanings() -> dict[str, str]:
    """``{loose label: OData key}`` from the 2019 release carried in both forms."""
    keys = headers(AMSTERDAM / "kwb2019_84583NED_amsterdam_odata_full.csv")
    labels = headers(AMSTERDAM / "kwb2019_amsterdam_statline_rewritten_by_R.csv")
    assert len(keys) == len(labels) == 118
    table = {loose_key(label): alias_key(key) for key, label in zip(keys, labels, strict=True)}
    table.update({loose_key(label): alias_key(key) for label, key in LABELS_NOT_IN_2019.items()})
    return table


def meaning(path: Path, column: str) -> str | None:
    """The OData key (alias form) a column stands for, or None when we do not know."""
    if is_excel(path):
        key = excel_meanings().get(column.strip())
        return alias_key(key) if key else None
    if _ODATA_KEY.match(column.strip().lstrip("\ufeff")) and "." not in column:
        return alias_key(column)
    found = label_meanings().get(loose_key(column))
    if found is None and loose_key(column) in {loose_key(v) for v in LABEL_ONLY.values()}:
        return f"label:{loose_key(column)}"
    return found


@cache
def framework() -> list[dict]:
    return json.loads(FRAMEWORK.read_text(encoding="utf-8"))["indicators"]


@cache
def importer_index() -> tuple[dict[str, int], dict[str, int | None]]:
    """The alias index as the importer builds it: derived indicators are never read from a file."""
    items = framework()
    index = alias_index((i, item["code"], item["aliases"]) for i, item in enumerate(items))
    derived = {alias_key(item["code"]) for item in items if item["numerator"]}
    index = {key: pk for key, pk in index.items() if key not in derived}
    return index, loose_index(index)


# Indicators of a figure that the 2019 release no longer has, so without an OData alias here:
# what their StatLine label means, written out.
LABEL_ONLY = {
    "inc_actieven": "Inkomen/Inkomen van personen/Actieven 15-75 jaar",
}


def indicator_meanings(item: dict) -> set[str]:
    """The CBS figures an indicator stands for: its OData aliases (CamelCase, no label)."""
    meanings = {
        alias_key(alias)
        for alias in item["aliases"]
        if _ODATA_KEY.match(alias) and alias != alias.lower()
    }
    if item["code"] in LABEL_ONLY:
        meanings.add(f"label:{loose_key(LABEL_ONLY[item['code']])}")
    return meanings


def mapped_columns(path: Path) -> list[tuple[str, str]]:
    index, loose = importer_index()
    found = []
    for column in headers(path):
        indicator = match_column(column, index, loose)
        if indicator is not None:
            found.append((column, framework()[indicator]["code"]))
    return found


def test_the_carried_files_cover_every_format():
    kinds = {("excel" if is_excel(p) else p.suffix) for p in CARRIED_FILES}
    assert kinds == {"excel", ".csv"}
    assert len(CARRIED_FILES) >= 15


@pytest.mark.parametrize("path", CARRIED_FILES, ids=lambda p: p.name)
def test_no_indicator_is_fed_by_a_column_that_means_something_else(path):
    wrong = []
    for column, code in mapped_columns(path):
        item = next(i for i in framework() if i["code"] == code)
        if meaning(path, column) not in indicator_meanings(item):
            wrong.append(f"{column!r} ({meaning(path, column)}) -> {code}")
    assert wrong == []


def test_every_cbs_alias_of_the_framework_is_a_column_of_a_carried_file():
    every_column = {column for path in CARRIED_FILES for column in headers(path)}
    exact = {alias_key(column) for column in every_column}
    loose = {loose_key(column) for column in every_column}
    cbs_indicators = [i for i in framework() if i["aliases"]]
    missing = [
        f"{item['code']}: {alias}"
        for item in cbs_indicators
        for alias in item["aliases"]
        if alias_key(alias) not in exact and loose_key(alias) not in loose
    ]
    assert missing == []


def test_the_bottom_40_percent_share_is_not_the_low_income_share():
    excel = KWB / "kwb_utrecht_2019_2021_2023_2024" / "CBS-Utrecht-kwb-2023.xlsx"
    mapped = dict(mapped_columns(excel))
    assert excel_meanings()["p_hh_li"] == "k_40HuishoudensMetLaagsteInkomen"
    assert "p_hh_li" not in mapped
    assert mapped["p_hh_lkk"] == "sez_laag_inkomen"


@pytest.mark.parametrize(
    ("column", "code"),
    [
        ("Arbeid.Nettoarbeidsparticipatie....", "inc_arbeidsparticipatie"),
        ("Nabijheid.voorzieningen.Afstand.tot.huisartsenpraktijk..km.", "inc_afstand_huisarts"),
        ("Nabijheid.voorzieningen.Basisonderwijs.Afstand.tot.school..km.", "inc_afstand_school"),
        ("Zorg.Wmo.cliënten.relatief..per.1.000.inwoners.", "emp_wmo"),
        ("Zorg.Percentage.jongeren.met.jeugdzorg....", "emp_jeugdzorg"),
        (
            "Inkomen.Inkomen.van.huishoudens.Gem..gestandaardiseerd.inkomen.van.huish..x.1.000.euro.",
            "sez_gest_inkomen",
        ),
        (
            "Inkomen.Inkomen.van.personen.Gemiddeld.inkomen.per.inwoner...x.1.000.euro.",
            "inkomen_per_inwoner",
        ),
        ("Opleidingsniveau.Opleidingsniveau.laag..aantal.", "opleiding_laag"),
        ("Bevolking.Bevolkingsdichtheid..aantal.inwoners.per.km..", "bevolkingsdichtheid"),
    ],
)
def test_statline_labels_rewritten_by_r_reach_their_indicator(column, code):
    index, loose = importer_index()
    assert framework()[match_column(column, index, loose)]["code"] == code


def test_the_r_units_are_stripped_but_the_label_is_kept():
    assert alias_key(
        "Inkomen.Inkomen.van.personen.Gemiddeld.inkomen.per.inwoner...x.1.000.euro."
    ) == ("inkomen.inkomen.van.personen.gemiddeld.inkomen.per.inwoner")
    assert alias_key("Arbeid.Nettoarbeidsparticipatie....") == "arbeid.nettoarbeidsparticipatie"
    assert alias_key("Bevolking/Aantal inwoners (aantal)") == "bevolking/aantal inwoners"
    assert alias_key("HuishoudensMetEenLaagInkomen_78") == "huishoudensmeteenlaaginkomen"
