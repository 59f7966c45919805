"""The page cache's table: Django's database cache, with two changes for pages (issue 13).

- Culling never removes the data version. Django culls the first keys in key order, and
  ``:1:data-version`` sorts before every ``:1:page:…`` key: each cull would start a new version
  and so throw away every cached page. Here the pages that expire first go, and never the
  version.
- A new data version deletes the pages of the old ones (``drop_pages``), which no request can
  be served any more: the table stays small, and so does the count Django makes on each write.
- The table is UNLOGGED (migration ``monitoring.0012_unlogged_page_cache``): a page written to
  it writes no WAL, so storing a rendered page waits for no disk flush. After a crash
  PostgreSQL empties such a table, which for a cache only means the next visits render again.
- Its values are stored without PostgreSQL's compression (migration ``0014``): a page is
  deflated already, and compressing it again cost more time on every write than it saved.
"""

from __future__ import annotations

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router

from monitoring.services.data_version import DATA_VERSION_KEY


class PageCacheTable(DatabaseCache):
    def _cull(self, db, cursor, now, num):
        if self._cull_frequency == 0:
            self.clear()
            return
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        version_key = self.make_key(DATA_VERSION_KEY)
        cursor.execute(
            f"DELETE FROM {table} WHERE expires < %s AND cache_key <> %s",
            [connection.ops.adapt_datetimefield_value(now), version_key],
        )
        remaining = num - cursor.rowcount
        if remaining > self._max_entries:
            cursor.execute(
                f"DELETE FROM {table} WHERE cache_key IN (SELECT cache_key FROM {table} "
                "WHERE cache_key <> %s ORDER BY expires LIMIT %s)",
                [version_key, remaining // self._cull_frequency],
            )

    def drop_pages(self) -> None:
        """Delete every entry but the data version (pages of an earlier version)."""
        connection = connections[router.db_for_write(self.cache_model_class)]
        table = connection.ops.quote_name(self._table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE cache_key <> %s", [self.make_key(DATA_VERSION_KEY)]
            )
