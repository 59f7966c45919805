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


def _people(n: int | None, one: str, many: str) -> str:
    if n is None:
        return f"een onbekend aantal {many}"
    return f"{nl_number(n)} {one if n == 1 else many}"


def _all_quarters(periods: Sequence[str]) -> list[str]:
    try:
        parsed = sorted(Period.parse(p) for p in periods)
    except ValueError:
        return list(periods)
    if not parsed or any(not p.is_quarter for p in parsed):
        return [str(p) for p in parsed]
    first, last = parsed[0], parsed[-1]
    axis, current = [], last
    while current >= first and len(axis) < 200:
        axis.append(str(current))
        current = current.previous()
    return list(reversed(axis))


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
    initiatives = f"{last.initiatives} initiatie{'f' if last.initiatives == 1 else 'ven'}"
    opening = f"In het {_quarter_label(last.period)} deden {_people(last.participants, 'deelnemer', 'deelnemers')} mee aan {initiatives} met bereik"
    if last.volunteers is not None:
        opening += f", met {_people(last.volunteers, 'vrijwilliger', 'vrijwilligers')}"
    parts = [opening]
    if len(quarters) >= 2:
        before = quarters[-2]
        if before.participants is not None and last.participants is not None:
            change = last.participants - before.participants
            word = "meer" if change > 0 else "minder"
            parts.append(
                f"dat zijn {nl_number(abs(change))} deelnemers {word} dan in het "
                f"{_quarter_label(before.period)}"
                if change
                else f"evenveel deelnemers als in het {_quarter_label(before.period)}"
            )
    title = parts[0]
    summary = "; ".join(parts) + "."
    # Every quarter from the first to the last on the axis: a quarter without reach is a
    # visible gap, not silently left out.
    axis = _all_quarters(periods)
    by_period = {q.period: q for q in quarters}
    fig = Figure()
    fig.add_trace(
        trace(
            "bar",
            x=axis,
            y=[getattr(by_period.get(p), "participants", None) for p in axis],
            name="Deelnemers",
            marker={"color": PARTICIPANTS_COLOUR},
            hovertemplate="%{x}: %{y:,.0f} deelnemers<extra></extra>",
        )
    )
    fig.add_trace(
        trace(
            "scatter",
            x=axis,
            y=[getattr(by_period.get(p), "volunteers", None) for p in axis],
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
