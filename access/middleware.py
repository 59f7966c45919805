"""Sends an anonymous visitor to the login page when a view raised `LoginNeeded`."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django_htmx.http import HttpResponseClientRedirect

from access.permissions import LoginNeeded


class LoginNeededMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, LoginNeeded):
            return None
        htmx = getattr(request, "htmx", None)
        if htmx:
            # A fragment request: the whole page goes to the login page, not the fragment.
            back = htmx.current_url_abs_path or request.get_full_path()
            return HttpResponseClientRedirect(redirect_to_login(back)["Location"])
        return redirect_to_login(request.get_full_path())
