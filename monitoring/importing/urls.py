from django.urls import path

from monitoring.importing import views

app_name = "importing"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("geschiedenis/", views.history, name="history"),
    path("sjabloon/<slug:kind>/", views.template, name="template"),
    path("<int:pk>/", views.preview, name="preview"),
    path("<int:pk>/voortgang/", views.progress, name="progress"),
    path("<int:pk>/resultaat/", views.result, name="result"),
    path("<int:pk>/terugdraaien/", views.rollback, name="rollback"),
]
