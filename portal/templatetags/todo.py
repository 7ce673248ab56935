from django import template

from portal.registry import todo_for

register = template.Library()


@register.simple_tag(takes_context=True)
def todo_panels(context):
    """What waits for the signed-in user: the panels the parts registered (portal.registry)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return todo_for(request.user)
