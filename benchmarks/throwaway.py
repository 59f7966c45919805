"""A throwaway database on the same server, so benchmarks never touch development data."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from django.core.management import call_command
from django.db import connection, connections


@contextlib.contextmanager
def throwaway_database(name: str | None = None, *, keep: bool = False) -> Iterator[bool]:
    """Create a fresh, migrated database, point Django at it, and drop it afterwards.

    Yields whether the database is new. With ``keep=True`` (and a ``name``) the database stays
    after the run and the next run reuses it, which saves building it again while profiling.
    """
    if keep and not name:
        raise ValueError("keep=True needs a fixed name")
    name = name or f"bench_socialquality_{os.getpid()}"
    original = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
        if exists and not keep:
            cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not (exists and keep):
            cursor.execute(f'CREATE DATABASE "{name}"')
    connections["default"].close()
    connections.databases["default"]["NAME"] = name
    connection.settings_dict["NAME"] = name
    try:
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        yield not (exists and keep)
    finally:
        connections["default"].close()
        connections.databases["default"]["NAME"] = original
        connection.settings_dict["NAME"] = original
        if not keep:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
