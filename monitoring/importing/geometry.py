"""Boundary files (GeoJSON, TopoJSON): the reader lives in ``formats/geometry.py``; this name
stays importable for the callers that know it."""

from monitoring.importing.formats.geometry import ParsedBoundaries, parent_code, parse_boundaries

__all__ = ["ParsedBoundaries", "parent_code", "parse_boundaries"]
