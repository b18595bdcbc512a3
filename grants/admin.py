from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from grants.models import Authority, Grant, User


@admin.register(Authority)
class AuthorityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "siren", "city", "default_advance_percentage"]
    search_fields = ["name", "siren"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "authority", "is_active"]
    list_filter = ["role", "authority", "is_active"]
    list_select_related = ["authority"]
    fieldsets = [
        *BaseUserAdmin.fieldsets[:2],
        ("Rôle et périmètre", {"fields": ["role", "authority", "managed_associations"]}),
        ("Statut", {"fields": ["is_active", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        ("Rôle et périmètre", {"fields": ["role", "authority"]}),
    ]
    filter_horizontal = ["managed_associations"]
    readonly_fields = ["last_login", "date_joined"]


@admin.register(Grant)
class GrantAdmin(SimpleHistoryAdmin):
    list_display = ["association", "authority", "year", "amount", "nature"]
    list_filter = ["authority", "year", "nature"]
    list_select_related = ["association", "authority"]
    search_fields = ["association__name", "object"]
    raw_id_fields = ["association", "deliberation"]
