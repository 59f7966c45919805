"""What the site header needs to know about the user: from the cached memberships, no query
beyond the one the page's own permission check makes."""

from __future__ import annotations

from access.permissions import administered_municipalities, administers_any


def access(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"administers": False, "administered": []}
    return {"administers": administers_any(user), "administered": administered_municipalities(user)}
