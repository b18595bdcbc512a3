from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from associations.models import Association, GovernanceChange, StructureType, ThematicDomain


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
