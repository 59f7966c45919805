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


def test_it_decodes_the_national_2014_wijk_topojson():
    path = GEO / "cbs_topojson_2014_2015_national" / "Wijk_2014_layer_q1e3.json"
    parsed = parse(path)
    raw = json.loads(path.read_text())
    features = raw["objects"]["layer"]["geometries"]
    assert parsed.format == "topojson"
    assert len(features) == 2738
    # At 1e3 quantisation (~270 m) some tiny wards collapse to a line: reported, not fatal.
    assert len(parsed.regions) + len(parsed.problems) == 2738
    assert len(parsed.regions) > 2650
    assert all("Object" in p.reason for p in parsed.problems)
    assert set(parsed.regions["level"]) == {"wijk"}
    row = parsed.regions.set_index("code").loc["WK051801"]
    assert row["parent_code"] == "GM0518"
    assert row["name"] == "Wijk 01 Oostduinen"
    for geometry in parsed.regions["geometry"]:
        assert_in_netherlands(geometry)
    # The decoded Oostduinen lies where the 2023 WGS84 file puts it (within the quantisation).
    wgs = parse(DEMO / "wijken_GM0518_2023_wgs84.geojson").regions.set_index("code")
    a = shape(row["geometry"]).centroid
    b = shape(wgs.at["WK051801", "geometry"]).centroid
    assert a.distance(b) < 0.01


def test_it_decodes_the_2015_gemeente_topojson():
    parsed = parse(GEO / "cbs_topojson_2014_2015_national" / "Gemeente_2015_layer_q1e3.json")
    assert len(parsed.regions) == 393
    assert parsed.problems == []
    assert set(parsed.regions["level"]) == {"gemeente"}
    assert parsed.regions["parent_code"].isna().all()
    assert parsed.regions.set_index("code").at["GM0518", "name"] == "'s-Gravenhage"


def test_it_reads_pdok_buurten_with_snake_case_properties():
    parsed = parse(GEO / "baarn_buurten_2024_pdok" / "baarn_buurten_2024.geojson")
    regions = parsed.regions
    assert len(regions) == 21
    assert set(regions["level"]) == {"buurt"}
    assert set(regions["municipality_code"]) == {"GM0308"}
    assert set(regions["municipality_name"]) == {"Baarn"}
    first = regions.iloc[0]
    assert (first["code"], first["name"], first["parent_code"]) == (
        "BU03080000",
        "Centrum",
        "WK030800",
    )


def test_it_reads_groningen_wijken_and_buurten_with_shapefile_names():
    wijken = parse(GEO / "groningen_wijk_buurt_2017" / "wijk2017_groningen_wgs84.geojson").regions
    buurten = parse(GEO / "groningen_wijk_buurt_2017" / "buurt2017_groningen_wgs84.geojson").regions
    assert (len(wijken), len(buurten)) == (15, 108)
    assert set(buurten["parent_code"]) <= set(wijken["code"])
    assert set(wijken["parent_code"]) == {"GM0014"}
    # A buurt lies inside its wijk.
    wijk_shapes = {row.code: shape(row.geometry) for row in wijken.itertuples()}
    for row in buurten.itertuples():
        point = shape(row.geometry).representative_point()
        assert wijk_shapes[row.parent_code].buffer(0.001).contains(point)


def test_it_reads_the_haaglanden_wijken_of_four_municipalities():
    regions = parse(GEO / "haaglanden_wijken_2023" / "wijken_haaglanden.geojson").regions
    assert len(regions) == 72
    assert regions["municipality_code"].value_counts().to_dict() == {
        "GM0518": 45,
        "GM1916": 13,
        "GM0603": 11,
        "GM0629": 3,
    }


