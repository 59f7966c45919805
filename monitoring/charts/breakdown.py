"""The breakdown of a score: per indicator its index, its share in the weight and its contribution."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from monitoring.charts.style import _layout
from monitoring.charts.types import ChartBlock, Column, Figure, Table, trace
from monitoring.conditions import CONDITION_INFO
from monitoring.formatting import nl_number


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
            "automargin": True,  # room for the axis title below the ticks
        },
        yaxis={"automargin": True},
    )
    fig.update_layout(margin={"b": 64})  # the long axis title below the ticks
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
