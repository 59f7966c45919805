"""The one place where access is decided. Every view and selector asks here.

Roles are per municipality (`monitoring.Membership`):

| capability | public (published) | beleid | sociaal werker | beheerder | site admin |
|---|---|---|---|---|---|
| VIEW statistics and scores | yes | yes | yes | yes | yes |
| VIEW_PRIVATE (observations, narratives, initiative contacts) | no | yes | yes | yes | yes |
| EXPORT | published tables only | yes | yes | yes | yes |
| KEEP_INITIATIVES | no | no | yes | yes | yes |
| WRITE_OBSERVATION (assigned wards only, see `can_write_observation`) | no | no | yes | no | no |
| COORDINATE (accept / return observations) | no | no | coordinator flag | yes | yes |
| ADMINISTER (imports, settings, regions, users, audit) | no | no | no | yes | yes |

"Public" is anyone without a role in the municipality: an anonymous visitor, or a user of
another municipality. They see a published municipality's statistics and scores, with small
regions' values suppressed (`monitoring.disclosure`); an unpublished one does not exist for them.

A site administrator is a Django superuser. Another municipality's objects are answered with
404, so their existence does not leak; an anonymous visitor is sent to the login page instead
(`require` raises `LoginNeeded`, which `access.middleware` turns into that redirect); a user
whose role in the municipality does not allow something gets 403.

Cost: the user's memberships are read once per request (one query, cached on the user object);
whether municipalities are published is read once per request too (one query). So a permission
check costs one or two queries, however many objects a page checks. A dashboard page reads
both in one query first, for its page-cache key (``access_key``).
"""

from __future__ import annotations

import functools
from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404

from socialquality.rows import instance_from_row

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
SITE_ADMIN_CAPABILITIES = frozenset(Capability) - {Capability.WRITE_OBSERVATION}
_MEMBERSHIPS = "_access_memberships"
_PUBLISHED = "_access_published"


class LoginNeeded(Http404):
    """Not visible to an anonymous visitor: `access.middleware` answers with the login page.

    A subclass of Http404, so that without the middleware nothing leaks either."""


