"""Charts for the dashboards: plain data in, plotly figures plus their words and tables out.

Pure: no ORM, no request. Every chart is a :class:`ChartBlock` with a title that states the
finding, a one-sentence summary, the table behind it (also served as CSV/JSON) and a figure with
Dutch number formatting, a colour-blind-safe palette and a second carrier besides colour.

Maps are drawn as filled polygons on plain axes from the regions' own GeoJSON: no tile server, no
map library fetching world outlines from a CDN, nothing leaves the browser.

Figures are built as plain plotly.js figure data (:class:`Figure`), not as ``plotly.graph_objects``:
a map with 100 wards builds and serialises in a few milliseconds instead of ~70 ms of validation.
``plotly.graph_objects.Figure(figure.to_dict())`` validates them, and tests/test_charts.py does that
for every chart.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import json
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from plotly.colors import diverging, sequential

from monitoring.conditions import CONDITION_INFO, CONDITIONS, ConditionInfo
from monitoring.formatting import nl_number

SEPARATORS = ",."  # decimal comma, dot between thousands
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13}
SEQUENTIAL = "Viridis"  # perceptually uniform, readable in greyscale and for colour blindness
DIVERGING = "PuOr"  # purple–orange: safe for red–green colour blindness


def _stops(colours: Sequence[str]) -> list[tuple[int, int, int]]:
    out = []
    for colour in colours:
        if colour.startswith("#"):
            out.append((int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)))
        else:  # "rgb(r, g, b)"
            r, g, b = (int(float(v)) for v in colour[colour.index("(") + 1 : -1].split(","))
            out.append((r, g, b))
    return out


_SCALES = {SEQUENTIAL: _stops(sequential.Viridis), DIVERGING: _stops(diverging.PuOr)}


def colorscale(scale: str) -> list[list[Any]]:
    stops = _SCALES[scale]
    last = len(stops) - 1
    return [[i / last, f"rgb({r},{g},{b})"] for i, (r, g, b) in enumerate(stops)]


def colour_at(scale: str, t: float) -> str:
    """The colour at ``t`` (0..1) of an evenly spaced plotly colour scale, as plotly draws it."""
    stops = _SCALES[scale]
    t = min(1.0, max(0.0, t)) * (len(stops) - 1)
    i = min(int(t), len(stops) - 2)
    f = t - i
    r, g, b = (round(a + (c - a) * f) for a, c in zip(stops[i], stops[i + 1], strict=True))
    return f"rgb({r},{g},{b})"


MISSING_FILL = "#e6e6e6"
# Okabe–Ito, for series that are not conditions (wards in a comparison).
SERIES_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
SERIES_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid")
SERIES_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross")


def trace(kind: str, /, **attributes: Any) -> dict[str, Any]:
    """A plotly.js trace as data; attributes that are None are left out."""
    return {"type": kind, **{k: v for k, v in attributes.items() if v is not None}}


def _merge(target: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value
    return target


class Figure:
    """A plotly figure as plain data: ``{"data": [...], "layout": {...}}``.

    ``cols`` > 1 lays out side-by-side panels sharing the y axis (like ``make_subplots`` with
    ``shared_yaxes``), each with its title above it.
    """

    def __init__(self, *, cols: int = 1, titles: Sequence[str] = (), spacing: float = 0.03):
        self.data: list[dict[str, Any]] = []
        self.layout: dict[str, Any] = {}
        if cols > 1:
            width = (1 - spacing * (cols - 1)) / cols
            annotations = []
            for i in range(cols):
                start = i * (width + spacing)
                self.axis("x", i + 1).update(
                    {"domain": [start, start + width], "anchor": "y" if i == 0 else f"y{i + 1}"}
                )
                self.axis("y", i + 1).update(
                    {"anchor": "x" if i == 0 else f"x{i + 1}"}
                    | ({} if i == 0 else {"matches": "y", "showticklabels": False})
                )
                if i < len(titles):
                    annotations.append(
                        {
                            "text": titles[i],
                            "x": start + width / 2,
                            "xref": "paper",
                            "xanchor": "center",
                            "y": 1.0,
                            "yref": "paper",
                            "yanchor": "bottom",
                            "showarrow": False,
                            "font": {"size": 14},
                        }
                    )
            self.layout["annotations"] = annotations

    def axis(self, letter: str, col: int = 1) -> dict[str, Any]:
        return self.layout.setdefault(f"{letter}axis{'' if col == 1 else col}", {})

    def add_trace(self, data: dict[str, Any], row: int | None = None, col: int | None = None):
        if col and col > 1:
            data = {**data, "xaxis": f"x{col}", "yaxis": f"y{col}"}
        self.data.append(data)

    def update_layout(self, **layout: Any) -> None:
        _merge(self.layout, layout)

    def add_vline(
        self, x: float, *, line: dict[str, Any], label: str = "", colour: str = ""
    ) -> None:
        self.layout.setdefault("shapes", []).append(
            {
                "type": "line",
                "x0": x,
                "x1": x,
                "xref": "x",
                "y0": 0,
                "y1": 1,
                "yref": "paper",
                "line": line,
            }
        )
        if label:
            self.layout.setdefault("annotations", []).append(
                {
                    "text": label,
                    "x": x,
                    "xref": "x",
                    "y": 1,
                    "yref": "paper",
                    "yanchor": "bottom",
                    "showarrow": False,
                    "font": {"color": colour} if colour else {},
                }
            )

    def to_dict(self) -> dict[str, Any]:
        return {"data": self.data, "layout": self.layout}


# --- Input ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    """A region on a map: code, name, the page it links to and its GeoJSON geometry (WGS84)."""

    code: str
    name: str
    url: str
    geometry: dict | None = None


@dataclass(frozen=True)
class ScorePoint:
    code: str
    period: str
    condition: str
    value: float | None
    status: str = "berekend"
    rank: int | None = None
    coverage: float | None = None


# --- Output -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    unit: str = ""
    decimals: int | None = 0  # None: text
    link_key: str | None = None  # row key holding a URL for this cell
    sort_key: str | None = None  # query-string value that sorts on this column
    change_key: str | None = None  # row key of a change shown beside the value (▲/▼)
    in_html: bool = True  # False: only in CSV/JSON (e.g. a change already shown beside a value)
    decimals_key: str | None = None  # row key overriding ``decimals`` per row (units differ)

    @property
    def is_number(self) -> bool:
        return self.decimals is not None


@dataclass(frozen=True)
class Cell:
    text: str
    url: str | None = None
    css: str = ""
    title: str = ""
    extra: str = ""
    extra_css: str = ""


@dataclass(frozen=True)
class Table:
    """A table behind a chart: raw rows for CSV/JSON and formatted cells for HTML."""

    caption: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    header_key: str | None = None  # the column that names the row (th scope=row)

    @property
    def html_columns(self) -> list[Column]:
        return [c for c in self.columns if c.in_html]

    def display_rows(self) -> list[list[tuple[Column, Cell]]]:
        columns = self.html_columns
        return [[(column, _cell(column, row)) for column in columns] for row in self.rows]

    def to_html(self, sort: dict[str, tuple[str, str | None]] | None = None) -> str:
        """The table as accessible HTML (caption, th scope). ``sort`` maps a column's sort key
        to (URL, aria-sort) for sortable headers. Built in Python: a 500-row table renders in a
        few milliseconds, where template includes take tens."""
        e = html.escape
        head = []
        for column in self.html_columns:
            classes = ' class="num"' if column.is_number else ""
            label = e(column.label)
            aria = ""
            if sort and column.sort_key in sort:
                url, aria_sort = sort[column.sort_key]
                aria = f' aria-sort="{aria_sort}"' if aria_sort else ""
                label = (
                    f'<a class="sort" href="{e(url)}" hx-get="{e(url)}" hx-target="#dashboard"'
                    f' hx-push-url="true">{label}</a>'
                )
            unit = f' <span class="unit">({e(column.unit)})</span>' if column.unit else ""
            head.append(f'<th scope="col"{classes}{aria}>{label}{unit}</th>')
        body = []
        for row in self.display_rows():
            cells = []
            for column, cell in row:
                text = e(cell.text)
                if cell.url:
                    text = f'<a href="{e(cell.url)}">{text}</a>'
                if cell.extra:
                    text += f' <span class="chg {e(cell.extra_css)}">{e(cell.extra)}</span>'
                if column.key == self.header_key:
                    cells.append(f'<th scope="row">{text}</th>')
                    continue
                classes = [
                    "num" if column.is_number else "",
                    cell.css,
                    "def" if column.key == "definition" else "",
                    "nowrap" if column.key == "trend" else "",
                ]
                css = " ".join(c for c in classes if c)
                title = f' title="{e(cell.title)}"' if cell.title else ""
                cells.append(
                    f'<td class="{css}"{title}>{text}</td>' if css else f"<td{title}>{text}</td>"
                )
            body.append(f"<tr>{''.join(cells)}</tr>")
        if not body:
            body.append(
                f'<tr><td colspan="{len(self.html_columns)}" class="muted">Geen rijen.</td></tr>'
            )
        return (
            f'<div class="table-wrap"><table class="data"><caption>{e(self.caption)}</caption>'
            f"<thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        )

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([_label_with_unit(c) for c in self.columns])
        for row in self.rows:
            writer.writerow([_csv_value(row.get(c.key)) for c in self.columns])
        return out.getvalue()

    def to_xlsx(self, *, source: str = "") -> bytes:
        """The table as an Excel workbook: numbers stay numbers (Dutch Excel shows them with a
        decimal comma), the caption is the title and the source is named below the rows."""
        import openpyxl  # only exports need it
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "Tabel"
        sheet.append([self.caption])
        sheet["A1"].font = Font(bold=True)
        sheet.append([_label_with_unit(c) for c in self.columns])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in self.rows:
            sheet.append([_json_value(row.get(c.key)) for c in self.columns])
        for position, column in enumerate(self.columns, start=1):
            letter = get_column_letter(position)
            if column.is_number:
                pattern = "0" if not column.decimals else "0." + "0" * column.decimals
                for (cell,) in sheet.iter_rows(min_row=3, min_col=position, max_col=position):
                    cell.number_format = pattern
            sheet.column_dimensions[letter].width = max(10, min(60, len(column.label) + 4))
        sheet.freeze_panes = "A3"
        if source:
            sheet.append([])
            sheet.append([source])
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()

    def to_json(self) -> dict[str, Any]:
        return {
            "caption": self.caption,
            "columns": [c.key for c in self.columns],
            "labels": [_label_with_unit(c) for c in self.columns],
            "rows": [[_json_value(row.get(c.key)) for c in self.columns] for row in self.rows],
        }


@dataclass
class ChartBlock:
    """One chart on a page: figure, the finding as title, a one-sentence summary, its table."""

    id: str
    title: str
    summary: str
    table: Table
    figure: Figure | None = None
    height: int = 420
    notes: list[str] = field(default_factory=list)

    @property
    def figure_json(self) -> str:
        """The figure as JSON that is safe inside ``<script type="application/json">``."""
        if self.figure is None:
            return "null"
        text = json.dumps(
            self.figure.to_dict(), allow_nan=False, ensure_ascii=False, separators=(",", ":")
        )
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _label_with_unit(column: Column) -> str:
    return f"{column.label} ({column.unit})" if column.unit else column.label


def _csv_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return repr(round(value, 6))
    return value


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _cell(column: Column, row: dict[str, Any]) -> Cell:
    value = row.get(column.key)
    url = row.get(column.link_key) if column.link_key else None
    if column.decimals_key and row.get(column.decimals_key) is not None:
        column = replace(column, decimals=row[column.decimals_key])
    if column.is_number:
        if isinstance(value, str):
            return Cell(value, url, "muted")
        if column.key.startswith("change") or column.key.startswith("diff"):
            return change_cell(value, column.decimals or 0)
        if column.change_key:
            change = change_cell(row.get(column.change_key), column.decimals or 0)
            shown = "" if change.text == "–" else change.text
            return Cell(
                nl_number(value, column.decimals or 0),
                url,
                extra=shown,
                extra_css=change.css,
                title=change.title,
            )
        return Cell(nl_number(value, column.decimals or 0), url)
    return Cell("–" if value in (None, "") else str(value), url)


def change_cell(value: float | None, decimals: int = 0) -> Cell:
    """A change with an arrow as second carrier besides colour."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Cell("–", css="muted")
    rounded = round(value, decimals)
    if rounded > 0:
        return Cell(f"▲ +{nl_number(value, decimals)}", css="up", title="gestegen")
    if rounded < 0:
        return Cell(f"▼ −{nl_number(abs(value), decimals)}", css="down", title="gedaald")
    return Cell("= 0", css="same", title="gelijk gebleven")


