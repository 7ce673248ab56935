"""``PlainSelect`` writes what Django's template for a <select> writes."""

import re

from django import forms

from portal.widgets import PlainSelect


class Choices(forms.Form):
    plain = forms.TypedChoiceField(
        required=False,
        coerce=int,
        widget=PlainSelect(attrs={"aria-label": "年份 <全部>", "data-x": True}),
        choices=[("", "全部"), (2024, "2024（3）"), (7, 'a "quoted" <b>&</b>')],
    )
    template = forms.TypedChoiceField(
        required=False,
        coerce=int,
        widget=forms.Select(attrs={"aria-label": "年份 <全部>", "data-x": True}),
        choices=[("", "全部"), (2024, "2024（3）"), (7, 'a "quoted" <b>&</b>')],
    )
    grouped = forms.ChoiceField(
        required=False,
        widget=PlainSelect,
        choices=[("", "全部"), ("分组 <1>", [("a", "甲"), ("b", "乙")])],
    )
    grouped_template = forms.ChoiceField(
        required=False,
        widget=forms.Select,
        choices=[("", "全部"), ("分组 <1>", [("a", "甲"), ("b", "乙")])],
    )


def rendered(form, name, twin):
    """Both fields' HTML under one name, without the blanks Django's template leaves between
    tags."""
    return tuple(
        re.sub(r">\s+<", "><", str(form[field]))
        .replace(f'name="{field}"', 'name="x"')
        .replace(f'id="id_{field}"', 'id="id_x"')
        for field in (name, twin)
    )


def test_a_plain_select_is_written_as_django_writes_it():
    for data in (None, {"plain": "7", "template": "7", "grouped": "b", "grouped_template": "b"}):
        form = Choices(data)
        form.is_valid()
        plain, template = rendered(form, "plain", "template")
        assert plain == template
        assert "&lt;b&gt;&amp;&lt;/b&gt;" in plain and "<b>" not in plain
        grouped, grouped_template = rendered(form, "grouped", "grouped_template")
        assert grouped == grouped_template
    assert 'value="7" selected' in plain and 'value="b" selected' in grouped
