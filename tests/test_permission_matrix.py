"""The permission matrix: every URL of the site × every kind of user → the expected answer.

Generated from the URL configuration: ``test_every_url_pattern_has_a_row`` walks
``get_resolver()`` and fails for a URL pattern that no row below covers, so a new URL cannot
be forgotten. ``test_every_url_answers_every_kind_of_user_as_expected`` then asks each row's
URL as each kind of user, for the municipality the URL is about (its "target") published and
unpublished, and lists every answer that differs from the row's profile.

Kinds of user (``ACTORS``): anonymous; a beleidsmedewerker, a sociaal werker and a beheerder of
the target municipality ("own") and of another one ("other"); a site administrator.

Answers: a status code, or ``LOGIN`` (a redirect to the login page, or to the Django admin's). A row's *profile* is a
function ``(actor, published) -> answer``; the profiles below are the site's access rules:

- ``OPEN``: everyone (login, password reset, health check).
- ``PUBLIC``: a municipality's statistics and scores: its users and site admins; when it is
  published also anonymous visitors and users of other municipalities (others: login / 404).
- ``HOME``: pages that show the municipalities the user may view (home, compare without a
  selection): anonymous visitors only when something is published; every logged-in user.
- ``PRIVATE``: observations, narratives, initiatives (``Capability.VIEW_PRIVATE``): the
  municipality's own users and site admins; never anonymous visitors (login), others 404.
- ``administer()``: a beheerder's pages of the municipality (settings, users, regions): its
  beheerders and site admins; its other users 403; anonymous login; others 404.
- ``imports()`` / ``import_batch()``: the web import (any beheerder / the batch's
  municipality's beheerders; users who are no beheerder get the import's Dutch 403).
- ``STAFF``: the Django admin (``/beheer/``), for site administrators only.
- ``POST_ONLY``: a form action such as logout: GET answers 405 once logged in.
Pass ``ok=`` to a profile factory when the allowed answer is not 200 (e.g. a redirect).

**Adding your URL is one line in ``ROWS``**::

    Row("observations:list", lambda w: f"/wijk/{w.ward.code}/observaties/", PRIVATE),

The lambda gets the ``World``: ``w.target`` (the municipality the URL is about), ``w.ward``,
``w.buurt`` (of the target), ``w.batch`` (an applied import of the target), ``w.membership``
(the target's sociaal werker's role), ``w.users`` (by actor name); it may
create what the URL needs (``lambda w: f"/initiatieven/{initiative_in(w.ward).pk}/"``). A
URL pattern may have several rows (variants); ``name`` is the URL name with its namespace, or
an ``fnmatch`` pattern (``"admin:*"``), or for unnamed patterns the route (``"beheer/*"``).
``post=True`` also sends an empty POST as every user who may not GET the page,
and expects the same refusal (nothing is written for them). If your profile is none of the
above, write a new one next to them: a function of ``(actor, published)``.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from access.models import MunicipalityAccess
from monitoring.models import ImportBatch, Membership, Region, Role
from tests.conftest import member
from tests.test_dashboard_fixtures import synthetic_municipality

LOGIN = "login"
ROLES = (Role.POLICY_OFFICER, Role.SOCIAL_WORKER, Role.ADMIN)


@dataclass(frozen=True)
class Actor:
    name: str
    role: str | None = None  # None: anonymous or site admin
    own: bool = False  # a role in the target municipality (else in the other one)
    site_admin: bool = False

    @property
    def anonymous(self) -> bool:
        return self.role is None and not self.site_admin


ACTORS = (
    Actor("anoniem"),
    *(Actor(f"{role} eigen", role, own=True) for role in ROLES),
    *(Actor(f"{role} andere", role, own=False) for role in ROLES),
    Actor("sitebeheerder", site_admin=True),
)

Answer = int | str
Profile = Callable[[Actor, bool], Answer]


def OPEN(actor: Actor, published: bool) -> Answer:
    return 200


def PUBLIC(actor: Actor, published: bool) -> Answer:
    if actor.site_admin or actor.own or published:
        return 200
    return LOGIN if actor.anonymous else 404


def HOME(actor: Actor, published: bool) -> Answer:
    if actor.anonymous and not published:
        return LOGIN
    return 200


def PRIVATE(actor: Actor, published: bool) -> Answer:
    if actor.anonymous:
        return LOGIN
    return 200 if actor.site_admin or actor.own else 404


def administer(ok: Answer = 200) -> Profile:
    def profile(actor: Actor, published: bool) -> Answer:
        if actor.anonymous:
            return LOGIN
        if actor.site_admin or (actor.own and actor.role == Role.ADMIN):
            return ok
        return 403 if actor.own else 404

    return profile


def imports(ok: Answer = 200) -> Profile:
    def profile(actor: Actor, published: bool) -> Answer:
        if actor.anonymous:
            return LOGIN
        return ok if actor.site_admin or actor.role == Role.ADMIN else 403

    return profile


def import_batch(ok: Answer = 200) -> Profile:
    def profile(actor: Actor, published: bool) -> Answer:
        if actor.anonymous:
            return LOGIN
        if actor.site_admin or (actor.own and actor.role == Role.ADMIN):
            return ok
        return 404 if actor.role == Role.ADMIN else 403

    return profile


def LOGGED_IN(actor: Actor, published: bool) -> Answer:
    return LOGIN if actor.anonymous else 200


def writer(actor: Actor, published: bool) -> Answer:
    """An observation form: the social worker the ward is assigned to; the municipality's
    other users (and site admins, who write no observations) 403."""
    if actor.anonymous:
        return LOGIN
    if actor.own and actor.role == Role.SOCIAL_WORKER:
        return 200
    return 403 if actor.own or actor.site_admin else 404


def KEEP_INITIATIVES(actor: Actor, published: bool) -> Answer:
    """Entering and editing initiatives, their reach and files: the municipality's social
    workers and beheerders, and site admins; its beleidsmedewerkers 403."""
    if actor.anonymous:
        return LOGIN
    if actor.site_admin or (actor.own and actor.role in (Role.SOCIAL_WORKER, Role.ADMIN)):
        return 200
    return 403 if actor.own else 404


def initiative_in(w: World):
    """One initiative of the target municipality, serving its ward (made once)."""
    from initiatives.models import Initiative
    from initiatives.rules import InitiativeRecord
    from initiatives.services import initiative_create

    found = Initiative.objects.filter(municipality=w.target).first()
    if found is None:
        found = initiative_create(
            municipality=w.target,
            record=InitiativeRecord(
                name="Buurtkamer", ward_codes=[w.ward.code], status="actief", conditions=["cohesie"]
            ),
        )
    return found


def STAFF(actor: Actor, published: bool) -> Answer:
    return 200 if actor.site_admin else LOGIN  # the site's, or the admin's own login page


def POST_ONLY(actor: Actor, published: bool) -> Answer:
    return LOGIN if actor.anonymous else 405


def entrance(ok: Answer = 200, signed_in: Answer = 302) -> Profile:
    """Login and password-reset pages: open to visitors; a signed-in user is sent on (allauth)
    or, with ``signed_in=200``, sees the page too."""

    def profile(actor: Actor, published: bool) -> Answer:
        return ok if actor.anonymous else signed_in

    return profile


def signed_in(ok: Answer = 200) -> Profile:
    """A user's own account pages (password, second factor): every signed-in user."""

    def profile(actor: Actor, published: bool) -> Answer:
        return LOGIN if actor.anonymous else ok

    return profile


