"""Form widgets the admin and the public forms share."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    """The browser's date picker (<input type=date>), which reads and writes ISO dates only.

    Django's Chinese date format (2022/06/08) would leave the picker empty and block the form,
    so the value is always written as yyyy-mm-dd.
    """

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def name_unlabelled_inputs(form):
    """Give each input of ``form`` its field's label as its accessible name, for forms shown
    where no <label> stands beside the input: rows of a tabular inline, the parts of a split
    date and time."""
    for field in form.fields.values():
        parts = getattr(field.widget, "widgets", None)
        if isinstance(field.widget, forms.SplitDateTimeWidget):
            for widget, part in zip(parts, [_("日期"), _("时间")], strict=True):
                widget.attrs["aria-label"] = f"{field.label}（{part}）"
        elif parts is None and field.label:
            field.widget.attrs.setdefault("aria-label", str(field.label))
