"""Dashboard views: validate the query string, read, assemble, render.

One view and one template per page serve the full page, its htmx fragment (``#dashboard``) and
the tables behind its charts as CSV or JSON (``?format=csv&tabel=<id>``).
"""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers

from monitoring import dashboards, selectors
from monitoring.conditions import CONDITION_INFO
from monitoring.dashboards import Page
from monitoring.forms import DashboardParams, params_from
from monitoring.models import Level, Region
from observations.dashboard import municipality_sections, ward_sections

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SOURCE_LINE = (
    "Bron: CBS, Kerncijfers wijken en buurten (CC BY 4.0); scores: Sociale Kwaliteit Monitor."
)


def home(request: HttpRequest) -> HttpResponse:
    """One municipality: its dashboard. Several: a list. None: how to get data in."""
    municipalities = selectors.municipalities()
    if len(municipalities) == 1:
        return _municipality_page(request, municipalities[0])
    return render(request, "monitoring/home.html", {"municipalities": municipalities})


def municipality(request: HttpRequest, code: str) -> HttpResponse:
    region = selectors.municipality_get(code)
    if region is None:
        raise Http404("Onbekende gemeente.")
    if code != region.code:
        return redirect("municipality", code=region.code, permanent=True)
    return _municipality_page(request, region)


def _municipality_page(request: HttpRequest, region: Region) -> HttpResponse:
    params = params_from(request.GET)
    data = selectors.municipality_dashboard(
        municipality=region, level=params.level, method=params.method
    )
    page = dashboards.municipality_page(data, params)
    municipality_sections(request.user, region, page)
    return _respond(request, "monitoring/municipality.html", page, params, f"{region.code}")


def area(request: HttpRequest, code: str, level: str = Level.WIJK) -> HttpResponse:
    region = _area_or_404(code, level)
    params = params_from(request.GET)
    # The breakdown of the four scores is recomputed from the values, so the page loads it as
    # a section of its own once it is in view (without JavaScript: the drill-down links).
    data = selectors.ward_dashboard(
        region=region,
        method=params.method,
        period=params.period,
        with_breakdowns=params.part == "opbouw",
    )
    page = dashboards.ward_page(data, params)
    if params.part == "opbouw":
        return render(request, "monitoring/ward.html#opbouw", page.context)
    ward_sections(request.user, region, page)
    return _respond(request, "monitoring/ward.html", page, params, region.code)


def score_detail(
    request: HttpRequest, code: str, condition: str, level: str = Level.WIJK
) -> HttpResponse:
    if condition not in CONDITION_INFO:
        raise Http404("Onbekende conditie.")
    region = _area_or_404(code, level)
    params = params_from(request.GET)
    detail = selectors.score_detail(
        region=region, condition=condition, method=params.method, period=params.period
    )
    page = dashboards.score_detail_page(detail, params)
    return _respond(request, "monitoring/score_detail.html", page, params, f"{code}-{condition}")


def compare(request: HttpRequest) -> HttpResponse:
    params = params_from(request.GET)
    data = selectors.compare(
        codes=params.codes, municipality_code=params.municipality, method=params.method
    )
    page = dashboards.compare_page(data, params)
    return _respond(request, "monitoring/compare.html", page, params, "vergelijking")


def indicator(request: HttpRequest, code: str) -> HttpResponse:
    found = selectors.indicator_get(code)
    params = params_from(request.GET)
    region = selectors.municipality_get(params.municipality)
    if found is None or region is None:
        raise Http404("Onbekende indicator of gemeente.")
    data = selectors.indicator_data(indicator=found, municipality=region, level=params.level)
    page = dashboards.indicator_page(data, params)
    return _respond(request, "monitoring/indicator.html", page, params, code)


def change(request: HttpRequest) -> HttpResponse:
    params = params_from(request.GET)
    region = selectors.municipality_get(params.municipality)
    if region is None:
        return render(request, "monitoring/home.html", {"municipalities": []})
    data = selectors.change_data(
        municipality=region, level=params.level, method=params.method, condition=params.condition
    )
    page = dashboards.change_page(data, params)
    return _respond(request, "monitoring/change.html", page, params, "verandering")


def _area_or_404(code: str, level: str) -> Region:
    region = selectors.area_get(code, level)
    if region is None:
        raise Http404("Onbekende wijk of buurt.")
    return region


def _respond(
    request: HttpRequest, template: str, page: Page, params: DashboardParams, name: str
) -> HttpResponse:
    """The page, its htmx fragment, or one of its tables as CSV or JSON."""
    if params.format in ("csv", "xlsx"):
        table = page.table(params.table)
        if table is None:
            raise Http404("Deze pagina heeft geen tabel met die naam.")
        if params.format == "csv":
            response = HttpResponse(table.to_csv(), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(table.to_xlsx(source=SOURCE_LINE), content_type=XLSX_TYPE)
        filename = f"{name}-{params.table or page.blocks[0].id}.{params.format}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    if params.format == "json":
        tables = page.tables()
        if params.table:
            if params.table not in tables:
                raise Http404("Deze pagina heeft geen tabel met die naam.")
            tables = {params.table: tables[params.table]}
        body = {"tables": {key: table.to_json() for key, table in tables.items()}}
        return HttpResponse(
            json.dumps(body, ensure_ascii=False), content_type="application/json; charset=utf-8"
        )
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request and not htmx.boosted:
        template = f"{template}#dashboard"
    response = render(request, template, page.context)
    patch_vary_headers(response, ["HX-Request"])
    return response
