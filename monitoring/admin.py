from django.contrib import admin

from monitoring.models import (
    ConditionScore,
    ImportBatch,
    Indicator,
    IndicatorValue,
    Membership,
    Region,
    ScoringSettings,
)
from monitoring.services import scores_recompute, scores_recompute_all
from monitoring.services.data_version import data_version_bump


class ShownDataAdmin(admin.ModelAdmin):
    """An admin for data that pages show: every change there is a new data version, so no
    cached page outlives it (monitoring/page_cache.py)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        data_version_bump()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        data_version_bump()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        data_version_bump()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        data_version_bump()


@admin.register(Region)
class RegionAdmin(ShownDataAdmin):
    list_display = (
        "code",
        "name",
        "level",
        "municipality",
        "inhabitants",
        "first_year",
        "last_year",
    )
    list_filter = ("level", "first_year", "last_year")
    search_fields = ("code", "name")
    list_select_related = ("municipality",)
    raw_id_fields = ("parent", "municipality")
    exclude = ("geometry",)
    readonly_fields = ("inhabitants", "inhabitants_period")


@admin.register(Indicator)
class IndicatorAdmin(ShownDataAdmin):
    list_display = ("code", "name_nl", "role", "unit", "direction", "weight", "is_active", "source")
    list_filter = ("role", "is_active", "direction", "source")
    list_editable = ("weight", "is_active")
    search_fields = ("code", "name_nl", "name_en", "aliases")
    fieldsets = (
        (None, {"fields": ("code", "name_nl", "name_en", "role", "unit", "direction", "weight")}),
        ("Herkomst", {"fields": ("source", "definition", "aliases")}),
        ("Afgeleide indicator", {"fields": ("numerator", "denominator", "factor")}),
        ("Controle", {"fields": ("minimum", "maximum", "is_active", "sort_order")}),
    )
    # Changing what scores are made of recomputes them, so no page shows stale scores.
    _SCORING_FIELDS = {"weight", "direction", "role", "is_active"}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or self._SCORING_FIELDS & set(form.changed_data):
            summaries = scores_recompute_all()
            self.message_user(
                request,
                f"Scores van {len(summaries)} gemeente(n) zijn opnieuw berekend.",
            )


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ShownDataAdmin):
    list_display = ("region", "indicator", "period", "value", "is_suppressed", "batch")
    list_filter = ("period", "indicator__role", "region__level", "is_suppressed")
    search_fields = ("region__code", "region__name", "indicator__code", "indicator__name_nl")
    list_select_related = ("region", "indicator", "batch")
    raw_id_fields = ("region", "indicator", "batch")
    show_full_result_count = False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = (
        "file_name",
        "period",
        "file_format",
        "status",
        "values_new",
        "values_changed",
        "values_unchanged",
        "user",
        "created_at",
    )
    list_filter = ("status", "file_format", "period")
    search_fields = ("file_name", "sha256")
    readonly_fields = [f.name for f in ImportBatch._meta.fields]


@admin.register(ConditionScore)
class ConditionScoreAdmin(ShownDataAdmin):
    list_display = ("region", "period", "condition", "method", "value", "coverage", "rank")
    list_filter = ("condition", "method", "period", "region__level")
    search_fields = ("region__code", "region__name")
    list_select_related = ("region",)
    raw_id_fields = ("region",)


@admin.register(Membership)
class MembershipAdmin(ShownDataAdmin):
    list_display = ("user", "municipality", "role")
    list_filter = ("role", "municipality")
    search_fields = ("user__username", "user__last_name", "municipality__name")
    filter_horizontal = ("wards",)
    raw_id_fields = ("municipality",)


@admin.register(ScoringSettings)
class ScoringSettingsAdmin(ShownDataAdmin):
    list_display = ("municipality", "base_period")
    raw_id_fields = ("municipality",)

    # The base year is the reference of every index: changing it recomputes the municipality.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._recompute(request, obj.municipality)

    def delete_model(self, request, obj):
        municipality = obj.municipality
        super().delete_model(request, obj)
        self._recompute(request, municipality)

    def _recompute(self, request, municipality: Region) -> None:
        summary = scores_recompute(municipality=municipality)
        used = ", ".join(sorted(set(summary.base_periods.values()))) or "geen"
        self.message_user(
            request,
            f"Scores van {municipality.name} opnieuw berekend ({summary.scores_written} scores, "
            f"basisjaar {used}).",
        )


admin.site.site_header = "Sociale Kwaliteit Monitor – beheer"
admin.site.site_title = "Beheer"
admin.site.index_title = "Sitebeheer (alle gemeenten)"


def _site_admins_only(request) -> bool:
    """The Django admin works across municipalities (the national indicator framework and
    weights, every region and user), so it is for site administrators (superusers) only; a
    municipality's beheerder has the screens under /gemeente/<code>/beheer/ (access/)."""
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _site_admins_only
