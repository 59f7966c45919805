from django.urls import path

from observations import views

app_name = "observations"

urlpatterns = [
    path("", views.index, name="index"),
    path("wijk/<str:code>/<str:period>/", views.observation_form, name="form"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/status/", views.transition, name="transition"),
    path("gemeente/<str:code>/", views.coordination, name="coordination"),
    path("gemeente/<str:code>/export/", views.export, name="export"),
    path("gemeente/<str:code>/signalen/", views.signal_kinds, name="signal_kinds"),
]
