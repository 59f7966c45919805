"""Demo accounts have passwords printed in the README: they exist for development only.

When ``DEMO_USERS_ALLOWED`` is off (``DEBUG=false``) they are refused at authentication, even
on a database that was created in development, and the production start says they are there.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from monitoring.demo import DEMO_USERS

DEMO_USERNAMES: frozenset[str] = frozenset(user.username for user in DEMO_USERS)


def is_demo_username(username: object) -> bool:
    # Case-insensitive: some login backends (allauth) match usernames without case.
    return isinstance(username, str) and username.strip().lower() in DEMO_USERNAMES


def demo_accounts_present() -> list[str]:
    """Usernames of the demo accounts in this database (one query)."""
    return sorted(
        get_user_model()
        .objects.filter(username__in=DEMO_USERNAMES)
        .values_list("username", flat=True)
    )


def _is_demo_email(email: object) -> bool:
    # For a login by e-mail address (allauth), should demo accounts ever get one.
    return (
        isinstance(email, str)
        and get_user_model()
        .objects.filter(email__iexact=email.strip(), username__in=DEMO_USERNAMES)
        .exists()
    )


class RefuseDemoAccounts:
    """Authentication backend placed first in ``AUTHENTICATION_BACKENDS``.

    It never logs anyone in. When demo accounts are not allowed it raises ``PermissionDenied``
    for a demo username, which makes ``django.contrib.auth.authenticate`` stop asking the other
    backends (and send ``user_login_failed``), whatever password was given.
    """

    def authenticate(self, request, username=None, **credentials):
        if settings.DEMO_USERS_ALLOWED:
            return None
        email = credentials.get("email")
        if is_demo_username(username) or (email and _is_demo_email(email)):
            raise PermissionDenied("Demo-accounts kunnen alleen in ontwikkeling inloggen.")
        return None

    # No get_user(): sessions never name this backend, and Client.force_login() takes the first
    # backend that has one.
