from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from operations.backup import BackupError, database_backup


class Command(BaseCommand):
    help = (
        "Maak een back-up van de database met pg_dump (custom-formaat) en schrijf het aantal "
        "rijen per tabel ernaast, voor verify_backup."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="Bestand voor de back-up (standaard backups/skm-<datum-tijd>.dump).",
        )

    def handle(self, *args, output: Path | None = None, **options):
        archive = output or Path(settings.BASE_DIR) / "backups" / (
            f"skm-{timezone.localtime():%Y%m%d-%H%M%S}.dump"
        )
        try:
            backup = database_backup(
                url=settings.DATABASE_URL,
                archive=archive,
                embedded=settings.USING_EMBEDDED_DATABASE,
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(backup.row_counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Back-up geschreven: {archive} ({len(backup.row_counts)} tabellen, {rows} rijen)"
            )
        )
