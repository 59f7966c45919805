"""Back-up and restore, done once: dump, drop, restore, the same number of rows in every table."""

from __future__ import annotations

import io
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from monitoring.demo import DEMO_USERS
from operations.backup import (
    counts_file_for,
    database_backup,
    database_create,
    database_drop,
    database_restore,
    database_url_for,
    row_counts,
)


def _test_database_url() -> str:
    parts = urlsplit(settings.DATABASE_URL)
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def test_a_backup_is_dumped_dropped_and_restored_with_the_same_row_counts(demo, tmp_path):
    embedded = settings.USING_EMBEDDED_DATABASE
    source = _test_database_url()
    production = database_url_for(source, connection.settings_dict["NAME"] + "_productie")
    # A stand-in for the production database: the demo, copied from this run's database.
    copy = database_backup(url=source, archive=tmp_path / "demo.dump", embedded=embedded)
    database_drop(url=production)
    database_create(url=production)
    try:
        database_restore(url=production, archive=copy.archive, embedded=embedded)

        backup = database_backup(url=production, archive=tmp_path / "skm.dump", embedded=embedded)
        database_drop(url=production)
        database_create(url=production)
        database_restore(url=production, archive=backup.archive, embedded=embedded)

        with psycopg.connect(production) as restored:
            assert row_counts(restored) == backup.row_counts
    finally:
        database_drop(url=production)
    assert backup.row_counts == copy.row_counts
    assert backup.row_counts["monitoring_indicatorvalue"] > 1000
    assert backup.row_counts["auth_user"] == len(DEMO_USERS)


def test_the_backup_commands_write_a_dump_and_verify_it_in_a_scratch_database(demo, tmp_path):
    archive = tmp_path / "skm.dump"
    out = io.StringIO()
    with override_settings(DATABASE_URL=_test_database_url()):
        call_command("backup_database", output=archive, stdout=out)
        call_command("verify_backup", archive, stdout=out)
        counts_file_for(archive).write_text('{"monitoring_region": 1}')
        with pytest.raises(CommandError, match="monitoring_region: verwacht 1"):
            call_command("verify_backup", archive, stdout=out)
    assert "dezelfde aantallen rijen" in out.getvalue()
