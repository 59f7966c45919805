"""One initiative as plain data, and the rules it must keep. Pure: no ORM, no request.

The entry form and the file import both build an :class:`InitiativeRecord` and ask
:func:`record_problems`, so a rule holds the same on screen and in a spreadsheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from initiatives.choices import Funding, Kind, PartnerKind, Status, TargetGroup
from monitoring.conditions import Condition

# The Netherlands, roughly: where a point may lie when a municipality has no outline yet.
NL_BOUNDS = (50.7, 53.7, 3.2, 7.3)  # south, north, west, east


@dataclass
class InitiativeRecord:
    name: str
    kind: str = Kind.ACTIVITEIT
    description: str = ""
    ward_codes: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    partner_kinds: list[str] = field(default_factory=list)
    start_date: date | None = None
    end_date: date | None = None
    status: str = Status.IDEE
    funding: str = Funding.GEEN
    funding_until: date | None = None
    funder: str = ""
    contact_organisation: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    website: str = ""
    latitude: float | None = None
    longitude: float | None = None
    is_example: bool = False

    def normalised(self) -> InitiativeRecord:
        """Lists in their fixed order and without repeats, texts trimmed: equal records mean
        equal initiatives."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in (
            "name",
            "description",
            "funder",
            "contact_organisation",
            "contact_email",
            "contact_phone",
            "website",
        ):
            values[name] = (values[name] or "").strip()
        values["ward_codes"] = sorted({c.strip().upper() for c in self.ward_codes if c.strip()})
        for name, choices in LIST_CHOICES.items():
            values[name] = in_choice_order(values[name], choices)
        return InitiativeRecord(**values)

    def changed_fields(self, other: InitiativeRecord) -> list[str]:
        a, b = self.normalised(), other.normalised()
        return [f.name for f in fields(self) if getattr(a, f.name) != getattr(b, f.name)]


LIST_CHOICES = {
    "conditions": Condition,
    "target_groups": TargetGroup,
    "partner_kinds": PartnerKind,
}

FIELD_LABELS = {
    "name": "naam",
    "kind": "soort",
    "description": "beschrijving",
    "ward_codes": "wijken",
    "conditions": "condities",
    "target_groups": "doelgroepen",
    "partner_kinds": "partners",
    "start_date": "start",
    "end_date": "einde",
    "status": "status",
    "funding": "financiering",
    "funding_until": "financiering tot",
    "funder": "financier",
    "contact_organisation": "contactorganisatie",
    "contact_email": "e-mail",
    "contact_phone": "telefoon",
    "website": "website",
    "latitude": "breedtegraad",
    "longitude": "lengtegraad",
    "is_example": "voorbeeldgegevens",
    "participants": "deelnemers",
    "volunteers": "vrijwilligers",
    "reached_groups": "bereikte doelgroepen",
    "missed_groups": "niet bereikt",
    "missed_note": "toelichting niet bereikt",
}


def in_choice_order(values: list[str], choices) -> list[str]:
    order = {value: i for i, value in enumerate(choices.values)}
    return sorted(set(values), key=lambda v: order.get(v, len(order)))


@dataclass(frozen=True)
class Area:
    """Where a point may lie: the municipality's outline as shapely geometry, or a box."""

    shape: object | None = None  # shapely geometry of the municipality's wards
    bounds: tuple[float, float, float, float] = NL_BOUNDS

    def contains(self, latitude: float, longitude: float) -> bool:
        if self.shape is not None:
            from shapely.geometry import Point

            return bool(self.shape.intersects(Point(longitude, latitude)))
        south, north, west, east = self.bounds
        return south <= latitude <= north and west <= longitude <= east


def area_from_geometries(geometries: list[dict]) -> Area:
    """The union of the wards' GeoJSON outlines; without any, the box of the Netherlands."""
    from shapely.geometry import shape
    from shapely.ops import unary_union

    shapes = []
    for geometry in geometries:
        try:
            shapes.append(shape(geometry).buffer(0))
        except (ValueError, TypeError, AttributeError, KeyError):
            continue
    return Area(unary_union(shapes)) if shapes else Area()


def record_problems(
    record: InitiativeRecord, *, known_ward_codes: set[str], area: Area
) -> dict[str, list[str]]:
    """Every broken rule, in Dutch, by field (``""`` for the record as a whole)."""
    problems: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        problems.setdefault(name, []).append(message)

    if not record.name.strip():
        add("name", "Vul de naam van het initiatief in.")
    elif len(record.name.strip()) > 200:
        add("name", "De naam is te lang (hoogstens 200 tekens).")
    if record.kind not in Kind.values:
        add("kind", f"Onbekende soort ‘{record.kind}’.")
    if record.status not in Status.values:
        add("status", f"Onbekende status ‘{record.status}’.")
    if not record.ward_codes:
        add("ward_codes", "Kies minstens één wijk die het initiatief bedient.")
    unknown = sorted({c for c in record.ward_codes if c.upper() not in known_ward_codes})
    if unknown:
        add(
            "ward_codes",
            f"Onbekende wijkcode{'s' if len(unknown) > 1 else ''} in deze gemeente: "
            f"{', '.join(unknown)}.",
        )
    if record.start_date and record.end_date and record.end_date < record.start_date:
        add("end_date", "Het einde ligt vóór de start.")
    if record.funding not in Funding.values:
        add("funding", f"Onbekende financiering ‘{record.funding}’.")
    elif record.funding == Funding.TIJDELIJK and record.funding_until is None:
        add("funding_until", "Tijdelijke financiering: vul in tot wanneer.")
    elif record.funding != Funding.TIJDELIJK and record.funding_until is not None:
        add(
            "funding_until",
            "Een einddatum van de financiering hoort alleen bij tijdelijke financiering.",
        )
    if (record.latitude is None) != (record.longitude is None):
        add("latitude", "Vul voor de plek zowel breedte- als lengtegraad in, of geen van beide.")
    elif record.latitude is not None and not area.contains(record.latitude, record.longitude):
        add(
            "latitude",
            "De plek ligt niet in deze gemeente (breedtegraad eerst, bijv. 52,08; "
            "lengtegraad daarna, bijv. 4,31).",
        )
    has_contact = record.contact_email or record.contact_phone or record.website
    if has_contact and not record.contact_organisation.strip():
        add(
            "contact_organisation",
            "Contactgegevens horen bij een organisatie: vul de contactorganisatie in.",
        )
    if record.contact_email:
        try:
            EmailValidator()(record.contact_email)
        except ValidationError:
            add("contact_email", f"‘{record.contact_email}’ is geen geldig e-mailadres.")
    if record.website:
        try:
            URLValidator(schemes=["http", "https"])(record.website)
        except ValidationError:
            add("website", f"‘{record.website}’ is geen geldig webadres (begin met https://).")
    if len(record.contact_phone) > 30:
        add("contact_phone", "Het telefoonnummer is te lang.")
    return problems
