"""Reads of a municipality's beheer screens, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from access.models import MunicipalityAccess
from monitoring.models import IndicatorValue, Level, Membership, Region, ScoringSettings
from monitoring.selectors import is_region_code


@dataclass(frozen=True)
class MunicipalitySettings:
    is_published: bool
    require_mfa_for_admins: bool
    base_period: str
    periods: list[str]  # years with values: candidates for the base year


def municipality_settings(municipality: Region) -> MunicipalitySettings:
    """Access and scoring settings and the years with values: three queries."""
    access = MunicipalityAccess.objects.filter(municipality=municipality).first()
    scoring = ScoringSettings.objects.filter(municipality=municipality).first()
    periods = sorted(
        p
        for p in IndicatorValue.objects.filter(region__municipality=municipality)
        .values_list("period", flat=True)
        .distinct()
        if len(p) == 4  # years only, as the scoring's base period
    )
    return MunicipalitySettings(
        is_published=bool(access and access.is_published),
        require_mfa_for_admins=bool(access and access.require_mfa_for_admins),
        base_period=scoring.base_period if scoring else "",
        periods=periods,
    )


def members(municipality: Region) -> list[Membership]:
    """Everyone with a role in this municipality, with their wards: two queries."""
    return list(
        Membership.objects.filter(municipality=municipality)
        .select_related("user")
        .prefetch_related("wards")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def member_get(municipality: Region, pk: int) -> Membership | None:
    return (
        Membership.objects.filter(municipality=municipality, pk=pk)
        .select_related("user", "municipality")
        .first()
    )


def regions(municipality: Region) -> list[Region]:
    """The municipality's current wards and neighbourhoods, by code: one query."""
    return list(
        Region.objects.filter(
            municipality=municipality, level__in=(Level.WIJK, Level.BUURT), last_year__isnull=True
        )
        .defer("geometry")
        .order_by("code")
    )


def region_get(municipality: Region, code: str) -> Region | None:
    if not is_region_code(code):
        return None
    return (
        Region.objects.filter(
            municipality=municipality,
            code=code.upper(),
            level__in=(Level.WIJK, Level.BUURT),
            last_year__isnull=True,
        )
        .defer("geometry")
        .first()
    )
