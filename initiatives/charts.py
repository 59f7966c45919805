"""Charts of reach: plain data in, a plotly figure with its words and table out. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from monitoring.charts import FONT, SEPARATORS, ChartBlock, Column, Figure, Table, trace
from monitoring.formatting import nl_number
from monitoring.periods import Period

PARTICIPANTS_COLOUR = "#0072B2"  # Okabe–Ito blue: bars
VOLUNTEERS_COLOUR = "#D55E00"  # vermilion: a dashed line with diamonds


@dataclass(frozen=True)
class QuarterReach:
    period: str
    participants: int | None
    volunteers: int | None
    initiatives: int  # how many initiatives reported this quarter


def sum_by_quarter(rows: Sequence[tuple[str, int | None, int | None]]) -> list[QuarterReach]:
    """(period, participants, volunteers) per initiative → one total per quarter, in order.

    A quarter where nobody gave a number stays empty (not 0): unknown is not none.
    """
    totals: dict[str, list] = {}
    for period, participants, volunteers in rows:
        total = totals.setdefault(period, [None, None, 0])
        if participants is not None:
            total[0] = (total[0] or 0) + participants
        if volunteers is not None:
            total[1] = (total[1] or 0) + volunteers
        total[2] += 1
    return [QuarterReach(p, *totals[p]) for p in sorted(totals)]


def _quarter_label(period: str) -> str:
    try:
        return Period.parse(period).label()
    except ValueError:
        return period


def _wrapped(text: str, width: int = 60) -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)


def reach_chart(*, chart_id: str, subject: str, quarters: Sequence[QuarterReach]) -> ChartBlock:
    """Participants (bars) and volunteers (dashed line with markers) per quarter."""
    periods = [q.period for q in quarters]
    table = Table(
        caption=f"Bereik per kwartaal: {subject}",
        columns=[
            Column("period", "Kwartaal", decimals=None),
            Column("participants", "Deelnemers", decimals=0),
            Column("volunteers", "Vrijwilligers", decimals=0),
            Column("initiatives", "Initiatieven met bereik", decimals=0),
        ],
        rows=[
            {
                "period": q.period,
                "participants": q.participants,
                "volunteers": q.volunteers,
                "initiatives": q.initiatives,
            }
            for q in quarters
        ],
        header_key="period",
    )
    if not quarters:
        title = f"Nog geen bereik vastgelegd voor {subject}"
        return ChartBlock(
            chart_id,
            title,
            "Vul per kwartaal het bereik van een initiatief in; dan verschijnt het hier.",
            table,
            None,
        )
    last = quarters[-1]
    parts = [
        f"In het {_quarter_label(last.period)} deden {nl_number(last.participants)} deelnemers mee "
        f"aan {last.initiatives} initiatie{'f' if last.initiatives == 1 else 'ven'} met bereik, "
        f"met {nl_number(last.volunteers)} vrijwilligers"
    ]
    if len(quarters) >= 2:
        first = quarters[0]
        if first.participants is not None and last.participants is not None:
            change = last.participants - first.participants
            word = "meer" if change > 0 else "minder"
            parts.append(
                f"dat zijn {nl_number(abs(change))} deelnemers {word} dan in "
                f"{_quarter_label(first.period)}"
                if change
                else f"evenveel deelnemers als in {_quarter_label(first.period)}"
            )
    title = parts[0]
    summary = "; ".join(parts) + "."
    fig = Figure()
    fig.add_trace(
        trace(
            "bar",
            x=periods,
            y=[q.participants for q in quarters],
            name="Deelnemers",
            marker={"color": PARTICIPANTS_COLOUR},
            hovertemplate="%{x}: %{y:,.0f} deelnemers<extra></extra>",
        )
    )
    fig.add_trace(
        trace(
            "scatter",
            x=periods,
            y=[q.volunteers for q in quarters],
            name="Vrijwilligers",
            mode="lines+markers",
            connectgaps=False,
            line={"color": VOLUNTEERS_COLOUR, "dash": "dash", "width": 2.5},
            marker={"color": VOLUNTEERS_COLOUR, "symbol": "diamond", "size": 9},
            hovertemplate="%{x}: %{y:,.0f} vrijwilligers<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": _wrapped(title), "x": 0, "xanchor": "left", "font": {"size": 15}},
        separators=SEPARATORS,
        font=FONT,
        height=360,
        margin={"l": 60, "r": 20, "t": 90, "b": 50},
        paper_bgcolor="white",
        plot_bgcolor="white",
        xaxis={"type": "category", "title": {"text": "kwartaal"}},
        yaxis={"title": {"text": "aantal mensen"}, "gridcolor": "#e5e5e5", "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.2},
        hovermode="x unified",
    )
    return ChartBlock(chart_id, title, summary, table, fig, 360)
