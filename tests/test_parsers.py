"""The pure tabular parsing layer, on the real CBS files in tests/data and fixtures/demo.

Counts are checked against an independent count made here with pandas, not with the parser.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from monitoring.importing.parsers import (
    CellProblem,
    ImportFileError,
    ParsedTable,
    detect_format,
    edition_key,
    parse_table,
    range_problems,
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


def test_it_reads_the_nabijheid_2023_statline_file_with_padded_numbers():
    path = DATA / "cbs_other" / "nabijheid_2023_utrecht" / "nabijheid_buurt_2023_utrecht.csv"
    table = parse(path)
    frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    cells = frame.iloc[:, 5:].apply(lambda col: col.str.strip())
    assert table.format == "cbs-statline"
    assert len(table.regions) == len(frame) == 123
    assert int(table.values["suppressed"].sum()) == int((cells == ".").sum().sum()) == 9174
    assert table.value_count == int(
        cells.apply(lambda c: pd.to_numeric(c, errors="coerce")).notna().sum().sum()
    )
    assert table.period == "2023"  # from the file name: nabijheid_buurt_2023_utrecht.csv
    key = "Gezondheid en welzijn/Huisartsenpraktijk/Afstand tot huisartsenpraktijk"
    assert key in set(table.values["key"])


def test_it_takes_the_period_from_a_perioden_column():
    path = DATA / "cbs_other" / "ses_woa_2019_amsterdam" / "ses_woa_2019_85163NED_amsterdam.csv"
    table = parse_table(path.read_bytes(), filename="ses.csv")
    assert table.format == "cbs-statline"
    assert table.period == "2019"
    assert table.period_source == "kolom"
    assert set(table.values["period"]) == {"2019"}
    assert len(table.regions) == 579
    assert int(table.values["suppressed"].sum()) == 450
    score = table.values[
        (table.values["code"] == "GM0363")
        & (table.values["key"] == "SES-WOA/Totaalscore/Gemiddelde score")
    ]
    assert score["value"].tolist() == [-0.1]


def test_it_reads_decimal_commas_and_semicolons_inside_statline_headers():
    path = KWB / "kwb2024_national_statline" / "kwb2024_gemeenten_100_first_56cols.csv"
    table = parse(path, require_codes=False)
    assert table.format == "cbs-statline"
    assert len(table.regions) == 100
    assert (table.regions["code"] == "").all()
    assert "Sociale zekerheid/Personen per soort uitkering; Bijstand" in set(table.columns["key"])
    size = table.values[
        (table.values["line"] == 2)
        & (
            table.values["key"]
            == "Bevolking/Particuliere huishoudens/Gemiddelde huishoudensgrootte"
        )
    ]
    assert size["raw"].tolist() == ["2,2"]
    assert size["value"].tolist() == [2.2]
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    empty = sum(1 for row in rows[1:] for cell in row[1:] if cell.strip() == "")
    assert empty == 1600
    assert int(table.values["value"].isna().sum()) == empty
    assert table.problems == []


def test_an_embedded_newline_in_a_header_is_kept_in_the_column_and_folded_in_the_key():
    # SOURCE.md describes StatLine labels with a newline inside the quotes; the copy here has
    # "; " at that place, so the newline variant is made from it.
    path = KWB / "kwb2024_national_statline" / "kwb2024_gemeenten_100_first_56cols.csv"
    data = path.read_bytes().replace(b"uitkering; Bijstand", b"uitkering\r\nBijstand", 1)
    table = parse_table(data, filename=path.name, require_codes=False)
    column = "Sociale zekerheid/Personen per soort uitkering\r\nBijstand (aantal)"
    assert column in set(table.columns["column"])
    keys = dict(zip(table.columns["column"], table.columns["key"], strict=True))
    assert keys[column] == "Sociale zekerheid/Personen per soort uitkering Bijstand"
    # The data rows still start on line 3: the header took two physical lines.
    assert table.regions["line"].tolist()[:2] == [3, 4]
    assert len(table.regions) == 100


def test_a_statline_file_without_codes_is_rejected_unless_names_are_enough():
    path = KWB / "kwb2024_national_statline" / "kwb2024_national_herkomst_no_codes.csv"
    with pytest.raises(ImportFileError) as error:
        parse(path)
    assert "Geen kolom met regiocodes gevonden" in error.value.message
    table = parse(path, require_codes=False)
    assert len(table.regions) == 18310
    assert table.regions["name"].iloc[2] == "Wijk 00 Annen"
    assert table.regions["municipality_name"].iloc[2] == "Aa en Hunze"


@pytest.mark.parametrize(
    "name",
    [
        "kwb2017_amsterdam_statline_rewritten_by_R.csv",
        "kwb2019_amsterdam_statline_rewritten_by_R.csv",
    ],
)
def test_it_reads_statline_downloads_rewritten_by_r(name):
    path = AMSTERDAM / name
    table = parse(path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert table.format == "cbs-statline"
    assert len(table.regions) == len(frame) == 580
    assert table.regions["code"].iloc[1] == "GM0363"
    assert table.regions["name"].iloc[1] == "Amsterdam"
    assert table.problems == []


def test_two_releases_of_amsterdam_2019_differ_by_five_inhabitants_in_223_rows():
    odata = parse(AMSTERDAM / "kwb2019_84583NED_amsterdam_odata_full.csv").values
    rewritten = parse(AMSTERDAM / "kwb2019_amsterdam_statline_rewritten_by_R.csv").values
    a = odata[odata["key"] == "AantalInwoners"].set_index("code")["value"]
    b = rewritten[rewritten["key"] == "Bevolking.Aantal.inwoners"].set_index("code")["value"]
    diff = (b - a).dropna()
    assert len(diff) == 579
    assert int((diff != 0).sum()) == 223
    assert set(diff[diff != 0]) == {5.0}


# ------------------------------------------------------------------------------------------
# StatLine classic
# ------------------------------------------------------------------------------------------


def test_it_reads_the_classic_2015_statline_file_with_title_units_and_footer():
    path = KWB / "kwb2015_amsterdam_inkomen_statline" / "kwb2015_amsterdam_inkomen_statline.csv"
    with pytest.raises(ImportFileError) as error:
        parse(path)
    assert "alleen regionamen en geen regiocodes" in error.value.message

    table = parse(path, require_codes=False)
    assert table.format == "cbs-statline-classic"
    assert table.period == "2015"
    assert table.period_source == "titel"
    assert len(table.regions) == 106
    assert table.regions["name"].tolist()[:2] == ["Amsterdam", "Stadsdeel Centrum"]
    assert table.regions["line"].iloc[0] == 6
    assert "Bron: CBS" not in set(table.regions["name"])
    units = dict(zip(table.columns["key"], table.columns["unit"], strict=True))
    assert units["Inkomen/Inkomen van personen/Gemiddeld inkomen per inwoner"] == "x 1 000 euro"
    first = table.values[table.values["line"] == 6]
    assert first["raw"].tolist()[:3] == ["641700", "33,5", "26,9"]
    assert first["value"].tolist()[:3] == [641700.0, 33.5, 26.9]
    lines = path.read_text(encoding="utf-8-sig").splitlines()[5:-1]
    dots = sum(line.count('"."') for line in lines)
    assert int(table.values["suppressed"].sum()) == dots
    assert len(table.values) == 106 * 10


def test_it_turns_the_transposed_classic_layout_into_regions():
    path = (
        DATA
        / "cbs_other"
        / "nabijheid_2021_transposed"
        / "nabijheid_afstand_2021_aa_en_hunze_transposed.csv"
    )
    table = parse(path)
    assert table.format == "cbs-statline-classic"
    assert table.period == "2021"
    assert table.regions["code"].tolist() == [
        "NL00",
        "GM1680",
        "WK168000",
        "BU16800000",
        "BU16800009",
        "WK168001",
        "BU16800100",
        "BU16800109",
    ]
    assert table.regions["name"].tolist()[:3] == ["Nederland", "Aa en Hunze", "Wijk 00 Annen"]
    assert table.regions["level"].tolist()[:4] == ["land", "gemeente", "wijk", "buurt"]
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    code_row = next(i for i, r in enumerate(rows) if r[0] == "Regioaanduiding|Codering")
    subject_rows = [
        r for r in rows[code_row + 1 :] if len(r) == 10 and not r[0].startswith("Regioaanduiding")
    ]
    assert len(table.values) == len(subject_rows) * 8
    assert int(table.values["suppressed"].sum()) == sum(
        c == "." for r in subject_rows for c in r[2:]
    )
    gp = table.values[
        (table.values["code"] == "GM1680")
        & (
            table.values["key"]
            == "Gezondheid en welzijn/Huisartsenpraktijk/Afstand tot huisartsenpraktijk"
        )
    ]
    assert gp["value"].tolist() == [2.5]


def test_a_classic_layout_without_a_subject_row_is_rejected_in_dutch():
    data = b'"Tabel 2019"\r\n""\r\n"a";"b"\r\n"1";"2"\r\n"Bron: CBS"\r\n'
    with pytest.raises(ImportFileError) as error:
        parse_table(data, filename="raar.csv", file_format="cbs-statline-classic")
    assert "indeling die niet gelezen kan worden" in error.value.message


# ------------------------------------------------------------------------------------------
# CBS Excel edition
# ------------------------------------------------------------------------------------------


def independent_xlsx_count(path: Path) -> tuple[int, int, int]:
    from openpyxl import load_workbook

    sheet = load_workbook(path, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    meta = {"gwb_code_10", "gwb_code_8", "regio", "gm_naam", "recs", "gwb_code", "ind_wbi"}
    meta |= {"pst_mvp", "pst_dekp"}
    data_idx = [i for i, h in enumerate(header) if h not in meta]
    numbers = dots = 0
    for row in rows[1:]:
        for i in data_idx:
            value = row[i]
            if isinstance(value, (int, float)):
                numbers += 1
            elif isinstance(value, str) and value.strip() == ".":
                dots += 1
            elif isinstance(value, str) and value.strip():
                float(value)  # numbers stored as text must still be numbers
                numbers += 1
    return len(rows) - 1, numbers, dots


@pytest.mark.parametrize("year", ["2023", "2024"])
def test_it_reads_the_cbs_excel_edition_with_numbers_stored_as_text(year):
    path = UTRECHT / f"CBS-Utrecht-kwb-{year}.xlsx"
    table = parse(path)
    rows, numbers, dots = independent_xlsx_count(path)
    assert table.format == "cbs-excel"
    assert table.period == year
    assert len(table.regions) == rows == 122
    assert table.regions.iloc[0][["code", "name", "level", "municipality_name"]].tolist() == [
        "GM0344",
        "Utrecht",
        "gemeente",
        "Utrecht",
    ]
    assert table.regions["line"].iloc[0] == 2  # the spreadsheet row
    assert table.value_count == numbers
    assert int(table.values["suppressed"].sum()) == dots
    assert table.problems == []
    assert "gwb_code_8" in table.metadata_columns


def test_the_excel_csv_conversion_gives_the_same_values_as_the_workbook():
    for year in ("2023", "2024"):
        book = parse(UTRECHT / f"CBS-Utrecht-kwb-{year}.xlsx").values
        converted = parse(UTRECHT / f"kwb{year}_utrecht_excel_converted.csv").values
        assert converted["key"].tolist() == book["key"].tolist()
        assert np.allclose(converted["value"], book["value"], equal_nan=True)


def test_excel_inhabitants_2024_equal_the_national_statline_file():
    excel = parse(UTRECHT / "CBS-Utrecht-kwb-2024.xlsx").values
    national = parse(NATIONAL_2024).values
    a = excel[excel["key"] == "a_inw"].set_index("code")["value"]
    b = national[national["key"] == "Bevolking/Aantal inwoners"].set_index("code")["value"]
    assert len(a) == 122
    assert (a == b.reindex(a.index)).all()


def test_a_formula_in_a_workbook_is_kept_as_text_and_never_evaluated():
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "kwb-2022"
    sheet.append(["gwb_code_10", "regio", "recs", "a_inw", "p_hh_li"])
    sheet.append(["GM0518", "'s-Gravenhage", "Gemeente", 566221, "12.5"])
    sheet.append(["WK051801", "Oostduinen", "Wijk", "=1+1", "."])
    buffer = io.BytesIO()
    book.save(buffer)
    table = parse_table(buffer.getvalue(), filename="upload.xlsx")
    assert table.format == "cbs-excel"
    assert table.period == "2022"
    cell = table.values[(table.values["code"] == "WK051801") & (table.values["key"] == "a_inw")]
    assert cell["raw"].tolist() == ["=1+1"]
    assert cell["value"].isna().all()
    assert [str(p) for p in table.problems] == [
        "Regel 3, kolom a_inw: '=1+1' is een formule; die wordt niet uitgerekend en als tekst "
        "bewaard."
    ]


# ------------------------------------------------------------------------------------------
# Generic long and wide
# ------------------------------------------------------------------------------------------


def test_it_reads_a_generic_long_file_with_dutch_headers_and_decimal_commas():
    data = (
        b"regio;indicator;jaar;waarde\n"
        b"GM0518;eenzaamheid;2022;45,5\n"
        b"WK051801;eenzaamheid;2022;.\n"
        b"WK051802;eenzaamheid;2022;\n"
        b"WK051802;vrijwilligerswerk;2022;31\n"
        b"WK051803;eenzaamheid;2023;1.234,5\n"
    )
    table = parse_table(data, filename="ggd.csv")
    assert table.format == "long"
    assert table.period is None  # two periods in the file
    assert table.period_source == "kolom"
    assert table.regions["code"].tolist() == ["GM0518", "WK051801", "WK051802", "WK051803"]
    assert table.values["key"].tolist() == [
        "eenzaamheid",
        "eenzaamheid",
        "eenzaamheid",
        "vrijwilligerswerk",
        "eenzaamheid",
    ]
    assert table.values["period"].tolist() == ["2022", "2022", "2022", "2022", "2023"]
    assert table.values["value"].tolist()[0] == 45.5
    assert table.values["value"].tolist()[3:] == [31.0, 1234.5]
    assert table.values["suppressed"].tolist() == [False, True, False, False, False]
    assert table.values["line"].tolist() == [2, 3, 4, 5, 6]
    assert table.problems == []


def test_a_long_file_reports_duplicate_rows_and_keeps_the_first():
    data = (
        b"gebied,indicator,periode,waarde\n"
        b"WK051801,eenzaamheid,2022,40\n"
        b"WK051801,eenzaamheid,2022,41\n"
    )
    table = parse_table(data, filename="dubbel.csv")
    assert table.values["value"].tolist() == [40.0]
    assert [str(p) for p in table.problems] == [
        "Regel 3: regio WK051801, indicator eenzaamheid, periode 2022 staat al op regel 2; "
        "deze rij is overgeslagen."
    ]


def test_it_reads_a_generic_wide_file_in_windows_1252_with_decimal_commas():
    text = (
        "Gebiedscode;Gebiedsnaam;Jaar;tevredenheid_woonomgeving;aandeel_65plus\r\n"
        "WK051801;Oostduinen;2023;7,4;12,5\r\n"
        "WK051802;Belgisch Park é;2023;7,9;\r\n"
        "wk051803 ;Scheveningen-Haven;2023;6,8;18\r\n"
    )
    table = parse_table(text.encode("cp1252"), filename="enquete.csv")
    assert table.format == "wide"
    assert table.encoding == "cp1252"
    assert table.period == "2023"
    assert table.regions["name"].tolist()[1] == "Belgisch Park é"
    assert table.regions["code"].tolist() == ["WK051801", "WK051802", "WK051803"]
    assert table.values["key"].tolist()[:2] == ["tevredenheid_woonomgeving", "aandeel_65plus"]
    assert table.values["value"].tolist()[:2] == [7.4, 12.5]
    assert table.value_count == 5
    assert set(table.metadata_columns) == {"Gebiedscode", "Gebiedsnaam", "Jaar"}


def test_a_wide_file_finds_the_code_column_by_its_content():
    data = b"wijk,inwoners\nWK051801,10\nWK051802,20\n"
    table = parse_table(data, filename="x.csv")
    assert table.format == "wide"
    assert table.regions["code"].tolist() == ["WK051801", "WK051802"]
    assert table.values["value"].tolist() == [10.0, 20.0]


def test_a_column_without_any_number_is_a_text_column_not_a_problem():
    data = b"code;opmerking;score\nWK051801;rustig;7\nWK051802;druk;8\n"
    table = parse_table(data, filename="x.csv")
    assert table.text_columns == ["opmerking"]
    assert "opmerking" in table.metadata_columns
    assert set(table.values["key"]) == {"score"}
    assert table.problems == []


# ------------------------------------------------------------------------------------------
# Per-cell problems
# ------------------------------------------------------------------------------------------


def den_haag_2019_lines() -> list[str]:
    return (DEMO / "kwb2019_GM0518_odata.csv").read_text(encoding="utf-8-sig").split("\n")


def replace_field(line: str, index: int, new: str) -> str:
    fields = line.split(";")
    fields[index] = new
    return ";".join(fields)


def test_text_in_a_number_column_is_reported_with_line_and_column():
    lines = den_haag_2019_lines()
    lines[11] = replace_field(lines[11], 6, '"abc"')
    table = parse_table("\n".join(lines).encode(), filename="kwb2019.csv")
    assert [str(p) for p in table.problems] == [
        "Regel 12, kolom AantalInwoners_5: 'abc' is geen getal."
    ]
    problem = table.problems[0]
    assert (problem.line, problem.column, problem.value) == (12, "AantalInwoners_5", "abc")
    cell = table.values[
        (table.values["line"] == 12) & (table.values["column"] == "AantalInwoners_5")
    ]
    assert cell["raw"].tolist() == ["abc"]
    assert cell["value"].isna().all()
    assert len(table.regions) == 159  # the row itself stays


def test_a_cell_starting_with_equals_is_kept_as_text_and_reported():
    lines = den_haag_2019_lines()
    lines[4] = replace_field(lines[4], 7, '"=HYPERLINK(""http://x"")"')
    table = parse_table("\n".join(lines).encode(), filename="kwb2019.csv")
    assert len(table.problems) == 1
    assert "is een formule; die wordt niet uitgerekend" in table.problems[0].reason
    cell = table.values[(table.values["line"] == 5) & (table.values["column"] == "Mannen_6")]
    assert cell["raw"].tolist() == ['=HYPERLINK("http://x")']
    assert cell["value"].isna().all()


def test_a_row_shifted_by_a_stray_comma_is_reported_with_its_line():
    lines = (DEMO / "kwb2017_GM0518_odata.csv").read_text(encoding="utf-8-sig").split("\n")
    lines[9] = lines[9].replace("'s-Gravenhage", "'s-Gravenhage, centrum", 1)
    table = parse_table("\n".join(lines).encode(), filename="kwb2017.csv")
    assert [p.line for p in table.problems] == [10]
    assert "23 velden in plaats van 22" in table.problems[0].reason
    assert len(table.regions) == 158


def test_an_unclosed_quote_costs_one_row_not_the_rest_of_the_file():
    lines = (DEMO / "kwb2017_GM0518_odata.csv").read_text(encoding="utf-8-sig").split("\n")
    lines[20] = lines[20].replace("'s-Gravenhage", '"s-Gravenhage', 1)
    table = parse_table("\n".join(lines).encode(), filename="kwb2017.csv")
    assert [p.line for p in table.problems] == [21]
    assert "aanhalingsteken" in table.problems[0].reason
    assert len(table.regions) == 158
    assert table.regions["line"].iloc[-1] == 160


def test_duplicate_region_rows_are_reported_and_the_first_one_wins():
    lines = den_haag_2019_lines()
    lines.insert(30, lines[5])
    table = parse_table("\n".join(lines).encode(), filename="kwb2019.csv")
    assert len(table.regions) == 159
    code = table.regions["code"].iloc[4]
    assert [str(p) for p in table.problems] == [
        f"Regel 31: regio {code} (periode 2019) staat al op regel 6; deze rij is overgeslagen."
    ]


def test_an_invalid_region_code_is_reported_and_skipped():
    data = b"code;score\nWK051801;1\nXX12;2\n;3\n"
    table = parse_table(data, filename="x.csv")
    assert table.regions["code"].tolist() == ["WK051801"]
    assert [p.line for p in table.problems] == [3, 4]
    assert "'XX12' is geen geldige regiocode" in table.problems[0].reason
    assert "geen regiocode ingevuld" in table.problems[1].reason


def test_range_problems_checks_values_against_limits_per_key():
    table = parse(DEMO / "kwb2017_GM0518_odata.csv")
    values = table.values.copy()
    values.loc[values.index[values["key"] == "HuishoudensMetEenLaagInkomen"][0], "value"] = 250.0
    problems = range_problems(
        values, {"HuishoudensMetEenLaagInkomen": (0, 100), "Onbekend": (0, 1)}
    )
    assert len(problems) == 1
    assert problems[0].column == "HuishoudensMetEenLaagInkomen_72"
    assert problems[0].reason.endswith("ligt buiten het toegestane bereik (0 tot en met 100).")
    assert range_problems(table.values, {"AantalInwoners": (0, None)}) == []
    assert isinstance(problems[0], CellProblem)


# ------------------------------------------------------------------------------------------
# Whole-file errors
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Het bestand is leeg."),
        (b"\xef\xbb\xbf\r\n\r\n", "Het bestand is leeg."),
        (
            b'"ID";"WijkenEnBuurten";"AantalInwoners_5"\n',
            "Het bestand bevat alleen een kopregel en geen gegevens.",
        ),
        (
            b"<!DOCTYPE html>\n<html><body>Inloggen</body></html>",
            "Dit lijkt een HTML-pagina, geen CSV.",
        ),
        (
            b"code|waarde\nWK051801|3\n",
            "Regel 1: geen scheidingsteken gevonden (verwacht ; of ,) (wel | gevonden).",
        ),
        (b"code waarde\nWK051801 3\n", "Regel 1: geen scheidingsteken gevonden (verwacht ; of ,)."),
        (
            b"naam;aantal\nOostduinen;3\nBelgisch Park;4\n",
            "Geen kolom met regiocodes gevonden (zoals GM0518, WK051801 of BU05180170). Voeg een "
            "kolom 'regiocode' toe of download het CBS-bestand met de codering "
            "(Regioaanduiding/Codering).",
        ),
        (
            b"code;aantal;x\nWK051801,3,4\nWK051802,4,5\n",
            "Regel 1: de kopregel is gescheiden met ';' maar de gegevens met ','; gebruik één "
            "scheidingsteken.",
        ),
    ],
    ids=[
        "empty",
        "only-bom",
        "only-header",
        "html",
        "pipe",
        "no-delimiter",
        "no-codes",
        "wrong-delimiter-in-rows",
    ],
)
def test_unusable_files_are_rejected_with_a_dutch_message(data, message):
    with pytest.raises(ImportFileError) as error:
        parse_table(data, filename="upload.csv")
    assert error.value.message == message
    assert not error.value.unexpected


def test_a_binary_file_is_rejected():
    data = bytes(range(256)) * 20
    with pytest.raises(ImportFileError) as error:
        parse_table(data, filename="foto.csv")
    assert error.value.message.startswith("Dit is een binair bestand, geen tekst.")


def test_a_zip_or_old_excel_file_says_what_it_is():
    with pytest.raises(ImportFileError, match="ZIP-bestand"):
        parse_table(b"PK\x03\x04" + b"\x00" * 100, filename="data.zip")
    with pytest.raises(ImportFileError, match=r"oud Excel-bestand \(\.xls\)"):
        parse_table(b"\xd0\xcf\x11\xe0" + b"\x00" * 100, filename="data.xls")
    with pytest.raises(ImportFileError, match="Excel-bestand kan niet worden geopend"):
        parse_table(b"PK\x03\x04" + b"\x00" * 100, filename="kapot.xlsx")


def test_a_header_with_a_repeated_column_is_rejected():
    with pytest.raises(ImportFileError) as error:
        parse_table(b"code;a;a\nWK051801;1;2\n", filename="x.csv")
    assert error.value.message == "Regel 1: kolom 'a' komt twee keer voor in de kop (kolom 2 en 3)."


def test_an_unknown_format_name_is_rejected():
    with pytest.raises(ImportFileError, match="Onbekend formaat"):
        parse_table(b"code;a\nWK051801;1\n", filename="x.csv", file_format="sas")


def test_forcing_cbs_on_a_generic_file_is_rejected():
    with pytest.raises(ImportFileError, match="geen CBS-bestand"):
        parse_table(b"code;a\nWK051801;1\n", filename="x.csv", file_format="cbs")


# ------------------------------------------------------------------------------------------
# Format detection
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (DEMO / "kwb2017_GM0518_odata.csv", "cbs-odata"),
        (DEMO / "kwb2019_GM0518_odata.csv", "cbs-odata"),
        (DEMO / "kwb2024_GM0518_statline_bevolking.csv", "cbs-statline"),
        (
            KWB / "kwb2015_amsterdam_inkomen_statline" / "kwb2015_amsterdam_inkomen_statline.csv",
            "cbs-statline-classic",
        ),
        (UTRECHT / "CBS-Utrecht-kwb-2023.xlsx", "cbs-excel"),
        (UTRECHT / "kwb2023_utrecht_excel_converted.csv", "cbs-excel"),
        (AMSTERDAM / "kwb2019_amsterdam_statline_rewritten_by_R.csv", "cbs-statline"),
    ],
    ids=lambda v: v.name if isinstance(v, Path) else v,
)
def test_detect_format_recognises_every_real_file(path, expected):
    assert detect_format(path.read_bytes(), path.name) == expected


def test_detect_format_tells_long_from_wide():
    assert detect_format(b"regio;indicator;periode;waarde\nGM0518;x;2020;1\n", "a.csv") == "long"
    assert detect_format(b"regio;x;y\nGM0518;1;2\n", "a.csv") == "wide"


# ------------------------------------------------------------------------------------------
# Robustness: generated broken files (hypothesis)
# ------------------------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

REAL_SAMPLES = [
    (DEMO / "kwb2017_GM0518_odata.csv").read_bytes()[:6000],
    (DEMO / "kwb2019_GM0518_odata.csv").read_bytes()[:6000],
    (DEMO / "kwb2020_GM0518_odata.csv").read_bytes()[:6000],
    (DEMO / "kwb2024_GM0518_statline_bevolking.csv").read_bytes()[:6000],
    (
        KWB / "kwb2015_amsterdam_inkomen_statline" / "kwb2015_amsterdam_inkomen_statline.csv"
    ).read_bytes(),
    (UTRECHT / "kwb2023_utrecht_excel_converted.csv").read_bytes()[:6000],
    (
        DATA
        / "cbs_other"
        / "nabijheid_2021_transposed"
        / "nabijheid_afstand_2021_aa_en_hunze_transposed.csv"
    ).read_bytes()[:6000],
]
FORMAT_CHOICES = [
    "auto",
    "cbs",
    "cbs-odata",
    "cbs-statline",
    "cbs-statline-classic",
    "cbs-excel",
    "long",
    "wide",
]
# PARSER_FUZZ_EXAMPLES=5000 for a longer hunt; 150 keeps the normal run quick.
ROBUST = settings(
    max_examples=int(os.environ.get("PARSER_FUZZ_EXAMPLES", "150")),
    deadline=None,
    database=None,  # nothing to remember between runs; keeps the working tree clean
    suppress_health_check=[HealthCheck.too_slow],
)


def assert_parses_or_rejects_cleanly(data: bytes, file_format: str = "auto", **kwargs) -> None:
    try:
        table = parse_table(data, filename="upload.csv", file_format=file_format, **kwargs)
    except ImportFileError as error:
        assert error.message
        assert not error.unexpected, f"an unforeseen {error.__cause__!r} escaped as a bug"
        return
    assert isinstance(table, ParsedTable)
    assert list(table.values.columns[:8]) == [
        "code",
        "column",
        "key",
        "period",
        "value",
        "suppressed",
        "line",
        "raw",
    ]
    assert table.values["value"].dtype == np.float64
    assert all(isinstance(p, CellProblem) for p in table.problems)


@ROBUST
@given(st.binary(max_size=3000))
def test_random_bytes_never_escape_as_another_exception(data):
    assert_parses_or_rejects_cleanly(data)


@ROBUST
@given(
    st.sampled_from(REAL_SAMPLES),
    st.integers(min_value=0, max_value=6000),
    st.sampled_from(FORMAT_CHOICES),
)
def test_truncated_real_files_never_escape_as_another_exception(sample, cut, file_format):
    assert_parses_or_rejects_cleanly(sample[:cut], file_format)


@ROBUST
@given(
    st.sampled_from(REAL_SAMPLES),
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=6000),
            st.sampled_from(
                [b'"', b";", b",", b"\n", b"\r", b"=", b".", b"\x00", b"\xff", b"\t", b"|", b"  "]
            ),
        ),
        max_size=12,
    ),
    st.sampled_from(FORMAT_CHOICES),
)
def test_real_files_with_random_quotes_and_delimiters_never_escape(sample, edits, file_format):
    data = bytearray(sample)
    for position, insert in edits:
        data[position:position] = insert
    assert_parses_or_rejects_cleanly(bytes(data), file_format)


cell_text = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8),
    st.sampled_from(
        ["", ".", "       .", "1,5", "1.234,5", "-0.1", "=1+1", "NA", "inf", "1e400", "x"]
    ),
    st.integers(-(10**6), 10**6).map(str),
)


@ROBUST
@given(
    st.lists(st.lists(cell_text, min_size=1, max_size=6), min_size=1, max_size=8),
    st.sampled_from([";", ",", "\t"]),
    st.booleans(),
    st.sampled_from(["utf-8", "cp1252", "utf-8-sig"]),
)
def test_generated_tables_with_region_codes_never_escape(rows, delimiter, quote_all, encoding):
    out = io.StringIO()
    writer = csv.writer(
        out,
        delimiter=delimiter,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
        lineterminator="\r\n",
    )
    writer.writerow(["regiocode", "indicator", "periode", "waarde", "extra", "AantalInwoners_5"])
    codes = ["GM0518", "WK051801", "BU05180170", "XX", ""]
    for i, row in enumerate(rows):
        writer.writerow([codes[i % len(codes)], *row])
    data = out.getvalue().encode(encoding, errors="replace")
    assert_parses_or_rejects_cleanly(data)
    assert_parses_or_rejects_cleanly(data, "wide")


# ------------------------------------------------------------------------------------------
# Size (the speed is measured in benchmarks/bench_parse.py)
# ------------------------------------------------------------------------------------------


def national_file_with_118_columns() -> bytes:
    """The real 2017 national file (16,667 rows) widened to 118 columns like a full KWB year:
    the 16 real data columns repeated 7 times under distinct keys."""
    lines = NATIONAL_2017.read_text(encoding="utf-8-sig").split("\n")
    out = []
    for line in lines:
        parts = line.split(",")
        if len(parts) != 22:
            out.append(line)
            continue
        meta, data = parts[:6], parts[6:]
        if line.startswith("ID,"):
            data = [
                f"{edition_key(d)}{copy}_{100 + copy * 16 + j}"
                for copy in range(7)
                for j, d in enumerate(data)
            ]
        else:
            data = data * 7
        out.append(",".join(meta + data))
    return ("\ufeff" + "\n".join(out)).encode()


def test_a_full_width_national_file_parses_completely():
    # How fast is `make bench` (benchmarks/bench_parse.py), beside its target; tests do not time.
    table = parse_table(national_file_with_118_columns(), filename="kwb-2017.csv")
    assert len(table.regions) == 16653
    assert len(table.values) == 16653 * 112
    assert len(table.problems) == 14


def test_a_file_in_which_no_row_has_a_valid_code_is_rejected():
    with pytest.raises(ImportFileError) as error:
        parse_table(b"regiocode;score\nabc;1\ndef;2\n", filename="x.csv")
    assert error.value.message.startswith("Geen enkele rij met een geldige regiocode")
    assert "Regel 2: 'abc' is geen geldige regiocode" in error.value.message


def test_a_municipal_workbook_with_a_title_row_reads_as_a_wide_file():
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Wijkmonitor Den Haag 2023"])
    sheet.append([])
    sheet.append(["wijkcode", "wijknaam", "tevredenheid", "eenzaamheid"])
    sheet.append(["WK051801", "Oostduinen", 7.4, "12,5"])
    sheet.append(["WK051802", "Belgisch Park", "7,9", None])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    assert detect_format(data, "monitor.xlsx") == "wide"
    table = parse_table(data, filename="wijkmonitor_2023.xlsx")
    assert table.format == "wide"
    assert table.period == "2023"
    assert table.regions[["code", "name", "line"]].values.tolist() == [
        ["WK051801", "Oostduinen", 4],
        ["WK051802", "Belgisch Park", 5],
    ]
    values = table.values["value"]
    assert values.iloc[:3].tolist() == [7.4, 12.5, 7.9]
    assert np.isnan(values.iloc[3])


def test_excel_unicode_text_export_in_utf16_with_tabs_is_read():
    text = "regiocode\tinwoners\r\nGM0518\t566221\r\nWK051801\t0\r\n"
    table = parse_table(b"\xff\xfe" + text.encode("utf-16-le"), filename="export.txt")
    assert table.encoding == "utf-16"
    assert table.delimiter == "\t"
    assert table.values["value"].tolist() == [566221.0, 0.0]


def test_a_stray_quote_in_a_transposed_statline_file_is_no_crash():
    # Found by hypothesis: a quote at byte 337 shortens the "Gemeentenaam" row of the
    # transposed layout, which once raised an IndexError.
    path = DATA / "cbs_other" / "nabijheid_2021_transposed"
    data = next(path.glob("*.csv")).read_bytes()
    broken = data[:337] + b'"' + data[337:]
    try:
        parse_table(broken, filename="nabijheid.csv")
    except ImportFileError as error:
        assert not error.unexpected


def test_a_long_file_whose_region_column_is_called_regiocode_is_read_as_long():
    data = b"regiocode;indicator;periode;waarde\nWK051801;coh_eenzaam;2022;12,5\n"
    table = parse_table(data, filename="eenzaamheid.csv")
    assert table.format == "long"
    assert table.values["value"].tolist() == [12.5]
