"""The demo municipalities, from real CBS files in ``fixtures/demo``: 's-Gravenhage (GM0518) and
Amsterdam (GM0363).

For 's-Gravenhage, 2019 is the one year with (nearly) every scored indicator; the other years
carry what CBS had published in those editions, so their condition scores show "onvoldoende
gegevens" honestly. Amsterdam has one release per year: the StatLine download of 2017 (as
rewritten by R: dots for spaces), the OData files of 2019 and 2021. 2017 has income, benefits and
distances, 2019 nearly everything, 2021 households and education: so Amsterdam has condition
scores in two years, and indicator trends over three. (Utrecht's kwb-2023/2024 Excel extracts in
tests/data were tried: income, education and distances are all '.' there, so they add no scores.)

Loaded through the same import path as any admin's file, so the demo proves the data path. Every
step is idempotent: loading twice leaves the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from access.models import MunicipalityAccess
from monitoring import scoring
from monitoring.importing.formats.geometry import parse_boundaries
from monitoring.importing.pipeline import ImportOutcome, file_import
from monitoring.models import ConditionScore, ImportBatch, Membership, Region, Role
from monitoring.services import (
    derived_values_recompute,
    framework_install,
    region_geometry_set,
    scores_recompute_many,
)

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
DEMO_DIR = FIXTURES / "demo"
DEMO_MUNICIPALITY = "GM0518"
DEMO_AMSTERDAM = "GM0363"
DEMO_MUNICIPALITIES = (DEMO_MUNICIPALITY, DEMO_AMSTERDAM)

# (file, period when the file itself does not say it)
DEMO_TABLES: tuple[tuple[str, str], ...] = (
    # The national row first: the reference of the method "afstand tot de landelijke waarde".
    ("kwb2019_NL00_statline.csv", "2019"),
    ("kwb2017_GM0518_odata.csv", "2017"),
    ("kwb2019_GM0518_odata.csv", "2019"),
    ("kwb2020_GM0518_odata.csv", "2020"),
    ("kwb2021_GM0518_odata.csv", "2021"),
    ("kwb2024_GM0518_statline_bevolking.csv", "2024"),
    # Amsterdam: one CBS release per year (the 2017 file also has the row of Nederland).
    ("kwb2017_GM0363_statline_r.csv", "2017"),
    ("kwb2019_GM0363_odata.csv", "2019"),
    ("kwb2021_GM0363_odata.csv", "2021"),
)
# Files whose period we inferred rather than read: the 's-Gravenhage "2020" file carries the
# 2019 column keys and no year; its row IDs and inhabitants put it between 2019 and 2021
# (tests/data/cbs_kwb/kwb_den_haag_2019_2020_2021/SOURCE.md). Its values say so on every page.
DEMO_INFERRED_PERIODS: frozenset[str] = frozenset({"kwb2020_GM0518_odata.csv"})
# (file, year of the boundaries)
DEMO_BOUNDARIES: tuple[tuple[str, int], ...] = (
    ("wijken_GM0518_2023_wgs84.geojson", 2024),
    # Amsterdam's 99 wijk codes are the same in 2016, 2017, 2019 and 2021.
    ("wijken_GM0363_2016_wgs84.geojson", 2021),
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: Role | None  # their role in the demo municipality; None: none
    full_name: str
    # Social workers: the wards assigned to them (CBS codes).
    ward_codes: tuple[str, ...] = ()
    site_admin: bool = False  # a Django superuser: every municipality, indicators, weights

    @property
    def label(self) -> str:
        return self.role.label if self.role else "Sitebeheerder (alle gemeenten)"


# Development only: these passwords are printed by `make run` and refused when DEBUG is off.
# The beheerder administers 's-Gravenhage only; the national framework (indicators, weights)
# and other municipalities are the site administrator's.
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("beleid", "beleid-demo-2024", Role.POLICY_OFFICER, "Bea Beleid"),
    DemoUser(
        "sociaalwerker",
        "wijkwerk-demo-2024",
        Role.SOCIAL_WORKER,
        "Sam Wijkwerker",
        ("WK051807", "WK051808", "WK051829"),
    ),
    DemoUser(
        "buurtwerker",
        "buurtwerk-demo-2024",
        Role.SOCIAL_WORKER,
        "Noor Buurtwerker",
        ("WK051829", "WK051830", "WK051836", "WK051817"),
    ),
    DemoUser("beheerder", "beheer-demo-2024", Role.ADMIN, "Bram Beheer"),
    DemoUser("sitebeheerder", "site-demo-2024", None, "Sanne Sitebeheer", site_admin=True),
)


def demo_load(*, with_users: bool = True) -> list[ImportOutcome]:
    installed = framework_install(path=FIXTURES / "indicator_framework.json")
    outcomes = [
        file_import(
            data=(DEMO_DIR / name).read_bytes(),
            filename=name,
            period=period,
            recompute_scores=False,  # once, for both municipalities, below
        )
        for name, period in DEMO_TABLES
    ]
    ImportBatch.objects.filter(file_name__in=DEMO_INFERRED_PERIODS).update(period_source="afgeleid")
    for name, year in DEMO_BOUNDARIES:
        boundaries = parse_boundaries((DEMO_DIR / name).read_bytes(), filename=name)
        region_geometry_set(geometries=boundaries.regions, year=year)
    municipalities = list(
        Region.objects.municipalities().filter(code__in=DEMO_MUNICIPALITIES).order_by("code")
    )
    # Recompute when a file brought something new, when the scores were cleared or computed by
    # an earlier method version (after an upgrade); not on every `make run`.
    stale = ConditionScore.objects.exclude(method_version=scoring.METHOD_VERSION).exists()
    if installed or stale:
        # New indicators (an upgraded framework) may be inputs of derived ones.
        derived_values_recompute()
    if (
        installed
        or stale
        or any(not outcome.already_imported for outcome in outcomes)
        or any(
            not ConditionScore.objects.filter(region__municipality=m).exists()
            for m in municipalities
        )
    ):
        scores_recompute_many(municipalities=municipalities)
    for municipality in municipalities:
        # The demo is the public site a newcomer sees before logging in.
        MunicipalityAccess.objects.update_or_create(
            municipality=municipality, defaults={"is_published": True}
        )
    from initiatives.demo import demo_initiatives_load  # example initiatives (voorbeeldgegevens)

    demo_initiatives_load()
    if with_users:
        demo_users_ensure()
        # Example observations (marked "voorbeeldgegevens"), written by the demo users.
        from observations.demo import demo_observations_load

        demo_observations_load()
    return outcomes


def demo_users_ensure() -> None:
    if not settings.DEMO_USERS_ALLOWED:
        raise RuntimeError(
            "Demo-gebruikers met bekende wachtwoorden worden alleen aangemaakt als DEBUG aan staat."
        )
    municipality = Region.objects.municipalities().get(code=DEMO_MUNICIPALITY)
    # The policy officer reads both demo municipalities, so the home page lists both.
    also_read = list(Region.objects.municipalities().filter(code=DEMO_AMSTERDAM))
    user_model = get_user_model()
    with transaction.atomic():
        for demo in DEMO_USERS:
            first, last = demo.full_name.split(" ", 1)
            user, created = user_model.objects.get_or_create(
                username=demo.username, defaults={"first_name": first, "last_name": last}
            )
            if created:
                user.set_password(demo.password)
            # Also on a database from before: the demo beheerder was once a superuser.
            user.is_staff = user.is_superuser = demo.site_admin
            user.save()
            if demo.role is None:
                continue
            membership, _ = Membership.objects.get_or_create(
                user=user, municipality=municipality, defaults={"role": demo.role}
            )
            if demo.role == Role.POLICY_OFFICER:
                for other in also_read:
                    Membership.objects.get_or_create(
                        user=user, municipality=other, defaults={"role": demo.role}
                    )
            if demo.role == Role.SOCIAL_WORKER:
                # Adds the demo wards that are missing (twice changes nothing).
                membership.wards.add(
                    *Region.objects.filter(
                        municipality=municipality, level="wijk", code__in=demo.ward_codes
                    )
                )
