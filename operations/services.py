"""Writes that keep an installation in shape."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from operations.demo_accounts import DEMO_USERNAMES


@transaction.atomic
def demo_users_remove() -> list[str]:
    """Delete the demo accounts (and with them their memberships); return their usernames."""
    from observations.demo import demo_observations_remove

    demo_observations_remove()  # the demo's example observations were written by these accounts
    users = get_user_model().objects.filter(username__in=DEMO_USERNAMES)
    removed = sorted(users.values_list("username", flat=True))
    users.delete()
    return removed