def is_site_admin(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def memberships(user: User) -> dict[int, Membership]:
    """The user's memberships by municipality id, read once per request (cached on the user)."""
    if not user.is_authenticated or not user.is_active:
        return {}
    cached = getattr(user, _MEMBERSHIPS, None)
    if cached is None:
        cached = {m.municipality_id: m for m in _memberships_of(user)}
        setattr(user, _MEMBERSHIPS, cached)
    return cached


def _memberships_of(user: User):
    from monitoring.models import Membership

    return (
        Membership.objects.filter(user=user)
        .select_related("municipality")
        .defer("municipality__geometry")
    )


def _read_access_at_once(user: User) -> None:
    """The memberships (with their municipality), a social worker's wards and the published
    municipalities in one query (the page cache asks for all of them before any page does):
    cached on the user as ``memberships``, ``assigned_ward_ids`` and
    ``published_municipality_ids`` cache them.

    Plain SQL built from the models' metadata, because this runs on every page a logged-in
    user asks for, cached or not: the ORM's compiling of the same query (a join and two array
    subqueries) costs several times the query itself. The instances are the ones the ORM would
    give (``Model.from_db``, the municipality without its geometry, which stays deferred)."""
    if getattr(user, _MEMBERSHIPS, None) is not None or getattr(user, _PUBLISHED, None):
        return
    from monitoring.models import Membership, Region

    with connection.cursor() as cursor:
        cursor.execute(_access_sql(), [user.pk])
        rows = cursor.fetchall()
    membership_fields, region_fields = _access_fields()
    found = []
    for row in rows:
        membership = instance_from_row(
            Membership, membership_fields, row[: len(membership_fields)], connection
        )
        region_row = row[len(membership_fields) : len(membership_fields) + len(region_fields)]
        membership.municipality = instance_from_row(Region, region_fields, region_row, connection)
        ward_ids, published_ids = row[-2], row[-1]
        if membership.role == "sociaal_werker":
            membership._access_ward_ids = set(ward_ids)
        found.append((membership, published_ids))
    setattr(user, _MEMBERSHIPS, {m.municipality_id: m for m, _ in found})
    if found:
        setattr(user, _PUBLISHED, set(found[0][1]))


@functools.cache
def _access_fields() -> tuple[list, list]:
    from monitoring.models import Membership, Region

    membership_fields = list(Membership._meta.concrete_fields)
    region_fields = [f for f in Region._meta.concrete_fields if f.name != "geometry"]
    return membership_fields, region_fields


@functools.cache
def _access_sql() -> str:
    from access.models import MunicipalityAccess
    from monitoring.models import Membership, Region

    membership_fields, region_fields = _access_fields()
    wards = Membership.wards.through._meta
    columns = ", ".join(
        [f'm."{f.column}"' for f in membership_fields] + [f'r."{f.column}"' for f in region_fields]
    )
    return (
        f"SELECT {columns}, "
        f'ARRAY(SELECT w."region_id" FROM "{wards.db_table}" w WHERE w."membership_id" = m."id"), '
        f'ARRAY(SELECT a."municipality_id" FROM "{MunicipalityAccess._meta.db_table}" a '
        'WHERE a."is_published") '
        f'FROM "{Membership._meta.db_table}" m '
        f'JOIN "{Region._meta.db_table}" r ON r."id" = m."municipality_id" '
        'WHERE m."user_id" = %s'
    )


def forget(user: User) -> None:
    """Drop what was read for this user object (its memberships, the published municipalities):
    for code that keeps one user object across changes, such as a test or a shell session."""
    for name in (_MEMBERSHIPS, _PUBLISHED):
        if hasattr(user, name):
            delattr(user, name)


def published_municipality_ids(user: User | None = None) -> set[int]:
    """Ids of the published municipalities; with ``user``, read once per request."""
    cached = getattr(user, _PUBLISHED, None) if user is not None else None
    if cached is None:
        from access.models import MunicipalityAccess

        cached = set(
            MunicipalityAccess.objects.filter(is_published=True).values_list(
                "municipality_id", flat=True
            )
        )
        if user is not None:
            setattr(user, _PUBLISHED, cached)
    return cached


def is_published(municipality: Region, user: User | None = None) -> bool:
    return _municipality_id(municipality) in published_municipality_ids(user)


def capabilities(user: User, municipality: Region | None) -> frozenset[Capability]:
    """What the user may do in this municipality (empty: it does not exist for them).

    ``municipality`` may be any region: its municipality counts."""
    if municipality is None:
        return frozenset()
    if is_site_admin(user):
        return SITE_ADMIN_CAPABILITIES
    membership = memberships(user).get(_municipality_id(municipality))
    if membership is not None:
        granted = ROLE_CAPABILITIES.get(membership.role, frozenset())
        if getattr(membership, "is_coordinator", False):
            granted = granted | {Capability.COORDINATE}
        return granted
    if is_published(municipality, user):
        return PUBLIC_CAPABILITIES
    return frozenset()


def can(user: User, capability: Capability, municipality: Region | None) -> bool:
    return capability in capabilities(user, municipality)


def not_found(user: User) -> Http404:
    """What to raise for something the user may not see, or that does not exist (the same, so
    that nothing leaks): the login page for an anonymous visitor, else 404."""
    if not user.is_authenticated:
        return LoginNeeded("Log in om dit te zien.")
    return Http404("Niet gevonden.")


def has_role(user: User, municipality: Region) -> bool:
    """A role in this municipality (a membership), or site administrator."""
    return is_site_admin(user) or _municipality_id(municipality) in memberships(user)


def require(
    user: User, capability: Capability, municipality: Region | None
) -> frozenset[Capability]:
    """The user's capabilities in this municipality, if they include ``capability``.

    Otherwise: an anonymous visitor gets `LoginNeeded` (the login page); a user with a role in
    this municipality gets 403 (they know it, they may not do this); anyone else, and anyone
    when ``municipality`` is None (not found), 404: another municipality's things do not leak."""
    granted = capabilities(user, municipality)
    if capability in granted:
        return granted
    if user.is_authenticated and municipality is not None and has_role(user, municipality):
        raise PermissionDenied("Uw rol in deze gemeente staat dit niet toe.")
    raise not_found(user)


def is_public_view(granted: frozenset[Capability]) -> bool:
    """Whether these capabilities see the public site (statistics only, small numbers hidden)."""
    return Capability.VIEW_PRIVATE not in granted


def municipality_ids_with(user: User, capability: Capability) -> set[int] | None:
    """Municipalities where the user has a capability through a role; None means every one
    (site admin). The public capabilities of published municipalities are not counted."""
    if is_site_admin(user):
        return None if capability in SITE_ADMIN_CAPABILITIES else set()
    return {
        municipality_id
        for municipality_id, membership in memberships(user).items()
        if capability in ROLE_CAPABILITIES.get(membership.role, frozenset())
        or (capability == Capability.COORDINATE and membership.is_coordinator)
    }


def administers_any(user: User) -> bool:
    ids = municipality_ids_with(user, Capability.ADMINISTER)
    return ids is None or bool(ids)


def administered_municipalities(user: User) -> list[Region]:
    """The municipalities the user is beheerder of, by name (site admins: none listed, they
    have every one). From the cached memberships: no query of its own."""
    ids = municipality_ids_with(user, Capability.ADMINISTER) or set()
    if not ids:
        return []  # a site administrator's memberships need no reading for an empty list
    found = [m.municipality for m in memberships(user).values() if m.municipality_id in ids]
    return sorted(found, key=lambda region: region.name)


def assigned_ward_ids(user: User, municipality: Region) -> set[int]:
    """The wards assigned to a social worker in this municipality (read once, then cached)."""
    membership = memberships(user).get(_municipality_id(municipality))
    if membership is None or membership.role != "sociaal_werker":
        return set()
    cached = getattr(membership, "_access_ward_ids", None)
    if cached is None:
        cached = set(membership.wards.values_list("pk", flat=True))
        membership._access_ward_ids = cached
    return cached


def can_write_observation(user: User, ward: Region) -> bool:
    """Social workers write observations only for the wards assigned to them."""
    return ward.pk in assigned_ward_ids(user, ward)


def visible_municipality_ids(user: User) -> set[int] | None:
    """Municipalities the user may view; None means every one (site admin)."""
    if is_site_admin(user):
        return None
    return set(memberships(user)) | published_municipality_ids(user)


def _municipality_id(municipality: Region) -> int:
    return municipality.municipality_id or municipality.pk


def access_key(user: User) -> str:
    """Everything about the user that a cached page's content may depend on, as one string.

    A page is cached per user (authenticated) or for every anonymous visitor alike, and the key
    also holds what access is decided from: site administrator or not, each role (with the
    coordinator flag and a social worker's wards) and the published municipalities. A change of
    role, wards or publication is a new key, so a cached page never outlives the access it was
    rendered for (``monitoring.page_cache``). One query for a user with a role (memberships,
    wards and published municipalities at once), which the page's own checks then reuse."""
    if user.is_authenticated and user.is_active and not is_site_admin(user):
        _read_access_at_once(user)
    published = ",".join(str(pk) for pk in sorted(published_municipality_ids(user)))
    if not user.is_authenticated or not user.is_active:
        return f"anon|p{published}"
    if is_site_admin(user):
        return f"admin{user.pk}|p{published}"
    roles = []
    for municipality_id, membership in sorted(memberships(user).items()):
        wards = ""
        if membership.role == "sociaal_werker":
            wards = ":" + ".".join(
                str(pk) for pk in sorted(assigned_ward_ids(user, membership.municipality))
            )
        coordinator = "c" if getattr(membership, "is_coordinator", False) else ""
        roles.append(f"{municipality_id}={membership.role}{coordinator}{wards}")
    return f"user{user.pk}|{';'.join(roles)}|p{published}"
