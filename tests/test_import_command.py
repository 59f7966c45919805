"""``manage.py import_data``: the same preview and result as the web, in Dutch, on the command line."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from monitoring.models import ImportBatch, IndicatorValue, Region
from tests.test_import_services import empty_store  # noqa: F401  (autouse)

DATA = Path(__file__).parent / "data"
DEN_HAAG_2021 = (
    DATA / "cbs_kwb" / "kwb_den_haag_2019_2020_2021" / "kwb2021_den_haag_odata_22cols.csv"
)
NATIONAL_2017 = DATA / "cbs_kwb" / "kwb2017_national_odata" / "kwb2017_83765NED_national_22cols.csv"


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_data", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_prints_the_preview_and_writes_nothing(framework):
    output = run(str(DEN_HAAG_2021), "--dry-run")
    # 1.590 values as before, and the three age groups of the working-age population (159 × 3)
    assert "2.067 nieuw, 0 gewijzigd, 0 ongewijzigd" in output
    assert "Nieuwe regio's: 159" in output
    assert "er is niets ingelezen" in output
    assert not IndicatorValue.objects.exists() and not ImportBatch.objects.exists()


def test_the_command_imports_and_a_second_run_says_nothing_changes(framework):
    output = run(str(DEN_HAAG_2021))
    batch = ImportBatch.objects.get()
    assert f"Import #{batch.pk}: Ingelezen: 2.067 nieuwe waarden" in output
    assert batch.sha256 and batch.file_format == "cbs-odata" and batch.period == "2021"
    again = run(str(DEN_HAAG_2021))
    assert f"al ingelezen (import #{batch.pk}); er verandert niets" in again
    assert ImportBatch.objects.count() == 1


def test_rejected_cells_stop_the_import_with_a_non_zero_exit_status(framework):
    with pytest.raises(CommandError) as error:
        run(str(NATIONAL_2017))
    assert error.value.returncode == 1
    assert "Regel 10809" in str(error.value) and "--skip-rejected" in str(error.value)
    assert not IndicatorValue.objects.exists()


def test_a_dry_run_with_rejected_cells_exits_non_zero(framework):
    with pytest.raises(CommandError) as error:
        run(str(NATIONAL_2017), "--dry-run")
    assert error.value.returncode == 1


def test_an_unusable_file_exits_non_zero_with_a_dutch_message(framework, tmp_path):
    page = tmp_path / "kwb2023.csv"
    page.write_text("<!doctype html><html><body>404</body></html>")
    with pytest.raises(CommandError, match="HTML-pagina"):
        run(str(page))


def test_only_regions_of_the_chosen_municipality_are_accepted(framework):
    Region.objects.create(code="GM0518", name="'s-Gravenhage", level="gemeente")
    with pytest.raises(CommandError, match="hoort niet bij 's-Gravenhage"):
        run(
            str(
                DATA
                / "cbs_kwb"
                / "kwb_utrecht_2019_2021_2023_2024"
                / "kwb2019_utrecht_odata_22cols.csv"
            ),
            "--municipality",
            "GM0518",
        )


def test_boundaries_go_through_the_same_command(framework):
    path = DATA / "geometry" / "groningen_wijk_buurt_2017" / "wijk2017_groningen_wgs84.geojson"
    output = run(str(path), "--format", "geojson")
    assert "Regiogrenzen: 15" in output
    assert Region.objects.filter(level="wijk").exclude(geometry=None).count() == 15