# --- Words ------------------------------------------------------------------------------------


def points(value: float, decimals: int = 0) -> str:
    text = nl_number(abs(value), decimals)
    return f"{text} punt" if text == "1" else f"{text} punten"


def signed(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return "–"
    rounded = round(value, decimals)
    sign = "+" if rounded > 0 else "−" if rounded < 0 else "±"
    return f"{sign}{nl_number(abs(value), decimals)}"


def score_sentence(
    *,
    condition_name: str,
    value: float | None,
    status: str,
    municipal: float | None,
    previous: float | None,
    previous_period: str | None,
    area_word: str = "gemeentelijk gemiddelde",
) -> str:
    """E.g. "Sociale cohesie: 94, 6 punten onder het gemeentelijk gemiddelde, gedaald sinds 2019"."""
    if value is None:
        return f"{condition_name}: {status or 'onvoldoende gegevens'}."
    parts = [f"{condition_name}: {nl_number(value)}"]
    if municipal is not None:
        diff = round(value) - round(municipal)
        if diff == 0:
            parts.append(f"gelijk aan het {area_word}")
        else:
            parts.append(f"{points(diff)} {'boven' if diff > 0 else 'onder'} het {area_word}")
    if previous is not None and previous_period:
        change = round(value) - round(previous)
        if change > 0:
            parts.append(f"gestegen sinds {previous_period} ({signed(change)})")
        elif change < 0:
            parts.append(f"gedaald sinds {previous_period} ({signed(change)})")
        else:
            parts.append(f"gelijk gebleven sinds {previous_period}")
    return ", ".join(parts) + "."


# --- Layout helpers ---------------------------------------------------------------------------


def _layout(fig: Figure, *, title: str, height: int, wrap: int = 62, **kwargs: Any) -> Figure:
    fig.update_layout(
        title={"text": _wrap_title(title, wrap), "x": 0, "xanchor": "left", "font": {"size": 15}},
        separators=SEPARATORS,
        font=FONT,
        height=height,
        margin={"l": 60, "r": 20, "t": 70, "b": 50},
        paper_bgcolor="white",
        plot_bgcolor="white",
        hoverlabel={"font": FONT},
        **kwargs,
    )
    return fig


def _wrap_title(title: str, width: int = 90) -> str:
    words, lines, line = title.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)


