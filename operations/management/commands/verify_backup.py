from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, backup_verify, counts_file_for


class Command(BaseCommand):
    help = (
        "Herstel een back-up in een tijdelijke database naast de echte en vergelijk het aantal "
        "rijen per tabel met de telling van het moment van de back-up. Raakt de echte database "
        "niet aan."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="Een bestand van backup_database.")

    def handle(self, *args, archive: Path, **options):
        if not archive.exists() or not counts_file_for(archive).exists():
            raise CommandError(f"{archive} of {counts_file_for(archive).name} ontbreekt.")
        try:
            differences = backup_verify(
                archive=archive,
                url=settings.DATABASE_URL,
                embedded=settings.USING_EMBEDDED_DATABASE,
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        if differences:
            lines = [f"  {t}: verwacht {e}, hersteld {r}" for t, (e, r) in differences.items()]
            raise CommandError("Herstel wijkt af:\n" + "\n".join(lines))
        self.stdout.write(
            self.style.SUCCESS(f"{archive} is hersteld met dezelfde aantallen rijen.")
        )
