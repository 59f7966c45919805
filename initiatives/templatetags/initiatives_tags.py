"""Template helpers of the initiative pages, and the ward page's initiatives section.

``{% ward_initiatives region %}`` is the one line the ward page (monitoring) needs: it reads the
section's data through ``initiatives.selectors`` (two queries) and renders its own template.
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from access.permissions import Capability, capabilities
from initiatives import pages, selectors
from initiatives.choices import Funding, Kind, PartnerKind, Status, TargetGroup, label_of
from monitoring.conditions import CONDITION_INFO

register = template.Library()


@register.filter
def condition_names(codes) -> str:
    return ", ".join(CONDITION_INFO[c].name_nl for c in codes or () if c in CONDITION_INFO)


@register.filter
def kind_label(value) -> str:
    return label_of(Kind, value)


@register.filter
def status_label(value) -> str:
    return label_of(Status, value)


@register.filter
def funding_label(value) -> str:
    """Short, for a list whose next words are "tot <datum>"."""
    return label_of(Funding, value).split(" (")[0]


@register.filter
def group_labels(values) -> str:
    return ", ".join(label_of(TargetGroup, v) for v in values or ())


@register.filter
def partner_labels(values) -> str:
    return ", ".join(label_of(PartnerKind, v) for v in values or ())


@register.inclusion_tag("initiatives/_ward_section.html", takes_context=True)
def ward_initiatives(context, region):
    """The initiatives serving this ward, by condition and target group, with their reach."""
    request = context["request"]
    municipality = region.municipality
    granted = capabilities(request.user, municipality)
    # A buurt shows the initiatives of the ward it lies in.
    ward = region if region.level == "wijk" else region.parent
    if Capability.VIEW not in granted or ward is None or ward.level != "wijk":
        return {"hidden": True, "request": request}
    data = selectors.ward_initiatives(ward=ward, today=timezone.localdate())
    return {
        "request": request,
        "via_parent": ward is not region,
        **pages.ward_section(
            data,
            municipality_code=municipality.code,
            private=Capability.VIEW_PRIVATE in granted,
            can_keep=Capability.KEEP_INITIATIVES in granted,
        ),
    }
