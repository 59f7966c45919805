"""Login with django-allauth: throttled, a second factor where required, passwords anyone can
change, sessions that expire."""

from __future__ import annotations

import datetime
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse

from access.models import MunicipalityAccess
from accounts.middleware import LAST_SEEN
from audit.models import AuditEvent
from monitoring.models import Membership, Region, Role

PASSWORD = "een-lang-wachtwoord-2024"
LOCKOUT_MESSAGE = "Te veel mislukte inlogpogingen"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The real hasher takes a second per attempt on a busy machine; the rules are the same.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def municipality(db):
    return Region.objects.create(code="GM0518", name="'s-Gravenhage", level="gemeente")


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user(
        username="sanne", password=PASSWORD, email="sanne@example.org"
    )


def beheerder_of(municipality, *, username="bea"):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    Membership.objects.create(user=user, municipality=municipality, role=Role.ADMIN)
    return user


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def post_login(client, url, password, *, username="sanne"):
    return client.post(url, {"login": username, "password": password})


def test_the_login_page_is_dutch_and_offers_a_password_reset(client, db):
    response = client.get("/inloggen/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Gebruikersnaam" in page and "Wachtwoord vergeten?" in page
    assert 'for="id_login"' in page and 'autocomplete="current-password"' in page


def test_the_login_page_answers_in_a_fixed_number_of_queries(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/inloggen/").status_code == 200


def test_a_user_logs_in_with_username_and_password_and_goes_where_they_were_going(client, user):
    response = client.post("/inloggen/?next=/vergelijk/", {"login": "sanne", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/vergelijk/"
    assert logged_in_user_id(client) == str(user.pk)


def test_a_wrong_password_says_so_in_dutch(client, user):
    response = post_login(client, "/inloggen/", "fout")
    assert response.status_code == 200
    assert "Gebruikersnaam of wachtwoord klopt niet" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_it_locks_the_account_after_repeated_failed_logins(client, user):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        post_login(client, "/inloggen/", "fout")
    response = post_login(client, "/inloggen/", PASSWORD)
    assert response.status_code == 200
    assert LOCKOUT_MESSAGE in response.content.decode()
    assert logged_in_user_id(client) is None


def test_the_lockout_holds_for_thirty_attempts_and_the_right_password_after_them(client, user):
    for _ in range(30):
        post_login(client, "/inloggen/", "fout")
    post_login(client, "/inloggen/", PASSWORD)
    assert logged_in_user_id(client) is None


def test_the_admin_login_is_the_same_throttled_login(client, user):
    user.is_staff = True
    user.save()
    for _ in range(settings.LOGIN_MAX_FAILURES):
        post_login(client, "/beheer/login/", "fout")
    response = post_login(client, "/beheer/login/?next=/beheer/", PASSWORD)
    assert LOCKOUT_MESSAGE in response.content.decode()
    assert logged_in_user_id(client) is None


def test_failures_on_one_login_page_count_on_the_other(client, user):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        post_login(client, "/beheer/login/", "fout")
    response = post_login(client, "/inloggen/", PASSWORD)
    assert LOCKOUT_MESSAGE in response.content.decode()


def test_the_admin_login_page_is_the_app_login(client, db):
    response = client.get("/beheer/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/beheer/login/?next=/beheer/")
    assert 'name="login"' in response.content.decode()


def test_a_site_administrator_logs_in_to_the_admin_through_it(client, user):
    user.is_staff = user.is_superuser = True
    user.save()
    response = post_login(client, "/beheer/login/?next=/beheer/", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/beheer/"
    assert client.get("/beheer/").status_code == 200


@pytest.mark.parametrize("is_staff", [False, True])
def test_a_signed_in_user_without_admin_access_gets_a_page_not_a_redirect_loop(
    client, user, is_staff
):
    user.is_staff = is_staff
    user.save()
    client.force_login(user)
    response = client.get("/beheer/", follow=True)
    assert response.status_code == 403
    assert "Geen toegang tot Beheer" in response.content.decode()


def test_there_is_no_sign_up(client, db):
    assert client.get("/account/aanmelden/").status_code == 404
    assert client.get("/accounts/signup/").status_code == 404


def test_a_successful_login_does_not_count_against_the_lockout(client, user):
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        post_login(client, "/inloggen/", "fout")
    post_login(client, "/inloggen/", PASSWORD)
    assert logged_in_user_id(client) == str(user.pk)


# --- Second factor -----------------------------------------------------------------------


def test_totp_is_required_for_a_beheerder_when_the_municipality_switches_it_on(
    client, municipality
):
    MunicipalityAccess.objects.create(municipality=municipality, require_mfa_for_admins=True)
    client.force_login(beheerder_of(municipality))
    response = client.get("/vergelijk/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # The setup pages themselves, and logging out, stay reachable.
    assert client.get(reverse("mfa_activate_totp")).status_code in (200, 302)
    assert client.post(reverse("logout")).status_code == 302


def test_totp_is_not_required_when_the_municipality_leaves_it_off(client, municipality):
    MunicipalityAccess.objects.create(municipality=municipality, require_mfa_for_admins=False)
    client.force_login(beheerder_of(municipality))
    assert client.get("/vergelijk/").status_code == 200


def test_totp_is_not_forced_on_other_roles(client, municipality, user):
    MunicipalityAccess.objects.create(municipality=municipality, require_mfa_for_admins=True)
    Membership.objects.create(user=user, municipality=municipality, role=Role.POLICY_OFFICER)
    client.force_login(user)
    assert client.get("/vergelijk/").status_code == 200


def test_a_beheerder_with_an_authenticator_app_passes(client, municipality):
    MunicipalityAccess.objects.create(municipality=municipality, require_mfa_for_admins=True)
    beheerder = beheerder_of(municipality)
    TOTP.activate(beheerder, generate_totp_secret())
    client.force_login(beheerder)
    assert client.get("/vergelijk/").status_code == 200


def test_switching_it_on_reaches_a_beheerder_who_is_already_logged_in(client, municipality):
    beheerder = beheerder_of(municipality)
    client.force_login(beheerder)
    assert client.get("/vergelijk/").status_code == 200
    MunicipalityAccess.objects.create(municipality=municipality, require_mfa_for_admins=True)
    session = client.session
    session[LAST_SEEN] = int(time.time()) - settings.SESSION_REFRESH_SECONDS - 1
    session.save()
    assert client.get("/vergelijk/")["Location"] == reverse("mfa_activate_totp")


def test_a_beheerder_cannot_remove_the_required_authenticator(municipality):
    from allauth.mfa.adapter import get_adapter

    MunicipalityAccess.objects.create(municipality=municipality, require_mfa_for_admins=True)
    beheerder = beheerder_of(municipality)
    totp = TOTP.activate(beheerder, generate_totp_secret())
    assert get_adapter().can_delete_authenticator(totp.instance) is False


def test_a_user_with_an_authenticator_app_enters_a_code_after_the_password(client, user):
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    response = post_login(client, "/inloggen/", PASSWORD)
    assert response["Location"] == reverse("mfa_authenticate")
    assert logged_in_user_id(client) is None
    counter = next(yield_hotp_counters_from_time())
    code = format_hotp_value(hotp_value(secret, counter))
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)
    assert Authenticator.objects.filter(user=user).exists()


# --- Passwords ---------------------------------------------------------------------------


def test_every_user_can_change_their_password_without_being_staff(client, user):
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "nog-een-lang-wachtwoord",
            "password2": "nog-een-lang-wachtwoord",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("nog-een-lang-wachtwoord")


def test_a_forgotten_password_is_reset_by_e_mail(client, user):
    response = client.post(reverse("account_reset_password"), {"email": "sanne@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(
        line for line in mail.outbox[0].body.splitlines() if "/wachtwoord/herstellen/" in line
    )
    path = link[link.index("/account/") :].strip()
    form = client.get(path, follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else path,
        {"password1": "een-nieuw-lang-wachtwoord", "password2": "een-nieuw-lang-wachtwoord"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("een-nieuw-lang-wachtwoord")


# --- Sessions ----------------------------------------------------------------------------


def test_a_session_expires_after_the_configured_idle_time(client, user):
    client.force_login(user)
    client.get("/vergelijk/")
    session = Session.objects.get(session_key=client.session.session_key)
    remaining = session.expire_date - session.expire_date.now(tz=session.expire_date.tzinfo)
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60
    assert 0 < remaining.total_seconds() <= settings.SESSION_COOKIE_AGE


def test_activity_moves_the_expiry_ahead(client, user):
    client.force_login(user)
    session = client.session
    session[LAST_SEEN] = int(time.time()) - settings.SESSION_REFRESH_SECONDS - 1
    session.save()
    before = Session.objects.get(session_key=session.session_key).expire_date
    client.get("/vergelijk/")
    after = Session.objects.get(session_key=session.session_key).expire_date
    assert after > before
    assert client.session[LAST_SEEN] > int(time.time()) - 60


def test_logins_and_failures_are_in_the_audit_trail_without_the_password(client, user):
    post_login(client, "/inloggen/", "geheim-fout-wachtwoord")
    post_login(client, "/inloggen/", PASSWORD)
    failed = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert failed.username == "sanne" and failed.ip_address == "127.0.0.1"
    assert failed.outcome == AuditEvent.Outcome.FAILURE
    ok = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
    assert ok.actor == user and ok.outcome == AuditEvent.Outcome.SUCCESS
    stored = str(list(AuditEvent.objects.values()))
    assert "geheim-fout-wachtwoord" not in stored and PASSWORD not in stored


def test_a_new_user_without_a_password_chooses_one_through_the_reset_mail(client, db):
    # How a beheerder's new user gets in (access/services.py): no password, a reset mail.
    newcomer = get_user_model().objects.create_user(username="nina", email="nina@example.org")
    newcomer.set_unusable_password()
    newcomer.save()
    client.post(reverse("account_reset_password"), {"email": "nina@example.org"})
    assert len(mail.outbox) == 1 and "nina" in mail.outbox[0].body


def test_an_expired_session_is_not_read_and_its_user_is_logged_out(client, user):
    client.force_login(user)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=Session.objects.get(session_key=client.session.session_key).expire_date
        - datetime.timedelta(days=1, seconds=settings.SESSION_COOKIE_AGE)
    )
    response = client.get("/observaties/")
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_session_user_is_the_user_the_orm_reads_and_a_deactivated_one_is_nobody(client, user):
    from accounts.backends import ModelBackend

    read = ModelBackend().get_user(str(user.pk))
    expected = get_user_model().objects.get(pk=user.pk)
    fields = [f.attname for f in get_user_model()._meta.concrete_fields]
    assert [getattr(read, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert not read._state.adding
    assert ModelBackend().get_user("geen getal") is None
    assert ModelBackend().get_user(str(user.pk + 1000)) is None
    client.force_login(user)
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/observaties/").status_code == 302
