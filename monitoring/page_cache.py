"""Dashboard pages cached until the data changes (issue 13).

A page's content depends only on the data, the query string and the viewer's access. So a
rendered page is kept in the page cache (a table in PostgreSQL, shared by every worker) with the
data version it was rendered under (``monitoring.services.data_version``, which every import,
rollback, recompute, settings change, renamed region, observation and initiative write
replaces): a page of another version than the current one is never served. Its key is made of:

- the view, its full path and the htmx headers the view answers to;
- the viewer's access (``access.permissions.access_key``: the user, each role, a social
  worker's wards, the published municipalities; one key for every anonymous visitor);
- the language and today's date (the gap rule and funding deadlines count from today);
- the code: a hash of the project's Python and template files and of the static files' manifest,
  so a page of an earlier release (with its static file names) is never served by a new one.

What is personal in the page frame (the user's name, the logout form with its CSRF token, the
messages) is not cached: ``base.html`` leaves a marker where it goes when
``request.page_cache_deferred`` is set, and every response, cached or fresh, has it filled in
for this request. A page that still holds a CSRF token or sets a cookie is not cached.

Only 200 responses with HTML are cached, so a 404, a redirect or a login page never is, and an
export (``?format=``) is always built afresh.
"""

from __future__ import annotations

import functools
import hashlib
import zlib
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.template.context_processors import csrf
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from access.context_processors import access
from access.permissions import access_key
from monitoring.services.data_version import DATA_VERSION_KEY, PAGE_CACHE, data_version

# A day: long enough for a quiet data set, short enough that old versions' pages go.
PAGE_TIMEOUT_S = 24 * 60 * 60
ACCOUNT_MARKER = "<!--page-cache:account-->"
MESSAGES_MARKER = "<!--page-cache:messages-->"
_NOT_CODE = {"node_modules", "staticfiles", "media", "backups", "build", "test-artifacts", "tests"}
_HTMX_HEADERS = ("HX-Request", "HX-Boosted", "HX-History-Restore-Request")


@functools.cache
def code_version() -> str:
    """A hash of what renders pages: the project's Python and template files and the manifest
    of the collected static files (their hashed names). Read once per process."""
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for folder in sorted(
        p
        for p in root.iterdir()
        if p.is_dir() and p.name not in _NOT_CODE and not p.name.startswith(".")
    ):
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".py", ".html") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if settings.STATIC_COLLECTED and manifest.exists():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:16]


def page_key(request: HttpRequest, view_name: str) -> str:
    parts = [
        code_version(),
        view_name,
        request.get_full_path(),
        *(request.headers.get(name, "") for name in _HTMX_HEADERS),
        access_key(request.user),
        getattr(request, "LANGUAGE_CODE", ""),
        timezone.localdate().isoformat(),
    ]
    return "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def cached_page(view):
    """Serve the view's page from the page cache while data and access are unchanged."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or "format" in request.GET:
            return view(request, *args, **kwargs)
        cache = caches[PAGE_CACHE]
        key = page_key(request, view.__qualname__)
        # The data version and the page in one query; the page holds the version it was
        # rendered under, so a page of an older version is a miss (and is replaced).
        found = cache.get_many([DATA_VERSION_KEY, key])
        version = found.get(DATA_VERSION_KEY) or data_version()
        stored = found.get(key)
        if stored is not None and stored["version"] == version:
            response = HttpResponse(
                zlib.decompress(stored["content"]), content_type=stored["content_type"]
            )
            patch_vary_headers(response, stored["vary"])
            response["X-Page-Cache"] = "hit"
            return _personal(request, response)
        request.page_cache_deferred = True
        try:
            response = view(request, *args, **kwargs)
        finally:
            # A 404 or 403 page is rendered after the view raised: with its own header.
            request.page_cache_deferred = False
        if _cacheable(response):
            vary = [v.strip() for v in response.get("Vary", "").split(",") if v.strip()]
            stored = {
                "version": version,
                "content": zlib.compress(response.content, 6),
                "content_type": response["Content-Type"],
                "vary": vary,
            }
            cache.set(key, stored, PAGE_TIMEOUT_S)
            response["X-Page-Cache"] = "miss"
        return _personal(request, response)

    return wrapper


def _cacheable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and response.get("Content-Type", "").startswith("text/html")
        and b"csrfmiddlewaretoken" not in response.content
    )


def _personal(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Fill in the parts of the frame that belong to this request."""
    content = response.content
    if ACCOUNT_MARKER.encode() in content or MESSAGES_MARKER.encode() in content:
        # A plain context with just what the two templates use: this runs for every cached
        # page, and the context processors would work out the whole page's context again.
        # (The token is lazy, as in a RequestContext: an anonymous page asks for none.)
        context = {"user": request.user, **csrf(request), **access(request)}
        account = render_to_string("_account_nav.html", context)
        stored_messages = get_messages(request)
        messages = (
            render_to_string("_messages.html", {"messages": stored_messages})
            if stored_messages
            else ""
        )
        content = content.replace(ACCOUNT_MARKER.encode(), account.encode(), 1)
        content = content.replace(MESSAGES_MARKER.encode(), messages.encode(), 1)
        response.content = content
    return response
