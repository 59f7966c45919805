"""Writes of a municipality's beheer: access settings, scoring settings, users and roles,
region names. Keyword-only, typed, atomic. Who may call them is decided by the views through
access.permissions (ADMINISTER of the municipality)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from access.models import MunicipalityAccess
from monitoring.models import Level, Membership, Region, Role, ScoringSettings
from monitoring.services.data_version import bumps_data_version


class AccessRefused(Exception):
    """A change that would leave the municipality in a bad state; ``message`` is Dutch."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SettingsOutcome:
    published_changed: bool
    base_period_changed: bool
    scores_written: int | None  # None: not recomputed


@bumps_data_version
@transaction.atomic
def municipality_settings_set(
    *,
    municipality: Region,
    is_published: bool,
    require_mfa_for_admins: bool,
    base_period: str,
) -> SettingsOutcome:
    """Publish or unpublish, require a second factor for beheerders, choose the base year.
    A new base year recomputes the municipality's scores (it is the reference of every index)."""
    from monitoring.services import scores_recompute

    access, _ = MunicipalityAccess.objects.select_for_update().get_or_create(
        municipality=municipality
    )
    published_changed = access.is_published != is_published
    access.is_published = is_published
    access.require_mfa_for_admins = require_mfa_for_admins
    access.save()
    scoring, _ = ScoringSettings.objects.select_for_update().get_or_create(
        municipality=municipality
    )
    base_period_changed = scoring.base_period != base_period
    written = None
    if base_period_changed:
        scoring.base_period = base_period
        scoring.save()
        written = scores_recompute(municipality=municipality).scores_written
    return SettingsOutcome(published_changed, base_period_changed, written)


def _wards_of(municipality: Region, wards: Iterable[Region]) -> list[Region]:
    wards = list(wards)
    if any(w.municipality_id != municipality.pk or w.level != Level.WIJK for w in wards):
        raise AccessRefused("Kies alleen wijken van deze gemeente.")
    return wards


@bumps_data_version
@transaction.atomic
def member_add(
    *,
    municipality: Region,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    wards: Iterable[Region] = (),
    is_coordinator: bool = False,
) -> Membership:
    """A new user with a role in this municipality. No password is set: the user chooses one
    through "wachtwoord vergeten" with this e-mail address, so no beheerder ever knows it."""
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise AccessRefused(
            f"De gebruikersnaam “{username}” is al in gebruik. Kies een andere, of vraag de "
            "sitebeheerder om een bestaande gebruiker ook aan deze gemeente te koppelen."
        )
    user = user_model(username=username, first_name=first_name, last_name=last_name, email=email)
    user.set_unusable_password()
    user.save()
    membership = Membership.objects.create(
        user=user, municipality=municipality, role=role, is_coordinator=is_coordinator
    )
    membership.wards.set(_wards_of(municipality, wards) if role == Role.SOCIAL_WORKER else [])
    return membership


def _keeps_a_beheerder(membership: Membership, *, new_role: str | None) -> None:
    if membership.role != Role.ADMIN or new_role == Role.ADMIN:
        return
    others = (
        Membership.objects.filter(municipality_id=membership.municipality_id, role=Role.ADMIN)
        .exclude(pk=membership.pk)
        .select_for_update()
    )
    if not others.exists():
        raise AccessRefused(
            "Dit is de laatste functioneel beheerder van de gemeente. Maak eerst iemand anders "
            "beheerder; anders kan niemand de gemeente nog beheren."
        )


@bumps_data_version
@transaction.atomic
def member_update(
    *, membership: Membership, role: str, wards: Iterable[Region] = (), is_coordinator: bool
) -> Membership:
    _keeps_a_beheerder(membership, new_role=role)
    municipality = membership.municipality
    membership.role = role
    membership.is_coordinator = is_coordinator
    membership.save(update_fields=["role", "is_coordinator"])
    membership.wards.set(_wards_of(municipality, wards) if role == Role.SOCIAL_WORKER else [])
    return membership


@bumps_data_version
@transaction.atomic
def member_remove(*, membership: Membership) -> None:
    """Takes the user's role in this municipality away (the account stays: it may have roles
    elsewhere, and the audit trail names it)."""
    _keeps_a_beheerder(membership, new_role=None)
    membership.delete()


@bumps_data_version
@transaction.atomic
def region_rename(*, region: Region, name: str) -> Region:
    name = name.strip()
    if not name:
        raise AccessRefused("Een gebied heeft een naam nodig.")
    region.name = name
    region.save(update_fields=["name"])
    return region