def LOGOUT(actor: Actor, published: bool) -> Answer:
    """allauth's logout: a confirmation page, the POST logs out; a visitor is sent home."""
    return 302 if actor.anonymous else 200


def trail_start(actor: Actor, published: bool) -> Answer:
    """/logboek/: site administrators read it; a beheerder is sent to their municipality's."""
    if actor.anonymous:
        return LOGIN
    if actor.site_admin:
        return 200
    return 302 if actor.role == Role.ADMIN else 403


@dataclass
class World:
    target: Region
    other: Region
    ward: Region
    buurt: Region
    batch: ImportBatch
    membership: Membership  # the own sociaal werker's role in the target
    users: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    name: str
    url: Callable[[World], str]
    profile: Profile
    # Also POST (empty) as every user the POST profile refuses; True: the same profile as GET.
    post: Profile | bool = False

    def post_profile(self) -> Profile | None:
        if self.post is True:
            return self.profile
        return self.post or None


ROWS: tuple[Row, ...] = (
    # Open to everyone
    Row("login", lambda w: "/inloggen/", entrance()),
    Row("account_login", lambda w: "/inloggen/", entrance()),
    Row("logout", lambda w: "/uitloggen/", LOGOUT),
    Row("account_logout", lambda w: "/uitloggen/", LOGOUT),
    Row("health", lambda w: "/gezond/", OPEN),
    # Login, password and second factor (allauth)
    Row("account_inactive", lambda w: "/account/inactief/", OPEN),
    Row("account_reset_password", lambda w: "/account/wachtwoord/vergeten/", OPEN),
    Row("account_reset_password_done", lambda w: "/account/wachtwoord/vergeten/verstuurd/", OPEN),
    Row(
        "account_reset_password_from_key",
        lambda w: "/account/wachtwoord/herstellen/1-onjuiste-sleutel/",
        OPEN,
    ),
    Row("account_reset_password_from_key_done", lambda w: "/account/wachtwoord/hersteld/", OPEN),
    Row("account_change_password", lambda w: "/account/wachtwoord/", signed_in()),
    Row("account_set_password", lambda w: "/account/wachtwoord/instellen/", signed_in(302)),
    Row("account_reauthenticate", lambda w: "/account/bevestigen/", signed_in()),
    Row("account_email", lambda w: "/account/e-mail/", signed_in()),
    Row("account_email_verification_sent", lambda w: "/account/e-mail/bevestigen/", OPEN),
    Row("account_confirm_email", lambda w: "/account/e-mail/bevestigen/onjuist/", OPEN),
    Row("mfa_index", lambda w: "/account/tweede-factor/", signed_in()),
    Row("mfa_authenticate", lambda w: "/account/tweede-factor/authenticate/", entrance(302)),
    # Without an authenticator app: confirm with the password instead (account_reauthenticate).
    Row("mfa_reauthenticate", lambda w: "/account/tweede-factor/reauthenticate/", signed_in(302)),
    Row("mfa_activate_totp", lambda w: "/account/tweede-factor/totp/activate/", signed_in(302)),
    Row("mfa_deactivate_totp", lambda w: "/account/tweede-factor/totp/deactivate/", signed_in(404)),
    # Recovery codes exist once an authenticator app is set up.
    Row(
        "mfa_view_recovery_codes",
        lambda w: "/account/tweede-factor/recovery-codes/",
        signed_in(404),
    ),
    Row(
        "mfa_generate_recovery_codes",
        lambda w: "/account/tweede-factor/recovery-codes/generate/",
        signed_in(302),
    ),
    Row(
        "mfa_download_recovery_codes",
        lambda w: "/account/tweede-factor/recovery-codes/download/",
        signed_in(404),
    ),
    # The audit trail: beheerders of the municipality and site administrators
    Row("audit:start", lambda w: "/logboek/", trail_start),
    Row("audit:trail", lambda w: f"/logboek/{w.target.code}/", administer()),
    # Dashboards: the public site when published
    Row("home", lambda w: "/", HOME),
    Row("municipality", lambda w: f"/gemeente/{w.target.code}/", PUBLIC),
    Row("municipality", lambda w: f"/gemeente/{w.target.code}/?conditie=inclusie", PUBLIC),
    Row(
        "municipality",
        lambda w: f"/gemeente/{w.target.code}/?format=csv&tabel=scorekaart",
        PUBLIC,
    ),
    Row("ward", lambda w: f"/wijk/{w.ward.code}/", PUBLIC),
    Row("ward", lambda w: f"/wijk/{w.ward.code}/?deel=opbouw", PUBLIC),
    Row("ward", lambda w: f"/wijk/{w.ward.code}/?format=json", PUBLIC),
    Row("ward", lambda w: f"/wijk/{w.ward.code}/?format=xlsx&tabel=indicatoren", PUBLIC),
    Row("ward_score", lambda w: f"/wijk/{w.ward.code}/zekerheid/", PUBLIC),
    Row("buurt", lambda w: f"/buurt/{w.buurt.code}/", PUBLIC),
    Row("buurt_score", lambda w: f"/buurt/{w.buurt.code}/cohesie/?format=json", PUBLIC),
    Row("compare", lambda w: "/vergelijk/", HOME),
    Row("compare", lambda w: f"/vergelijk/?gemeente={w.target.code}", PUBLIC),
    Row("indicator", lambda w: f"/indicator/sez_laag_inkomen/?gemeente={w.target.code}", PUBLIC),
    Row("indicators", lambda w: f"/indicatoren/?gemeente={w.target.code}", PUBLIC),
    Row(
        "indicators",
        lambda w: f"/indicatoren/?gemeente={w.target.code}&format=csv&tabel=indicatoren",
        PUBLIC,
    ),
    Row("change", lambda w: f"/verandering/?gemeente={w.target.code}&van=2019", PUBLIC),
    Row("change", lambda w: "/verandering/", HOME),
    # The web import: beheerders, for their own municipality's batches
    Row("importing:upload", lambda w: "/import/", imports(), post=True),
    Row("importing:history", lambda w: "/import/geschiedenis/", imports()),
    Row("importing:template", lambda w: "/import/sjabloon/breed-csv/", imports()),
    Row(
        "importing:template",
        lambda w: f"/import/sjabloon/lang-xlsx/?gemeente={w.target.code}",
        import_batch(),
    ),
    Row("importing:preview", lambda w: f"/import/{w.batch.pk}/", import_batch(ok=302)),
    Row("importing:progress", lambda w: f"/import/{w.batch.pk}/voortgang/", import_batch(302)),
    Row("importing:result", lambda w: f"/import/{w.batch.pk}/resultaat/", import_batch()),
    Row(
        "importing:rollback",
        lambda w: f"/import/{w.batch.pk}/terugdraaien/",
        import_batch(),
        post=True,
    ),
    # A municipality's beheer (no Django staff needed)
    Row("access:settings", lambda w: f"/gemeente/{w.target.code}/beheer/", administer(), post=True),
    Row("access:members", lambda w: f"/gemeente/{w.target.code}/beheer/gebruikers/", administer()),
    Row(
        "access:member_add",
        lambda w: f"/gemeente/{w.target.code}/beheer/gebruikers/nieuw/",
        administer(),
        post=True,
    ),
    Row(
        "access:member",
        lambda w: f"/gemeente/{w.target.code}/beheer/gebruikers/{w.membership.pk}/",
        administer(),
        post=True,
    ),
    Row(
        "access:member_remove",
        lambda w: f"/gemeente/{w.target.code}/beheer/gebruikers/{w.membership.pk}/verwijderen/",
        POST_ONLY,
        post=administer(ok=302),
    ),
    Row("access:regions", lambda w: f"/gemeente/{w.target.code}/beheer/gebieden/", administer()),
    Row(
        "access:region",
        lambda w: f"/gemeente/{w.target.code}/beheer/gebieden/{w.ward.code}/",
        administer(),
        post=True,
    ),
    # Observations: the assigned social worker writes, coordinators decide, staff read
    Row("observations:index", lambda w: "/observaties/", LOGGED_IN),
    Row(
        "observations:form",
        lambda w: f"/observaties/wijk/{assigned_ward(w).code}/{this_quarter()}/",
        writer,
        post=True,
    ),
    Row("observations:detail", lambda w: f"/observaties/{accepted_observation(w).pk}/", PRIVATE),
    Row(
        "observations:transition",
        lambda w: f"/observaties/{accepted_observation(w).pk}/status/",
        POST_ONLY,
        post=PRIVATE,
    ),
    Row(
        "observations:coordination",
        lambda w: f"/observaties/gemeente/{w.target.code}/",
        administer(),
    ),
    Row(
        "observations:export",
        lambda w: f"/observaties/gemeente/{w.target.code}/export/?format=csv&toelichting=1",
        PRIVATE,
    ),
    Row(
        "observations:signal_kinds",
        lambda w: f"/observaties/gemeente/{w.target.code}/signalen/",
        administer(),
        post=True,
    ),
    # Initiatives: read as the dashboards (the public sees names, kinds, wards, conditions);
    # kept by social workers and beheerders; files carry contacts and reach, never public
    Row("initiatives:list", lambda w: f"/gemeente/{w.target.code}/initiatieven/", PUBLIC),
    Row(
        "initiatives:list",
        lambda w: f"/gemeente/{w.target.code}/initiatieven/?wijk={w.ward.code}&conditie=cohesie",
        PUBLIC,
    ),
    Row(
        "initiatives:detail",
        lambda w: f"/gemeente/{w.target.code}/initiatieven/{initiative_in(w).pk}/",
        PUBLIC,
    ),
    Row("initiatives:social_base", lambda w: f"/gemeente/{w.target.code}/sociale-basis/", PUBLIC),
    Row(
        "initiatives:social_base",
        lambda w: f"/gemeente/{w.target.code}/sociale-basis/?format=csv&tabel=hiaten",
        PUBLIC,
    ),
    Row(
        "initiatives:create",
        lambda w: f"/gemeente/{w.target.code}/initiatieven/nieuw/",
        KEEP_INITIATIVES,
        post=True,
    ),
    Row(
        "initiatives:edit",
        lambda w: f"/gemeente/{w.target.code}/initiatieven/{initiative_in(w).pk}/bewerken/",
        KEEP_INITIATIVES,
        post=True,
    ),
    Row(
        "initiatives:reach",
        lambda w: f"/gemeente/{w.target.code}/initiatieven/{initiative_in(w).pk}/bereik/",
        KEEP_INITIATIVES,
        post=True,
    ),
    Row(
        "initiatives:import",
        lambda w: f"/gemeente/{w.target.code}/initiatieven/importeren/",
        KEEP_INITIATIVES,
        post=True,
    ),
    Row(
        "initiatives:export",
        lambda w: f"/gemeente/{w.target.code}/initiatieven/export/initiatieven.csv",
        PRIVATE,
    ),
    Row(
        "initiatives:export",
        lambda w: f"/gemeente/{w.target.code}/initiatieven/export/bereik.xlsx",
        PRIVATE,
    ),
    # The Django admin: site administrators (every admin URL goes through admin_view)
    Row("admin:*", lambda w: "/beheer/", STAFF),
    Row("beheer/*", lambda w: "/beheer/monitoring/region/", STAFF),
)


