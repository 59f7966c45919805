"""Import services: preview, apply and rollback on real CBS files and on broken ones.

Database states are compared as full table snapshots (every column of every row, ordered).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from django.conf import settings
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from monitoring.importing.parsers import ImportFileError
from monitoring.models import ImportBatch, Indicator, IndicatorValue, Region, ValueChange
from monitoring.services import (
    ImportRefused,
    RollbackRefused,
    import_apply,
    import_preview,
    import_rollback,
)

DATA = Path(__file__).parent / "data"
KWB = DATA / "cbs_kwb"
AMSTERDAM = KWB / "kwb_amsterdam_2017_2019_2021"
DEN_HAAG = KWB / "kwb_den_haag_2019_2020_2021"
FRAMEWORK = Path(settings.BASE_DIR) / "fixtures" / "indicator_framework.json"

# KWB files that carry region names only, no codes: they cannot be placed and say so.
WITHOUT_CODES = {
    "kwb2015_amsterdam_inkomen_statline.csv",
    "kwb2024_national_herkomst_no_codes.csv",
    "kwb2024_gemeenten_100_first_56cols.csv",
}
KWB_FILES = sorted(p for p in KWB.rglob("*") if p.suffix in (".csv", ".xlsx"))


# --- Every test starts from an empty store ----------------------------------------------------


@pytest.fixture(autouse=True)
def empty_store(db):
    """The demo may have been committed by earlier tests (see conftest): clear what imports
    touch, inside this test's transaction, so that counts and snapshots are the file's own."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE monitoring_valuechange, monitoring_indicatorvalue, "
            "monitoring_conditionscore, monitoring_importbatch, monitoring_region, "
            "monitoring_membership CASCADE"
        )


# --- Snapshots ---------------------------------------------------------------------------------


def snapshot() -> dict[str, list[tuple]]:
    """Every row of the tables an import touches, every column, in a fixed order."""
    tables = {}
    for model in (Region, IndicatorValue, ImportBatch, ValueChange):
        names = [f.attname for f in model._meta.concrete_fields]
        tables[model.__name__] = [
            tuple(json.dumps(v, sort_keys=True) if isinstance(v, dict) else v for v in row)
            for row in model.objects.order_by("pk").values_list(*names)
        ]
    return tables


def data_snapshot() -> dict[str, list[tuple]]:
    """Regions and values only: what users see (a rolled-back batch stays in the history)."""
    full = snapshot()
    return {"Region": full["Region"], "IndicatorValue": full["IndicatorValue"]}


def apply_file(path: Path, **kwargs):
    return import_apply(data=path.read_bytes(), filename=path.name, **kwargs)


# --- An independent count of what a real file should store -------------------------------------


def _norm(text: str) -> str:
    text = re.sub(r"\s*\([^()]*\)\s*$", "", text.strip())  # StatLine unit: "(aantal)"
    # R-mangled unit: "..aantal.", "...x.1.000.euro.", "...." for "(%)"
    text = re.sub(
        r"\.\.+(?:x\.1\.000\.euro|per\.1\.000\.inwoners|aantal\.inwoners\.per\.km|per\.km"
        r"|per\.huishouden|[a-z]*)\.*$",
        "",
        text,
        flags=re.IGNORECASE,
    )
    text = re.sub(r"_\d+$", "", text)  # OData edition suffix: _72
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def _framework_aliases() -> dict[str, str]:
    document = json.loads(FRAMEWORK.read_text(encoding="utf-8"))
    aliases = {}
    for item in document["indicators"]:
        if item.get("numerator"):
            continue  # derived: computed, never read
        for alias in (item["code"], *item.get("aliases", [])):
            aliases.setdefault(_norm(alias), item["code"])
    return aliases


def _read_with_pandas(path: Path) -> pd.DataFrame:
    if path.suffix == ".xlsx":
        frame = pd.read_excel(path, dtype=str, keep_default_na=False)
        return frame.fillna("")
    text = path.read_bytes().decode("utf-8-sig")
    delimiter = csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,").delimiter
    return pd.read_csv(
        io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, quotechar='"'
    )


CODE = re.compile(r"^(NL\d{2}|GM\d{4}|WK\d{4}[0-9A-Z]{2}|BU\d{4}[0-9A-Z]{4})$")
MISSING = {"", ".", "NA", "x", "X"}


