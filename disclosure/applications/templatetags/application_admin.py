from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def application_dashboard(context):
    """The 依申请公开 counts for the signed-in user, or None when they handle no applications."""
    from disclosure.applications.dashboard import dashboard

    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return None
    return dashboard(request.user)
