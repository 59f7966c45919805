from django.core.management.base import BaseCommand

from monitoring.demo import DEMO_USERS, demo_load


class Command(BaseCommand):
    help = "Laad de demogemeenten ('s-Gravenhage, Amsterdam) uit fixtures/demo; twee keer laden verandert niets."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-users", action="store_true", help="Maak geen demo-gebruikers aan."
        )
        parser.add_argument(
            "--print-logins", action="store_true", help="Toon de demo-inloggegevens."
        )

    def handle(self, *args, no_users: bool = False, print_logins: bool = False, **options):
        for outcome in demo_load(with_users=not no_users):
            if outcome.already_imported:
                self.stdout.write(f"  {outcome.file_name}: al ingelezen, niets gewijzigd")
            else:
                c = outcome.counts
                self.stdout.write(
                    f"  {outcome.file_name} ({outcome.period}): {c.new} nieuw, "
                    f"{c.changed} gewijzigd, {c.unchanged} ongewijzigd"
                )
        self.stdout.write(
            self.style.SUCCESS("Demogemeenten 's-Gravenhage en Amsterdam zijn geladen.")
        )
        if print_logins and not no_users:
            self.stdout.write("\nDemo-inloggegevens (alleen voor ontwikkeling):")
            for user in DEMO_USERS:
                self.stdout.write(
                    f"  {user.label:<36} gebruiker: {user.username:<14} wachtwoord: {user.password}"
                )
