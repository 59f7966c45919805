"""The audit trail page: a beheerder reads their municipality's trail; a site administrator
reads everyone's."""

from __future__ import annotations

from math import ceil

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from access.permissions import Capability, is_site_admin, memberships, require
from audit import selectors
from audit.forms import TrailFilterForm
from audit.trail import entries, referenced_ids
from monitoring.models import Region, Role


def trail_start(request: HttpRequest) -> HttpResponse:
    """Site administrators: every municipality's trail. A beheerder: their municipality's.
    (Anonymous visitors never get here: LoginRequiredMiddleware.)"""
    if is_site_admin(request.user):
        return _trail_page(request, municipality=None)
    administered = [
        m.municipality for m in memberships(request.user).values() if m.role == Role.ADMIN
    ]
    if len(administered) == 1:
        return redirect("audit:trail", code=administered[0].code)
    if not administered:
        raise PermissionDenied("Alleen beheerders lezen het logboek.")
    return render(request, "audit/choose.html", {"municipalities": administered})


def trail(request: HttpRequest, code: str) -> HttpResponse:
    """One municipality's trail: its beheerders and site administrators; its other users 403,
    anyone else 404 (`access.permissions.require`)."""
    municipality = Region.objects.municipalities().filter(code=code.upper()).first()
    require(request.user, Capability.ADMINISTER, municipality)
    return _trail_page(request, municipality=municipality)


def _trail_page(request: HttpRequest, *, municipality: Region | None) -> HttpResponse:
    municipality_id = municipality.pk if municipality else None
    form = TrailFilterForm(
        request.GET,
        people=selectors.trail_people(municipality_id=municipality_id),
        kinds=selectors.trail_kinds(),
    )
    filters = form.filters()
    found = selectors.trail_rows(municipality_id=municipality_id, filters=filters)
    user_ids, region_ids = referenced_ids(found.rows)
    shown = entries(
        found.rows,
        users=selectors.names_of_users(user_ids),
        regions=selectors.codes_of_regions(region_ids),
    )
    pages = max(1, ceil(found.total / selectors.PAGE_SIZE))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request,
        "audit/trail.html",
        {
            "municipality": municipality,
            "form": form,
            "entries": shown,
            "total": found.total,
            "page": min(filters.page, pages),
            "pages": pages,
            "previous_page": filters.page - 1 if filters.page > 1 else None,
            "next_page": filters.page + 1 if filters.page < pages else None,
            "query": query.urlencode(),
            "filtered": any(form.data.get(name) for name in ("wie", "wat", "van", "tot")),
        },
    )
