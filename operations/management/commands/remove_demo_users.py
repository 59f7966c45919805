from django.core.management.base import BaseCommand

from operations.services import demo_users_remove


class Command(BaseCommand):
    help = "Verwijder de demo-accounts (bekende wachtwoorden) uit deze database."

    def handle(self, *args, **options):
        removed = demo_users_remove()
        if removed:
            self.stdout.write(self.style.SUCCESS("Verwijderd: " + ", ".join(removed)))
        else:
            self.stdout.write("Er waren geen demo-accounts.")
