"""Custom admin pages as view classes: a page of its own under a model's admin receives that
model admin (``self.model_admin``), is wrapped by the admin site (sign-in, CSRF, no caching) and
renders with the admin's context. ``PageClass.as_page(model_admin)`` is the view a model admin's
``get_urls`` (or ``portal.registry.admin_view``) lists."""

from django.template.response import TemplateResponse
from django.views import View


class AdminPage(View):
    model_admin = None  # given by as_page
    template_name = None

    @classmethod
    def as_page(cls, model_admin):
        return model_admin.admin_site.admin_view(cls.as_view(model_admin=model_admin))

    @property
    def admin_site(self):
        return self.model_admin.admin_site

    @property
    def model(self):
        return self.model_admin.model

    def message_user(self, request, message, level=None):
        """A message to the user, as the model admin gives them."""
        if level is None:
            return self.model_admin.message_user(request, message)
        return self.model_admin.message_user(request, message, level)

    def render(self, request, context, status=200):
        """The page's template with the admin site's context, the model's options and
        ``context``."""
        admin = self.model_admin
        return TemplateResponse(
            request,
            self.template_name,
            {**admin.admin_site.each_context(request), "opts": admin.model._meta, **context},
            status=status,
        )