def _score_axis(title: str = "score") -> dict[str, Any]:
    return {"title": {"text": title}, "gridcolor": "#e5e5e5", "zeroline": False}


def _period_axis(periods: Sequence[str]) -> dict[str, Any]:
    return {
        "title": {"text": "periode"},
        "type": "category",
        "categoryorder": "array",
        "categoryarray": list(periods),
        "gridcolor": "#f0f0f0",
    }


def condition_style(info: ConditionInfo) -> dict[str, Any]:
    return {
        "line": {"color": info.colour, "dash": info.dash, "width": 2.5},
        "marker": {"color": info.colour, "symbol": info.symbol, "size": 9},
    }


def series_style(i: int) -> dict[str, Any]:
    n = i % len(SERIES_COLOURS)
    return {
        "line": {"color": SERIES_COLOURS[n], "dash": SERIES_DASHES[n], "width": 2.5},
        "marker": {"color": SERIES_COLOURS[n], "symbol": SERIES_SYMBOLS[n], "size": 9},
    }


# --- Maps -------------------------------------------------------------------------------------


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
                customdata=[area.url] * len(xs),
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
                    "tickformat": f",.{decimals}f",
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
    fig.update_layout(margin={"l": 10, "r": 10, "t": 70, "b": 10})
    return fig