def test_features_sharing_a_code_are_merged_and_reported():
    square = [[[4.30, 52.07], [4.31, 52.07], [4.31, 52.08], [4.30, 52.08], [4.30, 52.07]]]
    other = [[[4.32, 52.07], [4.33, 52.07], [4.33, 52.08], [4.32, 52.08], [4.32, 52.07]]]
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"statcode": "GM0518", "statnaam": "'s-Gravenhage"},
                "geometry": {"type": "Polygon", "coordinates": square},
            },
            {
                "type": "Feature",
                "properties": {"statcode": "GM0518"},
                "geometry": {"type": "Polygon", "coordinates": other},
            },
            {
                "type": "Feature",
                "properties": {"naam": "zonder code"},
                "geometry": {"type": "Polygon", "coordinates": other},
            },
            {
                "type": "Feature",
                "properties": {"WK_CODE": "WK051801"},
                "geometry": {"type": "Point", "coordinates": [4.3, 52.1]},
            },
        ],
    }
    parsed = parse_boundaries(json.dumps(doc).encode(), filename="test.geojson")
    assert parsed.regions["code"].tolist() == ["GM0518"]
    assert parsed.regions["geometry"].iloc[0]["type"] == "MultiPolygon"
    assert [p.line for p in parsed.problems] == [2, 3, 4]
    reasons = [p.reason for p in parsed.problems]
    assert "komt in 2 objecten voor (1, 2); de vlakken zijn samengevoegd" in reasons[0]
    assert reasons[1].startswith("Object 3: geen regiocode gevonden")
    assert reasons[2] == "Object 4 (WK051801): geometrie 'Point' is geen vlak; overgeslagen."


def test_latitude_longitude_swapped_coordinates_are_put_right():
    ring = [[52.07, 4.30], [52.07, 4.31], [52.08, 4.31], [52.08, 4.30], [52.07, 4.30]]
    doc = {
        "type": "Feature",
        "properties": {"WK_CODE": "WK051801"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    parsed = parse_boundaries(json.dumps(doc).encode(), filename="x.geojson")
    assert_in_netherlands(parsed.regions["geometry"].iloc[0])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"   ", "Het bestand is leeg."),
        (b"<!DOCTYPE html><html></html>", "Dit lijkt een HTML-pagina, geen GeoJSON."),
        (
            b'{"type": "FeatureCollection", "features": [',
            "Regel 1, kolom 44: geen geldige JSON (is het bestand afgekapt",
        ),
        (b"[1, 2]", "Dit is geen GeoJSON of TopoJSON"),
        (b'{"type": "FeatureCollection", "features": []}', "Het bestand bevat geen gebieden"),
        (b'{"type": "Point", "coordinates": [1, 2]}', "GeoJSON van het type 'Point'"),
        (
            b'{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:2154"}}, "features": [{"type": "Feature", "properties": {"statcode": "GM0518"}, "geometry": {"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,0]]]}}]}',
            "Onbekend coördinatenstelsel 'EPSG:2154'",
        ),
        (
            b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"naam": "x"}, "geometry": null}]}',
            "Geen enkel gebied met een regiocode",
        ),
    ],
    ids=["empty", "html", "truncated", "array", "no-features", "bare-geometry", "crs", "no-codes"],
)
def test_unusable_boundary_files_are_rejected_in_dutch(data, message):
    with pytest.raises(ImportFileError) as error:
        parse_boundaries(data, filename="grenzen.geojson")
    assert error.value.message.startswith(message)
    assert not error.value.unexpected


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SMALL_GEOJSON = (
    GEO / "groningen_wijk_buurt_2017" / "wijk2017_groningen_wgs84.geojson"
).read_bytes()


@settings(max_examples=100, deadline=None, database=None)
@given(
    st.one_of(
        st.binary(max_size=2000),
        st.integers(0, len(SMALL_GEOJSON)).map(lambda n: SMALL_GEOJSON[:n]),
    )
)
def test_broken_boundary_files_never_escape_as_another_exception(data):
    try:
        parsed = parse_boundaries(data, filename="x.geojson")
    except ImportFileError as error:
        assert not error.unexpected, repr(error.__cause__)
    else:
        assert len(parsed.regions) >= 1
