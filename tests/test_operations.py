"""Running in production: DEBUG off by default, demo accounts refused, error pages that show no
internals, one log line per event, `check --deploy` clean and `make serve` answering."""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.urls import path

from monitoring.demo import DEMO_USERS
from operations.checks import demo_accounts_check, static_files_problem
from operations.demo_accounts import RefuseDemoAccounts
from operations.startup import freeze_startup_objects, production_start
from socialquality.env import ConfigurationError, proxy_ssl_header

ROOT = Path(__file__).parent.parent
DEMO_ADMIN = ("beheerder", "beheer-demo-2024")
# Long enough for Django's own check (security.W009) and obviously not the development key.
PRODUCTION_KEY = "productie-sleutel-voor-de-test-" + "x7Qz" * 12


def _production_env(**overrides: str) -> dict[str, str]:
    """The environment of a production start: without what pytest and the browser tests set
    (DEBUG, DJANGO_ALLOW_ASYNC_UNSAFE), with the real settings."""
    leave_out = {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in leave_out}
    env.update(DJANGO_SETTINGS_MODULE="socialquality.settings", SECRET_KEY=PRODUCTION_KEY)
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def _settings_json(*names: str, **env: str) -> subprocess.CompletedProcess:
    code = (
        "import json, socialquality.settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {list(names)!r}}}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_production_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _test_database_url() -> str:
    """DATABASE_URL of this test run's database, for a server started in a subprocess."""
    parts = urlsplit(settings.DATABASE_URL)
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


# --- DEBUG and the settings of a production start --------------------------------------------


def test_debug_is_off_when_the_environment_does_not_switch_it_on():
    result = _settings_json("DEBUG", "DEMO_USERS_ALLOWED", "SESSION_COOKIE_SECURE")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "DEBUG": False,
        "DEMO_USERS_ALLOWED": False,
        "SESSION_COOKIE_SECURE": True,
    }


def test_without_debug_a_missing_secret_key_stops_the_start_with_a_message():
    result = _settings_json("DEBUG", SECRET_KEY=None)
    assert result.returncode != 0
    assert "SECRET_KEY ontbreekt of is te kort" in result.stderr


def test_the_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "sleutel"
    key_file.write_text(PRODUCTION_KEY + "\n")
    result = _settings_json("SECRET_KEY", SECRET_KEY=None, SECRET_KEY_FILE=str(key_file))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"SECRET_KEY": PRODUCTION_KEY}


def test_plain_pytest_runs_with_the_development_defaults():
    # pyproject.toml points pytest at socialquality.settings_test, which switches DEBUG on.
    assert settings.DEMO_USERS_ALLOWED is True
    assert settings.SECURE_SSL_REDIRECT is False


