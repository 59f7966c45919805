"""Login, logout, password and second factor under Dutch addresses, with allauth's URL names
(allauth reverses them itself) and the names the rest of the app uses (``login``, ``logout``)."""

from __future__ import annotations

from allauth.account import views as account
from django.urls import include, path, re_path

urlpatterns = [
    path("inloggen/", account.login, name="login"),
    path("inloggen/", account.login, name="account_login"),
    path("uitloggen/", account.logout, name="logout"),
    path("uitloggen/", account.logout, name="account_logout"),
    path("account/inactief/", account.account_inactive, name="account_inactive"),
    path("account/bevestigen/", account.reauthenticate, name="account_reauthenticate"),
    path("account/e-mail/", account.email, name="account_email"),
    path(
        "account/e-mail/bevestigen/",
        account.email_verification_sent,
        name="account_email_verification_sent",
    ),
    re_path(
        r"^account/e-mail/bevestigen/(?P<key>[-:\w]+)/$",
        account.confirm_email,
        name="account_confirm_email",
    ),
    path("account/wachtwoord/", account.password_change, name="account_change_password"),
    path("account/wachtwoord/instellen/", account.password_set, name="account_set_password"),
    path("account/wachtwoord/vergeten/", account.password_reset, name="account_reset_password"),
    path(
        "account/wachtwoord/vergeten/verstuurd/",
        account.password_reset_done,
        name="account_reset_password_done",
    ),
    re_path(
        r"^account/wachtwoord/herstellen/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        account.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    path(
        "account/wachtwoord/hersteld/",
        account.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
    path("account/tweede-factor/", include("allauth.mfa.urls")),
]
