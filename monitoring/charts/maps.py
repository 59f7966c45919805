"""Maps: each region a filled polygon from its own GeoJSON, on plain axes.

No tile server, no map library fetching world outlines from a CDN: nothing leaves the browser.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import Any

from monitoring.charts.style import (
    DIVERGING,
    MISSING_FILL,
    SEQUENTIAL,
    _layout,
    colorscale,
    colour_at,
)
from monitoring.charts.types import Area, ChartBlock, Column, Figure, Table, trace
from monitoring.charts.words import signed
from monitoring.conditions import CONDITION_INFO
from monitoring.formatting import nl_number


def _rings(geometry: dict | None) -> list[list[list[float]]]:
    """The outer rings of a Polygon or MultiPolygon (holes are left out on these small maps)."""
    if not geometry:
        return []
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"][0]] if geometry.get("coordinates") else []
    if geometry.get("type") == "MultiPolygon":
        return [polygon[0] for polygon in geometry.get("coordinates", []) if polygon]
    return []


def _polygon_xy(rings: list[list[list[float]]]) -> tuple[list[float | None], list[float | None]]:
    xs: list[float | None] = []
    ys: list[float | None] = []
    for ring in rings:
        if xs:
            xs.append(None)
            ys.append(None)
        xs.extend(point[0] for point in ring)
        ys.extend(point[1] for point in ring)
    return xs, ys


def _centroid(rings: list[list[list[float]]]) -> tuple[float, float] | None:
    """Centroid of the largest ring (shoelace formula); good enough to place a marker."""
    best, best_area = None, 0.0
    for ring in rings:
        area = cx = cy = 0.0
        for (x0, y0), (x1, y1) in itertools.pairwise(ring):
            cross = x0 * y1 - x1 * y0
            area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        if abs(area) > best_area and area != 0:
            best_area = abs(area)
            best = (cx / (3 * area), cy / (3 * area))
    return best


def _tick_decimals(low: float, high: float, decimals: int) -> int:
    """Enough decimals that the colour bar's ticks differ: a span of 0,6 with no decimals
    would read "1, 1, 1, 0, 0, 0"."""
    span = high - low
    while decimals < 3 and span < 5 * 10 ** (-decimals):
        decimals += 1
    return decimals


def region_map(
    *,
    areas: Sequence[Area],
    values: dict[str, float | None],
    title: str,
    value_label: str,
    unit: str = "",
    decimals: int = 0,
    diverging: bool = False,
    missing_label: str = "onvoldoende gegevens",
    height: int = 560,
) -> Figure | None:
    """Each area a filled polygon coloured by its value; click opens ``area.url``.

    Second carriers besides colour: the value in the hover label and in the table, a hatch
    pattern for "no data", and for changes a ▲/▼ marker in the middle of each area.
    """
    drawable = [(area, _rings(area.geometry)) for area in areas]
    drawable = [(area, rings) for area, rings in drawable if rings]
    if not drawable:
        return None
    known = [v for v in (values.get(a.code) for a, _ in drawable) if v is not None]
    if diverging:
        bound = max((abs(v) for v in known), default=1.0) or 1.0
        low, high, scale = -bound, bound, DIVERGING
    else:
        low, high = (min(known), max(known)) if known else (0.0, 1.0)
        if high == low:
            low, high = low - 1, high + 1
        scale = SEQUENTIAL
    suffix = f" {unit}" if unit else ""
    fig = Figure()
    centroids: list[tuple[Area, tuple[float, float], float | None]] = []
    lats: list[float] = []
    for area, rings in drawable:
        value = values.get(area.code)
        xs, ys = _polygon_xy(rings)
        lats.extend(y for y in ys if y is not None)
        if value is None:
            colour, label = MISSING_FILL, missing_label
            pattern = {"shape": "/", "fgcolor": "#9a9a9a", "size": 6, "solidity": 0.15}
        else:
            colour = colour_at(scale, (value - low) / (high - low))
            label = (signed(value, decimals) if diverging else nl_number(value, decimals)) + suffix
            pattern = None
        fig.add_trace(
            trace(
                "scatter",
                x=xs,
                y=ys,
                mode="lines",
                fill="toself",
                fillcolor=colour,
                fillpattern=pattern,
                line={"color": "white", "width": 1},
                hoveron="fills",
                name=f"{area.name}: {label}",
                # The URL once (charts.js reads meta.url for a click on a fill), not once per
                # point of the outline: that was a third of every map's weight.
                meta={"url": area.url, "code": area.code},
                showlegend=False,
            )
        )
        centre = _centroid(rings)
        if centre:
            centroids.append((area, centre, value))
    # Markers at the centres: hover, click target, the colour bar and, for changes, ▲/▼.
    marker_values = [v for _, _, v in centroids]
    symbols = [
        "triangle-up" if (v or 0) > 0 else "triangle-down" if (v or 0) < 0 else "circle"
        for _, _, v in centroids
    ]
    fig.add_trace(
        trace(
            "scatter",
            x=[c[0] for _, c, _ in centroids],
            y=[c[1] for _, c, _ in centroids],
            mode="markers",
            marker={
                "size": 9 if diverging else 5,
                "symbol": symbols if diverging else "circle",
                "color": marker_values,
                # Explicit stops: plotly.js knows "Viridis" but not every plotly.py name.
                "colorscale": colorscale(scale),
                "cmin": low,
                "cmax": high,
                "line": {"color": "#333", "width": 1} if diverging else {"width": 0},
                "showscale": True,
                "colorbar": {
                    "title": {"text": unit or value_label, "side": "right"},
                    "thickness": 14,
                    "tickformat": f",.{_tick_decimals(low, high, decimals)}f",
                },
            },
            text=[area.name for area, _, _ in centroids],
            customdata=[area.url for area, _, _ in centroids],
            hovertemplate=(
                "<b>%{text}</b><br>"
                + value_label
                + ": %{marker.color:"
                + ("+" if diverging else "")
                + f",.{decimals}f}}{suffix}<extra></extra>"
            ),
            showlegend=False,
        )
    )
    mean_lat = sum(lats) / len(lats) if lats else 52.0
    hidden = {"visible": False, "showgrid": False, "zeroline": False}
    _layout(
        fig,
        title=title,
        height=height,
        xaxis={**hidden, "constrain": "domain"},
        yaxis={
            **hidden,
            "scaleanchor": "x",
            "scaleratio": 1 / math.cos(math.radians(mean_lat)),
        },
        hovermode="closest",
        dragmode="pan",
    )
    fig.update_layout(margin={"l": 10, "r": 10, "b": 10})
    return fig


def _map_or_sentence(
    areas: Sequence[Area],
    values: dict[str, float | None],
    level_plural: str,
    *,
    missing: str,
    **map_options: Any,
) -> tuple[Figure | None, list[str]]:
    """The map, or no map and a sentence saying what is missing and what would fill it: a map
    without a single value is a grey shape with a colour bar of meaningless ticks."""
    if not any(values.get(a.code) is not None for a in areas):
        return None, [missing]
    figure = region_map(areas=areas, values=values, **map_options)
    if figure is None:
        return None, [f"Er zijn geen grenzen bekend voor deze {level_plural}."]
    return figure, []


def _extremes(pairs: Iterable[tuple[str, float | None]]) -> tuple[tuple[str, float], ...]:
    known = [(name, v) for name, v in pairs if v is not None]
    if not known:
        return ()
    known.sort(key=lambda p: p[1])
    return known[-1], known[0]


def municipality_map(
    *,
    areas: Sequence[Area],
    scores: dict[str, float | None],
    condition: str,
    period: str,
    level_plural: str,
) -> ChartBlock:
    info = CONDITION_INFO[condition]
    names = {a.code: a.name for a in areas}
    extremes = _extremes((names.get(code, code), v) for code, v in scores.items())
    if extremes:
        (top, top_v), (bottom, bottom_v) = extremes
        title = (
            f"{info.name_nl} {period}: hoogst in {top} ({nl_number(top_v)}), "
            f"laagst in {bottom} ({nl_number(bottom_v)})"
        )
        known = sum(v is not None for v in scores.values())
        summary = (
            f"Van de {len(areas)} {level_plural} hebben er {known} een score op "
            f"{info.name_nl.lower()} in {period}; {top} scoort het hoogst ({nl_number(top_v)}) "
            f"en {bottom} het laagst ({nl_number(bottom_v)})."
        )
    else:
        title = f"{info.name_nl} {period}: geen {level_plural} met een score"
        summary = (
            f"Geen van de {level_plural} heeft een score op {info.name_nl.lower()} in {period}."
        )
    table = Table(
        caption=f"{info.name_nl} per {level_plural[:-2] if level_plural.endswith('en') else level_plural} in {period}",
        columns=[
            Column("name", "Naam", decimals=None, link_key="url"),
            Column("code", "Code", decimals=None),
            Column("score", info.name_nl, decimals=0),
        ],
        rows=sorted(
            (
                {"name": a.name, "code": a.code, "url": a.url, "score": scores.get(a.code)}
                for a in areas
            ),
            key=lambda r: (r["score"] is None, -(r["score"] or 0)),
        ),
        header_key="name",
    )
    figure, notes = _map_or_sentence(
        areas,
        scores,
        level_plural,
        missing=(
            f"Geen kaart: geen van de {level_plural} heeft een score op "
            f"{info.name_nl.lower()} in {period}. Scores ontstaan zodra er cijfers voor de "
            f"indicatoren van deze conditie zijn ingelezen (Beheer → Importeren); kies anders "
            f"een andere periode of methode."
        ),
        title=title,
        value_label=info.short_nl,
    )
    return ChartBlock("kaart", title, summary, table, figure, 560, notes)


def indicator_map(
    *,
    areas: Sequence[Area],
    values: dict[str, float | None],
    name: str,
    unit: str,
    decimals: int,
    period: str,
    level_plural: str,
) -> ChartBlock:
    names = {a.code: a.name for a in areas}
    extremes = _extremes((names.get(code, code), v) for code, v in values.items())
    suffix = f" {unit}" if unit else ""
    if extremes:
        (top, top_v), (bottom, bottom_v) = extremes
        title = (
            f"{name} {period}: hoogst in {top} ({nl_number(top_v, decimals)}{suffix}), "
            f"laagst in {bottom} ({nl_number(bottom_v, decimals)}{suffix})"
        )
        summary = (
            f"{name} varieert in {period} van {nl_number(bottom_v, decimals)}{suffix} in {bottom} "
            f"tot {nl_number(top_v, decimals)}{suffix} in {top}."
        )
    else:
        title = f"{name} {period}: geen cijfers voor de {level_plural}"
        summary = f"Er zijn geen cijfers over {name.lower()} voor de {level_plural} in {period}."
    figure, notes = _map_or_sentence(
        areas,
        values,
        level_plural,
        missing=(
            f"Geen kaart: er zijn geen cijfers over {name.lower()} voor de {level_plural} in "
            f"{period}. Lees ze in via Beheer → Importeren, of kies een andere periode."
        ),
        title=title,
        value_label=name,
        unit=unit,
        decimals=decimals,
        missing_label="geen cijfer",
    )
    table = Table(
        caption=f"{name} per gebied in {period}",
        columns=[
            Column("name", "Naam", decimals=None, link_key="url"),
            Column("code", "Code", decimals=None),
            Column("value", name, unit=unit, decimals=decimals),
        ],
        rows=sorted(
            (
                {"name": a.name, "code": a.code, "url": a.url, "value": values.get(a.code)}
                for a in areas
            ),
            key=lambda r: (r["value"] is None, -(r["value"] or 0)),
        ),
        header_key="name",
    )
    return ChartBlock("kaart", title, summary, table, figure, 560, notes)


def change_map(
    *,
    areas: Sequence[Area],
    start: dict[str, float | None],
    end: dict[str, float | None],
    condition: str,
    start_period: str,
    end_period: str,
    level_plural: str,
    basis: dict[str, str] | None = None,
) -> ChartBlock:
    """The change of one condition between two periods, on a map and in a table.

    With ``basis`` (code → "op basis van 4 van 5 indicatoren"), ``start`` and ``end`` are the
    like-for-like scores on the indicators present in both periods, and the table says per area
    on how many indicators its change rests."""
    info = CONDITION_INFO[condition]
    change = {
        a.code: (end[a.code] - start[a.code])
        if start.get(a.code) is not None and end.get(a.code) is not None
        else None
        for a in areas
    }
    names = {a.code: a.name for a in areas}
    known = [(c, v) for c, v in change.items() if v is not None]
    up = sum(round(v) > 0 for _, v in known)
    down = sum(round(v) < 0 for _, v in known)
    if known:
        best = max(known, key=lambda p: p[1])
        worst = min(known, key=lambda p: p[1])
        title = (
            f"{info.name_nl} {start_period}–{end_period}: gestegen in {up}, gedaald in {down} van de "
            f"{len(known)} {level_plural}"
        )
        summary = (
            f"Tussen {start_period} en {end_period} steeg {info.name_nl.lower()} in {up} "
            f"{level_plural} en daalde in {down}; de grootste stijging had "
            f"{names[best[0]]} ({signed(best[1])}), de grootste daling {names[worst[0]]} "
            f"({signed(worst[1])})."
        )
        if basis is not None:
            summary += (
                " Alleen indicatoren met een waarde in beide perioden tellen mee; per "
                f"{level_plural[:-2] if level_plural.endswith('en') else 'gebied'} staat erbij "
                "op hoeveel indicatoren de verandering rust."
            )
    else:
        title = f"{info.name_nl} {start_period}–{end_period}: geen {level_plural} met scores in beide perioden"
        summary = (
            f"Geen van de {level_plural} heeft een score op {info.name_nl.lower()} in zowel "
            f"{start_period} als {end_period}."
        )
    figure, notes = _map_or_sentence(
        areas,
        change,
        level_plural,
        missing=(
            f"Geen kaart: een verandering vraagt een score in {start_period} én in "
            f"{end_period}, en die heeft geen van de {level_plural}. Kies twee perioden met "
            f"scores, of lees de cijfers van de ontbrekende periode in (Beheer → Importeren)."
        ),
        title=title,
        value_label=f"verandering {info.short_nl.lower()}",
        unit="punten",
        diverging=True,
        missing_label="geen score in beide perioden",
    )
    table = Table(
        caption=f"Verandering van {info.name_nl.lower()} tussen {start_period} en {end_period}",
        columns=[
            Column("name", "Naam", decimals=None, link_key="url"),
            Column("code", "Code", decimals=None),
            Column("start", start_period, decimals=0),
            Column("end", end_period, decimals=0),
            Column("change", "Verandering", unit="punten", decimals=0),
            *([Column("basis", "Vergelijking", decimals=None)] if basis is not None else []),
        ],
        rows=sorted(
            (
                {
                    "name": a.name,
                    "code": a.code,
                    "url": a.url,
                    "start": start.get(a.code),
                    "end": end.get(a.code),
                    "change": change[a.code],
                    **({"basis": basis.get(a.code, "")} if basis is not None else {}),
                }
                for a in areas
            ),
            key=lambda r: (r["change"] is None, -(r["change"] or 0)),
        ),
        header_key="name",
    )
    return ChartBlock("kaart", title, summary, table, figure, 560, notes)
