from django.urls import reverse

_MARKER = 987654321


def pk_url_template(viewname):
    """ "/documents/{}/" for a view taking one integer: one reverse() for a whole listing."""
    return reverse(viewname, args=[_MARKER]).replace(str(_MARKER), "{}")
