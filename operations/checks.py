"""System checks for a production start. ``make serve`` runs them (migrate and
``check --deploy``); the WSGI start logs them too (``operations.startup``)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.db import DatabaseError

OPERATIONS = "operations"


@register(OPERATIONS)
def demo_accounts_check(app_configs=None, databases=None, **kwargs):
    """Demo accounts in a production database: they cannot log in, but they should go."""
    if settings.DEMO_USERS_ALLOWED or not databases or "default" not in databases:
        return []
    from operations.demo_accounts import demo_accounts_present

    try:
        present = demo_accounts_present()
    except DatabaseError:
        return []  # not migrated yet: nothing to warn about
    if not present:
        return []
    return [
        Warning(
            "Deze database bevat demo-accounts met bekende wachtwoorden: "
            + ", ".join(present)
            + ". Zolang DEBUG uit staat kunnen zij niet inloggen.",
            hint="Verwijder ze met `python manage.py remove_demo_users` (of in Beheer → Gebruikers).",
            id="operations.W001",
        )
    ]


@register(OPERATIONS, deploy=True)
def static_manifest_check(app_configs=None, **kwargs):
    """With manifest storage every page's {% static %} needs staticfiles.json: without it
    every HTML page would be a 500."""
    problem = static_files_problem()
    if problem is None:
        return []
    return [
        Error(
            problem,
            hint="Draai `python manage.py collectstatic --noinput` (`make serve` doet dat).",
            id="operations.E001",
        )
    ]


def static_files_problem() -> str | None:
    """Why pages cannot render their static URLs, or None when they can."""
    from django.contrib.staticfiles.storage import ManifestFilesMixin
    from django.core.files.storage import storages

    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin):
        return None
    if storage.manifest_storage.exists(storage.manifest_name):
        return None
    return (
        f"De statische bestanden zijn niet verzameld: {storage.manifest_name} ontbreekt in "
        f"{settings.STATIC_ROOT}, dus elke pagina zou een serverfout geven."
    )
