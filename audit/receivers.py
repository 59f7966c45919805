"""Security events come from Django's and allauth's signals; each receiver only records."""

from __future__ import annotations

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from audit.models import AuditEvent
from audit.services import security_event_record

Action = AuditEvent.Action


@receiver(auth_signals.user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs) -> None:
    security_event_record(request=request, action=Action.LOGIN, user=user)


@receiver(auth_signals.user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        security_event_record(request=request, action=Action.LOGOUT, user=user)


@receiver(auth_signals.user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already masked the password in `credentials`; only the name is kept.
    username = str(credentials.get("username") or credentials.get("login") or "")
    security_event_record(request=request, action=Action.LOGIN_FAILED, username=username)


@receiver(account_signals.password_changed, dispatch_uid="audit_password_changed")
@receiver(account_signals.password_set, dispatch_uid="audit_password_set")
def _password_changed(sender, request, user, **kwargs) -> None:
    security_event_record(request=request, action=Action.PASSWORD_CHANGED, user=user)


@receiver(account_signals.password_reset, dispatch_uid="audit_password_reset")
def _password_reset(sender, request, user, **kwargs) -> None:
    security_event_record(request=request, action=Action.PASSWORD_RESET, user=user)


def _mfa_detail(authenticator) -> dict:
    return {"soort": str(authenticator.type)} if authenticator is not None else {}


@receiver(mfa_signals.authenticator_added, dispatch_uid="audit_mfa_added")
def _mfa_added(sender, request, user, authenticator=None, **kwargs) -> None:
    security_event_record(
        request=request, action=Action.MFA_ADDED, user=user, detail=_mfa_detail(authenticator)
    )


@receiver(mfa_signals.authenticator_removed, dispatch_uid="audit_mfa_removed")
def _mfa_removed(sender, request, user, authenticator=None, **kwargs) -> None:
    security_event_record(
        request=request, action=Action.MFA_REMOVED, user=user, detail=_mfa_detail(authenticator)
    )


@receiver(mfa_signals.authenticator_reset, dispatch_uid="audit_mfa_reset")
def _mfa_reset(sender, request, user, authenticator=None, **kwargs) -> None:
    security_event_record(
        request=request, action=Action.MFA_RESET, user=user, detail=_mfa_detail(authenticator)
    )


@receiver(mfa_signals.authentication_failed, dispatch_uid="audit_mfa_failed")
def _mfa_failed(sender, request, user, authenticator=None, **kwargs) -> None:
    security_event_record(
        request=request, action=Action.MFA_FAILED, user=user, detail=_mfa_detail(authenticator)
    )
