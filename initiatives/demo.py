"""Example initiatives for the demo municipality ('s-Gravenhage, GM0518): voorbeeldgegevens.

Invented, and marked so on every page that shows them (``is_example``). Their dates are set
relative to the day they are first loaded, so that the demo has reach over the last quarters
and temporary funding that ends soon; loading again changes nothing (an initiative that exists
by name is left alone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from initiatives.gaps import add_months
from initiatives.models import Initiative
from initiatives.rules import InitiativeRecord
from initiatives.services import initiative_create, reach_set
from initiatives.tabular import ReachRecord
from monitoring.models import Level, Region
from monitoring.periods import Period

DEMO_MUNICIPALITY = "GM0518"


@dataclass(frozen=True)
class DemoInitiative:
    name: str
    kind: str
    description: str
    wards: tuple[str, ...]
    conditions: tuple[str, ...]
    target_groups: tuple[str, ...]
    partners: tuple[str, ...]
    organisation: str
    status: str = "actief"
    funding: str = "geen"
    funding_months: int | None = None  # temporary funding ends this many months from today
    started: date | None = None
    ended: date | None = None
    # Reach per quarter, the latest last: (participants, volunteers)
    reach: tuple[tuple[int, int], ...] = ()
    reached: tuple[str, ...] = ()
    missed: tuple[str, ...] = ()
    missed_note: str = ""
    reach_until: str | None = None  # last quarter of reach when it stopped long ago


DEMO_INITIATIVES: tuple[DemoInitiative, ...] = (
    DemoInitiative(
        "Buurtkamer De Schilders",
        "ontmoetingsplek",
        "Een huiskamer in de wijk, gerund met en door bewoners: koffie, een praatje, een "
        "maaltijd op vrijdag en hulp bij een brief.",
        ("WK051829", "WK051830"),
        ("cohesie", "inclusie"),
        ("ouderen", "alleenstaanden", "nieuwkomers"),
        ("bewoners", "welzijn", "woningcorporatie"),
        "Stichting Buurtwerk Voorbeeld",
        funding="tijdelijk",
        funding_months=4,
        started=date(2021, 3, 1),
        reach=((38, 9), (42, 10), (47, 11), (51, 12), (55, 12)),
        reached=("ouderen", "alleenstaanden"),
        missed=("nieuwkomers", "jongeren"),
        missed_note="Nieuwkomers weten de buurtkamer nog niet te vinden; jongeren komen niet.",
    ),
    DemoInitiative(
        "Moerwijk Helpt",
        "vrijwilligersnetwerk",
        "Buren helpen buren: boodschappen, een klusje, samen naar de dokter.",
        ("WK051836",),
        ("zekerheid", "cohesie"),
        ("ouderen", "mantelzorgers", "beperking"),
        ("bewoners", "welzijn", "zorg"),
        "Welzijnsorganisatie Voorbeeld Escamp",
        funding="structureel",
        started=date(2019, 9, 1),
        reach=((61, 24), (58, 25), (64, 27), (70, 28)),
        reached=("ouderen", "beperking"),
        missed=("mantelzorgers",),
        missed_note="Mantelzorgers vragen zelden hulp voor zichzelf.",
    ),
    DemoInitiative(
        "Wandelgroep Zuiderpark",
        "bewegen",
        "Elke woensdagochtend een uur wandelen door het Zuiderpark, daarna koffie.",
        ("WK051835", "WK051836"),
        ("empowerment", "cohesie"),
        ("ouderen", "alleenstaanden"),
        ("bewoners", "vereniging"),
        "Wandelvereniging Voorbeeld",
        started=date(2022, 4, 1),
        reach=((14, 2), (17, 2), (12, 2), (19, 3)),
        reached=("ouderen",),
        missed=("alleenstaanden",),
    ),
    DemoInitiative(
        "Kookclub Transvaal",
        "activiteit",
        "Samen koken en eten met gerechten uit de hele wereld; kinderen eten mee.",
        ("WK051830",),
        ("cohesie", "inclusie"),
        ("nieuwkomers", "gezinnen", "laag_inkomen"),
        ("bewoners", "religieus"),
        "Moskee- en kerkcomité Voorbeeld",
        funding="tijdelijk",
        funding_months=2,
        started=date(2023, 1, 15),
        reach=((22, 5), (25, 6), (31, 6), (29, 7)),
        reached=("nieuwkomers", "gezinnen"),
        missed=("laag_inkomen",),
        missed_note="Wie weinig te besteden heeft, schaamt zich soms om mee te eten.",
    ),
    DemoInitiative(
        "Leesclub Laak",
        "taal",
        "Samen lezen en praten over een boek, in eenvoudig Nederlands.",
        ("WK051838",),
        ("empowerment", "inclusie"),
        ("laaggeletterden", "nieuwkomers"),
        ("onderwijs", "welzijn"),
        "Bibliotheek Voorbeeld Laak",
        funding="tijdelijk",
        funding_months=14,
        started=date(2022, 9, 1),
        reach=((9, 2), (11, 2), (10, 3), (13, 3)),
        reached=("nieuwkomers",),
        missed=("laaggeletterden",),
        missed_note="Laaggeletterden zijn lastig te bereiken met een folder.",
    ),
    DemoInitiative(
        "Digitaal Spreekuur Bouwlust",
        "digitale_hulp",
        "Hulp bij DigiD, toeslagen en de bank-app, elke dinsdag en donderdag.",
        ("WK051833", "WK051834"),
        ("zekerheid", "inclusie", "empowerment"),
        ("ouderen", "laag_inkomen"),
        ("welzijn", "gemeente", "onderwijs"),
        "Welzijnsorganisatie Voorbeeld Escamp",
        funding="structureel",
        started=date(2020, 10, 1),
        reach=((84, 8), (91, 8), (88, 9), (97, 9), (102, 10)),
        reached=("ouderen", "laag_inkomen"),
    ),
    DemoInitiative(
        "Plusbus Escamp",
        "vervoer",
        "Een busje met vrijwillige chauffeurs brengt oudere bewoners naar de markt, de "
        "huisarts en een uitje.",
        ("WK051833", "WK051834", "WK051836"),
        ("inclusie", "cohesie"),
        ("ouderen", "beperking"),
        ("welzijn", "bedrijf"),
        "Stichting Plusbus Voorbeeld",
        funding="tijdelijk",
        funding_months=5,
        started=date(2018, 5, 1),
        reach=((140, 16), (152, 16), (149, 15), (160, 17)),
        reached=("ouderen", "beperking"),
    ),
    DemoInitiative(
        "Puzzel- en verhalenboekje voor ouderen",
        "informele_hulp",
        "Tijdens de lockdown bracht de buurt elke oudere bewoner een boekje met puzzels en "
        "verhalen, met een telefoonnummer voor een praatje.",
        ("WK051829", "WK051830", "WK051838"),
        ("cohesie",),
        ("ouderen", "alleenstaanden"),
        ("bewoners", "welzijn", "woningcorporatie"),
        "Stichting Buurtwerk Voorbeeld",
        status="gestopt",
        started=date(2020, 4, 1),
        ended=date(2021, 6, 30),
        reach=((900, 40), (1100, 45), (1250, 48), (1200, 44), (950, 38)),
        reached=("ouderen", "alleenstaanden"),
        reach_until="2021-K2",
    ),
    DemoInitiative(
        "Buurtmaaltijd Hoornwijk",
        "voedsel",
        "Een warme maaltijd voor een kleine bijdrage, twee keer per week, met voedselhulp voor "
        "wie het nodig heeft.",
        ("WK051841",),
        ("zekerheid",),
        ("laag_inkomen", "gezinnen"),
        ("bewoners", "religieus", "bedrijf"),
        "Diaconie Voorbeeld",
        funding="structureel",
        started=date(2021, 11, 1),
        reach=((45, 11), (52, 12), (49, 12), (57, 13)),
        reached=("laag_inkomen",),
        missed=("gezinnen",),
        missed_note="Gezinnen met jonge kinderen komen 's avonds moeilijk.",
    ),
    DemoInitiative(
        "Jongerenplek Spoorwijk",
        "ontmoetingsplek",
        "Plan van jongeren zelf: een plek om te chillen, huiswerk te maken en iets te organiseren.",
        ("WK051838",),
        ("empowerment", "inclusie"),
        ("jongeren",),
        ("bewoners", "onderwijs", "woningcorporatie"),
        "Jongerenwerk Voorbeeld",
        status="idee",
    ),
    DemoInitiative(
        "Mantelzorgcafé Mariahoeve",
        "ontmoetingsplek",
        "Eens per maand: mantelzorgers ontmoeten elkaar, met een spreker of gewoon koffie.",
        ("WK051825",),
        ("cohesie", "empowerment"),
        ("mantelzorgers",),
        ("welzijn", "zorg"),
        "Steunpunt Mantelzorg Voorbeeld",
        funding="tijdelijk",
        funding_months=9,
        started=date(2022, 2, 1),
        reach=((16, 3), (19, 3), (15, 3), (21, 4)),
        reached=("mantelzorgers",),
    ),
    DemoInitiative(
        "Taalmaatjes Schildersbuurt",
        "vrijwilligersnetwerk",
        "Een vrijwilliger oefent wekelijks Nederlands met een nieuwe buurtbewoner.",
        ("WK051829",),
        ("inclusie", "empowerment"),
        ("nieuwkomers", "laaggeletterden"),
        ("welzijn", "onderwijs", "bewoners"),
        "Taalhuis Voorbeeld",
        funding="structureel",
        started=date(2019, 1, 1),
        reach=((34, 30), (36, 31), (39, 33), (41, 35)),
        reached=("nieuwkomers",),
        missed=("laaggeletterden",),
        missed_note="Nederlandse laaggeletterden melden zich bijna nooit.",
    ),
    DemoInitiative(
        "Regenboogcafé Centrum",
        "ontmoetingsplek",
        "Een veilige ontmoetingsplek voor LHBTI+-bewoners en hun vrienden.",
        ("WK051828",),
        ("inclusie", "cohesie"),
        ("lhbti", "jongeren"),
        ("vereniging", "bedrijf"),
        "Vereniging Regenboog Voorbeeld",
        started=date(2023, 6, 1),
        reach=((28, 6), (33, 6), (30, 7), (36, 7)),
        reached=("lhbti",),
        missed=("jongeren",),
        missed_note="Jongeren onder de 18 komen niet in een café.",
    ),
)


def _quarters_until(last: str, n: int) -> list[str]:
    if n == 0:
        return []
    period = Period.parse(last)
    quarters = [period]
    for _ in range(n - 1):
        quarters.append(quarters[-1].previous())
    return [str(q) for q in reversed(quarters)]


def _last_complete_quarter(today: date) -> str:
    return str(Period(today.year, (today.month - 1) // 3 + 1).previous())


def _slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())[:30]


@transaction.atomic
def demo_initiatives_load(*, today: date | None = None) -> int:
    """The example initiatives of the demo municipality; returns how many were created."""
    today = today or timezone.localdate()
    municipality = Region.objects.municipalities().filter(code=DEMO_MUNICIPALITY).first()
    if municipality is None:
        return 0
    existing = set(
        Initiative.objects.filter(municipality=municipality).values_list("name", flat=True)
    )
    wards = {
        w.code: w
        for w in Region.objects.filter(
            municipality=municipality, level=Level.WIJK, last_year__isnull=True
        )
    }
    last_quarter = _last_complete_quarter(today)
    created = 0
    for demo in DEMO_INITIATIVES:
        if demo.name in existing or not all(code in wards for code in demo.wards):
            continue
        latitude, longitude = _point_in(wards[demo.wards[0]])
        record = InitiativeRecord(
            name=demo.name,
            kind=demo.kind,
            description=demo.description,
            ward_codes=list(demo.wards),
            conditions=list(demo.conditions),
            target_groups=list(demo.target_groups),
            partner_kinds=list(demo.partners),
            start_date=demo.started,
            end_date=demo.ended,
            status=demo.status,
            funding=demo.funding,
            funding_until=add_months(today, demo.funding_months) if demo.funding_months else None,
            funder="Gemeente (voorbeeld)" if demo.funding != "geen" else "",
            contact_organisation=demo.organisation,
            contact_email=f"info@{_slug(demo.organisation)}.example",
            website=f"https://{_slug(demo.organisation)}.example/",
            latitude=latitude,
            longitude=longitude,
            is_example=True,
        )
        initiative = initiative_create(municipality=municipality, record=record)
        quarters = _quarters_until(demo.reach_until or last_quarter, len(demo.reach))
        for quarter, (participants, volunteers) in zip(quarters, demo.reach, strict=True):
            reach_set(
                initiative=initiative,
                record=ReachRecord(
                    initiative_name=initiative.name,
                    period=quarter,
                    participants=participants,
                    volunteers=volunteers,
                    reached_groups=list(demo.reached),
                    missed_groups=list(demo.missed),
                    missed_note=demo.missed_note,
                ),
            )
        created += 1
    return created


def _point_in(ward: Region) -> tuple[float | None, float | None]:
    """A point that surely lies inside the ward (not its centroid, which may fall outside)."""
    if not ward.geometry:
        return None, None
    from shapely.geometry import shape

    try:
        point = shape(ward.geometry).buffer(0).representative_point()
    except (ValueError, TypeError, AttributeError):
        return None, None
    return round(point.y, 5), round(point.x, 5)
