"""Dashboard views: check access, validate the query string, read, assemble, render.

Every view is open to anonymous visitors (``login_not_required``) and decides itself through
``access.permissions``: a published municipality's statistics are public, with small regions'
values suppressed (``monitoring.disclosure``); anything else sends an anonymous visitor to the
login page and answers a logged-in user without a role there with 404.

One view and one template per page serve the full page, its htmx fragment (``#dashboard``) and
the tables behind its charts as CSV, Excel or JSON (``?format=csv&tabel=<id>``). Pages are
cached until the data or the viewer's access changes (``monitoring.page_cache``).
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers

from access.permissions import Capability, is_public_view, not_found, require
from monitoring import (
    catalogue,
    change_selectors,
    compare_selectors,
    dashboards,
    disclosure,
    exports,
    selectors,
)
from monitoring.conditions import CONDITION_INFO
from monitoring.dashboards import Page
from monitoring.forms import DashboardParams, params_from
from monitoring.models import Level, Region
from monitoring.page_cache import cached_page
from observations.dashboard import municipality_sections, ward_sections


@login_not_required
@cached_page
def home(request: HttpRequest) -> HttpResponse:
    """One municipality: its dashboard. Several: a list. None: how to get data in (or, for an
    anonymous visitor with nothing published, the login page)."""
    municipalities = selectors.municipalities(user=request.user)
    if len(municipalities) == 1:
        return _municipality_page(request, municipalities[0])
    if not municipalities and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "monitoring/home.html", {"municipalities": municipalities})


@login_not_required
@cached_page
def municipality(request: HttpRequest, code: str) -> HttpResponse:
    region = selectors.municipality_get(code, user=request.user)
    require(request.user, Capability.VIEW, region)
    if code != region.code:
        return redirect("municipality", code=region.code, permanent=True)
    return _municipality_page(request, region)


def _municipality_page(request: HttpRequest, region: Region) -> HttpResponse:
    granted = require(request.user, Capability.VIEW, region)
    params = params_from(request.GET)
    data = selectors.municipality_dashboard(
        municipality=region, level=params.level, method=params.method
    )
    page = dashboards.municipality_page(data, params)
    municipality_sections(region, page, granted)
    return _respond(request, "monitoring/municipality.html", page, params, region.code, granted)


@login_not_required
@cached_page
def area(request: HttpRequest, code: str, level: str = Level.WIJK) -> HttpResponse:
    region = selectors.area_get(code, level, user=request.user)
    granted = require(request.user, Capability.VIEW, region)
    params = params_from(request.GET)
    # The breakdown of the four scores is recomputed from the values, so the page loads it as
    # a section of its own once it is in view (without JavaScript: the drill-down links).
    data = selectors.ward_dashboard(
        region=region,
        method=params.method,
        period=params.period,
        with_breakdowns=params.part == "opbouw",
    )
    public = is_public_view(granted)
    if public:
        data = disclosure.ward_for_public(data)
    page = dashboards.ward_page(data, params)
    page.context["values_suppressed"] = public and disclosure.is_small(region.inhabitants)
    if params.part == "opbouw":
        return render(request, "monitoring/ward.html#opbouw", page.context)
    ward_sections(region, page, granted)
    return _respond(request, "monitoring/ward.html", page, params, region.code, granted)


@login_not_required
@cached_page
def score_detail(
    request: HttpRequest, code: str, condition: str, level: str = Level.WIJK
) -> HttpResponse:
    region = selectors.area_get(code, level, user=request.user)
    granted = require(request.user, Capability.VIEW, region)
    if condition not in CONDITION_INFO:
        raise Http404("Onbekende conditie.")
    params = params_from(request.GET)
    detail = selectors.score_detail(
        region=region, condition=condition, method=params.method, period=params.period
    )
    if is_public_view(granted):
        detail = disclosure.score_detail_for_public(detail)
    page = dashboards.score_detail_page(detail, params)
    return _respond(
        request, "monitoring/score_detail.html", page, params, f"{code}-{condition}", granted
    )


@login_not_required
@cached_page
def compare(request: HttpRequest) -> HttpResponse:
    params = params_from(request.GET)
    named = _municipality_or_hidden(request, params.municipality) if params.municipality else None
    data = compare_selectors.compare(
        codes=params.codes,
        municipality=named,
        method=params.method,
        user=request.user,
    )
    granted = _granted_or_empty(request, data.municipality)
    if is_public_view(granted):
        data = disclosure.compare_for_public(data)
    page = dashboards.compare_page(data, params)
    return _respond(request, "monitoring/compare.html", page, params, "vergelijking", granted)


@login_not_required
@cached_page
def indicator(request: HttpRequest, code: str) -> HttpResponse:
    params = params_from(request.GET)
    region = selectors.municipality_get(params.municipality, user=request.user)
    granted = require(request.user, Capability.VIEW, region)
    found = selectors.indicator_get(code)
    if found is None:
        raise Http404("Onbekende indicator.")
    data = selectors.indicator_data(indicator=found, municipality=region, level=params.level)
    if is_public_view(granted):
        data = disclosure.indicator_for_public(data)
    page = dashboards.indicator_page(data, params)
    return _respond(request, "monitoring/indicator.html", page, params, code, granted)


@login_not_required
@cached_page
def indicators(request: HttpRequest) -> HttpResponse:
    """Every indicator of the monitor, each a link to its page in this municipality."""
    params = params_from(request.GET)
    region = selectors.municipality_get(params.municipality, user=request.user)
    granted = require(request.user, Capability.VIEW, region)
    page = catalogue.indicator_list_page(selectors.indicators_for_menu(), region, params)
    return _respond(request, "monitoring/indicators.html", page, params, region.code, granted)


@login_not_required
@cached_page
def change(request: HttpRequest) -> HttpResponse:
    params = params_from(request.GET)
    if params.municipality:
        region = _municipality_or_hidden(request, params.municipality)
    else:
        region = selectors.municipality_get(None, user=request.user)
    if region is None and request.user.is_authenticated:
        return render(request, "monitoring/home.html", {"municipalities": []})
    granted = require(request.user, Capability.VIEW, region)
    data = change_selectors.change_data(
        municipality=region,
        level=params.level,
        method=params.method,
        condition=params.condition,
        start=params.start,
        end=params.end,
    )
    page = dashboards.change_page(data, params)
    return _respond(request, "monitoring/change.html", page, params, "verandering", granted)


def _municipality_or_hidden(request: HttpRequest, code: str) -> Region:
    """The municipality a query string names, if the user may view it (else 404 or login)."""
    region = selectors.municipality_get(code, user=request.user)
    require(request.user, Capability.VIEW, region)
    return region


def _granted_or_empty(request: HttpRequest, region: Region | None) -> frozenset[Capability]:
    """A page that may show an empty state: a logged-in user without any municipality gets it,
    an anonymous visitor with nothing published the login page."""
    if region is None and request.user.is_authenticated:
        return frozenset({Capability.VIEW})
    return require(request.user, Capability.VIEW, region)


def _respond(
    request: HttpRequest,
    template: str,
    page: Page,
    params: DashboardParams,
    name: str,
    granted: frozenset[Capability],
) -> HttpResponse:
    """The page, its htmx fragment, or one of its tables as CSV or JSON.

    The template learns what the user may do here as ``may`` (``may.view_private``: show
    observations, narratives and initiative contacts) and whether this is the public site."""
    if params.format in ("csv", "xlsx", "json") and Capability.EXPORT not in granted:
        raise not_found(request.user)
    page.context["may"] = {capability.value: True for capability in granted}
    page.context["public_view"] = is_public_view(granted)
    if params.format in ("csv", "xlsx"):
        response = exports.table_download(page, params, name)
        if response is None:
            raise Http404("Deze pagina heeft geen tabel met die naam.")
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
