"""A region shows the longest name known for it: StatLine cuts names at 40 characters
("Wijk 06 Van Stolkpark en Scheveningse Bo"); the wijk- en buurtkaart has the whole name."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from monitoring.importing.formats.geometry import parse_boundaries
from monitoring.importing.region_names import completes, region_name_kept
from monitoring.models import Region
from monitoring.services import import_apply, import_rollback
from monitoring.services.values import region_geometry_set
from tests.test_import_services import empty_store  # noqa: F401  (autouse)

DEMO = Path(settings.BASE_DIR) / "fixtures" / "demo"
STATLINE_2024 = DEMO / "kwb2024_GM0518_statline_bevolking.csv"  # names cut at 40 characters
MAP_2023 = DEMO / "wijken_GM0518_2023_wgs84.geojson"  # whole names
CUT = "Wijk 06 Van Stolkpark en Scheveningse Bo"
WHOLE = "Wijk 06 Van Stolkpark en Scheveningse Bosjes"


def test_a_cut_name_never_replaces_the_whole_one():
    assert len(CUT) == 40
    assert region_name_kept(WHOLE, CUT) == WHOLE


def test_the_whole_name_replaces_a_cut_one():
    assert region_name_kept(CUT, WHOLE) == WHOLE


def test_a_real_renaming_takes_the_name_of_the_file():
    assert region_name_kept("Wijk 06 Zorgvliet", "Wijk 06 Van Stolkpark") == "Wijk 06 Van Stolkpark"


def test_an_empty_name_or_one_differing_only_in_spaces_changes_nothing():
    assert region_name_kept(WHOLE, "") == WHOLE
    assert region_name_kept(WHOLE, "  Wijk 06 Van  Stolkpark en Scheveningse Bosjes ") == WHOLE


def test_a_code_standing_in_for_a_name_is_not_a_cut_name():
    assert not completes("WK051806", "WK051806 Van Stolkpark", code="WK051806")
    assert completes(CUT, WHOLE, code="WK051806")


def ward_name() -> str:
    return Region.objects.get(code="WK051806").name


def test_a_statline_file_read_after_the_map_keeps_the_whole_name(framework):
    import_apply(data=MAP_2023.read_bytes(), filename=MAP_2023.name, period="2024")
    assert ward_name() == WHOLE
    import_apply(data=STATLINE_2024.read_bytes(), filename=STATLINE_2024.name, period="2024")
    assert ward_name() == WHOLE


def test_the_map_read_after_a_statline_file_completes_the_cut_name_and_rolls_back(framework):
    import_apply(data=STATLINE_2024.read_bytes(), filename=STATLINE_2024.name, period="2024")
    assert ward_name() == CUT
    result = import_apply(data=MAP_2023.read_bytes(), filename=MAP_2023.name, period="2024")
    assert ward_name() == WHOLE
    assert result.preview.regions_renamed >= 1
    # Other names stay as the register has them: only cut names are completed.
    assert Region.objects.get(code="WK051801").name == "Wijk 01 Oostduinen"
    import_rollback(batch=result.batch)
    assert ward_name() == CUT


def test_the_demo_boundaries_complete_cut_names(framework):
    import_apply(data=STATLINE_2024.read_bytes(), filename=STATLINE_2024.name, period="2024")
    boundaries = parse_boundaries(MAP_2023.read_bytes(), filename=MAP_2023.name)
    region_geometry_set(geometries=boundaries.regions, year=2024)
    assert ward_name() == WHOLE