def this_quarter() -> str:
    from django.utils import timezone

    today = timezone.localdate()
    return f"{today.year}-K{(today.month - 1) // 3 + 1}"


def assigned_ward(w: World) -> Region:
    w.membership.wards.add(w.ward)
    return w.ward


def accepted_observation(w: World):
    """An accepted observation of the target's ward by its social worker (made once)."""
    from observations.models import Observation
    from observations.services import ObservationInput, observation_save, observation_transition

    author = w.membership.user
    found = Observation.objects.filter(ward=w.ward, author=author).first()
    if found:
        return found
    author = type(author).objects.get(pk=author.pk)  # fresh: no cached permissions
    observation = observation_save(
        user=author,
        ward=assigned_ward(w),
        period=this_quarter(),
        expected_version=0,
        data=ObservationInput(
            ratings={"zekerheid": 2, "inclusie": 3, "cohesie": 2, "empowerment": 0},
            directions={"zekerheid": "gelijk", "inclusie": "gelijk", "cohesie": "gelijk"},
            narratives={"cohesie": "Ouderen zien elkaar weinig."},
        ),
        submit=True,
    )
    return observation_transition(
        user=w.users[f"{Role.ADMIN} eigen"],
        observation=observation,
        target="geaccepteerd",
        expected_version=observation.version,
    )


