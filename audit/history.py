"""Row history for the audit trail: django-pghistory triggers, append-only event tables.

Every tracked model gets an event table (a copy of the chosen fields, plus when, which change
and the request's context: user, address, URL) written by PostgreSQL triggers on insert,
update and delete, so bulk writes, ``update()`` and raw SQL are recorded too. Each event table
refuses UPDATE and DELETE (`audit.triggers.AppendOnly`).

Another app tracks its own model the same way, and it then shows on the trail page::

    from audit.history import track_history

    @track_history(kind="observatie", label="Observaties", municipality="ward__municipality")
    class Observation(models.Model):
        ...

``municipality`` is the lookup from the event row to its municipality's id, or a
`ViaHistory` when the row hangs on another row that may be deleted (``None``: the change
concerns every municipality, such as the indicator framework). ``title`` names the
field shown as the object's name; ``actor_fields`` the fields that say who made a change
that no request made (a worker, a command). Models of another app (or Django's ``User``) are tracked
through a proxy model in the app that keeps their history (see ``audit/models.py``), so that
no migration lands in the other app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pghistory
from django.db import models
from django.db.models import Q

from audit.triggers import AppendOnly

# The kinds of change shown on the trail page, in the order of its filter.
KINDS: dict[str, str] = {}
# Every event table the trail page reads, filled by track_history when models load.
SOURCES: list[TrailSource] = []


@dataclass(frozen=True)
class ViaHistory:
    """The municipality of a row found through another model's history, so that an entry
    stays on its municipality's trail after the row it hangs on is deleted. For example the
    wards of a role: ``ViaHistory("membership", "audit.MembershipEvent")`` keeps the event
    rows whose membership ever belonged to the municipality."""

    field: str
    event_model: str
    lookup: str = "municipality"
    value: str = "pgh_obj_id"

    def q(self, municipality_id: int) -> Q:
        from django.apps import apps

        owners = apps.get_model(self.event_model).objects.filter(**{self.lookup: municipality_id})
        return Q(**{f"{self.field}__in": owners.values(self.value)})


@dataclass(frozen=True)
class TrailSource:
    kind: str
    app_label: str
    model_name: str
    municipality: str | ViaHistory | None
    title: str | None
    has_object: bool
    # Who made the change when no request did (a worker, a command): these fields, in order.
    actor_fields: tuple[str, ...] = ()

    @property
    def event_model(self) -> type[models.Model]:
        from django.apps import apps

        return apps.get_model(self.app_label, self.model_name)

    def in_municipality(self, municipality_id: int) -> Q:
        """The event rows of one municipality (all rows when the change concerns everyone)."""
        if self.municipality is None:
            return Q()
        if isinstance(self.municipality, ViaHistory):
            return self.municipality.q(municipality_id)
        return Q(**{self.municipality: municipality_id})


def track_history(
    *,
    kind: str,
    label: str,
    municipality: str | ViaHistory | None,
    title: str | None = None,
    fields: list[str] | None = None,
    exclude: list[str] | None = None,
    model_name: str | None = None,
    verbose_name: str | None = None,
    through: bool = False,
    actor_fields: tuple[str, ...] = (),
) -> Callable[[type[models.Model]], type[models.Model]]:
    """Record every insert, update and delete of the decorated model in an append-only table.

    ``through=True`` for a many-to-many table (its rows are added and removed, never changed;
    Django allows no foreign key to them, so the event keeps no link to the row itself).
    """

    def decorate(model: type[models.Model]) -> type[models.Model]:
        app_label = model._meta.app_label
        name = model_name or f"{model._meta.concrete_model.__name__}Event"
        if through:
            name = model_name or f"{model.__name__}Event"
        trackers = [pghistory.InsertEvent(), pghistory.DeleteEvent()]
        if not through:
            trackers.insert(1, pghistory.UpdateEvent())
        options = {"obj_field": None} if through else {}
        pghistory.track(
            *trackers,
            fields=fields,
            exclude=exclude,
            model_name=name,
            append_only=False,
            **options,
            meta={
                "triggers": [AppendOnly()],
                "verbose_name": f"geschiedenis: {verbose_name or model._meta.verbose_name}",
                "verbose_name_plural": f"geschiedenis: {verbose_name or model._meta.verbose_name}",
            },
        )(model)
        KINDS.setdefault(kind, label)
        SOURCES.append(
            TrailSource(
                kind=kind,
                app_label=app_label,
                model_name=name,
                municipality=municipality,
                title=title,
                has_object=not through,
                actor_fields=actor_fields,
            )
        )
        return model

    return decorate
