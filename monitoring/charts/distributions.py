"""Distributions: how an indicator's values spread over the areas, with reference lines."""

from __future__ import annotations

import statistics

from monitoring.charts.style import _layout
from monitoring.charts.types import ChartBlock, Column, Figure, Table, trace
from monitoring.formatting import nl_number


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
    references = [
        (value, label, dash, colour)
        for value, label, dash, colour in (
            (municipal, municipality_name, "dash", "#D55E00"),
            (national, "Nederland", "dot", "#000000"),
        )
        if value is not None
    ]
    # Two labels centred on lines close together overlap: the lower value's label reads to
    # the left of its line, the higher one's to the right.
    references.sort(key=lambda r: r[0])
    anchors = ["right", "left"] if len(references) == 2 else ["center"]
    for (value, label, dash, colour), anchor in zip(references, anchors, strict=False):
        fig.add_vline(
            value,
            line={"color": colour, "dash": dash, "width": 2},
            label=f"{label}: {nl_number(value, decimals)}{suffix}",
            colour=colour,
            xanchor=anchor,
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
        top_extra=24,  # the reference labels above the plot
    )
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
    notes = (
        []
        if known
        else [
            f"Geen verdeling: er zijn geen cijfers over {name.lower()} voor de gebieden in "
            f"{period}. Lees ze in via Beheer → Importeren, of kies een andere periode."
        ]
    )
    return ChartBlock("verdeling", title, summary, table, fig if known else None, 380, notes)
