from django.db import models
from django.utils.module_loading import import_string

from portal.sanitize import clean_html


class SanitizedHTMLField(models.TextField):
    """Rich text that is sanitised (``portal.sanitize.clean_html``) every time it is saved.

    ``save()`` and ``bulk_create()`` both call ``pre_save``; ``QuerySet.update()`` and
    ``bulk_update()`` do not, so code that writes bodies must not use them.
    """

    def pre_save(self, model_instance, add):
        value = clean_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value


class DerivedFieldMixin:
    """A column computed from the rest of the row on every save (``derive``: a dotted path to a
    function of the instance). Like SanitizedHTMLField, bulk_update() and update() skip it."""

    def __init__(self, *args, derive, **kwargs):
        self.derive = derive
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["derive"] = self.derive
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = import_string(self.derive)(model_instance)
        setattr(model_instance, self.attname, value)
        return value


class DerivedTextField(DerivedFieldMixin, models.TextField):
    pass


class DerivedCharField(DerivedFieldMixin, models.CharField):
    pass
