from django.urls import path

app_name = "importing"
urlpatterns: list = [
    # Web import (upload, preview, progress, result, history, rollback) comes with issue 3.
    path("", lambda request: None, name="placeholder"),
][:0]
