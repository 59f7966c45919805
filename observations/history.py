"""Changes between two snapshots of an observation, in words. Pure: dicts in, changes out.

The snapshots are the rows that the database triggers keep (``ObservationEvent``); the
selectors read them and this module says what differs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Bookkeeping, not content: never listed as a change.
IGNORED_FIELDS = frozenset(
    {"id", "version", "updated_at", "updated_by", "created_at", "ward", "municipality", "period"}
)


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: str
    new: str

    @property
    def sentence(self) -> str:
        if not self.old:
            return f"{self.label}: ingevuld ({self.new})"
        if not self.new:
            return f"{self.label}: leeggemaakt (was {self.old})"
        return f"{self.label}: {self.old} → {self.new}"


def snapshot_changes(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    *,
    fields: Sequence[tuple[str, str]],
    display: Callable[[str, Any], str],
) -> list[Change]:
    """What differs from ``before`` to ``after``, in the order of ``fields`` ((name, label)).
    Without ``before`` (the first snapshot), every filled-in field counts as a change."""
    changes: list[Change] = []
    for name, label in fields:
        if name in IGNORED_FIELDS:
            continue
        old = display(name, before.get(name)) if before is not None else ""
        new = display(name, after.get(name))
        if old != new:
            changes.append(Change(name, label, old, new))
    return changes


@dataclass(frozen=True)
class SignalChange:
    kind: str
    old: str
    new: str

    @property
    def sentence(self) -> str:
        if not self.old:
            return f"Signaal {self.kind}: toegevoegd ({self.new})"
        if not self.new:
            return f"Signaal {self.kind}: weggehaald (was {self.old})"
        return f"Signaal {self.kind}: {self.old} → {self.new}"


def signal_changes(before: Mapping[str, str], after: Mapping[str, str]) -> list[SignalChange]:
    """{kind name: frequency label} before and after → what changed, by kind name."""
    return [
        SignalChange(kind, before.get(kind, ""), after.get(kind, ""))
        for kind in sorted(set(before) | set(after))
        if before.get(kind, "") != after.get(kind, "")
    ]
