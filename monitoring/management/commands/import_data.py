"""``manage.py import_data PATH``: preview and import one file, as the web import does.

Exit status 1 when the file is unusable, or when cells were rejected and nothing was applied
(``--dry-run``, or without ``--skip-rejected``); 0 otherwise.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitoring.importing.parsers import ImportFileError
from monitoring.models import Region
from monitoring.services import import_apply, import_preview
from monitoring.services.imports import FORMAT_CHOICES, ImportPreview, ImportRefused

SHOW_REJECTED = 20


def _n(number: int) -> str:
    return f"{number:,}".replace(",", ".")


class Command(BaseCommand):
    help = "Lees een CBS- of gemeentebestand in (eerst een voorbeeld, dan in één transactie)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="Het bestand (CSV, Excel, GeoJSON of TopoJSON).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Alleen het voorbeeld; niets inlezen."
        )
        parser.add_argument("--format", default="auto", choices=FORMAT_CHOICES, dest="file_format")
        parser.add_argument("--period", help="Periode als het bestand die niet noemt (2023).")
        parser.add_argument(
            "--municipality", help="Alleen regio's van deze gemeente (CBS-code, bv. GM0518)."
        )
        parser.add_argument(
            "--skip-rejected",
            action="store_true",
            help="Afgewezen cellen overslaan en de rest inlezen.",
        )

    def handle(self, *args, path: str, dry_run: bool, file_format: str, **options) -> None:
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Bestand niet gevonden: {file}")
        municipality = None
        if options["municipality"]:
            code = options["municipality"].strip().upper()
            municipality = Region.objects.municipalities().filter(code=code).first()
            if municipality is None:
                raise CommandError(f"Gemeente {code} bestaat niet (nog) in de monitor.")
        data = file.read_bytes()
        arguments = {
            "data": data,
            "filename": file.name,
            "period": options["period"],
            "file_format": file_format,
            "municipality": municipality,
        }
        try:
            preview = import_preview(**arguments)
        except ImportFileError as error:
            raise CommandError(error.message, returncode=1) from None
        self._print_preview(preview)
        if dry_run:
            self.stdout.write("Proefdraai (--dry-run): er is niets ingelezen.")
            if preview.has_rejections:
                raise CommandError("Er zijn cellen afgewezen.", returncode=1)
            return
        try:
            result = import_apply(**arguments, skip_rejected=options["skip_rejected"])
        except ImportRefused as error:
            raise CommandError(
                f"{error.message} (gebruik --skip-rejected om ze over te slaan)", returncode=1
            ) from None
        except ImportFileError as error:
            raise CommandError(error.message, returncode=1) from None
        if result.already_imported:
            self.stdout.write(self.style.SUCCESS(result.message))
            return
        self.stdout.write(self.style.SUCCESS(f"Import #{result.batch.pk}: {result.message}"))

    def _print_preview(self, preview: ImportPreview) -> None:
        write = self.stdout.write
        write(f"Bestand:   {preview.file_name} ({_n(preview.size)} bytes)")
        write(f"SHA-256:   {preview.sha256}")
        write(f"Formaat:   {preview.file_format}")
        write(f"Periode:   {', '.join(preview.periods)}")
        counts = preview.counts
        write(
            f"Waarden:   {_n(counts.new)} nieuw, {_n(counts.changed)} gewijzigd, "
            f"{_n(counts.unchanged)} ongewijzigd"
        )
        if preview.regions_new:
            sample = ", ".join(r["code"] for r in preview.regions_new[:8])
            more = " …" if len(preview.regions_new) > 8 else ""
            write(f"Nieuwe regio's: {_n(len(preview.regions_new))} ({sample}{more})")
        if preview.geometries_changed:
            write(f"Regiogrenzen: {_n(preview.geometries_changed)} nieuw of gewijzigd")
        if preview.regions_unknown:
            write(f"Onbekende regio's: {', '.join(preview.regions_unknown[:20])}")
        if preview.regions_outside:
            write(f"Regio's buiten de gemeente: {', '.join(preview.regions_outside[:20])}")
        if preview.columns_used:
            used = ", ".join(f"{c['column']} → {c['indicator']}" for c in preview.columns_used)
            write(f"Gebruikte kolommen: {used}")
        if preview.columns_unused:
            write(f"Niet gebruikte kolommen ({len(preview.columns_unused)}): ")
            write("  " + ", ".join(preview.columns_unused))
        for note in preview.notes:
            write(f"Let op: {note}")
        if preview.has_rejections:
            write(self.style.WARNING(f"Afgewezen: {_n(preview.rejected_total)}"))
            for problem in preview.rejected[:SHOW_REJECTED]:
                write(f"  {problem.reason}")
            if preview.rejected_total > SHOW_REJECTED:
                write(f"  … en nog {_n(preview.rejected_total - SHOW_REJECTED)}")
        write(preview.summary)
