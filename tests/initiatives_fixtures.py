"""Small places and initiatives for the initiative tests (built with the real services)."""

from __future__ import annotations

from datetime import date

from initiatives.rules import InitiativeRecord
from initiatives.services import initiative_create, reach_set
from initiatives.tabular import ReachRecord
from monitoring.models import Level, Region
from tests.test_dashboard_fixtures import square


def small_municipality(code: str = "GM9901", wards: int = 3) -> Region:
    """A municipality with ``wards`` wards side by side, each a square on the map."""
    number = code[2:]
    municipality = Region.objects.create(
        code=code, name=f"Proefstad {number}", level=Level.GEMEENTE
    )
    municipality.municipality = municipality
    municipality.save(update_fields=["municipality"])
    for i in range(1, wards + 1):
        Region.objects.create(
            code=f"WK{number}{i:02d}",
            name=f"Wijk {i}",
            level=Level.WIJK,
            parent=municipality,
            municipality=municipality,
            geometry=square(4.0 + (i - 1) * 0.01, 52.0),
        )
    return municipality


def record(name: str = "Koffie op de hoek", **changes) -> InitiativeRecord:
    values = {
        "name": name,
        "kind": "ontmoetingsplek",
        "description": "Elke dinsdag koffie en een praatje.",
        "ward_codes": ["WK990101"],
        "conditions": ["cohesie", "inclusie"],
        "target_groups": ["ouderen", "alleenstaanden"],
        "partner_kinds": ["bewoners", "welzijn"],
        "start_date": date(2024, 1, 1),
        "status": "actief",
        "funding": "tijdelijk",
        "funding_until": date(2025, 12, 31),
        "funder": "Gemeente",
        "contact_organisation": "Welzijn Proefstad",
        "contact_email": "info@welzijn.example",
        "contact_phone": "+31 70 123 45 67",
        "website": "https://welzijn.example/koffie",
        "latitude": 52.005,
        "longitude": 4.005,
    }
    values.update(changes)
    return InitiativeRecord(**values)


def initiatives_of(municipality: Region, n: int, *, ward_codes=None) -> list:
    """``n`` initiatives with reach in two quarters each."""
    wards = ward_codes or [
        w.code for w in Region.objects.filter(municipality=municipality, level=Level.WIJK)
    ]
    made = []
    for i in range(n):
        initiative = initiative_create(
            municipality=municipality,
            record=record(
                f"Initiatief {i:03d}",
                ward_codes=[wards[i % len(wards)]],
                conditions=[["cohesie"], ["inclusie", "empowerment"], ["zekerheid"]][i % 3],
                latitude=None,
                longitude=None,
            ),
        )
        for quarter in ("2025-K1", "2025-K2"):
            reach_set(
                initiative=initiative,
                record=ReachRecord(
                    initiative.name,
                    quarter,
                    participants=10 + i,
                    volunteers=2,
                    reached_groups=["ouderen"],
                    missed_groups=["jongeren"],
                    missed_note="Jongeren komen nog niet.",
                ),
            )
        made.append(initiative)
    return made


def member(municipality: Region, role: str, username: str | None = None):
    """A user with this role in this municipality."""
    from django.contrib.auth import get_user_model

    from monitoring.models import Membership

    user = get_user_model().objects.create_user(
        username or f"{role}-{municipality.code}", password="geheim-wachtwoord-123"
    )
    Membership.objects.create(user=user, municipality=municipality, role=role)
    return user


def publish(municipality: Region) -> None:
    from access.models import MunicipalityAccess

    MunicipalityAccess.objects.update_or_create(
        municipality=municipality, defaults={"is_published": True}
    )
