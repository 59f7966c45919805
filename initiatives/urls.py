from django.urls import path

from initiatives import views

app_name = "initiatives"

urlpatterns = [
    path("gemeente/<str:code>/sociale-basis/", views.social_base, name="social_base"),
    path("gemeente/<str:code>/initiatieven/", views.initiative_list, name="list"),
    path("gemeente/<str:code>/initiatieven/nieuw/", views.initiative_create, name="create"),
    path("gemeente/<str:code>/initiatieven/importeren/", views.initiatives_import, name="import"),
    path(
        "gemeente/<str:code>/initiatieven/export/<str:what>.<str:ext>",
        views.initiatives_export,
        name="export",
    ),
    path("gemeente/<str:code>/initiatieven/<int:pk>/", views.initiative_detail, name="detail"),
    path(
        "gemeente/<str:code>/initiatieven/<int:pk>/bewerken/",
        views.initiative_edit,
        name="edit",
    ),
    path("gemeente/<str:code>/initiatieven/<int:pk>/bereik/", views.reach_entry, name="reach"),
]
