"""The gap rule of the sociale basis, and what "active" means. Pure: plain data in and out.

A ward × condition cell is a **hiaat** when the ward's score on that condition is below the
threshold (default 90; exactly at the threshold is not below) and no *active* initiative serving
that ward works on that condition. A ward without a score on the condition is not a gap: it is
"geen score" (we cannot tell).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

DEFAULT_THRESHOLD = 90.0


@dataclass(frozen=True)
class InitiativeFacts:
    """What the gap rule needs to know of one initiative."""

    id: int
    status: str
    start_date: date | None
    end_date: date | None
    ward_ids: frozenset[int]
    conditions: frozenset[str]
    target_groups: frozenset[str] = frozenset()


def is_active(facts: InitiativeFacts, on: date) -> bool:
    """Active on a day: status "actief", started (or no start known) and not yet ended.

    The end date is the last day it runs; an initiative with status "actief" whose end date has
    passed has ended, whatever its status says.
    """
    if facts.status != "actief":
        return False
    if facts.start_date is not None and facts.start_date > on:
        return False
    return not (facts.end_date is not None and facts.end_date < on)


class CellStatus(StrEnum):
    GAP = "hiaat"
    NO_SCORE = "geen score"
    LOW_COVERED = "laag, met initiatief"
    OK = "niet laag"


# The symbol and the word carry the meaning, never colour alone.
CELL_SYMBOL = {
    CellStatus.GAP: "⚠",
    CellStatus.NO_SCORE: "–",
    CellStatus.LOW_COVERED: "◐",
    CellStatus.OK: "",
}


def cell_status(score: float | None, active_initiatives: int, threshold: float) -> CellStatus:
    """The gap rule for one ward × condition cell."""
    if score is None:
        return CellStatus.NO_SCORE
    if score < threshold:
        return CellStatus.GAP if active_initiatives == 0 else CellStatus.LOW_COVERED
    return CellStatus.OK


@dataclass(frozen=True)
class GapCell:
    ward_id: int
    condition: str
    score: float | None
    active_initiatives: int
    status: CellStatus

    @property
    def is_gap(self) -> bool:
        return self.status == CellStatus.GAP

    @property
    def symbol(self) -> str:
        return CELL_SYMBOL[self.status]


def active_counts(initiatives: Iterable[InitiativeFacts], on: date) -> dict[tuple[int, str], int]:
    """Per (ward id, condition): how many active initiatives serve that ward on that condition."""
    counts: dict[tuple[int, str], int] = {}
    for facts in initiatives:
        if not is_active(facts, on):
            continue
        for ward_id in facts.ward_ids:
            for condition in facts.conditions:
                counts[(ward_id, condition)] = counts.get((ward_id, condition), 0) + 1
    return counts


def gap_matrix(
    *,
    ward_ids: Sequence[int],
    conditions: Sequence[str],
    scores: dict[tuple[int, str], float | None],
    initiatives: Iterable[InitiativeFacts],
    on: date,
    threshold: float = DEFAULT_THRESHOLD,
) -> dict[tuple[int, str], GapCell]:
    """Every ward × condition cell with its score, its number of active initiatives and status."""
    counts = active_counts(initiatives, on)
    matrix = {}
    for ward_id in ward_ids:
        for condition in conditions:
            score = scores.get((ward_id, condition))
            count = counts.get((ward_id, condition), 0)
            matrix[(ward_id, condition)] = GapCell(
                ward_id, condition, score, count, cell_status(score, count, threshold)
            )
    return matrix


def missed_target_groups(
    *,
    ward_id: int,
    initiatives: Iterable[InitiativeFacts],
    reached: dict[int, frozenset[str]],
    on: date,
    all_groups: Sequence[str],
) -> list[str]:
    """Target groups that no active initiative in the ward reaches.

    An initiative reaches a group when its latest reported quarter says so (``reached``, by
    initiative id); without any reported reach, the groups it aims at count as reached, so that
    a new initiative is not shown as missing everyone.
    """
    covered: set[str] = set()
    for facts in initiatives:
        if ward_id not in facts.ward_ids or not is_active(facts, on):
            continue
        covered |= reached.get(facts.id, facts.target_groups)
    return [group for group in all_groups if group not in covered]


def funding_ends_soon(
    funding: str, funding_until: date | None, on: date, *, months: int = 6
) -> bool:
    """Temporary funding that ends between today and ``months`` months from today."""
    if funding != "tijdelijk" or funding_until is None:
        return False
    return on <= funding_until <= add_months(on, months)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the month's last day when that day does not exist."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")
