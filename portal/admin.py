from django.contrib import admin

from .models import SiteSettings

admin.site.site_header = "政务公开门户 管理后台"
admin.site.site_title = "政务公开门户"
admin.site.index_title = "工作台"


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    list_display = ["site_name", "owner", "site_code", "icp_number", "police_number"]

    def has_add_permission(self, request):
        # One row only: the site has one set of registration numbers.
        return super().has_add_permission(request) and not SiteSettings.objects.exists()
