from django.db import models

from .sanitize import clean_html


class SanitizedHTMLField(models.TextField):
    """Rich text that is sanitised (``portal.sanitize.clean_html``) every time it is saved.

    ``save()`` and ``bulk_create()`` both call ``pre_save``; ``QuerySet.update()`` and
    ``bulk_update()`` do not, so code that writes bodies must not use them.
    """

    def pre_save(self, model_instance, add):
        value = clean_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value
