"""Writes to the audit trail. Security events are recorded here; row history is written by
the database triggers of `audit.history`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest

from audit.models import AuditEvent

FAILURES = {
    AuditEvent.Action.LOGIN_FAILED,
    AuditEvent.Action.LOGIN_LOCKED,
    AuditEvent.Action.MFA_FAILED,
}


def client_ip(request: HttpRequest | None) -> str | None:
    """The visitor's address, as the rate limits see it (X-Forwarded-For only behind a
    configured number of proxies)."""
    if request is None or not getattr(request, "META", None):
        return None
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter(request).get_client_ip(request)
    except (PermissionDenied, ImproperlyConfigured):
        return None


def security_event_record(
    *,
    request: HttpRequest | None,
    action: str,
    user: AbstractBaseUser | None = None,
    username: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one security event (login, failed login, password or second-factor change)."""
    meta = getattr(request, "META", {}) if request is not None else {}
    if user is not None and not username:
        username = user.get_username()
    if user is None and username:
        # A failed login names the account it tried, so that its municipality sees it.
        user = get_user_model().objects.filter(username__iexact=username).first()
    return AuditEvent.objects.create(
        action=action,
        outcome=AuditEvent.Outcome.FAILURE if action in FAILURES else AuditEvent.Outcome.SUCCESS,
        actor=user if user is not None and user.pk else None,
        username=username[:150],
        ip_address=client_ip(request),
        user_agent=str(meta.get("HTTP_USER_AGENT", ""))[:300],
        path=(getattr(request, "path", "") or "")[:300],
        detail=detail or {},
    )
