from django.contrib import admin

from conventions.models import (
    Amendment,
    Convention,
    ConventionEvent,
    ConventionTemplate,
    IndicatorToReport,
    Justificatif,
    NonFinancialContribution,
    Notification,
    PreviousIndicator,
    ProgrammeEvent,
    ReminderSent,
    TemplateSection,
)


class TemplateSectionInline(admin.StackedInline):
    model = TemplateSection
    extra = 0
    fields = ["position", "level", "number", "title", "body"]


@admin.register(ConventionTemplate)
class ConventionTemplateAdmin(admin.ModelAdmin):
    """Administrators edit the article texts. A convention records the version it came from:
    to change a template used by signed conventions, save it as a new version."""

    list_display = ["name", "authority", "version", "is_active"]
    list_filter = ["authority", "is_active"]
    list_select_related = ["authority"]
    inlines = [TemplateSectionInline]
    save_as = True


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class JustificatifInline(ReadOnlyInline):
    """Read-only: pieces come through the upload page (content checks) and the review queue."""

    model = Justificatif
    fields = ["kind", "original_name", "status", "is_current", "uploaded_at", "reviewed_at"]
    readonly_fields = fields


class AmendmentInline(ReadOnlyInline):
    model = Amendment
    fields = ["number", "signed_at", "reason", "previous_amount", "amount_change", "new_amount"]


class EventInline(ReadOnlyInline):
    model = ConventionEvent
    fields = ["at", "action", "user"]
    readonly_fields = ["at"]


@admin.register(Convention)
class ConventionAdmin(admin.ModelAdmin):
    """Lifecycle fields are read-only here: steps go through the services (who and when)."""

    list_display = ["__str__", "authority", "year", "status", "amount_total"]
    list_select_related = ["authority", "association"]
    search_fields = ["number", "association__name"]
    raw_id_fields = ["association", "grants", "deliberation", "forecast_budget", "template"]
    show_full_result_count = False
    readonly_fields = [
        "status", "amount_total", "template_version", "ready_at", "association_signed_at",
        "association_signer_name", "authority_signed_at", "authority_signer_name", "notified_at",
        "execution_started_at", "closed_at", "terminated_at", "pdf_file", "pdf_sha256",
        "pdf_generated_at", "signed_file", "signed_sha256", "signed_uploaded_at",
    ]  # fmt: skip
    exclude = [
        "created_by", "ready_by", "association_signature_recorded_by",
        "authority_signature_recorded_by", "notified_by", "pdf_generated_by",
        "signed_uploaded_by",
    ]  # fmt: skip
    inlines = [JustificatifInline, AmendmentInline, EventInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Justificatif)
class JustificatifAdmin(ReadOnlyAdmin):
    """Read-only: an upload is checked by content and a review is recorded with who and when,
    which only the application's pages do."""

    list_display = ["convention", "kind", "status", "is_current", "uploaded_at"]
    list_filter = ["kind", "status", "is_current"]
    list_select_related = ["convention__association"]
    raw_id_fields = ["convention"]
    show_full_result_count = False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "kind", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__username", "message"]
    show_full_result_count = False


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdmin):
    list_display = ["convention", "stage", "due_date", "sent_at", "recipients"]
    list_filter = ["stage"]
    list_select_related = ["convention__association"]


for model in (NonFinancialContribution, ProgrammeEvent, PreviousIndicator, IndicatorToReport):
    admin.site.register(model, raw_id_fields=["convention"])
