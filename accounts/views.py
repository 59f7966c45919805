"""The Django admin's own login goes through the same throttled login as the rest of the app."""

from __future__ import annotations

from allauth.account import views as account
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme


@login_not_required
def admin_login(request: HttpRequest, extra_context=None) -> HttpResponse:
    """Stands in for ``AdminSite.login``: allauth's login (rate limits, second factor) for
    visitors; for a signed-in user without access to Beheer, a page that says so (the admin
    would otherwise send them to the login page, which sends them straight back)."""
    from django.contrib import admin

    if not request.user.is_authenticated:
        return account.login(request)
    if not admin.site.has_permission(request):
        return render(request, "account/admin_denied.html", status=403)
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "admin:index"
    return redirect(target)