def independent_count(path: Path) -> int:
    """Non-missing cells that map to (non-derived) indicators, counted with pandas alone."""
    frame = _read_with_pandas(path)
    codes = None
    for column in frame.columns:
        stripped = frame[column].str.strip()
        if stripped.str.fullmatch(CODE.pattern).mean() > 0.9:
            codes = stripped
            break
    assert codes is not None, path
    rows = codes.str.fullmatch(CODE.pattern)
    # The 2017 national file has rows cut short by an unquoted comma: every later field empty.
    rows &= ~(frame.iloc[:, 4:].apply(lambda c: c.str.strip() == "").all(axis=1))
    aliases = _framework_aliases()
    seen: set[str] = set()
    count = 0
    for column in frame.columns:
        indicator = aliases.get(_norm(column))
        if indicator is None or indicator in seen:
            continue
        seen.add(indicator)
        cells = frame.loc[rows, column].str.strip()
        numbers = pd.to_numeric(cells.str.replace(",", ".", regex=False), errors="coerce")
        count += int((~cells.isin(MISSING) & numbers.notna()).sum())
    return count


@pytest.mark.parametrize("path", KWB_FILES, ids=lambda p: p.name)
def test_every_real_kwb_file_imports_and_stores_exactly_its_mapped_non_missing_cells(
    framework, path
):
    if path.name in WITHOUT_CODES:
        with pytest.raises(ImportFileError) as error:
            apply_file(path)
        assert "regiocode" in error.value.message or "regionamen" in error.value.message
        assert not IndicatorValue.objects.exists()
        return
    result = apply_file(path, skip_rejected=True)
    assert result.batch is not None and result.batch.status == ImportBatch.Status.APPLIED
    stored = IndicatorValue.objects.filter(
        value__isnull=False, indicator__numerator=[], period=result.period
    ).count()
    assert stored == independent_count(path)
    assert result.counts.new == IndicatorValue.objects.filter(batch=result.batch).count()


def test_the_national_2017_file_reports_its_shifted_nuenen_rows_and_imports_the_rest(framework):
    path = KWB / "kwb2017_national_odata" / "kwb2017_83765NED_national_22cols.csv"
    preview = import_preview(data=path.read_bytes(), filename=path.name)
    shifted = [p for p in preview.rejected if "verschoven" in p.reason]
    assert len(shifted) == 14
    assert shifted[0].reason.startswith("Regel 10809")
    before = snapshot()
    with pytest.raises(ImportRefused) as refused:
        apply_file(path)
    assert "niets ingelezen" in refused.value.message
    assert snapshot() == before
    result = apply_file(path, skip_rejected=True)
    assert result.batch.cells_rejected == 14
    assert not Region.objects.filter(code="GM0820").exists()


# --- Twice, revised, rolled back -----------------------------------------------------------------


def test_importing_the_same_file_twice_changes_nothing_the_second_time_and_says_so(framework):
    path = DEN_HAAG / "kwb2019_84583NED_den_haag_odata_full.csv"
    first = apply_file(path)
    assert first.counts.new > 4000 and not first.already_imported
    before = snapshot()
    preview = import_preview(data=path.read_bytes(), filename=path.name)
    assert preview.counts.new == 0 and preview.counts.changed == 0
    assert preview.nothing_to_do
    assert f"al ingelezen (import #{first.batch.pk})" in preview.summary
    second = apply_file(path)
    assert second.already_imported and second.batch is None
    assert second.counts.new == 0 and second.counts.changed == 0
    assert snapshot() == before


def test_a_preview_writes_nothing(framework):
    before = snapshot()
    path = AMSTERDAM / "kwb2019_84583NED_amsterdam_odata_full.csv"
    preview = import_preview(data=path.read_bytes(), filename=path.name)
    assert preview.counts.new > 10000
    assert len(preview.regions_new) == 579
    assert {"column": "AantalInwoners_5", "indicator": "inwoners"} in preview.columns_used
    assert "Mannen_6" in preview.columns_unused
    assert snapshot() == before


