"""Initiatives as CSV and Excel: the round trip, formulas neutralised, bad files refused per line."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from initiatives.importing import import_preview
from initiatives.models import Initiative, InitiativeReach
from initiatives.selectors import ListFilters, export_records, reach_export_records
from initiatives.services import ImportRefused, initiatives_import
from initiatives.tabular import (
    INITIATIVE_COLUMNS,
    REACH_COLUMNS,
    ReachRecord,
    neutralise,
    parse_file,
    to_csv,
    to_xlsx,
)
from tests.initiatives_fixtures import initiatives_of, record, small_municipality

TODAY = date(2025, 6, 15)
HEADER = ";".join(c.header for c in INITIATIVE_COLUMNS)


# --- Pure: files without a database -----------------------------------------------------------


def test_a_csv_written_by_the_monitor_reads_back_as_the_same_records():
    records = [record(), record("Samen eten", description="=1+1", contact_phone="-", funder="@x")]
    parsed = parse_file(to_csv(records, INITIATIVE_COLUMNS), "initiatieven.csv")
    assert parsed.ok, parsed.problems
    assert [r.normalised() for _, r in parsed.records] == [r.normalised() for r in records]


def test_an_xlsx_written_by_the_monitor_reads_back_as_the_same_records():
    records = [record(), record("Samen eten", description='=HYPERLINK("http://x","klik")')]
    parsed = parse_file(to_xlsx(records, INITIATIVE_COLUMNS), "initiatieven.xlsx")
    assert parsed.ok, parsed.problems
    assert [r.normalised() for _, r in parsed.records] == [r.normalised() for r in records]


@pytest.mark.parametrize("text", ["=1+1", "+31 70", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_exports_write_formula_like_text_as_text(text):
    assert neutralise(text) == "'" + text
    csv_text = to_csv([record(description=text)], INITIATIVE_COLUMNS).decode("utf-8-sig")
    assert f"'{text}" in csv_text
    workbook = openpyxl.load_workbook(
        io.BytesIO(to_xlsx([record(description=text)], INITIATIVE_COLUMNS))
    )
    cell = workbook.active.cell(row=2, column=3)
    # (XML stores a carriage return as a line feed.)
    assert cell.data_type == "s" and cell.value.replace("\n", "\r") == text


def test_a_formula_in_a_csv_is_refused_with_its_line():
    line = 'Samen eten;Activiteit;=HYPERLINK("http://x");WK990101;;;;;;Actief'
    parsed = parse_file(f"{HEADER}\n{line}\n".encode(), "x.csv")
    assert not parsed.ok
    assert "Regel 2, kolom ‘beschrijving’" in parsed.problems[0][1]
    assert "formule" in parsed.problems[0][1]


def test_a_formula_cell_in_excel_is_refused():
    workbook = openpyxl.Workbook()
    workbook.active.append([c.header for c in INITIATIVE_COLUMNS])
    workbook.active.append(["Samen eten", "Activiteit", "=1+1", "WK990101"])
    out = io.BytesIO()
    workbook.save(out)
    parsed = parse_file(out.getvalue(), "x.xlsx")
    assert not parsed.ok and "formule" in parsed.problems[0][1]


def test_a_bad_csv_gets_a_dutch_message_for_each_bad_line():
    lines = [
        HEADER,
        "Goed;Activiteit;;WK990101;Sociale cohesie;;;;;Actief",
        "Slechte datum;Activiteit;;WK990101;;;;31-02-2025;;Actief",
        "Slechte soort;Feest;;WK990101;;;;;;Actief",
        "Slechte wijk;Activiteit;;Centrum;;;;;;Actief",
        ";Activiteit;;WK990101;;;;;;Actief",
        "Goed;Activiteit;;WK990101;;;;;;Actief",
    ]
    parsed = parse_file("\n".join(lines).encode(), "x.csv")
    messages = dict(parsed.problems)
    assert set(messages) == {3, 4, 5, 6, 7}
    assert "geen geldige datum" in messages[3]
    assert "‘Feest’ is geen geldige keuze" in messages[4]
    assert "geen wijkcode" in messages[5]
    assert "kolom ‘naam’ is leeg" in messages[6]
    assert "staat al op regel 2" in messages[7]


def test_a_file_without_required_columns_says_which_are_missing():
    parsed = parse_file(b"naam,soort\nA,Activiteit\n", "x.csv")
    assert parsed.problems == [(1, "Kolommen ontbreekt: wijken, status.")]


def test_reach_files_are_recognised_by_their_quarter_column():
    rows = [
        ReachRecord("Koffie op de hoek", "2025-K1", 12, 3, ["ouderen"], ["jongeren"], "Nog niet")
    ]
    parsed = parse_file(to_csv(rows, REACH_COLUMNS), "bereik.csv")
    assert parsed.kind == "bereik" and parsed.ok
    assert parsed.records[0][1] == rows[0]
    bad = parse_file(b"initiatief;kwartaal;deelnemers\nA;2025;-3\n", "bereik.csv")
    assert [line for line, _ in bad.problems] == [2, 2]
    assert "bereik geldt per kwartaal" in bad.problems[0][1]


def test_semicolons_commas_and_windows_encoding_are_all_read():
    text = "naam,soort,wijken,status,beschrijving\nCafé,Activiteit,WK990101,Actief,Één keer\n"
    parsed = parse_file(text.encode("cp1252"), "x.csv")
    assert parsed.ok and parsed.records[0][1].name == "Café"


# --- Through the database: preview, apply, all or nothing -------------------------------------


@pytest.fixture
def place(db):
    return small_municipality()


def test_csv_export_then_import_gives_the_same_initiatives(place):
    made = initiatives_of(place, 5)
    before = export_records(municipality=place, filters=ListFilters(), today=TODAY)
    reach_before = reach_export_records(municipality=place)
    initiatives_csv = to_csv(before, INITIATIVE_COLUMNS)
    reach_csv = to_csv(reach_before, REACH_COLUMNS)
    # Unchanged when read back onto itself.
    preview = import_preview(municipality=place, data=initiatives_csv, filename="i.csv")
    assert preview.ok and preview.count("ongewijzigd") == len(made)
    # And the same initiatives when read into an empty municipality.
    Initiative.objects.filter(municipality=place).delete()
    result = initiatives_import(municipality=place, data=initiatives_csv, filename="i.csv")
    assert result.created == 5
    initiatives_import(municipality=place, data=reach_csv, filename="b.csv")
    assert export_records(municipality=place, filters=ListFilters(), today=TODAY) == before
    assert reach_export_records(municipality=place) == reach_before


def test_an_xlsx_export_reads_back_unchanged(place):
    initiatives_of(place, 3)
    records = export_records(municipality=place, filters=ListFilters(), today=TODAY)
    preview = import_preview(
        municipality=place, data=to_xlsx(records, INITIATIVE_COLUMNS), filename="i.xlsx"
    )
    assert preview.ok and preview.count("ongewijzigd") == 3


def test_the_preview_says_per_line_what_would_change(place):
    initiatives_of(place, 2)
    records = export_records(municipality=place, filters=ListFilters(), today=TODAY)
    records[0].status = "gestopt"
    records.append(record("Nieuw initiatief", latitude=None, longitude=None))
    preview = import_preview(
        municipality=place, data=to_csv(records, INITIATIVE_COLUMNS), filename="i.csv"
    )
    assert [line.action for line in preview.lines] == ["gewijzigd", "ongewijzigd", "nieuw"]
    assert preview.lines[0].changed_labels == "status"
    assert Initiative.objects.filter(municipality=place).count() == 2  # a preview writes nothing


def test_a_bad_csv_is_refused_with_line_level_messages_and_nothing_is_written(place):
    initiatives_of(place, 1)
    before = export_records(municipality=place, filters=ListFilters(), today=TODAY)
    reach_count = InitiativeReach.objects.count()
    good = record("Goed initiatief", latitude=None, longitude=None)
    changed = before[0]
    changed.description = "Anders dan eerst"
    unknown_ward = record("Andere gemeente", ward_codes=["WK051828"], latitude=None, longitude=None)
    outside = record("Buiten de gemeente", latitude=52.37, longitude=4.89)  # Amsterdam
    no_date = record("Zonder einddatum", funding_until=None, latitude=None, longitude=None)
    data = to_csv([good, changed, unknown_ward, outside, no_date], INITIATIVE_COLUMNS)
    with pytest.raises(ImportRefused) as refused:
        initiatives_import(municipality=place, data=data, filename="i.csv")
    messages = refused.value.preview.messages
    assert messages == [
        "Regel 4: kolom ‘wijken’: Onbekende wijkcode in deze gemeente: WK051828.",
        "Regel 5: kolom ‘breedtegraad’: De plek ligt niet in deze gemeente (breedtegraad eerst, "
        "bijv. 52,08; lengtegraad daarna, bijv. 4,31).",
        "Regel 6: kolom ‘financiering tot’: Tijdelijke financiering: vul in tot wanneer.",
    ]
    assert export_records(municipality=place, filters=ListFilters(), today=TODAY) != [changed]
    assert not Initiative.objects.filter(name="Goed initiatief").exists()
    assert Initiative.objects.get(name=before[0].name).description != "Anders dan eerst"
    assert InitiativeReach.objects.count() == reach_count


def test_reach_for_an_unknown_initiative_is_refused(place):
    data = to_csv([ReachRecord("Bestaat niet", "2025-K1", 3)], REACH_COLUMNS)
    with pytest.raises(ImportRefused) as refused:
        initiatives_import(municipality=place, data=data, filename="b.csv")
    assert "geen initiatief ‘Bestaat niet’" in refused.value.preview.messages[0]
    assert not InitiativeReach.objects.exists()
