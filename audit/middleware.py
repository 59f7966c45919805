"""Every change made while serving a request carries who made it, from where and on which page
(pghistory context, stored in each event row)."""

from __future__ import annotations

from typing import Any

from pghistory.middleware import HistoryMiddleware

from audit.services import client_ip


class HistoryContextMiddleware(HistoryMiddleware):
    def get_context(self, request) -> dict[str, Any]:
        return {**super().get_context(request), "ip": client_ip(request)}
