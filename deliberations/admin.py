"""Platform administrators' view of the data (the Django admin is not scoped by authority)."""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from deliberations.models import Attendance, Body, Decision, Deliberation, Member, Session
from grants.requests.votes import requests_follow_vote, vote_conflict


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "authority"]
    list_filter = ["authority", "kind"]
    inlines = [MemberInline]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ["member", "proxy_holder"]


@admin.register(Session)
class SessionAdmin(SimpleHistoryAdmin):
    list_display = ["body", "date", "convocation_date", "second_convocation"]
    list_filter = ["body__authority", "body"]
    list_select_related = ["body"]
    raw_id_fields = ["presiding", "secretary"]
    inlines = [AttendanceInline]


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0


class DeliberationAdminForm(forms.ModelForm):
    """A vote typed in the admin cannot contradict requests it already voted."""

    def _post_clean(self):
        super()._post_clean()
        if conflict := vote_conflict(self.instance):
            self.add_error(None, conflict)


@admin.register(Deliberation)
class DeliberationAdmin(SimpleHistoryAdmin):
    form = DeliberationAdminForm
    list_display = ["number", "title", "authority", "status"]
    list_filter = ["authority", "status"]
    list_select_related = ["authority"]
    search_fields = ["number", "title", "actes_identifier"]
    raw_id_fields = ["session"]
    readonly_fields = ["status", "extract_pdf", "extract_sha256", "extract_generated_at"]
    inlines = [DecisionInline]

    def save_model(self, request, obj, form, change):
        """A vote typed here moves the deliberation's subsidy requests as the pages do (the
        admin's own transaction keeps the vote unchanged if they cannot follow it)."""
        super().save_model(request, obj, form, change)
        requests_follow_vote(obj, request.user)
