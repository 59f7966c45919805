"""A throwaway database on the same server, so benchmarks never touch development data."""

from __future__ import annotations

import contextlib
import os

from django.core.management import call_command
from django.db import connection, connections


@contextlib.contextmanager
def throwaway_database(name: str | None = None):
    """Create a fresh, migrated database, point Django at it, and drop it afterwards."""
    name = name or f"bench_socialquality_{os.getpid()}"
    original = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connections["default"].close()
    connections.databases["default"]["NAME"] = name
    connection.settings_dict["NAME"] = name
    try:
        call_command("migrate", verbosity=0)
        yield name
    finally:
        connections["default"].close()
        connections.databases["default"]["NAME"] = original
        connection.settings_dict["NAME"] = original
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
