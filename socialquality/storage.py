"""Static files as production serves them, also under ``make run`` (DEBUG on)."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class CollectedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Collected, hashed, compressed (gzip, brotli): whitenoise's storage, but with hashed URLs
    under DEBUG too. Django hands out the plain names when DEBUG is on, which would be cached
    for a year (and, with only the hashed files kept, not found)."""

    def url(self, name, force=True):
        return super().url(name, force=True)
