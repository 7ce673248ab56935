from django.core.cache import cache
from django.db import models
from django.utils.translation import gettext_lazy as _

SITE_SETTINGS_CACHE_KEY = "portal:site-settings"


class SiteSettings(models.Model):
    """The site's name, registration numbers and contact, editable by staff without a deploy."""

    site_name = models.CharField(_("网站名称"), max_length=100, default="铜梁区人民政府 政务公开")
    owner = models.CharField(_("主办单位"), max_length=100, default="重庆市铜梁区人民政府办公室")
    site_code = models.CharField(_("网站标识码"), max_length=20, blank=True)
    icp_number = models.CharField(_("ICP备案号"), max_length=50, blank=True)
    police_number = models.CharField(_("公安机关备案号"), max_length=50, blank=True)
    address = models.CharField(_("联系地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    postcode = models.CharField(_("邮政编码"), max_length=6, blank=True)

    class Meta:
        verbose_name = _("网站设置")
        verbose_name_plural = _("网站设置")

    def __str__(self):
        return self.site_name

    @classmethod
    def load(cls):
        """The single settings row (unsaved defaults when none exists), cached."""
        settings = cache.get(SITE_SETTINGS_CACHE_KEY)
        if settings is None:
            settings = cls.objects.order_by("pk").first() or cls()
            cache.set(SITE_SETTINGS_CACHE_KEY, settings, 300)
        return settings
