"""Trends: scores and indicator values through the periods, a break where a period has no value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from monitoring.charts.style import (
    _layout,
    _legend_below,
    _period_axis,
    _score_axis,
    condition_style,
    series_style,
)
from monitoring.charts.types import Area, ChartBlock, Column, Figure, ScorePoint, Table, trace
from monitoring.charts.words import signed
from monitoring.conditions import CONDITIONS, ConditionInfo
from monitoring.formatting import nl_number

NO_SCORES_YET = (
    "Scores ontstaan zodra er cijfers voor de indicatoren zijn ingelezen (Beheer → Importeren); "
    "kies anders een andere methode."
)


@dataclass(frozen=True)
class TrendSeries:
    """An extra line on a ward's trend chart beside the four conditions, for example a score
    from another source. ``style`` holds its ``line`` and ``marker`` (see ``series_style``)."""

    name: str
    values: dict[str, float | None]  # by period
    style: dict[str, Any]
    decimals: int = 0


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
    empty = not any(p.value is not None for p in points_)
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
        fig.axis("y", col)["zeroline"] = False
    fig.axis("y", 1).update(_score_axis("score"))
    _layout(fig, title=title, height=380, wrap=120, top_extra=22, hovermode="closest")
    height = _legend_below(fig, [t["name"] for t in fig.data if t.get("showlegend", True)])
    if empty:
        notes = [f"Geen grafiek: de {_areas_word(areas)} hebben nog geen scores. {NO_SCORES_YET}"]
        return ChartBlock("trends", title, summary, table, None, height, notes)
    return ChartBlock("trends", title, summary, table, fig, height)


def _areas_word(areas: Sequence[Area]) -> str:
    return "buurten" if areas and all(a.code.startswith("BU") for a in areas) else "wijken"


def ward_trend(
    *,
    ward_name: str,
    periods: Sequence[str],
    scores: dict[tuple[str, str], float | None],
    extra: Sequence[TrendSeries] = (),
    margins: dict[tuple[str, str], tuple[float, float]] | None = None,
) -> ChartBlock:
    """One line per condition; a period without a score is a visible break (no connecting).
    ``extra`` series are drawn after the conditions, each with a row of its own in the table.
    ``margins`` (period, condition) → (low, high): the 95 % interval of each score, drawn as a
    band around its line (a condition with a margin in one period only: an error bar on its
    marker, since a band over one period is a bare vertical line) and given in the table and
    the summary."""
    fig = Figure()
    rows = []
    moves: list[tuple[ConditionInfo, float, str, str]] = []
    gaps = 0
    margins = margins or {}
    banded = barred = 0
    for info in CONDITIONS:
        ys = [scores.get((period, info.condition.value)) for period in periods]
        gaps += sum(v is None for v in ys)
        fig.add_trace(
            trace(
                "scatter",
                x=list(periods),
                y=ys,
                name=info.name_nl,
                legendgroup=info.condition.value,
                mode="lines+markers",
                connectgaps=False,
                hovertemplate="%{x}: %{y:,.0f}<extra>" + info.short_nl + "</extra>",
                **condition_style(info),
            )
        )
        bounds = [
            margins.get((period, info.condition.value)) if value is not None else None
            for period, value in zip(periods, ys, strict=True)
        ]
        with_margin = [(p, v, b) for p, v, b in zip(periods, ys, bounds, strict=True) if b]
        if len(with_margin) == 1:
            barred += 1
            fig.add_trace(_error_bar(info, *with_margin[0]))
        elif with_margin:
            banded += 1
            fig.add_trace(_band(info, periods, bounds))
        known = [(p, v) for p, v in zip(periods, ys, strict=True) if v is not None]
        if len(known) >= 2:
            moves.append((info, known[-1][1] - known[0][1], known[0][0], known[-1][0]))
        rows.append({"condition": info.name_nl, **{p: v for p, v in zip(periods, ys, strict=True)}})
        if any(bounds):
            rows.append(
                {
                    "condition": f"{info.name_nl}: marge (95 %)",
                    **{
                        p: f"{nl_number(b[0], 0)} tot {nl_number(b[1], 0)}" if b else None
                        for p, b in zip(periods, bounds, strict=True)
                    },
                }
            )
    for series in extra:
        ys = [series.values.get(period) for period in periods]
        gaps += sum(v is None for v in ys)
        fig.add_trace(
            trace(
                "scatter",
                x=list(periods),
                y=ys,
                name=series.name,
                mode="lines+markers",
                connectgaps=False,
                hovertemplate=f"%{{x}}: %{{y:,.{series.decimals}f}}<extra>{series.name}</extra>",
                **series.style,
            )
        )
        rows.append({"condition": series.name, **dict(zip(periods, ys, strict=True))})
    empty = not any(v is not None for row in rows for k, v in row.items() if k != "condition")
    if moves:
        info, change, first, last = max(moves, key=lambda m: abs(m[1]))
        verb = "steeg" if change > 0 else "daalde" if change < 0 else "bleef gelijk"
        title = f"In {ward_name} {verb} {info.name_nl.lower()} het meest: {signed(change)} punten van {first} tot {last}"
    elif empty:
        title = f"{ward_name}: nog geen scores door de tijd"
    else:
        title = f"{ward_name}: nog te weinig perioden voor een trend"
    summary = title + (
        "; een onderbroken lijn betekent dat er in die periode onvoldoende gegevens waren."
        if gaps
        else "."
    )
    if banded or barred:
        summary += " " + _margin_sentence(banded=banded > 0, barred=barred > 0)
    _layout(
        fig,
        title=title,
        height=400,
        xaxis=_period_axis(periods),
        yaxis=_score_axis(),
        hovermode="x unified",
    )
    height = _legend_below(fig, [t["name"] for t in fig.data if t.get("showlegend", True)])
    table = Table(
        caption=f"Scores van {ward_name} per conditie en periode"
        + (", met de marge (95 %) van elke score" if banded or barred else ""),
        columns=[
            Column("condition", "Conditie", decimals=None),
            *(Column(p, p, decimals=0) for p in periods),
        ],
        rows=rows,
        header_key="condition",
    )
    if empty:
        notes = [f"Geen grafiek: {ward_name} heeft nog geen scores. {NO_SCORES_YET}"]
        return ChartBlock("trend", title, summary, table, None, height, notes)
    return ChartBlock("trend", title, summary, table, fig, height)


def _band(
    info: ConditionInfo, periods: Sequence[str], bounds: Sequence[tuple[float, float] | None]
) -> dict[str, Any]:
    """The margin around a condition's line: one closed shape per run of periods that have
    one (a run of a single period is a short vertical bar), in the condition's colour."""
    xs: list[str | None] = []
    ys: list[float | None] = []
    run: list[tuple[str, tuple[float, float]]] = []
    for period, bound in [*zip(periods, bounds, strict=True), ("", None)]:
        if bound is not None:
            run.append((period, bound))
            continue
        if run:
            xs += [p for p, _ in run] + [p for p, _ in reversed(run)] + [run[0][0], None]
            ys += [b[1] for _, b in run] + [b[0] for _, b in reversed(run)] + [run[0][1][1], None]
            run = []
    style = condition_style(info)
    return trace(
        "scatter",
        x=xs,
        y=ys,
        name=f"marge {info.short_nl.lower()}",
        legendgroup=info.condition.value,
        showlegend=False,
        mode="lines",
        fill="toself",
        fillcolor=_transparent(info.colour, 0.15),
        line={"color": info.colour, "dash": style["line"]["dash"], "width": 0.5},
        hoverinfo="skip",
    )