# --- Municipality -----------------------------------------------------------------------------


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
    figure = region_map(
        areas=areas,
        values=scores,
        title=title,
        value_label=info.short_nl,
    )
    notes = [] if figure else [f"Er zijn geen grenzen bekend voor deze {level_plural}."]
    return ChartBlock("kaart", title, summary, table, figure, 560, notes)


def trend_small_multiples(
    *,
    points_: Sequence[ScorePoint],
    areas: Sequence[Area],
    periods: Sequence[str],
    averages: dict[tuple[str, str], float | None],
    municipality_name: str,
) -> ChartBlock:
    """Per condition a panel: every ward as a thin line, the average of the wards bold."""
    by_key = {(p.code, p.period, p.condition): p.value for p in points_}
    fig = Figure(cols=4, titles=[info.short_nl for info in CONDITIONS])
    changes: list[tuple[ConditionInfo, float]] = []
    rows: list[dict[str, Any]] = []
    for col, info in enumerate(CONDITIONS, start=1):
        xs: list[str | None] = []
        ys: list[float | None] = []
        texts: list[str | None] = []
        custom: list[str | None] = []
        for area in areas:
            for period in periods:
                xs.append(period)
                ys.append(by_key.get((area.code, period, info.condition.value)))
                texts.append(area.name)
                custom.append(area.url)
            xs.append(None)
            ys.append(None)
            texts.append(None)
            custom.append(None)
        fig.add_trace(
            trace(
                "scatter",
                x=xs,
                y=ys,
                mode="lines+markers",
                line={"color": "rgba(90,90,90,0.25)", "width": 1},
                marker={"color": "rgba(90,90,90,0.35)", "size": 4},
                connectgaps=False,
                text=texts,
                customdata=custom,
                hovertemplate="%{text}<br>%{x}: %{y:,.0f}<extra></extra>",
                name="wijken",
                showlegend=col == 1,
                legendgroup="wijken",
            ),
            row=1,
            col=col,
        )
        mean = [averages.get((period, info.condition.value)) for period in periods]
        fig.add_trace(
            trace(
                "scatter",
                x=list(periods),
                y=mean,
                mode="lines+markers",
                connectgaps=False,
                name=f"gemiddelde {info.short_nl.lower()}",
                hovertemplate="gemiddelde %{x}: %{y:,.1f}<extra></extra>",
                **condition_style(info),
            ),
            row=1,
            col=col,
        )
        known = [(p, v) for p, v in zip(periods, mean, strict=True) if v is not None]
        if len(known) >= 2:
            changes.append((info, known[-1][1] - known[0][1]))
        for period, value in zip(periods, mean, strict=True):
            rows.append({"condition": info.name_nl, "period": period, "average": value})
    if changes:
        info, change = max(changes, key=lambda c: abs(c[1]))
        first = periods[0]
        title = (
            f"Het gemiddelde van de wijken veranderde het meest op {info.name_nl.lower()}: "
            f"{signed(change)} punten sinds {first}"
        )
        summary = (
            f"Per conditie de score van elke wijk door de tijd (grijs) en het gemiddelde van de "
            f"wijken in {municipality_name} (gekleurd); {info.name_nl.lower()} veranderde het "
            f"meest ({signed(change, 1)} punten)."
        )
    else:
        title = "Nog te weinig perioden voor een trend"
        summary = "Er zijn nog geen scores over meer dan één periode."
    table = Table(
        caption=f"Gemiddelde score van de wijken in {municipality_name} per conditie en periode",
        columns=[
            Column("condition", "Conditie", decimals=None),
            Column("period", "Periode", decimals=None),
            Column("average", "Gemiddelde score", decimals=1),
        ],
        rows=rows,
        header_key="condition",
    )
    for col in range(1, 5):
        fig.axis("x", col).update(_period_axis(periods))
        if col > 1:
            fig.axis("x", col)["title"] = {"text": ""}
    fig.axis("y", 1).update(_score_axis("score"))
    _layout(fig, title=title, height=380, wrap=120, hovermode="closest")
    fig.update_layout(legend={"orientation": "h", "y": -0.25})
    return ChartBlock("trends", title, summary, table, fig, 380)


# --- Ward -------------------------------------------------------------------------------------


def _radial_axis(low: float, high: float) -> dict[str, Any]:
    """Scores sit around 100: start the radius near the lowest score, not at 0."""
    return {
        "range": [math.floor(min(low, 100) / 10) * 10 - 10, math.ceil(max(high, 100) / 10) * 10],
        "tickformat": ",.0f",
        "angle": 45,
        "tickangle": 45,
    }


def _radar_closed(values: list[float | None]) -> list[float | None]:
    return [*values, values[0]]


