from django.contrib import admin

from initiatives.models import Initiative, InitiativeReach


class ReachInline(admin.TabularInline):
    model = InitiativeReach
    extra = 0


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "municipality")
    search_fields = ("name", "organisation")
    filter_horizontal = ("wards",)
    raw_id_fields = ("municipality",)
    inlines = [ReachInline]
