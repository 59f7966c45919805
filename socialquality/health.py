"""`/gezond/`: answers 200 when the app runs and its database answers (for a load balancer)."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Gezondheidscontrole: de database antwoordt niet")
        return JsonResponse({"status": "database onbereikbaar"}, status=503)
    return JsonResponse({"status": "gezond"})