def test_revised_cbs_figures_for_a_year_already_loaded_show_as_changed(framework):
    apply_file(AMSTERDAM / "kwb2019_84583NED_amsterdam_odata_full.csv")
    revised = AMSTERDAM / "kwb2019_amsterdam_statline_rewritten_by_R.csv"
    preview = import_preview(data=revised.read_bytes(), filename=revised.name)
    assert preview.counts.changed >= 223
    result = apply_file(revised)
    inhabitants = Indicator.objects.get(code="inwoners")
    changed_inhabitants = ValueChange.objects.filter(
        batch=result.batch, indicator=inhabitants, existed_before=True
    )
    assert changed_inhabitants.count() == 223
    assert all(c.new_value - c.old_value == 5 for c in changed_inhabitants)


def test_rolling_back_a_revision_restores_the_exact_earlier_state(framework):
    apply_file(AMSTERDAM / "kwb2019_84583NED_amsterdam_odata_full.csv")
    before = snapshot()
    result = apply_file(AMSTERDAM / "kwb2019_amsterdam_statline_rewritten_by_R.csv")
    assert data_snapshot() != {k: before[k] for k in ("Region", "IndicatorValue")}
    rollback = import_rollback(batch=result.batch)
    assert rollback.values_restored == result.counts.new + result.counts.changed
    after = snapshot()
    assert after["Region"] == before["Region"]
    assert after["IndicatorValue"] == before["IndicatorValue"]
    # The history keeps both batches; the earlier one is untouched.
    assert after["ImportBatch"][: len(before["ImportBatch"])] == before["ImportBatch"]
    assert after["ValueChange"][: len(before["ValueChange"])] == before["ValueChange"]
    result.batch.refresh_from_db()
    assert result.batch.status == ImportBatch.Status.ROLLED_BACK


def test_rolling_back_a_first_import_removes_its_values_and_the_regions_it_created(framework):
    apply_file(DEN_HAAG / "kwb2019_84583NED_den_haag_odata_full.csv")
    before = data_snapshot()
    result = apply_file(KWB / "kwb_utrecht_2019_2021_2023_2024" / "CBS-Utrecht-kwb-2023.xlsx")
    assert result.regions_created == 122
    rollback = import_rollback(batch=result.batch)
    assert rollback.regions_deleted == 122
    assert data_snapshot() == before


def test_a_rollback_is_refused_while_a_later_import_changed_the_same_values(framework):
    first = apply_file(AMSTERDAM / "kwb2019_84583NED_amsterdam_odata_full.csv")
    second = apply_file(AMSTERDAM / "kwb2019_amsterdam_statline_rewritten_by_R.csv")
    before = snapshot()
    with pytest.raises(RollbackRefused) as refused:
        import_rollback(batch=first.batch)
    assert f"import #{second.batch.pk}" in refused.value.message
    assert "Draai eerst de latere import terug" in refused.value.message
    assert snapshot() == before
    import_rollback(batch=second.batch)
    import_rollback(batch=first.batch)  # reverse order works
    assert not IndicatorValue.objects.exists()
    assert not Region.objects.exists()


def test_a_rolled_back_batch_cannot_be_rolled_back_again(framework):
    result = apply_file(DEN_HAAG / "kwb2021_den_haag_odata_22cols.csv")
    import_rollback(batch=result.batch)
    with pytest.raises(RollbackRefused, match="Teruggedraaid"):
        import_rollback(batch=result.batch)


def test_derived_indicators_and_inhabitants_follow_apply_and_rollback(framework):
    apply_file(DEN_HAAG / "kwb2019_84583NED_den_haag_odata_full.csv")
    ward = Region.objects.get(code="WK051802")
    assert ward.inhabitants and ward.inhabitants_period == "2019"
    result = apply_file(DEN_HAAG / "kwb2021_den_haag_odata_22cols.csv")
    ward.refresh_from_db()
    assert ward.inhabitants_period == "2021"
    assert IndicatorValue.objects.filter(
        region=ward, indicator__code="coh_eenpersoons_hh", period="2021"
    ).exists()
    import_rollback(batch=result.batch)
    ward.refresh_from_db()
    assert ward.inhabitants_period == "2019"
    assert not IndicatorValue.objects.filter(period="2021").exists()


def test_boundaries_create_missing_regions_with_simplified_geometry_and_roll_back(framework):
    path = DATA / "geometry" / "groningen_wijk_buurt_2017" / "wijk2017_groningen_wgs84.geojson"
    result = apply_file(path)
    assert result.regions_created == 15
    ward = Region.objects.filter(level="wijk").first()
    assert ward.geometry["type"] in ("Polygon", "MultiPolygon")
    assert ward.name
    import_rollback(batch=result.batch)
    assert not Region.objects.exists()


