"""Sends an anonymous visitor to the login page when a view raised `LoginNeeded`."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login

from access.permissions import LoginNeeded


class LoginNeededMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, LoginNeeded):
            return redirect_to_login(request.get_full_path())
        return None
