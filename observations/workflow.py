"""The workflow of an observation: its states and the one table of allowed transitions.

Pure: no ORM. ``services.observation_transition`` is the only code that changes a status, and
it asks ``transition_check`` first. Like Signalen's ``ALLOWED_STATUS_CHANGES``: a state that is
retired stays in ``Status`` (old transition rows keep their meaning) but leaves the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models


class Status(models.TextChoices):
    CONCEPT = "concept", "Concept"
    SUBMITTED = "ingediend", "Ingediend"
    ACCEPTED = "geaccepteerd", "Geaccepteerd"
    RETURNED = "teruggestuurd", "Teruggestuurd"


class Actor(StrEnum):
    """Who may take a transition: the observation's author, or a coordinator of its
    municipality (a beheerder, or a membership with the coordinator flag)."""

    AUTHOR = "author"
    COORDINATOR = "coordinator"


@dataclass(frozen=True)
class Transition:
    actor: Actor
    label: str  # the button, in Dutch
    note_required: bool = False
    note_label: str = ""


# The whole workflow. Anything not in here is refused.
ALLOWED_TRANSITIONS: dict[Status, dict[Status, Transition]] = {
    Status.CONCEPT: {
        Status.SUBMITTED: Transition(Actor.AUTHOR, "Indienen"),
    },
    Status.SUBMITTED: {
        Status.ACCEPTED: Transition(Actor.COORDINATOR, "Accepteren"),
        Status.RETURNED: Transition(
            Actor.COORDINATOR, "Terugsturen", note_required=True, note_label="Reden"
        ),
        # The author takes it back before anyone handled it.
        Status.CONCEPT: Transition(Actor.AUTHOR, "Terugtrekken"),
    },
    Status.RETURNED: {
        Status.SUBMITTED: Transition(Actor.AUTHOR, "Opnieuw indienen"),
    },
    Status.ACCEPTED: {
        # An accepted observation is not edited; a correction reopens it, with a reason.
        Status.RETURNED: Transition(
            Actor.COORDINATOR, "Heropenen", note_required=True, note_label="Reden"
        ),
    },
}

# The author edits ratings, signals and narratives only in these states.
EDITABLE: frozenset[Status] = frozenset({Status.CONCEPT, Status.RETURNED})
# Counted as "handed in" for the coordinator's list of missing observations.
HANDED_IN: frozenset[Status] = frozenset({Status.SUBMITTED, Status.ACCEPTED})
# Only accepted observations feed the practice score, signals and quotes on dashboards.
COUNTED: frozenset[Status] = frozenset({Status.ACCEPTED})


class TransitionRefused(Exception):
    """A transition the table does not allow, by this actor, or without its note."""


def transition_check(
    *, current: str, target: str, actors: set[Actor], note: str = ""
) -> Transition:
    """The transition from ``current`` to ``target`` if one of ``actors`` may take it."""
    try:
        current_status, target_status = Status(current), Status(target)
    except ValueError:
        raise TransitionRefused(f"Onbekende status: {current!r} of {target!r}.") from None
    transition = ALLOWED_TRANSITIONS.get(current_status, {}).get(target_status)
    if transition is None:
        raise TransitionRefused(
            f"Een observatie met status ‘{current_status.label}’ kan niet naar "
            f"‘{target_status.label}’."
        )
    if transition.actor not in actors:
        who = "de sociaal werker die haar schreef" if transition.actor == Actor.AUTHOR else None
        raise TransitionRefused(
            f"‘{transition.label}’ mag alleen {who or 'een coördinator van deze gemeente'}."
        )
    if transition.note_required and not note.strip():
        raise TransitionRefused(
            f"Geef een {transition.note_label.lower()} bij ‘{transition.label}’."
        )
    return transition


def transitions_from(current: str, actors: set[Actor]) -> list[tuple[Status, Transition]]:
    """The transitions these actors can take from ``current`` (for the buttons on a page)."""
    return [
        (target, transition)
        for target, transition in ALLOWED_TRANSITIONS.get(Status(current), {}).items()
        if transition.actor in actors
    ]
