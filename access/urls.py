from django.urls import path

from access import views

app_name = "access"
urlpatterns = [
    path("gemeente/<str:code>/beheer/", views.settings, name="settings"),
    path("gemeente/<str:code>/beheer/gebruikers/", views.members, name="members"),
    path("gemeente/<str:code>/beheer/gebruikers/nieuw/", views.member_add, name="member_add"),
    path("gemeente/<str:code>/beheer/gebruikers/<int:pk>/", views.member, name="member"),
    path(
        "gemeente/<str:code>/beheer/gebruikers/<int:pk>/verwijderen/",
        views.member_remove,
        name="member_remove",
    ),
    path("gemeente/<str:code>/beheer/gebieden/", views.regions, name="regions"),
    path("gemeente/<str:code>/beheer/gebieden/<str:region_code>/", views.region, name="region"),
]
