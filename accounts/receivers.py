"""Session bookkeeping at the moments allauth and Django announce: a login starts the idle
clock; adding or removing a second factor re-reads whether one is still required."""

from __future__ import annotations

from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts.middleware import session_mark_fresh


@receiver(user_logged_in, dispatch_uid="accounts_session_fresh_at_login")
def _fresh_at_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        session_mark_fresh(request, user)


@receiver(authenticator_added, dispatch_uid="accounts_session_fresh_mfa_added")
@receiver(authenticator_removed, dispatch_uid="accounts_session_fresh_mfa_removed")
def _fresh_after_mfa_change(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        session_mark_fresh(request, user)
