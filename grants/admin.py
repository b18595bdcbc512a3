from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from grants.models import (
    Authority,
    BudgetLine,
    Clawback,
    Commitment,
    Grant,
    Job,
    Payment,
    User,
)
from grants.smallgrants.models import LetterTemplate


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Money moves only through the services (rules, row locks, who and when): read-only here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BudgetLine)
class BudgetLineAdmin(SimpleHistoryAdmin):
    list_display = ["service_codes", "nature", "label", "authority", "year", "voted_credits"]
    list_filter = ["authority", "year", "budget"]
    list_select_related = ["authority"]
    search_fields = ["service_codes", "nature", "label"]


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    list_display = ["number", "date", "grant", "budget_line", "amount"]
    list_select_related = ["grant__association", "budget_line"]
    search_fields = ["number", "grant__association__name"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["convention", "kind", "status", "amount", "order_number", "paid_date"]
    list_filter = ["kind", "status"]
    list_select_related = ["convention__association"]
    search_fields = ["order_number", "convention__association__name"]


@admin.register(Clawback)
class ClawbackAdmin(ReadOnlyAdmin):
    list_display = ["convention", "amount", "title_number", "title_date"]
    list_select_related = ["convention__association"]


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["label", "kind", "status", "done", "total", "created_at", "owner"]
    list_filter = ["kind", "status"]
    list_select_related = ["owner"]


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    """The authority's texts of the notification letter and of the arrêté attributif (grants
    of 23 000 € or less), edited like the convention templates."""

    list_display = ["authority", "kind", "title", "updated_at"]
    list_filter = ["authority", "kind"]
    search_fields = ["title", "body"]
