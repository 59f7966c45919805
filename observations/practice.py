"""The rating scale, the practice score and how it compares with the statistical score. Pure.

The **practice score** of a ward, per condition and quarter, is the mean rating of the accepted
observations on the five-point scale (1 = sterk onder druk, 3 = neutraal, 5 = sterk); "geen
zicht" does not count. It is a judgement of professionals, shown on its own axis next to the
statistical score and never mixed into it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models

from monitoring.formatting import nl_number


class Rating(models.IntegerChoices):
    NO_VIEW = 0, "geen zicht"
    STRONGLY_UNDER_PRESSURE = 1, "sterk onder druk"
    UNDER_PRESSURE = 2, "onder druk"
    NEUTRAL = 3, "neutraal"
    GOOD = 4, "goed"
    STRONG = 5, "sterk"


class Direction(models.TextChoices):
    WORSE = "verslechterd", "verslechterd"
    SAME = "gelijk", "gelijk"
    BETTER = "verbeterd", "verbeterd"


SCALE_LOW, SCALE_HIGH = 1, 5
SCALE_TICKS: tuple[tuple[int, str], ...] = tuple(
    (r.value, r.label) for r in Rating if r != Rating.NO_VIEW
)
PRACTICE_EXPLANATION = (
    "De praktijkscore is het gemiddelde oordeel van sociaal werkers over een conditie in een "
    "kwartaal, op hun vijfpuntsschaal: 1 = sterk onder druk, 2 = onder druk, 3 = neutraal, "
    "4 = goed, 5 = sterk. Alleen geaccepteerde observaties tellen mee, ‘geen zicht’ niet. Het is "
    "een oordeel uit de praktijk, geen meting: het staat op een eigen schaal naast de "
    "statistische score en telt daar nooit in mee."
)


def practice_mean(ratings: Iterable[int | None]) -> float | None:
    known = [r for r in ratings if r is not None and SCALE_LOW <= r <= SCALE_HIGH]
    return sum(known) / len(known) if known else None


def practice_label(mean: float | None) -> str:
    """The word on the scale nearest to a mean: 2,3 → "onder druk"."""
    if mean is None:
        return "geen oordeel"
    nearest = min(SCALE_TICKS, key=lambda tick: (abs(tick[0] - mean), tick[0]))
    return nearest[1]


def practice_text(mean: float | None, count: int) -> str:
    """E.g. "onder druk (2,3; 3 observaties)"."""
    if mean is None:
        return "geen oordeel"
    word = "observatie" if count == 1 else "observaties"
    return f"{practice_label(mean)} ({nl_number(mean, 1)}; {count} {word})"


# --- Practice next to the statistics ------------------------------------------------------------


class Leaning(models.TextChoices):
    BELOW = "onder", "onder het gemiddelde"
    AROUND = "rond", "rond het gemiddelde"
    ABOVE = "boven", "boven het gemiddelde"


# Half a standard deviation on the index methods (10 = one sd); a tenth of the 0–100 range on
# the within-period range methods.
AROUND_BAND: dict[str, float] = {
    "basisjaar": 5.0,
    "zscore": 5.0,
    "landelijk": 5.0,
    "minmax": 10.0,
    "percentiel": 10.0,
}


def statistical_leaning(value: float | None, average: float | None, method: str) -> Leaning | None:
    if value is None or average is None:
        return None
    band = AROUND_BAND.get(method, 5.0)
    if value < average - band:
        return Leaning.BELOW
    if value > average + band:
        return Leaning.ABOVE
    return Leaning.AROUND


def practice_leaning(mean: float | None) -> Leaning | None:
    """Below 2,5 the practice sees pressure; above 3,5 it sees the condition as good."""
    if mean is None:
        return None
    if mean < 2.5:
        return Leaning.BELOW
    if mean > 3.5:
        return Leaning.ABOVE
    return Leaning.AROUND


@dataclass(frozen=True)
class Disagreement:
    condition: str
    condition_name: str
    sentence: str


def disagreement(
    *,
    condition: str,
    condition_name: str,
    statistical: float | None,
    average: float | None,
    statistical_period: str | None,
    method: str,
    practice: float | None,
    practice_count: int,
    practice_period: str | None,
    area_word: str = "gemiddelde van de wijken",
) -> Disagreement | None:
    """A sentence when practice and statistics point different ways: the practice sees
    pressure where the statistics are around or above average, or sees it as good where they
    are below."""
    stat = statistical_leaning(statistical, average, method)
    seen = practice_leaning(practice)
    if stat is None or seen is None:
        return None
    if not (
        (seen == Leaning.BELOW and stat != Leaning.BELOW)
        or (seen == Leaning.ABOVE and stat == Leaning.BELOW)
    ):
        return None
    place = stat.label.replace("het gemiddelde", f"het {area_word}")
    sentence = (
        f"{condition_name}: praktijk en statistiek wijzen verschillende kanten op. Sociaal "
        f"werkers beoordelen deze conditie in {practice_period} als "
        f"{practice_text(practice, practice_count)}, terwijl de statistische score in "
        f"{statistical_period} {place} ligt ({nl_number(statistical)} tegen "
        f"{nl_number(average)}). Kijk bij de signalen en toelichtingen wat de cijfers missen."
    )
    return Disagreement(condition, condition_name, sentence)
