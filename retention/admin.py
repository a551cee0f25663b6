from django.contrib import admin

from retention.models import RetentionPolicy


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    list_display = ["record_kind", "version", "effective_from", "period_text", "trigger", "notice_days"]
    list_filter = ["record_kind"]
    readonly_fields = ["created_at", "created_by"]

    def has_delete_permission(self, request, obj=None):
        # A version that a destruction applied must stay on record.
        return False
