"""Sessions that expire after inactivity, and a second factor for beheerders where required.

Both look at the session only: the idle clock and the second-factor requirement are refreshed
at login and then at most once per ``SESSION_REFRESH_SECONDS``, so an ordinary page costs no
extra query (pages pin their query counts).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.mfa import mfa_setup_needed

LAST_SEEN = "skm_last_seen"
MFA_SETUP_NEEDED = "skm_mfa_setup_needed"


def session_mark_fresh(request: HttpRequest, user) -> None:
    """Restart the idle clock and re-read whether the user must still set up a second factor."""
    request.session[LAST_SEEN] = int(time.time())
    request.session[MFA_SETUP_NEEDED] = mfa_setup_needed(user)


class SessionSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is None or time.time() - last_seen > settings.SESSION_REFRESH_SECONDS:
                # Saving the session moves its expiry SESSION_COOKIE_AGE ahead again.
                session_mark_fresh(request, request.user)
            if request.session.get(MFA_SETUP_NEEDED) and not self._allowed_during_setup(request):
                messages.warning(
                    request,
                    "Uw gemeente vraagt van beheerders een tweede stap bij het inloggen. "
                    "Stel eerst een authenticator-app in; daarna kunt u verder.",
                )
                return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _allowed_during_setup(request: HttpRequest) -> bool:
        path = request.path
        allowed = (
            reverse("mfa_index"),
            reverse("logout"),
            reverse("account_reauthenticate"),
            settings.STATIC_URL
            if settings.STATIC_URL.startswith("/")
            else f"/{settings.STATIC_URL}",
        )
        return path.startswith(allowed)
