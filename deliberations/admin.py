from django.contrib import admin

from deliberations.models import Deliberation


@admin.register(Deliberation)
class DeliberationAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "authority"]
    list_filter = ["authority"]
    search_fields = ["number", "title"]
