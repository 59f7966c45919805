import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from monitoring.formatting import nl_number
from monitoring.services import imports_prune


class Command(BaseCommand):
    help = (
        "Ruim oude uploads op: voorbeelden die nooit zijn bevestigd en de bestanden van afgeronde "
        "imports (de importgegevens zelf blijven). Draai dit dagelijks, bv. vanuit cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dagen", dest="days", type=int, default=30, help="ouder dan (standaard 30)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="alleen tellen, niets verwijderen"
        )

    def handle(self, *args, days: int, dry_run: bool, **options):
        if days < 1:
            raise CommandError("--dagen moet minstens 1 zijn: recente uploads blijven staan.")
        result = imports_prune(older_than=dt.timedelta(days=days), dry_run=dry_run)
        verb = "Zou verwijderen" if dry_run else "Verwijderd"
        megabytes = nl_number(result.bytes_freed / 1_000_000, 1)
        self.stdout.write(
            f"{verb}: {result.previews_deleted} onbevestigde voorbeelden, "
            f"{result.files_deleted} bestanden ({megabytes} MB), ouder dan {days} dagen."
        )