# --- Broken files ----------------------------------------------------------------------------

HEADER = (
    "ID;WijkenEnBuurten;SoortRegio_2;Codering_3;AantalInwoners_5;HuishoudensMetEenLaagInkomen_72"
)
ROWS = [
    "1;GM0518;Gemeente;GM0518;537833;12.1",
    "2;WK051801;Wijk;WK051801;1000;8.4",
    "3;WK051802;Wijk;WK051802;2500;10.0",
]


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


BROKEN_FILES = {
    "empty": (b"", "leeg"),
    "only a header": (csv_bytes(), "kopregel"),
    "wrong delimiter": (
        b"ID|WijkenEnBuurten|Codering_3|AantalInwoners_5\n1|GM0518|GM0518|5\n",
        "scheidingsteken",
    ),
    "an html page saved as csv": (
        b"<!DOCTYPE html><html><body>Niet gevonden</body></html>",
        "HTML",
    ),
    "a binary file": (bytes(range(256)) * 20, "binair"),
}


@pytest.mark.parametrize("name", list(BROKEN_FILES))
def test_a_broken_file_gets_a_dutch_message_and_writes_nothing(framework, name):
    data, expected = BROKEN_FILES[name]
    before = snapshot()
    for service in (import_preview, import_apply):
        with pytest.raises(ImportFileError) as error:
            service(data=data, filename="bestand.csv", period="2019")
        assert expected.lower() in error.value.message.lower()
        assert not error.value.unexpected
    assert snapshot() == before


