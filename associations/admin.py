from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from associations.models import (
    Association,
    AssociationBudget,
    AssociationBudgetLine,
    GovernanceChange,
    Indicator,
    IndicatorReport,
    IndicatorSet,
    StructureType,
    ThematicDomain,
)


@admin.register(StructureType)
class StructureTypeAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(ThematicDomain)
class ThematicDomainAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class GovernanceChangeInline(admin.TabularInline):
    model = GovernanceChange
    extra = 0
    fields = ["kind", "effective_date", "summary", "new_representative_name", "recorded_by"]
    readonly_fields = ["recorded_by"]


@admin.register(Association)
class AssociationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "acronym", "authority", "structure_type", "city"]
    list_filter = ["authority", "structure_type"]
    list_select_related = ["authority", "structure_type"]
    search_fields = ["name", "acronym", "siren", "rna"]
    filter_horizontal = ["domains"]
    inlines = [GovernanceChangeInline]


class AssociationBudgetLineInline(admin.TabularInline):
    model = AssociationBudgetLine
    extra = 0
    fields = ["position", "account", "label", "amount", "is_public", "authority"]


@admin.register(AssociationBudget)
class AssociationBudgetAdmin(admin.ModelAdmin):
    list_display = ["association", "year", "kind", "updated_at"]
    list_filter = ["kind", "year"]
    list_select_related = ["association"]
    search_fields = ["association__name", "association__acronym"]
    inlines = [AssociationBudgetLineInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.store_totals()


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fk_name = "indicator_set"
    extra = 0
    fields = ["position", "code", "group", "label", "unit", "is_gendered", "parent", "is_required"]


@admin.register(IndicatorSet)
class IndicatorSetAdmin(admin.ModelAdmin):
    list_display = ["title", "authority", "structure_type", "year"]
    list_filter = ["authority", "structure_type", "year"]
    list_select_related = ["authority", "structure_type"]
    inlines = [IndicatorInline]


@admin.register(IndicatorReport)
class IndicatorReportAdmin(admin.ModelAdmin):
    list_display = ["association", "indicator_set", "status", "submitted_at"]
    list_filter = ["status", "indicator_set__year"]
    list_select_related = ["association", "indicator_set"]
    readonly_fields = ["submitted_at", "submitted_by", "reopened_at", "reopened_by"]