def _error_bar(
    info: ConditionInfo, period: str, value: float, bound: tuple[float, float]
) -> dict[str, Any]:
    """The margin of a condition scored in one period: an error bar on its marker."""
    low, high = bound
    return trace(
        "scatter",
        x=[period],
        y=[value],
        name=f"marge {info.short_nl.lower()}",
        legendgroup=info.condition.value,
        showlegend=False,
        mode="markers",
        # The line style too, although no line is drawn: every condition trace carries its dash.
        **condition_style(info),
        error_y={
            "type": "data",
            "symmetric": False,
            "array": [high - value],
            "arrayminus": [value - low],
            "color": info.colour,
            "thickness": 2,
            "width": 8,
        },
        hoverinfo="skip",
    )


def _margin_sentence(*, banded: bool, barred: bool) -> str:
    """How the chart shows the margin, in words: the summary must say what the eye sees."""
    if banded and barred:
        shape, within = (
            "De lichte band om een lijn (bij één periode: de streep door een punt)",
            "die marge",
        )
    elif banded:
        shape, within = "De lichte band om een lijn", "die band"
    else:
        shape, within = "De streep door een punt", "die streep"
    return (
        f"{shape} is de marge van de score (95 %): de score ligt daar tussen, gezien de grootte "
        "van de groepen achter de cijfers en de afronding door het CBS. Verschillen binnen "
        f"{within} zijn geen aantoonbare verandering."
    )


def _transparent(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red},{green},{blue},{alpha})"


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
    empty = not any(v is not None for v in scores.values())
    title = "Scores van de gekozen wijken door de tijd, per conditie"
    summary = (
        f"Per conditie een lijn per wijk over {len(periods)} perioden; een onderbroken lijn "
        f"betekent onvoldoende gegevens in die periode."
    )
    for col in range(1, 5):
        fig.axis("x", col).update(_period_axis(periods))
        if col > 1:
            fig.axis("x", col)["title"] = {"text": ""}
        fig.axis("y", col)["zeroline"] = False
    fig.axis("y", 1).update(_score_axis("score"))
    _layout(fig, title=title, height=380, wrap=120, top_extra=22)  # panel titles
    height = _legend_below(fig, [ward.name for ward in wards])
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
    if empty:
        notes = [f"Geen grafiek: de gekozen wijken hebben nog geen scores. {NO_SCORES_YET}"]
        return ChartBlock("trends", title, summary, table, None, height, notes)
    return ChartBlock("trends", title, summary, table, fig, height)


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
    elif not fig.data:
        title = f"{name} in {municipality_name}: nog geen cijfers door de tijd"
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
        hovermode="x unified",
    )
    height = _legend_below(fig, [t["name"] for t in fig.data])
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
    if not fig.data:
        notes = [
            f"Geen grafiek: er zijn nog geen cijfers over {name.lower()} voor {municipality_name}, "
            f"zijn gebieden of Nederland. Lees ze in via Beheer → Importeren."
        ]
        return ChartBlock("trend", title, summary, table, None, height, notes)
    return ChartBlock("trend", title, summary, table, fig, height)
