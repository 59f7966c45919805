"""The pure tabular parsing layer, on the real CBS files in tests/data and fixtures/demo.

Counts are checked against an independent count made here with pandas, not with the parser.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from monitoring.importing.parsers import (
    ParsedTable,
    edition_key,
    parse_table,
)

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo"
DATA = ROOT / "tests" / "data"
KWB = DATA / "cbs_kwb"
DEN_HAAG = KWB / "kwb_den_haag_2019_2020_2021"
UTRECHT = KWB / "kwb_utrecht_2019_2021_2023_2024"
AMSTERDAM = KWB / "kwb_amsterdam_2017_2019_2021"
NATIONAL_2017 = KWB / "kwb2017_national_odata" / "kwb2017_83765NED_national_22cols.csv"
NATIONAL_2024 = KWB / "kwb2024_national_statline" / "kwb2024_national_bevolking_leeftijd.csv"

ODATA_METADATA_KEYS = {
    "ID",
    "WijkenEnBuurten",
    "Gemeentenaam",
    "SoortRegio",
    "Codering",
    "IndelingswijzigingWijkenEnBuurten",
    "MeestVoorkomendePostcode",
    "Dekkingspercentage",
}


def parse(path: Path, **kwargs) -> ParsedTable:
    return parse_table(path.read_bytes(), filename=path.name, **kwargs)


def independent_odata_count(path: Path, sep: str) -> tuple[int, int, int]:
    """(rows, numeric cells, '.' cells) in the data columns, counted with plain pandas."""
    frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    data_cols = [c for c in frame.columns if edition_key(c) not in ODATA_METADATA_KEYS]
    cells = frame[data_cols].apply(lambda col: col.str.strip())
    dots = int((cells == ".").sum().sum())
    numbers = int(cells.apply(lambda col: pd.to_numeric(col, errors="coerce")).notna().sum().sum())
    return len(frame), numbers, dots


# ------------------------------------------------------------------------------------------
# edition keys
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "key"),
    [
        ("HuishoudensMetEenLaagInkomen_72", "HuishoudensMetEenLaagInkomen"),
        ("HuishoudensMetEenLaagInkomen_78", "HuishoudensMetEenLaagInkomen"),
        ("k_65JaarOfOuder_12", "k_65JaarOfOuder"),
        ("k_0Tot15Jaar_8", "k_0Tot15Jaar"),
        ("k_40PersonenMetLaagsteInkomen_67", "k_40PersonenMetLaagsteInkomen"),
        ("AantalInwoners_5", "AantalInwoners"),
        ("AantalInwoners", "AantalInwoners"),
        ("ID", "ID"),
        ("k_65JaarOfOuder", "k_65JaarOfOuder"),
        ("k_12", "k_12"),
        (" Codering_3 ", "Codering"),
    ],
)
def test_edition_key_strips_only_the_edition_suffix(column, key):
    assert edition_key(column) == key


# ------------------------------------------------------------------------------------------
# CBS OData / bulk CSV
# ------------------------------------------------------------------------------------------


def test_it_reads_the_den_haag_2019_odata_file_with_padded_codes():
    path = DEMO / "kwb2019_GM0518_odata.csv"
    table = parse(path)
    rows, numbers, dots = independent_odata_count(path, ";")

    assert table.format == "cbs-odata"
    assert table.encoding == "utf-8-sig"
    assert table.delimiter == ";"
    assert len(table.regions) == rows == 159
    assert table.regions["level"].value_counts().to_dict() == {
        "buurt": 114,
        "wijk": 44,
        "gemeente": 1,
    }
    first = table.regions.iloc[0]
    assert (first["code"], first["level"], first["municipality_name"]) == (
        "GM0518",
        "gemeente",
        "'s-Gravenhage",
    )
    assert first["line"] == 2
    assert table.value_count == numbers
    assert int(table.values["suppressed"].sum()) == dots
    assert table.problems == []
    # 118 columns, 8 of them describe the region rather than hold a figure.
    assert len(table.metadata_columns) == 8
    assert "MeestVoorkomendePostcode_113" in table.metadata_columns
    assert len(table.values) == 159 * 110


def test_it_matches_odata_columns_without_their_edition_suffix():
    table = parse(DEMO / "kwb2019_GM0518_odata.csv")
    inhabitants = table.values[
        (table.values["code"] == "GM0518") & (table.values["key"] == "AantalInwoners")
    ]
    assert inhabitants["column"].tolist() == ["AantalInwoners_5"]
    assert inhabitants["value"].tolist() == [537833.0]
    assert inhabitants["raw"].tolist() == ["537833"]
    elderly = table.values[
        (table.values["code"] == "GM0518") & (table.values["key"] == "k_65JaarOfOuder")
    ]
    assert elderly["value"].tolist() == [78020.0]


def test_it_keeps_cbs_dots_as_suppressed_missing_values():
    table = parse(DEMO / "kwb2019_GM0518_odata.csv")
    cell = table.values[
        (table.values["code"] == "WK051801")
        & (table.values["column"] == "GemiddeldeHuishoudensgrootte_32")
    ].iloc[0]
    assert cell["raw"] == "."
    assert np.isnan(cell["value"])
    assert bool(cell["suppressed"]) is True


def test_it_reads_the_2020_file_without_bom_padding_or_dots():
    path = DEMO / "kwb2020_GM0518_odata.csv"
    table = parse(path)
    rows, numbers, dots = independent_odata_count(path, ";")
    assert table.encoding == "utf-8"
    assert len(table.regions) == rows == 159
    assert table.value_count == numbers
    assert dots == 0
    assert int(table.values["suppressed"].sum()) == 0
    empty = table.values[table.values["raw"] == ""]
    assert len(empty) > 7000
    assert empty["value"].isna().all()
    gm = table.values[
        (table.values["code"] == "GM0518") & (table.values["key"] == "AantalInwoners")
    ]
    assert gm["value"].tolist() == [545838.0]


def test_it_reads_the_2017_comma_separated_unquoted_file():
    path = DEMO / "kwb2017_GM0518_odata.csv"
    table = parse(path)
    rows, numbers, dots = independent_odata_count(path, ",")
    assert table.delimiter == ","
    assert table.format == "cbs-odata"
    assert len(table.regions) == rows == 159
    assert table.value_count == numbers
    assert int(table.values["suppressed"].sum()) == dots
    income = table.values[
        (table.values["code"] == "GM0518")
        & (table.values["key"] == "GemiddeldInkomenPerInkomensontvanger")
    ]
    assert income["value"].tolist() == [33.4]


def test_it_reads_the_2021_file_without_a_municipality_name_column():
    path = DEMO / "kwb2021_GM0518_odata.csv"
    table = parse(path)
    rows, numbers, dots = independent_odata_count(path, ";")
    assert len(table.regions) == rows == 159
    assert (table.regions["municipality_name"] == "").all()
    assert table.value_count == numbers
    assert int(table.values["suppressed"].sum()) == dots == 481
    assert set(table.values["key"]) >= {"AantalInwoners", "OpleidingsniveauHoog"}


@pytest.mark.parametrize(
    ("name", "period"),
    [
        ("kwb2017_GM0518_odata.csv", "2017"),
        ("kwb2019_GM0518_odata.csv", "2019"),
        ("kwb2020_GM0518_odata.csv", "2020"),
        ("kwb2021_GM0518_odata.csv", "2021"),
        ("kwb2024_GM0518_statline_bevolking.csv", "2024"),
    ],
)
def test_it_takes_the_period_of_a_kwb_file_from_its_name(name, period):
    table = parse(DEMO / name)
    assert table.period == period
    assert table.period_source == "bestandsnaam"
    assert set(table.values["period"]) == {period}


def test_a_period_given_by_the_caller_wins_over_the_file_name():
    table = parse(DEMO / "kwb2020_GM0518_odata.csv", period="2019")
    assert table.period == "2019"
    assert table.period_source == "opgegeven"
    assert set(table.values["period"]) == {"2019"}


def test_a_file_without_period_gives_none():
    data = (DEMO / "kwb2021_GM0518_odata.csv").read_bytes()
    table = parse_table(data, filename="upload.csv")
    assert table.period is None
    assert table.values["period"].isna().all()


@pytest.mark.parametrize(
    "path",
    [
        DEN_HAAG / "kwb2019_84583NED_den_haag_odata_full.csv",
        DEN_HAAG / "kwb2020probable_den_haag_odata_full_unpadded.csv",
        DEN_HAAG / "kwb2021_den_haag_odata_22cols.csv",
        UTRECHT / "kwb2019_utrecht_odata_22cols.csv",
        UTRECHT / "kwb2021_utrecht_odata_22cols.csv",
        AMSTERDAM / "kwb2019_84583NED_amsterdam_odata_full.csv",
        AMSTERDAM / "kwb2021_amsterdam_odata_22cols.csv",
    ],
    ids=lambda p: p.name,
)
def test_every_real_odata_file_parses_with_independently_counted_values(path):
    table = parse(path)
    rows, numbers, dots = independent_odata_count(path, ";")
    assert table.format == "cbs-odata"
    assert len(table.regions) == rows
    assert table.regions["code"].is_unique
    assert table.value_count == numbers
    assert int(table.values["suppressed"].sum()) == dots
    assert table.problems == []


def test_it_reports_the_14_cut_off_nuenen_rows_of_the_2017_national_file():
    table = parse(NATIONAL_2017)
    assert table.format == "cbs-odata"
    shifted = [p for p in table.problems if "afgekapt of verschoven" in p.reason]
    assert len(shifted) == 14 == len(table.problems)
    lines = [p.line for p in shifted]
    assert lines[0] == 10809
    # The line numbers point at the Nuenen rows in the raw file.
    raw_lines = NATIONAL_2017.read_text(encoding="utf-8-sig").splitlines()
    for line in lines:
        assert ",Nuenen," in raw_lines[line - 1]
    assert all(p.value.startswith(("GM0820", "WK0820", "BU0820")) for p in shifted)
    assert "GM0820" not in set(table.regions["code"])
    # 16,667 rows minus the 14 broken ones; levels as SOURCE.md counts them.
    assert len(table.regions) == 16653
    assert table.regions["level"].value_counts().to_dict() == {
        "buurt": 13198 - 0,
        "wijk": 3067,
        "gemeente": 387,
        "land": 1,
    }


def test_the_2017_national_file_values_match_an_independent_count():
    table = parse(NATIONAL_2017)
    frame = pd.read_csv(NATIONAL_2017, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame = frame[frame["SoortRegio_2"].str.strip() != ""]
    data_cols = [c for c in frame.columns if edition_key(c) not in ODATA_METADATA_KEYS]
    cells = frame[data_cols].apply(lambda col: col.str.strip())
    numbers = int(cells.apply(lambda c: pd.to_numeric(c, errors="coerce")).notna().sum().sum())
    assert table.value_count == numbers
    assert int(table.values["suppressed"].sum()) == 33016
    nl = table.values[(table.values["code"] == "NL00") & (table.values["key"] == "AantalInwoners")]
    assert nl["value"].tolist() == [17081507.0]


# ------------------------------------------------------------------------------------------
# StatLine new style
# ------------------------------------------------------------------------------------------


def test_it_reads_the_den_haag_2024_statline_file_with_labels_and_crlf():
    path = DEMO / "kwb2024_GM0518_statline_bevolking.csv"
    table = parse(path)
    assert table.format == "cbs-statline"
    assert len(table.regions) == 159
    assert table.regions["name"].iloc[0] == "'s-Gravenhage"
    assert table.regions["name"].iloc[1] == "Wijk 01 Oostduinen"
    assert table.regions["code"].iloc[1] == "WK051801"
    assert table.regions["municipality_name"].iloc[1] == "'s-Gravenhage"
    assert table.regions["level"].value_counts().to_dict() == {
        "buurt": 114,
        "wijk": 44,
        "gemeente": 1,
    }
    # 13 columns: name + 4 region descriptors, 8 figures.
    assert len(table.metadata_columns) == 5
    assert len(table.values) == 159 * 8
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    independent = sum(1 for row in rows[1:] for cell in row[5:] if cell.strip() not in {"", "."})
    assert table.value_count == independent
    inhabitants = table.values[
        (table.values["code"] == "GM0518") & (table.values["key"] == "Bevolking/Aantal inwoners")
    ]
    assert inhabitants["column"].tolist() == ["Bevolking/Aantal inwoners (aantal)"]
    assert inhabitants["value"].tolist() == [566221.0]
    units = dict(zip(table.columns["key"], table.columns["unit"], strict=True))
    assert units["Bevolking/Leeftijdsgroepen/65 jaar of ouder"] == "aantal"


def test_it_reads_the_national_2024_statline_file_with_letter_codes():
    table = parse(NATIONAL_2024)
    assert table.format == "cbs-statline"
    assert len(table.regions) == 18310
    assert table.regions["level"].value_counts().to_dict() == {
        "buurt": 14574,
        "wijk": 3393,
        "gemeente": 342,
        "land": 1,
    }
    # Amsterdam re-coded its wards with letters in 2022.
    assert "WK0363AA" in set(table.regions["code"])
    assert table.problems == []
    nl = table.values[
        (table.values["code"] == "NL00") & (table.values["key"] == "Bevolking/Aantal inwoners")
    ]
    assert nl["value"].tolist() == [17942942.0]
