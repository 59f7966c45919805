"""Profiles: the four conditions of one ward or several on a radar, and wards alike in profile."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any

from monitoring.charts.style import _layout, series_style
from monitoring.charts.trends import NO_SCORES_YET
from monitoring.charts.types import Area, ChartBlock, Column, Figure, Table, trace
from monitoring.conditions import CONDITIONS
from monitoring.formatting import nl_number


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
    has_scores = any(w is not None for w in ward_values)
    if compared:
        title = f"{ward_name} scoort in {period} op {len(above)} van de {compared} condities boven het {average_label}"
        summary = (
            f"{ward_name} ligt in {period} boven het {average_label} op "
            + (", ".join(above) if above else "geen enkele conditie")
            + "."
        )
    elif has_scores:
        title = f"{ward_name} in {period}: geen {average_label} om mee te vergelijken"
        summary = f"Er is in {period} geen {average_label} berekend; de scores van {ward_name} staan in de tabel."
    else:
        title = f"{ward_name} heeft in {period} nog geen scores"
        summary = f"{ward_name} heeft in {period} op geen van de vier condities een score."
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
    if not has_scores:
        notes = [f"Geen grafiek: {ward_name} heeft in {period} geen scores. {NO_SCORES_YET}"]
        return ChartBlock("radar", title, summary, table, None, 420, notes)
    return ChartBlock("radar", title, summary, table, fig, 420)


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
    if not any(v is not None for v in scores.values()):
        notes = [f"Geen grafiek: de gekozen wijken hebben in {period} geen scores. {NO_SCORES_YET}"]
        return ChartBlock("radar", title, summary, table, None, 460, notes)
    return ChartBlock("radar", title, summary, table, fig, 460)


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
