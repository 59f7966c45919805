"""Boundary parsing (GeoJSON in WGS84 or RD New, TopoJSON) on the real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shapely.geometry import shape

from monitoring.importing.geometry import parent_code, parse_boundaries
from monitoring.importing.parsers import ImportFileError

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo"
GEO = ROOT / "tests" / "data" / "geometry"

# The Netherlands, generously: everything converted must land here.
NL_LON = (3.0, 7.5)
NL_LAT = (50.5, 53.8)


def parse(path: Path, **kwargs):
    return parse_boundaries(path.read_bytes(), filename=path.name, **kwargs)


def assert_in_netherlands(geometry: dict) -> None:
    minx, miny, maxx, maxy = shape(geometry).bounds
    assert NL_LON[0] <= minx <= maxx <= NL_LON[1]
    assert NL_LAT[0] <= miny <= maxy <= NL_LAT[1]


def max_decimals(geometry: dict) -> int:
    text = json.dumps(geometry["coordinates"])
    decimals = [
        len(part.split(".")[1])
        for part in text.replace("[", " ").replace("]", " ").replace(",", " ").split()
        if "." in part
    ]
    return max(decimals)


@pytest.mark.parametrize(
    ("parent", "expected"),
    [
        ("BU05180100", "WK051801"),
        ("WK051801", "GM0518"),
        ("BU0363AA01", "WK0363AA"),
        ("GM0518", None),
        ("NL00", None),
    ],
)
def test_parent_codes_follow_from_the_cbs_code(parent, expected):
    assert parent_code(parent) == expected


def test_it_reads_the_den_haag_2023_wijken_in_wgs84():
    parsed = parse(DEMO / "wijken_GM0518_2023_wgs84.geojson")
    regions = parsed.regions
    assert parsed.source_crs == "EPSG:4326"
    assert len(regions) == 45
    assert regions["code"].is_unique
    assert set(regions["level"]) == {"wijk"}
    assert set(regions["parent_code"]) == {"GM0518"}
    first = regions.iloc[0]
    assert (first["code"], first["name"]) == ("WK051801", "Wijk 01 Oostduinen")
    for geometry in regions["geometry"]:
        assert geometry["type"] in {"Polygon", "MultiPolygon"}
        assert_in_netherlands(geometry)
        assert max_decimals(geometry) <= 6
    assert parsed.problems == []


def test_simplifying_keeps_the_shape_but_drops_vertices():
    path = DEMO / "wijken_GM0518_2023_wgs84.geojson"
    raw = json.loads(path.read_text())
    original = {f["properties"]["WK_CODE"]: shape(f["geometry"]) for f in raw["features"]}
    parsed = parse(path)
    before = sum(len(json.dumps(f["geometry"])) for f in raw["features"])
    after = sum(len(json.dumps(g)) for g in parsed.regions["geometry"])
    assert after < before / 5
    for row in parsed.regions.itertuples():
        simplified = shape(row.geometry)
        assert simplified.is_valid
        # Area within 2 %: the map still shows the same ward.
        assert simplified.area == pytest.approx(original[row.code].area, rel=0.02)


def test_it_converts_the_den_haag_2016_wijken_from_rd_new():
    parsed = parse(DEMO / "wijken_GM0518_2016_rd.geojson")
    regions = parsed.regions
    assert parsed.source_crs == "EPSG:28992"
    assert len(regions) == 44
    assert set(regions["municipality_name"]) == {"'s-Gravenhage"}
    for geometry in regions["geometry"]:
        assert_in_netherlands(geometry)
    # The same ward in the 2023 WGS84 file lies in the same place (centroids within ~200 m).
    wgs = parse(DEMO / "wijken_GM0518_2023_wgs84.geojson").regions.set_index("code")
    for row in regions.itertuples():
        if row.code in wgs.index:
            a = shape(row.geometry).centroid
            b = shape(wgs.at[row.code, "geometry"]).centroid
            assert a.distance(b) < 0.003


def test_rd_new_is_recognised_without_a_crs_member():
    raw = json.loads((DEMO / "wijken_GM0518_2016_rd.geojson").read_text())
    del raw["crs"]
    parsed = parse_boundaries(json.dumps(raw).encode(), filename="zonder_crs.geojson")
    assert parsed.source_crs == "EPSG:28992"
    assert len(parsed.regions) == 44
    assert_in_netherlands(parsed.regions["geometry"].iloc[0])


def test_an_empty_file_is_rejected_in_dutch():
    with pytest.raises(ImportFileError) as error:
        parse_boundaries(b"", filename="leeg.geojson")
    assert error.value.message == "Het bestand is leeg."
