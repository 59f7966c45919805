"""From selector data and the query string to what a dashboard page shows. No queries here.

Each ``*_page`` function returns a :class:`Page`: the template context plus every table on the
page by id, so the same view can answer ``?format=csv&tabel=<id>`` with that table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from monitoring import charts, scoring
from monitoring.change_selectors import ChangeData
from monitoring.charts import ChartBlock, Column, Table, change_cell, score_sentence, signed
from monitoring.compare_selectors import CompareData
from monitoring.conditions import CONDITION_INFO, CONDITIONS, IndicatorRole
from monitoring.formatting import decimals_for_unit
from monitoring.forms import MAX_COMPARE, METHOD_CHOICES, DashboardParams, choose_period
from monitoring.models import Level
from monitoring.selectors import (
    IndicatorData,
    MunicipalityDashboard,
    ScoreDetail,
    WardDashboard,
)
from monitoring.ward_indicators import indicator_table

NO_SCORES = "Nog geen scores: lees cijfers in via Beheer → Importeren; de scores worden daarna vanzelf berekend."


METHOD_EXPLANATION = {
    "basisjaar": "100 is de gemeente als geheel in het basisjaar (het gemiddelde van de {level}, gewogen naar de eigen noemer van elke indicator), 10 punten is één standaardafwijking tussen de {level}; een wijk die vooruitgaat wint punten, ook als alle wijken vooruitgaan. Binnen 5 punten van een ander getal heet een score \u201crond\u201d dat getal.",
    "zscore": "100 is het gemiddelde van de {level} in de gekozen periode, 10 punten is één standaardafwijking in die periode.",
    "minmax": "0 is de laagste en 100 de hoogste van de {level} in de gekozen periode.",
    "percentiel": "de percentielrang binnen de periode: 100 is de beste, 0 de laagste van de {level}.",
    "landelijk": "100 is de landelijke waarde, 10 punten is één standaardafwijking van de {level} in het basisjaar.",
}


# What the index axis of a breakdown means under each method.
INDEX_AXIS = {
    "basisjaar": "index (100 = de gemeente als geheel in het basisjaar, 10 = één standaardafwijking)",
    "zscore": "index (100 = gemiddelde in de periode, 10 = één standaardafwijking)",
    "minmax": "index (0 = laagste, 100 = hoogste in de periode)",
    "percentiel": "percentielrang in de periode (0 = laagste, 100 = beste)",
    "landelijk": "index (100 = landelijke waarde, 10 = één standaardafwijking)",
}


def method_explanation(method: str, level_plural: str) -> str:
    return METHOD_EXPLANATION.get(method, "").format(level=level_plural)


def _no_scores(method: str) -> str:
    """What to do when there are no scores: import figures, or pick a method that has scores."""
    if method != "basisjaar":
        label = dict(METHOD_CHOICES).get(method, method)
        return f"Geen scores met de methode “{label}”: kies een andere methode, of laat de scores met deze methode herberekenen (Beheer)."
    return NO_SCORES


@dataclass
class Page:
    context: dict[str, Any]
    blocks: list[ChartBlock] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.context.setdefault("form_methods", METHOD_CHOICES)

    def table(self, table_id: str | None) -> Table | None:
        for block in self.blocks:
            if table_id in (None, block.id):
                return block.table
        return None

    def tables(self) -> dict[str, Table]:
        return {block.id: block.table for block in self.blocks}


def _conditions_menu(selected: str) -> list[dict[str, Any]]:
    return [
        {
            "code": info.condition.value,
            "name": info.name_nl,
            "short": info.short_nl,
            "colour": info.colour,
            "selected": info.condition.value == selected,
        }
        for info in CONDITIONS
    ]


def _previous(periods: list[str], period: str | None) -> str | None:
    if period not in periods:
        return None
    i = periods.index(period)
    return periods[i - 1] if i > 0 else None


# --- Municipality -----------------------------------------------------------------------------


def municipality_page(data: MunicipalityDashboard, params: DashboardParams) -> Page:
    with_values = sorted({p.period for p in data.points if p.value is not None})
    period = choose_period(params.period, data.periods, preferred=with_values)
    previous = _previous(with_values, period)
    condition = params.condition
    by_key = {(p.code, p.period, p.condition): p for p in data.points}
    scores_now = {
        a.code: getattr(by_key.get((a.code, period, condition)), "value", None) for a in data.areas
    }
    blocks: list[ChartBlock] = []
    if period:
        blocks.append(
            charts.municipality_map(
                areas=data.areas,
                scores=scores_now,
                condition=condition,
                period=period,
                level_plural=data.level_plural,
            )
        )
    scorecard = _scorecard(data, period, previous, params.sort)
    blocks.append(scorecard)
    if len(data.periods) >= 1:
        blocks.append(
            charts.trend_small_multiples(
                points_=data.points,
                areas=data.areas,
                periods=data.periods,
                averages=data.averages,
                municipality_name=data.municipality.name,
            )
        )
    return Page(
        context={
            "data": data,
            "municipality": data.municipality,
            "params": params,
            "period": period,
            "previous": previous,
            "condition": CONDITION_INFO[condition],
            "conditions": _conditions_menu(condition),
            "level_choices": [(Level.WIJK.value, "wijken"), (Level.BUURT.value, "buurten")],
            "blocks": blocks,
            "map": blocks[0] if period else None,
            "scorecard": scorecard,
            "trends": blocks[-1] if len(data.periods) >= 1 else None,
            "empty_message": None if data.periods else _no_scores(data.method),
            "method_explanation": method_explanation(data.method, data.level_plural),
        },
        blocks=blocks,
    )


def _scorecard(
    data: MunicipalityDashboard, period: str | None, previous: str | None, sort: str
) -> ChartBlock:
    by_key = {(p.code, p.period, p.condition): p.value for p in data.points}
    rows: list[dict[str, Any]] = []
    for area in data.areas:
        row: dict[str, Any] = {
            "name": area.name,
            "code": area.code,
            "url": area.url,
            "inhabitants": area.inhabitants,
        }
        for info in CONDITIONS:
            c = info.condition.value
            now = by_key.get((area.code, period, c))
            before = by_key.get((area.code, previous, c)) if previous else None
            row[c] = now
            row[f"change_{c}"] = now - before if now is not None and before is not None else None
        rows.append(row)
    key = sort.lstrip("-")
    descending = sort.startswith("-")
    if key in CONDITION_INFO:
        known = [r for r in rows if r[key] is not None]
        known.sort(key=lambda r: r[key], reverse=not descending)
        rows = known + [r for r in rows if r[key] is None]
    else:
        rows.sort(key=lambda r: r["name"].lower(), reverse=descending)
    since = f" sinds {previous}" if previous else ""
    columns = [Column("name", "Naam", decimals=None, link_key="url", sort_key="naam")]
    for info in CONDITIONS:
        c = info.condition.value
        columns.append(Column(c, info.short_nl, decimals=0, sort_key=c, change_key=f"change_{c}"))
    for info in CONDITIONS:
        c = info.condition.value
        columns.append(
            Column(f"change_{c}", f"verandering {info.short_nl.lower()}{since}", in_html=False)
        )
    columns.insert(1, Column("code", "Code", decimals=None))
    # Inhabitants beside every score: a score of a ward of 200 has a far wider margin than one
    # of 20.000 (docs/methodology.md, section 14).
    columns.insert(2, Column("inhabitants", "Inwoners", decimals=0))
    counts = {
        info.condition.value: sum(r[info.condition.value] is not None for r in rows)
        for info in CONDITIONS
    }
    scored = [info.short_nl.lower() for info in CONDITIONS if counts[info.condition.value]]
    missing = [info.short_nl.lower() for info in CONDITIONS if not counts[info.condition.value]]
    summary = (
        f"{len(rows)} {data.level_plural} met hun scores in {period or '–'}"
        + (f" en de verandering sinds {previous}" if previous else "")
        + (f"; scores op {', '.join(scored)}" if scored else "")
        + (f"; onvoldoende gegevens voor {', '.join(missing)}" if missing else "")
        + "."
    )
    table = Table(
        caption=f"Scorekaart: {data.level_plural} × vier condities in {period or '–'}"
        + (f", met de verandering sinds {previous}" if previous else ""),
        columns=columns,
        rows=rows,
        header_key="name",
    )
    title = f"Scorekaart {period or ''}".strip()
    return ChartBlock("scorekaart", title, summary, table, None)


# --- Ward -------------------------------------------------------------------------------------


def ward_page(data: WardDashboard, params: DashboardParams) -> Page:
    region = data.region
    period = data.period
    average_label = f"gemiddelde van de {data.level_plural}"
    names = data_indicators(data)
    cards = []
    for info in CONDITIONS:
        c = info.condition.value
        score = data.scores.get((period, c))
        value = score.value if score else None
        earlier = [
            p
            for p in data.periods
            if period and p < period and getattr(data.scores.get((p, c)), "value", None) is not None
        ]
        previous = earlier[-1] if earlier else None
        previous_value = data.scores[(previous, c)].value if previous else None
        municipal = data.averages.get((period, c))
        cards.append(
            {
                "info": info,
                "detail_url": _score_detail_url(region, c, period, data.method),
                "score": score,
                "value": value,
                "status": score.status if score else "onvoldoende gegevens",
                "coverage": score.coverage if score else None,
                "coverage_pct": score.coverage * 100 if score else None,
                "rank": score.rank if score else None,
                "ranked": data.ranked.get((period, c)),
                # In words, from the stored margins: "93, tussen 88 en 98", "plaats 28–35".
                "margin_text": score.margin_text if score else "",
                "places_text": score.places_text if score else "",
                "municipal": municipal,
                "diff": value - municipal if value is not None and municipal is not None else None,
                "previous": previous,
                "change": value - previous_value
                if value is not None and previous_value is not None
                else None,
                "sentence": score_sentence(
                    condition_name=info.name_nl,
                    value=value,
                    status=score.status if score else "onvoldoende gegevens",
                    municipal=municipal,
                    previous=previous_value,
                    previous_period=previous,
                    area_word=average_label,
                ),
                "breakdown": _breakdown_block(
                    region.name,
                    c,
                    period or "",
                    score,
                    names,
                    method=data.method,
                    with_figure=False,
                )
                if score and data.with_breakdowns
                else None,
            }
        )
    blocks: list[ChartBlock] = []
    if period:
        blocks.append(
            charts.ward_radar(
                ward_name=region.name,
                period=period,
                scores={c["info"].condition.value: c["value"] for c in cards},
                averages={
                    info.condition.value: data.averages.get((period, info.condition.value))
                    for info in CONDITIONS
                },
                average_label=average_label,
            )
        )
        blocks.append(
            charts.ward_trend(
                ward_name=region.name,
                periods=data.periods,
                scores={k: s.value for k, s in data.scores.items()},
                margins={k: s.margin for k, s in data.scores.items() if s.margin},
            )
        )
    indicator_block = indicator_table(data, context=False)
    context_block = indicator_table(data, context=True)
    robustness_block, dependent = _robustness_block(data)
    for card in cards:
        card["method_dependent"] = dependent.get(card["info"].condition.value, "")
    blocks += [indicator_block, context_block]
    if robustness_block:
        blocks.append(robustness_block)
    return Page(
        context={
            "data": data,
            "region": region,
            "municipality": region.municipality,
            "params": params,
            "period": period,
            "periods": data.periods,
            "cards": cards,
            "blocks": blocks,
            "radar": blocks[0] if period else None,
            "trend": blocks[1] if period else None,
            "indicator_table": indicator_block,
            "context_table": context_block,
            "robustness": robustness_block,
            "average_label": average_label,
            "summary": " ".join(c["sentence"] for c in cards),
            "empty_message": None if data.scores else _no_scores(data.method),
            "compare_url": "/vergelijk/?" + urlencode({"wijk": region.code}),
        },
        blocks=blocks,
    )


def _score_detail_url(region, condition: str, period: str | None, method: str) -> str:
    """The drill-down of one score, in the period and by the method shown."""
    name = "buurt_score" if region.level == Level.BUURT else "ward_score"
    query = {"periode": period or ""}
    if method != "basisjaar":
        query["methode"] = method
    return reverse(name, args=[region.code, condition]) + "?" + urlencode(query)


# Short names of the normalisations, for tables and sentences.
METHOD_SHORT = {
    "basisjaar": "basisjaar-index",
    "zscore": "z-score",
    "minmax": "min–max",
    "percentiel": "percentielrang",
    "landelijk": "t.o.v. landelijk",
}


def _robustness_block(data: WardDashboard) -> tuple[ChartBlock | None, dict[str, str]]:
    """The area's rank under each normalisation in the period shown, and per condition whether
    its place (top, middle or bottom third of the areas) depends on the method. Returns the
    block and, per condition that depends on the method, why."""
    if not data.method_places or not data.period:
        return None, {}
    places = {(c, m): (rank, rank_of) for c, m, rank, rank_of, _ in data.method_places}
    reasons = {c: reason for c, _, _, _, reason in data.method_places if reason}
    present = {m for _, m in places}
    methods = [m for m in scoring.METHODS if m in present]
    rows, dependent = [], {}
    for info in CONDITIONS:
        c = info.condition.value
        row: dict[str, Any] = {"name": info.name_nl}
        has_rank = False
        for method in methods:
            rank, rank_of = places.get((c, method), (None, None))
            has_rank = has_rank or rank is not None
            row[method] = "–" if rank is None else f"{rank} van {rank_of or 0}"
            shown = data.scores.get((data.period, c))
            if method == data.method and shown is not None and shown.places_text:
                row[method] += f" ({shown.places_text})"
        reason = reasons.get(c, "")
        for method, short in METHOD_SHORT.items():
            reason = reason.replace(f" bij {method}", f" bij {short}")
        if reason:
            dependent[c] = reason
        row["dependent"] = f"ja: {reason}" if reason else ("nee" if has_rank else "–")
        rows.append(row)
    name = data.region.name
    if dependent:
        names = [CONDITION_INFO[c].name_nl.lower() for c in dependent]
        summary = (
            f"De plaats van {name} in de rangorde hangt af van de rekenmethode bij "
            f"{_join_nl(names)}: lees die scores met de methode erbij."
        )
        title = f"Rang per methode: de plaats van {name} hangt af van de methode"
    elif any(r["dependent"] == "nee" for r in rows):
        summary = (
            f"Onder elke rekenmethode staat {name} in hetzelfde deel (boven, midden of onder) "
            f"van de {data.level_plural}: de plaats hangt niet af van de methode."
        )
        title = f"Rang per methode: de plaats van {name} is robuust"
    else:
        summary = f"{name} heeft in {data.period} geen rang: er is geen score."
        title = "Rang per methode"
    columns = [
        Column("name", "Conditie", decimals=None),
        *(Column(m, METHOD_SHORT.get(m, m), decimals=None) for m in methods),
        Column("dependent", "Plaats hangt af van de methode", decimals=None),
    ]
    caption = (
        f"Rang van {name} onder elke rekenmethode in {data.period} "
        f"(1 = beste van de {data.level_plural})"
    )
    block = ChartBlock(
        "rangen", title, summary, Table(caption, columns, rows, header_key="name"), None
    )
    return block, dependent


def _join_nl(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " en " + words[-1]


def data_indicators(data: WardDashboard) -> dict[str, tuple[str, str]]:
    return {s.indicator.code: (s.indicator.name_nl, s.indicator.unit) for s in data.indicators}


def _breakdown_block(
    name, condition, period, score, names, *, method: str, with_figure=True
) -> ChartBlock:
    rows = charts.breakdown_rows(score.breakdown, names)
    return charts.breakdown_chart(
        ward_name=name,
        condition=condition,
        period=period,
        score=score.value,
        rows=rows,
        with_figure=with_figure,
        index_label=INDEX_AXIS.get(method, INDEX_AXIS["basisjaar"]),
        # Bars start at the method's middle: the mean (100), or half-way (50) for min–max and
        # percentile rank, where 100 is the best area rather than the average one.
        index_reference=50.0 if method in ("minmax", "percentiel") else 100.0,
    )


def score_detail_page(detail: ScoreDetail, params: DashboardParams) -> Page:
    periods = detail.periods
    period = detail.period
    score = detail.scores.get(period) if period else None
    names = {code: (i.name_nl, i.unit) for code, i in detail.indicators.items()}
    block = (
        _breakdown_block(
            detail.region.name, detail.condition, period, score, names, method=detail.method
        )
        if score
        else None
    )
    rows = charts.breakdown_rows(score.breakdown, names) if score else []
    total = sum(r.contribution for r in rows if r.contribution is not None) if rows else None
    share_total = sum(r.share for r in rows if r.share is not None) if rows else None
    info = CONDITION_INFO[detail.condition]
    return Page(
        context={
            "detail": detail,
            "region": detail.region,
            "municipality": detail.region.municipality,
            "info": info,
            "params": params,
            "period": period,
            "periods": periods,
            "score": score,
            "rows": rows,
            "total": total,
            "share_total": share_total * 100 if share_total is not None else None,
            "municipal": detail.averages.get(period) if period else None,
            "chart": block,
            "blocks": [block] if block else [],
            "indicators": detail.indicators,
            "method_text": method_explanation(
                detail.method, "buurten" if detail.region.level == Level.BUURT else "wijken"
            ),
            "empty_message": None if detail.scores else _no_scores(detail.method),
        },
        blocks=[block] if block else [],
    )


# --- Compare ----------------------------------------------------------------------------------


def _with_codes(codes: list[str], params: DashboardParams) -> str:
    query: list[tuple[str, str]] = [("wijk", c) for c in codes]
    if params.period:
        query.append(("periode", params.period))
    if params.method != "basisjaar":
        query.append(("methode", params.method))
    if not codes and params.municipality:
        query.append(("gemeente", params.municipality))
    return "/vergelijk/?" + urlencode(query)


def compare_page(data: CompareData, params: DashboardParams) -> Page:
    codes = [a.code for a in data.selected]
    with_values = sorted({p for (_, p, _), v in data.scores.items() if v is not None})
    period = choose_period(params.period, data.periods, preferred=with_values)
    blocks: list[ChartBlock] = []
    if data.selected and period:
        blocks.append(
            charts.compare_radar(
                wards=data.selected,
                period=period,
                scores={(c, cond): v for (c, p, cond), v in data.scores.items() if p == period},
            )
        )
        blocks.append(
            charts.compare_trends(wards=data.selected, periods=data.periods, scores=data.scores)
        )
    if data.selected:
        blocks.append(_compare_indicator_table(data))
    selected_codes = set(codes)
    return Page(
        context={
            "data": data,
            "municipality": data.municipality,
            "params": params,
            "period": period,
            "periods": data.periods,
            "blocks": blocks,
            "codes": codes,
            "too_few": len(codes) < 2,
            "can_add": len(codes) < MAX_COMPARE,
            "max_compare": MAX_COMPARE,
            "options": [{"area": a, "checked": a.code in selected_codes} for a in data.options],
            "selected": [
                {"area": a, "remove_url": _with_codes([c for c in codes if c != a.code], params)}
                for a in data.selected
            ],
            "similar": [
                {
                    "area": a,
                    "distance": distance,
                    "add_url": _with_codes([*codes, a.code], params),
                }
                for a, distance in data.similar
            ],
            "level_plural": "buurten" if data.level == Level.BUURT else "wijken",
        },
        blocks=blocks,
    )


def _compare_indicator_table(data: CompareData) -> ChartBlock:
    rows = []
    for indicator in data.indicators:
        row: dict[str, Any] = {
            "name": indicator.name_nl,
            "unit": indicator.unit,
            "decimals": decimals_for_unit(indicator.unit),
            "role": CONDITION_INFO[indicator.role].short_nl
            if indicator.role in CONDITION_INFO
            else "context",
        }
        any_value = False
        for area in data.selected:
            value, period = data.values.get((area.code, indicator.pk), (None, ""))
            row[area.code] = value
            row[f"{area.code}_period"] = period
            any_value = any_value or value is not None
        if any_value:
            rows.append(row)
    table = Table(
        caption="Indicatoren van de gekozen gebieden naast elkaar (meest recente waarde)",
        columns=[
            Column("name", "Indicator", decimals=None),
            Column("role", "Conditie", decimals=None),
            Column("unit", "Eenheid", decimals=None),
            *(Column(a.code, a.name, decimals=1, decimals_key="decimals") for a in data.selected),
        ],
        rows=rows,
        header_key="name",
    )
    summary = (
        f"{len(rows)} indicatoren met een waarde voor ten minste één van de "
        f"{len(data.selected)} gekozen gebieden, elk met de meest recente waarde."
    )
    return ChartBlock("indicatoren", "Indicatoren naast elkaar", summary, table, None)


# --- Indicator --------------------------------------------------------------------------------


def indicator_page(data: IndicatorData, params: DashboardParams) -> Page:
    indicator = data.indicator
    area_periods = sorted({p for (_, p), v in data.values.items() if v is not None})
    period = choose_period(params.period, area_periods)
    decimals = decimals_for_unit(indicator.unit)
    unit = "" if indicator.unit == "aantal" else indicator.unit
    blocks: list[ChartBlock] = []
    if period:
        values = {a.code: data.values.get((a.code, period)) for a in data.areas}
        blocks.append(
            charts.indicator_map(
                areas=data.areas,
                values=values,
                name=indicator.name_nl,
                unit=unit,
                decimals=decimals,
                period=period,
                level_plural=data.level_plural,
            )
        )
        blocks.append(
            charts.indicator_distribution(
                values=values,
                names={a.code: a.name for a in data.areas},
                name=indicator.name_nl,
                unit=unit,
                decimals=decimals,
                period=period,
                municipal=data.municipal.get(period),
                municipality_name=data.municipality.name,
                national=data.national.get(period),
            )
        )
    medians = {}
    for p in data.periods:
        known = sorted(v for (_, q), v in data.values.items() if q == p and v is not None)
        if known:
            mid = len(known) // 2
            medians[p] = known[mid] if len(known) % 2 else (known[mid - 1] + known[mid]) / 2
    if data.periods:
        blocks.append(
            charts.indicator_trend(
                periods=data.periods,
                municipal=data.municipal,
                national=data.national,
                ward_median=medians,
                name=indicator.name_nl,
                unit=unit,
                decimals=decimals,
                municipality_name=data.municipality.name,
            )
        )
    role = indicator.role
    return Page(
        context={
            "data": data,
            "indicator": indicator,
            "municipality": data.municipality,
            "params": params,
            "period": period,
            "periods": area_periods,
            "blocks": blocks,
            "role_label": CONDITION_INFO[role].name_nl
            if role in CONDITION_INFO
            else IndicatorRole.CONTEXT.label,
            "level_choices": [(Level.WIJK.value, "wijken"), (Level.BUURT.value, "buurten")],
            "empty_message": None
            if area_periods
            else f"Nog geen cijfers over {indicator.name_nl.lower()} voor deze {data.level_plural}: lees ze in via Beheer → Importeren.",
        },
        blocks=blocks,
    )


# --- Change -----------------------------------------------------------------------------------


def change_page(data: ChangeData, params: DashboardParams) -> Page:
    """The change between two periods, like for like (the selector chose the periods)."""
    periods = data.periods
    start, end = data.start, data.end
    blocks: list[ChartBlock] = []
    if start and end and start != end:
        same = data.like_for_like
        blocks.append(
            charts.change_map(
                areas=data.areas,
                start={a.code: same.get(a.code, {}).get("start") for a in data.areas},
                end={a.code: same.get(a.code, {}).get("end") for a in data.areas},
                condition=data.condition,
                start_period=start,
                end_period=end,
                level_plural=data.level_plural,
                basis={
                    code: row["basis"]
                    if row["change"] is not None
                    else f"{row['basis']}: te weinig voor een vergelijking"
                    for code, row in same.items()
                },
            )
        )
    return Page(
        context={
            "data": data,
            "municipality": data.municipality,
            "params": params,
            "start": start,
            "end": end,
            "periods": periods,
            "condition": CONDITION_INFO[data.condition],
            "conditions": _conditions_menu(data.condition),
            "level_choices": [(Level.WIJK.value, "wijken"), (Level.BUURT.value, "buurten")],
            "blocks": blocks,
            "same_period": start == end,
            "empty_message": None if periods else _no_scores(data.method),
        },
        blocks=blocks,
    )


__all__ = [
    "NO_SCORES",
    "Page",
    "change_cell",
    "change_page",
    "compare_page",
    "indicator_page",
    "municipality_page",
    "score_detail_page",
    "signed",
    "ward_page",
]
