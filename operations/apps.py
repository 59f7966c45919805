from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Running the monitor in production: safe defaults, start-up checks, backups."""

    name = "operations"
    verbose_name = "Beheer van de installatie"

    def ready(self) -> None:
        from operations import checks  # noqa: F401  (registers the system checks)
