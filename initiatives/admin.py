from django.contrib import admin

from initiatives.models import Initiative, InitiativeReach
from monitoring.admin import ShownDataAdmin


class ReachInline(admin.TabularInline):
    model = InitiativeReach
    extra = 0


@admin.register(Initiative)
class InitiativeAdmin(ShownDataAdmin):
    list_display = ("name", "kind", "status", "funding", "contact_organisation", "municipality")
    list_filter = ("status", "kind", "funding", "is_example")
    search_fields = ("name", "contact_organisation")
    filter_horizontal = ("wards",)
    raw_id_fields = ("municipality",)
    inlines = [ReachInline]
