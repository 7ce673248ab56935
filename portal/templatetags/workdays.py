from django import template

from portal import workdays

register = template.Library()


@register.filter
def provisional_mark(value):
    """``{{ deadline|provisional_mark }}``: "（暂定）" when the date or count is provisional."""
    return workdays.provisional_mark(value)
