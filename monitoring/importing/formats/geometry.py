"""Pure parsing of region boundaries (GeoJSON, TopoJSON) into WGS84 GeoJSON geometries.

No Django and no database: `parse_boundaries` returns one row per region code with its name,
level, parent and a simplified WGS84 geometry; the importer creates or updates regions from it.

- Coordinate systems: WGS84 / CRS84 (GeoJSON default), RD New (EPSG:28992) and Web Mercator
  (EPSG:3857), from the ``crs`` member or, when that is missing, from the coordinate ranges.
  Converted with pyproj (``always_xy``: GeoJSON is longitude, latitude).
- TopoJSON is decoded here (quantised, delta-encoded arcs), no extra library needed.
- Property names vary per source (``WK_CODE``/``WK_NAAM``, ``WKC``/``WKN``, ``statcode``/
  ``statnaam``, ``buurtcode``/``buurtnaam``, ``BU_CODE``...); the most specific code wins
  (a buurt feature also carries its wijk and gemeente code).
- Several features with one code (islands, water parts) are merged into one geometry and
  reported in ``problems``; features without a usable code or geometry are skipped and reported.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping, shape

from monitoring.importing.formats.common import (
    LEVEL_BY_PREFIX,
    REGION_CODE_RE,
    CellProblem,
    ImportFileError,
)

__all__ = ["ParsedBoundaries", "parent_code", "parse_boundaries"]

BOUNDARY_COLUMNS = [
    "code",
    "name",
    "level",
    "parent_code",
    "municipality_code",
    "municipality_name",
    "geometry",
    "feature",
]

# Most specific first: a buurt feature carries buurt-, wijk- and gemeentecode.
CODE_KEYS = [
    ("buurtcode", "bu_code", "buc", "buurt_code"),
    ("wijkcode", "wk_code", "wkc", "wijk_code"),
    ("gemeentecode", "gm_code", "gmc", "gemeente_code"),
    ("statcode", "regiocode", "code", "cbscode", "gwb_code_10", "gwb_code", "id"),
]
NAME_KEYS = {
    "BU": ("buurtnaam", "bu_naam", "bun", "buurt_naam", "statnaam", "naam", "name"),
    "WK": ("wijknaam", "wk_naam", "wkn", "wijk_naam", "statnaam", "naam", "name"),
    "GM": ("gemeentenaam", "gm_naam", "gmn", "gemeente_naam", "statnaam", "naam", "name"),
    "NL": ("statnaam", "naam", "name"),
}
MUNICIPALITY_NAME_KEYS = ("gemeentenaam", "gm_naam", "gmn", "gemeente_naam")

ROUND_DECIMALS = 6  # ~0.1 m: more than enough for a map, and keeps the JSON small


@dataclass
class ParsedBoundaries:
    regions: pd.DataFrame
    problems: list[CellProblem] = field(default_factory=list)
    source_crs: str = "EPSG:4326"
    format: str = "geojson"  # "geojson" | "topojson"


def parent_code(code: str) -> str | None:
    """``BU05180100`` -> ``WK051801``; ``WK051801`` -> ``GM0518``; others have no parent here."""
    prefix = code[:2]
    if prefix == "BU" and len(code) == 10:
        return "WK" + code[2:8]
    if prefix == "WK" and len(code) == 8:
        return "GM" + code[2:6]
    return None


def municipality_code(code: str) -> str | None:
    if code[:2] in {"BU", "WK", "GM"} and len(code) >= 6:
        return "GM" + code[2:6]
    return None


def parse_boundaries(
    data: bytes, *, filename: str, simplify_tolerance: float = 0.0001
) -> ParsedBoundaries:
    """Parse GeoJSON or TopoJSON bytes; raise ImportFileError (Dutch) if the file is unusable.

    ``simplify_tolerance`` is in degrees (0.0001 ≈ 7-11 m in the Netherlands); 0 keeps every
    vertex.
    """
    try:
        return _parse_boundaries(data, filename=filename, simplify_tolerance=simplify_tolerance)
    except ImportFileError:
        raise
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:  # a bug here must not become a 500 page for the admin
        raise ImportFileError(
            "Het grenzenbestand kon niet worden gelezen door een onverwachte fout "
            f"({type(exc).__name__}). Meld dit aan de beheerder.",
            unexpected=True,
        ) from exc


def _load_json(data: bytes) -> object:
    if not data or not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise ImportFileError("Het bestand is leeg.")
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise ImportFileError("Dit lijkt een HTML-pagina, geen GeoJSON.")
    if head.startswith(b"pk\x03\x04"):
        raise ImportFileError(
            "Dit is een ZIP-bestand (bijvoorbeeld een shapefile). Exporteer de grenzen als "
            "GeoJSON of TopoJSON."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"Regel {exc.lineno}, kolom {exc.colno}: geen geldige JSON (is het bestand afgekapt "
            "of beschadigd?).",
            line=exc.lineno,
        ) from exc


def _parse_boundaries(data: bytes, *, filename: str, simplify_tolerance: float) -> ParsedBoundaries:
    doc = _load_json(data)
    if not isinstance(doc, dict) or "type" not in doc:
        raise ImportFileError(
            "Dit is geen GeoJSON of TopoJSON (het bestand moet een object met 'type' zijn)."
        )
    kind = doc.get("type")
    if kind == "Topology":
        features = _topojson_features(doc)
        fmt = "topojson"
    elif kind == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise ImportFileError("Deze FeatureCollection heeft geen lijst 'features'.")
        fmt = "geojson"
    elif kind == "Feature":
        features = [doc]
        fmt = "geojson"
    else:
        raise ImportFileError(
            f"GeoJSON van het type '{kind}' bevat geen eigenschappen met regiocodes; "
            "verwacht een FeatureCollection of TopoJSON."
        )
    if not features:
        raise ImportFileError("Het bestand bevat geen gebieden (features).")

    problems: list[CellProblem] = []
    parsed: list[tuple[int, str, str, str, object]] = []  # feature no, code, name, gm name, geom
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            problems.append(CellProblem(number, "", "", f"Object {number}: geen geldig feature."))
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            props = {}
        code, code_key = _find_code(props)
        if code is None:
            problems.append(
                CellProblem(
                    number,
                    "",
                    _props_preview(props),
                    f"Object {number}: geen regiocode gevonden in de eigenschappen "
                    f"({_props_preview(props)}); overgeslagen.",
                )
            )
            continue
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") not in {
            "Polygon",
            "MultiPolygon",
        }:
            gtype = geometry.get("type") if isinstance(geometry, dict) else "geen"
            problems.append(
                CellProblem(
                    number,
                    code_key or "",
                    code,
                    f"Object {number} ({code}): geometrie '{gtype}' is geen vlak; overgeslagen.",
                )
            )
            continue
        try:
            geom = shape(_clean_polygonal(geometry))
        except (ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
            problems.append(
                CellProblem(
                    number,
                    code_key or "",
                    code,
                    f"Object {number} ({code}): ongeldige coördinaten ({exc}); overgeslagen.",
                )
            )
            continue
        name = _find_name(props, code)
        gm_name = _first(props, MUNICIPALITY_NAME_KEYS) or ""
        parsed.append((number, code, name, gm_name, geom))
    if not parsed:
        raise ImportFileError(
            "Geen enkel gebied met een regiocode (GM/WK/BU) en een vlak gevonden. Welke "
            "eigenschap bevat de code? Verwacht bijvoorbeeld WK_CODE, statcode of buurtcode."
        )

    geoms = np.array([p[4] for p in parsed], dtype=object)
    # TopoJSON has no crs member; its numbers (after the transform) tell like GeoJSON's do.
    source_crs = _source_crs(doc, geoms)
    geoms = _to_wgs84(geoms, source_crs)

    # Merge parts that share a code (islands, separate water polygons).
    order: dict[str, list[int]] = {}
    for i, p in enumerate(parsed):
        order.setdefault(p[1], []).append(i)
    rows = []
    for code, idxs in order.items():
        first = parsed[idxs[0]]
        geom = geoms[idxs[0]]
        if len(idxs) > 1:
            numbers = ", ".join(str(parsed[i][0]) for i in idxs)
            problems.append(
                CellProblem(
                    parsed[idxs[1]][0],
                    "",
                    code,
                    f"Object {parsed[idxs[1]][0]}: code {code} komt in {len(idxs)} objecten voor "
                    f"({numbers}); de vlakken zijn samengevoegd.",
                )
            )
            geom = shapely.union_all([_valid(geoms[i]) for i in idxs])
        geom = _valid(geom)
        if simplify_tolerance and simplify_tolerance > 0:
            geom = geom.simplify(simplify_tolerance, preserve_topology=True)
        # Snapping to the grid (instead of plain rounding) keeps the polygon valid.
        geom = _valid(shapely.set_precision(geom, 10**-ROUND_DECIMALS))
        if geom.is_empty:
            problems.append(
                CellProblem(
                    first[0], "", code, f"Object {first[0]} ({code}): lege geometrie; overgeslagen."
                )
            )
            continue
        gm = municipality_code(code)
        rows.append(
            {
                "code": code,
                "name": first[2],
                "level": LEVEL_BY_PREFIX.get(code[:2], ""),
                "parent_code": parent_code(code),
                "municipality_code": gm,
                "municipality_name": first[3],
                "geometry": _as_lists(mapping(geom)),
                "feature": first[0],
            }
        )
    problems.sort(key=lambda p: p.line)
    regions = pd.DataFrame(rows, columns=BOUNDARY_COLUMNS)
    return ParsedBoundaries(regions=regions, problems=problems, source_crs=source_crs, format=fmt)


def _clean_ring(ring: list) -> list | None:
    points = [p[:2] for p in ring]
    if points and points[0] != points[-1]:
        points.append(points[0])  # unclosed rings are common in hand-made files
    # Fewer than 4 points is no area: quantised TopoJSON collapses tiny rings like this.
    return points if len(points) >= 4 else None


def _clean_polygon(rings: list) -> list | None:
    if not rings:
        return None
    exterior = _clean_ring(rings[0])
    if exterior is None:
        return None
    holes = [r for r in (_clean_ring(h) for h in rings[1:]) if r is not None]
    return [exterior, *holes]


def _clean_polygonal(geometry: dict) -> dict:
    """Drop degenerate rings/parts so one bad ring does not cost the whole region."""
    coords = geometry.get("coordinates")
    if geometry["type"] == "Polygon":
        polygon = _clean_polygon(coords)
        if polygon is None:
            raise ValueError("het vlak heeft minder dan 4 punten")
        return {"type": "Polygon", "coordinates": polygon}
    polygons = [p for p in (_clean_polygon(poly) for poly in coords) if p is not None]
    if not polygons:
        raise ValueError("geen enkel deelvlak heeft 4 of meer punten")
    return {"type": "MultiPolygon", "coordinates": polygons}


def _lower_props(props: dict) -> dict[str, object]:
    return {str(k).strip().lower(): v for k, v in props.items()}


def _first(props: dict, keys: tuple[str, ...]) -> str | None:
    low = _lower_props(props)
    for key in keys:
        value = low.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _find_code(props: dict) -> tuple[str | None, str | None]:
    low = _lower_props(props)
    for group in CODE_KEYS:
        for key in group:
            value = low.get(key)
            if value is None:
                continue
            code = str(value).strip().upper().replace(" ", "")
            if REGION_CODE_RE.match(code):
                return code, key
    # Unknown property names: any value that is a region code, the most specific level first.
    candidates = []
    for key, value in low.items():
        if isinstance(value, str):
            code = value.strip().upper()
            if REGION_CODE_RE.match(code):
                candidates.append((["BU", "WK", "GM", "NL"].index(code[:2]), code, key))
    if candidates:
        _, code, key = min(candidates)
        return code, key
    return None, None


def _find_name(props: dict, code: str) -> str:
    return _first(props, NAME_KEYS.get(code[:2], ("naam", "name"))) or ""


def _props_preview(props: dict) -> str:
    text = ", ".join(f"{k}={v}" for k, v in list(props.items())[:4])
    return text if len(text) <= 100 else text[:97] + "..."


# ---------------------------------------------------------------------------------------------
# Coordinate systems
# ---------------------------------------------------------------------------------------------


def _source_crs(doc: dict, geoms: np.ndarray) -> str:
    declared = _declared_crs(doc)
    if declared:
        return declared
    return _crs_from_extent(geoms)


def _declared_crs(doc: dict) -> str | None:
    crs = doc.get("crs")
    if not isinstance(crs, dict):
        return None
    props = crs.get("properties")
    name = str(props.get("name", "")) if isinstance(props, dict) else ""
    upper = name.upper()
    if "CRS84" in upper or upper.endswith(("::4326", ":4326")):
        return "EPSG:4326"
    for epsg in ("28992", "3857", "900913", "3035", "4258"):
        if upper.endswith((f"::{epsg}", f":{epsg}")):
            return "EPSG:3857" if epsg == "900913" else f"EPSG:{epsg}"
    if name:
        raise ImportFileError(
            f"Onbekend coördinatenstelsel '{name}'. Gebruik WGS84 (EPSG:4326) of "
            "RD New (EPSG:28992)."
        )
    return None


def _crs_from_extent(geoms: np.ndarray) -> str:
    """No ``crs`` member: tell WGS84, RD New and Web Mercator apart by their numbers."""
    bounds = shapely.bounds(geoms)
    minx, miny = np.nanmin(bounds[:, 0]), np.nanmin(bounds[:, 1])
    maxx, maxy = np.nanmax(bounds[:, 2]), np.nanmax(bounds[:, 3])
    if any(math.isnan(v) for v in (minx, miny, maxx, maxy)):
        raise ImportFileError("Het bestand bevat geen bruikbare coördinaten.")
    if minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90:
        return "EPSG:4326"
    if minx >= -10000 and maxx <= 310000 and miny >= 280000 and maxy <= 640000:
        return "EPSG:28992"
    if minx >= 200000 and maxx <= 1000000 and miny >= 6300000 and maxy <= 7300000:
        return "EPSG:3857"
    raise ImportFileError(
        "Het coördinatenstelsel kan niet worden bepaald (geen 'crs' in het bestand en de "
        "getallen passen niet bij WGS84 of RD New)."
    )


def _to_wgs84(geoms: np.ndarray, source_crs: str) -> np.ndarray:
    if source_crs == "EPSG:4326":
        return _maybe_swap_lat_lon(geoms)
    from pyproj import Transformer  # local: only needed for projected input

    transformer = Transformer.from_crs(source_crs, "EPSG:4326", always_xy=True)

    def project(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    result = shapely.transform(geoms, project)
    bounds = shapely.bounds(result)
    if not np.isfinite(bounds).all():
        raise ImportFileError(f"De coördinaten passen niet bij het opgegeven stelsel {source_crs}.")
    return result


def _maybe_swap_lat_lon(geoms: np.ndarray) -> np.ndarray:
    """Some tools write EPSG:4326 as latitude, longitude; for the Netherlands that is obvious
    (latitude 50-54, longitude 3-8), so swap instead of drawing the map in Somalia."""
    bounds = shapely.bounds(geoms)
    minx, miny = np.nanmin(bounds[:, 0]), np.nanmin(bounds[:, 1])
    maxx, maxy = np.nanmax(bounds[:, 2]), np.nanmax(bounds[:, 3])
    if minx >= 50 and maxx <= 54 and miny >= 3 and maxy <= 8:
        return shapely.transform(geoms, lambda xy: xy[:, ::-1].copy())
    return geoms


def _valid(geom):
    """Polygonal and valid. Coarsely quantised TopoJSON collapses small rings into lines or
    points; those parts are dropped because a boundary is an area."""
    if geom.is_valid and geom.geom_type in {"Polygon", "MultiPolygon"}:
        return geom
    fixed = geom
    if not geom.is_valid:
        try:
            # "structure" is the polygon-aware repair; collapsed rings simply disappear.
            fixed = shapely.make_valid(geom, method="structure", keep_collapsed=False)
        except shapely.errors.GEOSException:
            fixed = geom.buffer(0)
    if fixed.geom_type in {"Polygon", "MultiPolygon"}:
        return fixed
    parts = shapely.get_parts(fixed)
    polys = [g for g in parts if g.geom_type in {"Polygon", "MultiPolygon"} and not g.is_empty]
    if not polys:
        return shapely.Polygon()
    return polys[0] if len(polys) == 1 else shapely.union_all(polys)


def _as_lists(obj):
    """shapely's mapping() uses tuples; lists compare equal to parsed JSON and store the same."""
    if isinstance(obj, dict):
        return {k: _as_lists(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_as_lists(v) for v in obj]
    if isinstance(obj, float):
        return round(obj, ROUND_DECIMALS)
    return obj


# ---------------------------------------------------------------------------------------------
# TopoJSON
# ---------------------------------------------------------------------------------------------


def _topojson_features(doc: dict) -> list[dict]:
    """Decode every polygon object of a TopoJSON topology into GeoJSON-like features."""
    arcs_raw = doc.get("arcs")
    objects = doc.get("objects")
    if not isinstance(arcs_raw, list) or not isinstance(objects, dict) or not objects:
        raise ImportFileError("Deze TopoJSON mist 'arcs' of 'objects'.")
    transform = doc.get("transform")
    arcs = _decode_arcs(arcs_raw, transform)
    features: list[dict] = []
    for obj in objects.values():
        if not isinstance(obj, dict):
            continue
        members = obj.get("geometries") if obj.get("type") == "GeometryCollection" else [obj]
        for member in members or []:
            if not isinstance(member, dict):
                continue
            features.append(
                {
                    "type": "Feature",
                    "properties": member.get("properties") or {"id": member.get("id")},
                    "geometry": _topo_geometry(member, arcs),
                }
            )
    return features


def _decode_arcs(arcs_raw: list, transform: object) -> list[np.ndarray]:
    scale = translate = None
    if isinstance(transform, dict):
        scale = np.asarray(transform.get("scale", [1, 1]), dtype=float)[:2]
        translate = np.asarray(transform.get("translate", [0, 0]), dtype=float)[:2]
    arcs: list[np.ndarray] = []
    for arc in arcs_raw:
        try:
            points = np.asarray([p[:2] for p in arc], dtype=float).reshape(-1, 2)
        except (TypeError, ValueError, IndexError) as exc:
            raise ImportFileError("Deze TopoJSON bevat ongeldige arcs.") from exc
        if scale is not None:
            # Quantised topologies store each point as a delta from the previous one.
            points = np.cumsum(points, axis=0) * scale + translate
        arcs.append(points)
    return arcs


def _ring(indexes: list, arcs: list[np.ndarray]) -> list[list[float]]:
    coords: list[np.ndarray] = []
    for index in indexes:
        i = int(index)
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        coords.append(arc if not coords else arc[1:])  # arcs share their end points
    if not coords:
        return []
    ring = np.concatenate(coords)
    return ring.tolist()


def _topo_geometry(member: dict, arcs: list[np.ndarray]) -> dict | None:
    kind = member.get("type")
    try:
        if kind == "Polygon":
            return {"type": "Polygon", "coordinates": [_ring(r, arcs) for r in member["arcs"]]}
        if kind == "MultiPolygon":
            return {
                "type": "MultiPolygon",
                "coordinates": [[_ring(r, arcs) for r in poly] for poly in member["arcs"]],
            }
    except (KeyError, IndexError, TypeError, ValueError):
        return {"type": "Invalid"}
    return {"type": kind} if kind else None
