from django.contrib import admin

from .models import AuditEvent, CalendarDay, HolidayNotice, LoginFailureCounter, SiteSettings

admin.site.site_header = "政务公开门户 管理后台"
admin.site.site_title = "政务公开门户"
admin.site.index_title = "工作台"


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin that shows rows and changes none: for logs and counters the portal keeps."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    list_display = ["site_name", "owner", "site_code", "icp_number", "police_number"]

    def has_add_permission(self, request):
        # One row only: the site has one set of registration numbers.
        return super().has_add_permission(request) and not SiteSettings.objects.exists()


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only for everyone, superusers included: the log is append-only."""

    list_display = ["pk", "occurred_at", "actor_name", "action", "object_type", "object_repr", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_name", "object_repr", "object_id"]
    date_hierarchy = "occurred_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]


@admin.register(LoginFailureCounter)
class LoginFailureCounterAdmin(ReadOnlyAdmin):
    """Read-only: the counts behind the audit log's failed-login events."""

    list_display = ["period_start", "scope", "key", "count", "last_username", "last_ip", "closed"]
    list_filter = ["scope", "closed"]
    search_fields = ["key", "last_username"]
    date_hierarchy = "period_start"
    readonly_fields = [f.name for f in LoginFailureCounter._meta.fields]


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 5
    fields = ["date", "is_working_day", "note"]


@admin.register(HolidayNotice)
class HolidayNoticeAdmin(admin.ModelAdmin):
    list_display = ["year", "title", "published_on"]
    inlines = [CalendarDayInline]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working_day", "note", "notice"]
    list_filter = ["is_working_day", "notice"]
    date_hierarchy = "date"
