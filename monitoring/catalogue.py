"""The list of indicators: every active indicator by condition, each a link to its own page.

Assembled like the dashboards (:mod:`monitoring.dashboards`): selector data and the query string
in, a :class:`~monitoring.dashboards.Page` out, no queries. Its table downloads like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from monitoring.charts import ChartBlock, Column, Table
from monitoring.conditions import CONDITIONS, IndicatorRole
from monitoring.dashboards import Page
from monitoring.forms import DashboardParams
from monitoring.models import Indicator, Level, Region

_GROUPS = [(info.condition.value, info.name_nl) for info in CONDITIONS] + [
    (IndicatorRole.CONTEXT.value, IndicatorRole.CONTEXT.label)
]


def indicator_list_page(
    indicators: Sequence[Indicator], municipality: Region, params: DashboardParams
) -> Page:
    level = params.level if params.level in (Level.WIJK, Level.BUURT) else Level.WIJK
    query = urlencode({"gemeente": municipality.code, "niveau": level})
    order = {role: i for i, (role, _) in enumerate(_GROUPS)}
    names = dict(_GROUPS)
    rows: list[dict[str, Any]] = [
        {
            "name": indicator.name_nl,
            "url": f"/indicator/{indicator.code}/?{query}",
            "code": indicator.code,
            "role": names.get(indicator.role, indicator.role),
            "unit": indicator.unit,
            "direction": indicator.get_direction_display(),
            "source": indicator.source,
            "definition": indicator.definition,
        }
        for indicator in sorted(indicators, key=lambda i: order.get(i.role, len(order)))
    ]
    table = Table(
        caption=f"Indicatoren van de monitor, per conditie ({len(rows)})",
        columns=[
            Column("name", "Indicator", decimals=None, link_key="url"),
            Column("code", "Code", decimals=None),
            Column("role", "Conditie", decimals=None),
            Column("unit", "Eenheid", decimals=None),
            Column("direction", "Richting", decimals=None),
            Column("source", "Bron", decimals=None),
            Column("definition", "Definitie", decimals=None),
        ],
        rows=rows,
        header_key="name",
    )
    counts = {role: sum(r["role"] == name for r in rows) for role, name in _GROUPS}
    summary = (
        f"{len(rows)} indicatoren: "
        + ", ".join(f"{counts[role]} voor {name.lower()}" for role, name in _GROUPS)
        + ". Kies een indicator voor zijn kaart, verdeling en trend in "
        + f"{municipality.name}."
    )
    block = ChartBlock("indicatoren", "Alle indicatoren", summary, table, None)
    return Page(
        context={
            "municipality": municipality,
            "params": params,
            "level": level,
            "uses_method": False,
            "catalogue": block,
            "blocks": [block],
            "empty_message": None
            if rows
            else "Nog geen indicatoren: laad het indicatorenkader (Beheer → Indicatoren).",
        },
        blocks=[block],
    )
