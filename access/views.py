"""A municipality's beheer, for its beheerders (no Django staff needed): access and scoring
settings, users and roles, region names. Every view asks access.permissions for ADMINISTER of
the municipality in the URL: its other users get 403, everyone else 404 (anonymous: login)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from access import selectors, services
from access.forms import MembershipForm, MunicipalitySettingsForm, NewMemberForm, RegionNameForm
from access.permissions import Capability, require
from monitoring.models import Region
from monitoring.selectors import municipality_get


def _posted(request: HttpRequest):
    """The POST data, also when empty (an unticked checkbox sends nothing); None for GET."""
    return request.POST if request.method == "POST" else None


def _administered(request: HttpRequest, code: str) -> Region:
    municipality = municipality_get(code, user=request.user)
    require(request.user, Capability.ADMINISTER, municipality)
    return municipality


def settings(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _administered(request, code)
    current = selectors.municipality_settings(municipality)
    form = MunicipalitySettingsForm(
        _posted(request),
        periods=current.periods,
        initial={
            "is_published": current.is_published,
            "require_mfa_for_admins": current.require_mfa_for_admins,
            "base_period": current.base_period,
        },
    )
    if request.method == "POST" and form.is_valid():
        outcome = services.municipality_settings_set(municipality=municipality, **form.cleaned_data)
        text = "De instellingen zijn opgeslagen."
        if outcome.published_changed:
            text += (
                " De gemeente is nu openbaar."
                if form.cleaned_data["is_published"]
                else " De gemeente is niet meer openbaar."
            )
        if outcome.scores_written is not None:
            text += f" Scores opnieuw berekend ({outcome.scores_written} scores)."
        messages.success(request, text)
        return redirect("access:settings", code=municipality.code)
    return render(
        request,
        "access/settings.html",
        {"municipality": municipality, "form": form, "tab": "instellingen"},
    )


def members(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _administered(request, code)
    return render(
        request,
        "access/members.html",
        {
            "municipality": municipality,
            "members": selectors.members(municipality),
            "tab": "gebruikers",
        },
    )


def member_add(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _administered(request, code)
    form = NewMemberForm(_posted(request), municipality=municipality)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.member_add(municipality=municipality, **form.cleaned_data)
        except services.AccessRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request,
                f"{membership.user.get_full_name()} is toegevoegd als "
                f"{membership.get_role_display().lower()}. Laat hen een wachtwoord kiezen via "
                f"“wachtwoord vergeten” op de inlogpagina, met {membership.user.email}.",
            )
            return redirect("access:members", code=municipality.code)
    return render(
        request,
        "access/member_form.html",
        {"municipality": municipality, "form": form, "tab": "gebruikers"},
    )


def _membership(municipality: Region, pk: int):
    membership = selectors.member_get(municipality, pk)
    if membership is None:
        raise Http404("Onbekende gebruiker in deze gemeente.")
    return membership


def member(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    municipality = _administered(request, code)
    membership = _membership(municipality, pk)
    form = MembershipForm(
        _posted(request),
        municipality=municipality,
        initial={
            "role": membership.role,
            "wards": list(membership.wards.all()),
            "is_coordinator": membership.is_coordinator,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(membership=membership, **form.cleaned_data)
        except services.AccessRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request, f"De rol van {membership.user.get_full_name()} is opgeslagen."
            )
            return redirect("access:members", code=municipality.code)
    return render(
        request,
        "access/member_form.html",
        {"municipality": municipality, "form": form, "membership": membership, "tab": "gebruikers"},
    )


@require_POST
def member_remove(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    municipality = _administered(request, code)
    membership = _membership(municipality, pk)
    try:
        services.member_remove(membership=membership)
    except services.AccessRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            f"{membership.user.get_full_name() or membership.user.username} heeft geen rol meer "
            f"in {municipality.name}.",
        )
    return redirect("access:members", code=municipality.code)


def regions(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _administered(request, code)
    return render(
        request,
        "access/regions.html",
        {
            "municipality": municipality,
            "regions": selectors.regions(municipality),
            "tab": "gebieden",
        },
    )


def region(request: HttpRequest, code: str, region_code: str) -> HttpResponse:
    municipality = _administered(request, code)
    found = selectors.region_get(municipality, region_code)
    if found is None:
        raise Http404("Onbekend gebied in deze gemeente.")
    form = RegionNameForm(_posted(request), initial={"name": found.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.region_rename(region=found, name=form.cleaned_data["name"])
        except services.AccessRefused as refused:
            form.add_error("name", refused.message)
        else:
            messages.success(request, f"De naam van {found.code} is nu “{found.name}”.")
            return redirect("access:regions", code=municipality.code)
    return render(
        request,
        "access/region_form.html",
        {"municipality": municipality, "form": form, "region": found, "tab": "gebieden"},
    )