def url_keys(resolver: URLResolver | None = None, namespace: str = "", prefix: str = ""):
    """(key, route) of every URL pattern: the key is its namespaced name, else its route."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_keys(pattern, inner, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            yield (f"{namespace}{pattern.name}" if pattern.name else route), route


def _covers(row: Row, key: str) -> bool:
    return fnmatch.fnmatchcase(key, row.name)


def test_every_url_pattern_has_a_row():
    missing = [
        f"{key} ({route})"
        for key, route in url_keys()
        if not any(_covers(row, key) for row in ROWS)
    ]
    assert not missing, (
        "URL-patronen zonder rij in de permissiematrix (voeg een Row toe aan ROWS in "
        "tests/test_permission_matrix.py):\n  " + "\n  ".join(missing)
    )


def test_every_row_names_an_existing_url_pattern():
    keys = [key for key, _ in url_keys()]
    stale = [row.name for row in ROWS if not any(_covers(row, key) for key in keys)]
    assert not stale, f"Rijen zonder URL-patroon: {stale}"


@pytest.fixture
def world(framework) -> World:
    target = synthetic_municipality(code="GM9940", wards=3)
    other = synthetic_municipality(code="GM9941", wards=3)
    users: dict[str, object] = {}
    for actor in ACTORS:
        if actor.site_admin:
            from django.contrib.auth import get_user_model

            users[actor.name] = get_user_model().objects.create_superuser(
                "site", password="geheim-wachtwoord-1"
            )
        elif actor.role:
            municipality = target if actor.own else other
            username = actor.name.replace(" ", "-")
            users[actor.name] = member(actor.role, municipality, username=username)
    batch = ImportBatch.objects.create(
        file_name="kwb.csv",
        sha256="0" * 64,
        municipality=target,
        user=users[f"{Role.ADMIN} eigen"],
        status=ImportBatch.Status.APPLIED,
    )
    return World(
        membership=Membership.objects.get(
            user=users[f"{Role.SOCIAL_WORKER} eigen"], municipality=target
        ),
        target=target,
        other=other,
        ward=Region.objects.filter(municipality=target, level="wijk").order_by("code")[1],
        buurt=Region.objects.filter(municipality=target, level="buurt").order_by("code")[1],
        batch=batch,
        users=users,
    )


def _answer(response) -> Answer:
    logins = (resolve_url(settings.LOGIN_URL), reverse("admin:login"))
    if response.status_code == 302 and response["Location"].startswith(
        tuple(f"{login}?" for login in logins)
    ):
        return LOGIN
    return response.status_code


def _is_refusal(answer: Answer) -> bool:
    return answer in (LOGIN, 403, 404)


def test_every_url_answers_every_kind_of_user_as_expected(world):
    clients = {}
    for actor in ACTORS:
        client = Client()
        if not actor.anonymous:
            client.force_login(world.users[actor.name])
        clients[actor.name] = client
    wrong: list[str] = []
    asked = 0
    for published in (False, True):
        MunicipalityAccess.objects.update_or_create(
            municipality=world.target, defaults={"is_published": published}
        )
        state = "openbaar" if published else "niet openbaar"
        for row in ROWS:
            url = row.url(world)
            for actor in ACTORS:
                expected = row.profile(actor, published)
                got = _answer(clients[actor.name].get(url))
                asked += 1
                if got != expected:
                    wrong.append(
                        f"GET {url} [{state}] als {actor.name}: {got}, verwacht {expected}"
                    )
                post = row.post_profile()
                expected = post(actor, published) if post else None
                if post and _is_refusal(expected):
                    got = _answer(clients[actor.name].post(url, {}))
                    asked += 1
                    if got != expected:
                        wrong.append(
                            f"POST {url} [{state}] als {actor.name}: {got}, verwacht {expected}"
                        )
    assert not wrong, f"{len(wrong)} van {asked} antwoorden wijken af:\n" + "\n".join(wrong)
    # Refused writes wrote nothing.
    assert world.batch.status == ImportBatch.objects.get(pk=world.batch.pk).status
    assert Membership.objects.filter(pk=world.membership.pk).exists()
