from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from socialquality.health import health

urlpatterns = [
    path("beheer/", admin.site.urls),
    path("inloggen/", auth_views.LoginView.as_view(), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("gezond/", health, name="health"),
    path("import/", include("monitoring.importing.urls")),
    path("observaties/", include("observations.urls")),
    path("", include("access.urls")),
    path("", include("monitoring.urls")),
]
