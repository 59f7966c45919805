"""What the site header needs to know about the user (costs the cached membership read)."""

from __future__ import annotations

from access.permissions import administers_any


def access(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"administers": False}
    return {"administers": administers_any(user)}
