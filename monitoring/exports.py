"""Downloads of a page's tables: what the file is called and what its title row says.

A download names what it shows, in the file name and in its title row: the level (wijken or
buurten), the period and, on pages that show scores, the method. Two downloads of the same table
by different methods are two different files, never both ``GM0518-scorekaart.xlsx``.
The files themselves are written by :mod:`monitoring.charts.exports` (pure).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.http import HttpResponse

from monitoring.charts import Table
from monitoring.dashboards import Page
from monitoring.forms import DashboardParams
from monitoring.models import Level, ScoreMethod

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
SOURCE_LINE = (
    "Bron: CBS, Kerncijfers wijken en buurten (CC BY 4.0); scores: Sociale Kwaliteit Monitor."
)
_PLURAL = {Level.WIJK.value: "wijken", Level.BUURT.value: "buurten"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Scope:
    """What a page's figures are: the level, the period and the method (None where not used)."""

    level: str  # "wijk" for one area, "wijken" for a list of them
    period: str | None
    method: str | None

    def words(self) -> str:
        """For the title row: "wijken, 2019, methode: percentielrang binnen de periode"."""
        parts = [self.level]
        if self.period:
            parts.append(self.period)
        if self.method:
            parts.append(f"methode: {ScoreMethod(self.method).label}")
        return ", ".join(parts)

    def slug(self) -> str:
        """For the file name: "wijken-2019-percentiel"."""
        parts = [self.level, self.period or "", self.method or ""]
        return "-".join(_UNSAFE.sub("-", p.replace("–", "-")) for p in parts if p)


def scope_of(page: Page, params: DashboardParams) -> Scope:
    context = page.context
    region = context.get("region")
    if region is not None:
        level = region.level
    else:
        data_level = getattr(context.get("data"), "level", params.level)
        level = _PLURAL.get(data_level, data_level)
    if context.get("start") and context.get("end"):
        period = f"{context['start']}–{context['end']}"
    else:
        period = context.get("period") or None
    # An indicator's page shows values, not scores: no method applies to them.
    method = params.method if context.get("uses_method", "indicator" not in context) else None
    return Scope(level=level, period=period, method=method)


def title_row(table: Table, scope: Scope) -> str:
    return f"{table.caption} — {scope.words()}"


def filename(name: str, table_id: str, scope: Scope, extension: str) -> str:
    return f"{_UNSAFE.sub('-', name)}-{table_id}-{scope.slug()}.{extension}"


def table_download(page: Page, params: DashboardParams, name: str) -> HttpResponse | None:
    """One of the page's tables as CSV or Excel; None when the page has no table by that id."""
    table = page.table(params.table)
    if table is None:
        return None
    table_id = params.table or page.blocks[0].id
    scope = scope_of(page, params)
    title = title_row(table, scope)
    if params.format == "csv":
        body, content_type = table.to_csv(title=title, source=SOURCE_LINE), CSV_TYPE
    else:
        body, content_type = table.to_xlsx(title=title, source=SOURCE_LINE), XLSX_TYPE
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{filename(name, table_id, scope, params.format)}"'
    )
    return response