def test_a_file_over_the_size_limit_is_refused_before_reading(framework, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    before = snapshot()
    data = csv_bytes(*ROWS) + b"#" * (1024 * 1024)
    with pytest.raises(ImportFileError, match="grens is 1 MB"):
        import_apply(data=data, filename="groot.csv", period="2019")
    assert snapshot() == before


CELL_PROBLEMS = {
    "text in a number column": (
        [*ROWS[:2], "3;WK051802;Wijk;WK051802;veel;10.0"],
        "Regel 4, kolom AantalInwoners_5",
        "geen getal",
    ),
    "a percentage of 250": (
        [*ROWS[:2], "3;WK051802;Wijk;WK051802;2500;250"],
        "Regel 4, kolom HuishoudensMetEenLaagInkomen_72",
        "buiten het toegestane bereik",
    ),
    "a formula cell": (
        [*ROWS[:2], "3;WK051802;Wijk;WK051802;=1+1;10.0"],
        "Regel 4, kolom AantalInwoners_5",
        "formule",
    ),
    "duplicate rows": ([*ROWS, ROWS[2]], "Regel 5", "staat al op regel 4"),
    "a region of another municipality": (
        [*ROWS, "4;WK036301;Wijk;WK036301;900;7.5"],
        "Regel 5",
        "hoort niet bij 's-Gravenhage (GM0518)",
    ),
    "shifted rows": ([*ROWS, "4;WK051803;;;;"], "Regel 5", "verschoven"),
}


@pytest.fixture
def den_haag(framework):
    return Region.objects.create(code="GM0518", name="'s-Gravenhage", level="gemeente")


@pytest.mark.parametrize("name", list(CELL_PROBLEMS))
def test_a_bad_cell_is_rejected_with_line_and_column_and_nothing_is_applied(den_haag, name):
    rows, where, reason = CELL_PROBLEMS[name]
    data = csv_bytes(*rows)
    before = snapshot()
    preview = import_preview(data=data, filename="kwb.csv", period="2019", municipality=den_haag)
    problem = next(p for p in preview.rejected if reason in p.reason)
    assert problem.reason.startswith(where)
    with pytest.raises(ImportRefused) as refused:
        import_apply(data=data, filename="kwb.csv", period="2019", municipality=den_haag)
    assert where in refused.value.message and "niets ingelezen" in refused.value.message
    assert snapshot() == before


def test_a_formula_is_never_evaluated_and_skipping_stores_the_rest(den_haag):
    data = csv_bytes(*ROWS[:2], "3;WK051802;Wijk;WK051802;=1+1;10.0")
    result = import_apply(
        data=data, filename="kwb.csv", period="2019", municipality=den_haag, skip_rejected=True
    )
    ward = Region.objects.get(code="WK051802")
    assert not IndicatorValue.objects.filter(region=ward, indicator__code="inwoners").exists()
    assert result.batch.cells_rejected == 1
    assert result.preview.rejected[0].value == "=1+1"


def test_the_national_row_is_kept_as_the_reference_even_in_a_municipal_import(den_haag):
    data = csv_bytes("0;NL00;Land;NL00;17282163;7.5", *ROWS)
    result = import_apply(data=data, filename="kwb.csv", period="2019", municipality=den_haag)
    national = Region.objects.get(code="NL00")
    assert (national.level, national.municipality_id, national.parent_id) == ("land", None, None)
    stored = dict(
        IndicatorValue.objects.filter(region=national).values_list("indicator__code", "value")
    )
    assert stored["sez_laag_inkomen"] == 7.5
    assert not [p for p in result.preview.rejected if "NL00" in p.reason]
    assert any("landelijke rij" in note for note in result.preview.notes)


def test_a_municipal_long_file_needs_its_regions_to_exist(den_haag):
    data = b"regiocode;indicator;periode;waarde\nGM0518;coh_eenzaam;2023;48,5\nWK051899;coh_eenzaam;2023;50\n"
    # file_format given: the parser's auto-detection takes this header for a StatLine file.
    preview = import_preview(data=data, filename="enquete.csv", file_format="long")
    assert preview.regions_unknown == ["WK051899"]
    assert "is onbekend" in preview.rejected[0].reason
    assert preview.counts.new == 1
    result = import_apply(data=data, filename="enquete.csv", file_format="long", skip_rejected=True)
    assert IndicatorValue.objects.get(indicator__code="coh_eenzaam").value == 48.5
    assert result.period == "2023"


def test_a_municipal_wide_file_with_decimal_commas_imports_into_existing_regions(den_haag):
    data = "regiocode;periode;coh_eenzaam;coh_vrijwilligerswerk\nGM0518;2023;48,5;27,1\n"
    result = import_apply(data=data.encode("cp1252"), filename="enquete.csv")
    assert result.counts.new == 2
    assert IndicatorValue.objects.get(indicator__code="coh_vrijwilligerswerk").value == 27.1


# --- Property: whatever the file, a Dutch error or a complete import -------------------------

VALID = csv_bytes(*ROWS)


def _mutate(data: bytes, mutation: tuple) -> bytes:
    kind, position, payload = mutation
    position = position % (len(data) + 1)
    if kind == "insert":
        return data[:position] + payload + data[position:]
    if kind == "truncate":
        return data[:position]
    if kind == "overwrite":
        return data[:position] + payload + data[position + len(payload) :]
    if kind == "delete":
        return data[:position] + data[position + 8 :]
    return data.replace(b";", payload[:1] or b",")


mutations = st.tuples(
    st.sampled_from(["insert", "truncate", "overwrite", "delete", "delimiter"]),
    st.integers(min_value=0, max_value=400),
    st.one_of(
        st.binary(max_size=12),
        st.sampled_from(
            [b'"', b"=SUM(A1)", b"250", b"\n", b";;", b"\x00", b"WK036301", b"\xff\xfe", b"."]
        ),
    ),
)


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=st.lists(mutations, min_size=1, max_size=4), skip=st.booleans())
def test_generated_broken_files_give_a_dutch_error_or_a_whole_import_never_a_partial_one(
    den_haag, changes, skip
):
    data = VALID
    for change in changes:
        data = _mutate(data, change)
    with transaction.atomic():
        before = snapshot()
        try:
            preview = import_preview(data=data, filename="kwb2019.csv", municipality=den_haag)
        except ImportFileError as error:
            assert not error.unexpected, error.message
            assert snapshot() == before
            preview = None
        try:
            result = import_apply(
                data=data, filename="kwb2019.csv", municipality=den_haag, skip_rejected=skip
            )
        except ImportFileError as error:
            assert not error.unexpected, error.message
            assert error.message
            assert snapshot() == before
        else:
            assert preview is not None
            stored = (
                IndicatorValue.objects.filter(batch=result.batch).count() if result.batch else 0
            )
            assert stored == result.counts.new + result.counts.changed
            assert result.counts.new == preview.counts.new
        transaction.set_rollback(True)
