"""How every chart looks: Dutch number separators, font, colour-blind-safe palettes, shared axes.

Sequential and diverging scales are stored as explicit stops so the colour a table cell or a test
computes (:func:`colour_at`) is the colour plotly.js draws.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from plotly.colors import diverging, sequential

from monitoring.charts.types import Figure
from monitoring.conditions import ConditionInfo

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


TITLE_LINE = 20  # px per line of a 15 px title
TITLE_PAD = 10


def _layout(
    fig: Figure, *, title: str, height: int, wrap: int = 62, top_extra: int = 0, **kwargs: Any
) -> Figure:
    """The common layout. The title hangs from the top and the plot starts below its last line
    (plus ``top_extra`` for labels above the plot), so a title that wraps onto three lines
    never runs over the first bar."""
    wrapped = _wrap_title(title, wrap)
    lines = wrapped.count("<br>") + 1
    top = max(70, TITLE_PAD + TITLE_LINE * lines + 16 + top_extra)
    fig.update_layout(
        title={
            "text": wrapped,
            "x": 0,
            "xanchor": "left",
            # Hung from the top of the figure. Plotly lifts a title of several lines by about
            # half a line (measured in Chromium), which would cut off its first line.
            "y": 1 - (TITLE_PAD + (11 if lines > 1 else 0)) / height,
            "yref": "container",
            "yanchor": "top",
            "font": {"size": 15},
        },
        separators=SEPARATORS,
        font=FONT,
        height=height,
        margin={"l": 60, "r": 20, "t": top, "b": 50},
        paper_bgcolor="white",
        plot_bgcolor="white",
        hoverlabel={"font": FONT},
        **kwargs,
    )
    return fig


def _legend_below(fig: Figure, names: Sequence[str]) -> int:
    """A horizontal legend at the very bottom of the figure, below the period axis and its
    title (a legend placed relative to the plot runs over the axis title "periode"). The bottom
    margin, and the figure, grow by as many legend rows as the names need at ~560 px wide.
    Returns the figure's height."""
    width = sum(len(name) * 7.5 + 45 for name in names)
    rows = max(1, math.ceil(width / 520))
    height = fig.layout.get("height", 400) + 22 * (rows - 1)
    fig.update_layout(
        height=height,
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 0,
            "yref": "container",
            "yanchor": "bottom",
        },
        margin={"b": 62 + 22 * rows},
    )
    return height


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