def ward_radar(
    *,
    ward_name: str,
    period: str,
    scores: dict[str, float | None],
    averages: dict[str, float | None],
    average_label: str = "gemeentelijk gemiddelde",
) -> ChartBlock:
    labels = [info.short_nl for info in CONDITIONS]
    ward_values = [scores.get(info.condition.value) for info in CONDITIONS]
    mean_values = [averages.get(info.condition.value) for info in CONDITIONS]
    above = [
        info.short_nl.lower()
        for info, w, m in zip(CONDITIONS, ward_values, mean_values, strict=True)
        if w is not None and m is not None and round(w) > round(m)
    ]
    compared = sum(
        w is not None and m is not None for w, m in zip(ward_values, mean_values, strict=True)
    )
    title = f"{ward_name} scoort in {period} op {len(above)} van de {compared} condities boven het {average_label}"
    summary = (
        f"{ward_name} ligt in {period} boven het {average_label} op "
        + (", ".join(above) if above else "geen enkele conditie")
        + "."
    )
    fig = Figure()
    fig.add_trace(
        trace(
            "scatterpolar",
            r=_radar_closed(mean_values),
            theta=_radar_closed(labels),
            name=average_label,
            mode="lines+markers",
            line={"color": "#5a5a5a", "dash": "dash", "width": 2},
            marker={"symbol": "square", "size": 7, "color": "#5a5a5a"},
            hovertemplate="%{theta}: %{r:,.1f}<extra>" + average_label + "</extra>",
        )
    )
    fig.add_trace(
        trace(
            "scatterpolar",
            r=_radar_closed(ward_values),
            theta=_radar_closed(labels),
            name=ward_name,
            mode="lines+markers+text",
            text=[nl_number(v) if v is not None else "" for v in _radar_closed(ward_values)],
            textposition="top center",
            fill="toself",
            fillcolor="rgba(0,114,178,0.15)",
            line={"color": "#0072B2", "width": 2.5},
            marker={"symbol": "circle", "size": 9, "color": "#0072B2"},
            hovertemplate="%{theta}: %{r:,.0f}<extra>" + ward_name + "</extra>",
        )
    )
    known = [v for v in ward_values + mean_values if v is not None]
    low = min(known, default=80)
    high = max(known, default=120)
    _layout(
        fig,
        title=title,
        height=420,
        polar={
            "radialaxis": _radial_axis(low, high),
            "angularaxis": {"direction": "clockwise"},
        },
        legend={"orientation": "h", "y": -0.1},
    )
    table = Table(
        caption=f"Scores van {ward_name} en het {average_label} in {period}",
        columns=[
            Column("condition", "Conditie", decimals=None),
            Column("ward", ward_name, decimals=0),
            Column("average", average_label.capitalize(), decimals=1),
            Column("diff", "Verschil", decimals=0),
        ],
        rows=[
            {
                "condition": info.name_nl,
                "ward": w,
                "average": m,
                "diff": (w - m) if w is not None and m is not None else None,
            }
            for info, w, m in zip(CONDITIONS, ward_values, mean_values, strict=True)
        ],
        header_key="condition",
    )
    return ChartBlock("radar", title, summary, table, fig, 420)


def ward_trend(
    *,
    ward_name: str,
    periods: Sequence[str],
    scores: dict[tuple[str, str], float | None],
) -> ChartBlock:
    """One line per condition; a period without a score is a visible break (no connecting)."""
    fig = Figure()
    rows = []
    moves: list[tuple[ConditionInfo, float, str, str]] = []
    gaps = 0
    for info in CONDITIONS:
        ys = [scores.get((period, info.condition.value)) for period in periods]
        gaps += sum(v is None for v in ys)
        fig.add_trace(
            trace(
                "scatter",
                x=list(periods),
                y=ys,
                name=info.name_nl,
                mode="lines+markers",
                connectgaps=False,
                hovertemplate="%{x}: %{y:,.0f}<extra>" + info.short_nl + "</extra>",
                **condition_style(info),
            )
        )
        known = [(p, v) for p, v in zip(periods, ys, strict=True) if v is not None]
        if len(known) >= 2:
            moves.append((info, known[-1][1] - known[0][1], known[0][0], known[-1][0]))
        rows.append({"condition": info.name_nl, **{p: v for p, v in zip(periods, ys, strict=True)}})
    if moves:
        info, change, first, last = max(moves, key=lambda m: abs(m[1]))
        verb = "steeg" if change > 0 else "daalde" if change < 0 else "bleef gelijk"
        title = f"In {ward_name} {verb} {info.name_nl.lower()} het meest: {signed(change)} punten van {first} tot {last}"
    else:
        title = f"{ward_name}: nog te weinig perioden voor een trend"
    summary = title + (
        "; een onderbroken lijn betekent dat er in die periode onvoldoende gegevens waren."
        if gaps
        else "."
    )
    _layout(
        fig,
        title=title,
        height=400,
        xaxis=_period_axis(periods),
        yaxis=_score_axis(),
        legend={"orientation": "h", "y": -0.2},
        hovermode="x unified",
    )
    table = Table(
        caption=f"Scores van {ward_name} per conditie en periode",
        columns=[
            Column("condition", "Conditie", decimals=None),
            *(Column(p, p, decimals=0) for p in periods),
        ],
        rows=rows,
        header_key="condition",
    )
    return ChartBlock("trend", title, summary, table, fig, 400)


@dataclass(frozen=True)
class BreakdownRow:
    indicator: str
    name: str
    unit: str
    raw: float | None
    index: float | None
    weight: float
    share: float | None
    contribution: float | None


def breakdown_rows(
    breakdown: Sequence[dict[str, Any]], names: dict[str, tuple[str, str]]
) -> list[BreakdownRow]:
    """The stored breakdown with the share of each weight among the indicators that have an index."""
    present = sum(float(b.get("weight") or 0) for b in breakdown if b.get("index") is not None)
    rows = []
    for b in breakdown:
        code = b.get("indicator", "")
        name, unit = names.get(code, (code, ""))
        weight = float(b.get("weight") or 0)
        has_index = b.get("index") is not None
        rows.append(
            BreakdownRow(
                indicator=code,
                name=name,
                unit=unit,
                raw=b.get("raw"),
                index=b.get("index"),
                weight=weight,
                share=(weight / present) if has_index and present else None,
                contribution=b.get("contribution"),
            )
        )
    return rows


