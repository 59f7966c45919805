"""The trail as people read it: rows of the selectors in, Dutch entries out (no queries)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from audit.history import SOURCES, TrailSource
from audit.models import AuditEvent
from audit.selectors import SECURITY_KIND, trail_kinds

ROW_ACTIONS = {"insert": "aangemaakt", "update": "gewijzigd", "delete": "verwijderd"}
LINK_ACTIONS = {"insert": "toegevoegd", "delete": "weggehaald"}
SECURITY_FIELDS = {"adres": "adres", "pagina": "pagina", "browser": "browser"}


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass
class Entry:
    at: datetime
    who: str
    kind: str
    kind_label: str
    action: str
    subject: str
    changes: list[Change] = field(default_factory=list)
    failed: bool = False


@dataclass(frozen=True)
class FieldInfo:
    label: str
    refers_to: str | None  # "user", "region" or None
    choices: dict = field(default_factory=dict)


def field_infos(source: TrailSource) -> dict[str, FieldInfo]:
    from monitoring.models import Region

    tracked = source.event_model.pgh_tracked_model._meta.concrete_model
    infos = {}
    for f in tracked._meta.concrete_fields:
        refers_to = None
        if isinstance(f, models.ForeignKey):
            if f.related_model._meta.concrete_model is Region:
                refers_to = "region"
            elif f.related_model._meta.label == settings.AUTH_USER_MODEL:
                refers_to = "user"
        choices = {value: str(label) for value, label in f.flatchoices} if f.choices else {}
        label = str(f.verbose_name)
        if f.is_relation and label == f.name.replace("_", " "):
            # Django's many-to-many tables name their columns after the models.
            label = str(f.related_model._meta.verbose_name)
        infos[f.attname] = FieldInfo(label=label, refers_to=refers_to, choices=choices)
    return infos


def referenced_ids(rows: list[dict]) -> tuple[set[int], set[int]]:
    """The users and regions the rows mention, so that one query each can name them."""
    users: set[int] = set()
    regions: set[int] = set()
    infos = {index: field_infos(source) for index, source in enumerate(SOURCES)}
    for row in rows:
        if row["e_user"] is not None:
            users.add(int(row["e_user"]))
        for snapshot in (row["e_data"], row["e_before"]):
            for key, value in (snapshot or {}).items():
                info = infos.get(row["e_source"], {}).get(key)
                if info and info.refers_to and isinstance(value, int):
                    (users if info.refers_to == "user" else regions).add(value)
    return users, regions


def entries(rows: list[dict], *, users: dict[int, str], regions: dict[int, str]) -> list[Entry]:
    kinds = trail_kinds()
    infos = {index: field_infos(source) for index, source in enumerate(SOURCES)}
    result = []
    for row in rows:
        who = users.get(int(row["e_user"])) if row["e_user"] is not None else None
        if row["e_kind"] == SECURITY_KIND:
            result.append(_security_entry(row, who, kinds))
            continue
        source = SOURCES[row["e_source"]]
        result.append(
            _history_entry(row, source, infos[row["e_source"]], who, kinds, users, regions)
        )
    return result


def _security_entry(row: dict, who: str | None, kinds: dict[str, str]) -> Entry:
    data = row["e_data"] or {}
    action = row["e_action"]
    if action in AuditEvent.Action.values:
        action = AuditEvent.Action(action).label
    outcome = data.get("resultaat")
    changes = []
    if outcome in AuditEvent.Outcome.values:
        changes.append(Change("resultaat", "", AuditEvent.Outcome(outcome).label))
    changes += [
        Change(label, "", _shown(data[key]))
        for key, label in SECURITY_FIELDS.items()
        if data.get(key)
    ]
    changes += [
        Change(str(key), "", _shown(value))
        for key, value in (data.get("bijzonderheden") or {}).items()
    ]
    return Entry(
        at=row["e_at"],
        who=who or row["e_obj"] or "onbekend",
        kind=SECURITY_KIND,
        kind_label=kinds[SECURITY_KIND],
        action=action,
        subject=f"account {row['e_obj']}" if row["e_obj"] else "",
        changes=changes,
        failed=outcome == AuditEvent.Outcome.FAILURE,
    )


def _history_entry(
    row: dict,
    source: TrailSource,
    infos: dict[str, FieldInfo],
    who: str | None,
    kinds: dict[str, str],
    users: dict[int, str],
    regions: dict[int, str],
) -> Entry:
    data = row["e_data"] or {}
    before = row["e_before"]
    label = row["e_action"]
    actions = ROW_ACTIONS if source.has_object else LINK_ACTIONS

    def show(key: str, value: Any) -> str:
        info = infos.get(key)
        if info and info.refers_to and isinstance(value, int):
            names = users if info.refers_to == "user" else regions
            return names.get(value, f"#{value}")
        if info and info.choices and value in info.choices:
            return info.choices[value]
        return _shown(value)

    def name_of(key: str) -> str:
        info = infos.get(key)
        return info.label if info else key

    if label == "update" and before is not None:
        changes = [
            Change(label=name_of(key), before=show(key, before.get(key)), after=show(key, value))
            for key, value in data.items()
            if before.get(key) != value
        ]
    elif label == "update":
        changes = [
            Change(label=name_of(key), before="(niet vastgelegd)", after=show(key, value))
            for key, value in data.items()
        ]
    elif label == "delete":
        changes = [
            Change(label=name_of(k), before=show(k, v), after="")
            for k, v in data.items()
            if v not in (None, "", [])
        ]
    else:
        changes = [
            Change(label=name_of(k), before="", after=show(k, v))
            for k, v in data.items()
            if v not in (None, "", [])
        ]
    model_name = str(source.event_model.pgh_tracked_model._meta.concrete_model._meta.verbose_name)
    title = show(source.title, data.get(source.title)) if source.title else ""
    subject = f"{model_name} {title}".strip() if title else model_name
    return Entry(
        at=row["e_at"],
        who=who or "systeem (geen gebruiker)",
        kind=source.kind,
        kind_label=kinds.get(source.kind, source.kind),
        action=actions.get(label, label),
        subject=subject,
        changes=changes,
    )


def _shown(value: Any) -> str:
    """A stored value as text: ja/nee, lists joined, dates in Dutch order, empty as a dash."""
    if value is None or value == "":
        return "—"
    if value is True:
        return "ja"
    if value is False:
        return "nee"
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_shown(v)}" for k, v in value.items()) or "—"
    if isinstance(value, float | Decimal):
        return f"{value}".replace(".", ",")
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return f"{moment:%d-%m-%Y %H:%M}"
    return str(value)
