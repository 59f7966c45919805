"""The one place where access is decided. Every view and selector asks here.

Roles are per municipality (`monitoring.Membership`):

| capability | anonymous (published) | beleid | sociaal werker | beheerder | site admin |
|---|---|---|---|---|---|
| VIEW statistics and scores | yes | yes | yes | yes | yes |
| VIEW_PRIVATE (observations, narratives, initiative contacts) | no | yes | yes | yes | yes |
| EXPORT | published tables only | yes | yes | yes | yes |
| KEEP_INITIATIVES | no | no | yes | yes | yes |
| WRITE_OBSERVATION (assigned wards only, see `can_write_observation`) | no | no | yes | no | no |
| COORDINATE (accept / return observations) | no | no | coordinator flag | yes | yes |
| ADMINISTER (imports, indicators, settings, users, audit) | no | no | no | yes | yes |

A site administrator is a Django superuser. Another municipality's objects are answered with
404 (`get_object_or_404`-style helpers below), so their existence does not leak.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.http import Http404

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from monitoring.models import Membership, Region

    User = AbstractBaseUser | AnonymousUser


class Capability(StrEnum):
    VIEW = "view"
    VIEW_PRIVATE = "view_private"
    EXPORT = "export"
    KEEP_INITIATIVES = "keep_initiatives"
    WRITE_OBSERVATION = "write_observation"
    COORDINATE = "coordinate"
    ADMINISTER = "administer"


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    "beleid": frozenset({Capability.VIEW, Capability.VIEW_PRIVATE, Capability.EXPORT}),
    "sociaal_werker": frozenset(
        {
            Capability.VIEW,
            Capability.VIEW_PRIVATE,
            Capability.EXPORT,
            Capability.KEEP_INITIATIVES,
            Capability.WRITE_OBSERVATION,
        }
    ),
    "beheerder": frozenset(
        {
            Capability.VIEW,
            Capability.VIEW_PRIVATE,
            Capability.EXPORT,
            Capability.KEEP_INITIATIVES,
            Capability.COORDINATE,
            Capability.ADMINISTER,
        }
    ),
}
PUBLIC_CAPABILITIES = frozenset({Capability.VIEW, Capability.EXPORT})
_CACHE_ATTRIBUTE = "_access_memberships"


def is_site_admin(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def memberships(user: User) -> dict[int, Membership]:
    """The user's memberships by municipality id, read once per request (cached on the user)."""
    if not user.is_authenticated or not user.is_active:
        return {}
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        from monitoring.models import Membership

        cached = {
            m.municipality_id: m
            for m in Membership.objects.filter(user=user).prefetch_related("wards")
        }
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


def published_municipality_ids() -> set[int]:
    from access.models import MunicipalityAccess

    return set(
        MunicipalityAccess.objects.filter(is_published=True).values_list(
            "municipality_id", flat=True
        )
    )


def is_published(municipality: Region) -> bool:
    from access.models import MunicipalityAccess

    return MunicipalityAccess.objects.filter(
        municipality_id=_municipality_id(municipality), is_published=True
    ).exists()


def capabilities(user: User, municipality: Region) -> frozenset[Capability]:
    """What the user may do in this municipality (empty: it does not exist for them)."""
    if is_site_admin(user):
        return frozenset(Capability) - {Capability.WRITE_OBSERVATION}
    membership = memberships(user).get(_municipality_id(municipality))
    if membership is not None:
        granted = ROLE_CAPABILITIES.get(membership.role, frozenset())
        if getattr(membership, "is_coordinator", False):
            granted = granted | {Capability.COORDINATE}
        return granted
    if is_published(municipality):
        return PUBLIC_CAPABILITIES
    return frozenset()


def can(user: User, capability: Capability, municipality: Region) -> bool:
    return capability in capabilities(user, municipality)


def require(user: User, capability: Capability, municipality: Region) -> None:
    """Raise 404 unless the user has the capability here (404, not 403: nothing leaks)."""
    if not can(user, capability, municipality):
        raise Http404("Niet gevonden.")


def assigned_ward_ids(user: User, municipality: Region) -> set[int]:
    membership = memberships(user).get(_municipality_id(municipality))
    if membership is None or membership.role != "sociaal_werker":
        return set()
    return {ward.pk for ward in membership.wards.all()}


def can_write_observation(user: User, ward: Region) -> bool:
    """Social workers write observations only for the wards assigned to them."""
    municipality_id = ward.municipality_id
    membership = memberships(user).get(municipality_id)
    if membership is None or membership.role != "sociaal_werker":
        return False
    return any(assigned.pk == ward.pk for assigned in membership.wards.all())


def visible_municipality_ids(user: User) -> set[int] | None:
    """Municipalities the user may view; None means every one (site admin)."""
    if is_site_admin(user):
        return None
    return set(memberships(user)) | published_municipality_ids()


def _municipality_id(municipality: Region) -> int:
    return municipality.municipality_id or municipality.pk
