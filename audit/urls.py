from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    path("", views.trail_start, name="start"),
    path("<str:code>/", views.trail, name="trail"),
]
