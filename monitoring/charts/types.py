"""The plain data every chart returns: a plotly figure as data, its table, the block that holds both.

:class:`Figure` is plotly.js figure data, not ``plotly.graph_objects``: a map with 100 wards builds
and serialises in a few milliseconds instead of ~70 ms of validation. :class:`Table` is the table
behind a chart, written as accessible HTML, CSV, Excel and JSON. :class:`Area` and
:class:`ScorePoint` are what the chart builders take in.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import orjson

from monitoring.charts.exports import json_value, label_with_unit, table_csv, table_xlsx
from monitoring.formatting import nl_number


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
        self,
        x: float,
        *,
        line: dict[str, Any],
        label: str = "",
        colour: str = "",
        xanchor: str = "center",
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
                    "xanchor": xanchor,
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
    inhabitants: int | None = None  # the most recent count, shown next to every score


class ScorePoint(NamedTuple):
    """One score of one area. A tuple, not a frozen dataclass: a municipality page of 100 wards
    over ten years makes 4.000 of these, and a frozen dataclass's ``__init__`` took 16 ms of
    that page where building a tuple takes under 1 ms."""

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
    # Row key of the direction of this cell's change: +1 higher is better (the default, as for
    # every score), -1 lower is better, 0 neither (context figures: a rise is not good or bad).
    direction_key: str | None = None

    @property
    def is_number(self) -> bool:
        return self.decimals is not None


class Cell(NamedTuple):
    """One formatted table cell (a tuple for the same reason as :class:`ScorePoint`)."""

    text: str
    url: str | None = None
    css: str = ""
    title: str = ""
    extra: str = ""
    extra_css: str = ""
    said: str = ""  # words for screen readers after the text ("verbeterd")
    extra_said: str = ""


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
        # What each column's cells share is worked out once per table, not once per cell: a
        # municipality's tables hold over a thousand cells.
        shapes = [
            (
                column,
                column.key == self.header_key,
                " ".join(
                    c
                    for c in (
                        "num" if column.is_number else "",
                        "def" if column.key == "definition" else "",
                        "nowrap" if column.key == "trend" else "",
                    )
                    if c
                ),
            )
            for column in self.html_columns
        ]
        body = []
        for row in self.rows:
            cells = []
            for column, is_header, column_css in shapes:
                cell = _cell(column, row)
                text = e(cell.text)
                if cell.said:
                    text += _said(cell.said)
                if cell.url:
                    text = f'<a href="{e(cell.url)}">{text}</a>'
                if cell.extra:
                    text += (
                        f' <span class="chg {e(cell.extra_css)}">{e(cell.extra)}'
                        f"{_said(cell.extra_said)}</span>"
                    )
                if is_header:
                    cells.append(f'<th scope="row">{text}</th>')
                    continue
                css = (
                    f"{column_css} {cell.css}"
                    if column_css and cell.css
                    else column_css or cell.css
                )
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
            f'<div class="table-wrap"><table class="data utrecht-table utrecht-table--html-table"><caption>{e(self.caption)}</caption>'
            f"<thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        )

    def to_csv(self, *, title: str = "", source: str = "") -> bytes:
        """The table as a CSV file Dutch Excel opens into columns (see ``exports``)."""
        return table_csv(self, title=title, source=source)

    def to_xlsx(self, *, title: str = "", source: str = "") -> bytes:
        """The table as an Excel workbook with the screen's number formats (see ``exports``)."""
        return table_xlsx(self, title=title, source=source)

    def to_json(self) -> dict[str, Any]:
        return {
            "caption": self.caption,
            "columns": [c.key for c in self.columns],
            "labels": [label_with_unit(c) for c in self.columns],
            "rows": [[json_value(row.get(c.key)) for c in self.columns] for row in self.rows],
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
        # orjson writes what json.dumps(ensure_ascii=False, separators=(",", ":")) writes, ten
        # times faster: a municipality's map and trends took 14 ms to encode, now 2. One
        # difference: a NaN becomes null (a gap in the chart) where json.dumps could refuse it;
        # the chart tests check that no builder makes one (tests/test_charts.py).
        text = orjson.dumps(
            self.figure.to_dict(), option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
        ).decode()
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _said(words: str) -> str:
    """Words only a screen reader reads: the arrow and the colour say it to the eye."""
    return f' <span class="visually-hidden">{html.escape(words)}</span>' if words else ""


def _cell(column: Column, row: dict[str, Any]) -> Cell:
    value = row.get(column.key)
    url = row.get(column.link_key) if column.link_key else None
    if column.decimals is None:
        return Cell("–" if value is None or value == "" else str(value), url)
    if isinstance(value, str):
        return Cell(value, url, "muted")
    decimals = column.decimals
    if column.decimals_key:
        override = row.get(column.decimals_key)
        if override is not None:
            decimals = int(override)
    direction = 1
    if column.direction_key:
        given = row.get(column.direction_key)
        if given is not None:
            direction = int(given)
    key = column.key
    if key.startswith("change"):
        return change_cell(value, decimals, direction)
    if key.startswith("diff"):
        return change_cell(value, decimals, direction, difference=True)
    if column.change_key:
        change = change_cell(row.get(column.change_key), decimals, direction)
        shown = "" if change.text == "–" else change.text
        return Cell(
            nl_number(value, decimals),
            url,
            extra=shown,
            extra_css=change.css,
            title=change.title,
            extra_said=change.said if shown else "",
        )
    return Cell(nl_number(value, decimals), url)


# For a rise and a fall: the word and the colour class, by the direction of the figure.
_CHANGE_WORDS = {
    1: (("verbeterd", "better"), ("verslechterd", "worse")),
    -1: (("verslechterd", "worse"), ("verbeterd", "better")),
    0: (("gestegen", "up"), ("gedaald", "down")),
}
_DIFFERENCE_WORDS = {
    1: (("beter", "better"), ("slechter", "worse")),
    -1: (("slechter", "worse"), ("beter", "better")),
    0: (("hoger", "up"), ("lager", "down")),
}


def change_cell(
    value: float | None, decimals: int = 0, direction: int = 1, *, difference: bool = False
) -> Cell:
    """A change with an arrow for up or down, coloured by better or worse for the figure's
    ``direction`` (+1 higher is better, -1 lower is better, 0 neither), and the word for screen
    readers: colour never carries the meaning alone. ``difference``: a gap to a reference
    ("beter", "slechter") rather than a change over time ("verbeterd", "verslechterd")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Cell("–", css="muted")
    words = (_DIFFERENCE_WORDS if difference else _CHANGE_WORDS)[max(-1, min(1, direction))]
    rounded = round(value, decimals)
    if rounded > 0:
        word, css = words[0]
        return Cell(f"▲ +{nl_number(value, decimals)}", css=css, title=word, said=word)
    if rounded < 0:
        word, css = words[1]
        return Cell(f"▼ −{nl_number(abs(value), decimals)}", css=css, title=word, said=word)
    same = "gelijk" if difference else "gelijk gebleven"
    return Cell("= 0", css="same", title=same, said=same)
