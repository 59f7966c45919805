"""The observation sections of the ward and municipality dashboards.

``ward_sections`` and ``municipality_sections`` are the only two calls the monitoring views
make: they show observations only with ``VIEW_PRIVATE`` (staff of that municipality and site
administrators; the public view of a published municipality gets nothing at all), read the aggregates and
add the practice score to the page. Everything below them is pure: data in, context out.

The practice score goes into the ward trend as traces of its own, on its own right-hand axis
(1–5), with its own legend name, dash and open markers; it is never mixed into the
statistical score.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from access.permissions import Capability
from monitoring.charts import ChartBlock, Column, Table, trace
from monitoring.charts.style import _legend_below
from monitoring.conditions import CONDITION_INFO, CONDITIONS
from observations import dashboard_selectors
from observations.charts import signals_map
from observations.dashboard_selectors import MunicipalityPractice, QuarterPractice, WardPractice
from observations.practice import (
    PRACTICE_EXPLANATION,
    SCALE_TICKS,
    Disagreement,
    disagreement,
    practice_label,
    practice_text,
)

if TYPE_CHECKING:
    from monitoring.dashboards import Page
    from monitoring.models import Region

EXAMPLE_NOTE = (
    "Voorbeeldgegevens: de observaties op deze pagina zijn verzonnen voor de demo, het zijn "
    "geen echte waarnemingen van sociaal werkers."
)
QUOTE_LENGTH = 220
TOP_SIGNALS = 5
SIGNAL_QUARTERS = 4  # "most frequent" looks back one year
TREND_HEIGHT = 560  # the legend holds eight names: keep the plot itself as high as before


# --- Hooks for the monitoring views -------------------------------------------------------------


def ward_sections(region: Region, page: Page, granted: frozenset[Capability]) -> None:
    """Adds ``practice`` to the ward page for users who may see observations
    (``granted`` is what ``access.permissions.require`` gave the view); the public view gets
    nothing, not even an empty section."""
    if region.level != "wijk" or Capability.VIEW_PRIVATE not in granted:
        return  # observations are kept per ward, and never shown in public
    practice = dashboard_selectors.ward_practice(ward=region, with_quotes=True)
    trend = page.context.get("trend")
    if trend is not None and practice.quarters:
        add_practice_to_trend(trend, practice.quarters)
    page.context["practice"] = ward_context(
        practice,
        cards=page.context.get("cards", []),
        statistical_period=page.context.get("period"),
        method=page.context["data"].method,
        area_word=page.context.get("average_label", "gemiddelde van de wijken"),
    )


def municipality_sections(municipality: Region, page: Page, granted: frozenset[Capability]) -> None:
    if Capability.VIEW_PRIVATE not in granted:
        return
    data = page.context["data"]
    period = page.context.get("period")
    averages = data.averages
    scorecard = page.context.get("scorecard")
    statistical = {row["code"]: row for row in scorecard.table.rows} if scorecard else {}
    practice = dashboard_selectors.municipality_practice(municipality=municipality)
    page.context["practice"] = municipality_context(
        practice,
        statistical=statistical,
        averages={
            info.condition.value: averages.get((period, info.condition.value))
            for info in CONDITIONS
        },
        statistical_period=period,
        method=data.method,
    )
    if practice.period:
        block = signals_map(
            areas=data.areas,
            observed={region.code for region, _ in practice.wards},
            signals=practice.signals,
            period=practice.period,
        )
        if block is not None:
            # A block of the page, so that its table downloads like every other one.
            page.blocks.append(block)
            page.context["practice"]["map"] = block


# --- The trend --------------------------------------------------------------------------------


def practice_name(info) -> str:
    return f"{info.short_nl} – praktijkscore"


def add_practice_to_trend(block: ChartBlock, quarters: list[QuarterPractice]) -> None:
    """One extra trace per condition on a right-hand axis, with the number of observations
    behind each point in its hover text and in the table."""
    figure = block.figure
    if figure is None:
        return
    periods = [q.period for q in quarters]
    axis = figure.layout.get("xaxis", {})
    merged = sorted(set(axis.get("categoryarray", [])) | set(periods))
    figure.update_layout(
        xaxis={
            "categoryarray": merged,
            "title": {"text": "periode (jaar of kwartaal)"},
            "automargin": True,
        },
        yaxis2={
            "title": {"text": "praktijkscore"},
            "overlaying": "y",
            "side": "right",
            "range": [0.5, 5.5],
            "tickvals": [value for value, _ in SCALE_TICKS],
            "ticktext": [label for _, label in SCALE_TICKS],
            "showgrid": False,
            "zeroline": False,
            "automargin": True,
        },
    )
    shown = 0
    for info in CONDITIONS:
        c = info.condition.value
        means = [q.means[c] for q in quarters]
        if all(m is None for m in means):
            continue
        shown += 1
        figure.add_trace(
            trace(
                "scatter",
                x=periods,
                y=means,
                yaxis="y2",
                name=practice_name(info),
                mode="lines+markers",
                connectgaps=False,
                text=[practice_text(m, q.rated[c]) for m, q in zip(means, quarters, strict=True)],
                hovertemplate="%{x}: %{text}<extra>" + practice_name(info) + "</extra>",
                line={"color": info.colour, "dash": "longdash", "width": 2},
                marker={"color": info.colour, "symbol": f"{info.symbol}-open", "size": 11},
            )
        )
    if not shown:
        return
    # The legend below the plot grows by the rows the extra names need (as the chart does).
    figure.layout["height"] = TREND_HEIGHT
    block.height = _legend_below(figure, [t["name"] for t in figure.data])
    block.summary = (
        f"{block.summary} De stippellijnen met open markers zijn de praktijkscore van sociaal "
        f"werkers ({quarters[0].period} tot {quarters[-1].period}), op een eigen schaal rechts: "
        "1 = sterk onder druk tot 5 = sterk. Zij tellen niet mee in de statistische score."
    )
    block.table = _trend_table(block.table, quarters, merged)


def _trend_table(table: Table, quarters: list[QuarterPractice], periods: list[str]) -> Table:
    rows: list[dict[str, Any]] = [{**row, "decimals": 0} for row in table.rows]
    for info in CONDITIONS:
        c = info.condition.value
        rows.append(
            {
                table.header_key or "condition": f"{practice_name(info)} (1–5)",
                "decimals": 1,
                **{q.period: q.means[c] for q in quarters},
            }
        )
    rows.append(
        {
            table.header_key or "condition": "Aantal geaccepteerde observaties",
            "decimals": 0,
            **{q.period: q.observations for q in quarters},
        }
    )
    first = table.columns[0]
    return replace(
        table,
        caption=table.caption + ", met de praktijkscore per kwartaal",
        columns=[first, *(Column(p, p, decimals=0, decimals_key="decimals") for p in periods)],
        rows=rows,
    )


# --- Ward section -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CurrentPractice:
    info: Any
    period: str | None
    mean: float | None
    rated: int
    label: str
    text: str


def shorten(text: str, length: int = QUOTE_LENGTH) -> str:
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0].rstrip(",.;:")
    return f"{cut} …"


def top_signals(practice: WardPractice, quarters: int = SIGNAL_QUARTERS) -> list[dict[str, Any]]:
    recent = {q.period for q in practice.quarters[-quarters:]}
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for signal in practice.signals:
        if signal.period in recent:
            totals[signal.kind][0] += signal.observations
            totals[signal.kind][1] += signal.weight
    ranked = sorted(totals.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
    return [
        {"kind": kind, "observations": n, "weight": weight}
        for kind, (n, weight) in ranked[:TOP_SIGNALS]
    ]


def ward_context(
    practice: WardPractice,
    *,
    cards: list[dict[str, Any]],
    statistical_period: str | None,
    method: str,
    area_word: str,
) -> dict[str, Any]:
    current = []
    for info in CONDITIONS:
        c = info.condition.value
        latest = next((q for q in reversed(practice.quarters) if q.means[c] is not None), None)
        mean = latest.means[c] if latest else None
        rated = latest.rated[c] if latest else 0
        current.append(
            CurrentPractice(
                info,
                latest.period if latest else None,
                mean,
                rated,
                practice_label(mean),
                practice_text(mean, rated),
            )
        )
    disagreements: list[Disagreement] = []
    by_condition = {card["info"].condition.value: card for card in cards}
    for now in current:
        card = by_condition.get(now.info.condition.value)
        if card is None:
            continue
        found = disagreement(
            condition=now.info.condition.value,
            condition_name=now.info.name_nl,
            statistical=card.get("value"),
            average=card.get("municipal"),
            statistical_period=statistical_period,
            method=method,
            practice=now.mean,
            practice_count=now.rated,
            practice_period=now.period,
            area_word=area_word,
        )
        if found:
            disagreements.append(found)
    signals_by_period: dict[str, list[str]] = defaultdict(list)
    for signal in sorted(practice.signals, key=lambda s: (-s.observations, -s.weight, s.kind)):
        signals_by_period[signal.period].append(signal.kind)
    timeline = [
        {
            "period": q.period,
            "observations": q.observations,
            "cells": [
                practice_text(q.means[info.condition.value], q.rated[info.condition.value])
                for info in CONDITIONS
            ],
            "signals": signals_by_period.get(q.period, [])[:3],
        }
        for q in reversed(practice.quarters)
    ]
    quotes, seen = [], set()
    for quote in practice.quotes:  # newest first; a sentence repeated later is shown once
        text = shorten(quote.text)
        if text in seen:
            continue
        seen.add(text)
        quotes.append(
            {
                "observation_id": quote.observation_id,
                "period": quote.period,
                "condition": CONDITION_INFO[quote.condition].name_nl,
                "text": text,
                "is_example": quote.is_example,
            }
        )
    return {
        "visible": True,
        "has_data": bool(practice.quarters),
        "current": current,
        "disagreements": disagreements,
        "timeline": timeline,
        "signals": top_signals(practice),
        "quotes": quotes,
        "is_example": practice.has_example,
        "example_note": EXAMPLE_NOTE,
        "explanation": PRACTICE_EXPLANATION,
        "conditions": CONDITIONS,
    }


# --- Municipality section ---------------------------------------------------------------------


def municipality_context(
    practice: MunicipalityPractice,
    *,
    statistical: dict[str, dict[str, Any]],
    averages: dict[str, float | None],
    statistical_period: str | None,
    method: str,
) -> dict[str, Any]:
    rows = []
    for region, quarter in practice.wards:
        stats = statistical.get(region.code, {})
        differing = [
            info.short_nl
            for info in CONDITIONS
            if disagreement(
                condition=info.condition.value,
                condition_name=info.name_nl,
                statistical=stats.get(info.condition.value),
                average=averages.get(info.condition.value),
                statistical_period=statistical_period,
                method=method,
                practice=quarter.means[info.condition.value],
                practice_count=quarter.rated[info.condition.value],
                practice_period=practice.period,
            )
        ]
        rows.append(
            {
                "ward": region,
                "observations": quarter.observations,
                "cells": [
                    {
                        "label": practice_label(quarter.means[info.condition.value]),
                        "text": practice_text(
                            quarter.means[info.condition.value], quarter.rated[info.condition.value]
                        ),
                        "statistical": stats.get(info.condition.value),
                    }
                    for info in CONDITIONS
                ],
                "differing": differing,
            }
        )
    signal_rows = [
        {
            "ward": practice.ward_names.get(code, code),
            "code": code,
            "counts": [practice.signals.get(code, {}).get(kind) for kind in practice.signal_kinds],
        }
        for code in sorted(practice.signals, key=lambda code: practice.ward_names.get(code, code))
    ]
    return {
        "visible": True,
        "period": practice.period,
        "rows": rows,
        "signal_kinds": practice.signal_kinds,
        "signal_rows": signal_rows,
        "is_example": practice.has_example,
        "example_note": EXAMPLE_NOTE,
        "explanation": PRACTICE_EXPLANATION,
        "conditions": CONDITIONS,
        "statistical_period": statistical_period,
    }
