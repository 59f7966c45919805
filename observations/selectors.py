"""Reads for observation pages: the form, one observation and its history, coordination,
export. Each in a fixed number of queries (pinned in tests). Access is decided by the caller
through ``access.permissions``; these functions read what they are asked."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch

from monitoring.models import Membership, Region, Role
from observations.exports import ExportRow
from observations.history import (
    Change,
    SignalChange,
    signal_changes,
    snapshot_changes,
)
from observations.models import (
    CONDITION_CODES,
    Frequency,
    Observation,
    ObservationEvent,
    ObservationSignal,
    ObservationTransition,
    SignalKind,
    Source,
    direction_field,
)
from observations.workflow import HANDED_IN, Status

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# Content fields in the order a change list shows them.
_HISTORY_SKIP = {"author", "is_example", "created_at"}
_SOURCE_LABELS = dict(Source.choices)
_FREQUENCY_LABELS = dict(Frequency.choices)


def user_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _history_fields() -> list[tuple[str, str]]:
    return [
        (f.name, str(f.verbose_name).capitalize())
        for f in Observation._meta.concrete_fields
        if f.name not in _HISTORY_SKIP and not f.is_relation
    ]


def _display(name: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    model_field = Observation._meta.get_field(name)
    if name == "sources":
        return ", ".join(_SOURCE_LABELS.get(v, v) for v in value)
    if getattr(model_field, "choices", None):
        return str(dict(model_field.choices).get(value, value))
    if isinstance(value, datetime):
        return f"{value:%d-%m-%Y}"
    return str(value)


def _users(ids: Iterable[int]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {u.pk: user_name(u) for u in get_user_model().objects.filter(pk__in=ids)}


def _signal_states(
    observation_id: int,
) -> tuple[list[tuple[Any, dict[str, str]]], dict[str, str]]:
    """Replays the signal events of one observation: [(context id, state after it)], where a
    state is {kind name: frequency label}."""
    event_model = ObservationSignal.pgh_event_model
    events = list(
        event_model.objects.filter(observation_id=observation_id)
        .order_by("pgh_id")
        .values_list("pgh_context_id", "pgh_label", "kind_id", "frequency")
    )
    names = dict(SignalKind.objects.filter(pk__in={e[2] for e in events}).values_list("pk", "name"))
    state: dict[str, str] = {}
    after: list[tuple[Any, dict[str, str]]] = []
    for context_id, label, kind_id, frequency in events:
        kind = names.get(kind_id, str(kind_id))
        if label == "delete":
            state.pop(kind, None)
        else:
            state[kind] = _FREQUENCY_LABELS.get(frequency, str(frequency))
        if after and after[-1][0] == context_id and context_id is not None:
            after[-1] = (context_id, dict(state))
        else:
            after.append((context_id, dict(state)))
    return after, state


def _state_before(after: list[tuple[Any, dict[str, str]]], contexts: set) -> dict[str, str]:
    """The signals before the first of these contexts wrote."""
    state: dict[str, str] = {}
    for context_id, snapshot in after:
        if context_id in contexts:
            return state
        state = snapshot
    return state


def changes_since(
    current: Observation, *, version: int
) -> tuple[list[str], list[Change], list[SignalChange]]:
    """Who changed the observation after ``version``, and what (fields and signals)."""
    event_model = ObservationEvent
    events = list(event_model.objects.filter(pgh_obj_id=current.pk).order_by("pgh_id").values())
    baseline = next((e for e in reversed(events) if e["version"] == version), None)
    later = [e for e in events if e["version"] > version]
    names = _users(e["updated_by_id"] for e in later)
    changed_by = list(dict.fromkeys(names.get(e["updated_by_id"], "") for e in later))
    after_row = events[-1] if events else {}
    changes = snapshot_changes(baseline, after_row, fields=_history_fields(), display=_display)
    signal_after, signal_now = _signal_states(current.pk)
    contexts = {e["pgh_context_id"] for e in later}
    before = _state_before(signal_after, contexts) if baseline is not None else {}
    return [n for n in changed_by if n], changes, signal_changes(before, signal_now)


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    version: int
    title: str
    changes: list[Change]
    signal_changes: list[SignalChange]


def observation_history(observation: Observation) -> list[HistoryEntry]:
    """Every saved version, newest first, with what changed: four queries."""
    event_model = ObservationEvent
    events = list(event_model.objects.filter(pgh_obj_id=observation.pk).order_by("pgh_id").values())
    names = _users(e["updated_by_id"] for e in events)
    signal_after, _ = _signal_states(observation.pk)
    signal_by_context = {context: state for context, state in signal_after if context is not None}
    fields = _history_fields()
    entries: list[HistoryEntry] = []
    previous: dict[str, Any] | None = None
    signals_before: dict[str, str] = {}
    for event in events:
        context = event["pgh_context_id"]
        signals_now = signal_by_context.get(context, signals_before)
        changes = snapshot_changes(previous, event, fields=fields, display=_display)
        if previous is None:
            title = "Aangemaakt"
        elif event["narratives_removed_at"] and not previous["narratives_removed_at"]:
            title = "Bewaartermijn verstreken: toelichtingen verwijderd"
        elif event["status"] != previous["status"]:
            title = f"Status: {Status(event['status']).label.lower()}"
        else:
            title = "Gewijzigd"
        system = title.startswith("Bewaartermijn")
        entries.append(
            HistoryEntry(
                when=event["pgh_created_at"],
                who="systeem" if system else names.get(event["updated_by_id"], "onbekend"),
                version=event["version"],
                title=title,
                changes=[c for c in changes if c.field != "status"],
                signal_changes=signal_changes(signals_before, signals_now),
            )
        )
        previous, signals_before = event, signals_now
    return entries[::-1]


# --- Pages ------------------------------------------------------------------------------------


def signal_kinds_for(municipality_id: int, *, keep: Iterable[int] = ()) -> list[SignalKind]:
    """The active kinds of this municipality, plus inactive ones an observation still has."""
    keep = list(keep)
    return [
        kind
        for kind in SignalKind.objects.for_municipality(municipality_id)
        if kind.is_active or kind.pk in keep
    ]


def own_observation(*, user: AbstractBaseUser, ward: Region, period: str) -> Observation | None:
    return (
        Observation.objects.filter(ward=ward, period=period, author=user)
        .prefetch_related("signals")
        .first()
    )


def observation_get(pk: int) -> Observation | None:
    """One observation with what its page shows (ward, municipality, author, signals with
    their kinds, transitions with their actors): three queries."""
    return (
        Observation.objects.select_related("ward", "municipality", "author", "updated_by")
        .prefetch_related(
            Prefetch("signals", queryset=ObservationSignal.objects.select_related("kind")),
            Prefetch("transitions", queryset=ObservationTransition.objects.select_related("actor")),
        )
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class AssignedWard:
    ward: Region
    municipality: Region
    # period → the user's own observation
    observations: dict[str, Observation] = field(default_factory=dict)


def assigned_wards(*, user: AbstractBaseUser, periods: Sequence[str]) -> list[AssignedWard]:
    """The wards assigned to this social worker, in every municipality, with their own
    observations in these periods: two queries."""
    memberships = list(
        Membership.objects.filter(user=user, role=Role.SOCIAL_WORKER)
        .select_related("municipality")
        .prefetch_related(Prefetch("wards", queryset=Region.objects.order_by("name")))
    )
    ward_ids = [w.pk for m in memberships for w in m.wards.all()]
    own: dict[int, dict[str, Observation]] = defaultdict(dict)
    if ward_ids:
        for observation in Observation.objects.filter(
            author=user, ward_id__in=ward_ids, period__in=list(periods)
        ):
            own[observation.ward_id][observation.period] = observation
    return [
        AssignedWard(ward=w, municipality=m.municipality, observations=own.get(w.pk, {}))
        for m in memberships
        for w in m.wards.all()
    ]


EARLIER_SHOWN = 40


def own_earlier(*, user: AbstractBaseUser, exclude_periods: Sequence[str]) -> list[Observation]:
    """The user's own observations of earlier quarters, newest first (one query)."""
    return list(
        Observation.objects.filter(author=user)
        .exclude(period__in=list(exclude_periods))
        .select_related("ward")
        .order_by("-period", "ward__name")[:EARLIER_SHOWN]
    )


