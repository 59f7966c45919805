"""Every link a user can follow on the demo leads somewhere: no page answers 500, and no link
the monitor prints points at a page that does not exist.

The crawl starts at the home page as each kind of user and follows the site's own links, a
few pages per kind of page (the URL name), so it sees every page type without visiting every
ward of two municipalities.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import Resolver404, resolve

PAGES_PER_KIND = 3
LINK = re.compile(r'href="([^"#]*)[^"]*"')
NOT_FOLLOWED = ("/uitloggen", "/static/", "/media/", "/beheer/")


def _crawl(client) -> tuple[dict[str, int], list[tuple[str, str, int]]]:
    seen: dict[str, int] = {}
    per_kind: Counter[str] = Counter()
    broken: list[tuple[str, str, int]] = []
    queue: deque[tuple[str, str]] = deque([("/", "(start)")])
    while queue:
        url, found_on = queue.popleft()
        if url in seen:
            continue
        path = urlsplit(url).path
        try:
            match = resolve(path)
        except Resolver404:
            broken.append((url, found_on, 404))
            seen[url] = 404
            continue
        kind = f"{match.view_name}{'?format' if 'format=' in url else ''}"
        if per_kind[kind] >= PAGES_PER_KIND:
            continue
        per_kind[kind] += 1
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code >= 500 or response.status_code == 404:
            broken.append((url, found_on, response.status_code))
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for href in LINK.findall(response.content.decode(errors="replace")):
            target = urljoin(url, href.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.netloc or not parts.path.startswith("/"):
                continue
            if parts.path.startswith(NOT_FOLLOWED):
                continue
            queue.append((parts.path + (f"?{parts.query}" if parts.query else ""), url))
    return seen, broken


@pytest.mark.parametrize("username", [None, "beleid", "sociaalwerker", "beheerder"])
def test_every_link_on_the_demo_leads_to_a_page(demo, client, username):
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    seen, broken = _crawl(client)
    assert len(seen) > 10, seen
    assert broken == [], broken
