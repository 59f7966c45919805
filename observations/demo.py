"""Example observations for the demo municipality: made up, and marked "voorbeeldgegevens".

Eight quarters (2023-K1 to 2024-K4) for six wards of 's-Gravenhage by the two demo social
workers, written through the same services as a real observation (personal-data guard,
workflow, history) and accepted by the demo beheerder. Each ward follows a story, so that the
practice lines show a trend; in Scheveningen the practice sees money worries growing where the
statistical score is around average, and the ward page says so. Loading twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction

from monitoring.models import Region
from observations.models import CONDITION_CODES, Observation, SignalKind
from observations.practice import Direction, Rating
from observations.services import (
    ObservationInput,
    observation_save,
    observation_transition,
    standard_signal_kinds_ensure,
)
from observations.workflow import Status

QUARTERS = tuple(f"{year}-K{q}" for year in (2023, 2024) for q in (1, 2, 3, 4))
COORDINATOR = "beheerder"
# The day the example observations are written "as of" (all eight quarters have begun).
AS_OF = date(2025, 1, 15)


@dataclass(frozen=True)
class Story:
    """Ratings per condition in the first and last quarter (a straight line between them,
    rounded), for one social worker in one ward."""

    author: str
    ward: str
    start: dict[str, int]
    end: dict[str, int]
    last_status: Status = Status.ACCEPTED


STORIES: tuple[Story, ...] = (
    # Around average in the statistics; growing money worries in practice.
    Story(
        "sociaalwerker",
        "WK051807",
        {"zekerheid": 3, "inclusie": 3, "cohesie": 3, "empowerment": 3},
        {"zekerheid": 2, "inclusie": 3, "cohesie": 2, "empowerment": 3},
    ),
    Story(
        "sociaalwerker",
        "WK051808",
        {"zekerheid": 3, "inclusie": 3, "cohesie": 4, "empowerment": 2},
        {"zekerheid": 3, "inclusie": 3, "cohesie": 4, "empowerment": 3},
    ),
    Story(
        "sociaalwerker",
        "WK051829",
        {"zekerheid": 1, "inclusie": 2, "cohesie": 2, "empowerment": 2},
        {"zekerheid": 2, "inclusie": 3, "cohesie": 3, "empowerment": 4},
        last_status=Status.SUBMITTED,
    ),
    Story(
        "buurtwerker",
        "WK051829",
        {"zekerheid": 1, "inclusie": 2, "cohesie": 3, "empowerment": 2},
        {"zekerheid": 2, "inclusie": 2, "cohesie": 3, "empowerment": 3},
    ),
    Story(
        "buurtwerker",
        "WK051830",
        {"zekerheid": 2, "inclusie": 3, "cohesie": 2, "empowerment": 3},
        {"zekerheid": 2, "inclusie": 3, "cohesie": 3, "empowerment": 4},
    ),
    Story(
        "buurtwerker",
        "WK051836",
        {"zekerheid": 2, "inclusie": 2, "cohesie": 3, "empowerment": 2},
        {"zekerheid": 1, "inclusie": 2, "cohesie": 2, "empowerment": 2},
    ),
    Story(
        "buurtwerker",
        "WK051817",
        {"zekerheid": 3, "inclusie": 3, "cohesie": 3, "empowerment": 3},
        {"zekerheid": 3, "inclusie": 4, "cohesie": 4, "empowerment": 0},
        last_status=Status.CONCEPT,
    ),
)

# Neighbourhood-level sentences per condition and rating (never about one person).
NARRATIVES: dict[str, dict[int, str]] = {
    "zekerheid": {
        1: "Veel huishoudens komen niet rond; op het spreekuur gaat het bijna elke week over "
        "achterstanden in huur en energie.",
        2: "Meer bewoners vragen hulp bij rekeningen en toeslagen, en de voedselbank ziet nieuwe "
        "gezichten uit de wijk.",
        3: "Geldzorgen zijn er, maar niet meer dan vorig kwartaal; de schuldhulp is goed "
        "bereikbaar.",
        4: "Minder vragen over geld; de samenwerking met de formulierenbrigade werkt.",
        5: "Nauwelijks signalen over geldzorgen dit kwartaal.",
    },
    "inclusie": {
        1: "Een grote groep ouderen en nieuwkomers doet nergens aan mee; digitale loketten "
        "sluiten hen buiten.",
        2: "Bewoners die de taal nog leren haken af bij activiteiten en loketten.",
        3: "Voorzieningen zijn bereikbaar, al missen we jongeren van middelbareschoolleeftijd.",
        4: "Het taalcafé en de digitale inloop in de bibliotheek trekken steeds meer bewoners.",
        5: "Activiteiten worden door alle groepen in de wijk bezocht.",
    },
    "cohesie": {
        1: "Buren kennen elkaar nauwelijks; in de portiekflats zijn spanningen over overlast.",
        2: "Sinds de buurtkamer minder open is, zien ouderen elkaar weinig; bij huisbezoeken "
        "horen we vaak over eenzaamheid.",
        3: "Het contact tussen buren is gewoon; bij het buurtfeest kwamen vooral vaste gezichten.",
        4: "Bewoners helpen elkaar; de nieuwe moestuin brengt verschillende groepen samen.",
        5: "Een hechte buurt: bewoners organiseren zelf activiteiten en letten op elkaar.",
    },
    "empowerment": {
        1: "Bewoners voelen zich niet gehoord door instanties en haken af bij inspraak.",
        2: "Weinig bewoners nemen zelf initiatief; vrijwilligers zijn moeilijk te vinden.",
        3: "Er zijn enkele actieve bewoners, maar het blijft steeds dezelfde kleine groep.",
        4: "Een nieuwe groep vrijwilligers draait nu op zaterdag het buurthuis.",
        5: "Bewonersinitiatieven bloeien; de buurtraad regelt zelf geld voor activiteiten.",
    },
}


def story_ratings(story: Story) -> list[dict[str, int]]:
    """Ratings per quarter: a straight line from start to end, rounded (pure)."""
    last = len(QUARTERS) - 1
    quarters = []
    for t in range(len(QUARTERS)):
        ratings = {}
        for c in CONDITION_CODES:
            start, end = story.start[c], story.end[c]
            if end == Rating.NO_VIEW:  # loses sight of it in the last quarter
                ratings[c] = start if t < last else Rating.NO_VIEW
            else:
                ratings[c] = round(start + (end - start) * t / last)
        quarters.append(ratings)
    return quarters


def story_signals(ratings: dict[str, int], t: int) -> dict[str, int]:
    """Signal kind name → frequency (1 een enkele keer … 3 vaak), following the ratings."""
    signals: dict[str, int] = {}
    zekerheid, inclusie, cohesie, empowerment = (ratings[c] for c in CONDITION_CODES)
    if 0 < zekerheid <= 2:
        signals["Geldzorgen en schulden"] = 3 if zekerheid == 1 else 2
        if t % 2:
            signals["Woonproblemen"] = 1
    if 0 < inclusie <= 2:
        signals["Digitale uitsluiting"] = 2
        signals["Taalbarrière"] = 1
    if 0 < cohesie <= 2:
        signals["Eenzaamheid"] = 3
        if t % 3 == 0:
            signals["Spanningen in de buurt"] = 1
    if empowerment >= 4:
        signals["Nieuwe groep vrijwilligers"] = 2
    if 0 < zekerheid <= 2 and 0 < cohesie <= 2:
        signals["Zorgmijding"] = 1
    return signals


def _direction(now: int, before: int | None) -> str:
    if now == Rating.NO_VIEW or before in (None, Rating.NO_VIEW):
        return Direction.SAME
    if now < before:
        return Direction.WORSE
    return Direction.BETTER if now > before else Direction.SAME


def demo_observations_load() -> int:
    """Write the example observations that are not there yet; returns how many it wrote."""
    standard_signal_kinds_ensure()
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in={s.author for s in STORIES} | {COORDINATOR}
        )
    }
    wards = {
        w.code: w for w in Region.objects.filter(code__in={s.ward for s in STORIES}, level="wijk")
    }
    kinds = dict(SignalKind.objects.filter(municipality=None).values_list("name", "pk"))
    existing = set(
        Observation.objects.filter(ward__in=wards.values(), period__in=QUARTERS).values_list(
            "ward__code", "period", "author__username"
        )
    )
    written = 0
    for story in STORIES:
        author, ward = users.get(story.author), wards.get(story.ward)
        if author is None or ward is None:
            continue
        series = story_ratings(story)
        for t, (period, ratings) in enumerate(zip(QUARTERS, series, strict=True)):
            if (story.ward, period, story.author) in existing:
                continue
            before = series[t - 1] if t else {}
            status = story.last_status if t == len(QUARTERS) - 1 else Status.ACCEPTED
            data = ObservationInput(
                ratings=ratings,
                directions={c: _direction(ratings[c], before.get(c)) for c in CONDITION_CODES},
                narratives={
                    c: NARRATIVES[c][ratings[c]]
                    for c in CONDITION_CODES
                    if ratings[c] != Rating.NO_VIEW and (t + CONDITION_CODES.index(c)) % 2 == 0
                },
                residents_reached=20 + 4 * t + len(ward.name) % 7,
                sources=["huisbezoeken", "spreekuur"]
                + (["buurtactiviteit"] if t % 2 == 0 else [])
                + (["partners"] if 0 < ratings["cohesie"] <= 2 else []),
                signals={
                    kinds[name]: f for name, f in story_signals(ratings, t).items() if name in kinds
                },
            )
            with transaction.atomic():
                observation = observation_save(
                    user=author,
                    ward=ward,
                    period=period,
                    expected_version=0,
                    data=data,
                    submit=status != Status.CONCEPT,
                    is_example=True,
                    today=AS_OF,
                )
                if status == Status.ACCEPTED:
                    observation_transition(
                        user=users[COORDINATOR],
                        observation=observation,
                        target=Status.ACCEPTED,
                        expected_version=observation.version,
                    )
            written += 1
    return written


def demo_observations_remove() -> int:
    """Delete the example observations (with their signals), before the demo accounts that
    wrote them go; their history and transitions stay, as every log does."""
    deleted, _ = Observation.objects.filter(is_example=True).delete()
    return deleted
