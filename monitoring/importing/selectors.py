"""Reads for the import pages: the column guide and the regions a template is filled with."""

from __future__ import annotations

from django.db.models import Q

from monitoring.conditions import IndicatorRole
from monitoring.importing.column_guide import GuideRow, TemplateRegion
from monitoring.models import Indicator, Level, Region

_LEVEL_ORDER = {Level.GEMEENTE: 0, Level.WIJK: 1, Level.BUURT: 2}


def column_guide() -> list[GuideRow]:
    """Every indicator with the column names the import accepts for it (one query)."""
    return [
        GuideRow(
            code=code,
            name=name,
            unit=unit,
            role=IndicatorRole(role).label if role in IndicatorRole.values else role,
            aliases=tuple(aliases),
            derived=bool(numerator),
        )
        for code, name, unit, role, aliases, numerator in Indicator.objects.order_by(
            "sort_order", "code"
        ).values_list("code", "name_nl", "unit", "role", "aliases", "numerator")
    ]


def template_regions(municipality: Region) -> list[TemplateRegion]:
    """The municipality, its wards and its neighbourhoods as they are now (one query)."""
    rows = Region.objects.filter(
        Q(pk=municipality.pk) | Q(municipality=municipality),
        level__in=list(_LEVEL_ORDER),
        last_year__isnull=True,
    ).values_list("code", "name", "level")
    ordered = sorted(rows, key=lambda row: (_LEVEL_ORDER[row[2]], row[0]))
    return [TemplateRegion(code=code, name=name) for code, name, _level in ordered]
