"""Whether a user must have a second factor: beheerders of a municipality that switched it on
(`access.MunicipalityAccess.require_mfa_for_admins`)."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib.auth.base_user import AbstractBaseUser


def mfa_required(user: AbstractBaseUser) -> bool:
    """True when the user is beheerder of a municipality that requires a second factor."""
    from access.models import MunicipalityAccess
    from monitoring.models import Membership, Role

    if not user.is_authenticated:
        return False
    return MunicipalityAccess.objects.filter(
        require_mfa_for_admins=True,
        municipality__in=Membership.objects.filter(user=user, role=Role.ADMIN).values(
            "municipality"
        ),
    ).exists()


def mfa_setup_needed(user: AbstractBaseUser) -> bool:
    """True when a second factor is required of the user and they have no TOTP app yet."""
    return (
        mfa_required(user)
        and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    )
