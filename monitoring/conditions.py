"""The four conditions of social quality, fixed in code (they are the theory, not data)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Condition(models.TextChoices):
    ZEKERHEID = "zekerheid", "Sociaaleconomische zekerheid"
    INCLUSIE = "inclusie", "Sociale inclusie"
    COHESIE = "cohesie", "Sociale cohesie"
    EMPOWERMENT = "empowerment", "Sociale empowerment"


class IndicatorRole(models.TextChoices):
    """What an indicator is for: one of the four conditions, or context (shown, never scored)."""

    ZEKERHEID = "zekerheid", "Sociaaleconomische zekerheid"
    INCLUSIE = "inclusie", "Sociale inclusie"
    COHESIE = "cohesie", "Sociale cohesie"
    EMPOWERMENT = "empowerment", "Sociale empowerment"
    CONTEXT = "context", "Context (niet gescoord)"


@dataclass(frozen=True)
class ConditionInfo:
    condition: Condition
    name_nl: str
    name_en: str
    short_nl: str
    # Okabe–Ito palette: distinguishable with every common form of colour blindness.
    colour: str
    # A second carrier besides colour, for lines and markers.
    dash: str
    symbol: str
    description_nl: str


CONDITIONS: tuple[ConditionInfo, ...] = (
    ConditionInfo(
        Condition.ZEKERHEID,
        "Sociaaleconomische zekerheid",
        "Socio-economic security",
        "Zekerheid",
        "#0072B2",
        "solid",
        "circle",
        "Inkomen, werk, wonen en gezondheid: hebben mensen de middelen om rond te komen?",
    ),
    ConditionInfo(
        Condition.INCLUSIE,
        "Sociale inclusie",
        "Social inclusion",
        "Inclusie",
        "#E69F00",
        "dash",
        "square",
        "Toegang tot werk, voorzieningen en netwerken: kan iedereen meedoen?",
    ),
    ConditionInfo(
        Condition.COHESIE,
        "Sociale cohesie",
        "Social cohesion",
        "Cohesie",
        "#009E73",
        "dot",
        "diamond",
        "Contact, vertrouwen, erbij horen, eenzaamheid en vrijwilligerswerk.",
    ),
    ConditionInfo(
        Condition.EMPOWERMENT,
        "Sociale empowerment",
        "Social empowerment",
        "Empowerment",
        "#CC79A7",
        "dashdot",
        "triangle-up",
        "Vermogens, zelfredzaamheid en zeggenschap: kunnen mensen hun leven richting geven?",
    ),
)

CONDITION_INFO: dict[str, ConditionInfo] = {info.condition.value: info for info in CONDITIONS}
