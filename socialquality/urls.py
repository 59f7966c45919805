from django.contrib import admin
from django.urls import include, path

from accounts.views import admin_login
from socialquality.health import health

# --- Login and audit trail (issue 9, helper "auth") ---
# The admin's own login page is allauth's login, with its rate limits and second factor.
admin.site.login = admin_login

urlpatterns = [
    path("beheer/", admin.site.urls),
    # --- Login and audit trail (issue 9, helper "auth") ---
    path("", include("accounts.urls")),
    path("logboek/", include("audit.urls")),
    # --- end ---
    path("gezond/", health, name="health"),
    path("import/", include("monitoring.importing.urls")),
    path("observaties/", include("observations.urls")),
    path("", include("access.urls")),
    path("", include("initiatives.urls")),
    path("", include("monitoring.urls")),
]
