import time

from django.core.management.base import BaseCommand, CommandError

from monitoring.models import Region
from monitoring.services import scores_recompute, scores_recompute_all


class Command(BaseCommand):
    help = "Bereken alle scores opnieuw (of die van één gemeente met --gemeente GM0518)."

    def add_arguments(self, parser):
        parser.add_argument("--gemeente", dest="municipality", help="CBS-code, bv. GM0518")

    def handle(self, *args, municipality: str | None = None, **options):
        started = time.perf_counter()
        if municipality:
            region = Region.objects.municipalities().filter(code=municipality.upper()).first()
            if region is None:
                raise CommandError(f"Gemeente {municipality} bestaat niet in de monitor.")
            summaries = [scores_recompute(municipality=region)]
        else:
            summaries = scores_recompute_all()
        for summary in summaries:
            bases = ", ".join(sorted(set(summary.base_periods.values()))) or "geen"
            self.stdout.write(
                f"  {summary.municipality}: {summary.scores_written} scores (basisjaar {bases})"
            )
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Scores herberekend in {elapsed:.1f} s."))
