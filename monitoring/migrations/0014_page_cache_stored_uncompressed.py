"""The page cache's values are stored without PostgreSQL's own compression (STORAGE EXTERNAL).

A cached page is already deflated (monitoring/gzip_parts.py) and then base64-encoded by
Django's database cache. PostgreSQL still tried to compress that text with pglz on every
write: 3.7–5.3 ms of each first visit to a municipality page at national scale, against
2.3–2.7 ms without (benchmarks/bench_dashboard.py). It gains almost nothing on such text."""

from django.db import migrations

TABLE = "django_page_cache"


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0013_score_index_by_method")]

    operations = [
        migrations.RunSQL(
            f'ALTER TABLE "{TABLE}" ALTER COLUMN "value" SET STORAGE EXTERNAL;',
            f'ALTER TABLE "{TABLE}" ALTER COLUMN "value" SET STORAGE EXTENDED;',
        )
    ]
