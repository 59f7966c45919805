from django.contrib import admin

from monitoring.admin import ShownDataAdmin
from observations.models import SignalKind


@admin.register(SignalKind)
class SignalKindAdmin(ShownDataAdmin):
    """The list of signal kinds. Observations themselves are written only through their own
    screens (services with access checks, the personal-data guard and history)."""

    list_display = ("name", "municipality", "is_active", "sort_order")
    list_filter = ("is_active", "municipality")
    search_fields = ("name",)
