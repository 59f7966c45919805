from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from observations.services import narratives_expire


class Command(BaseCommand):
    help = (
        "Verwijder de toelichtingen van observaties waarvan het kwartaal langer dan de "
        "bewaartermijn (OBSERVATION_NARRATIVE_RETENTION_DAYS) geleden eindigde, ook uit de "
        "geschiedenis. Oordelen en signalen blijven. Dagelijks draaien."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Rekenen alsof het deze datum is (JJJJ-MM-DD).")

    def handle(self, *args, today: str | None = None, **options):
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError(f"--today {today!r} is geen datum (JJJJ-MM-DD).") from None
        count = narratives_expire(today=day)
        days = settings.OBSERVATION_NARRATIVE_RETENTION_DAYS
        self.stdout.write(
            f"Bewaartermijn {days} dagen: toelichtingen van {count} observatie(s) verwijderd."
        )