def breakdown_chart(
    *,
    ward_name: str,
    condition: str,
    period: str,
    score: float | None,
    rows: Sequence[BreakdownRow],
    with_figure: bool = True,
    index_label: str = "index (100 = gemiddelde in basisjaar, 10 = één standaardafwijking)",
    index_reference: float = 100.0,
) -> ChartBlock:
    info = CONDITION_INFO[condition]
    with_index = [r for r in rows if r.index is not None]
    if with_index and score is not None:
        best = max(with_index, key=lambda r: r.index or 0)
        worst = min(with_index, key=lambda r: r.index or 0)
        title = (
            f"{info.name_nl} in {ward_name} ({period}): {nl_number(score, 1)}; hoogste index "
            f"{best.name.lower()} ({nl_number(best.index)}), laagste {worst.name.lower()} "
            f"({nl_number(worst.index)})"
        )
        summary = (
            f"De score {nl_number(score, 2)} is het gewogen gemiddelde van {len(with_index)} "
            f"indexcijfers: elke bijdrage is index × aandeel in het gewicht, en de bijdragen "
            f"tellen op tot de score."
        )
    else:
        title = f"{info.name_nl} in {ward_name} ({period}): onvoldoende gegevens"
        summary = (
            "Er hebben te weinig indicatoren een waarde om een score te berekenen; er wordt niets "
            "bijgeschat."
        )
    fig = Figure()
    if with_index and with_figure:
        ordered = sorted(with_index, key=lambda r: r.index or 0)
        fig.add_trace(
            trace(
                "bar",
                y=[r.name for r in ordered],
                x=[(r.index or 0) - index_reference for r in ordered],
                base=index_reference,
                orientation="h",
                marker={
                    "color": [
                        info.colour if (r.index or 0) >= index_reference else "#999999"
                        for r in ordered
                    ],
                    "pattern": {
                        "shape": [
                            "" if (r.index or 0) >= index_reference else "/" for r in ordered
                        ],
                    },
                },
                text=[nl_number(r.index) for r in ordered],
                textposition="outside",
                customdata=[nl_number(r.contribution, 2) for r in ordered],
                hovertemplate="%{y}<br>index %{text}<br>bijdrage %{customdata}<extra></extra>",
                name="index",
                showlegend=False,
            )
        )
        fig.add_vline(index_reference, line={"color": "#333", "dash": "dot"})
    _layout(
        fig,
        title=title,
        height=max(260, 90 + 45 * len(with_index)),
        xaxis={
            "title": {"text": index_label},
            "gridcolor": "#e5e5e5",
        },
        yaxis={"automargin": True},
    )
    table = Table(
        caption=f"Opbouw van de score {info.name_nl.lower()} van {ward_name} in {period}",
        columns=[
            Column("name", "Indicator", decimals=None),
            Column("raw", "Ruwe waarde", decimals=1),
            Column("unit", "Eenheid", decimals=None),
            Column("index", "Index", decimals=2),
            Column("weight", "Gewicht", decimals=2),
            Column("share", "Aandeel gewicht", unit="%", decimals=1),
            Column("contribution", "Bijdrage", decimals=2),
        ],
        rows=[
            {
                "name": r.name,
                "raw": r.raw,
                "unit": r.unit,
                "index": r.index,
                "weight": r.weight,
                "share": r.share * 100 if r.share is not None else None,
                "contribution": r.contribution,
            }
            for r in rows
        ],
        header_key="name",
    )
    return ChartBlock(
        "opbouw", title, summary, table, fig if with_index and with_figure else None, 300
    )


# --- Compare ----------------------------------------------------------------------------------


def compare_radar(
    *, wards: Sequence[Area], period: str, scores: dict[tuple[str, str], float | None]
) -> ChartBlock:
    labels = [info.short_nl for info in CONDITIONS]
    fig = Figure()
    rows = []
    means: list[tuple[str, float]] = []
    for i, ward in enumerate(wards):
        values = [scores.get((ward.code, info.condition.value)) for info in CONDITIONS]
        style = series_style(i)
        fig.add_trace(
            trace(
                "scatterpolar",
                r=_radar_closed(values),
                theta=_radar_closed(labels),
                name=ward.name,
                mode="lines+markers",
                line=style["line"],
                marker=style["marker"],
                hovertemplate="%{theta}: %{r:,.0f}<extra>" + ward.name + "</extra>",
            )
        )
        known = [v for v in values if v is not None]
        if known:
            means.append((ward.name, sum(known) / len(known)))
        rows.append(
            {
                "name": ward.name,
                **{info.condition.value: v for info, v in zip(CONDITIONS, values, strict=True)},
            }
        )
    if len(means) >= 2:
        means.sort(key=lambda m: m[1])
        title = (
            f"Van de gekozen wijken scoort {means[-1][0]} in {period} gemiddeld het hoogst, "
            f"{means[0][0]} het laagst"
        )
        summary = (
            f"{means[-1][0]} heeft in {period} het hoogste ongewogen gemiddelde van de condities "
            f"({nl_number(means[-1][1])}), {means[0][0]} het laagste ({nl_number(means[0][1])})."
        )
    else:
        title = f"Scores van de gekozen wijken in {period}"
        summary = "Te weinig scores om de wijken te vergelijken."
    _layout(
        fig,
        title=title,
        height=460,
        polar={
            "radialaxis": _radial_axis(
                min((v for v in scores.values() if v is not None), default=80),
                max((v for v in scores.values() if v is not None), default=120),
            ),
            "angularaxis": {"direction": "clockwise"},
        },
        legend={"orientation": "h", "y": -0.12},
    )
    table = Table(
        caption=f"Scores van de gekozen wijken in {period}",
        columns=[
            Column("name", "Wijk", decimals=None),
            *(Column(info.condition.value, info.name_nl, decimals=0) for info in CONDITIONS),
        ],
        rows=rows,
        header_key="name",
    )
    return ChartBlock("radar", title, summary, table, fig, 460)


