"""The page cache's table, UNLOGGED (see monitoring/page_cache_table.py).

Created here, as ``manage.py createcachetable`` would (which then leaves it as it is), or
turned UNLOGGED where createcachetable made it before."""

from django.db import migrations

TABLE = "django_page_cache"

CREATE = f"""
CREATE UNLOGGED TABLE IF NOT EXISTS "{TABLE}" (
    "cache_key" varchar(255) NOT NULL PRIMARY KEY,
    "value" text NOT NULL,
    "expires" timestamp with time zone NOT NULL
);
CREATE INDEX IF NOT EXISTS "{TABLE}_expires" ON "{TABLE}" ("expires");
ALTER TABLE "{TABLE}" SET UNLOGGED;
"""


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0011_score_places")]

    operations = [migrations.RunSQL(CREATE, f'ALTER TABLE "{TABLE}" SET LOGGED;')]
