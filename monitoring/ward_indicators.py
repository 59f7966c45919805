"""The ward page's indicator tables: each indicator's latest value beside the municipality's,
its trend, and where the value came from (why CBS gave none, an inferred period)."""

from __future__ import annotations

from monitoring.charts import ChartBlock, Column, Table
from monitoring.conditions import CONDITION_INFO, IndicatorRole
from monitoring.formatting import decimals_for_unit, nl_number
from monitoring.importing.provenance import INFERRED_PERIOD_TEXT, reason_text
from monitoring.models import MissingReason
from monitoring.selectors import IndicatorSeries, WardDashboard


def _trend_text(series: dict[str, float | None], decimals: int) -> tuple[str, float | None]:
    known = sorted((p, v) for p, v in series.items() if v is not None)
    if len(known) < 2:
        return "", None
    (p0, v0), (p1, v1) = known[0], known[-1]
    return f"{nl_number(v0, decimals)} ({p0}) → {nl_number(v1, decimals)} ({p1})", v1 - v0


def _missing_word(series: IndicatorSeries) -> str | None:
    """The value cell of an indicator without any figure: why CBS gave none, if it said."""
    if not series.missing:
        return None
    reason = series.missing[max(series.missing)]
    return MissingReason(reason).label if reason in MissingReason.values else "geheim"


def _provenance_text(series: IndicatorSeries, latest: str | None) -> str:
    """Where the value shown came from, and why a later period has none: "2021: niet
    beschikbaar: CBS heeft dit cijfer ... niet gepubliceerd", "periode afgeleid ...". Empty when
    the figure is simply as CBS published it for its own period."""
    parts = []
    if latest and latest in series.inferred:
        parts.append(f"{latest}: {INFERRED_PERIOD_TEXT[series.inferred[latest]]}")
    later = sorted(p for p in series.missing if latest is None or p > latest)
    if later:
        parts.append(f"{later[-1]}: {reason_text(series.missing[later[-1]])}")
    return "; ".join(parts) + ("." if parts else "")


def indicator_table(data: WardDashboard, *, context: bool) -> ChartBlock:
    rows = []
    for series in data.indicators:
        indicator = series.indicator
        if (indicator.role == IndicatorRole.CONTEXT) != context:
            continue
        decimals = decimals_for_unit(indicator.unit)
        latest = series.latest_period()
        trend_text, change = _trend_text(series.ward, decimals)
        role = (
            CONDITION_INFO[indicator.role].short_nl
            if indicator.role in CONDITION_INFO
            else "context"
        )
        municipality = data.region.municipality.code
        rows.append(
            {
                "name": indicator.name_nl,
                "url": f"/indicator/{indicator.code}/?gemeente={municipality}&niveau={data.region.level}",
                "role": role,
                "unit": indicator.unit,
                "period": latest or "",
                "value": series.ward.get(latest) if latest else _missing_word(series),
                "municipal": series.municipal.get(latest) if latest else None,
                "trend": trend_text,
                "change": change,
                # A context figure is not scored: its rise is neither better nor worse.
                "direction": 0 if context else indicator.direction,
                "source": indicator.source,
                "provenance": _provenance_text(series, latest),
                "definition": indicator.definition,
                "decimals": decimals,
            }
        )
    what = "Contextindicatoren (niet gescoord)" if context else "Indicatoren van de vier condities"
    table = Table(
        caption=f"{what} van {data.region.name}: meest recente waarde, de gemeente in dezelfde periode en de trend",
        columns=[
            Column("name", "Indicator", decimals=None, link_key="url"),
            *([] if context else [Column("role", "Conditie", decimals=None)]),
            Column("period", "Periode", decimals=None),
            Column("value", "Waarde", decimals=1, decimals_key="decimals"),
            Column("municipal", "Gemeente", decimals=1, decimals_key="decimals"),
            Column("unit", "Eenheid", decimals=None),
            Column("trend", "Trend", decimals=None),
            Column(
                "change",
                "Verandering",
                decimals=1,
                decimals_key="decimals",
                direction_key="direction",
            ),
            Column("source", "Bron", decimals=None),
            Column("provenance", "Herkomst van de waarde", decimals=None),
            Column("definition", "Definitie", decimals=None),
        ],
        rows=rows,
        header_key="name",
    )
    known = sum(r["period"] != "" for r in rows)
    summary = (
        f"{known} van de {len(rows)} {'contextindicatoren' if context else 'indicatoren van de condities'} "
        f"hebben een waarde voor {data.region.name}; de gemeentelijke waarde staat ernaast voor "
        "dezelfde periode."
    )
    return ChartBlock("context" if context else "indicatoren", what, summary, table, None)