def compare_trends(
    *,
    wards: Sequence[Area],
    periods: Sequence[str],
    scores: dict[tuple[str, str, str], float | None],
) -> ChartBlock:
    fig = Figure(cols=4, titles=[info.short_nl for info in CONDITIONS])
    rows = []
    for i, ward in enumerate(wards):
        style = series_style(i)
        for col, info in enumerate(CONDITIONS, start=1):
            ys = [scores.get((ward.code, period, info.condition.value)) for period in periods]
            fig.add_trace(
                trace(
                    "scatter",
                    x=list(periods),
                    y=ys,
                    name=ward.name,
                    legendgroup=ward.code,
                    showlegend=col == 1,
                    mode="lines+markers",
                    connectgaps=False,
                    customdata=[ward.url] * len(periods),
                    hovertemplate="%{x}: %{y:,.0f}<extra>" + ward.name + "</extra>",
                    line=style["line"],
                    marker={**style["marker"], "size": 7},
                ),
                row=1,
                col=col,
            )
            rows.append(
                {
                    "name": ward.name,
                    "condition": info.name_nl,
                    **dict(zip(periods, ys, strict=True)),
                }
            )
    title = "Scores van de gekozen wijken door de tijd, per conditie"
    summary = (
        f"Per conditie een lijn per wijk over {len(periods)} perioden; een onderbroken lijn "
        f"betekent onvoldoende gegevens in die periode."
    )
    for col in range(1, 5):
        fig.axis("x", col).update(_period_axis(periods))
        if col > 1:
            fig.axis("x", col)["title"] = {"text": ""}
    fig.axis("y", 1).update(_score_axis("score"))
    _layout(fig, title=title, height=380, wrap=120, legend={"orientation": "h", "y": -0.25})
    table = Table(
        caption="Scores van de gekozen wijken per conditie en periode",
        columns=[
            Column("name", "Wijk", decimals=None),
            Column("condition", "Conditie", decimals=None),
            *(Column(p, p, decimals=0) for p in periods),
        ],
        rows=rows,
        header_key="name",
    )
    return ChartBlock("trends", title, summary, table, fig, 380)


