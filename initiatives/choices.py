"""The fixed vocabularies of the sociale basis: kinds, target groups, partners, status, funding.

Fixed in code (like the conditions) so that counts over municipalities mean the same thing and
the gap analysis can count "who is not reached"; ``overig`` catches what does not fit yet.
"""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    ONTMOETINGSPLEK = "ontmoetingsplek", "Ontmoetingsplek"
    VRIJWILLIGERSNETWERK = "vrijwilligersnetwerk", "Vrijwilligersnetwerk"
    ACTIVITEIT = "activiteit", "Activiteit (wandelen, koken, lezen, …)"
    INFORMELE_HULP = "informele_hulp", "Informele hulp"
    VOEDSEL = "voedsel", "Voedsel"
    DIGITALE_HULP = "digitale_hulp", "Digitale hulp"
    VERVOER = "vervoer", "Vervoer"
    TAAL = "taal", "Taal en lezen"
    BEWEGEN = "bewegen", "Sport en bewegen"
    OVERIG = "overig", "Overig"


class TargetGroup(models.TextChoices):
    OUDEREN = "ouderen", "Ouderen"
    JONGEREN = "jongeren", "Jongeren"
    KINDEREN = "kinderen", "Kinderen"
    GEZINNEN = "gezinnen", "Gezinnen"
    NIEUWKOMERS = "nieuwkomers", "Nieuwkomers"
    LAAG_INKOMEN = "laag_inkomen", "Mensen met een laag inkomen"
    LHBTI = "lhbti", "LHBTI+"
    BEPERKING = "beperking", "Mensen met een beperking"
    MANTELZORGERS = "mantelzorgers", "Mantelzorgers"
    PSYCHISCH = "psychisch", "Mensen met psychische kwetsbaarheid"
    LAAGGELETTERDEN = "laaggeletterden", "Laaggeletterden"
    ALLEENSTAANDEN = "alleenstaanden", "Alleenstaanden"


class PartnerKind(models.TextChoices):
    BEWONERS = "bewoners", "Bewoners"
    WELZIJN = "welzijn", "Welzijn"
    WONINGCORPORATIE = "woningcorporatie", "Woningcorporatie"
    RELIGIEUS = "religieus", "Religieuze instelling"
    VERENIGING = "vereniging", "Vereniging"
    BEDRIJF = "bedrijf", "Bedrijf"
    GEMEENTE = "gemeente", "Gemeente"
    ZORG = "zorg", "Zorg"
    ONDERWIJS = "onderwijs", "Onderwijs"


class Status(models.TextChoices):
    IDEE = "idee", "Idee"
    ACTIEF = "actief", "Actief"
    GESTOPT = "gestopt", "Gestopt"


class Funding(models.TextChoices):
    STRUCTUREEL = "structureel", "Structureel"
    TIJDELIJK = "tijdelijk", "Tijdelijk (tot een datum)"
    GEEN = "geen", "Geen"


def label_of(choices: type[models.TextChoices], value: str) -> str:
    try:
        return choices(value).label
    except ValueError:
        return value


def labels_of(choices: type[models.TextChoices], values: list[str]) -> list[str]:
    return [label_of(choices, v) for v in values]
