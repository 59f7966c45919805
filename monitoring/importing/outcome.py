"""What an import preview comes to, in one Dutch headline (pure: numbers in, sentence out).

Every preview ends in exactly one :class:`PreviewOutcome`. The order of the checks below is the
order of what matters most to the administrator: a file that changes something says what;
a file that changes nothing says *why* (no column recognised, every row rejected, no values,
already imported, or all values already there), because "er verandert niets" alone hides a
wrong file behind a reassuring sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PreviewOutcome(StrEnum):
    CHANGES = "wijzigingen"
    CHANGES_SOME_REJECTED = "wijzigingen-deels-afgewezen"
    NOTHING_RECOGNISED = "niets-herkend"
    ALL_REJECTED = "alles-afgewezen"
    NO_VALUES = "geen-waarden"
    ALREADY_IMPORTED = "al-ingelezen"
    NOTHING_CHANGES = "niets-verandert"
    NOTHING_CHANGES_SOME_REJECTED = "niets-verandert-deels-afgewezen"


# Outcomes after which there is nothing to confirm.
NOTHING_TO_APPLY = frozenset(
    set(PreviewOutcome) - {PreviewOutcome.CHANGES, PreviewOutcome.CHANGES_SOME_REJECTED}
)
# Outcomes that point at a problem in the file (shown as a warning, not as good news).
WARNINGS = frozenset(
    {
        PreviewOutcome.CHANGES_SOME_REJECTED,
        PreviewOutcome.NOTHING_RECOGNISED,
        PreviewOutcome.ALL_REJECTED,
        PreviewOutcome.NO_VALUES,
        PreviewOutcome.NOTHING_CHANGES_SOME_REJECTED,
    }
)


@dataclass(frozen=True)
class PreviewFacts:
    """The numbers of a preview that decide its outcome."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: int = 0  # cells or rows
    columns_used: int = 0
    regions_new: int = 0
    regions_renamed: int = 0
    geometries_changed: int = 0
    geometries_unchanged: int = 0
    is_boundary_file: bool = False
    previous_batch_id: int | None = None

    @property
    def changes_anything(self) -> bool:
        return (
            self.new
            + self.changed
            + self.regions_new
            + self.regions_renamed
            + self.geometries_changed
        ) > 0


@dataclass(frozen=True)
class Headline:
    outcome: PreviewOutcome
    text: str

    @property
    def can_apply(self) -> bool:
        return self.outcome not in NOTHING_TO_APPLY

    @property
    def is_warning(self) -> bool:
        return self.outcome in WARNINGS


def preview_outcome(facts: PreviewFacts) -> PreviewOutcome:
    if facts.changes_anything:
        if facts.rejected:
            return PreviewOutcome.CHANGES_SOME_REJECTED
        return PreviewOutcome.CHANGES
    if not facts.is_boundary_file and facts.columns_used == 0:
        return PreviewOutcome.NOTHING_RECOGNISED
    if facts.previous_batch_id is not None:
        return PreviewOutcome.ALREADY_IMPORTED
    if facts.unchanged + facts.geometries_unchanged == 0:
        return PreviewOutcome.ALL_REJECTED if facts.rejected else PreviewOutcome.NO_VALUES
    if facts.rejected:
        return PreviewOutcome.NOTHING_CHANGES_SOME_REJECTED
    return PreviewOutcome.NOTHING_CHANGES


def preview_headline(facts: PreviewFacts) -> Headline:
    """The outcome of a preview and the one Dutch sentence (or two) that says it."""
    outcome = preview_outcome(facts)
    return Headline(outcome, _TEXT[outcome](facts))


def _n(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _count(number: int, one: str, many: str) -> str:
    return f"{_n(number)} {one if number == 1 else many}"


def _rejected(facts: PreviewFacts) -> str:
    return _count(facts.rejected, "cel of rij", "cellen of rijen") + " afgewezen"


def _changes(facts: PreviewFacts) -> str:
    parts = []
    if facts.new or facts.changed or facts.unchanged or not facts.is_boundary_file:
        parts += [
            _count(facts.new, "nieuwe waarde", "nieuwe waarden"),
            _count(facts.changed, "gewijzigde waarde", "gewijzigde waarden"),
            f"{_n(facts.unchanged)} ongewijzigd",
        ]
    if facts.regions_new:
        parts.append(_count(facts.regions_new, "nieuwe regio", "nieuwe regio's"))
    if facts.regions_renamed:
        parts.append(
            _count(facts.regions_renamed, "regio krijgt", "regio's krijgen") + " een nieuwe naam"
        )
    if facts.geometries_changed:
        parts.append(_count(facts.geometries_changed, "regiogrens", "regiogrenzen") + " bijgewerkt")
    return "Inlezen geeft " + ", ".join(parts) + "."


def _changes_some_rejected(facts: PreviewFacts) -> str:
    return (
        _changes(facts)
        + f" Daarnaast zijn {_rejected(facts)}: die worden alleen overgeslagen als u dat kiest."
    )


def _nothing_recognised(facts: PreviewFacts) -> str:
    return (
        "Geen enkele kolom van dit bestand is herkend als indicator; er wordt niets ingelezen. "
        "Gebruik als kolomnaam de naam, de code of een alias van een indicator (zie de lijst "
        "op de uploadpagina)."
    )


def _all_rejected(facts: PreviewFacts) -> str:
    return (
        f"Er wordt niets ingelezen: geen enkele waarde is bruikbaar, {_rejected(facts)}. "
        "Verbeter het bestand aan de hand van de meldingen hieronder."
    )


def _no_values(facts: PreviewFacts) -> str:
    return (
        "De herkende kolommen bevatten geen enkele waarde; er is niets om in te lezen. "
        "Vul de waarden in en lees het bestand opnieuw in."
    )


def _already_imported(facts: PreviewFacts) -> str:
    text = f"Dit bestand is al ingelezen (import #{facts.previous_batch_id}); er verandert niets."
    if facts.rejected:
        text += f" Net als toen zijn {_rejected(facts)}."
    return text


def _nothing_changes(facts: PreviewFacts) -> str:
    if facts.is_boundary_file:
        return "Alle grenzen in dit bestand staan er al; er verandert niets."
    return "Alle waarden in dit bestand staan er al; er verandert niets."


def _nothing_changes_some_rejected(facts: PreviewFacts) -> str:
    what = "grenzen" if facts.is_boundary_file else "waarden"
    return (
        f"Er verandert niets: de bruikbare {what} staan er al, en {_rejected(facts)}. "
        "Verbeter het bestand aan de hand van de meldingen hieronder."
    )


_TEXT = {
    PreviewOutcome.CHANGES: _changes,
    PreviewOutcome.CHANGES_SOME_REJECTED: _changes_some_rejected,
    PreviewOutcome.NOTHING_RECOGNISED: _nothing_recognised,
    PreviewOutcome.ALL_REJECTED: _all_rejected,
    PreviewOutcome.NO_VALUES: _no_values,
    PreviewOutcome.ALREADY_IMPORTED: _already_imported,
    PreviewOutcome.NOTHING_CHANGES: _nothing_changes,
    PreviewOutcome.NOTHING_CHANGES_SOME_REJECTED: _nothing_changes_some_rejected,
}
