"""The committed demo, copied once and put back after a live-server test emptied the database.

Tests on a live server commit their writes, so pytest-django empties every table afterwards
(``TRUNCATE``, as Django's TransactionTestCase does). Loading the demo again from its CBS files
takes most of a minute on a busy machine; copying the rows back takes about a second. The copy
is taken right after the demo was first loaded (its rows, the row history and the migrations'
own rows, ids and all) into a schema of the test database that Django does not see, and put
back table by table with the tables' own triggers off: the history rows come from the copy, not
from triggers firing again.
"""

from __future__ import annotations

from django.db import connection, transaction

SCHEMA = "demo_snapshot"

_tables: list[str] = []


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _model_tables() -> list[str]:
    # The tables a flush empties: every table of an installed model (the cache tables are not).
    return sorted(connection.introspection.django_table_names(only_existing=True))


def snapshot_take() -> None:
    """Copy every model table, as it is now, into the snapshot schema."""
    tables = _model_tables()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        cursor.execute(f"CREATE SCHEMA {SCHEMA}")
        for table in tables:
            cursor.execute(
                f"CREATE UNLOGGED TABLE {SCHEMA}.{_quote(table)} AS TABLE {_quote(table)}"
            )
    _tables[:] = tables


def snapshot_restore() -> bool:
    """Put the copied rows back in place of whatever the tables hold; False without a copy."""
    if not _tables or _model_tables() != _tables:
        return False
    names = ", ".join(_quote(table) for table in _tables)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        (superuser,) = cursor.fetchone()
        if superuser:
            # No trigger at all, not even the foreign-key checks: the rows were consistent when
            # copied (and checking 100,000 rows one by one takes seconds).
            cursor.execute("SET LOCAL session_replication_role = replica")
            triggered = []
        else:
            cursor.execute(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE NOT t.tgisinternal AND c.relname = ANY(%s) AND pg_table_is_visible(c.oid)",
                [_tables],
            )
            triggered = [_quote(name) for (name,) in cursor.fetchall()]
        # Again, even after a flush: the flush's post_migrate made content types and
        # permissions anew, under other ids than the copied ones.
        cursor.execute(f"TRUNCATE {names}")
        for table in triggered:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for table in _tables:
            cursor.execute(
                f"INSERT INTO {_quote(table)} OVERRIDING SYSTEM VALUE"
                f" SELECT * FROM {SCHEMA}.{_quote(table)}"
            )
        if triggered:
            # The foreign keys are checked now, so that no check is pending when the triggers
            # are switched back on (PostgreSQL refuses that ALTER TABLE otherwise).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in triggered:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    from django.contrib.contenttypes.models import ContentType

    from monitoring.services.data_version import data_version_bump

    ContentType.objects.clear_cache()  # it holds the ids the flush's post_migrate gave
    data_version_bump()  # no page cached before the restore is served after it
    return True
