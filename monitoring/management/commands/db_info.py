from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection


class Command(BaseCommand):
    help = "Toon met welke PostgreSQL-server de monitor verbonden is."

    def handle(self, *args, **options):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT version(), current_database(), inet_server_addr(), inet_server_port(), "
                "current_setting('data_directory', true)"
            )
            version, database, address, port, data_directory = cursor.fetchone()
        kind = "ingebouwd (embedded)" if settings.USING_EMBEDDED_DATABASE else "DATABASE_URL"
        self.stdout.write(f"bron: {kind}")
        self.stdout.write(f"server: {version.split(',')[0]}")
        self.stdout.write(f"database: {database}")
        self.stdout.write(f"adres: {address or 'unix-socket'}:{port or ''}")
        if data_directory:
            self.stdout.write(f"datamap: {data_directory}")
