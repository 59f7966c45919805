from django.urls import path

from monitoring import views
from monitoring.models import Level

urlpatterns = [
    path("", views.home, name="home"),
    path("gemeente/<str:code>/", views.municipality, name="municipality"),
    path("wijk/<str:code>/", views.area, {"level": Level.WIJK}, name="ward"),
    path(
        "wijk/<str:code>/<str:condition>/",
        views.score_detail,
        {"level": Level.WIJK},
        name="ward_score",
    ),
    path("buurt/<str:code>/", views.area, {"level": Level.BUURT}, name="buurt"),
    path(
        "buurt/<str:code>/<str:condition>/",
        views.score_detail,
        {"level": Level.BUURT},
        name="buurt_score",
    ),
    path("vergelijk/", views.compare, name="compare"),
    path("indicatoren/", views.indicators, name="indicators"),
    path("indicator/<slug:code>/", views.indicator, name="indicator"),
    path("verandering/", views.change, name="change"),
]