def similarity_ranking(
    *,
    target: dict[str, float],
    candidates: dict[str, dict[str, float]],
    spread: dict[str, float],
    limit: int = 5,
) -> list[tuple[str, float]]:
    """Candidates nearest to ``target`` by Euclidean distance on standardised indicators.

    Each indicator counts in standard deviations (``spread``); indicators missing on either side
    are left out and the distance is scaled to the number used, so gaps do not make wards alike.
    """
    ranked = []
    for code, profile in candidates.items():
        shared = [k for k in target if k in profile and spread.get(k)]
        if len(shared) < max(2, len(target) // 2):
            continue
        total = sum(((target[k] - profile[k]) / spread[k]) ** 2 for k in shared)
        ranked.append((code, math.sqrt(total / len(shared))))
    ranked.sort(key=lambda r: (r[1], r[0]))
    return ranked[:limit]


def spreads(candidates: dict[str, dict[str, float]]) -> dict[str, float]:
    columns: dict[str, list[float]] = {}
    for profile in candidates.values():
        for key, value in profile.items():
            columns.setdefault(key, []).append(value)
    return {k: statistics.pstdev(v) for k, v in columns.items() if len(v) >= 2}


# --- Indicator --------------------------------------------------------------------------------


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
    figure = region_map(
        areas=areas,
        values=values,
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
    notes = [] if figure else [f"Er zijn geen grenzen bekend voor deze {level_plural}."]
    return ChartBlock("kaart", title, summary, table, figure, 560, notes)


def indicator_distribution(
    *,
    values: dict[str, float | None],
    names: dict[str, str],
    name: str,
    unit: str,
    decimals: int,
    period: str,
    municipal: float | None,
    municipality_name: str,
    national: float | None,
) -> ChartBlock:
    known = sorted(
        ((names.get(c, c), v) for c, v in values.items() if v is not None), key=lambda p: p[1]
    )
    suffix = f" {unit}" if unit else ""
    fig = Figure()
    if known:
        fig.add_trace(
            trace(
                "histogram",
                x=[v for _, v in known],
                nbinsx=min(20, max(5, len(known) // 3)),
                marker={"color": "#56B4E9", "line": {"color": "white", "width": 1}},
                name="gebieden",
                hovertemplate=f"%{{x}}{suffix}: %{{y}} gebieden<extra></extra>",
            )
        )
    for value, label, dash, colour in (
        (municipal, municipality_name, "dash", "#D55E00"),
        (national, "Nederland", "dot", "#000000"),
    ):
        if value is not None:
            fig.add_vline(
                value,
                line={"color": colour, "dash": dash, "width": 2},
                label=f"{label}: {nl_number(value, decimals)}{suffix}",
                colour=colour,
            )
    if len(known) >= 4:
        q = statistics.quantiles([v for _, v in known], n=4)
        title = (
            f"{name} {period}: de middelste helft van de gebieden ligt tussen "
            f"{nl_number(q[0], decimals)} en {nl_number(q[2], decimals)}{suffix}"
        )
    else:
        title = f"{name} {period}: verdeling over de gebieden"
    parts = [title]
    if municipal is not None:
        above = sum(v > municipal for _, v in known)
        parts.append(
            f"{above} van de {len(known)} gebieden liggen boven {municipality_name} "
            f"({nl_number(municipal, decimals)}{suffix})"
        )
    if national is not None:
        parts.append(f"Nederland: {nl_number(national, decimals)}{suffix}")
    summary = "; ".join(parts) + "."
    _layout(
        fig,
        title=title,
        height=380,
        xaxis={
            "title": {"text": f"waarde ({unit})" if unit else "waarde"},
            "tickformat": f",.{decimals}f",
            "gridcolor": "#f0f0f0",
        },
        yaxis={"title": {"text": "aantal gebieden"}, "gridcolor": "#e5e5e5"},
        bargap=0.05,
    )
    fig.update_layout(margin={"t": 100})
    table = Table(
        caption=f"{name} in {period}, van laag naar hoog, met de referentiewaarden",
        columns=[
            Column("name", "Gebied", decimals=None),
            Column("value", name, unit=unit, decimals=decimals),
        ],
        rows=[
            *({"name": n, "value": v} for n, v in known),
            *(
                [{"name": f"{municipality_name} (gemeente)", "value": municipal}]
                if municipal is not None
                else []
            ),
            *([{"name": "Nederland", "value": national}] if national is not None else []),
        ],
        header_key="name",
    )
    return ChartBlock("verdeling", title, summary, table, fig if known else None, 380)


def indicator_trend(
    *,
    periods: Sequence[str],
    municipal: dict[str, float | None],
    national: dict[str, float | None],
    ward_median: dict[str, float | None],
    name: str,
    unit: str,
    decimals: int,
    municipality_name: str,
) -> ChartBlock:
    fig = Figure()
    series = [
        (municipality_name, municipal, 0),
        ("mediaan van de gebieden", ward_median, 2),
        ("Nederland", national, 6),
    ]
    rows = []
    for label, data, style_index in series:
        ys = [data.get(p) for p in periods]
        if all(v is None for v in ys):
            continue
        style = series_style(style_index)
        fig.add_trace(
            trace(
                "scatter",
                x=list(periods),
                y=ys,
                name=label,
                mode="lines+markers",
                connectgaps=False,
                hovertemplate=f"%{{x}}: %{{y:,.{decimals}f}}<extra>{label}</extra>",
                **style,
            )
        )
    for p in periods:
        rows.append(
            {
                "period": p,
                "municipal": municipal.get(p),
                "median": ward_median.get(p),
                "national": national.get(p),
            }
        )
    known = [(p, municipal[p]) for p in periods if municipal.get(p) is not None]
    suffix = f" {unit}" if unit else ""
    if len(known) >= 2:
        (p0, v0), (p1, v1) = known[0], known[-1]
        verb = "steeg" if v1 > v0 else "daalde" if v1 < v0 else "bleef gelijk"
        title = (
            f"{name} in {municipality_name} {verb} van {nl_number(v0, decimals)}{suffix} ({p0}) "
            f"naar {nl_number(v1, decimals)}{suffix} ({p1})"
        )
    else:
        title = f"{name} in {municipality_name}: te weinig perioden voor een trend"
    summary = title + "."
    _layout(
        fig,
        title=title,
        height=380,
        xaxis=_period_axis(periods),
        yaxis={
            "title": {"text": f"waarde ({unit})" if unit else "waarde"},
            "tickformat": f",.{decimals}f",
            "gridcolor": "#e5e5e5",
        },
        legend={"orientation": "h", "y": -0.2},
        hovermode="x unified",
    )
    fig.update_layout(margin={"t": 90})
    table = Table(
        caption=f"{name} door de tijd",
        columns=[
            Column("period", "Periode", decimals=None),
            Column("municipal", municipality_name, unit=unit, decimals=decimals),
            Column("median", "Mediaan van de gebieden", unit=unit, decimals=decimals),
            Column("national", "Nederland", unit=unit, decimals=decimals),
        ],
        rows=rows,
        header_key="period",
    )
    return ChartBlock("trend", title, summary, table, fig, 380)


# --- Change -----------------------------------------------------------------------------------


def change_map(
    *,
    areas: Sequence[Area],
    start: dict[str, float | None],
    end: dict[str, float | None],
    condition: str,
    start_period: str,
    end_period: str,
    level_plural: str,
) -> ChartBlock:
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
    else:
        title = f"{info.name_nl} {start_period}–{end_period}: geen {level_plural} met scores in beide perioden"
        summary = (
            f"Geen van de {level_plural} heeft een score op {info.name_nl.lower()} in zowel "
            f"{start_period} als {end_period}."
        )
    figure = region_map(
        areas=areas,
        values=change,
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
                }
                for a in areas
            ),
            key=lambda r: (r["change"] is None, -(r["change"] or 0)),
        ),
        header_key="name",
    )
    notes = [] if figure else [f"Er zijn geen grenzen bekend voor deze {level_plural}."]
    return ChartBlock("kaart", title, summary, table, figure, 560, notes)


__all__ = [
    "Area",
    "BreakdownRow",
    "Cell",
    "ChartBlock",
    "Column",
    "Figure",
    "ScorePoint",
    "Table",
    "breakdown_chart",
    "breakdown_rows",
    "change_cell",
    "change_map",
    "compare_radar",
    "compare_trends",
    "indicator_distribution",
    "indicator_map",
    "indicator_trend",
    "municipality_map",
    "region_map",
    "score_sentence",
    "similarity_ranking",
    "spreads",
    "trace",
    "trend_small_multiples",
    "ward_radar",
    "ward_trend",
]
