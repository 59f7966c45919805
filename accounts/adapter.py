"""How django-allauth behaves here: accounts are made by a beheerder, never by sign-up, and the
messages a user reads are Dutch and say what to do."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from accounts.mfa import mfa_required


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": (
            "Te veel mislukte inlogpogingen. Dit account is tijdelijk geblokkeerd: probeer het "
            "over vijf minuten opnieuw, of vraag de beheerder van uw gemeente om uw wachtwoord "
            "opnieuw in te stellen."
        ),
        "username_password_mismatch": (
            "Gebruikersnaam of wachtwoord klopt niet. Let op hoofdletters en probeer het opnieuw."
        ),
        "account_inactive": "Dit account is uitgeschakeld. Vraag de beheerder van uw gemeente.",
        "rate_limited": "Te veel verzoeken achter elkaar. Wacht een minuut en probeer het opnieuw.",
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts are given out by a beheerder of the municipality.
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            from audit.services import security_event_record

            security_event_record(
                request=request,
                action="login_locked",
                username=str(credentials.get("username", "")),
            )
            raise


class MFAAdapter(DefaultMFAAdapter):
    def get_totp_issuer(self) -> str:
        return "Sociale Kwaliteit Monitor"

    def can_delete_authenticator(self, authenticator) -> bool:
        # A beheerder whose municipality requires a second factor cannot switch it off.
        return not mfa_required(authenticator.user)
