"""Reads of the audit trail: every event table and the security events as one list, newest
first, filtered and paginated in the database (a fixed number of queries per page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import (
    BigIntegerField,
    CharField,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, JSONObject

from audit.history import KINDS, SOURCES, TrailSource
from audit.models import AuditEvent

SECURITY_KIND = "aanmelden"
SECURITY_LABEL = "Inloggen en beveiliging"
PAGE_SIZE = 50
# The columns every part of the list shares, in this order.
COLUMNS = (
    "e_source",
    "e_kind",
    "e_id",
    "e_at",
    "e_action",
    "e_obj",
    "e_user",
    "e_data",
    "e_before",
)


@dataclass(frozen=True)
class TrailFilters:
    who: int | None = None
    kind: str | None = None
    since: date | None = None
    until: date | None = None
    page: int = 1


@dataclass
class TrailRows:
    total: int
    rows: list[dict] = field(default_factory=list)


def trail_kinds() -> dict[str, str]:
    """The kinds of entry, for the filter: every tracked kind, then the security events."""
    return {**KINDS, SECURITY_KIND: SECURITY_LABEL}


def _tracked_fields(source: TrailSource) -> list:
    return [
        f
        for f in source.event_model._meta.concrete_fields
        if not f.name.startswith("pgh_") and f.name != "id"
    ]


def _snapshot(source: TrailSource) -> JSONObject:
    return JSONObject(**{f.attname: F(f.attname) for f in _tracked_fields(source)})


def _history_rows(
    index: int, source: TrailSource, municipality_id: int | None, filters: TrailFilters
) -> QuerySet:
    model = source.event_model
    events = model.objects.all()
    if municipality_id is not None:
        events = events.filter(source.in_municipality(municipality_id))
    context_user = Cast(KT("pgh_context__user"), BigIntegerField())
    actor = (
        Coalesce(
            context_user,
            *(F(f"{name}_id") for name in source.actor_fields),
            output_field=BigIntegerField(),
        )
        if source.actor_fields
        else context_user
    )
    if source.has_object:
        obj = Cast("pgh_obj_id", TextField())
        previous = Subquery(
            model.objects.filter(pgh_obj_id=OuterRef("pgh_obj_id"), pgh_id__lt=OuterRef("pgh_id"))
            .order_by("-pgh_id")
            .values(snapshot=_snapshot(source))[:1],
            output_field=JSONField(),
        )
    else:
        obj = Value("", output_field=TextField())
        previous = Value(None, output_field=JSONField())
    return _shaped(
        events.annotate(e_user=actor),
        e_source=Value(index, output_field=IntegerField()),
        e_kind=Value(source.kind, output_field=CharField()),
        e_id=F("pgh_id"),
        e_at=F("pgh_created_at"),
        e_action=F("pgh_label"),
        e_obj=obj,
        e_data=_snapshot(source),
        e_before=previous,
        filters=filters,
        time_field="pgh_created_at",
    )


def _security_rows(municipality_id: int | None, filters: TrailFilters) -> QuerySet:
    events = AuditEvent.objects.all()
    if municipality_id is not None:
        # Accounts that ever had a role there, so that a removed role keeps its logins.
        roles = apps.get_model("audit", "MembershipEvent").objects
        events = events.filter(
            actor_id__in=roles.filter(municipality_id=municipality_id).values("user")
        )
    return _shaped(
        events.annotate(e_user=Cast("actor_id", BigIntegerField())),
        e_source=Value(-1, output_field=IntegerField()),
        e_kind=Value(SECURITY_KIND, output_field=CharField()),
        e_id=F("id"),
        e_at=F("occurred_at"),
        e_action=F("action"),
        e_obj=F("username"),
        e_data=JSONObject(
            resultaat=F("outcome"),
            adres=F("ip_address"),
            browser=F("user_agent"),
            pagina=F("path"),
            bijzonderheden=F("detail"),
        ),
        e_before=Value(None, output_field=JSONField()),
        filters=filters,
        time_field="occurred_at",
    )


def _shaped(events: QuerySet, *, filters: TrailFilters, time_field: str, **columns) -> QuerySet:
    if filters.who is not None:
        events = events.filter(e_user=filters.who)
    if filters.since is not None:
        events = events.filter(**{f"{time_field}__date__gte": filters.since})
    if filters.until is not None:
        events = events.filter(**{f"{time_field}__date__lte": filters.until})
    return events.order_by().annotate(**columns).values(*COLUMNS)


def trail_rows(*, municipality_id: int | None, filters: TrailFilters) -> TrailRows:
    """One page of the trail of a municipality (``None``: of every municipality), with the
    number of entries that match. Two queries."""
    parts = [
        _history_rows(index, source, municipality_id, filters)
        for index, source in enumerate(SOURCES)
        if filters.kind in (None, source.kind)
    ]
    if filters.kind in (None, SECURITY_KIND):
        parts.append(_security_rows(municipality_id, filters))
    if not parts:
        return TrailRows(total=0)
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    total = combined.count()
    start = (max(filters.page, 1) - 1) * PAGE_SIZE
    rows = list(combined.order_by("-e_at", "-e_id")[start : start + PAGE_SIZE]) if total else []
    return TrailRows(total=total, rows=rows)


def trail_people(*, municipality_id: int | None) -> list[tuple[int, str]]:
    """The users one can filter on: those with a role in the municipality (everyone for a
    site administrator's trail of all municipalities)."""
    users = get_user_model().objects.order_by("username")
    if municipality_id is not None:
        users = users.filter(
            Q(memberships__municipality_id=municipality_id) | Q(is_superuser=True)
        ).distinct()
    return list(users.values_list("pk", "username"))


def names_of_users(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))


def codes_of_regions(ids: set[int]) -> dict[int, str]:
    from monitoring.models import Region

    if not ids:
        return {}
    return {
        pk: f"{name} ({code})"
        for pk, code, name in Region.objects.filter(pk__in=ids).values_list("pk", "code", "name")
    }