def test_https_is_on_in_production_and_each_part_can_be_switched():
    names = ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER")
    production = _settings_json(*names)
    assert json.loads(production.stdout) == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_PROXY_SSL_HEADER": None,
    }
    behind_a_proxy = _settings_json(
        *names,
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="3600",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    assert json.loads(behind_a_proxy.stdout) == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 3600,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


def test_the_proxy_header_is_read_as_a_header_name_with_an_optional_value():
    assert proxy_ssl_header("") is None
    assert proxy_ssl_header("X-Forwarded-Proto") == ("HTTP_X_FORWARDED_PROTO", "https")
    assert proxy_ssl_header("X-Forwarded-Ssl=on") == ("HTTP_X_FORWARDED_SSL", "on")
    assert proxy_ssl_header("HTTP_X_FORWARDED_PROTO") == ("HTTP_X_FORWARDED_PROTO", "https")
    with pytest.raises(ConfigurationError, match="SECURE_PROXY_SSL_HEADER"):
        proxy_ssl_header("X Forwarded: Proto")


# --- Demo accounts ---------------------------------------------------------------------------


def test_the_demo_account_guard_is_asked_before_any_other_backend():
    assert settings.AUTHENTICATION_BACKENDS[0] == "operations.demo_accounts.RefuseDemoAccounts"


def test_a_demo_account_logs_in_during_development(demo):
    assert authenticate(username=DEMO_ADMIN[0], password=DEMO_ADMIN[1]) is not None


@override_settings(DEMO_USERS_ALLOWED=False)
def test_a_demo_account_cannot_log_in_when_debug_is_off(demo):
    failures = []

    def record(sender, credentials, **kwargs):
        failures.append(credentials["username"])

    user_login_failed.connect(record)
    try:
        assert authenticate(username=DEMO_ADMIN[0], password=DEMO_ADMIN[1]) is None
        assert authenticate(username="Beheerder", password=DEMO_ADMIN[1]) is None
        assert not Client().login(username=DEMO_ADMIN[0], password=DEMO_ADMIN[1])
        get_user_model().objects.filter(username=DEMO_ADMIN[0]).update(email="bram@example.nl")
        with pytest.raises(PermissionDenied):  # a login by e-mail address (allauth)
            RefuseDemoAccounts().authenticate(None, email="Bram@example.nl", password="x")
    finally:
        user_login_failed.disconnect(record)
    # Refused as a failed login, so that lockout and the audit trail see it.
    assert failures[:2] == ["beheerder", "Beheerder"]


@override_settings(DEMO_USERS_ALLOWED=False)
def test_a_real_account_still_logs_in_when_demo_accounts_are_refused(db):
    get_user_model().objects.create_user("m.jansen", password="een-echt-wachtwoord-2024")
    assert authenticate(username="m.jansen", password="een-echt-wachtwoord-2024") is not None


@override_settings(DEMO_USERS_ALLOWED=False)
def test_a_production_start_warns_while_demo_accounts_exist(demo, caplog):
    (warning,) = demo_accounts_check(databases=["default"])
    assert warning.id == "operations.W001"
    assert ", ".join(sorted(user.username for user in DEMO_USERS)) in warning.msg
    with override_settings(DEBUG=False), caplog.at_level("WARNING", logger="operations"):
        production_start()
    assert any(
        record.levelname == "WARNING" and "demo-accounts" in record.getMessage()
        for record in caplog.records
    )


def test_development_does_not_warn_about_demo_accounts(demo):
    assert demo_accounts_check(databases=["default"]) == []


@override_settings(DEMO_USERS_ALLOWED=False)
def test_remove_demo_users_deletes_the_demo_accounts_and_nothing_else(demo):
    get_user_model().objects.create_user("m.jansen")
    call_command("remove_demo_users", stdout=io.StringIO())
    assert list(get_user_model().objects.values_list("username", flat=True)) == ["m.jansen"]
    assert demo_accounts_check(databases=["default"]) == []


# --- Static files ----------------------------------------------------------------------------

MANIFEST_STORAGE = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_a_production_start_refuses_to_serve_without_collected_static_files(tmp_path):
    with override_settings(STORAGES=MANIFEST_STORAGE, STATIC_ROOT=tmp_path, DEBUG=False):
        assert "staticfiles.json ontbreekt" in static_files_problem()
        with pytest.raises(ImproperlyConfigured, match="collectstatic"):
            production_start()
        (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
        assert static_files_problem() is None


def test_a_server_worker_puts_what_its_start_made_out_of_the_collectors_reach():
    gc.unfreeze()
    try:
        freeze_startup_objects()
        # The view modules are among them: resolving the URL patterns imported them.
        assert gc.get_freeze_count() > 10_000
        assert "monitoring.views" in sys.modules
    finally:
        gc.unfreeze()


def test_the_wsgi_module_freezes_after_the_production_start():
    source = (ROOT / "socialquality" / "wsgi.py").read_text()
    assert source.index("production_start()") < source.index("freeze_startup_objects()")


# --- Error pages -----------------------------------------------------------------------------


def _raise_an_internal_error(request):
    raise RuntimeError("geheime-interne-fout DATABASE_URL")


urlpatterns = [path("kapot/", _raise_an_internal_error)]
INTERNALS = ("Traceback", "DATABASE_URL", "SECRET_KEY", "settings", "geheime-interne-fout")


@pytest.mark.urls(__name__)
@override_settings(DEBUG=False)
def test_a_server_error_shows_a_dutch_page_without_internals(db):
    response = Client(raise_request_exception=False).get("/kapot/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "Er ging iets mis" in text and 'lang="nl"' in text
    assert not [word for word in INTERNALS if word in text]


@override_settings(DEBUG=False)
def test_a_nul_byte_in_a_path_shows_no_settings(db):
    for url in ("/wijk/%00/", "/gemeente/%00/", "/buurt/%00/zekerheid/"):
        response = Client(raise_request_exception=False).get(url)
        text = response.content.decode()
        assert response.status_code in (302, 404, 500), url
        assert not [word for word in INTERNALS if word in text], url


@override_settings(DEBUG=False)
def test_a_missing_page_is_a_dutch_404(db):
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("site-beheer"))
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.content.decode()


def test_forbidden_and_bad_request_pages_are_dutch(db):
    from django.views.csrf import csrf_failure
    from django.views.defaults import bad_request, permission_denied

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert "Geen toegang" in permission_denied(request, PermissionDenied()).content.decode()
    assert "Ongeldig verzoek" in bad_request(request, Exception()).content.decode()
    assert "formulier is verlopen" in csrf_failure(request).content.decode()


def test_a_form_sent_without_its_csrf_token_gets_the_dutch_page(db):
    response = Client(enforce_csrf_checks=True).post("/inloggen/", {"username": "x"})
    assert response.status_code == 403
    assert "formulier is verlopen" in response.content.decode()


# --- Logging and the worker under `make run` -------------------------------------------------


def test_a_django_log_line_is_printed_once():
    code = (
        "import django; django.setup(); import logging; "
        "logging.getLogger('django.request').warning('Not Found: /een-regel/')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_production_env(DEBUG="true"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stderr.count("Not Found: /een-regel/") == 1, result.stderr


def test_make_run_starts_the_worker_without_the_autoreloader():
    result = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "-o", "demo", "run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    (worker,) = [line for line in result.stdout.splitlines() if "db_worker" in line]
    assert "--no-reload" in worker


# --- check --deploy and `make serve` ---------------------------------------------------------


def test_check_deploy_reports_no_issues_under_production_settings(db, tmp_path):
    # The static-files check only asks whether collectstatic ran; `make serve` below runs it.
    (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--fail-level=WARNING",
            "--database=default",
        ],
        cwd=ROOT,
        env=_production_env(DATABASE_URL=_test_database_url(), STATIC_ROOT=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def _wait_until_gone(group: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)


def test_make_serve_answers_with_debug_off_on_a_fresh_clone(db, tmp_path):
    """`make serve` as on a fresh clone (no SECRET_KEY, nothing collected), against this test
    run's database; gunicorn answers with DEBUG off."""
    port = _free_port()
    key_file = tmp_path / "secret_key"
    command = ["make", "-o", ".venv/.installed", "serve", "HOST=127.0.0.1", f"PORT={port}"]
    server = subprocess.Popen(
        [*command, f"SECRET_KEY_FILE={key_file}"],
        cwd=ROOT,
        env=_production_env(
            SECRET_KEY=None,
            DATABASE_URL=_test_database_url(),
            STATIC_ROOT=str(tmp_path / "static"),
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: make, gunicorn and the worker
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, _, text = _get(f"{base}/inloggen/")
                break
            except OSError:
                time.sleep(0.5)
        if status != 200:
            pytest.fail(f"make serve antwoordde niet:\n{_stop(server)}")
        assert "Inloggen" in text
        assert _get(f"{base}/gezond/")[0] == 200  # the health check reaches the database
        assert key_file.stat().st_mode & 0o077 == 0  # generated, readable by its owner only
        # Static files are collected, hashed and cached far ahead by whitenoise.
        sheets = [part.split('"', 1)[0] for part in text.split('rel="stylesheet" href="')[1:]]
        stylesheet = next(sheet for sheet in sheets if sheet.startswith("/static/css/app."))
        assert stylesheet.startswith("/static/css/app.") and stylesheet != "/static/css/app.css"
        css_status, css_headers, _ = _get(base + stylesheet)
        assert css_status == 200
        assert "max-age=31536000" in css_headers["Cache-Control"]
        # DEBUG is off: a missing page is the Dutch page, not Django's debug page.
        # (urllib follows a redirect to the login page, should the page need a login.)
        _, _, missing = _get(f"{base}/bestaat-niet/")
        assert 'lang="nl"' in missing
        assert "URLconf" not in missing and "DEBUG = True" not in missing
    finally:
        output = _stop(server)
    assert "De monitor draait (DEBUG uit)" in output, output
    assert "gunicorn" in output and "Booting worker" in output, output


def _stop(server: subprocess.Popen) -> str:
    """Stop make, gunicorn and the worker (one process group); return what they printed."""
    if server.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
    output = server.communicate(timeout=60)[0] if server.stdout and not server.stdout.closed else ""
    _wait_until_gone(server.pid, 30)
    server.collected_output = getattr(server, "collected_output", "") + output
    return server.collected_output
