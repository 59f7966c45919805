"""A small municipality with wards and staff, for the observation tests (no demo needed)."""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from monitoring.models import Membership, Region, Role
from observations.models import Observation, ObservationSignal, ObservationTransition, SignalKind
from observations.services import (
    ObservationInput,
    observation_save,
    observation_transition,
    standard_signal_kinds_ensure,
)
from observations.workflow import Status

PASSWORD = "test-wachtwoord-2024"


@dataclass
class Town:
    municipality: Region
    wards: list[Region]
    other_municipality: Region
    other_ward: Region
    worker: object  # social worker, assigned wards[0] and wards[1]
    colleague: object  # second social worker, assigned wards[0]
    coordinator: object  # social worker with the coordinator flag, wards[2]
    admin: object  # beheerder of the municipality
    policy: object  # beleidsmedewerker
    stranger: object  # beheerder of the other municipality


@functools.cache
def _password_hash() -> str:
    # Hashing is slow on purpose; once per test run is enough.
    return make_password(PASSWORD)


def user(username: str, *, full_name: str = ""):
    first, _, last = (full_name or username.title()).partition(" ")
    return get_user_model().objects.create(
        username=username, password=_password_hash(), first_name=first, last_name=last
    )


def member(person, municipality, role, *, wards=(), coordinator=False):
    membership = Membership.objects.create(
        user=person, municipality=municipality, role=role, is_coordinator=coordinator
    )
    membership.wards.set(wards)
    return membership


def town_create() -> Town:
    standard_signal_kinds_ensure()  # a test before may have flushed the migration's rows
    municipality = Region.objects.create(
        code="GM0001", name="Dorpstad", level="gemeente", inhabitants=50000
    )
    municipality.municipality = municipality
    municipality.save()
    wards = [
        Region.objects.create(
            code=f"WK00010{i}",
            name=name,
            level="wijk",
            parent=municipality,
            municipality=municipality,
            inhabitants=5000,
        )
        for i, name in enumerate(["Centrum", "Noord", "Oost", "Zuid"])
    ]
    other = Region.objects.create(code="GM0002", name="Elders", level="gemeente")
    other.municipality = other
    other.save()
    other_ward = Region.objects.create(
        code="WK000201", name="Elders-Centrum", level="wijk", parent=other, municipality=other
    )
    worker = user("werker", full_name="Wim Werker")
    colleague = user("collega", full_name="Cor Collega")
    coordinator = user("coordinator", full_name="Coby Coördinator")
    admin = user("beheerder", full_name="Bert Beheer")
    policy = user("beleid", full_name="Bea Beleid")
    stranger = user("vreemde", full_name="Vera Vreemd")
    member(worker, municipality, Role.SOCIAL_WORKER, wards=wards[:2])
    member(colleague, municipality, Role.SOCIAL_WORKER, wards=wards[:1])
    member(coordinator, municipality, Role.SOCIAL_WORKER, wards=wards[2:3], coordinator=True)
    member(admin, municipality, Role.ADMIN)
    member(policy, municipality, Role.POLICY_OFFICER)
    member(stranger, other, Role.ADMIN)
    return Town(
        municipality,
        wards,
        other,
        other_ward,
        worker,
        colleague,
        coordinator,
        admin,
        policy,
        stranger,
    )


def kind(name: str = "Eenzaamheid") -> SignalKind:
    return SignalKind.objects.get(municipality=None, name=name)


def complete_input(**overrides) -> ObservationInput:
    """Every condition rated, with a direction and a short narrative."""
    values = {
        "ratings": {"zekerheid": 2, "inclusie": 3, "cohesie": 2, "empowerment": 0},
        "directions": {"zekerheid": "verslechterd", "inclusie": "gelijk", "cohesie": "gelijk"},
        "narratives": {
            "zekerheid": "Meer bewoners met betalingsachterstanden bij het spreekuur.",
            "cohesie": "Ouderen in de flats zien elkaar weinig sinds de buurtkamer dicht is.",
        },
        "residents_reached": 40,
        "sources": ["spreekuur", "huisbezoeken"],
        "signals": {kind().pk: 3, kind("Geldzorgen en schulden").pk: 2},
    }
    values.update(overrides)
    return ObservationInput(**values)


def forget_permissions(*people) -> None:
    """Memberships are cached on the user object for one request; start a new one."""
    for person in people:
        person.__dict__.pop("_access_memberships", None)
        person.__dict__.pop("_access_published", None)


def observations_with_history(town: Town, count: int) -> Observation:
    """``count`` accepted observations of Centrum in earlier quarters, each with two signals,
    plus the one of this quarter with ``count`` saved versions (a long history)."""
    periods = []
    today = timezone.localdate()
    period = f"{today.year}-K{(today.month - 1) // 3 + 1}"
    year, quarter = today.year - 1, 4
    while len(periods) < count:
        periods.append(f"{year}-K{quarter}")
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    now = timezone.now()
    common = {
        "ward": town.wards[0],
        "municipality": town.municipality,
        "author": town.worker,
        "updated_by": town.worker,
        "updated_at": now,
        "status": Status.ACCEPTED,
        "zekerheid_rating": 2,
        "cohesie_rating": 3,
        "cohesie_narrative": "De buurtkamer trekt nieuwe bezoekers.",
    }
    created = Observation.objects.bulk_create(Observation(period=p, **common) for p in periods)
    ObservationSignal.objects.bulk_create(
        ObservationSignal(observation=o, kind=k, frequency=2)
        for o in created
        for k in (kind(), kind("Zorgmijding"))
    )
    ObservationTransition.objects.bulk_create(
        ObservationTransition(observation=o, to_status=Status.ACCEPTED, actor=town.admin)
        for o in created
    )
    current = observation_save(
        user=town.worker,
        ward=town.wards[0],
        period=period,
        expected_version=0,
        data=complete_input(),
    )
    for version in range(1, count):
        current = observation_save(
            user=town.worker,
            ward=town.wards[0],
            period=period,
            expected_version=version,
            data=complete_input(residents_reached=version),
        )
    return observation_transition(
        user=town.worker, observation=current, target=Status.SUBMITTED, expected_version=count
    )


def csv_table(response) -> tuple[list[str], list[list[str]]]:
    """(header, data rows) of a CSV download: title row, header, rows, blank, source."""
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, *rest = lines[1:]
    rows = []
    for line in rest:
        if not line:
            break
        rows.append(line)
    return header, rows