@dataclass(frozen=True)
class CoordinationRow:
    ward: Region
    worker: str
    worker_id: int
    observation: Observation | None

    @property
    def is_missing(self) -> bool:
        return self.observation is None or self.observation.status not in HANDED_IN


@dataclass(frozen=True)
class Coordination:
    municipality: Region
    period: str
    rows: list[CoordinationRow]
    waiting: list[Observation]  # submitted, not yet handled (this quarter or earlier)

    @property
    def missing(self) -> list[CoordinationRow]:
        return [row for row in self.rows if row.is_missing]


def coordination(*, municipality: Region, period: str) -> Coordination:
    """Every assigned ward × social worker and their observation this quarter, and every
    submitted observation waiting for a coordinator: four queries."""
    memberships = list(
        Membership.objects.filter(municipality=municipality, role=Role.SOCIAL_WORKER)
        .select_related("user")
        .prefetch_related(Prefetch("wards", queryset=Region.objects.order_by("name")))
    )
    observations = {
        (o.ward_id, o.author_id): o
        for o in Observation.objects.filter(municipality=municipality, period=period)
    }
    rows = sorted(
        (
            CoordinationRow(
                ward=ward,
                worker=user_name(m.user),
                worker_id=m.user_id,
                observation=observations.get((ward.pk, m.user_id)),
            )
            for m in memberships
            for ward in m.wards.all()
        ),
        key=lambda row: (row.ward.name, row.worker),
    )
    waiting = list(
        Observation.objects.filter(municipality=municipality, status=Status.SUBMITTED)
        .select_related("ward", "author")
        .order_by("period", "ward__name")
    )
    return Coordination(municipality=municipality, period=period, rows=rows, waiting=waiting)


def export_rows(
    *, municipality: Region, periods: Sequence[str], statuses: Iterable[str]
) -> tuple[list[ExportRow], list[str]]:
    """Observations of these quarters and statuses as export rows, and the signal kinds that
    occur in them: two queries."""
    observations = list(
        Observation.objects.filter(
            municipality=municipality, period__in=list(periods), status__in=list(statuses)
        )
        .select_related("ward")
        .prefetch_related(
            Prefetch("signals", queryset=ObservationSignal.objects.select_related("kind"))
        )
        .order_by("period", "ward__code", "pk")
    )
    names: dict[str, int] = {}
    rows = []
    for o in observations:
        signals = {}
        for signal in o.signals.all():
            signals[signal.kind.name] = _FREQUENCY_LABELS.get(signal.frequency, "")
            names.setdefault(signal.kind.name, signal.kind.sort_order)
        rows.append(
            ExportRow(
                period=o.period,
                ward_code=o.ward.code,
                ward_name=o.ward.name,
                status=o.get_status_display(),
                is_example=o.is_example,
                residents_reached=o.residents_reached,
                sources=_display("sources", o.sources),
                ratings={c: o.rating(c) for c in CONDITION_CODES},
                directions={c: getattr(o, direction_field(c)) for c in CONDITION_CODES},
                narratives={c: o.narrative(c) for c in CONDITION_CODES},
                signals=signals,
            )
        )
    return rows, sorted(names, key=lambda name: (names[name], name))
